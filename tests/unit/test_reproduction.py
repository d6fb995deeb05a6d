"""The reproduction table: which datasets are the paper's data, and the `data` column."""

from __future__ import annotations

import pandas as pd
import yaml
from conftest import REPO

from genosynth.reproduction import PAPER_VALUES, paper_datasets, reproduction_table

CHR15 = "ALL.chr15.phase3_shapeit2_mvncall_integrated_v5b.20130502.genotypes.vcf.gz"


def _config(name):
    config = yaml.safe_load((REPO / f"config/{name}.yaml").read_text())
    return config.get("sources", {}), config.get("datasets", {})


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
    }
    datasets = {name: {"source": name} for name in sources}
    assert paper_datasets(sources, datasets) == ["inside"]


def test_data_column_marks_stand_ins(tmp_path):
    summary = tmp_path / "summary.tsv"
    rows = [("wide", "gan", "aats_test", 0.7), ("dna", "binding_oracle", "spearman_held_out", 0.9)]
    pd.DataFrame(rows, columns=["dataset", "model", "metric", "value"]).to_csv(
        summary, sep="\t", index=False
    )
    table = reproduction_table(summary, tmp_path / "r.tsv", paper_data=["wide"])
    assert list(table.columns) == [
        "paper", "where", "dataset", "model", "metric", "data", "paper_value", "this_run",
    ]  # fmt: skip
    assert len(table) == len(PAPER_VALUES)
    marked = table.set_index(["dataset", "model"])["data"]
    assert list(marked[marked == "paper"].index) == [("wide", "gan"), ("wide", "rbm")]
    assert marked[("scan", "gan")].tolist() == ["stand-in", "stand-in"]  # XP-EHH and PBS rows
    assert marked[("dna", "binding_oracle")] == "stand-in"
    assert table.set_index(["dataset", "model"]).loc[("dna", "binding_oracle"), "this_run"] == 0.9
    written = pd.read_csv(tmp_path / "r.tsv", sep="\t")
    assert list(written["data"]) == list(table["data"])
