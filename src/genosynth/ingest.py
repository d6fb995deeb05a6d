"""Ingestion of real haplotype data (VCF or hapt + legend) into a HaplotypeSet.

Every problem with the input is either dropped and counted in a report, or
raised as an :class:`~genosynth.errors.InputError`, according to a per-problem
policy (see :data:`POLICIES`). The report is a flat ``{item: count}`` dict:

``records``
    VCF records read (after the region filter).
``monomorphic``
    Records without an ALT allele (always dropped).
``multiallelic``, ``indels``, ``unsorted``, ``duplicates``, ``missing``, ``unphased``
    Records dropped under the policy of the same name.
``unknown_samples``
    Samples (individuals) dropped because the panel does not know them.
``outside_region``
    Records skipped by a ``region`` filter on a file without an index (0
    when the index answered the query).
``kept_sites``, ``kept_samples``, ``kept_haplotypes``
    Size of the result.
"""

from __future__ import annotations

import gzip
import os
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import cyvcf2
import numpy as np
import pandas as pd

from genosynth.data import SAMPLE_COLUMNS, HaplotypeSet
from genosynth.errors import ConfigError, InputError
from genosynth.formats import check_policy, join_panel, read_hapt_report

__all__ = [
    "POLICIES",
    "ingest_report_to_frame",
    "read_hapt_source",
    "read_vcf",
    "vcf_header_meta",
]

POLICIES = {
    "multiallelic": "drop",
    "indels": "drop",
    "missing": "drop",
    "unphased": "fail",
    "unknown_samples": "fail",
    "unsorted": "fail",
    "duplicates": "drop",
}
"""Default policy per problem: "drop" (skip and count) or "fail" (raise)."""

_FIXES = {
    "multiallelic": "split or remove multiallelic records (bcftools norm -m-), or set "
    "multiallelic: drop",
    "indels": "keep biallelic A/C/G/T SNPs only (bcftools view -v snps), or set indels: drop",
    "missing": "impute missing genotypes, or set missing: drop",
    "unphased": "phase the VCF (e.g. with Eagle or SHAPEIT), or set unphased: drop",
    "unsorted": "sort the VCF (bcftools sort), or set unsorted: drop",
    "duplicates": "remove duplicate positions (bcftools norm -d all), or set duplicates: drop",
}
_REPORT_KEYS = [
    "records",
    "monomorphic",
    "multiallelic",
    "indels",
    "unsorted",
    "duplicates",
    "missing",
    "unphased",
    "unknown_samples",
    "outside_region",
]
_BASES = frozenset("ACGT")
_BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
_CORRUPT_FIX = "download or copy the file again (bgzip -t FILE tests a bgzip file)"
_REGION = re.compile(r"^([^:\s]+)(?::([\d,]+)(?:-([\d,]+))?)?$")


def read_vcf(
    path: str | os.PathLike,
    panel_path=None,
    *,
    multiallelic: str = "drop",
    indels: str = "drop",
    missing: str = "drop",
    unphased: str = "fail",
    unknown_samples: str = "fail",
    unsorted: str = "fail",
    duplicates: str = "drop",
    region: str | None = None,
) -> tuple[HaplotypeSet, dict]:
    """Read the phased biallelic SNPs of a VCF into a :class:`HaplotypeSet`.

    Parameters
    ----------
    path : str or os.PathLike
        VCF, plain, bgzipped or BCF.
    panel_path : str or os.PathLike or pandas.DataFrame, optional
        Population panel (see :func:`genosynth.formats.read_panel`); without
        it pop and super_pop are "NA" and every sample is kept.
    multiallelic, indels, missing, unphased : {"drop", "fail"}
        Policy per problem (defaults in :data:`POLICIES`): "drop" skips and
        counts, "fail" raises. ``indels`` covers every record whose REF or
        ALT is not one A/C/G/T base (indels, symbolic alleles, ``N``;
        lowercase bases are valid VCF and read as uppercase); ``missing``
        any ``.`` allele; ``unphased`` any ``/`` genotype.
        Monomorphic records (no ALT) are always dropped; haploid or
        polyploid genotypes always fail. A dropped record is counted once,
        under the first problem found in the order monomorphic,
        multiallelic, indels, unsorted, duplicates, missing, unphased.
    unknown_samples, unsorted, duplicates : {"drop", "fail"}
        ``unknown_samples``: VCF samples absent from the panel (dropped
        samples are counted; panel samples absent from the VCF are ignored).
        ``unsorted``: a position lower than the last kept one on the same
        chromosome, or a chromosome reappearing after another.
        ``duplicates``: the chromosome and position of the last kept record.
    region : str, optional
        ``chrom``, ``chrom:pos`` or ``chrom:start-end`` (1-based,
        inclusive). Queried through the index when there is one, else
        filtered while streaming.

    Returns
    -------
    hs : HaplotypeSet
        ``haplotypes`` int8, shape (2 * n_kept_samples, n_kept_sites); rows
        ``<sample>_A``, ``<sample>_B`` in VCF sample order; site ids the
        VCF's ID (e.g. an rsID), or ``<chrom>:<pos>_<ref>_<alt>`` where it is
        ``.``, holds a space or repeats an id kept before; ``header`` the
        header's contig lengths and ``##reference`` (:func:`vcf_header_meta`).
    report : dict
        Counts of what was kept and dropped (see the module docstring).

    Raises
    ------
    InputError
        Unreadable file or header, a truncated or corrupt compressed file,
        malformed record (with its line number), a problem under a "fail"
        policy, haploid calls, or nothing left (naming the region, the
        file's contigs and the index it was read through).
    ConfigError
        An invalid policy or region.
    """
    policies = {
        "multiallelic": multiallelic,
        "indels": indels,
        "missing": missing,
        "unphased": unphased,
        "unknown_samples": unknown_samples,
        "unsorted": unsorted,
        "duplicates": duplicates,
    }
    for name, value in policies.items():
        check_policy(name, value)
    wanted = _parse_region(region)
    return _read_records(_VcfReader(Path(path), policies, region), panel_path, wanted)


def _read_records(reader: _VcfReader, panel_path, wanted) -> tuple[HaplotypeSet, dict]:
    """The kept records of an opened VCF (:func:`read_vcf`) and the report with its sizes."""
    try:
        samples, labels = reader.open(panel_path)
        haps, sites = reader.collect(wanted)
        reader.raw_header = reader.vcf.raw_header
    finally:
        reader.close()
    reader.report["kept_sites"] = haps.shape[1]
    reader.report["kept_samples"] = len(samples)
    reader.report["kept_haplotypes"] = haps.shape[0]
    header = vcf_header_meta(reader.raw_header)
    return HaplotypeSet(haps, sites, _sample_rows(samples, labels), header), reader.report


def vcf_header_meta(raw_header: str) -> dict:
    """``{"contigs": {name: length}, "reference": str or None}`` of a VCF header's text.

    Contigs come from ``##contig=<ID=..,length=..>`` lines (those without a length are
    left out); ``reference`` from ``##reference=`` (else ``##assembly=``), None if absent.
    """
    contigs = {}
    for fields in re.findall(r"^##contig=<(.*)>\s*$", raw_header, flags=re.M):
        pairs = dict(p.split("=", 1) for p in re.findall(r"[^,=]+=[^,]*", fields))
        if "ID" in pairs and pairs.get("length", "").isdigit():
            contigs[pairs["ID"].strip()] = int(pairs["length"])
    found = re.search(r"^##(?:reference|assembly)=(.+?)\s*$", raw_header, flags=re.M)
    return {"contigs": contigs, "reference": found.group(1) if found else None}


def read_hapt_source(
    hapt: str | os.PathLike,
    legend: str | os.PathLike,
    panel=None,
    *,
    unknown_samples: str = "fail",
) -> tuple[HaplotypeSet, dict]:
    """Read a ``.hapt`` file and its legend, joined to a population panel.

    Parameters
    ----------
    hapt, legend : str or os.PathLike
        See :func:`genosynth.formats.read_hapt`.
    panel : str or os.PathLike or pandas.DataFrame, optional
        Population table or per-haplotype label file.
    unknown_samples : {"fail", "drop"}

    Returns
    -------
    hs : HaplotypeSet
    report : dict
        ``unknown_samples``, ``dropped_haplotypes``, ``kept_sites``,
        ``kept_samples``, ``kept_haplotypes``.
    """
    return read_hapt_report(hapt, legend, panel=panel, unknown_samples=unknown_samples)


def ingest_report_to_frame(report: dict) -> pd.DataFrame:
    """Return ``report`` as a two-column table (``item``, ``count``), in order."""
    return pd.DataFrame({"item": list(report), "count": [int(v) for v in report.values()]}).astype(
        {"count": np.int64}
    )


# ---------------------------------------------------------------------------
# helpers


def _parse_region(region: str | None) -> tuple[str, int, int] | None:
    """Parse ``chrom[:start[-end]]`` into (chrom, start, end), 1-based inclusive."""
    if region is None:
        return None
    match = _REGION.match(region.strip())
    if not match:
        raise ConfigError("region", f"{region!r} is not 'chrom', 'chrom:pos' or 'chrom:start-end'")
    chrom, start, end = match.groups()
    lo = int(start.replace(",", "")) if start else 1
    hi = int(end.replace(",", "")) if end else (lo if start else 2**62)
    if hi < lo:
        raise ConfigError("region", f"{region!r} ends before it starts")
    return chrom, lo, hi


def _sample_rows(samples: list[str], labels: pd.DataFrame) -> pd.DataFrame:
    """Two rows per sample: ``<s>_A``, ``<s>_B`` with the panel labels."""
    rep = np.repeat(np.arange(len(samples)), 2)
    sample = np.asarray(samples, dtype=object)[rep]
    suffix = np.tile(np.array(["_A", "_B"], dtype=object), len(samples))
    return pd.DataFrame(
        {
            "hap_id": sample + suffix,
            "sample": sample,
            "pop": labels["pop"].to_numpy(object)[rep],
            "super_pop": labels["super_pop"].to_numpy(object)[rep],
        }
    )[SAMPLE_COLUMNS]


def _open_text(path: Path):
    """Open a plain or gzip/bgzip compressed file for binary reading."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def _header_line_count(path: Path) -> int | None:
    """Number of ``#`` lines at the top of a text VCF (None for BCF)."""
    count = 0
    try:
        with _open_text(path) as fh:
            for line in fh:
                if line.startswith(b"BCF"):
                    return None
                if not line.startswith(b"#"):
                    break
                count += 1
    except (OSError, EOFError, zlib.error):
        return None
    return count


def _raw_line(path: Path, line_no: int) -> str | None:
    """The text of 1-based line ``line_no`` of a (compressed) text file."""
    try:
        with _open_text(path) as fh:
            for i, line in enumerate(fh, 1):
                if i == line_no:
                    return line.decode("utf-8", "replace").rstrip("\r\n")
    except (OSError, EOFError, zlib.error):
        return None
    return None


def _diagnose(raw: str | None, n_samples: int) -> str:
    """Say why htslib rejected a raw VCF line."""
    if raw is None:
        return "record could not be parsed"
    if not raw.strip():
        return "blank line among the records"
    fields = raw.split("\t")
    expected = 9 + n_samples if n_samples else 8
    if len(fields) < expected:
        return f"too few columns: {len(fields)} tab-separated fields, expected {expected}"
    if not fields[1].isdigit():
        return f"POS {fields[1]!r} is not a positive integer"
    if n_samples and len(fields) != expected:
        return f"{len(fields)} tab-separated fields, expected {expected}"
    return "htslib could not parse the record (see its message above)"


@dataclass
class _State:
    """Order bookkeeping of the last kept record."""

    chrom: str | None = None
    pos: int = -1
    done: set = field(default_factory=set)


class _VcfReader:
    """One pass over a VCF: filters, counts, and collects alleles."""

    def __init__(self, path: Path, policies: dict, region: str | None = None):
        self.path = path
        self.policies = policies
        self.region = region.strip() if region else None
        self.report = dict.fromkeys(_REPORT_KEYS, 0)
        self.vcf = None
        self.n_file_samples = 0
        self.header_lines = None
        self.indexed = False
        self.index: Path | None = None
        self.chroms: dict[str, None] = {}  # chromosomes of the records read, in order
        self.raw_header = ""

    def close(self) -> None:
        """Close the cyvcf2 handle, if open."""
        if self.vcf is not None:
            self.vcf.close()
            self.vcf = None

    # -- opening ----------------------------------------------------------

    def open(self, panel) -> tuple[list[str], pd.DataFrame]:
        """Open the file, pick the samples; return (samples, their labels)."""
        path = self.path
        if not path.exists():
            raise InputError(path, "file not found", fix="check the path")
        _check_bgzf_end(path)
        self.vcf = vcf = self._cyvcf2(path)
        all_samples = list(vcf.samples)
        if not all_samples:
            raise InputError(path, "VCF has no sample columns", fix="give a VCF with genotypes")
        self.header_lines = _header_line_count(path)
        labels, keep, dropped = join_panel(
            all_samples,
            panel,
            unknown_samples=self.policies["unknown_samples"],
            path=path,
            lines=None if self.header_lines is None else [self.header_lines] * len(all_samples),
        )
        samples = [s for s, k in zip(all_samples, keep, strict=True) if k]
        if not samples:
            raise InputError(
                path,
                "none of the VCF samples is in the panel",
                record=all_samples[0],
                fix="check that the panel matches the VCF sample ids",
            )
        self.report["unknown_samples"] = len(dropped)
        self.n_file_samples = len(all_samples)
        if dropped:
            vcf.set_samples(samples)
        indexes = [Path(str(path) + ext) for ext in (".tbi", ".csi")]
        self.index = next((i for i in indexes if i.exists()), None)
        self.indexed = self.index is not None
        return samples, labels

    @staticmethod
    def _cyvcf2(path: Path):
        try:
            return cyvcf2.VCF(str(path), lazy=True)
        except Exception as exc:  # cyvcf2 raises bare Exception/OSError
            _check_decompression(path)
            raise InputError(
                path,
                f"cannot read the VCF header ({exc})",
                fix="check the file is a VCF with a '#CHROM ... FORMAT <samples>' header line "
                "and unique sample names",
            ) from None

    # -- records ----------------------------------------------------------

    def _records(self, wanted):
        """Yield (index, variant) over the records, honouring ``region``."""
        if wanted is not None and self.indexed:
            chrom, lo, hi = wanted
            it = self.vcf(f"{chrom}:{lo}-{min(hi, 2**31 - 1)}")
            self.header_lines = None  # record indices no longer map to lines
        else:
            it = iter(self.vcf)
        index = 0
        while True:
            index += 1
            try:
                variant = next(it)
            except StopIteration:
                return
            except Exception:
                self._malformed(index)
            if not variant.CHROM:
                self._malformed(index)
            self.chroms.setdefault(variant.CHROM)
            if wanted is not None and not self._inside(variant, wanted):
                self.report["outside_region"] += 1
                continue
            yield index, variant

    @staticmethod
    def _inside(variant, wanted) -> bool:
        chrom, lo, hi = wanted
        return variant.CHROM == chrom and lo <= variant.POS <= hi

    def _line(self, index: int) -> int | None:
        return None if self.header_lines is None else self.header_lines + index

    def _malformed(self, index: int) -> NoReturn:
        _check_decompression(self.path)
        line = self._line(index)
        raw = None if line is None else _raw_line(self.path, line)
        raise InputError(
            self.path,
            f"malformed VCF record: {_diagnose(raw, self.n_file_samples)}",
            line=line,
            record=raw[:60] if raw else None,
            fix="repair or remove the line (bcftools view reports the same problem)",
        )

    def _reject(self, kind: str, problem: str, index: int, variant) -> None:
        """Count a dropped record, or raise under the "fail" policy."""
        if self.policies.get(kind, "drop") == "drop":
            self.report[kind] += 1
            return
        raise InputError(
            self.path,
            f"{problem} (policy {kind}: fail)",
            line=self._line(index),
            record=f"{variant.CHROM}:{variant.POS}",
            fix=_FIXES[kind],
        )

    @staticmethod
    def _site_problem(variant) -> tuple[str, str] | None:
        """The first site-level (kind, description) to drop ``variant``, or None."""
        ref, alts = variant.REF, variant.ALT
        if not alts:
            return "monomorphic", "no ALT allele"
        if len(alts) > 1:
            return "multiallelic", f"multiallelic site (ALT {','.join(alts)})"
        if ref.upper() not in _BASES or alts[0].upper() not in _BASES:
            return "indels", f"not a single-base SNP (REF {ref}, ALT {alts[0]})"
        return None

    @staticmethod
    def _order_problem(variant, state: _State) -> tuple[str, str] | None:
        """(kind, description) if ``variant`` breaks the order, or None."""
        chrom, pos = variant.CHROM, variant.POS
        if chrom == state.chrom:
            if pos < state.pos:
                return "unsorted", f"position {pos} is below the previous {chrom}:{state.pos}"
            if pos == state.pos:
                return "duplicates", "duplicate position (same as the previous record kept)"
        elif chrom in state.done:
            return "unsorted", f"chromosome {chrom} reappears after {state.chrom}"
        return None

    def _alleles(self, index: int, variant):
        """Return (alleles int16 (2n,), None) or (None, (kind, description))."""
        try:
            gt = variant.genotype.array()
        except Exception:
            raise InputError(
                self.path,
                "record has no readable GT field",
                line=self._line(index),
                record=f"{variant.CHROM}:{variant.POS}",
                fix="give every record a GT FORMAT field",
            ) from None
        if gt.shape[1] == 3:  # fast path: diploid, phased, 0/1 everywhere
            lowest = gt.min(axis=0)
            if lowest[0] >= 0 and lowest[1] >= 0 and lowest[2] == 1 and gt[:, :2].max() <= 1:
                return gt[:, :2].reshape(-1), None
        alleles = gt[:, :-1]
        dot = _dot_calls(alleles)
        if alleles.shape[1] != 2 or (alleles[~dot] == -2).any():
            self._ploidy_error(index, variant, alleles, dot)
        is_missing = (alleles == -1).any(axis=1)
        if is_missing.any():
            return None, ("missing", f"missing genotype{self._first_sample(is_missing)}")
        unphased = gt[:, -1] == 0
        if unphased.any():
            return None, ("unphased", f"unphased genotype{self._first_sample(unphased)}")
        if alleles.max() > 1:
            raise InputError(
                self.path,
                f"allele index {int(alleles.max())} but only one ALT allele",
                line=self._line(index),
                record=f"{variant.CHROM}:{variant.POS}",
                fix="genotype allele indices must refer to REF (0) or the ALT (1)",
            )
        return alleles.reshape(-1), None

    def _first_sample(self, mask: np.ndarray) -> str:
        return f" in sample {self.vcf.samples[int(np.flatnonzero(mask)[0])]}"

    def _ploidy_error(self, index: int, variant, alleles, dot) -> None:
        if alleles.shape[1] > 2:
            kind, bad = "polyploid", (alleles[:, 2:] != -2).any(axis=1)
        else:
            kind, bad = "haploid", (alleles == -2).any(axis=1) & ~dot
            if alleles.shape[1] == 1:
                bad = ~dot
            if not bad.any():
                return  # every call is a missing "."
        raise InputError(
            self.path,
            f"{kind} genotype{self._first_sample(bad)}; only diploid phased calls are supported",
            line=self._line(index),
            record=f"{variant.CHROM}:{variant.POS}",
            fix="keep diploid calls only (e.g. exclude chrX/Y/MT outside the PARs)",
        )

    def collect(self, wanted) -> tuple[np.ndarray, pd.DataFrame]:
        """Run the pass; return (haplotypes (2n, m) int8, sites)."""
        n_cols = 2 * len(self.vcf.samples)
        buf = np.empty((1024, n_cols), dtype=np.int8)
        rows: list[tuple[str, int, str, str]] = []
        state = _State()
        for index, variant in self._records(wanted):
            self.report["records"] += 1
            alleles = self._check(index, variant, state)
            if alleles is None:
                continue
            if len(rows) == len(buf):
                buf = np.concatenate([buf, np.empty_like(buf)])
            buf[len(rows)] = alleles
            ref, alt = variant.REF.upper(), variant.ALT[0].upper()
            rows.append((variant.CHROM, variant.POS, ref, alt, variant.ID or ""))
            if variant.CHROM != state.chrom and state.chrom is not None:
                state.done.add(state.chrom)
            state.chrom, state.pos = variant.CHROM, variant.POS
        if not rows:
            raise self._nothing_left(wanted)
        return np.ascontiguousarray(buf[: len(rows)].T), _site_frame(rows)

    def _check(self, index: int, variant, state: _State):
        """Alleles of a record to keep, or None after counting/raising."""
        problem = self._site_problem(variant) or self._order_problem(variant, state)
        if problem is None:
            alleles, problem = self._alleles(index, variant)
        if problem is None:
            return alleles
        kind, description = problem
        if kind == "monomorphic":
            self.report["monomorphic"] += 1
        else:
            self._reject(kind, description, index, variant)
        return None

    def _summary(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in self.report.items() if v)

    # -- nothing kept -----------------------------------------------------

    def _nothing_left(self, wanted) -> InputError:
        """The error for a pass that kept no record: why, in the file's terms."""
        read_all = wanted is None or not self.indexed
        if read_all and not self.report["records"] and not self.report["outside_region"]:
            return InputError(
                self.path,
                "the VCF has a header but no records",
                fix="give a VCF with phased biallelic SNP records",
            )
        if wanted is not None and not self.report["records"]:
            return self._empty_region(wanted)
        where = "" if wanted is None else f" in region {self.region}"
        return InputError(
            self.path,
            f"no biallelic phased SNP left after filtering{where} ({self._summary()})",
            fix="check the region and the policies",
        )

    def _empty_region(self, wanted) -> InputError:
        """No record in the region: the index is stale, or name the region and the contigs."""
        chrom = wanted[0]
        if self.index is not None and self._streamed_hit(wanted):
            return InputError(
                self.path,
                f"the index {self.index.name} finds no record in region {self.region}, but the "
                "VCF holds records there: the index is stale",
                fix=f"rebuild the index (tabix -f -p vcf {self.path.name})",
            )
        contigs = self._contigs()
        shown = ", ".join(contigs[:20]) or "none declared"
        shown += f" and {len(contigs) - 20} more" if len(contigs) > 20 else ""
        if chrom in contigs:
            problem = f"no record in region {self.region} (the VCF's contigs: {shown})"
            fix = "choose a region that holds records"
        else:
            problem = (
                f"region {self.region}: contig {chrom!r} is not in the VCF (its contigs: {shown})"
            )
            other = chrom[3:] if chrom.lower().startswith("chr") else f"chr{chrom}"
            fix = "name one of the VCF's contigs in the region"
            if other in contigs:
                rest = self.region[len(chrom) :]
                fix = f"the VCF calls it {other!r}: write the region as {other}{rest}"
        return InputError(self.path, problem, fix=fix)

    def _streamed_hit(self, wanted) -> bool:
        """Whether a pass over the file without its index finds a record inside ``wanted``."""
        vcf = cyvcf2.VCF(str(self.path), lazy=True, samples=[])
        try:
            return any(self._inside(variant, wanted) for variant in vcf)
        finally:
            vcf.close()

    def _contigs(self) -> list[str]:
        """Contigs the header declares, then those of the records read (index names if none)."""
        header = re.findall(r"^##contig=<ID=([^,>]+)", self.vcf.raw_header, flags=re.M)
        names = list(dict.fromkeys([*header, *self.chroms]))
        if not names and self.indexed:
            names = list(self.vcf.seqnames)
        return names


def _check_bgzf_end(path: Path) -> None:
    """Refuse a bgzip (BGZF) file without its end-of-file block: it was cut short.

    htslib only warns about it and stops reading at the last complete block.
    """
    with open(path, "rb") as fh:
        head = fh.read(16)
        fh.seek(max(0, path.stat().st_size - len(_BGZF_EOF)))
        tail = fh.read()
    if head[:4] == b"\x1f\x8b\x08\x04" and head[12:14] == b"BC" and tail != _BGZF_EOF:
        raise InputError(
            path,
            "the bgzip file is truncated: it ends without its end-of-file block",
            fix=_CORRUPT_FIX,
        )


def _check_decompression(path: Path) -> None:
    """Refuse a gzip/bgzip file that does not decompress to its end (after a read error)."""
    with open(path, "rb") as fh:
        if fh.read(2) != b"\x1f\x8b":
            return
    lines = 0
    try:
        with gzip.open(path, "rb") as fh:
            for _ in fh:
                lines += 1
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(
            path,
            f"the compressed file is truncated or corrupt: decompression fails after "
            f"{lines} lines ({exc})",
            fix=_CORRUPT_FIX,
        ) from None


def _dot_calls(alleles: np.ndarray) -> np.ndarray:
    """Mask of samples whose call is a bare missing ``.`` (not a haploid call)."""
    if alleles.shape[1] == 1:
        return alleles[:, 0] == -1
    return (alleles[:, 0] == -1) & (alleles[:, 1:] == -2).all(axis=1)


def _site_frame(rows: list[tuple[str, int, str, str, str]]) -> pd.DataFrame:
    """Sites table from (chrom, pos, ref, alt, VCF ID) tuples (see :func:`read_vcf` for ids)."""
    frame = pd.DataFrame(rows, columns=["chrom", "position", "a0", "a1", "vcf_id"])
    frame["position"] = frame["position"].astype(np.int64)
    made = (
        frame["chrom"] + ":" + frame["position"].astype(str) + "_" + frame["a0"] + "_" + frame["a1"]
    )
    given = frame["vcf_id"].astype(str)
    usable = ~given.isin(["", "."]) & ~given.str.contains(r"\s", regex=True)
    usable &= ~(given.where(usable).duplicated() & usable)
    frame["id"] = given.where(usable, made)
    return frame[["chrom", "position", "id", "a0", "a1"]]
