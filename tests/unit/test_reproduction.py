"""The reproduction table: the one lookup, the verdicts, and which datasets are the paper's data."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import yaml
from conftest import REPO

from genosynth.errors import GenosynthError
from genosynth.metrics import lookup
from genosynth.reproduction import (
    CLAIMS,
    COLUMNS,
    LOOKUP,
    Claim,
    Key,
    data_kinds,
    paper_datasets,
    reproduction_table,
    run_value,
    verdict,
)

CHR15 = "ALL.chr15.phase3_shapeit2_mvncall_integrated_v5b.20130502.genotypes.vcf.gz"
KEYS = sorted({k for k in LOOKUP.values() if isinstance(k, Key)}, key=str)


def _config(name):
    config = yaml.safe_load((REPO / f"config/{name}.yaml").read_text())
    return config.get("sources", {}), config.get("datasets", {})


def write_summary(path, rows, non_finite=None):
    """A hand-made summary.tsv: (dataset, model, metric, value) rows and flag columns."""
    frame = pd.DataFrame(rows, columns=["dataset", "model", "metric", "value"])
    frame["collapsed"], frame["privacy_gate"] = None, None
    lost = non_finite or {}
    pairs = zip(frame.dataset, frame.model, strict=True)
    frame["non_finite"] = [lost.get(pair, "") for pair in pairs]
    frame.to_csv(path, sep="\t", index=False)
    return path


def full_summary(path, value=0.5, drop=(), non_finite=None):
    """Every LOOKUP metric with ``value`` (1.0 for denominators), less ``drop``."""
    rows = [(k.dataset, k.model, k.metric, value) for k in KEYS if k.metric not in drop]
    rows = [(d, m, x, 1.0 if x.endswith(("held_out_mean", "_real")) else v)
            for d, m, x, v in rows]  # fmt: skip
    return write_summary(path, rows, non_finite)


def test_shipped_configs_name_their_paper_datasets():
    found = {c: paper_datasets(*_config(c)) for c in ("smoke", "real_805", "real_10k", "paper")}
    assert found == {
        "smoke": [],
        "real_805": ["wide"],
        "real_10k": ["dense"],
        "paper": ["dense", "scan", "wide"],
    }


def test_a_users_own_region_of_chr15_is_a_stand_in():
    sources = {
        "inside": {"format": "vcf", "vcf": f"d/{CHR15}", "region": "15:27400000-27500000"},
        "outside": {"format": "vcf", "vcf": f"d/{CHR15}", "region": "15:60000000-61000000"},
        "own": {"format": "vcf", "vcf": "d/my_cohort.vcf.gz", "region": ""},
        "demo": {"format": "simulate"},
    }
    datasets = {name: {"source": name} for name in sources}
    assert paper_datasets(sources, datasets) == ["inside"]
    dna = {"genome": {"source": "files"}, "binding_sets": {"g": {"format": "simulate"}}}
    assert data_kinds(sources, datasets, dna) == {
        "inside": "paper", "outside": "own data", "own": "own data", "demo": "simulated",
        "dna": "own data",
    }  # fmt: skip
    simulated = {"genome": {"source": "simulate"}, "binding_sets": {"g": {"format": "simulate"}}}
    assert data_kinds({}, {}, simulated) == {"dna": "simulated"}


def test_every_lookup_metric_is_a_registered_name():
    """A metric renamed in genosynth.metrics (and the rules) must be renamed in LOOKUP too."""
    assert [k.metric for k in KEYS if lookup(k.metric) is None] == []
    assert {c.value for c in CLAIMS} <= set(LOOKUP)


def test_table_reads_every_claim_through_the_lookup(tmp_path):
    summary = full_summary(tmp_path / "summary.tsv", value=0.5)
    kinds = {"wide": "paper", "dna": "simulated"}
    table = reproduction_table(summary, tmp_path / "r.tsv", data=kinds, markdown=tmp_path / "r.md")
    assert list(table.columns) == COLUMNS
    assert len(table) == len(CLAIMS) >= 20
    assert table["this_run"].notna().all() and (table["note"] == "").all()
    rows = table.set_index("claim")
    oracle = rows.loc["oracle Spearman on held-out PBM probes"]
    assert (oracle.dataset, oracle.model, oracle.metric) == (
        "dna", "binding_oracle", "spearman_held_out",
    )  # fmt: skip
    assert oracle.this_run == 0.5 and oracle.verdict == "worse (stand-in)"
    aats = rows.loc["gan: AATS vs held-out near 0.5"]
    assert (aats.data, aats.this_run, aats.verdict) == ("paper", 0.5, "reproduced")
    edit = rows.loc[[c for c in rows.index if c.startswith("generated sequences")][0]]
    assert edit.this_run == 0.5 and edit.verdict == "worse (stand-in)"  # 0.5 / 1.0
    assert rows.loc["nearly all designs above the training maximum (oracle)"].tolerance == ">= 0.9"
    written = pd.read_csv(tmp_path / "r.tsv", sep="\t")
    assert list(written["verdict"]) == list(table["verdict"])
    md = (tmp_path / "r.md").read_text()
    assert md.count("\n| Yelmen 2021 |") + md.count("\n| Killoran 2017 |") == len(CLAIMS)
    assert "[aats.png](wide/figures/aats.png)" in md


def test_a_renamed_metric_fails_loudly_instead_of_na(tmp_path):
    summary = pd.read_csv(full_summary(tmp_path / "s.tsv"), sep="\t", dtype={"non_finite": str})
    renamed = summary.replace({"metric": {"spearman_held_out": "spearman_heldout"}})
    with pytest.raises(GenosynthError, match="LOOKUP entry 'oracle_spearman'"):
        run_value("oracle_spearman", renamed)
    renamed = summary.replace({"metric": {"imputation_r2_gain_all": "imputation_gain_all"}})
    with pytest.raises(GenosynthError, match="'imputation_r2_gain_all' for scan/gan"):
        run_value("all/scan/gan", renamed)


def test_a_stage_that_did_not_run_says_so_and_a_lost_value_is_worse(tmp_path):
    imputation = ("imputation_r2_gain_rare", "imputation_r2_gain_all")
    summary = full_summary(
        tmp_path / "s.tsv",
        drop=("spearman_held_out", "pearson_held_out", "phenotype_pheno0_homozygous_derived",
              "phenotype_ancestral_carriers_pheno1", "acceptor_ag_share_generated", *imputation),
        non_finite={("dna", "splice_logos"): "acceptor_ag_share_generated,n_windows_generated"},
    )  # fmt: skip
    table = reproduction_table(summary, tmp_path / "r.tsv", data={"pheno": "paper"})
    rows = table.set_index("claim")
    assert rows.loc["oracle Spearman on held-out PBM probes", "verdict"] == "not run"
    eye = rows[rows.dataset == "pheno"]
    assert list(eye.verdict) == ["not run"] * 4 and eye.this_run.isna().all()
    assert (rows[rows.metric.str.startswith("imputation")].verdict == "not run").all()
    splice = rows.loc[[c for c in rows.index if c.startswith("AG acceptor")][0]]
    assert (splice.note, splice.verdict) == ("not finite", "worse (stand-in)")
    assert math.isnan(splice.this_run)
    assert pd.read_csv(tmp_path / "r.tsv", sep="\t")["this_run"].isna().sum() == 1 + 4 + 4 + 1


def claim(direction, paper=0.9, tol=0.05, ideal=None):
    return Claim("P", "Fig 1", "c", "oracle_spearman", paper, tol, direction, "f.png", ideal)


@pytest.mark.parametrize(
    ("direction", "value", "expected"),
    [
        ("higher", 0.9, "reproduced"),
        ("higher", 0.851, "reproduced"),
        ("higher", 0.96, "better"),
        ("higher", 0.84, "worse"),
        ("lower", 0.96, "worse"),
        ("lower", 0.80, "better"),
        ("at_least", 0.85, "reproduced"),
        ("at_least", 3.0, "reproduced"),
        ("at_least", 0.84, "worse"),
    ],
)
def test_verdict_by_direction_and_tolerance(direction, value, expected):
    assert verdict(value, claim(direction)) == expected


def test_verdict_of_an_ideal_value():
    at_ideal = claim("ideal", paper=0.5, tol=0.05)  # the paper's value is the ideal
    assert [verdict(v, at_ideal) for v in (0.54, 0.46, 0.56, 0.30)] == [
        "reproduced", "reproduced", "worse", "worse",
    ]  # fmt: skip
    off_ideal = claim("ideal", paper=0.6, tol=0.02, ideal=0.5)  # the paper was 0.1 off
    assert [verdict(v, off_ideal) for v in (0.61, 0.52, 0.45, 0.75)] == [
        "reproduced", "better", "better", "worse",
    ]  # fmt: skip
