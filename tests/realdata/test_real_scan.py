"""Selection scans and the imputation benchmark on the paper's 10K chr15 region (`scan`), from
the documented config/real_scan.yaml with paths pointed at GENOSYNTH_SHARED_DATA."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import REPO, run_snakemake

pytestmark = pytest.mark.realdata

TARGETS = [
    "results/scan/figures/selection_xpehh.png",
    "results/scan/figures/selection_pbs.png",
    "results/scan/figures/imputation.png",
    "results/scan/painting/chromopainter.phase",
]


@pytest.fixture(scope="module")
def real_scan_run(shared_data, tmp_path_factory):
    text = (REPO / "config/real_scan.yaml").read_text().replace("../shared/data", str(shared_data))
    settings = yaml.safe_load(text)
    # The closed-form models only: the config's GAN and RBM train for 20 and 14 min on 2 cores,
    # too long for a suite kept under 20; their readouts are unit-tested (test_gan, test_rbm)
    # and their scans measured in the config.
    settings["models"] = {m: settings["models"][m] for m in ("bernoulli", "markov", "copying")}
    workdir = tmp_path_factory.mktemp("realscan")
    config = workdir / "config.yaml"
    config.write_text(yaml.safe_dump(settings))
    run_snakemake(workdir, "--configfile", str(config), "--cores", "2", *TARGETS)
    return workdir


def metric(workdir, name: str, stat: str) -> pd.Series:
    table = pd.read_csv(workdir / f"results/scan/metrics/{name}.tsv", sep="\t")
    return table[table.metric == stat].set_index("model")["value"]


def test_scan_dataset_uses_eur_target_and_clustered_third_group(real_scan_run):
    panel = pd.read_csv(
        real_scan_run / "results/scan/data/panel.tsv", sep="\t", keep_default_na=False
    )
    assert set(panel.loc[panel.split != "other", "super_pop"]) == {"EUR"}
    assert panel.loc[panel.split == "other", "super_pop"].value_counts().to_dict() == {
        "NA": 2682,
        "AFR": 1322,
    }
    log = (real_scan_run / "results/logs/scan_selection/scan/pbs.log").read_text()
    assert "complementary groups: ['AFR', 'NA1']" in log
    assert "unlabelled haplotypes clustered" in log


def test_xpehh_and_pbs_follow_the_real_scans(real_scan_run):
    xpehh = pd.read_csv(real_scan_run / "results/scan/selection/xpehh.tsv", sep="\t")
    assert len(xpehh) == 2000 and xpehh.real.notna().sum() > 1000
    r_xpehh = metric(real_scan_run, "selection_xpehh", "xpehh_pearson_r")
    r_pbs = metric(real_scan_run, "selection_pbs", "pbs_pearson_r")
    # The Markov chain keeps local haplotype structure: its scans follow the real ones;
    # Bernoulli AGs (independent sites) keep allele frequencies (PBS) but not haplotypes (XP-EHH).
    assert r_xpehh["markov"] > XPEHH_MARKOV_MIN
    assert r_pbs["markov"] > PBS_MARKOV_MIN and r_pbs["bernoulli"] > PBS_MARKOV_MIN
    assert r_xpehh["bernoulli"] < r_xpehh["markov"]
    # Mosaics of 100-SNP training segments keep the extended haplotypes XP-EHH measures.
    assert r_xpehh["copying"] > XPEHH_COPYING_MIN and r_pbs["copying"] > PBS_MARKOV_MIN


def test_imputation_scores_and_baseline_panels(real_scan_run):
    """Measured (2,000 SNPs; the 126 held-out EUR individuals split by reference_share 0.5: 63
    imputed, 63 in the reference beside AFR and the unlabelled haplotypes): the reference
    imputes EUR well (rare-bin r2 0.896). AG panels of the closed-form models add no EUR
    haplotypes it lacks: gains -0.009 to +0.002 in every bin (copying -0.005 +- 0.003 in the
    rare bin). The yardstick `real` (the EUR training haplotypes themselves) gains +0.011 +-
    0.003 there, +0.003 to +0.012 in the other bins."""
    table = pd.read_csv(real_scan_run / "results/scan/imputation/accuracy.tsv", sep="\t")
    assert set(table.panel) == {"reference", "real", "bernoulli", "markov", "copying"}
    ref = table[table.panel == "reference"].reset_index(drop=True)
    # 1,600 masked (400 SNPs on the array); scored: the 1,531 polymorphic among the targets
    assert ref.n_sites.tolist()[0] > 400 and ref.n_sites.sum() == 1531
    assert np.isfinite(ref[["mean_dr2", "dosage_r2"]]).all().all()
    assert ref.dosage_r2[0] > 0.85 and (ref.dosage_r2[1:] > 0.85).all()
    for model in ("bernoulli", "markov", "copying"):
        part = table[table.panel == model].reset_index(drop=True)
        np.testing.assert_allclose(part.r2_gain, part.dosage_r2 - ref.dosage_r2, atol=1e-9)
        assert np.abs(part.r2_gain).max() < 0.015, model
        # paired-bootstrap SE of a gain over 63 individuals: measured 0.0017-0.0052 per bin
        assert part.r2_gain_se.between(0.0005, 0.008).all(), model
    real = table[table.panel == "real"].reset_index(drop=True)
    assert real.r2_gain[0] > 2 * real.r2_gain_se[0]  # the rare bin (MAF < 0.05) gains
    assert (real.r2_gain > 0).all()
    copying = table[table.panel == "copying"].reset_index(drop=True)
    assert real.r2_gain[0] > copying.r2_gain[0] + 2 * copying.r2_gain_se[0]


XPEHH_MARKOV_MIN = 0.85  # measured 0.931 (Bernoulli 0.183)
PBS_MARKOV_MIN = 0.98  # measured 0.996 (Bernoulli 0.998, copying 0.995)
XPEHH_COPYING_MIN = 0.88  # measured 0.921 (segment_sites 100)


def test_context_repair_mends_planted_flips_on_real_haplotypes(real_scan_run):
    """Measured (752 EUR training haplotypes x 2,000 SNPs, flank 3, support 1): 0.81 alleles
    flipped per held-out real haplotype; with 10 alleles per haplotype flipped at random
    (probability 0.005, seed 0) it restores 63 % of them and the errors fall 10.0 -> 5.6."""
    from genosynth.formats import read_hapt_matrix
    from genosynth.repair import repair_context_alleles

    train = read_hapt_matrix(real_scan_run / "results/scan/data/train.hapt.gz")[1]
    test = read_hapt_matrix(real_scan_run / "results/scan/data/test.hapt.gz")[1]
    assert train.shape == (752, 2000) and test.shape == (252, 2000)
    _, flips = repair_context_alleles(train, test)
    assert 0.3 < flips.mean() < 1.5
    planted = np.random.default_rng(0).random(test.shape) < 0.005
    noisy = np.where(planted, 1 - test, test).astype(np.int8)
    repaired, _ = repair_context_alleles(train, noisy)
    assert 0.5 < (repaired[planted] == test[planted]).mean() < 0.8
    errors_before = (noisy != test).sum() / len(test)
    errors_after = (repaired != test).sum() / len(test)
    assert 9 < errors_before < 11 and errors_after < 0.65 * errors_before
