"""Every evaluation figure writes a non-blank PNG atomically."""

import matplotlib.image
import numpy as np
import pandas as pd
import pytest

from genosynth.errors import GenosynthError
from genosynth.evaluate import figures
from genosynth.evaluate.ld import ld_decay
from genosynth.evaluate.privacy import aats_sensitivity, privacy_metrics


def population(n, m=40, seed=0, p=None):
    rng = np.random.default_rng(seed)
    if p is None:
        p = np.random.default_rng(99).uniform(0.1, 0.9, m)
    return (rng.random((n, m)) < p).astype(np.int8)


@pytest.fixture(scope="module")
def data():
    real = population(30, seed=1)
    test = population(20, seed=2)
    ags = {"bernoulli": population(20, seed=3), "copies": real[:20].copy()}
    ags["copies"][:, 0] = 1  # fixes a real-polymorphic site in this "model"
    groups = np.repeat(["EUR", "AFR"], 15)
    return real, test, ags, groups


def assert_png(path):
    assert path.exists()
    image = matplotlib.image.imread(path)
    assert image.ndim == 3 and image.std() > 0
    leftovers = [p.name for p in path.parent.iterdir() if p != path]
    assert leftovers == [], leftovers


def test_umap_embeds_real_and_ags_together(tmp_path):
    """Two real groups with opposite allele frequencies and AGs drawn like the first: the
    shared embedding keeps the groups apart and puts the AGs with the first."""
    p = np.random.default_rng(99).uniform(0.1, 0.3, 40)
    real = np.concatenate([population(30, seed=1, p=p), population(30, seed=2, p=1 - p)])
    groups = np.repeat(["A", "B"], 30)
    ags = {"like_a": population(25, seed=3, p=p), "many": population(80, seed=4, p=p)}
    path = tmp_path / "umap.png"
    parts = figures.plot_umap(path, real, ags, real_groups=groups, max_per_set=50, random_state=0)
    assert_png(path)
    assert list(parts) == ["real", "like_a", "many"]
    assert [v.shape for v in parts.values()] == [(50, 2), (25, 2), (50, 2)]  # subsampled to 50
    rng = np.random.default_rng(0)  # the subsample plot_umap drew for the real set
    kept = groups[np.sort(rng.choice(60, 50, replace=False))]
    a, b = (parts["real"][kept == g].mean(axis=0) for g in ("A", "B"))
    spread = max(parts["real"][kept == g].std(axis=0).max() for g in ("A", "B"))
    assert np.linalg.norm(a - b) > 3 * spread
    for name in ("like_a", "many"):
        centre = parts[name].mean(axis=0)
        assert np.linalg.norm(centre - a) < np.linalg.norm(centre - b) / 3


def test_pairwise_differences(tmp_path, data):
    real, _, ags, _ = data
    path = tmp_path / "pairwise_differences.png"
    figures.plot_pairwise_differences(path, real, ags)
    assert_png(path)


def test_rbm_hidden(tmp_path, data):
    real, _, _, groups = data
    rng = np.random.default_rng(0)
    weights = rng.normal(size=(real.shape[1], 8))
    hidden = 1 / (1 + np.exp(-(real @ weights)))
    path = tmp_path / "rbm_hidden.png"
    figures.plot_rbm_hidden(path, hidden, groups, ag_activations=hidden[:10] * 0.9)
    assert_png(path)


def test_allele_frequency(tmp_path, data):
    real, _, ags, _ = data
    path = tmp_path / "allele_frequency.png"
    figures.plot_allele_frequency(path, real, ags)
    assert_png(path)


def test_fixed_alleles(tmp_path, data):
    real, _, ags, _ = data
    path = tmp_path / "fixed_alleles.png"
    figures.plot_fixed_alleles(path, real, ags, train=real[: len(real) // 2])
    assert_png(path)


def test_closest_distance(tmp_path, data):
    real, _, ags, _ = data
    path = tmp_path / "closest_distance.png"
    figures.plot_closest_distance(path, real, ags)
    assert_png(path)


def test_ld_matrix(tmp_path, data):
    real, _, ags, _ = data
    path = tmp_path / "ld_matrix.png"
    figures.plot_ld_matrix(path, real, ags, max_sites=25)
    assert_png(path)


def test_ld_decay(tmp_path, data):
    real, _, ags, _ = data
    pos = np.arange(real.shape[1]) * 1000
    path = tmp_path / "ld_decay.png"
    decays = {k: ld_decay(v, pos, n_bins=10) for k, v in ags.items()}
    figures.plot_ld_decay(path, ld_decay(real, pos, n_bins=10), decays)
    assert_png(path)


def test_aats_and_sensitivity(tmp_path, data):
    real, test, ags, _ = data
    metrics = {k: privacy_metrics(real, test, v) for k, v in ags.items()}
    path = tmp_path / "aats.png"
    figures.plot_aats(path, metrics)
    assert_png(path)
    tables = {k: aats_sensitivity(real, test, v, n_planted=(1, 5, 10)) for k, v in ags.items()}
    path = tmp_path / "sens" / "aats_sensitivity.png"
    figures.plot_aats_sensitivity(path, tables)
    assert_png(path)


def test_training(tmp_path):
    log = pd.DataFrame(
        {
            "epoch": [0, 1, 2, 3],
            "d_loss": [0.7, 0.6, 0.65, 0.6],
            "g_loss": [0.9, 1.1, 1.0, 0.95],
            "aats": [0.99, 0.8, 0.6, 0.55],
        }
    )
    path = tmp_path / "training.png"
    figures.plot_training(path, log)
    assert_png(path)
    path = tmp_path / "t2" / "training.png"
    figures.plot_training(path, {"epoch": [0, 1], "loss": [1.0, 0.5]})
    assert_png(path)
    with pytest.raises(GenosynthError, match="no numeric column"):
        figures.plot_training(tmp_path / "t3" / "x.png", {"epoch": [0, 1]})
    assert not (tmp_path / "t3" / "x.png").exists()


def test_haplostrips(tmp_path, data):
    real, _, ags, _ = data
    path = tmp_path / "haplostrips.png"
    figures.plot_haplostrips(path, real, ags)
    assert_png(path)


def test_haplostrips_step_writes_local_haplotype_rows(tmp_path, data):
    from genosynth.evaluate import local_haplotype_spectrum
    from genosynth.steps import evaluate as evaluate_steps

    real, test, ags, groups = data
    train = real
    ev = evaluate_steps.Evaluation(
        dataset="toy",
        layout="haplotypes",
        train=train,
        test=test,
        groups=np.concatenate([groups, np.repeat("EUR", len(test))]),
        positions=np.arange(train.shape[1], dtype=np.int64),
        ags={"copies": np.concatenate([train, train]), "bernoulli": ags["bernoulli"]},
    )
    settings = {"min_maf": 0.05, "max_rows": 50, "seed": 0, "window": 4}
    rows = evaluate_steps.haplostrips(ev, tmp_path / "h.png", settings)
    got = {(model, metric): value for model, metric, value in rows}
    assert set(got) == {
        (m, k)
        for m in ("real", "copies", "bernoulli")
        for k in ("local_haplotype_tv", "local_haplotype_unseen")
    }
    # copies of training rows carry no unseen local haplotype; the held-out rows are scored
    # whole (20 rows) and the 20-row bernoulli set is taken whole too
    assert got["copies", "local_haplotype_unseen"] == 0.0
    want = local_haplotype_spectrum(train, test, window=4)
    assert got["real", "local_haplotype_tv"] == pytest.approx(want["tv"])
    want = local_haplotype_spectrum(train, ags["bernoulli"], window=4)
    assert got["bernoulli", "local_haplotype_unseen"] == pytest.approx(want["unseen"])
    assert_png(tmp_path / "h.png")
