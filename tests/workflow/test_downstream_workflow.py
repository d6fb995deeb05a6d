"""Downstream stage on config/smoke.yaml: imputation panels and scores, selection scans,
ChromoPainter inputs and the phenotype table, checked against the dataset files."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pysam
import pytest
import yaml
from conftest import REPO, run_snakemake
from test_smoke_workflow import _scheduled_jobs, read_hapt, require_release

from genosynth.downstream import painting, phenotype

pytestmark = pytest.mark.workflow

SMOKE = yaml.safe_load((REPO / "config/smoke.yaml").read_text())
MODELS = list(SMOKE["models"])


def vcf_haplotypes(path):
    with pysam.VariantFile(str(path)) as vcf:
        gts = np.array([[s["GT"] for s in r.samples.values()] for r in vcf])  # sites, samples, 2
    return gts.transpose(1, 2, 0).reshape(-1, gts.shape[0])


@pytest.mark.parametrize("model", MODELS)
def test_imputation_panel_is_the_gated_ag_vcf(smoke_run, model):
    require_release(smoke_run, "scan", model)
    base = smoke_run / "results/scan"
    gated = vcf_haplotypes(base / f"ags/{model}.vcf.gz")
    np.testing.assert_array_equal(vcf_haplotypes(base / f"imputation/panel_{model}.vcf.gz"), gated)
    assert (base / f"imputation/panel_{model}.vcf.gz.tbi").is_file()
    with gzip.open(base / f"imputation/panel_{model}.hap.gz", "rt") as fh:
        hap = np.array([line.split() for line in fh], dtype=np.int8)
    np.testing.assert_array_equal(hap.T, gated)  # IMPUTE2: one line per site
    legend = pd.read_csv(base / f"imputation/panel_{model}.legend.gz", sep=" ")
    assert (
        legend.position.tolist()
        == pd.read_csv(base / "data/snps.legend", sep=" ").position.tolist()
    )


def test_imputation_target_is_masked_held_out_individuals(smoke_run):
    base = smoke_run / "results/scan"
    sites = pd.read_csv(base / "imputation/sites.tsv", sep="\t")
    fraction = SMOKE["downstream"]["imputation"]["array"]["fraction"]
    assert sites.on_array.sum() == round(fraction * len(sites))
    test_ids, test = read_hapt(base / "data/test.hapt.gz")
    with pysam.VariantFile(str(base / "imputation/target.vcf.gz")) as vcf:
        records = list(vcf)
        samples = list(vcf.header.samples)
    assert samples == [h.rsplit("_", 1)[0] for h in test_ids[::2]]
    assert [r.pos for r in records] == sites.position[sites.on_array].tolist()
    dosage = np.array([[sum(s["GT"]) for s in r.samples.values()] for r in records]).T
    np.testing.assert_array_equal(dosage, (test[0::2] + test[1::2])[:, sites.on_array])
    _, others = read_hapt(base / "data/others.hapt.gz")
    np.testing.assert_array_equal(vcf_haplotypes(base / "imputation/reference.vcf.gz"), others)


def test_imputation_scores_every_panel_and_bin(smoke_run):
    base = smoke_run / "results/scan"
    table = pd.read_csv(base / "imputation/accuracy.tsv", sep="\t")
    n_bins = 11  # a rare bin + 10
    panels = {"reference", "real", *MODELS}  # real: the training haplotypes, the yardstick
    assert table.panel.iloc[0] == "reference" and set(table.panel) == panels
    assert (table.panel.value_counts() == n_bins).all()
    sites = pd.read_csv(base / "imputation/sites.tsv", sep="\t")
    per_panel = table.groupby("panel").n_sites.sum()
    # the masked sites polymorphic among the targets are scored, the same for every panel
    assert per_panel.nunique() == 1 and 0 < per_panel.iloc[0] <= (~sites.on_array).sum()
    scored = table.dropna(subset=["mean_dr2", "dosage_r2"])
    assert len(scored) >= 5 * 5
    assert scored[["mean_dr2", "dosage_r2"]].stack().between(0, 1).all()
    ref = table[table.panel == "reference"].reset_index(drop=True)
    assert (ref.r2_gain.dropna() == 0).all() and (ref.r2_gain_se.dropna() == 0).all()
    for model in ["real", *MODELS]:  # the gain is the r² difference; SE finite where both vary
        part = table[table.panel == model].reset_index(drop=True)
        want = part.dosage_r2 - ref.dosage_r2
        np.testing.assert_allclose(part.r2_gain, want, atol=1e-12)
        both = want.notna()
        assert (part.r2_gain_se[both] >= 0).all() and (part.r2_gain_se[both] < 0.5).all()
    metrics = pd.read_csv(base / "metrics.tsv", sep="\t")
    rows = metrics[metrics.metric.str.startswith("imputation_r2_maf")]
    assert set(rows.model) == panels
    values = metrics.set_index(["model", "metric"]).value
    for model in MODELS:  # the worst higher bin's gain and SE
        part = table[table.panel == model]
        worst = part.iloc[1:].r2_gain.idxmin()
        got = values[(model, "imputation_r2_gain_min_common")]
        assert got == pytest.approx(part.r2_gain[worst])
        got_se = values[(model, "imputation_r2_gain_min_common_se")]
        assert got_se == pytest.approx(part.r2_gain_se[worst]) and got_se > 0
        weight = part.n_sites.where(part.r2_gain.notna(), 0)  # over all SNPs: bins weighted
        want = (part.r2_gain.fillna(0) * weight).sum() / weight.sum()
        assert values[(model, "imputation_r2_gain_all")] == pytest.approx(want)


def test_selection_tables_and_correlations(smoke_run):
    base = smoke_run / "results/scan"
    legend = pd.read_csv(base / "data/snps.legend", sep=" ")
    xpehh = pd.read_csv(base / "selection/xpehh.tsv", sep="\t")
    assert xpehh.position.tolist() == legend.position.tolist()
    assert list(xpehh.columns[:3]) == ["id", "position", "real"]
    finite = xpehh.real.dropna()
    assert finite.mean() == pytest.approx(0, abs=1e-9) and finite.std(ddof=0) == pytest.approx(1)
    pbs = pd.read_csv(base / "selection/pbs.tsv", sep="\t")
    n_windows = (len(legend) - 10) // 5 + 1
    assert len(pbs) == n_windows
    metrics = pd.read_csv(base / "metrics.tsv", sep="\t").set_index(["model", "metric"]).value
    for model in MODELS:
        for stat, table in (("xpehh", xpehh), ("pbs", pbs)):
            ok = table[["real", model]].dropna()
            want = np.corrcoef(ok.real, ok[model])[0, 1]
            assert metrics[(model, f"{stat}_pearson_r")] == pytest.approx(want)
            assert (table[f"{model}_peak"] > 0).sum() == 5
    # the yardstick: held-out real haplotypes scanned apart, against the training ones
    ok = pbs[["real_train", "real_heldout"]].dropna()
    want = np.corrcoef(ok.real_train, ok.real_heldout)[0, 1]
    assert metrics[("real", "pbs_pearson_r")] == pytest.approx(want)


def test_painting_inputs_parse_back_to_dataset_haplotypes(smoke_run):
    base = smoke_run / "results/scan"
    haps, positions = painting.read_phase(base / "painting/chromopainter.phase")
    legend = pd.read_csv(base / "data/snps.legend", sep=" ")
    np.testing.assert_array_equal(positions, legend.position)
    ids = pd.read_csv(base / "painting/chromopainter.ids", sep=" ", header=None)
    assert len(haps) == 2 * len(ids)
    settings = SMOKE["downstream"]["painting"]
    counts = ids[1].value_counts()
    assert counts["real"] == settings["n_recipients"] and counts["gan"] == settings["n_recipients"]
    assert counts["YRI"] == settings["max_donors"]
    rows = {
        tuple(r)
        for r in np.concatenate(
            [read_hapt(base / f"data/{s}.hapt.gz")[1] for s in ("train", "test")]
        )
    }
    real = haps[np.repeat((ids[1] == "real").to_numpy(), 2)]
    assert all(tuple(r) in rows for r in real)
    poplist = (base / "painting/chromopainter.poplist").read_text().split("\n")
    assert "YRI D" in poplist and "CHB D" in poplist and "real R" in poplist


def test_phenotype_contingency_counts_real_individuals(smoke_run):
    base = smoke_run / "results/pheno"
    table = pd.read_csv(base / "phenotype/contingency.tsv", sep="\t")
    assert table.set.iloc[0] == "real" and set(table.set) == {"real", *MODELS}
    assert (table.set.value_counts() == 3).all()
    info = yaml.safe_load((base / "data/dataset.json").read_text())
    legend = pd.read_csv(base / "data/snps.legend", sep=" ")
    site = int(np.flatnonzero(legend.position == int(info["causal_site"].split(":")[1]))[0])
    real = np.concatenate([read_hapt(base / f"data/{s}.hapt.gz")[1] for s in ("train", "test")])
    genotype = real[:, 2 * site] + real[:, 2 * site + 1]
    rows = table[table.set == "real"].set_index("genotype")
    for g in (0, 1, 2):
        for p in (0, 1):
            want = int(((genotype == g) & (real[:, -1] == p)).sum())
            assert rows.loc[g, f"phenotype_{p}"] == want
    metrics = pd.read_csv(base / "metrics.tsv", sep="\t")
    p_real = metrics[(metrics.model == "real") & (metrics.metric == "phenotype_p_value")].value
    table = np.array([[rows.loc[g, f"phenotype_{p}"] for p in (0, 1)] for g in (0, 1, 2)])
    assert p_real.tolist() == [pytest.approx(phenotype.association(table)["p_value"])]


def test_downstream_figures_are_drawn(smoke_run):
    """What they draw is checked on hand-made data (tests/unit/test_downstream_figures.py)."""
    figures = [f"scan/figures/{f}.png" for f in ("imputation", "selection_xpehh", "selection_pbs")]
    missing = [f for f in [*figures, "pheno/figures/phenotype.png"]
               if not (smoke_run / "results" / f).is_file()]  # fmt: skip
    assert not missing


def test_pbs_window_change_reruns_only_pbs(smoke_run, tmp_path):
    config = yaml.safe_load((REPO / "config/smoke.yaml").read_text())
    config["downstream"]["selection"]["pbs"] = {"window_size": 8}
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(config))
    jobs = _scheduled_jobs(run_snakemake(smoke_run, "--configfile", str(edited), "-n").stdout)
    rules = {r for r, _ in jobs}
    assert rules == {
        "scan_selection",
        "gather_metrics",
        "summarize_metrics",
        "make_reproduction_table",
        "all",
    }
    assert [w for r, w in jobs if r == "scan_selection"] == ["ds=scan, statistic=pbs"]
