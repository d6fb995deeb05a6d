"""Every bad input fails with one clear InputError and leaves no output behind.

Each test reads a bad file through a small read-then-write pipeline (the shape
of an ingestion workflow step) and checks that the error names the file and
the line (``path:line:``, as formatted by :class:`genosynth.errors.InputError`)
and that the output directory is still empty (no result, no temporary file).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from genosynth.data import save_haplotype_set
from genosynth.errors import GenosynthError, InputError
from genosynth.formats import read_hapt
from genosynth.ingest import POLICIES, read_vcf

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"
PANEL = DATA / "panel.panel"


def vcf_to_npz(vcf: Path, out: Path, **policies) -> dict:
    """Read a VCF and save the haplotype set; return the ingest report."""
    hs, report = read_vcf(vcf, PANEL, **policies)
    save_haplotype_set(out, hs, provenance={"source": vcf.name})
    return report


def hapt_to_npz(hapt: Path, legend: Path, out: Path) -> None:
    """Read a hapt file with its legend and save the haplotype set."""
    save_haplotype_set(out, read_hapt(hapt, legend, panel=PANEL))


def expect_input_error(tmp_path: Path, call, *, file: str, line: int, text: str) -> InputError:
    """Run ``call(out)`` and check the error and the empty output directory."""
    outdir = tmp_path / "out"
    outdir.mkdir()
    with pytest.raises(InputError) as info:
        call(outdir / "haplotypes.npz")
    err = info.value
    assert isinstance(err, GenosynthError)
    msg = str(err)
    assert f"{file}:{line}: " in msg, msg
    assert text in msg, msg
    assert err.line == line
    assert Path(err.path).name == file
    assert list(outdir.iterdir()) == []
    return err


def test_control_good_input_writes_output(tmp_path):
    out = tmp_path / "haplotypes.npz"
    report = vcf_to_npz(DATA / "policies.vcf", out, **{k: "drop" for k in POLICIES})
    assert out.exists() and report["kept_sites"] == 3
    assert [p.name for p in tmp_path.iterdir()] == ["haplotypes.npz"]


@pytest.mark.parametrize(
    ("name", "line", "text"),
    [
        ("malformed_columns.vcf", 7, "too few columns: 7 tab-separated fields, expected 12"),
        ("malformed_pos.vcf", 6, "POS '12x' is not a positive integer"),
    ],
)
def test_malformed_vcf_line(tmp_path, name, line, text):
    err = expect_input_error(
        tmp_path,
        lambda out: vcf_to_npz(DATA / name, out),
        file=name,
        line=line,
        text=f"malformed VCF record: {text}",
    )
    assert err.record is not None and err.record.startswith("1\t")


def test_multiallelic_site_policy_fail(tmp_path):
    expect_input_error(
        tmp_path,
        lambda out: vcf_to_npz(DATA / "multiallelic.vcf", out, multiallelic="fail"),
        file="multiallelic.vcf",
        line=8,
        text="multiallelic site (ALT G,T) (policy multiallelic: fail) (record 1:300)",
    )


def test_missing_genotype_policy_fail(tmp_path):
    expect_input_error(
        tmp_path,
        lambda out: vcf_to_npz(DATA / "missing.vcf", out, missing="fail"),
        file="missing.vcf",
        line=7,
        text="missing genotype in sample S2 (policy missing: fail) (record 1:200)",
    )


def test_unphased_genotype_policy_fail(tmp_path):
    expect_input_error(
        tmp_path,
        lambda out: vcf_to_npz(DATA / "unphased.vcf", out, unphased="fail"),
        file="unphased.vcf",
        line=9,
        text="unphased genotype in sample S3 (policy unphased: fail) (record 1:400)",
    )


def test_sample_absent_from_panel_policy_fail(tmp_path):
    # the line is the '#CHROM' header line that names the sample
    expect_input_error(
        tmp_path,
        lambda out: vcf_to_npz(DATA / "unknown_sample.vcf", out, unknown_samples="fail"),
        file="unknown_sample.vcf",
        line=5,
        text="sample is not in the population panel (record NA99999)",
    )


def test_duplicate_position_policy_fail(tmp_path):
    expect_input_error(
        tmp_path,
        lambda out: vcf_to_npz(DATA / "duplicate.vcf", out, duplicates="fail"),
        file="duplicate.vcf",
        line=8,
        text="duplicate position (same as the previous record kept) (policy duplicates: fail) "
        "(record 1:200)",
    )


def test_hapt_value_not_0_or_1(tmp_path):
    expect_input_error(
        tmp_path,
        lambda out: hapt_to_npz(DATA / "bad_value.hapt", DATA / "tiny.legend", out),
        file="bad_value.hapt",
        line=3,
        text="allele value '2' in column 5 (allele 3) of haplotype S2_A is not 0 or 1",
    )


def test_legend_hapt_column_mismatch(tmp_path):
    err = expect_input_error(
        tmp_path,
        lambda out: hapt_to_npz(DATA / "tiny.hapt", DATA / "short.legend", out),
        file="tiny.hapt",
        line=1,
        text="legend/hapt column mismatch",
    )
    msg = str(err)
    assert f"{DATA / 'short.legend'} has 3 sites" in msg
    assert f"{DATA / 'tiny.hapt'} has 4 allele columns" in msg
