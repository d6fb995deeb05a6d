"""Tests of genosynth.ingest: VCF ingestion policies and reports."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pysam
import pytest

from genosynth.errors import ConfigError, GenosynthError, InputError
from genosynth.ingest import POLICIES, ingest_report_to_frame, read_hapt_source, read_vcf

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"
REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("GENOSYNTH_SHARED_DATA", REPO.parent / "shared" / "data"))

POLICY_VCF = DATA / "policies.vcf"
PANEL = DATA / "panel.panel"
ALL_DROP = {name: "drop" for name in POLICIES}

# policies.vcf kept sites 1:100 A>G, 1:700 T>C, 2:50 G>T; rows S1_A, S1_B, S2_A, ...
EXPECTED = np.array(
    [
        [0, 1, 1],
        [1, 0, 1],
        [1, 0, 1],
        [1, 1, 0],
        [0, 1, 0],
        [0, 1, 0],
    ],
    dtype=np.int8,
)


def bgzip_with_index(src: Path, tmp_path: Path) -> Path:
    """A bgzipped, tabix-indexed copy of ``src`` in ``tmp_path``."""
    out = tmp_path / (src.name + ".gz")
    pysam.tabix_compress(str(src), str(out), force=True)
    pysam.tabix_index(str(out), preset="vcf", force=True)
    return out


def test_policies_defaults():
    assert POLICIES == {
        "multiallelic": "drop",
        "indels": "drop",
        "missing": "drop",
        "unphased": "fail",
        "unknown_samples": "fail",
        "unsorted": "fail",
        "duplicates": "drop",
    }


def test_all_drop_exact_matrix_sites_samples_and_report():
    hs, report = read_vcf(POLICY_VCF, PANEL, **ALL_DROP)
    np.testing.assert_array_equal(hs.haplotypes, EXPECTED)
    assert hs.haplotypes.dtype == np.int8
    assert hs.sites["id"].tolist() == ["rs1", "rs7", "rs10"]  # the VCF's IDs
    assert hs.sites["chrom"].tolist() == ["1", "1", "2"]
    assert hs.sites["position"].tolist() == [100, 700, 50]
    assert hs.sites["a0"].tolist() == ["A", "T", "G"]
    assert hs.sites["a1"].tolist() == ["G", "C", "T"]
    assert hs.samples.values.tolist() == [
        ["S1_A", "S1", "GBR", "EUR"],
        ["S1_B", "S1", "GBR", "EUR"],
        ["S2_A", "S2", "YRI", "AFR"],
        ["S2_B", "S2", "YRI", "AFR"],
        ["S3_A", "S3", "JPT", "EAS"],
        ["S3_B", "S3", "JPT", "EAS"],
    ]
    assert report == {
        "records": 11,
        "monomorphic": 1,
        "multiallelic": 1,
        "indels": 1,
        "unsorted": 2,
        "duplicates": 1,
        "missing": 1,
        "unphased": 1,
        "unknown_samples": 0,
        "outside_region": 0,
        "kept_sites": 3,
        "kept_samples": 3,
        "kept_haplotypes": 6,
    }


@pytest.mark.parametrize(
    ("policy", "line", "record", "problem"),
    [
        ("multiallelic", 7, "1:200", "multiallelic site (ALT G,T)"),
        ("indels", 8, "1:300", "not a single-base SNP (REF AT, ALT A)"),
        ("missing", 10, "1:500", "missing genotype in sample S2"),
        ("unphased", 11, "1:600", "unphased genotype in sample S1"),
        ("duplicates", 13, "1:700", "duplicate position (same as the previous record kept)"),
        ("unsorted", 14, "1:650", "position 650 is below the previous 1:700"),
    ],
)
def test_each_fail_policy_names_line_and_record(policy, line, record, problem):
    with pytest.raises(InputError) as info:
        read_vcf(POLICY_VCF, PANEL, **{**ALL_DROP, policy: "fail"})
    msg = str(info.value)
    assert f"policies.vcf:{line}: {problem} (policy {policy}: fail)" in msg
    assert f"(record {record})" in msg
    assert "Fix:" in msg
    assert info.value.line == line


def test_default_policies_fail_on_first_unphased_record():
    with pytest.raises(InputError, match=r"policies\.vcf:11: unphased genotype in sample S1"):
        read_vcf(POLICY_VCF, PANEL)


def test_unknown_samples_drop_excludes_sample_before_record_checks():
    panel = pd.DataFrame(
        {"sample": ["S3", "S1"], "pop": ["JPT", "GBR"], "super_pop": ["EAS", "EUR"]}
    )
    hs, report = read_vcf(POLICY_VCF, panel, **ALL_DROP)
    # without S2 the record at 1:500 has no missing call left and is kept
    assert hs.sites["position"].tolist() == [100, 500, 700, 50]
    assert hs.samples["hap_id"].tolist() == ["S1_A", "S1_B", "S3_A", "S3_B"]
    assert hs.samples["pop"].tolist() == ["GBR", "GBR", "JPT", "JPT"]
    np.testing.assert_array_equal(
        hs.haplotypes,
        np.array([[0, 0, 1, 1], [1, 1, 0, 1], [0, 0, 1, 0], [0, 0, 1, 0]], dtype=np.int8),
    )
    assert report["unknown_samples"] == 1
    assert report["missing"] == 0
    assert report["kept_samples"] == 2 and report["kept_haplotypes"] == 4


def test_no_panel_labels_na_and_keeps_all_samples():
    hs, report = read_vcf(POLICY_VCF, None, **ALL_DROP)
    assert set(hs.samples["pop"]) == {"NA"} and set(hs.samples["super_pop"]) == {"NA"}
    assert report["kept_samples"] == 3


def test_compressed_input_and_region_query_with_index(tmp_path):
    lines = POLICY_VCF.read_text().splitlines()
    sorted_vcf = tmp_path / "sorted.vcf"  # tabix needs sorted input: leave out lines 14, 16
    sorted_vcf.write_text("\n".join(lines[:13] + [lines[14]]) + "\n")
    vcf = bgzip_with_index(sorted_vcf, tmp_path)
    hs, report = read_vcf(vcf, PANEL, **ALL_DROP)
    np.testing.assert_array_equal(hs.haplotypes, EXPECTED)
    assert report["unsorted"] == 0 and report["records"] == 9
    hs, report = read_vcf(vcf, PANEL, **ALL_DROP, region="2:1-100")
    assert hs.sites["id"].tolist() == ["rs10"]
    np.testing.assert_array_equal(hs.haplotypes, EXPECTED[:, 2:])
    assert report["records"] == 1 and report["outside_region"] == 0


def test_chromosome_reappearing_is_unsorted(tmp_path):
    policies = {**ALL_DROP, "unsorted": "fail"}
    lines = POLICY_VCF.read_text().splitlines()
    vcf = tmp_path / "reappear.vcf"
    vcf.write_text("\n".join(lines[:13] + lines[14:]) + "\n")  # without 1:650 (line 14)
    with pytest.raises(InputError) as info:
        read_vcf(vcf, PANEL, **policies)
    assert "reappear.vcf:15: chromosome 1 reappears after 2 (policy unsorted: fail)" in str(
        info.value
    )


def test_region_filter_without_index(tmp_path):
    vcf = tmp_path / "noindex.vcf"
    shutil.copy(POLICY_VCF, vcf)
    hs, report = read_vcf(vcf, PANEL, **ALL_DROP, region="1:100-700")
    assert hs.sites["position"].tolist() == [100, 700]
    # outside: 2:50 and 1:800; inside 9 records of which 2 kept
    assert report["outside_region"] == 2
    assert report["records"] == 9
    assert report["unsorted"] == 1  # 1:650 only; 1:800 is outside the region


def test_bad_policy_value_and_region_are_config_errors():
    with pytest.raises(ConfigError, match="config key 'missing': policy must be 'drop' or 'fail'"):
        read_vcf(POLICY_VCF, PANEL, missing="keep")
    with pytest.raises(ConfigError, match="config key 'region'"):
        read_vcf(POLICY_VCF, PANEL, region="1:9-3")


def test_haploid_call_fails_clearly():
    with pytest.raises(InputError) as info:
        read_vcf(DATA / "haploid.vcf", PANEL)
    msg = str(info.value)
    assert "haploid.vcf:7: haploid genotype in sample S2" in msg
    assert "(record 1:200)" in msg


def test_nothing_left_is_an_error(tmp_path):
    vcf = tmp_path / "mono.vcf"
    text = POLICY_VCF.read_text().splitlines()
    vcf.write_text("\n".join(text[:5] + [text[8]]) + "\n")  # only the monomorphic record
    with pytest.raises(InputError, match=r"no biallelic phased SNP left .*monomorphic 1"):
        read_vcf(vcf, PANEL)


def test_missing_file_and_bad_header(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_vcf(tmp_path / "nope.vcf", PANEL)
    junk = tmp_path / "junk.vcf"
    junk.write_text("not a vcf\n")
    with pytest.raises(InputError, match=r"junk\.vcf: cannot read the VCF header"):
        read_vcf(junk, PANEL)
    assert issubclass(InputError, GenosynthError)


def test_read_hapt_source_report():
    with pytest.raises(InputError, match=r"tiny\.hapt: none of the samples is in the panel"):
        read_hapt_source(
            DATA / "tiny.hapt", DATA / "tiny.legend", DATA / "labels.tsv", unknown_samples="drop"
        )
    panel = pd.DataFrame({"sample": ["S2"], "pop": ["YRI"], "super_pop": ["AFR"]})
    hs, report = read_hapt_source(
        DATA / "tiny.hapt", DATA / "tiny.legend", panel, unknown_samples="drop"
    )
    assert hs.samples["hap_id"].tolist() == ["S2_A", "S2_B"]
    assert report == {
        "unknown_samples": 2,
        "dropped_haplotypes": 4,
        "kept_sites": 4,
        "kept_samples": 1,
        "kept_haplotypes": 2,
    }


def test_ingest_report_to_frame():
    frame = ingest_report_to_frame({"records": 11, "missing": 1, "kept_sites": 3})
    assert frame.columns.tolist() == ["item", "count"]
    assert frame.values.tolist() == [["records", 11], ["missing", 1], ["kept_sites", 3]]
    assert frame["count"].dtype == np.int64


@pytest.mark.realdata
def test_real_eagle_phased_vcf():
    path = SHARED / "popgen" / "extra" / "eagle_EUR_test.phased.vcf.gz"
    if not path.exists():
        pytest.skip(f"real data {path} absent (set GENOSYNTH_SHARED_DATA)")
    hs, report = read_vcf(path, None)
    assert hs.haplotypes.shape == (758, 1813)
    assert report["kept_sites"] == 1813 and report["kept_samples"] == 379
    assert hs.samples["hap_id"].iloc[0] == "1_HG00096_A"
    assert hs.sites[["chrom", "id"]].iloc[0].tolist() == ["21", "rs11702480"]
    assert hs.haplotypes[:2, 0].tolist() == [0, 0] and hs.haplotypes[2:4, 0].tolist() == [1, 0]
