"""DNA sequences as arrays: coding, FASTA and annotation input, k-mers and exon windows.

Sequences are stored as ``uint8`` base codes ``(n, length)`` with ``A=0, C=1, G=2, T=3``
(:data:`ALPHABET`) and fed to networks one-hot, ``float32 (n, length, 4)``. The
complement of code ``b`` is ``3 - b``.

FASTA records may name a segment of a chromosome as ``chrom:start-end`` (1-based,
inclusive, as samtools writes them, e.g. ``22:20000001-21000000``): annotation
coordinates (always chromosome coordinates) are then shifted onto the record. Chromosome
names are compared without a leading ``chr``.

FASTA sequences are read in either case. ``N`` and the IUPAC ambiguity codes (``R Y S W K
M B D H V``) are unknown bases: k-mers and windows holding one are left out, and a record
with ambiguity codes other than ``N`` is logged with their count. Any other character
(digits, punctuation, spaces, ``X``, ``U``...) is refused, naming the file, line and record.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator

import numpy as np
import pandas as pd

from genosynth.errors import InputError
from genosynth.fileio import open_text

__all__ = [
    "ALPHABET",
    "ANNOTATION_FORMATS",
    "decode",
    "encode",
    "exon_windows",
    "one_hot",
    "read_annotation",
    "read_binding_table",
    "read_genome",
    "reverse_complement",
    "shuffle_bases",
    "split_indices",
    "tile_kmers",
]

ALPHABET = "ACGT"
ANNOTATION_FORMATS = ("auto", "gtf", "gff", "bed", "gencode")
BINDING_FORMATS = ("tsv", "gcpbm", "deepbind")
_LOOKUP = np.full(256, 255, dtype=np.uint8)
for _i, _b in enumerate(ALPHABET):
    _LOOKUP[ord(_b)] = _i
    _LOOKUP[ord(_b.lower())] = _i
_REGION = re.compile(r"^(?P<chrom>[^:\s]+):(?P<start>\d+)-(?P<end>\d+)$")
IUPAC_AMBIGUOUS = "RYSWKMBDHV"
"""IUPAC nucleotide codes of two or more bases; read as unknown, like ``N``."""
_BASE, _UNKNOWN, _AMBIGUOUS, _JUNK = 0, 1, 2, 3
_KIND = np.full(256, _JUNK, dtype=np.uint8)  # kind of each (upper-case) FASTA character
_KIND[np.frombuffer(ALPHABET.encode(), np.uint8)] = _BASE
_KIND[ord("N")] = _UNKNOWN
_KIND[np.frombuffer(IUPAC_AMBIGUOUS.encode(), np.uint8)] = _AMBIGUOUS
log = logging.getLogger(__name__)


def encode(seqs, *, path: str | os.PathLike = "<sequences>") -> np.ndarray:
    """Base codes of equal-length sequences.

    Parameters
    ----------
    seqs : sequence of str
        Strings over ``ACGT`` (either case), all of one length.
    path : path, optional
        Named in the error for a bad sequence.

    Returns
    -------
    numpy.ndarray, uint8, shape (n, length)
        Codes ``A=0, C=1, G=2, T=3``.

    Raises
    ------
    InputError
        For a character outside ``ACGTacgt`` or a sequence of another length.
    """
    seqs = list(seqs)
    if not seqs:
        return np.zeros((0, 0), dtype=np.uint8)
    length = len(seqs[0])
    for i, s in enumerate(seqs):
        if len(s) != length:
            raise InputError(
                path, f"sequence of length {len(s)}, expected {length}", line=i + 1, record=s[:60]
            )
    raw = np.frombuffer("".join(seqs).encode("ascii", "replace"), dtype=np.uint8)
    codes = _LOOKUP[raw].reshape(len(seqs), length)
    bad = np.argwhere(codes == 255)
    if len(bad):
        row = int(bad[0, 0])
        raise InputError(
            path,
            f"character {seqs[row][bad[0, 1]]!r} is not one of ACGT",
            line=row + 1,
            record=seqs[row][:60],
            fix="remove sequences with N or other IUPAC codes",
        )
    return codes


def decode(codes: np.ndarray) -> list[str]:
    """Strings of base codes ``(n, length)`` (the inverse of :func:`encode`)."""
    letters = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)[np.asarray(codes)]
    return [row.tobytes().decode() for row in np.atleast_2d(letters)]


def one_hot(codes: np.ndarray) -> np.ndarray:
    """One-hot coding: ``float32 (n, length, 4)`` of ``uint8 (n, length)`` codes."""
    return np.eye(4, dtype=np.float32)[np.asarray(codes, dtype=np.intp)]


def reverse_complement(codes: np.ndarray) -> np.ndarray:
    """Reverse complements of codes ``(..., length)`` (same dtype and shape)."""
    return (3 - np.asarray(codes))[..., ::-1].astype(np.asarray(codes).dtype)


def shuffle_bases(codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each row's bases permuted (composition-preserving negatives)."""
    order = np.argsort(rng.random(codes.shape), axis=1)
    return np.take_along_axis(codes, order, axis=1)


def split_indices(n: int, fractions, *, seed) -> list[np.ndarray]:
    """Random disjoint index sets of sizes proportional to ``fractions``.

    Parameters
    ----------
    n : int
        Number of items.
    fractions : sequence of float
        Shares summing to 1 (e.g. ``[0.8, 0.1, 0.1]``); the last part takes the rounding rest.
    seed : int or numpy.random.Generator

    Returns
    -------
    list of numpy.ndarray, int64
        One sorted index array per fraction.
    """
    perm = np.random.default_rng(seed).permutation(n)
    bounds = np.round(np.cumsum(fractions)[:-1] * n).astype(int)
    return [np.sort(part) for part in np.split(perm, bounds)]


# --- genome -----------------------------------------------------------------------------
def _chrom_key(name: str) -> str:
    return name[3:] if name.lower().startswith("chr") else name


def read_genome(path: str | os.PathLike) -> Iterator[tuple[str, int, str]]:
    """Records of a (gzipped) FASTA file as ``(chrom, offset, sequence)``.

    Parameters
    ----------
    path : path
        FASTA, optionally gzip/bgzip-compressed.

    Yields
    ------
    (str, int, str)
        Chromosome name without ``chr``, 0-based chromosome position of the record's first
        base (nonzero for ``chrom:start-end`` records), upper-cased sequence. IUPAC
        ambiguity codes stay in it (callers treat them as ``N``); a record holding any is
        logged with their count.

    Raises
    ------
    InputError
        No file, no record, or a character that is neither a base nor an IUPAC code
        (naming the line, the record and the characters).
    """
    import pysam

    if not os.path.exists(path):
        raise InputError(path, "genome FASTA not found", fix="set dna.genome.fasta")
    n = 0
    with pysam.FastxFile(os.fspath(path)) as fh:
        try:
            for record in fh:
                n += 1
                match = _REGION.match(record.name)
                if match:
                    chrom, offset = match["chrom"], int(match["start"]) - 1
                else:
                    chrom, offset = record.name, 0
                sequence = record.sequence.upper()
                _check_bases(path, n, sequence)
                yield _chrom_key(chrom), offset, sequence
        except UnicodeDecodeError:  # pysam decodes as UTF-8
            raise _junk_error(path, n + 1) from None
    if n == 0:
        raise InputError(path, "no FASTA records", fix="give a FASTA file (>name lines)")


def _check_bases(path, number: int, sequence: str) -> None:
    """Refuse junk characters in record ``number`` (1-based); log its IUPAC codes."""
    raw = np.frombuffer(sequence.encode("ascii", "replace"), dtype=np.uint8)
    kind = _KIND[raw]
    if not (kind >= _AMBIGUOUS).any():
        return
    if (kind == _JUNK).any():
        raise _junk_error(path, number)
    codes, counts = np.unique(raw[kind == _AMBIGUOUS], return_counts=True)
    shown = ", ".join(f"{chr(c)} {k}" for c, k in zip(codes, counts, strict=True))
    name, line, _ = _find_characters(path, number, _AMBIGUOUS)
    log.warning("%s: record %s: %d IUPAC ambiguity codes (%s) read as N, the first on line %d",
                path, name, counts.sum(), shown, line)  # fmt: skip


def _junk_error(path, number: int) -> InputError:
    name, line, chars = _find_characters(path, number, _JUNK)
    return InputError(
        path,
        f"characters {', '.join(map(repr, chars))} are not DNA bases or IUPAC codes",
        line=line,
        record=name,
        fix="a sequence line holds only A, C, G, T, N or IUPAC codes (either case): "
        "remove the other characters or export the FASTA again",
    )


def _find_characters(path, number: int, kind: int) -> tuple[str, int, list[str]]:
    """Name of record ``number``, its first line holding a character of ``kind``, and those."""
    name, line_no, first, found, record = "", 0, None, {}, 0
    with open_text(path, encoding="utf-8", errors="replace") as fh:
        for line_no, line in enumerate(fh, start=1):
            if line.startswith(">"):
                record += 1
                if record > number:
                    break
                name = line[1:].split(maxsplit=1)[0] if line[1:].strip() else ""
                continue
            if record != number:
                continue
            for ch in line.rstrip("\r\n"):
                code = ord(ch.upper()) if ord(ch) < 128 else ord("?")
                if _KIND[code] == kind:
                    first = line_no if first is None else first
                    found.setdefault(ch, None)
    return name, (first or line_no), list(found)


def tile_kmers(sequence: str, k: int) -> np.ndarray:
    """Non-overlapping ``k``-mers of ``sequence`` without N (or other non-ACGT letters).

    Returns
    -------
    numpy.ndarray, uint8, shape (n_kmers, k)
    """
    n = len(sequence) // k
    raw = np.frombuffer(sequence[: n * k].encode("ascii", "replace"), dtype=np.uint8)
    codes = _LOOKUP[raw].reshape(n, k)
    return codes[(codes != 255).all(axis=1)]


# --- annotation -------------------------------------------------------------------------
def _detect_format(path) -> str:
    name = os.fspath(path).lower().removesuffix(".gz")
    if name.endswith(".gtf"):
        return "gtf"
    if name.endswith((".gff", ".gff3")):
        return "gff"
    if name.endswith(".bed"):
        return "bed"
    with open_text(path) as fh:
        first = fh.readline()
    if first.startswith("#NAME"):
        return "gencode"
    raise InputError(
        path,
        "cannot tell the annotation format from the name or header",
        fix="set dna.genome.annotation_format to gtf, gff, bed or gencode",
    )


def read_annotation(path: str | os.PathLike, fmt: str = "auto") -> pd.DataFrame:
    """Exons of an annotation file as 0-based half-open intervals.

    Parameters
    ----------
    path : path
        GTF or GFF3 (rows with feature ``exon``; 1-based closed), BED (BED6 with strand;
        0-based half-open) or the GENCODE exon-list format (``#NAME CHROM STRAND TX_START
        TX_END EXON_START EXON_END``, comma-separated exon lists, 0-based starts and
        half-open ends, as SpliceAI ships it); optionally gzipped.
    fmt : {"auto", "gtf", "gff", "bed", "gencode"}
        ``auto`` decides by the file name, then by the header.

    Returns
    -------
    pandas.DataFrame
        Columns ``chrom`` (str, no ``chr``), ``start``, ``end`` (int64), ``strand`` (``+``/``-``),
        one row per distinct exon, sorted.
    """
    if not os.path.exists(path):
        raise InputError(path, "annotation file not found", fix="set dna.genome.annotation")
    fmt = _detect_format(path) if fmt == "auto" else fmt
    rows = []
    with open_text(path) as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip() or line.startswith(("#", "track", "browser")):
                continue
            f = line.rstrip("\n").split("\t")
            try:
                if fmt in ("gtf", "gff"):
                    if f[2] == "exon":
                        rows.append((f[0], int(f[3]) - 1, int(f[4]), f[6]))
                elif fmt == "bed":
                    rows.append((f[0], int(f[1]), int(f[2]), f[5]))
                elif fmt == "gencode":
                    starts = [int(v) for v in f[5].strip(",").split(",")]
                    ends = [int(v) for v in f[6].strip(",").split(",")]
                    if len(starts) != len(ends):
                        raise ValueError("exon start and end lists differ in length")
                    rows += [(f[1], s, e, f[2]) for s, e in zip(starts, ends, strict=True)]
                else:
                    raise InputError(path, f"unknown annotation format {fmt!r}")
            except (IndexError, ValueError) as exc:
                raise InputError(
                    path,
                    f"not a {fmt} exon record ({exc})",
                    line=lineno,
                    record=line.strip()[:80],
                    fix="check dna.genome.annotation_format",
                ) from None
            if rows and rows[-1][3] not in ("+", "-"):
                raise InputError(
                    path, "strand must be + or -", line=lineno, record=line.strip()[:80]
                )
    frame = pd.DataFrame(rows, columns=["chrom", "start", "end", "strand"])
    frame["chrom"] = frame["chrom"].astype(str).map(_chrom_key)
    frame = frame.drop_duplicates().sort_values(["chrom", "start", "end", "strand"])
    return frame.reset_index(drop=True).astype({"start": np.int64, "end": np.int64})


def exon_windows(
    genome,
    exons: pd.DataFrame,
    *,
    window: int,
    min_exon: int,
    max_exon: int,
    min_flank: int,
    report: dict | None = None,
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Exon-centred windows and their 0/1 exon tracks, on the exon's strand.

    An exon of length ``m`` in ``[min_exon, max_exon]`` is placed in a ``window``-nt window
    starting ``(window - m) // 2`` nt upstream of it (in transcript orientation); it is kept
    when both flanks are at least ``min_flank`` nt, the window lies inside a genome record and
    holds no N (nor IUPAC ambiguity code). Minus-strand windows are reverse-complemented (the
    track reversed), so every window reads 5' to 3' on the transcript.

    Parameters
    ----------
    genome : iterable of (str, int, str)
        Records as :func:`read_genome` yields them.
    exons : pandas.DataFrame
        :func:`read_annotation` output.
    window, min_exon, max_exon, min_flank : int
    report : dict, optional
        Filled with what became of the exons: ``exons`` (of a length in range), ``kept``,
        and those left out because ``no_record`` (no record of their chromosome),
        ``flank`` (a flank shorter than ``min_flank``), ``edge`` (the window crosses a
        record's end) or ``unknown_bases`` (the window holds N or an IUPAC code).

    Returns
    -------
    codes : numpy.ndarray, uint8, shape (n_windows, window)
    track : numpy.ndarray, int8, shape (n_windows, window)
        1 on the exon, 0 elsewhere.
    table : pandas.DataFrame
        ``chrom start end strand`` of each kept exon (chromosome coordinates).
    """
    length = exons["end"] - exons["start"]
    exons = exons[(length >= min_exon) & (length <= max_exon)]
    counts = dict.fromkeys(("flank", "edge", "unknown_bases"), 0)
    codes, tracks, kept = [], [], []
    for chrom, offset, seq in genome:
        hits = exons[exons["chrom"] == chrom]
        for row in hits.itertuples(index=False):
            m = row.end - row.start
            up = (window - m) // 2 if row.strand == "+" else window - m - (window - m) // 2
            lo = row.start - up - offset
            hi = lo + window
            if min(up, window - m - up) < min_flank:
                counts["flank"] += 1
                continue
            if lo < 0 or hi > len(seq):
                counts["edge"] += 1
                continue
            piece = _LOOKUP[np.frombuffer(seq[lo:hi].encode("ascii", "replace"), dtype=np.uint8)]
            if (piece == 255).any():
                counts["unknown_bases"] += 1
                continue
            track = np.zeros(window, dtype=np.int8)
            track[up : up + m] = 1
            if row.strand == "-":
                piece, track = reverse_complement(piece), track[::-1]
            codes.append(piece)
            tracks.append(track)
            kept.append(row)
    if report is not None:
        seen = sum(counts.values()) + len(kept)
        report.update(exons=len(exons), kept=len(kept), no_record=len(exons) - seen, **counts)
    table = pd.DataFrame(kept, columns=["chrom", "start", "end", "strand"])
    if not codes:
        return np.zeros((0, window), np.uint8), np.zeros((0, window), np.int8), table
    return np.stack(codes), np.stack(tracks).astype(np.int8), table


# --- binding tables ---------------------------------------------------------------------
def read_binding_table(
    path: str | os.PathLike, fmt: str, *, column: str = "score"
) -> tuple[np.ndarray, np.ndarray]:
    """Sequences and measured binding of one table.

    Parameters
    ----------
    path : path
        ``tsv``: tab-separated, a header naming a ``sequence`` column and the ``column`` of
        values (other columns ignored); ``gcpbm``: whitespace-separated
        ``log_signal sequence`` rows (the gcPBM layout of DNAshapeR); ``deepbind``: the DeepBind
        ENCODE ChIP-seq layout ``FoldID EventID seq Bound``.
    fmt : {"tsv", "gcpbm", "deepbind"}
    column : str
        Score column of a ``tsv`` table.

    Returns
    -------
    codes : numpy.ndarray, uint8, shape (n, length)
    values : numpy.ndarray, float64, shape (n,)
        Signal, affinity, or 0/1 bound label.
    """
    if not os.path.exists(path):
        raise InputError(path, "binding table not found", fix="set dna.binding_sets.<set>.path")
    if fmt == "gcpbm":
        frame = pd.read_csv(path, sep=r"\s+", header=None, names=["score", "sequence"])
    elif fmt == "deepbind":
        frame = pd.read_csv(path, sep="\t").rename(columns={"seq": "sequence", "Bound": "score"})
    elif fmt == "tsv":
        frame = pd.read_csv(path, sep="\t")
        _check_tsv_columns(path, frame, column)
        frame = frame.rename(columns={column: "score"})
    else:
        raise InputError(path, f"unknown binding format {fmt!r}", fix=f"use {BINDING_FORMATS}")
    missing = {"sequence", "score"} - set(frame.columns)
    if missing:
        raise InputError(
            path,
            f"no column(s) {sorted(missing)} for format {fmt}",
            line=1,
            fix="check dna.binding_sets.<set>.format and column",
        )
    values = pd.to_numeric(frame["score"], errors="coerce").to_numpy(np.float64)
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad):
        raise InputError(
            path,
            "score is not a number",
            line=int(bad[0]) + (2 if fmt != "gcpbm" else 1),
            record=str(frame["score"].iloc[bad[0]]),
        )
    return encode(frame["sequence"].astype(str).tolist(), path=path), values


def _check_tsv_columns(path, frame: pd.DataFrame, column: str) -> None:
    """Refuse a TSV table without ``sequence`` or ``column``, naming the columns found."""
    missing = [c for c in ("sequence", column) if c not in frame.columns]
    if missing:
        found = ", ".join(map(repr, map(str, frame.columns)))
        raise InputError(
            path,
            f"no column {' or '.join(map(repr, missing))} in the header; columns found: {found}",
            line=1,
            record=found[:80],
            fix="set dna.binding_sets.<set>.column to the values column, and name the "
            "sequences column `sequence` (a tab-separated header line)",
        )
