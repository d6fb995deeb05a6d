"""Readers and writers of the file formats genosynth exchanges with other tools.

Formats
-------
* **Panel** (1000 Genomes ``integrated_call_samples_v3...panel``): a header
  ``sample pop super_pop gender`` then one individual per line, tab or
  whitespace separated. A per-haplotype label file with the columns
  ``hap_id individual superpop ...`` is accepted too.
* **Legend** (IMPUTE style): a header ``id position a0 a1`` then one site per
  line, space separated, in the column order of the haplotype matrix. Ids of
  the form ``chrom:pos...`` carry the chromosome; where any id does not (rsIDs
  kept from a VCF), a fifth column ``chrom`` holds it.
* **hapt** (the artificial-genomes paper's format): one haplotype per line,
  ``<tag> <hap_id> a1 a2 ...`` space separated, with ``tag`` ``Real`` or ``AG``,
  ``hap_id`` ``<sample>_A`` / ``<sample>_B`` and alleles 0 (legend ``a0``) or
  1 (legend ``a1``). Plain or gzipped.
* **VCF**: bgzipped VCFv4.2 with a tabix index, genotypes only (``GT``).

Every reader raises :class:`~genosynth.errors.InputError` naming the file, the
1-based line, the offending record and a fix. Every writer is atomic (see
:mod:`genosynth.fileio`). Parsing and writing of allele matrices is vectorised
with numpy, so the 5008 x 10000 sets take seconds.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pysam

from genosynth.data import SAMPLE_COLUMNS, SITE_COLUMNS, HaplotypeSet
from genosynth.errors import ConfigError, GenosynthError, InputError
from genosynth.fileio import atomic_path, atomic_paths, write_gzip

__all__ = [
    "PANEL_COLUMNS",
    "check_policy",
    "join_panel",
    "read_hapt",
    "read_hapt_report",
    "read_legend",
    "read_panel",
    "read_text_bytes",
    "sample_of_hap_id",
    "site_columns",
    "site_order",
    "write_hapt",
    "write_legend",
    "write_vcf",
]

PANEL_COLUMNS = ["sample", "pop", "super_pop"]
LEGEND_HEADER = "id position a0 a1"
_CHROM_IN_ID = re.compile(r"^([^:\s]+):\d+")
_POLICY_VALUES = ("drop", "fail")


# ---------------------------------------------------------------------------
# small shared helpers


def read_text_bytes(path: str | os.PathLike) -> bytes:
    """Return the whole (decompressed) content of a plain or gzipped file.

    Parameters
    ----------
    path : str or os.PathLike
        A text file, optionally gzip or bgzip compressed (detected from the
        content, not the name).

    Returns
    -------
    bytes

    Raises
    ------
    InputError
        If the file is missing or is a corrupt gzip stream.
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            magic = fh.read(2)
            fh.seek(0)
            if magic != b"\x1f\x8b":
                return fh.read()
            with gzip.GzipFile(fileobj=fh) as gz:
                return gz.read()
    except FileNotFoundError:
        raise InputError(path, "file not found", fix="check the path") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(
            path, f"cannot decompress ({exc})", fix="re-create or re-download the file"
        ) from None


def check_policy(name: str, value: str) -> str:
    """Return ``value`` if it is a valid policy ("drop" or "fail").

    Raises
    ------
    ConfigError
        Naming the policy ``name``.
    """
    if value not in _POLICY_VALUES:
        raise ConfigError(name, f"policy must be 'drop' or 'fail', got {value!r}")
    return value


def sample_of_hap_id(hap_id: str) -> str:
    """Return the individual of a haplotype id (``HG00096_A`` -> ``HG00096``).

    Ids without a ``_A`` / ``_B`` suffix are their own individual.
    """
    if hap_id.endswith(("_A", "_B")) and len(hap_id) > 2:
        return hap_id[:-2]
    return hap_id


def _split_lines(data: bytes) -> list[tuple[int, bytes]]:
    """Return ``(1-based line number, stripped line)`` for the non-blank lines."""
    return [(i, ln.strip()) for i, ln in enumerate(data.split(b"\n"), 1) if ln.strip()]


def _decode(path, line_no: int, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(path, "line is not valid UTF-8 text", line=line_no) from None


def _require_01(values: np.ndarray, name: str) -> None:
    """Raise GenosynthError unless ``values`` only holds 0 and 1."""
    if values.dtype == bool or values.size == 0:
        return
    if not np.issubdtype(values.dtype, np.number) or values.min() < 0 or values.max() > 1:
        raise GenosynthError(f"{name} must only hold 0 and 1")


# ---------------------------------------------------------------------------
# panel


def _as_panel(panel) -> pd.DataFrame:
    """Return ``panel`` as a DataFrame, reading it first if it is a path."""
    if not isinstance(panel, pd.DataFrame):
        return read_panel(panel)
    missing = [c for c in PANEL_COLUMNS if c not in panel]
    if missing:
        raise GenosynthError(f"panel table lacks the columns {missing}")
    return panel.astype({c: object for c in PANEL_COLUMNS})


def read_panel(path: str | os.PathLike) -> pd.DataFrame:
    """Read a sample -> population table.

    Three layouts are accepted (tab or whitespace separated, trailing empty
    fields ignored):

    * the 1000 Genomes panel, header ``sample pop super_pop gender``;
    * any table whose first three columns are sample, population and
      super-population, with or without a header starting with ``sample``;
    * a per-haplotype label file with the columns ``hap_id individual
      superpop ...`` (two rows per individual); then ``pop`` and
      ``super_pop`` are both ``superpop``, and ``NA`` stays the string "NA".

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    pandas.DataFrame
        Columns ``sample``, ``pop``, ``super_pop`` (str), one row per
        individual, in file order.

    Raises
    ------
    InputError
        Empty file, a line with fewer than three fields, a duplicate sample
        (or hap_id), or one individual with two different labels.
    """
    lines = _split_lines(read_text_bytes(path))
    if not lines:
        raise InputError(path, "panel file is empty", fix="give a sample/pop/super_pop table")
    header = _decode(path, *lines[0]).split()
    first = header[0].lower()
    if first == "hap_id":
        return _read_label_rows(path, header, lines[1:])
    body = lines[1:] if first == "sample" else lines
    return _read_panel_rows(path, body)


def _panel_fields(path, line_no: int, raw: bytes, n: int) -> list[str]:
    fields = _decode(path, line_no, raw).split()
    if len(fields) < n:
        raise InputError(
            path,
            f"expected at least {n} fields, found {len(fields)}",
            line=line_no,
            record=raw.decode("utf-8", "replace")[:80],
            fix="use tab- or space-separated columns sample, pop, super_pop",
        )
    return fields


def _read_panel_rows(path, body) -> pd.DataFrame:
    rows, seen = [], {}
    for line_no, raw in body:
        sample, pop, super_pop = _panel_fields(path, line_no, raw, 3)[:3]
        if sample in seen:
            raise InputError(
                path,
                f"duplicate sample (first seen on line {seen[sample]})",
                line=line_no,
                record=sample,
                fix="keep one row per sample",
            )
        seen[sample] = line_no
        rows.append((sample, pop, super_pop))
    return pd.DataFrame(rows, columns=PANEL_COLUMNS, dtype=object)


def _read_label_rows(path, header: list[str], body) -> pd.DataFrame:
    try:
        i_ind, i_sup = header.index("individual"), header.index("superpop")
    except ValueError:
        raise InputError(
            path,
            "label file header must name the columns hap_id, individual, superpop",
            line=1,
            record=" ".join(header),
        ) from None
    need = max(i_ind, i_sup) + 1
    labels, seen_hap = {}, {}
    for line_no, raw in body:
        fields = _panel_fields(path, line_no, raw, need)
        hap, ind, sup = fields[0], fields[i_ind], fields[i_sup]
        if hap in seen_hap:
            raise InputError(
                path,
                f"duplicate hap_id (first seen on line {seen_hap[hap]})",
                line=line_no,
                record=hap,
                fix="keep one row per haplotype",
            )
        seen_hap[hap] = line_no
        if labels.setdefault(ind, sup) != sup:
            raise InputError(
                path,
                f"individual labelled both {labels[ind]!r} and {sup!r}",
                line=line_no,
                record=ind,
                fix="give both haplotypes of an individual the same label",
            )
    rows = [(ind, sup, sup) for ind, sup in labels.items()]
    return pd.DataFrame(rows, columns=PANEL_COLUMNS, dtype=object)


def join_panel(
    samples,
    panel,
    *,
    unknown_samples: str = "fail",
    path: str | os.PathLike = "<samples>",
    lines=None,
) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Look up population labels of ``samples`` in ``panel``.

    Parameters
    ----------
    samples : sequence of str, length n
        Individual ids (repeated ids are fine, e.g. one per haplotype).
    panel : pandas.DataFrame or path or None
        As returned by :func:`read_panel`; None labels every sample "NA".
    unknown_samples : {"fail", "drop"}
        What to do with samples absent from the panel.
    path : str or os.PathLike
        The file ``samples`` came from, for error messages.
    lines : sequence of int, optional
        1-based line of each sample in ``path``, for error messages.

    Returns
    -------
    labels : pandas.DataFrame
        Columns ``pop``, ``super_pop`` for the kept samples, in order.
    keep : numpy.ndarray of bool, shape (n,)
        Which samples are kept.
    dropped : list of str
        The distinct unknown samples, in order of first appearance.

    Raises
    ------
    InputError
        Under ``unknown_samples="fail"``, naming the first unknown sample.
    """
    check_policy("unknown_samples", unknown_samples)
    samples = pd.Index(np.asarray(samples, dtype=object))
    if panel is None:
        na = np.full(len(samples), "NA", dtype=object)
        return pd.DataFrame({"pop": na, "super_pop": na}), np.ones(len(samples), bool), []
    table = _as_panel(panel).drop_duplicates("sample").set_index("sample")
    keep = samples.isin(table.index)
    if not keep.all():
        first = int(np.flatnonzero(~keep)[0])
        if unknown_samples == "fail":
            raise InputError(
                path,
                "sample is not in the population panel",
                line=None if lines is None else int(lines[first]),
                record=str(samples[first]),
                fix="add it to the panel or set unknown_samples: drop",
            )
    dropped = list(dict.fromkeys(samples[~keep]))
    labels = table.loc[samples[keep], ["pop", "super_pop"]].reset_index(drop=True)
    return labels, np.asarray(keep), dropped


# ---------------------------------------------------------------------------
# legend


def read_legend(path: str | os.PathLike) -> pd.DataFrame:
    """Read an IMPUTE-style legend.

    The first line is a header (``id position a0 a1``, extra columns are
    ignored); every other non-blank line is ``id position a0 a1 ...``.
    ``chrom`` is taken from ``id`` when it looks like ``chrom:pos...``
    (``15:27379578_C_A`` -> ``"15"``), else it is ``"NA"``.

    Parameters
    ----------
    path : str or os.PathLike
        Plain or gzipped legend.

    Returns
    -------
    pandas.DataFrame
        Columns ``chrom`` (str), ``position`` (int64), ``id``, ``a0``, ``a1``
        (str), one row per site in file order.

    Raises
    ------
    InputError
        Empty file, missing header, no sites, a line with fewer than four
        fields or a non-integer position.
    """
    return _read_legend_lines(path)[0]


def _read_legend_lines(path) -> tuple[pd.DataFrame, list[int]]:
    """:func:`read_legend` and the 1-based line of each site."""
    lines = _split_lines(read_text_bytes(path))
    if not lines:
        raise InputError(path, "legend file is empty", fix=f"write a header '{LEGEND_HEADER}'")
    header = _decode(path, *lines[0]).split()
    if len(header) < 4 or header[1].isdigit():
        raise InputError(
            path,
            "legend must start with a header line",
            line=lines[0][0],
            record=" ".join(header)[:80],
            fix=f"add the header '{LEGEND_HEADER}'",
        )
    if len(lines) == 1:
        raise InputError(path, "legend has a header but no sites", fix="add one line per site")
    at = header.index("chrom") if "chrom" in header[4:] else None
    sites = pd.DataFrame(
        [_legend_row(path, n, raw, at) for n, raw in lines[1:]], columns=SITE_COLUMNS
    ).astype({"position": np.int64})
    return sites, [n for n, _ in lines[1:]]


def _legend_row(path, line_no: int, raw: bytes, at: int | None) -> tuple[str, int, str, str, str]:
    """One site; ``chrom`` from column ``at`` when given (and present), else from the id."""
    fields = _decode(path, line_no, raw).split()
    record = " ".join(fields)[:80]
    if len(fields) < 4:
        raise InputError(
            path,
            f"legend line has {len(fields)} fields, expected 4 (id position a0 a1)",
            line=line_no,
            record=record,
            fix="give every site an id, a position and two alleles",
        )
    sid, pos, a0, a1 = fields[:4]
    if not pos.isdigit():
        raise InputError(
            path,
            f"position {pos!r} is not a non-negative integer",
            line=line_no,
            record=record,
            fix="use base-pair positions",
        )
    if at is not None and len(fields) > at:
        return (fields[at], int(pos), sid, a0, a1)
    match = _CHROM_IN_ID.match(sid)
    return (match.group(1) if match else "NA", int(pos), sid, a0, a1)


def write_legend(path: str | os.PathLike, sites: pd.DataFrame) -> None:
    """Write ``sites`` as an IMPUTE-style legend, atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Destination; gzipped when it ends in ``.gz``.
    sites : pandas.DataFrame
        Columns ``id``, ``position``, ``a0``, ``a1`` and optionally ``chrom``:
        written as a fifth column only when some id does not start with its
        ``chrom:`` (so that :func:`read_legend` recovers it either way).
    """
    pos = sites["position"].astype(np.int64).astype(str)
    body = sites["id"].astype(str) + " " + pos + " " + sites["a0"] + " " + sites["a1"]
    header = LEGEND_HEADER
    if "chrom" in sites and _chrom_not_in_ids(sites):
        header += " chrom"
        body = body + " " + sites["chrom"].astype(str)
    text = header + "\n" + "".join(s + "\n" for s in body)
    _write_bytes(path, text.encode())


def _chrom_not_in_ids(sites: pd.DataFrame) -> bool:
    """Whether some site's id does not give its chromosome (``chrom:pos...``)."""
    from_ids = sites["id"].astype(str).str.extract(_CHROM_IN_ID.pattern, expand=False)
    return bool((from_ids.fillna("NA") != sites["chrom"].astype(str)).any())


def _write_bytes(path: str | os.PathLike, data, compresslevel: int = 6) -> None:
    """Write ``data`` (bytes, or an iterable of bytes chunks) atomically, gzip-compressed
    when ``path`` ends in .gz."""
    with atomic_path(path) as tmp:
        if str(path).endswith(".gz"):
            write_gzip(tmp, data, compresslevel=compresslevel)
        elif isinstance(data, bytes | bytearray | memoryview):
            tmp.write_bytes(data)
        else:
            with open(tmp, "wb") as fh:
                for chunk in data:
                    fh.write(chunk)


def _check_unique_positions(path, sites: pd.DataFrame, line_nos: list[int]) -> None:
    """Refuse a legend that lists one chromosome position twice (ingestion).

    Two columns at one position would become two identical records of every VCF
    written from the data.
    """
    repeated = sites.duplicated(["chrom", "position"]).to_numpy()
    if not repeated.any():
        return
    second = int(np.flatnonzero(repeated)[0])
    chrom, pos = str(sites["chrom"][second]), int(sites["position"][second])
    same = (sites["chrom"] == chrom).to_numpy() & (sites["position"] == pos).to_numpy()
    first = int(np.flatnonzero(same)[0])
    where = f"{pos}" if chrom == "NA" else f"{chrom}:{pos}"
    raise InputError(
        path,
        f"duplicate position {where} (already on line {line_nos[first]})",
        line=line_nos[second],
        record=str(sites["id"][second]),
        fix="keep one site per position: remove the repeated legend line and its allele "
        "column from the .hapt file",
    )


# ---------------------------------------------------------------------------
# hapt


def read_hapt(
    path: str | os.PathLike,
    legend_path: str | os.PathLike,
    *,
    panel=None,
    unknown_samples: str = "fail",
) -> HaplotypeSet:
    """Read a ``.hapt`` file and its legend into a :class:`HaplotypeSet`.

    Parameters
    ----------
    path : str or os.PathLike
        The hapt file, plain or gzipped: ``<tag> <hap_id> a1 a2 ...`` per line.
    legend_path : str or os.PathLike
        Its legend (see :func:`read_legend`), one row per allele column.
    panel : pandas.DataFrame or str or os.PathLike, optional
        Population table (see :func:`read_panel`), joined on the sample
        (``hap_id`` without ``_A`` / ``_B``). Without it pop and super_pop
        are "NA".
    unknown_samples : {"fail", "drop"}
        Samples absent from ``panel``: raise, or drop their rows.

    Returns
    -------
    HaplotypeSet
        ``haplotypes`` int8 of shape (n_rows, n_legend_sites), rows in file
        order.

    Raises
    ------
    InputError
        See :func:`read_hapt_report`.
    """
    return read_hapt_report(path, legend_path, panel=panel, unknown_samples=unknown_samples)[0]


def read_hapt_report(
    path: str | os.PathLike,
    legend_path: str | os.PathLike,
    *,
    panel=None,
    unknown_samples: str = "fail",
) -> tuple[HaplotypeSet, dict]:
    """:func:`read_hapt`, also returning what was dropped.

    Returns
    -------
    hs : HaplotypeSet
    report : dict
        ``unknown_samples`` (individuals dropped), ``dropped_haplotypes``,
        ``kept_sites``, ``kept_samples`` (individuals), ``kept_haplotypes``.

    Raises
    ------
    InputError
        Empty file, a row with too few columns, a ragged row, a value other
        than 0/1 (naming the hap_id and the column), a duplicate hap_id,
        ``legend/hapt column mismatch``, a malformed legend, a legend listing
        one chromosome position twice, or an unknown
        sample under ``unknown_samples="fail"``.
    """
    check_policy("unknown_samples", unknown_samples)
    sites, legend_lines = _read_legend_lines(legend_path)
    _check_unique_positions(legend_path, sites, legend_lines)
    lines, hap_ids, haps = _parse_hapt(path, legend_path, len(sites))
    sample = [sample_of_hap_id(h) for h in hap_ids]
    labels, keep, dropped = join_panel(
        sample, panel, unknown_samples=unknown_samples, path=path, lines=lines
    )
    samples = pd.DataFrame(
        {
            "hap_id": np.asarray(hap_ids, dtype=object)[keep],
            "sample": np.asarray(sample, dtype=object)[keep],
            "pop": labels["pop"].to_numpy(object),
            "super_pop": labels["super_pop"].to_numpy(object),
        }
    )
    if not keep.any():
        raise InputError(
            path,
            "none of the samples is in the panel",
            record=sample[0],
            fix="check that the panel matches the sample ids",
        )
    if not keep.all():
        haps = np.ascontiguousarray(haps[keep])
    hs = HaplotypeSet(haps, sites, samples[SAMPLE_COLUMNS])
    report = {
        "unknown_samples": len(dropped),
        "dropped_haplotypes": int((~keep).sum()),
        "kept_sites": hs.n_sites,
        "kept_samples": int(samples["sample"].nunique()),
        "kept_haplotypes": hs.n_haplotypes,
    }
    return hs, report


def read_hapt_matrix(path: str | os.PathLike) -> tuple[list[str], np.ndarray]:
    """Read the ids and alleles of a ``.hapt(.gz)`` file, without a legend.

    For matrices whose columns are not one site each (the ``pheno`` dataset's
    genotype pairs + phenotype) and for AG files. An empty file gives no rows.

    Returns
    -------
    hap_ids : list of str, length n_rows
    matrix : numpy.ndarray, int8, shape (n_rows, n_columns)
        Values in {0, 1}; shape (0, 0) for an empty file.

    Raises
    ------
    InputError
        As :func:`read_hapt`, except for the legend checks.
    """
    _, hap_ids, haps = _parse_hapt(path, None, None)
    return hap_ids, haps


def _parse_hapt(path, legend_path, n_legend: int | None):
    """Return (line numbers, hap ids, int8 matrix) of a hapt file.

    ``n_legend`` None skips the legend check (the first row sets the width).
    """
    lines = _split_lines(read_text_bytes(path))
    if not lines and n_legend is None:
        return [], [], np.zeros((0, 0), dtype=np.int8)
    if not lines:
        raise InputError(path, "hapt file is empty", fix="give one haplotype per line")
    line_nos, hap_ids, rests = [], [], []
    for line_no, raw in lines:
        parts = raw.split(None, 2)
        if len(parts) < 3:
            raise InputError(
                path,
                f"expected '<tag> <hap_id> alleles...', found {len(parts)} fields",
                line=line_no,
                record=raw[:80].decode("utf-8", "replace"),
                fix="each line needs a tag (Real/AG), a hap_id and the alleles",
            )
        line_nos.append(line_no)
        hap_ids.append(_decode(path, line_no, parts[1]))
        rests.append(parts[2])
    _check_unique_hap_ids(path, line_nos, hap_ids)
    n_cols = len(rests[0].split())
    if n_legend is not None and n_cols != n_legend:
        raise InputError(
            path,
            f"legend/hapt column mismatch: {os.fspath(legend_path)} has {n_legend} sites "
            f"but {os.fspath(path)} has {n_cols} allele columns",
            line=line_nos[0],
            record=hap_ids[0],
            fix="use the legend written with this hapt file",
        )
    haps = _alleles_fast(rests, n_cols)
    if haps is None:
        haps = _alleles_slow(path, line_nos, hap_ids, rests, n_cols)
    else:
        _check_values(path, line_nos, hap_ids, haps)
        haps = haps.view(np.int8)
    return line_nos, hap_ids, haps


def _check_unique_hap_ids(path, line_nos, hap_ids) -> None:
    seen: dict[str, int] = {}
    for line_no, hap in zip(line_nos, hap_ids, strict=True):
        if hap in seen:
            raise InputError(
                path,
                f"duplicate hap_id (first seen on line {seen[hap]})",
                line=line_no,
                record=hap,
                fix="give every haplotype its own id",
            )
        seen[hap] = line_no


def _alleles_fast(rests: list[bytes], n_cols: int) -> np.ndarray | None:
    """Decode rows of single-character tokens split by one space, else None.

    Returns the raw byte values minus ``ord('0')`` (uint8 wrap-around for
    other characters), shape (n_rows, n_cols); values are checked later.
    """
    width = 2 * n_cols - 1
    if any(len(r) != width for r in rests):
        return None
    buf = np.frombuffer(b" ".join(rests) + b" ", dtype=np.uint8).reshape(len(rests), n_cols, 2)
    if not (buf[:, :, 1] == ord(" ")).all():
        return None
    return buf[:, :, 0] - np.uint8(ord("0"))


def _check_values(path, line_nos, hap_ids, codes: np.ndarray) -> None:
    """Raise on the first code that is not 0/1 (codes are byte - ord('0'))."""
    bad = codes > 1
    if not bad.any():
        return
    row, col = np.argwhere(bad)[0]
    value = chr((int(codes[row, col]) + ord("0")) % 256)
    _raise_value(path, line_nos[row], hap_ids[row], col, value)


def _raise_value(path, line_no, hap_id, col, value: str):
    raise InputError(
        path,
        f"allele value {value!r} in column {col + 3} (allele {col + 1}) of haplotype "
        f"{hap_id} is not 0 or 1",
        line=line_no,
        record=hap_id,
        fix="alleles must be coded 0 (a0/REF) or 1 (a1/ALT)",
    )


def _alleles_slow(path, line_nos, hap_ids, rests, n_cols: int) -> np.ndarray:
    """Token-by-token decoding with precise errors (irregular spacing)."""
    out = np.empty((len(rests), n_cols), dtype=np.int8)
    for i, rest in enumerate(rests):
        tokens = np.array(rest.split(), dtype=bytes)
        if tokens.size != n_cols:
            raise InputError(
                path,
                f"ragged row: {tokens.size} allele columns where the first row has {n_cols}",
                line=line_nos[i],
                record=hap_ids[i],
                fix="every haplotype needs one allele per legend site",
            )
        ones, zeros = tokens == b"1", tokens == b"0"
        bad = ~(ones | zeros)
        if bad.any():
            col = int(np.flatnonzero(bad)[0])
            _raise_value(path, line_nos[i], hap_ids[i], col, tokens[col].decode("utf-8", "replace"))
        out[i] = ones
    return out


#: Bytes of ``.hapt`` text built at once by :func:`write_hapt` (the rest is streamed).
_HAPT_CHUNK = 64 * 2**20


def _hapt_chunks(haps: np.ndarray, hap_ids: list[str], tag: str):
    """The ``.hapt`` text of ``haps`` in chunks of about :data:`_HAPT_CHUNK` bytes."""
    n, m = haps.shape
    step = max(1, _HAPT_CHUNK // max(1, 2 * m))
    for i0 in range(0, n, step):
        rows = haps[i0 : i0 + step]
        body = np.full((rows.shape[0], 2 * m), ord(" "), dtype=np.uint8)
        body[:, 0::2] = rows.astype(np.uint8) + np.uint8(ord("0"))
        body[:, -1] = ord("\n")
        parts = []
        for hap_id, row in zip(hap_ids[i0 : i0 + step], body, strict=True):
            parts.append(f"{tag} {hap_id} ".encode())
            parts.append(row.tobytes())
        yield b"".join(parts)


def write_hapt(
    path: str | os.PathLike,
    haplotypes: np.ndarray,
    hap_ids,
    *,
    tag: str = "Real",
    compresslevel: int = 3,
    provenance: dict | None = None,
) -> None:
    """Write haplotypes in the ``.hapt`` format, atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Destination; gzipped when it ends in ``.gz``.
    haplotypes : numpy.ndarray, shape (n_haplotypes, n_sites)
        Alleles in {0, 1} (any integer dtype).
    hap_ids : sequence of str, length n_haplotypes
        Written in the second column.
    tag : str
        First column, ``Real`` or ``AG`` by convention.
    compresslevel : int
        gzip level (1-9) for ``.gz`` paths; 3 is about three times faster
        than 6 for about 30 % larger files.
    provenance : dict, optional
        A :func:`genosynth.provenance.record`, written to the sidecar
        ``<path>.provenance.json`` (the .hapt itself keeps the paper's layout).

    Raises
    ------
    GenosynthError
        Shape mismatch or values other than 0/1.
    """
    haps = np.asarray(haplotypes)
    hap_ids = [str(h) for h in hap_ids]
    if haps.ndim != 2 or len(hap_ids) != haps.shape[0]:
        raise GenosynthError(f"{len(hap_ids)} hap_ids for haplotypes of shape {haps.shape}")
    if any(not h or any(c.isspace() for c in h) for h in hap_ids + [tag]):
        raise GenosynthError("hap_ids and tag must be non-empty and contain no whitespace")
    _require_01(haps, "haplotypes")
    _write_bytes(path, _hapt_chunks(haps, hap_ids, tag), compresslevel)
    if provenance is not None:
        from genosynth.provenance import write_provenance

        write_provenance(path, provenance)


# ---------------------------------------------------------------------------
# VCF


def write_vcf(
    path: str | os.PathLike,
    haplotypes: np.ndarray,
    sites: pd.DataFrame,
    sample_ids,
    *,
    genotype_pairs: bool = False,
    provenance: dict | None = None,
    compresslevel: int = 3,
    contigs: dict | None = None,
    reference: str | None = None,
    allele_frequency: bool = False,
    pairing: str | None = None,
) -> tuple[Path, Path]:
    """Write a bgzipped VCF and its tabix index, both atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Destination ending in ``.gz`` (e.g. ``out.vcf.gz``); the index is
        ``path + ".tbi"``.
    haplotypes : numpy.ndarray of {0, 1}
        Phased (default): shape (n_haplotypes, n_sites); rows 2k and 2k+1
        are individual k, written ``a|b``; with an odd count the last
        individual is haploid (``a``).
        ``genotype_pairs=True``: shape (n_individuals, 2 * n_sites); columns
        2i and 2i+1 are the unphased genotype at site i, written ``a/b``.
    sites : pandas.DataFrame, n_sites rows
        Columns ``chrom``, ``position``, ``id``, ``a0`` (REF), ``a1`` (ALT).
        Rows not sorted by (chrom in order of first appearance, position)
        are sorted, together with their columns.
    sample_ids : sequence of str, length n_individuals
    genotype_pairs : bool
    provenance : dict, optional
        Written as one JSON line ``##genosynth_provenance=...``.
    compresslevel : int
        BGZF level (1-9).
    contigs : dict of str to int, optional
        Contig lengths, written as ``##contig=<ID=..,length=..>`` (contigs of
        ``sites`` not in it get no length).
    reference : str, optional
        The reference build, written as ``##reference=...``.
    allele_frequency : bool
        Write each site's ALT allele frequency over the written alleles as
        ``INFO/AF`` (with its ``##INFO`` line); else INFO is ``.``.
    pairing : str, optional
        How the rows pair into individuals, written as ``##genosynth_pairing=...``.

    Returns
    -------
    (pathlib.Path, pathlib.Path)
        The VCF and the index.

    Raises
    ------
    GenosynthError
        Bad suffix, shape mismatch or values other than 0/1.
    """
    path = Path(path)
    if not path.name.endswith((".gz", ".bgz")):
        raise GenosynthError(f"{path}: a bgzipped VCF must end in .gz or .bgz")
    haps = np.asarray(haplotypes)
    sample_ids = [str(s) for s in sample_ids]
    columns = _genotype_columns(haps, len(sites), len(sample_ids), genotype_pairs)
    _require_01(haps, "haplotypes")
    order = site_order(sites)
    sites = sites.iloc[order].reset_index(drop=True)
    first, second, haploid = (None if c is None else c[order] for c in columns)
    body = _gt_body(first, second, haploid, "/" if genotype_pairs else "|")
    extra = {"contigs": contigs or {}, "reference": reference, "pairing": pairing}
    header = _vcf_header(sites, sample_ids, provenance, af=allele_frequency, **extra)
    info = _af_info(first, second, haploid) if allele_frequency else None
    tbi = path.with_name(path.name + ".tbi")
    with atomic_paths(path, tbi) as (tmp_vcf, tmp_tbi):
        with pysam.BGZFile(str(tmp_vcf), f"wb{int(compresslevel)}") as fh:
            fh.write(header.encode())
            for chunk in _vcf_chunks(sites, body, info):
                fh.write(chunk)
        pysam.tabix_index(str(tmp_vcf), preset="vcf", index=str(tmp_tbi), force=True)
    return path, tbi


def _genotype_columns(haps, n_sites, n_samples, genotype_pairs):
    """Split the matrix into per-site (n_sites, n_pairs) first/second alleles.

    Returns
    -------
    first, second : numpy.ndarray, shape (n_sites, n_pairs)
    haploid : numpy.ndarray, shape (n_sites,), or None
        The unpaired last haplotype of an odd phased matrix.
    """
    if haps.ndim != 2:
        raise GenosynthError(f"haplotypes must be 2-D, got shape {haps.shape}")
    if genotype_pairs:
        if haps.shape != (n_samples, 2 * n_sites):
            raise GenosynthError(
                f"genotype pairs must have shape ({n_samples}, {2 * n_sites}), got {haps.shape}"
            )
        return haps[:, 0::2].T, haps[:, 1::2].T, None
    n_haps = haps.shape[0]
    if haps.shape[1] != n_sites or (n_haps + 1) // 2 != n_samples or n_samples == 0:
        raise GenosynthError(
            f"{n_samples} samples and {n_sites} sites do not fit haplotypes of shape {haps.shape}"
        )
    pairs = n_haps // 2
    haploid = haps[-1] if n_haps % 2 else None
    return haps[0 : 2 * pairs : 2].T, haps[1 : 2 * pairs : 2].T, haploid


def site_order(sites: pd.DataFrame) -> np.ndarray:
    """Stable order by (chrom in order of first appearance, position)."""
    codes, _ = pd.factorize(sites["chrom"].astype(str))
    return np.lexsort((sites["position"].to_numpy(np.int64), codes))


def _gt_body(first, second, haploid, sep: str) -> np.ndarray:
    """Return uint8 (n_sites, width) rows of ``a|b\\t...\\n`` genotype text."""
    n_sites, pairs = first.shape
    width = 4 * pairs + (2 if haploid is not None else 0)
    out = np.empty((n_sites, width), dtype=np.uint8)
    zero = np.uint8(ord("0"))
    out[:, 0 : 4 * pairs : 4] = first.astype(np.uint8) + zero
    out[:, 1 : 4 * pairs : 4] = ord(sep)
    out[:, 2 : 4 * pairs : 4] = second.astype(np.uint8) + zero
    out[:, 3 : 4 * pairs : 4] = ord("\t")
    if haploid is not None:
        out[:, -2] = haploid.astype(np.uint8) + zero
    out[:, -1] = ord("\n")
    return out


def _af_info(first, second, haploid) -> list[str]:
    """``AF=<ALT frequency>`` of every site over the written alleles (6 significant digits)."""
    alt = first.sum(axis=1, dtype=np.int64) + second.sum(axis=1, dtype=np.int64)
    n = 2 * first.shape[1]
    if haploid is not None:
        alt = alt + haploid.astype(np.int64)
        n += 1
    return [f"AF={v:.6g}" for v in alt / n]


def _vcf_header(
    sites: pd.DataFrame,
    sample_ids: list[str],
    provenance,
    *,
    contigs: dict,
    reference: str | None,
    pairing: str | None,
    af: bool,
) -> str:
    from genosynth import __version__

    lines = ["##fileformat=VCFv4.2", f"##source=genosynth-{__version__}"]
    if reference:
        lines.append(f"##reference={reference}")
    if provenance is not None:
        text = json.dumps(provenance, sort_keys=True, separators=(",", ":"), default=str)
        lines.append(f"##genosynth_provenance={text}")
    if pairing:
        lines.append(f"##genosynth_pairing={pairing}")
    for c in pd.unique(sites["chrom"].astype(str)):
        length = contigs.get(c)
        lines.append(
            f"##contig=<ID={c}>" if length is None else f"##contig=<ID={c},length={length}>"
        )
    if af:
        lines.append(
            '##INFO=<ID=AF,Number=A,Type=Float,Description="ALT allele frequency in the '
            'artificial genomes">'
        )
    lines.append('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">')
    cols = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"]
    lines.append("\t".join(cols + sample_ids))
    return "\n".join(lines) + "\n"


def site_columns(sites: pd.DataFrame) -> pd.Series:
    """``CHROM POS ID REF ALT`` of each site, tab-separated (the VCF's and the .pvar's first
    five columns; an empty id is ``.``)."""
    ids = sites["id"].astype(str).replace("", ".")
    return (
        sites["chrom"].astype(str)
        + "\t"
        + sites["position"].astype(np.int64).astype(str)
        + "\t"
        + ids
        + "\t"
        + sites["a0"].astype(str)
        + "\t"
        + sites["a1"].astype(str)
    )


def _vcf_chunks(sites: pd.DataFrame, body: np.ndarray, info=None, chunk: int = 2000):
    """Yield the record lines as bytes, ``chunk`` sites at a time (``info``: INFO per site)."""
    info = "." if info is None else pd.Series(info, index=sites.index)
    prefix = (site_columns(sites) + "\t.\t.\t" + info + "\tGT\t").tolist()
    for start in range(0, len(prefix), chunk):
        parts = []
        for i in range(start, min(start + chunk, len(prefix))):
            parts.append(prefix[i].encode())
            parts.append(body[i].tobytes())
        yield b"".join(parts)
