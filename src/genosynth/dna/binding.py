"""Binding data in its published layouts: two-file SELEX, scored FASTA, peak regions.

Each reader returns base codes ``uint8 (n, length)`` (:mod:`genosynth.dna.sequences`) and
values ``float64 (n,)``; bad input raises :class:`~genosynth.errors.InputError` naming the
file, the line, the record and the fix.

* **SELEX** (:func:`read_selex`): a sequences file and a values file (either gzipped), each
  with an optional header line. Matched ``by line`` (line i of one is line i of the other;
  the last field of a line is the sequence or the value) or ``by id`` (lines ``id sequence``
  and ``id value``, in any order).
* **Scored FASTA** (:func:`read_scored_fasta`): the score in the header, as
  ``>id score=1.23`` (a ``score=`` field anywhere after the id) or ``>id 1.23`` (the field
  after the id is a number).
* **Regions** (:func:`region_windows`): BED (``chrom start end [name score strand]``,
  0-based half-open) or ENCODE narrowPeak (BED6+4; column 10 the summit offset, -1 for
  none) with the genome FASTA: the positive is the window of the probe length centred on the
  summit (narrowPeak) or the region's middle, reverse-complemented on ``-`` strands; the
  ``flank`` negative is the window of the same length one probe length beyond the region's
  start (else beyond its end) that overlaps no region.
* **Transforms** (:func:`transform_values`): ``none``, ``log2`` (values > 0) or ``log1p``
  (values > -1).
"""

from __future__ import annotations

import logging
import os
import re

import numpy as np
import pandas as pd

from genosynth.dna import sequences as seqs
from genosynth.errors import InputError
from genosynth.fileio import open_text

__all__ = [
    "REGION_FORMATS",
    "TRANSFORMS",
    "read_regions",
    "read_scored_fasta",
    "read_selex",
    "region_windows",
    "transform_values",
]

TRANSFORMS = ("none", "log2", "log1p")
REGION_FORMATS = ("bed", "narrowpeak")
_SCORE_FIELD = re.compile(r"^score=(?P<value>\S+)$")
log = logging.getLogger(__name__)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def _data_lines(path, *, is_header) -> list[tuple[int, list[str]]]:
    """``(line number, fields)`` of the non-blank lines, the first left out if a header."""
    if not os.path.exists(path):
        raise InputError(path, "binding file not found", fix="check the path in dna.binding_sets")
    with open_text(path) as fh:
        rows = [(i, line.split()) for i, line in enumerate(fh, start=1) if line.strip()]
    if rows and is_header(rows[0][1]):
        rows = rows[1:]
    if not rows:
        raise InputError(path, "no data lines", fix="give a file with one record per line")
    return rows


def _encode_rows(path, lines: list[int], sequences: list[str]) -> np.ndarray:
    """Codes of sequences read on ``lines``; an error names the sequence's own line."""
    try:
        return seqs.encode(sequences, path=path)
    except InputError as err:
        line = lines[err.line - 1] if err.line else None
        raise InputError(path, err.problem, line=line, record=err.record, fix=err.fix) from None


def read_selex(seq_path, values_path, *, match: str = "line") -> tuple[np.ndarray, np.ndarray]:
    """Sequences and values of a two-file SELEX set.

    Parameters
    ----------
    seq_path, values_path : path
        Sequences and values (relative affinity, enrichment...); a first line that is not a
        sequence (values: not a number) is a header.
    match : {"line", "id"}
        ``line``: the files have equally many data lines, in the same order; ``id``: the first
        field of each line is an id, every sequence id must have a value.

    Returns
    -------
    codes : numpy.ndarray, uint8, shape (n, length)
    values : numpy.ndarray, float64, shape (n,)
    """
    seq_rows = _data_lines(seq_path, is_header=lambda f: not set(f[-1].upper()) <= set("ACGTN"))
    val_rows = _data_lines(values_path, is_header=lambda f: _number(f[-1]) is None)
    for lineno, fields in val_rows:
        if _number(fields[-1]) is None:
            raise InputError(
                values_path,
                f"value {fields[-1]!r} is not a number",
                line=lineno,
                record=" ".join(fields)[:80],
                fix="each line ends with a number (one header line allowed)",
            )
    if match == "line":
        if len(seq_rows) != len(val_rows):
            short, long_ = sorted([(len(seq_rows), seq_path), (len(val_rows), values_path)])
            extra = (seq_rows if long_[1] == seq_path else val_rows)[short[0]][0]
            raise InputError(
                long_[1],
                f"{long_[0]} data lines, but {short[1]} has {short[0]}",
                line=extra,
                fix="give files of equal length, or match: id with "
                "`id sequence` and `id value` lines",
            )
        values = [float(f[-1]) for _, f in val_rows]
    elif match == "id":
        by_id = {}
        for lineno, fields in val_rows:
            if len(fields) < 2 or fields[0] in by_id:
                why = "a line `id value`" if len(fields) < 2 else f"id {fields[0]!r} repeated"
                raise InputError(
                    values_path,
                    f"not {why}" if len(fields) < 2 else why,
                    line=lineno,
                    record=" ".join(fields)[:80],
                    fix="write one `id value` line per id",
                )
            by_id[fields[0]] = float(fields[-1])
        for lineno, fields in seq_rows:
            if fields[0] not in by_id:
                raise InputError(
                    seq_path,
                    f"id {fields[0]!r} has no value in {values_path}",
                    line=lineno,
                    record=" ".join(fields)[:80],
                    fix="add its value, or drop the sequence",
                )
        values = [by_id[f[0]] for _, f in seq_rows]
    else:
        raise InputError(values_path, f"unknown match {match!r}", fix="use line or id")
    codes = _encode_rows(seq_path, [n for n, _ in seq_rows], [f[-1] for _, f in seq_rows])
    return codes, np.asarray(values, dtype=np.float64)


def _header_score(path, lineno: int, header: str) -> float:
    fields = header[1:].split()
    for field in fields[1:]:
        match = _SCORE_FIELD.match(field)
        if match and _number(match["value"]) is not None:
            return _number(match["value"])
    if len(fields) > 1 and _number(fields[1]) is not None:
        return _number(fields[1])
    raise InputError(
        path,
        "no score in the header",
        line=lineno,
        record=header[:80],
        fix="write the score after the id: `>id score=1.23` or `>id 1.23`",
    )


def read_scored_fasta(path) -> tuple[np.ndarray, np.ndarray]:
    """Sequences of a FASTA file and the scores in their headers.

    Returns
    -------
    codes : numpy.ndarray, uint8, shape (n, length)
    values : numpy.ndarray, float64, shape (n,)
    """
    if not os.path.exists(path):
        raise InputError(path, "binding FASTA not found", fix="check dna.binding_sets.<set>.path")
    lines, scores, records = [], [], []
    with open_text(path) as fh:
        for lineno, line in enumerate(fh, start=1):
            line = line.strip()
            if line.startswith(">"):
                lines.append(lineno)
                scores.append(_header_score(path, lineno, line))
                records.append([])
            elif line:
                if not records:
                    raise InputError(
                        path,
                        "sequence before the first header",
                        line=lineno,
                        record=line[:80],
                        fix="start with a `>id score` line",
                    )
                records[-1].append(line)
    if not records:
        raise InputError(path, "no FASTA records", fix="give `>id score=1.23` records")
    codes = _encode_rows(path, lines, ["".join(r) for r in records])
    return codes, np.asarray(scores, dtype=np.float64)


def transform_values(values: np.ndarray, transform: str, *, path) -> np.ndarray:
    """``values`` transformed: ``none``, ``log2`` or ``log1p`` (float64, same shape).

    Raises
    ------
    InputError
        Naming the file and the first value outside the transform's domain.
    """
    values = np.asarray(values, dtype=np.float64)
    if transform == "none":
        return values
    if transform not in TRANSFORMS:
        raise InputError(path, f"unknown transform {transform!r}", fix=f"use one of {TRANSFORMS}")
    low = 0.0 if transform == "log2" else -1.0
    bad = np.flatnonzero(values <= low)
    if len(bad):
        raise InputError(
            path,
            f"{len(bad)} values <= {low:g} have no {transform} (the first is record "
            f"{bad[0] + 1}: {values[bad[0]]:g})",
            record=f"record {bad[0] + 1}",
            fix="use transform: none (or log1p for values > -1), or remove those records",
        )
    return np.log2(values) if transform == "log2" else np.log1p(values)


def read_regions(path, fmt: str) -> pd.DataFrame:
    """Regions of a BED or narrowPeak file.

    Returns
    -------
    pandas.DataFrame
        ``chrom`` (no ``chr``), ``start``, ``end``, ``centre`` (int64, 0-based),
        ``strand`` and ``line`` (the file line), in file order.
    """
    if fmt not in REGION_FORMATS:
        raise InputError(path, f"unknown region format {fmt!r}", fix=f"use {REGION_FORMATS}")
    if not os.path.exists(path):
        raise InputError(path, "region file not found", fix="check dna.binding_sets.<set>.path")
    rows = []
    with open_text(path) as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip() or line.startswith(("#", "track", "browser")):
                continue
            f = line.rstrip("\n").split("\t")
            try:
                start, end = int(f[1]), int(f[2])
                summit = int(f[9]) if fmt == "narrowpeak" else -1
                if not 0 <= start < end:
                    raise ValueError("start must be >= 0 and below end")
            except (IndexError, ValueError) as exc:
                need = "10 tab-separated columns" if fmt == "narrowpeak" else "chrom start end"
                raise InputError(
                    path,
                    f"not a {fmt} record ({exc})",
                    line=lineno,
                    record=line.strip()[:80],
                    fix=f"give {need} (0-based start) or set the format",
                ) from None
            centre = start + summit if summit >= 0 else (start + end) // 2
            strand = f[5] if len(f) > 5 and f[5] in "+-." else "."
            rows.append((seqs._chrom_key(f[0]), start, end, centre, strand, lineno))
    if not rows:
        raise InputError(path, "no regions", fix="give one region per line")
    columns = ["chrom", "start", "end", "centre", "strand", "line"]
    return pd.DataFrame(rows, columns=columns)


def _window(seq: str, lo: int, length: int) -> np.ndarray | None:
    """Codes of ``seq[lo:lo+length]``, or None off the record or holding N."""
    if lo < 0 or lo + length > len(seq):
        return None
    piece = seqs._LOOKUP[np.frombuffer(seq[lo : lo + length].encode("ascii", "replace"), np.uint8)]
    return None if (piece == 255).any() else piece


def _free(regions: pd.DataFrame, lo: int, hi: int) -> bool:
    return not ((regions["start"] < hi) & (regions["end"] > lo)).any()


def region_windows(
    genome, regions: pd.DataFrame, *, length: int, path, flank: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Centred windows of ``regions`` (positives) and, with ``flank``, flanking negatives.

    Parameters
    ----------
    genome : iterable of (str, int, str)
        Records as :func:`genosynth.dna.sequences.read_genome` yields them.
    regions : pandas.DataFrame
        :func:`read_regions` output.
    length : int
        Window (probe) length.
    path : path
        The region file, named in the error when no window is left.
    flank : bool
        Also return one flanking window per region (see the module docstring).

    Returns
    -------
    positives, negatives : numpy.ndarray, uint8, shape (n, length) and (m, length)
        Regions off every record, off its end or holding N are left out (logged).
    """
    pos, neg = [], []
    for chrom, offset, seq in genome:
        hits = regions[regions["chrom"] == chrom]
        for row in hits.itertuples(index=False):
            piece = _window(seq, row.centre - length // 2 - offset, length)
            if piece is None:
                continue
            pos.append(seqs.reverse_complement(piece) if row.strand == "-" else piece)
            if not flank:
                continue
            for lo in (row.start - 2 * length, row.end + length):
                other = _window(seq, lo - offset, length)
                if other is not None and _free(hits, lo, lo + length):
                    neg.append(seqs.reverse_complement(other) if row.strand == "-" else other)
                    break
    if not pos:
        raise InputError(
            path,
            f"none of {len(regions)} regions has an N-free {length}-nt window "
            "inside the genome FASTA",
            line=int(regions["line"].iloc[0]),
            fix="check that regions and genome are of one build and chromosome names",
        )
    log.info(
        "%s: %d of %d regions give windows, %d flanking negatives",
        path,
        len(pos),
        len(regions),
        len(neg),
    )
    empty = np.zeros((0, length), np.uint8)
    return np.stack(pos), (np.stack(neg) if neg else empty)
