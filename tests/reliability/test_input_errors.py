"""Bad inputs of issue 37, points 4 and 5: a clear error or a correct result, never silence.

Every case builds its input in ``tmp_path``, runs the library step the workflow runs on it, and
checks the exact message: the file (and line) or the config key, the record, and the fix. Steps
that write files are checked to leave nothing behind.

==  ===========================================  ==============================================
#   case (input)                                  expected
==  ===========================================  ==============================================
1   VCF with lowercase REF/ALT (valid VCF)        6 of 6 SNPs kept, upper-cased; 0 ``indels``
==  ===========================================  ==============================================
"""

from __future__ import annotations

from pathlib import Path

import pytest

from genosynth.errors import InputError
from genosynth.ingest import POLICIES, read_vcf
from genosynth.steps import data

VCF_HEADER = (
    "##fileformat=VCFv4.2\n"
    "##contig=<ID=1>\n"
    "##contig=<ID=2>\n"
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\n"
)


def vcf_records(chrom: str, positions, ref: str = "A", alt: str = "G") -> str:
    """One phased biallelic SNP record per position."""
    return "".join(f"{chrom}\t{p}\t.\t{ref}\t{alt}\t.\tPASS\t.\tGT\t0|1\t1|0\n" for p in positions)


def ingest_into(out: Path, inputs: dict, **options) -> None:
    """The ingestion step (``ingest_haplotypes``) writing into ``out``."""
    data.ingest(
        inputs={k: str(v) for k, v in inputs.items()},
        haplotypes=out / "haplotypes.npz",
        report=out / "ingest_report.tsv",
        policies=POLICIES,
        **options,
    )


def expect_error(call, kind=InputError) -> str:
    """The message of the ``kind`` error ``call()`` raises."""
    with pytest.raises(kind) as info:
        call()
    return str(info.value)


def assert_empty(folder: Path) -> None:
    assert not folder.exists() or sorted(p.name for p in folder.iterdir()) == []


# --- 4a: lowercase REF/ALT ------------------------------------------------------------------
def test_lowercase_ref_alt_are_snps(tmp_path):
    path = tmp_path / "lower.vcf"
    body = vcf_records("1", [100, 300, 500]) + vcf_records("1", [200, 400, 600], "c", "t")
    lines = sorted(body.splitlines(keepends=True), key=lambda r: int(r.split("\t")[1]))
    path.write_text(VCF_HEADER + "".join(lines))
    hs, report = read_vcf(path)
    assert report["indels"] == 0 and report["kept_sites"] == 6
    assert hs.sites["id"].tolist()[:2] == ["1:100_A_G", "1:200_C_T"]
    assert hs.sites["a0"].tolist() == ["A", "C"] * 3
    assert hs.sites["a1"].tolist() == ["G", "T"] * 3
