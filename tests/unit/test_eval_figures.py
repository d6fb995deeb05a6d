"""Every evaluation figure writes a PNG atomically and returns the numbers it draws."""

import functools
import subprocess
import sys

import matplotlib.image
import numpy as np
import pandas as pd
import pytest

from genosynth import evaluate
from genosynth.errors import GenosynthError
from genosynth.evaluate import figures
from genosynth.evaluate.ld import ld_decay
from genosynth.evaluate.privacy import aats_sensitivity, privacy_metrics
from genosynth.plotting import HELD_OUT


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


def test_umap_imports_without_tensorflow():
    """umap-learn's package init would import TensorFlow (seconds) for ParametricUMAP."""
    code = (
        "import sys; from genosynth.evaluate.figures import _import_umap; "
        "u = _import_umap(); print(hasattr(u, 'UMAP'), 'tensorflow' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.split() == ["True", "False"], proc.stderr[-2000:]


def test_pairwise_differences_counts_hand_worked(tmp_path):
    """Three rows 000, 011, 111: pair distances 2, 3, 1; the model's 00/00 pair: 0."""
    real = np.array([[0, 0, 0], [0, 1, 1], [1, 1, 1]], dtype=np.int8)
    ag = np.zeros((2, 3), dtype=np.int8)
    path = tmp_path / "pairwise_differences.png"
    drawn = figures.plot_pairwise_differences(path, real, {"zeros": ag})
    assert_png(path)
    np.testing.assert_array_equal(drawn["bin_edges"], [-0.5, 0.5, 1.5, 2.5, 3.5])
    np.testing.assert_array_equal(drawn["counts"]["real"], [0, 1, 1, 1])
    np.testing.assert_array_equal(drawn["counts"]["zeros"], [1, 0, 0, 0])


def test_rbm_hidden_draws_the_principal_components(tmp_path):
    """Activations varying along one direction only: PC1 is that coordinate (up to sign), PC2 0;
    AGs are projected on the real PCs."""
    t = np.array([-1.5, -0.5, 0.5, 1.5])
    x = np.stack([t, 2 * t], axis=1) + 0.5  # one direction (1, 2) / sqrt(5)
    path = tmp_path / "rbm_hidden.png"
    drawn = figures.plot_rbm_hidden(
        path, x, ["A", "A", "B", "B"], ag_activations=np.array([[0.5, 0.5]])
    )
    assert_png(path)
    sign = np.sign(drawn["real"][-1, 0])
    np.testing.assert_allclose(sign * drawn["real"][:, 0], t * np.sqrt(5))
    np.testing.assert_allclose(drawn["real"][:, 1], 0, atol=1e-12)
    np.testing.assert_allclose(sign * drawn["AGs"][0, 0], 0.0, atol=1e-12)  # the mean


def test_allele_frequency_of_a_4x3_matrix(tmp_path):
    real = np.array([[1, 0, 0], [1, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=np.int8)
    ag = np.array([[0, 1, 1], [0, 1, 0]], dtype=np.int8)
    path = tmp_path / "allele_frequency.png"
    drawn = figures.plot_allele_frequency(path, real, {"m": ag})
    assert_png(path)
    np.testing.assert_allclose(drawn["real"], [0.75, 0.25, 0.0])
    np.testing.assert_allclose(drawn["m"], [0.0, 1.0, 0.5])


def test_fixed_alleles_bars(tmp_path):
    """Site 0 polymorphic in real, fixed in the AGs (lost); site 2 the other way (gained)."""
    real = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 0]], dtype=np.int8)
    ag = np.array([[1, 0, 1], [1, 1, 0], [1, 0, 0]], dtype=np.int8)
    path = tmp_path / "fixed_alleles.png"
    table = figures.plot_fixed_alleles(path, real, {"m": ag, "copy": real}, train=real)
    assert_png(path)
    assert table.loc["m", "lost"] == 1 and table.loc["m", "gained"] == 1
    assert table.loc["copy", "lost"] == 0 and table.loc["copy", "gained"] == 0
    # sampling 3 rows at p = 0.5 leaves a site fixed with chance 2 / 8; two such sites
    assert table.loc["m", "by_chance"] == pytest.approx(2 * 0.25)


def test_closest_distance_tables(tmp_path):
    real = np.array([[0, 0, 0, 0], [1, 1, 1, 1], [1, 1, 1, 0]], dtype=np.int8)
    ag = np.array([[0, 0, 0, 1]], dtype=np.int8)
    path = tmp_path / "closest_distance.png"
    drawn = figures.plot_closest_distance(path, real, {"m": ag})
    assert_png(path)
    assert drawn["m"]["to_closest_ag"].tolist() == [1, 3, 4]
    assert drawn["m"]["to_closest_real"].tolist() == [3, 1, 1]


def test_ld_matrix_of_perfectly_linked_sites(tmp_path):
    """Real: sites 0 and 1 perfectly linked (r² = 1), 0 and 2 independent (r² = 0); the AGs the
    other way round. Real r² below the diagonal, AG r² above."""
    real = np.array([[0, 0, 1], [0, 0, 0], [1, 1, 1], [1, 1, 0]], dtype=np.int8)
    ag = np.array([[0, 0, 0], [0, 1, 0], [1, 0, 1], [1, 1, 1]], dtype=np.int8)
    path = tmp_path / "ld_matrix.png"
    drawn = figures.plot_ld_matrix(path, real, {"m": ag}, max_sites=3)
    assert_png(path)
    np.testing.assert_array_equal(drawn["sites"], [0, 1, 2])
    matrix = drawn["m"]
    assert matrix[1, 0] == pytest.approx(1.0) and matrix[2, 0] == pytest.approx(0.0)  # real
    assert matrix[0, 1] == pytest.approx(0.0) and matrix[0, 2] == pytest.approx(1.0)  # AG
    assert np.isnan(np.diag(matrix)).all()
    two = figures.plot_ld_matrix(tmp_path / "two.png", real, {"m": ag}, max_sites=2)
    assert two["m"].shape == (2, 2)


def test_ld_decay_scales_to_the_real_curves_not_a_collapsed_model(tmp_path):
    def decay(values):
        return pd.DataFrame({"bin_start": [0.0, 1000.0], "bin_end": [1000.0, 2000.0],
                             "mean_r2": values, "n_pairs": [5, 5]})  # fmt: skip

    path = tmp_path / "ld_decay.png"
    drawn = figures.plot_ld_decay(
        path,
        decay([0.2, 0.1]),
        {HELD_OUT: decay([0.24, 0.1]), "good": decay([0.18, 0.05]), "collapsed": decay([0.9, 0.9])},
    )
    assert_png(path)
    assert drawn["off_scale"] == ["collapsed"]
    assert drawn["ylim"] == pytest.approx((0.0, 1.15 * 0.24))
    np.testing.assert_allclose(drawn["curves"]["real"]["distance_kb"], [0.5, 1.5])
    np.testing.assert_allclose(drawn["curves"]["good"]["mean_r2"], [0.18, 0.05])


def test_ld_decay_of_haplotypes(tmp_path, data):
    real, _, ags, _ = data
    pos = np.arange(real.shape[1]) * 1000
    decays = {k: ld_decay(v, pos, n_bins=10) for k, v in ags.items()}
    drawn = figures.plot_ld_decay(tmp_path / "ld.png", ld_decay(real, pos, n_bins=10), decays)
    np.testing.assert_allclose(drawn["curves"]["copies"]["mean_r2"], decays["copies"]["mean_r2"])


def test_aats_bars_and_error_bars(tmp_path):
    metrics = {
        HELD_OUT: {"aats_train": 0.52, "aa_truth_train": 0.5, "aa_syn_train": 0.54},
        "m": {"aats_train": 0.9, "aats_test": 0.8, "privacy_loss": -0.1, "privacy_loss_se": 0.02},
    }
    path = tmp_path / "aats.png"
    table = figures.plot_aats(path, metrics)
    assert_png(path)
    assert list(table.index) == [HELD_OUT, "m"]
    assert table.loc[HELD_OUT, "aats_train"] == 0.52 and np.isnan(table.loc[HELD_OUT, "aats_test"])
    assert table.loc["m", "privacy_loss"] == -0.1 and table.loc["m", "privacy_loss_se"] == 0.02


def test_aats_of_privacy_metrics_and_sensitivity(tmp_path, data):
    real, test, ags, _ = data
    metrics = {k: privacy_metrics(real, test, v) for k, v in ags.items()}
    table = figures.plot_aats(tmp_path / "aats.png", metrics)
    assert table.loc["copies", "aats_train"] == metrics["copies"]["aats_train"]
    tables = {k: aats_sensitivity(real, test, v, n_planted=(1, 5, 10)) for k, v in ags.items()}
    path = tmp_path / "sens" / "aats_sensitivity.png"
    drawn = figures.plot_aats_sensitivity(path, tables)
    assert_png(path)
    pd.testing.assert_frame_equal(drawn["bernoulli"], tables["bernoulli"][list(drawn["bernoulli"])])


def test_training_puts_losses_energies_and_aats_on_separate_axes(tmp_path):
    gan = pd.DataFrame(
        {
            "epoch": [1, 2, 3, 4],
            "d_loss": [0.7, 0.6, 0.65, 0.6],
            "g_loss": [0.9, 1.1, 1.0, 0.95],
            "aats": [np.nan, 0.8, np.nan, 0.55],
        }
    )
    rbm = pd.DataFrame({"epoch": [1, 2], "free_energy_train": [-330.0, -320.0],
                        "free_energy_gap": [0.5, -0.2],
                        "reconstruction_error": [0.2, 0.1], "epoch_s": [0.5, 0.4],
                        "aats": [0.9, 0.7]})  # fmt: skip
    path = tmp_path / "training.png"
    panels = figures.plot_training(path, {"gan": gan, "rbm": rbm})
    assert_png(path)
    assert set(panels) == {"adversarial accuracy (ideal 0.5)", "gan losses", "rbm losses",
                           "rbm free energy", "rbm free-energy gap"}  # fmt: skip
    accuracy = panels["adversarial accuracy (ideal 0.5)"]
    assert accuracy["gan aats"].dropna().to_dict() == {2: 0.8, 4: 0.55}
    assert accuracy["rbm aats"].dropna().to_dict() == {1: 0.9, 2: 0.7}
    assert list(panels["rbm free energy"].columns) == ["free_energy_train"]
    assert list(panels["rbm losses"].columns) == ["reconstruction_error"]  # no timing
    one = figures.plot_training(
        tmp_path / "t2" / "training.png", {"epoch": [0, 1], "loss": [1.0, 0.5]}
    )
    assert one["losses"]["loss"].tolist() == [1.0, 0.5]
    closed = {
        "markov": {"epoch": [1], "seconds": [0.5]},
        "copying": {"epoch": [1], "seconds": [2.0]},
    }
    times = figures.plot_training(tmp_path / "t4" / "training.png", closed)["fit time (s)"]
    assert times.loc[1].to_dict() == {"markov seconds": 0.5, "copying seconds": 2.0}
    with pytest.raises(GenosynthError, match="no numeric column"):
        figures.plot_training(tmp_path / "t3" / "x.png", {"epoch": [0, 1]})
    assert not (tmp_path / "t3" / "x.png").exists()


def test_haplostrips_sorts_rows_by_distance_to_the_consensus(tmp_path):
    real = np.array([[1, 1, 0], [0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]], dtype=np.int8)
    ag = np.array([[0, 0, 0], [1, 1, 0]], dtype=np.int8)
    path = tmp_path / "haplostrips.png"
    drawn = figures.plot_haplostrips(path, real, {"m": ag}, min_maf=0.2)
    assert_png(path)
    # site 2 is monomorphic (dropped); consensus over sites 0-1 (p = 3/5) is (1, 1): distances
    # 0, 2, 1, 0, 1, sorted stably
    np.testing.assert_array_equal(drawn["real"], [[1, 1], [1, 1], [1, 0], [0, 1], [0, 0]])
    np.testing.assert_array_equal(drawn["m"], [[1, 1], [0, 0]])


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


def test_steps_draw_the_held_out_yardstick(tmp_path, data, monkeypatch):
    from genosynth import pca as pca_lib
    from genosynth.steps import evaluate as evaluate_steps

    real, test, ags, groups = data
    ev = evaluate_steps.Evaluation(
        dataset="toy",
        layout="haplotypes",
        train=real,
        test=test,
        groups=np.concatenate([groups, np.repeat("EUR", len(test))]),
        positions=np.arange(real.shape[1], dtype=np.int64) * 1000,
        ags=ags,
    )
    rows = evaluate_steps.ld_decay(ev, tmp_path / "ld_decay.png", {"n_bins": 5})
    got = {(m, k): v for m, k, v in rows}
    everything = np.concatenate([real, test])
    want = evaluate.ld_decay_mae(
        ld_decay(everything, ev.positions, n_bins=5), ld_decay(test, ev.positions, n_bins=5)
    )
    assert got["real", "ld_decay_mae"] == pytest.approx(want)
    import genosynth.plotting

    calls = []
    plot = genosynth.plotting.plot_pca
    monkeypatch.setattr(
        genosynth.plotting, "plot_pca", lambda *a, **k: calls.append((a, k)) or plot(*a, **k)
    )
    evaluate_steps.pca_figure(ev, tmp_path / "pca.png", {"n_components": 4})
    ((args, kwargs),) = calls
    assert list(args[3]) == [HELD_OUT, "bernoulli", "copies"]
    fit = pca_lib.fit_pca(everything, n_components=4)
    np.testing.assert_allclose(args[3][HELD_OUT], pca_lib.project(fit, test))
    assert list(kwargs["ag_groups_by_model"][HELD_OUT]) == ["EUR"] * len(test)
    assert kwargs["title"].startswith("toy: ")

    import genosynth.evaluate.figures

    drawn = []
    umap_plot = genosynth.evaluate.figures.plot_umap

    @functools.wraps(umap_plot)  # the step reads the default title from the signature
    def spy(*a, **k):
        drawn.append(umap_plot(*a, **k))
        return drawn[-1]

    monkeypatch.setattr(genosynth.evaluate.figures, "plot_umap", spy)
    evaluate_steps.umap(ev, tmp_path / "umap.png", {"max_per_set": None, "n_neighbors": 5})
    (parts,) = drawn
    assert list(parts) == ["real", HELD_OUT, "bernoulli", "copies"]
    assert [len(parts[k]) for k in parts] == [len(real), len(test), *map(len, ags.values())]


def test_ag_super_populations_from_the_sample_record(tmp_path):
    """A pop-conditional model's AGs record pops (mapped to super-populations through the
    panel); a super_pop model's are kept; an unconditional model's or a file without a
    record give none."""
    from genosynth import formats
    from genosynth.provenance import record
    from genosynth.steps.evaluate import ag_super_populations

    panel = pd.DataFrame({"pop": ["CEU", "YRI", "CHB"], "super_pop": ["EUR", "AFR", "EAS"]})
    ags = np.zeros((3, 2), dtype=np.int8)
    cases = {
        "pop": (["YRI", "CEU", "YRI"], ["AFR", "EUR", "AFR"]),
        "super_pop": (["EAS", "EUR", "EAS"], ["EAS", "EUR", "EAS"]),
        "none": (None, []),
    }
    for column, (classes, want) in cases.items():
        path = tmp_path / f"{column}.hapt.gz"
        made = record("sample", seed=1, params={"training": {"conditional": column},
                                                "ag_classes": classes})  # fmt: skip
        formats.write_hapt(path, ags, ["a", "b", "c"], provenance=made)
        assert ag_super_populations(path, panel).tolist() == want, column
    formats.write_hapt(tmp_path / "bare.hapt.gz", ags, ["a", "b", "c"])
    assert ag_super_populations(tmp_path / "bare.hapt.gz", panel).tolist() == []
