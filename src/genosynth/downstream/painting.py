"""ChromoPainter v2 input and output (Yelmen et al. Fig S12).

Files (ChromoPainter v2 manual, "PHASE" and "recombination" formats):

* ``.phase``: line 1 the number of haplotypes, line 2 the number of SNPs, line 3 ``P``
  and the bp positions, then one haplotype per line as a string of 0/1 without spaces;
  consecutive haplotypes are one (diploid) individual, in the order of the id file;
* ``.recomb``: header ``start.pos recom.rate.perbp``, then per SNP its position and the
  recombination rate per bp (Morgans) to the next SNP; the last SNP has 0;
* ``.ids``: ``individual population include`` per individual (``-t``);
* ``.poplist``: ``population D|R`` (donor or recipient; ``-f``).

``ChromoPainterv2 -g x.phase -r x.recomb -t x.ids -f x.poplist 0 0 -o x`` paints every
recipient individual with the donor populations; ``x.chunkcounts.out`` holds the expected
number of chunks each recipient copies from each donor population.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import pandas as pd

from genosynth.errors import GenosynthError, InputError
from genosynth.fileio import atomic_paths
from genosynth.formats import read_text_bytes

__all__ = [
    "read_chunkcounts",
    "read_phase",
    "read_recomb",
    "recombination_rates",
    "write_painting_inputs",
]


def recombination_rates(positions: np.ndarray, cm: np.ndarray) -> np.ndarray:
    """Per-bp recombination rate (Morgans) from each SNP to the next; 0 for the last.

    Parameters
    ----------
    positions : numpy.ndarray, int64, shape (n_sites,)
        Strictly increasing.
    cm : numpy.ndarray, float64, shape (n_sites,)
        Genetic positions (cM), non-decreasing.

    Returns
    -------
    numpy.ndarray, float64, shape (n_sites,)
    """
    pos = np.asarray(positions, dtype=np.float64)
    if np.any(np.diff(pos) <= 0):
        raise GenosynthError("SNP positions must increase strictly for a .recomb file")
    morgans = np.diff(np.asarray(cm, dtype=np.float64)) / 100.0
    bp = np.diff(pos)
    return np.append(morgans / bp, 0.0)


def write_painting_inputs(
    paths: dict,
    *,
    haplotypes: np.ndarray,
    positions: np.ndarray,
    cm: np.ndarray,
    individuals: Sequence[str],
    populations: Sequence[str],
    donors: Sequence[str],
) -> None:
    """Write the ChromoPainter v2 ``phase``, ``recomb``, ``ids`` and ``poplist`` files.

    Parameters
    ----------
    paths : dict
        Destinations under the keys ``phase``, ``recomb``, ``ids``, ``poplist``.
    haplotypes : numpy.ndarray, int8, shape (2 * n_individuals, n_sites)
        Consecutive pairs are one individual.
    positions : numpy.ndarray, int64, shape (n_sites,)
    cm : numpy.ndarray, float64, shape (n_sites,)
        Genetic positions (cM) of the SNPs.
    individuals, populations : sequence of str, length n_individuals
        Id and population of each individual (no whitespace).
    donors : sequence of str
        Populations that donate; every other population is a recipient.
    """
    h = np.asarray(haplotypes)
    n_ind = len(individuals)
    if h.shape[0] != 2 * n_ind or len(populations) != n_ind or h.shape[1] != len(positions):
        raise GenosynthError(
            f"{n_ind} individuals, {len(populations)} populations and {len(positions)} "
            f"positions do not fit haplotypes of shape {h.shape}"
        )
    rates = recombination_rates(positions, cm)
    rows = (h.astype(np.uint8) + np.uint8(ord("0"))).view(f"S{h.shape[1]}").ravel()
    phase = f"{h.shape[0]}\n{h.shape[1]}\nP {' '.join(str(int(p)) for p in positions)}\n"
    phase += "".join(r.decode() + "\n" for r in rows) if h.shape[1] else ""
    recomb = "start.pos recom.rate.perbp\n" + "".join(
        f"{int(p)} {r:.10g}\n" for p, r in zip(positions, rates, strict=True)
    )
    ids = "".join(f"{i} {p} 1\n" for i, p in zip(individuals, populations, strict=True))
    order = list(dict.fromkeys(populations))
    poplist = "".join(f"{p} {'D' if p in set(donors) else 'R'}\n" for p in order)
    texts = {"phase": phase, "recomb": recomb, "ids": ids, "poplist": poplist}
    keys = list(texts)
    with atomic_paths(*(paths[k] for k in keys)) as temps:
        for key, tmp in zip(keys, temps, strict=True):
            tmp.write_text(texts[key])


def read_phase(path) -> tuple[np.ndarray, np.ndarray]:
    """Read a ChromoPainter v2 ``.phase`` file.

    Returns
    -------
    haplotypes : numpy.ndarray, int8, shape (n_haplotypes, n_sites)
    positions : numpy.ndarray, int64, shape (n_sites,)
    """
    lines = read_text_bytes(path).decode().splitlines()
    if len(lines) < 3 or not lines[2].startswith("P"):
        raise InputError(path, "expected 'n_haplotypes', 'n_sites', 'P positions' lines")
    n_hap, n_sites = int(lines[0]), int(lines[1])
    positions = np.array(lines[2].split()[1:], dtype=np.int64)
    body = [ln.strip() for ln in lines[3:] if ln.strip()]
    if len(body) != n_hap or len(positions) != n_sites or any(len(b) != n_sites for b in body):
        raise InputError(path, f"header says {n_hap} x {n_sites}; body does not match")
    raw = np.frombuffer("".join(body).encode(), dtype=np.uint8).reshape(n_hap, n_sites)
    return (raw - ord("0")).astype(np.int8), positions


def read_recomb(path) -> pd.DataFrame:
    """Read a ``.recomb`` file: columns ``position`` (int64) and ``rate`` (float64)."""
    frame = pd.read_csv(io.BytesIO(read_text_bytes(path)), sep=r"\s+")
    frame.columns = ["position", "rate"]
    return frame.astype({"position": np.int64, "rate": np.float64})


def read_chunkcounts(path) -> pd.DataFrame:
    """Read ChromoPainter's ``*.chunkcounts.out``: one row per recipient, one column per donor.

    Lines starting with ``#`` are skipped; the first other line is the header
    ``Recipient <donor populations...>``.

    Returns
    -------
    pandas.DataFrame
        Index: recipient individual; columns: donor populations (float64).
    """
    text = "\n".join(
        ln for ln in read_text_bytes(path).decode().splitlines() if not ln.startswith("#")
    )
    frame = pd.read_csv(io.StringIO(text), sep=r"\s+")
    if frame.shape[1] < 2:
        raise InputError(path, "no donor columns in the chunk counts")
    return frame.set_index(frame.columns[0]).astype(np.float64)
