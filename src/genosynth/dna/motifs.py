"""Position weight matrices: JASPAR, MEME and HOMER input, log-odds, the explicit PWM predictor.

The explicit predictor of the paper scores a sequence by convolving it with a PWM's
log-odds matrix and max-pooling over positions (and, with ``both_strands``, over the
reverse complement). :func:`pwm_scan` is its NumPy form; the differentiable form used
in design is :func:`genosynth.dna.predictors.pwm_score_tf`.

Motif files (:func:`read_motif`, optionally gzipped): JASPAR (``>MA0058.4<TAB>MAX`` then rows
``A [ ... ]`` for A, C, G, T), MEME (``MOTIF id [name]``, then ``letter-probability matrix:
... w= N`` and N rows of A C G T probabilities) or HOMER (``>consensus<TAB>name<TAB>...`` then
rows of A C G T probabilities). A motif is chosen by id, else by name.

A few JASPAR 2024 CORE matrices are embedded (:data:`EMBEDDED_PFMS`, JASPAR data are
open access), so the default config runs without a motif file.
"""

from __future__ import annotations

import os
import re

import numpy as np

from genosynth.errors import InputError
from genosynth.fileio import open_text

__all__ = [
    "EMBEDDED_PFMS",
    "MOTIF_FORMATS",
    "log_odds",
    "pwm_positions",
    "pwm_scan",
    "read_jaspar",
    "read_motif",
]

MOTIF_FORMATS = ("auto", "jaspar", "meme", "homer")

#: JASPAR 2024 CORE counts (rows A, C, G, T) by matrix id.
EMBEDDED_PFMS: dict[str, tuple[str, list[list[int]]]] = {
    "MA0058.4": (
        "MAX",
        [
            [39, 6876, 0, 329, 69, 0],
            [6876, 0, 6876, 39, 159, 27],
            [0, 87, 7, 6876, 20, 6876],
            [0, 38, 229, 19, 6876, 36],
        ],
    ),
    "MA0470.3": (
        "E2F4",
        [
            [4332, 3440, 2541, 946, 318, 10, 15, 9, 0, 29, 12269, 4886, 4627],
            [1036, 926, 476, 489, 2176, 50, 13954, 7, 13939, 13730, 4540, 2001, 906],
            [1772, 968, 3027, 1561, 13671, 13939, 2, 13950, 53, 3993, 1062, 524, 846],
            [9141, 12851, 12536, 13460, 20, 0, 11, 25, 0, 577, 2504, 8279, 8792],
        ],
    ),
    "MA0093.4": (
        "USF1",
        [
            [7574, 3841, 533, 53654, 418, 3453, 448, 403, 45587, 1845],
            [3030, 9543, 53536, 654, 13185, 1387, 264, 817, 3045, 41450],
            [43094, 3912, 766, 477, 3666, 50076, 601, 53634, 4679, 3018],
            [1636, 38038, 499, 549, 38065, 418, 54021, 480, 2023, 9021],
        ],
    ),
}

_ROW = re.compile(r"^\s*([ACGT])\s*\[?([\d\s.]+)\]?\s*$")


def read_jaspar(path: str | os.PathLike | None, matrix_id: str) -> tuple[str, np.ndarray]:
    """Counts of one matrix of a JASPAR-format file (or of :data:`EMBEDDED_PFMS`).

    Parameters
    ----------
    path : path or None
        JASPAR text file (``>MA0058.4<TAB>MAX`` then rows ``A [ ... ]`` for A, C, G, T);
        ``None`` or ``""`` uses the embedded matrices.
    matrix_id : str
        E.g. ``"MA0058.4"``; without a version (``"MA0058"``) the highest version in the
        file is used.

    Returns
    -------
    name : str
    counts : numpy.ndarray, float64, shape (width, 4)
        Columns A, C, G, T.
    """
    if not path:
        if matrix_id not in EMBEDDED_PFMS:
            raise InputError(
                "<embedded motifs>",
                f"no embedded matrix {matrix_id}",
                fix=f"use one of {sorted(EMBEDDED_PFMS)} or set a JASPAR file",
            )
        name, rows = EMBEDDED_PFMS[matrix_id]
        return name, np.asarray(rows, dtype=np.float64).T
    if not os.path.exists(path):
        raise InputError(path, "JASPAR file not found", fix="set the motif file path")
    found: dict[str, tuple[str, list]] = {}
    current = None
    with open_text(path) as fh:
        for lineno, line in enumerate(fh, start=1):
            if line.startswith(">"):
                parts = line[1:].split()
                current = parts[0]
                found[current] = (parts[1] if len(parts) > 1 else current, [])
                continue
            if not line.strip() or current is None:
                continue
            match = _ROW.match(line)
            if not match:
                raise InputError(path, "not a JASPAR count row", line=lineno, record=line.strip(),
                                 fix="rows read `A [ 1 2 3 ]` for A, C, G, T; or set "
                                 "motif_format")  # fmt: skip
            found[current][1].append([float(v) for v in match[2].split()])
    if matrix_id not in found:
        versions = sorted(
            (k for k in found if k.split(".")[0] == matrix_id),
            key=lambda k: int(k.split(".")[1]) if "." in k else 0,
        )
        if not versions:
            raise InputError(path, f"no matrix {matrix_id}", fix="use a JASPAR id in the file")
        matrix_id = versions[-1]
    name, rows = found[matrix_id]
    if len(rows) != 4 or len({len(r) for r in rows}) != 1:
        raise InputError(path, "matrix needs 4 rows of equal length", record=matrix_id)
    return name, np.asarray(rows, dtype=np.float64).T


def _motif_format(path) -> str:
    name = os.fspath(path).lower().removesuffix(".gz")
    for fmt, suffixes in {"jaspar": (".jaspar", ".pfm"), "meme": (".meme",),
                          "homer": (".motif", ".motifs", ".homer")}.items():  # fmt: skip
        if name.endswith(suffixes):
            return fmt
    with open_text(path) as fh:
        head = [line for _, line in zip(range(50), fh, strict=False)]
    if any(line.startswith("MEME version") for line in head):
        return "meme"
    if any(_ROW.match(line) for line in head):
        return "jaspar"
    if head and head[0].startswith(">"):
        return "homer"
    raise InputError(path, "cannot tell the motif format from the name or content",
                     fix="set dna.design.motif_design.motif_format")  # fmt: skip


def _probability_row(path, lineno: int, line: str, fmt: str) -> list[float]:
    fields = line.split()
    try:
        row = [float(v) for v in fields]
    except ValueError:
        row = []
    if len(row) != 4:
        raise InputError(path, f"not a {fmt} matrix row of 4 numbers (A C G T)", line=lineno,
                         record=line.strip()[:80],
                         fix=f"check the file is {fmt} (or set motif_format): each matrix row "
                         "holds the A, C, G, T probabilities")  # fmt: skip
    return row


def _parse_matrices(path, fmt: str) -> dict[str, tuple[str, list, int]]:
    """``id -> (name, rows, header line)`` of every motif of a MEME or HOMER file."""
    found: dict[str, tuple[str, list, int]] = {}
    current, expect = None, 0
    with open_text(path) as fh:
        for lineno, line in enumerate(fh, start=1):
            if fmt == "meme" and line.startswith("MOTIF"):
                parts = line.split()[1:] or [f"motif{len(found) + 1}"]
                current = parts[0]
                found[current] = (parts[1] if len(parts) > 1 else current, [], lineno)
                expect = 0
            elif fmt == "meme" and line.startswith("letter-probability matrix"):
                match = re.search(r"w=\s*(\d+)", line)
                expect = int(match[1]) if match else 0
            elif fmt == "meme" and expect and current is not None and line.strip():
                found[current][1].append(_probability_row(path, lineno, line, fmt))
                expect -= 1
            elif fmt == "homer" and line.startswith(">"):
                parts = line[1:].rstrip("\n").split("\t")
                current = parts[1] if len(parts) > 1 and parts[1] else parts[0]
                found[current] = (parts[0], [], lineno)
            elif fmt == "homer" and line.strip():
                if current is None:
                    raise InputError(path, "matrix row before the first `>` header",
                                     line=lineno, record=line.strip()[:80],
                                     fix="start each motif with `>consensus<TAB>name`")  # fmt: skip
                found[current][1].append(_probability_row(path, lineno, line, fmt))
    return found


def read_motif(path, motif: str, *, fmt: str = "auto") -> tuple[str, np.ndarray]:
    """Name and matrix of one motif of a JASPAR, MEME or HOMER file.

    Parameters
    ----------
    path : path or None
        Motif file, optionally gzipped; ``None`` or ``""`` uses :data:`EMBEDDED_PFMS`.
    motif : str
        Id (JASPAR matrix id, MEME ``MOTIF`` id, HOMER name) or, for MEME, the alternative
        name; for HOMER also the consensus.
    fmt : {"auto", "jaspar", "meme", "homer"}

    Returns
    -------
    name : str
    counts : numpy.ndarray, float64, shape (width, 4)
        Counts (JASPAR) or probabilities, columns A, C, G, T.
    """
    if not path or fmt == "jaspar":
        return read_jaspar(path, motif)
    if not os.path.exists(path):
        raise InputError(path, "motif file not found", fix="set the motif file path")
    fmt = _motif_format(path) if fmt == "auto" else fmt
    if fmt == "jaspar":
        return read_jaspar(path, motif)
    if fmt not in MOTIF_FORMATS:
        raise InputError(path, f"unknown motif format {fmt!r}", fix=f"use {MOTIF_FORMATS}")
    found = _parse_matrices(path, fmt)
    key = motif if motif in found else next((k for k, v in found.items() if v[0] == motif), None)
    if key is None:
        shown = ", ".join(list(found)[:5])
        raise InputError(path, f"no motif {motif!r} among {len(found)} {fmt} motifs",
                         fix=f"set dna.design.motif_design.motif to an id or name in the file "
                         f"(e.g. {shown})")  # fmt: skip
    name, rows, lineno = found[key]
    if not rows:
        raise InputError(path, f"motif {key!r} has no matrix rows", line=lineno, record=key,
                         fix="give the motif's A C G T rows after its header")  # fmt: skip
    return (name if fmt == "meme" else key), np.asarray(rows, dtype=np.float64)


def log_odds(counts: np.ndarray, *, pseudocount: float = 0.01, background=None) -> np.ndarray:
    """Log2-odds weights of a count matrix.

    Parameters
    ----------
    counts : numpy.ndarray, shape (width, 4)
    pseudocount : float
        Added to each column's base frequencies before renormalising:
        ``p = (c / n + pseudocount) / (1 + 4 * pseudocount)`` (``n`` the column total).
    background : array_like, shape (4,), optional
        Base frequencies; uniform by default.

    Returns
    -------
    numpy.ndarray, float32, shape (width, 4)
        ``log2(p / background)``.
    """
    counts = np.asarray(counts, dtype=np.float64)
    freqs = counts / counts.sum(axis=1, keepdims=True)
    probs = (freqs + pseudocount) / (1.0 + 4.0 * pseudocount)
    bg = np.full(4, 0.25) if background is None else np.asarray(background, dtype=np.float64)
    return np.log2(probs / bg).astype(np.float32)


def pwm_scan(x: np.ndarray, weights: np.ndarray, *, both_strands: bool = True) -> np.ndarray:
    """The explicit PWM predictor: best log-odds match of each sequence.

    Parameters
    ----------
    x : numpy.ndarray, float, shape (n, length, 4)
        One-hot sequences (or base probabilities).
    weights : numpy.ndarray, shape (width, 4)
        Log-odds matrix (:func:`log_odds`).
    both_strands : bool
        Also scan the reverse complement (the PWM flipped in both axes).

    Returns
    -------
    numpy.ndarray, float64, shape (n,)
        ``max_j sum_k sum_b x[j + k, b] * w[k, b]`` (over both strands when asked).
    """
    scores = pwm_positions(x, weights, both_strands=both_strands)
    return scores.max(axis=(1, 2))


def pwm_positions(x: np.ndarray, weights: np.ndarray, *, both_strands: bool = True) -> np.ndarray:
    """Log-odds score of every placement: ``float64 (n, length - width + 1, n_strands)``."""
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    width = w.shape[0]
    windows = np.lib.stride_tricks.sliding_window_view(x, width, axis=1)  # (n, P, 4, width)
    strands = [w] + ([w[::-1, ::-1]] if both_strands else [])
    return np.stack([np.einsum("npbk,kb->np", windows, s) for s in strands], axis=-1)
