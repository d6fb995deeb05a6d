"""The DNA track on config/smoke.yaml: CONTRACT outputs, their contents, reruns."""

from __future__ import annotations

import matplotlib.image
import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import REPO, run_snakemake
from test_smoke_workflow import _scheduled_jobs

from genosynth.dna.sequences import read_genome

pytestmark = pytest.mark.workflow

SMOKE = yaml.safe_load((REPO / "config/smoke.yaml").read_text())
FIGURES = [
    "latent_interpolation",
    "latent_complementation",
    "edit_distance",
    "splice_logos",
    "motif_design",
    "binding_oracle",
    "binding_design",
    "multi_property_design",
]
EXPERIMENTS = ["motif_design", "binding_design", "multi_property_design"]


@pytest.mark.parametrize("figure", FIGURES)
def test_dna_figure_is_a_real_plot(smoke_run, figure):
    image = matplotlib.image.imread(smoke_run / f"results/dna/figures/{figure}.png")
    assert image.shape[0] > 200 and image.shape[1] > 200
    assert image[..., :3].std() > 0.05, f"{figure} is blank"


def test_dna_data_shapes(smoke_run):
    with np.load(smoke_run / "results/dna/data/kmers.npz") as z:
        sizes = {k: z[k].shape for k in ("train", "valid", "test")}
        assert all(s[1] == 50 for s in sizes.values())
        n = sum(s[0] for s in sizes.values())
        assert n == SMOKE["dna"]["kmers"]["max_sequences"]
        assert sizes["train"][0] == round(0.8 * n)
    with np.load(smoke_run / "results/dna/data/exon_windows.npz") as z:
        window = SMOKE["dna"]["exon_windows"]["window"]
        assert z["codes"].shape[1] == window and z["track"].shape == z["codes"].shape
        exon_len = z["track"].sum(axis=1)
        assert exon_len.min() >= 20 and exon_len.max() <= 40


def test_dna_metrics_table(smoke_run):
    metrics = pd.read_csv(smoke_run / "results/dna/metrics.tsv", sep="\t")
    assert list(metrics.columns) == ["experiment", "metric", "value"]
    assert set(metrics.experiment) == set(FIGURES)
    rows = metrics.set_index(["experiment", "metric"])["value"]
    # the planted exons carry AG/GT in every training window: 2 bits at each position
    for key in ("acceptor_a_bits_real", "acceptor_g_bits_real", "donor_g_bits_real"):
        assert rows["splice_logos", key] == pytest.approx(2.0)
    assert rows["edit_distance", "n_samples"] == SMOKE["dna"]["edit_distance"]["n_samples"]
    assert 0 < rows["edit_distance", "held_out_mean"] < 50
    assert -1 <= rows["binding_oracle", "spearman_held_out"] <= 1
    assert 0 <= rows["binding_design", "share_above_training_max"] <= 1
    assert 0 <= rows["latent_complementation", "complement_share"] <= 1
    summary = pd.read_csv(smoke_run / "results/summary.tsv", sep="\t")
    dna = summary[summary.dataset == "dna"]  # every finite DNA metric, model = experiment
    finite = metrics.dropna(subset=["value"])
    assert (
        dna[["model", "metric"]].values.tolist() == finite[["experiment", "metric"]].values.tolist()
    )


@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_design_tables(smoke_run, experiment):
    table = pd.read_csv(smoke_run / f"results/dna/designs/{experiment}.tsv", sep="\t")
    n = SMOKE["dna"]["design"][experiment]["n_designs"]
    assert len(table) == n and (table.experiment == experiment).all()
    assert table.sequence.str.fullmatch("[ACGT]+").all()
    scores = {"motif_design": ["pwm"], "binding_design": ["predictor", "oracle"]}
    for column in scores.get(experiment, ["predictor_a", "predictor_b"]):
        assert np.isfinite(table[column]).all()
    if experiment == "motif_design":  # the PWM objective rose from the start points
        assert table.pwm.mean() > table.pwm_start.mean()
    fasta = smoke_run / f"results/dna/designs/{experiment}.fasta"
    records = list(read_genome(fasta))  # the repo's FASTA reader
    assert [r[0] for r in records] == [f"{experiment}_{i}" for i in table.design]
    assert [r[2] for r in records] == table.sequence.tolist()
    headers = fasta.read_text().splitlines()[::2]
    first = dict(kv.split("=") for kv in headers[0].split()[1:])
    score_columns = [c for c in table.columns if c not in ("experiment", "design", "sequence")]
    assert list(first) == score_columns
    assert [float(first[c]) for c in score_columns] == pytest.approx(
        table.iloc[0][score_columns].astype(float).tolist(), rel=1e-5
    )


def test_multi_property_weight_reruns_only_that_design(smoke_run, tmp_path):
    config = yaml.safe_load((REPO / "config/smoke.yaml").read_text())
    config["dna"]["design"]["multi_property_design"]["weight"] = 0.5
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(config))
    jobs = _scheduled_jobs(run_snakemake(smoke_run, "--configfile", str(edited), "-n").stdout)
    rules = {r for r, _ in jobs}
    summary = {"summarize_metrics", "make_reproduction_table"}  # summary.tsv holds DNA metrics
    dna = {"design_dna_sequences", "plot_dna_design", "gather_dna_metrics"}
    assert rules == dna | summary | {"all"}, jobs
    per_experiment = [w for r, w in jobs if r in ("design_dna_sequences", "plot_dna_design")]
    assert per_experiment == ["dna_experiment=multi_property_design"] * 2
