"""Tests of a user's own data: ingestion without a panel, the config checks on unlabelled
sources, and the external held-out set (genosynth.heldout, match_test_source, privacy_table)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from genosynth import evaluate, formats, heldout
from genosynth.config import check_references, load_schema, unlabelled_sources, validate_config
from genosynth.data import HaplotypeSet, load_haplotype_set, save_haplotype_set
from genosynth.errors import ConfigError, InputError
from genosynth.ingest import POLICIES
from genosynth.steps import data, privacy

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "ingest"
SCHEMA = load_schema(REPO / "workflow/schemas/config.schema.yaml")


# --- ingestion without a panel ------------------------------------------------
def test_ingest_without_panel_labels_every_sample_with_the_source(tmp_path):
    out = tmp_path / "haplotypes.npz"
    policies = POLICIES | {"multiallelic": "drop", "unphased": "drop", "duplicates": "drop",
                           "unsorted": "drop"}  # fmt: skip
    data.ingest(inputs={"vcf": str(DATA / "policies.vcf")}, haplotypes=out,
                report=tmp_path / "report.tsv", policies=policies, label="mine")  # fmt: skip
    hs = load_haplotype_set(out)
    assert hs.samples["hap_id"].tolist() == ["S1_A", "S1_B", "S2_A", "S2_B", "S3_A", "S3_B"]
    assert hs.samples["pop"].tolist() == ["mine"] * 6
    assert hs.samples["super_pop"].tolist() == ["mine"] * 6
    assert hs.sites["id"].tolist() == ["rs1", "rs7", "rs10"]  # the VCF's own IDs


# --- config: unlabelled sources and test_source -------------------------------
def _config(select="region", **dataset) -> dict:
    config = {
        "sources": {"mine": {"format": "vcf", "vcf": "my.vcf.gz"}},
        "datasets": {"gene": {"source": "mine", "select": select, **dataset}},
        "models": {"bernoulli": {}, "markov": {"window": 5}},
        "downstream": {"selection": {"datasets": []}, "painting": {"datasets": []}},
    }
    return validate_config(config, SCHEMA)


def _refusal(config) -> str:
    with pytest.raises(ConfigError) as info:
        check_references(config)
    return str(info.value)


def test_a_vcf_without_panel_is_unlabelled_and_accepted_without_label_settings():
    config = _config(select="thinned")
    assert unlabelled_sources(config) == ["mine"]
    check_references(config)  # no error
    labelled = _config(select="differentiated")
    labelled["sources"]["mine"]["panel"] = "my.panel"
    assert unlabelled_sources(labelled) == []
    check_references(labelled)


@pytest.mark.parametrize(
    ("change", "key", "what"),
    [
        ({"select": "differentiated"}, "datasets.gene.select",
         "'differentiated' ranks SNPs by Fst between populations"),
        ({"populations": ["CEU"]}, "datasets.gene.populations", "['CEU'] are population labels"),
        ({"complement": ["YRI"]}, "datasets.gene.complement", "['YRI'] are population labels"),
        ({"model_overrides": {"markov": {"conditional": "pop"}}},
         "datasets.gene.model_overrides.markov.conditional", "'pop' trains on population labels"),
    ],
)  # fmt: skip
def test_label_settings_on_an_unlabelled_source_are_refused(change, key, what):
    select = change.pop("select", "region")
    message = _refusal(_config(select=select, **change))
    assert message == (
        f"config key '{key}': {what}, but source 'mine' has no population panel (every sample "
        "is labelled 'mine'). Fix: give sources.mine.panel, or use no labels (select: thinned "
        "or region, no populations/complement, conditional: none, no pool_others, 'gene' out "
        "of downstream.selection/painting)"
    )


def test_conditional_models_pool_others_and_scans_are_refused():
    config = _config()
    config["models"]["copying"] = {"conditional": "super_pop"}
    assert "'models.copying.conditional': 'super_pop' trains on" in _refusal(config)
    config = _config()
    config["models"]["gan"] = {"pool_others": True}
    assert "'models.gan.pool_others': it pools the other populations" in _refusal(config)
    config = _config()
    config["downstream"]["selection"]["datasets"] = ["gene"]
    assert "'downstream.selection.datasets': 'gene' needs complementary" in _refusal(config)


def test_test_source_must_name_another_source_of_a_haplotype_dataset():
    config = _config(test_source="other")
    assert _refusal(config).startswith(
        "config key 'datasets.gene.test_source': no source 'other'; the sources are ['mine']"
    )
    config = _config(test_source="mine")
    assert "'datasets.gene.test_source': is the dataset's own source 'mine'" in _refusal(config)
    config = _config(test_source="held")
    config["sources"]["held"] = {"format": "vcf", "vcf": "held.vcf"}
    check_references(config)
    assert config["datasets"]["gene"]["test_min_matched"] == 0.9


def test_shipped_configs_pass_the_checks():
    for name in ("smoke", "config", "real_805", "real_scan"):
        config = validate_config(yaml.safe_load((REPO / f"config/{name}.yaml").read_text()), SCHEMA)
        check_references(config)
        assert all(d["test_source"] == "" for d in config["datasets"].values())


# --- matching the held-out SNPs -----------------------------------------------
def _sites(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["chrom", "position", "id", "a0", "a1"]).astype(
        {"position": np.int64}
    )


def _external(samples=("X1", "X2")) -> HaplotypeSet:
    sites = _sites([("1", 100, "1:100", "A", "G"), ("1", 200, "1:200", "C", "T"),
                    ("1", 300, "1:300", "G", "A"), ("2", 400, "2:400", "T", "C")])  # fmt: skip
    haps = np.array([[0, 1, 0, 1], [1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 1, 0]], np.int8)
    names = np.repeat(samples, 2)
    hap_ids = [f"{s}_{x}" for s, x in zip(names, "ABAB", strict=True)]
    rows = pd.DataFrame({"hap_id": hap_ids, "sample": names, "pop": "x", "super_pop": "x"})
    return HaplotypeSet(haps[: len(rows)], sites, rows)


DATASET_SITES = _sites([
    ("1", 100, "1:100_A_G", "A", "G"),   # matched: column 0
    ("1", 150, "1:150_A_G", "A", "G"),   # missing
    ("1", 200, "1:200_T_C", "T", "C"),   # swapped: column 1 flipped
    ("1", 300, "1:300_G_C", "G", "C"),   # other alleles
    ("NA", 400, "rs4", "T", "C"),        # no chromosome in the id: matched by position
])  # fmt: skip


def test_match_sites_by_position_and_alleles():
    haps, table = heldout.match_sites(DATASET_SITES, _external())
    assert table["status"].tolist() == ["matched", "missing", "swapped", "alleles", "matched"]
    assert table["id"].tolist() == DATASET_SITES["id"].tolist()
    expected = np.array([[0, 0, 1], [1, 0, 0], [0, 1, 1], [1, 1, 0]], np.int8)
    np.testing.assert_array_equal(haps, expected)
    assert haps.dtype == np.int8


def test_match_sites_compares_chromosomes_named_in_the_legend():
    sites = _sites([("2", 100, "2:100_A_G", "A", "G"), ("1", 400, "1:400_T_C", "T", "C")])
    haps, table = heldout.match_sites(sites, _external())
    assert table["status"].tolist() == ["missing", "missing"]
    assert haps.shape == (4, 0)


def test_a_held_out_individual_of_the_training_split_is_refused():
    with pytest.raises(InputError) as info:
        heldout.check_sample_clash(["X1", "X1", "S2", "S2"], ["S1", "S2"], path="held.npz")
    assert str(info.value) == (
        "held.npz: 1 held-out individual(s) also in the dataset's training split (record S2). "
        "Fix: remove the training individuals from the held-out file (bcftools view -s "
        "^NAME,...), or rename them if they are other people"
    )
    heldout.check_sample_clash(["X1", "X1"], ["S1", "S2"], path="held.npz")  # no error


# --- the workflow step and the privacy table ------------------------------------
def _dataset_files(tmp_path, samples=("X1", "X2")):
    external = tmp_path / "held.npz"
    save_haplotype_set(external, _external(samples))
    legend = tmp_path / "snps.legend"
    formats.write_legend(legend, DATASET_SITES)
    panel = tmp_path / "panel.tsv"
    pd.DataFrame({"hap_id": ["S1_A", "S1_B", "S2_A", "S2_B"], "sample": ["S1", "S1", "S2", "S2"],
                  "split": ["train", "train", "test", "test"]}).to_csv(panel, sep="\t",
                                                                        index=False)  # fmt: skip
    outputs = {"test": tmp_path / "external_test.hapt.gz", "sites": tmp_path / "sites.tsv"}
    return {"haplotypes": external, "legend": legend, "panel": panel, "outputs": outputs}


def test_match_test_source_writes_the_matched_haplotypes_and_sites(tmp_path):
    files = _dataset_files(tmp_path, samples=("X1", "S2"))  # S2 is held out here too: allowed
    data.match_test_source(name="gene", source="held", min_matched=0.6, **files)
    ids, matrix = formats.read_hapt_matrix(files["outputs"]["test"])
    assert ids == ["X1_A", "X1_B", "S2_A", "S2_B"]
    np.testing.assert_array_equal(matrix, [[0, 0, 1], [1, 0, 0], [0, 1, 1], [1, 1, 0]])
    sites = pd.read_csv(files["outputs"]["sites"], sep="\t", comment="#")
    assert sites["status"].tolist() == ["matched", "missing", "swapped", "alleles", "matched"]


def test_too_few_matched_snps_stop_the_step_naming_the_first_unmatched(tmp_path):
    files = _dataset_files(tmp_path)
    with pytest.raises(InputError) as info:
        data.match_test_source(name="gene", source="held", min_matched=0.9, **files)
    assert str(info.value) == (
        f"{files['haplotypes']}: held-out source 'held' matches 3 of the 5 SNPs of dataset "
        "'gene' by position and alleles (1 missing, 1 with other alleles; at least 90% needed) "
        "(record 1:150_A_G (missing)). Fix: give sources.held a file with the same SNPs "
        "(positions, REF/ALT, chromosome names), or lower datasets.gene.test_min_matched"
    )
    assert not files["outputs"]["test"].exists()
    assert not files["outputs"]["sites"].exists()


def test_privacy_table_restricts_training_and_ags_to_the_matched_snps(tmp_path):
    files = _dataset_files(tmp_path)
    data.match_test_source(name="gene", source="held", min_matched=0.5, **files)
    rng = np.random.default_rng(0)
    train, ags = (rng.integers(0, 2, (n, 5)).astype(np.int8) for n in (6, 8))
    formats.write_hapt(tmp_path / "train.hapt", train, [f"T{i}" for i in range(6)])
    formats.write_hapt(tmp_path / "ags.hapt", ags, [f"A{i}" for i in range(8)], tag="AG")
    (tmp_path / "info.json").write_text('{"layout": "haplotypes"}')
    out = tmp_path / "privacy.tsv"
    privacy.privacy_table(dataset="gene", model="m", train=tmp_path / "train.hapt",
                          test=files["outputs"]["test"], info=tmp_path / "info.json",
                          ags=tmp_path / "ags.hapt", output=out, settings={"seed": 0},
                          test_sites=files["outputs"]["sites"])  # fmt: skip
    table = pd.read_csv(out, sep="\t", comment="#")
    used = [0, 2, 4]
    test = formats.read_hapt_matrix(files["outputs"]["test"])[1]
    expected = evaluate.privacy_metrics(train[:, used], test, ags[:, used], seed=0)
    assert dict(zip(table["metric"], table["value"], strict=True)) == pytest.approx(expected)
