"""PCA of haplotypes (paper Fig. 1), its metrics and its figure."""

from types import SimpleNamespace

import numpy as np
import pytest

from genosynth.errors import GenosynthError
from genosynth.pca import (
    PCAResult,
    _between_within_ratio,
    explained_variance_ratio,
    fit_pca,
    pca_metrics,
    project,
)
from genosynth.plotting import plot_pca


def two_populations(n_per=100, n_sites=300, seed=0):
    """Populations with opposite allele frequencies at most SNPs (strong PC1)."""
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.05, 0.95, n_sites)
    freq = np.stack([p, 1 - p])
    groups = np.repeat(["EUR", "AFR"], n_per)
    h = (rng.random((2 * n_per, n_sites)) < freq[np.repeat([0, 1], n_per)]).astype(np.int8)
    h[:, :3] = 0  # monomorphic SNPs must not break the scaling
    return h, groups


@pytest.fixture(scope="module")
def data():
    h, groups = two_populations()
    return h, groups, fit_pca(h)


def metric(rows, model, name):
    (value,) = [v for m, k, v in rows if m == model and k == name]
    return value


def test_fit_shapes_and_standardisation(data):
    h, _, pca = data
    assert isinstance(pca, PCAResult)
    assert pca.components.shape == (6, h.shape[1])
    assert pca.real_scores.shape == (h.shape[0], 6)
    np.testing.assert_allclose(pca.mean, h.mean(axis=0))
    np.testing.assert_array_equal(pca.scale[:3], 1.0)
    np.testing.assert_allclose(pca.components[:, :3], 0.0, atol=1e-12)
    np.testing.assert_allclose(pca.components @ pca.components.T, np.eye(6), atol=1e-10)
    assert np.all(np.diff(pca.explained_variance) <= 1e-12)
    # sign convention: largest-|loading| entry positive
    pivot = np.argmax(np.abs(pca.components), axis=1)
    assert (pca.components[np.arange(6), pivot] > 0).all()


def test_matches_full_svd(data):
    h, _, pca = data
    x = (h - pca.mean) / pca.scale
    _, s, _ = np.linalg.svd(x, full_matrices=False)
    np.testing.assert_allclose(pca.explained_variance, s[:6] ** 2 / (h.shape[0] - 1), rtol=1e-8)


def test_tall_matrix_uses_covariance_path():
    h, _ = two_populations(n_per=60, n_sites=40, seed=3)
    pca = fit_pca(h, n_components=4)
    x = (h - pca.mean) / pca.scale
    _, s, vt = np.linalg.svd(x, full_matrices=False)
    np.testing.assert_allclose(pca.explained_variance, s[:4] ** 2 / (h.shape[0] - 1), rtol=1e-8)
    np.testing.assert_allclose(np.abs(pca.components), np.abs(vt[:4]), atol=1e-8)


def test_pc1_separates_groups_and_projection_reproduces_scores(data):
    h, groups, pca = data
    np.testing.assert_allclose(project(pca, h), pca.real_scores, atol=1e-10)
    rows = pca_metrics(pca, pca.real_scores, {}, groups)
    assert metric(rows, "real", "pc12_separation") > 10
    assert metric(rows, "real", "pc1_variance") == pytest.approx(pca.explained_variance[0])
    names = [k for m, k, _ in rows]
    assert names == [f"pc{k}_variance" for k in range(1, 7)] + ["pc12_separation"] + [
        "share_AFR",
        "share_EUR",
        "groups_represented",
    ]


def test_na_groups_ignored(data):
    h, groups, pca = data
    g = groups.copy()
    g[::7] = "NA"
    rows = pca_metrics(pca, pca.real_scores, {}, g)
    keep = g != "NA"
    want = _between_within_ratio(pca.real_scores[keep, :2], g[keep])
    assert metric(rows, "real", "pc12_separation") == pytest.approx(want)


def test_separation_left_out_with_one_group(data):
    h, groups, pca = data
    rows = pca_metrics(pca, pca.real_scores, {"m": pca.real_scores}, np.full(len(h), "EUR"))
    names = [k for _, k, _ in rows]
    assert "pc12_separation" not in names
    assert "pc1_variance" in names and "pc1_variance_ratio" in names
    assert all(np.isfinite(v) for _, _, v in rows)


def test_between_within_hand_computed():
    z = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 0.0], [12.0, 0.0]])
    # centroids 1 and 11, overall 6: between = (2*25 + 2*25)/4 = 25; within = 4*1/4 = 1
    assert _between_within_ratio(z, np.array(["a", "a", "b", "b"])) == pytest.approx(25.0)
    assert np.isnan(_between_within_ratio(z, np.array(["a"] * 4)))


def test_variance_ratio_of_real_copy_is_one(data):
    h, groups, pca = data
    rows = pca_metrics(pca, pca.real_scores, {"copy": project(pca, h)}, groups)
    for k in range(1, 7):
        assert metric(rows, "copy", f"pc{k}_variance_ratio") == pytest.approx(1.0)
    assert metric(rows, "copy", "pc12_centroid_distance") == pytest.approx(0.0, abs=1e-10)


def test_independent_samples_lose_pc1_variance(data):
    h, groups, pca = data
    rng = np.random.default_rng(5)
    ag = (rng.random((500, h.shape[1])) < h.mean(axis=0)).astype(np.int8)
    shifted = pca.real_scores + [pca.real_scores[:, 0].std() * 2, 0, 0, 0, 0, 0]
    rows = pca_metrics(pca, pca.real_scores, {"bernoulli": project(pca, ag), "s": shifted}, groups)
    assert metric(rows, "bernoulli", "pc1_variance_ratio") < 0.2
    assert metric(rows, "bernoulli", "pc12_centroid_distance") < 0.2
    assert metric(rows, "s", "pc12_centroid_distance") > 1.0
    per_model = [
        m for m, k, _ in rows if not k.startswith(("share_", "groups_", "pc12_centroid_distance_"))
    ]
    assert per_model[-7:] == ["s"] * 7


def test_errors(data):
    h, _, pca = data
    with pytest.raises(GenosynthError):
        project(pca, h[:, :10])
    with pytest.raises(GenosynthError):
        fit_pca(h[:5], n_components=6)


def test_plot_pca_draws_the_scores_with_variance_explained(data, tmp_path):
    h, groups, pca = data
    rng = np.random.default_rng(6)
    ag = (rng.random((80, h.shape[1])) < h.mean(axis=0)).astype(np.int8)
    path = tmp_path / "fig" / "pca.png"
    ag_scores = project(pca, ag)
    drawn = plot_pca(
        path,
        pca.real_scores,
        groups,
        {"bernoulli": ag_scores, "copy": pca.real_scores[:50]},
        title="test",
        variance_explained=explained_variance_ratio(pca),
        ag_groups_by_model={"copy": groups[:50]},
    )
    assert [p.name for p in path.parent.iterdir()] == ["pca.png"]
    np.testing.assert_array_equal(drawn["scores"]["real"], pca.real_scores[:, :6])
    np.testing.assert_array_equal(drawn["scores"]["bernoulli"], ag_scores[:, :6])
    ratio = explained_variance_ratio(pca)
    assert drawn["axis_labels"][0] == (
        f"PC1 ({100 * ratio[0]:.1f}%)",
        f"PC2 ({100 * ratio[1]:.1f}%)",
    )
    assert set(drawn["colours"]["bernoulli"]) == {"black"}
    assert drawn["colours"]["copy"] == drawn["colours"]["real"][:50]  # coloured by label


def test_explained_variance_ratio_of_a_toy_matrix():
    """Two identical polymorphic columns and a monomorphic one: one PC holds all the variance."""
    h = np.array([[0, 0, 1], [1, 1, 1], [0, 0, 1], [1, 1, 1]], dtype=np.int8)
    fit = fit_pca(h, n_components=2)
    np.testing.assert_allclose(explained_variance_ratio(fit), [1.0, 0.0], atol=1e-12)
    # standardised columns are +-1; PC1 = (1, 1) / sqrt(2): scores +-sqrt(2)
    np.testing.assert_allclose(np.abs(fit.real_scores[:, 0]), np.sqrt(2))


def test_lanczos_path_matches_dense(data, monkeypatch):
    import genosynth.pca as pca_module

    h, _, dense = data
    monkeypatch.setattr(pca_module, "_DENSE_EIGH_MAX", 10)
    lanczos = fit_pca(h)
    np.testing.assert_allclose(lanczos.explained_variance, dense.explained_variance, rtol=1e-8)
    np.testing.assert_allclose(lanczos.components, dense.components, atol=1e-7)
    np.testing.assert_allclose(lanczos.real_scores, dense.real_scores, atol=1e-6)


def test_group_shares_and_centroid_distances_hand_worked():
    """Two groups at (0, 0) and (10, 0) on PC1-2: AGs at (1, 0), (9, 0), (11, 0), (12, 0)
    go 1 : 3; their centroids sit 1 and 0.667 from the real ones (over the real PC1-2 sd)."""
    real = np.array([[-1.0, 0], [1, 0], [9, 0], [11, 0]])
    groups = np.array(["A", "A", "B", "B"])
    ag = np.array([[1.0, 0], [9, 0], [11, 0], [12, 0]])
    only_a = np.array([[0.0, 0], [0.5, 0]])
    pca = SimpleNamespace(n_components=2)
    rows = pca_metrics(pca, real, {"m": ag, "collapsed": only_a}, groups)
    sd = np.sqrt(np.var(real[:, 0], ddof=1))
    assert metric(rows, "real", "share_A") == 0.5
    assert metric(rows, "real", "groups_represented") == 2
    assert metric(rows, "m", "share_A") == 0.25 and metric(rows, "m", "share_B") == 0.75
    assert metric(rows, "m", "pc12_centroid_distance_A") == pytest.approx(1 / sd)
    assert metric(rows, "m", "pc12_centroid_distance_B") == pytest.approx((32 / 3 - 10) / sd)
    assert metric(rows, "m", "groups_represented") == 2
    assert metric(rows, "collapsed", "groups_represented") == 1
    assert metric(rows, "collapsed", "share_B") == 0
    assert not [k for m, k, _ in rows if m == "collapsed" and k == "pc12_centroid_distance_B"]
