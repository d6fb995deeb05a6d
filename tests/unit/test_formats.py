"""Tests of genosynth.formats: panel, legend, hapt and VCF readers/writers."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pysam
import pytest

from genosynth import __version__, formats
from genosynth.errors import GenosynthError, InputError
from genosynth.formats import (
    read_hapt,
    read_hapt_report,
    read_legend,
    read_panel,
    sample_of_hap_id,
    write_hapt,
    write_legend,
    write_vcf,
)
from genosynth.ingest import read_vcf

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"
REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("GENOSYNTH_SHARED_DATA", REPO.parent / "shared" / "data"))
POPGEN = SHARED / "popgen"

TINY = np.array(
    [
        [0, 1, 1, 0],
        [1, 1, 0, 0],
        [0, 0, 0, 1],
        [1, 0, 1, 1],
        [1, 1, 1, 1],
        [0, 0, 0, 0],
    ],
    dtype=np.int8,
)


def needs_shared(*parts: str) -> Path:
    """Path under the shared data folder, or skip the test with the reason."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data {path} absent (set GENOSYNTH_SHARED_DATA)")
    return path


def sites_frame(chrom, position, a0=None, a1=None) -> pd.DataFrame:
    position = np.asarray(position, dtype=np.int64)
    a0 = a0 or ["A"] * len(position)
    a1 = a1 or ["G"] * len(position)
    ids = [f"{c}:{p}_{r}_{a}" for c, p, r, a in zip(chrom, position, a0, a1, strict=True)]
    return pd.DataFrame({"chrom": chrom, "position": position, "id": ids, "a0": a0, "a1": a1})


def vcf_records(path: Path) -> list[list[str]]:
    with gzip.open(path, "rt") as fh:
        return [ln.rstrip("\n").split("\t") for ln in fh if not ln.startswith("#")]


def vcf_header(path: Path) -> list[str]:
    with gzip.open(path, "rt") as fh:
        return [ln.rstrip("\n") for ln in fh if ln.startswith("#")]


# --------------------------------------------------------------------- panel


def test_read_panel_1000g_layout_with_trailing_tabs():
    panel = read_panel(DATA / "panel.panel")
    assert list(panel.columns) == ["sample", "pop", "super_pop"]
    assert panel.values.tolist() == [
        ["S1", "GBR", "EUR"],
        ["S2", "YRI", "AFR"],
        ["S9", "CHB", "EAS"],
        ["S3", "JPT", "EAS"],
    ]


def test_read_panel_whitespace_without_header(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("A1  POP1 SUP1 extra\nA2 POP2   SUP2\n")
    assert read_panel(path).values.tolist() == [["A1", "POP1", "SUP1"], ["A2", "POP2", "SUP2"]]


def test_read_panel_label_file_keeps_na_string():
    panel = read_panel(DATA / "labels.tsv")
    assert panel.values.tolist() == [
        ["R_1", "EUR", "EUR"],
        ["R_2", "NA", "NA"],
        ["R_3", "AFR", "AFR"],
    ]
    assert panel["pop"].isna().sum() == 0


def test_read_panel_duplicate_sample_names_line():
    with pytest.raises(InputError) as info:
        read_panel(DATA / "panel_dup.panel")
    msg = str(info.value)
    assert "panel_dup.panel:4:" in msg
    assert "duplicate sample (first seen on line 2)" in msg
    assert "record S1" in msg


def test_read_panel_short_line(tmp_path):
    path = tmp_path / "p.panel"
    path.write_text("sample pop super_pop\nS1 GBR EUR\nS2 YRI\n")
    with pytest.raises(InputError, match=r"p\.panel:3: expected at least 3 fields, found 2"):
        read_panel(path)


# -------------------------------------------------------------------- legend


def test_read_legend_parses_chrom_from_id():
    legend = read_legend(DATA / "tiny.legend")
    assert legend.columns.tolist() == ["chrom", "position", "id", "a0", "a1"]
    assert legend["chrom"].tolist() == ["15", "15", "NA", "15"]
    assert legend["position"].dtype == np.int64
    assert legend["position"].tolist() == [100, 250, 300, 400]
    assert legend["id"].tolist() == ["15:100_A_G", "15:250_C_T", "rs77", "15:400_T_C"]
    assert legend["a0"].tolist() == ["A", "C", "G", "T"]
    assert legend["a1"].tolist() == ["G", "T", "A", "C"]


def test_read_legend_malformed_position():
    with pytest.raises(InputError) as info:
        read_legend(DATA / "malformed.legend")
    assert "malformed.legend:3: position '25O' is not a non-negative integer" in str(info.value)


def test_read_legend_short_line_and_missing_header(tmp_path):
    short = tmp_path / "short.legend"
    short.write_text("id position a0 a1\n1:5_A_G 5 A\n")
    with pytest.raises(InputError, match=r"short\.legend:2: legend line has 3 fields"):
        read_legend(short)
    headless = tmp_path / "headless.legend"
    headless.write_text("1:5_A_G 5 A G\n")
    with pytest.raises(InputError, match=r"headless\.legend:1: legend must start with a header"):
        read_legend(headless)


def test_write_legend_round_trip(tmp_path):
    legend = read_legend(DATA / "tiny.legend")
    out = tmp_path / "out.legend.gz"
    write_legend(out, legend)
    with gzip.open(out, "rt") as fh:
        assert fh.readline() == "id position a0 a1\n"
        assert fh.readline() == "15:100_A_G 100 A G\n"
    pd.testing.assert_frame_equal(read_legend(out), legend)


# ---------------------------------------------------------------------- hapt


def test_sample_of_hap_id():
    assert sample_of_hap_id("HG00096_A") == "HG00096"
    assert sample_of_hap_id("HG00096_B") == "HG00096"
    assert sample_of_hap_id("AG12") == "AG12"
    assert sample_of_hap_id("x_C") == "x_C"


def test_read_hapt_exact_matrix_and_panel_join():
    hs = read_hapt(DATA / "tiny.hapt", DATA / "tiny.legend", panel=DATA / "panel.panel")
    assert hs.haplotypes.dtype == np.int8
    np.testing.assert_array_equal(hs.haplotypes, TINY)
    assert hs.samples.values.tolist() == [
        ["S1_A", "S1", "GBR", "EUR"],
        ["S1_B", "S1", "GBR", "EUR"],
        ["S2_A", "S2", "YRI", "AFR"],
        ["S2_B", "S2", "YRI", "AFR"],
        ["S3_A", "S3", "JPT", "EAS"],
        ["S3_B", "S3", "JPT", "EAS"],
    ]
    assert hs.sites["id"].tolist()[0] == "15:100_A_G"


def test_read_hapt_without_panel_labels_na():
    hs = read_hapt(DATA / "tiny.hapt", DATA / "tiny.legend")
    assert set(hs.samples["pop"]) == {"NA"}
    assert set(hs.samples["super_pop"]) == {"NA"}


def test_read_hapt_unknown_sample_drop_and_fail(tmp_path):
    panel = pd.DataFrame({"sample": ["S1", "S3"], "pop": ["a", "b"], "super_pop": ["A", "B"]})
    hs, report = read_hapt_report(
        DATA / "tiny.hapt", DATA / "tiny.legend", panel=panel, unknown_samples="drop"
    )
    np.testing.assert_array_equal(hs.haplotypes, TINY[[0, 1, 4, 5]])
    assert hs.samples["hap_id"].tolist() == ["S1_A", "S1_B", "S3_A", "S3_B"]
    assert report == {
        "unknown_samples": 1,
        "dropped_haplotypes": 2,
        "kept_sites": 4,
        "kept_samples": 2,
        "kept_haplotypes": 4,
    }
    with pytest.raises(InputError) as info:
        read_hapt(DATA / "tiny.hapt", DATA / "tiny.legend", panel=panel)
    assert "tiny.hapt:3: sample is not in the population panel (record S2)" in str(info.value)


def test_read_hapt_irregular_spacing_uses_slow_path(tmp_path):
    path = tmp_path / "spaced.hapt"
    lines = ["Real\tS1_A  0 1 1\t0", "Real S1_B 1  1 0 0 ", "", "AG S2_A 0 0 0 1\r"]
    path.write_text("\n".join(lines) + "\n")
    hs = read_hapt(path, DATA / "tiny.legend")
    np.testing.assert_array_equal(hs.haplotypes, TINY[:3])


def test_read_hapt_ragged_row():
    with pytest.raises(InputError) as info:
        read_hapt(DATA / "ragged.hapt", DATA / "tiny.legend")
    msg = str(info.value)
    assert "ragged.hapt:2: ragged row: 3 allele columns where the first row has 4" in msg
    assert "(record S1_B)" in msg


def test_read_hapt_empty_and_duplicate_ids(tmp_path):
    empty = tmp_path / "empty.hapt"
    empty.write_text("\n")
    with pytest.raises(InputError, match=r"empty\.hapt: hapt file is empty"):
        read_hapt(empty, DATA / "tiny.legend")
    dup = tmp_path / "dup.hapt"
    dup.write_text("Real S1_A 0 1 1 0\nReal S1_A 0 1 1 0\n")
    with pytest.raises(InputError, match=r"dup\.hapt:2: duplicate hap_id \(first seen on line 1\)"):
        read_hapt(dup, DATA / "tiny.legend")


def test_read_hapt_non_binary_token_in_slow_path(tmp_path):
    path = tmp_path / "tok.hapt"
    path.write_text("Real S1_A 0 1 1 0\nReal S1_B 1 1 10 0\n")
    with pytest.raises(InputError) as info:
        read_hapt(path, DATA / "tiny.legend")
    assert "tok.hapt:2: allele value '10' in column 5 (allele 3) of haplotype S1_B" in str(
        info.value
    )


@pytest.mark.parametrize("name", ["rt.hapt", "rt.hapt.gz"])
def test_write_hapt_read_hapt_round_trip(tmp_path, name):
    hap_ids = ["S1_A", "S1_B", "S2_A", "S2_B", "S3_A", "S3_B"]
    write_hapt(tmp_path / name, TINY, hap_ids, tag="AG")
    hs = read_hapt(tmp_path / name, DATA / "tiny.legend")
    np.testing.assert_array_equal(hs.haplotypes, TINY)
    assert hs.samples["hap_id"].tolist() == hap_ids
    assert hs.samples["sample"].tolist() == ["S1", "S1", "S2", "S2", "S3", "S3"]
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_write_hapt_exact_text(tmp_path):
    write_hapt(tmp_path / "x.hapt", TINY[:2], ["a_A", "a_B"])
    assert (tmp_path / "x.hapt").read_text() == "Real a_A 0 1 1 0\nReal a_B 1 1 0 0\n"


def test_write_hapt_rejects_non_binary_and_leaves_nothing(tmp_path):
    bad = TINY.copy()
    bad[0, 0] = 2
    with pytest.raises(GenosynthError, match="only hold 0 and 1"):
        write_hapt(tmp_path / "x.hapt.gz", bad, [f"h{i}" for i in range(6)])
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------- VCF


def test_write_vcf_phased_text_header_and_index(tmp_path):
    sites = sites_frame(["2", "2", "2"], [10, 20, 30], ["A", "C", "G"], ["G", "T", "A"])
    out = tmp_path / "x.vcf.gz"
    vcf, tbi = write_vcf(out, TINY[:, :3], sites, ["S1", "S2", "S3"], provenance={"seed": 7})
    assert (vcf, tbi) == (out, tmp_path / "x.vcf.gz.tbi")
    assert tbi.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.vcf.gz", "x.vcf.gz.tbi"]
    header = vcf_header(out)
    assert header[0] == "##fileformat=VCFv4.2"
    assert f"##source=genosynth-{__version__}" in header
    prov = [h for h in header if h.startswith("##genosynth_provenance=")]
    assert json.loads(prov[0].split("=", 1)[1]) == {"seed": 7}
    assert "##contig=<ID=2>" in header
    assert '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">' in header
    assert header[-1].split("\t")[9:] == ["S1", "S2", "S3"]
    records = vcf_records(out)
    assert records[0][:9] == ["2", "10", "2:10_A_G", "A", "G", ".", ".", ".", "GT"]
    assert [r[9:] for r in records] == [
        ["0|1", "0|1", "1|0"],
        ["1|1", "0|0", "1|0"],
        ["1|0", "0|1", "1|0"],
    ]
    with pysam.TabixFile(str(out)) as tabix:
        hits = [line.split("\t")[1] for line in tabix.fetch("2", 14, 30)]
    assert hits == ["20", "30"]


def test_write_vcf_odd_haplotype_count_is_haploid(tmp_path):
    sites = sites_frame(["1", "1"], [5, 6])
    out = tmp_path / "odd.vcf.gz"
    write_vcf(out, TINY[:3, :2], sites, ["S1", "S2"])
    assert [r[9:] for r in vcf_records(out)] == [["0|1", "0"], ["1|1", "0"]]


def test_write_vcf_genotype_pairs_unphased_text(tmp_path):
    pairs = np.array([[0, 1, 1, 1], [0, 0, 1, 0]], dtype=np.int8)  # 2 individuals x 2 sites
    sites = sites_frame(["1", "1"], [5, 6])
    out = tmp_path / "pairs.vcf.gz"
    write_vcf(out, pairs, sites, ["I1", "I2"], genotype_pairs=True)
    assert [r[9:] for r in vcf_records(out)] == [["0/1", "0/0"], ["1/1", "1/0"]]


def test_write_vcf_sorts_sites_with_their_columns(tmp_path):
    sites = sites_frame(["3", "3", "1", "3"], [30, 10, 5, 20])
    haps = np.array([[1, 0, 0, 1], [0, 1, 1, 1]], dtype=np.int8)
    out = tmp_path / "sort.vcf.gz"
    write_vcf(out, haps, sites, ["S1"])
    records = vcf_records(out)
    assert [(r[0], r[1], r[9]) for r in records] == [
        ("3", "10", "0|1"),
        ("3", "20", "1|1"),
        ("3", "30", "1|0"),
        ("1", "5", "0|1"),
    ]
    with pysam.TabixFile(str(out)) as tabix:
        assert len(list(tabix.fetch("1"))) == 1


def test_write_vcf_read_vcf_round_trip(tmp_path):
    rng = np.random.default_rng(3)
    haps = rng.integers(0, 2, size=(8, 40), dtype=np.int8)
    pos = np.sort(rng.choice(np.arange(1, 10_000), size=40, replace=False))
    bases = np.array(list("ACGT"))
    a0 = bases[rng.integers(0, 4, 40)]
    a1 = bases[(np.searchsorted(bases, a0) + rng.integers(1, 4, 40)) % 4]
    sites = sites_frame(["22"] * 40, pos, a0.tolist(), a1.tolist())
    out = tmp_path / "rt.vcf.gz"
    write_vcf(out, haps, sites, ["A", "B", "C", "D"])
    hs, report = read_vcf(out, None)
    np.testing.assert_array_equal(hs.haplotypes, haps)
    pd.testing.assert_frame_equal(hs.sites, sites)
    assert hs.samples["hap_id"].tolist() == ["A_A", "A_B", "B_A", "B_B", "C_A", "C_B", "D_A", "D_B"]
    assert report["kept_sites"] == 40 and report["records"] == 40


def test_write_vcf_bad_input_leaves_nothing(tmp_path):
    sites = sites_frame(["1", "1"], [5, 6])
    with pytest.raises(GenosynthError, match="do not fit"):
        write_vcf(tmp_path / "x.vcf.gz", TINY[:, :2], sites, ["S1"])
    with pytest.raises(GenosynthError, match="must end in .gz"):
        write_vcf(tmp_path / "x.vcf", TINY[:2, :2], sites, ["S1"])
    bad = TINY[:2, :2].copy()
    bad[1, 1] = 3
    with pytest.raises(GenosynthError, match="only hold 0 and 1"):
        write_vcf(tmp_path / "x.vcf.gz", bad, sites, ["S1"])
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ real data


@pytest.mark.realdata
def test_real_805_hapt_joins_panel():
    hapt = needs_shared("popgen", "805", "805_SNP_1000G_real.hapt.gz")
    legend = needs_shared("popgen", "805", "805_SNP.legend")
    panel = needs_shared("popgen", "reference", "integrated_call_samples_v3.20130502.ALL.panel")
    hs = read_hapt(hapt, legend, panel=panel)
    assert hs.haplotypes.shape == (5008, 805)
    assert int(hs.haplotypes.sum()) == 1_885_368
    assert hs.samples["sample"].nunique() == 2504
    counts = hs.samples["super_pop"].value_counts().to_dict()
    assert counts == {
        "AFR": 661 * 2,
        "EAS": 504 * 2,
        "EUR": 503 * 2,
        "SAS": 489 * 2,
        "AMR": 347 * 2,
    }
    assert (hs.samples["pop"] == "YRI").sum() == 216
    assert hs.samples["hap_id"].iloc[0] == "HG00096_A"
    assert hs.sites["chrom"].iloc[0] == "1" and hs.sites["position"].iloc[0] == 1243896
    # rs12913832 (15:28365618 A>G): ALT frequency 0.636 in EUR, 0.028 in AFR (PROVENANCE.md)
    col = int(np.flatnonzero(hs.sites["position"].to_numpy() == 28365618)[0])
    eur = hs.haplotypes[(hs.samples["super_pop"] == "EUR").to_numpy(), col].mean()
    assert round(float(eur), 3) == 0.636


@pytest.mark.realdata
def test_real_10k_hapt_with_labels():
    hapt = needs_shared("popgen", "10K", "10K_SNP_1000G_real.reconstructed.hapt.gz")
    legend = needs_shared("popgen", "10K", "10K_SNP.legend")
    labels = needs_shared("popgen", "10K", "10K_SNP_1000G_real.reconstructed.labels.tsv")
    hs = read_hapt(hapt, legend, panel=labels)
    assert hs.haplotypes.shape == (5008, 10000)
    assert hs.samples["super_pop"].value_counts().to_dict() == {
        "NA": 2682,
        "AFR": 1322,
        "EUR": 1004,
    }
    assert set(hs.sites["chrom"]) == {"15"}
    assert int((hs.haplotypes.mean(axis=0) > 0.5).sum()) == 1114


def test_write_hapt_streams_in_chunks_to_the_same_bytes(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    h = (rng.random((7, 13)) < 0.5).astype(np.int8)
    ids = [f"h{i}" for i in range(7)]
    formats.write_hapt(tmp_path / "whole.hapt.gz", h, ids)
    monkeypatch.setattr(formats, "_HAPT_CHUNK", 30)  # one row per chunk
    assert len(list(formats._hapt_chunks(h, ids, "Real"))) == 7
    formats.write_hapt(tmp_path / "rows.hapt.gz", h, ids)
    formats.write_hapt(tmp_path / "rows.hapt", h, ids)
    assert (tmp_path / "rows.hapt.gz").read_bytes() == (tmp_path / "whole.hapt.gz").read_bytes()
    read_ids, again = formats.read_hapt_matrix(tmp_path / "rows.hapt")
    assert read_ids == ids
    np.testing.assert_array_equal(again, h)
