"""r² matrices and LD decay."""

import numpy as np
import pytest

from genosynth.errors import GenosynthError
from genosynth.evaluate import ld
from genosynth.evaluate.ld import ld_decay, ld_decay_mae, r2_matrix


def H(*rows):
    return np.array([[int(c) for c in r] for r in rows], dtype=np.int8)


# p = [1/2, 3/4, 1/2]
# (0,1): n11 = 2, D = 2/4 - 3/8 = 1/8, r2 = (1/64) / (1/4 * 3/16) = 1/3
# (0,2): n11 = 1, D = 1/4 - 1/4 = 0
# (1,2): n11 = 1, D = 1/4 - 3/8 = -1/8, r2 = 1/3
THREE = H("110", "111", "001", "010")
THREE_R2 = np.array([[1, 1 / 3, 0], [1 / 3, 1, 1 / 3], [0, 1 / 3, 1]])


def test_r2_three_sites_by_hand():
    r2 = r2_matrix(THREE)
    assert r2.dtype == np.float32 and r2.shape == (3, 3)
    np.testing.assert_allclose(r2, THREE_R2, atol=1e-7)


def test_r2_monomorphic_is_nan():
    h = np.concatenate([THREE, np.ones((4, 1), dtype=np.int8)], axis=1)
    r2 = r2_matrix(h)
    assert np.isnan(r2[3]).all() and np.isnan(r2[:, 3]).all()
    np.testing.assert_allclose(r2[:3, :3], THREE_R2, atol=1e-7)


def test_r2_matches_corrcoef_across_blocks(monkeypatch):
    rng = np.random.default_rng(0)
    h = (rng.random((50, 11)) < rng.uniform(0.2, 0.8, 11)).astype(np.int8)
    expected = np.corrcoef(h.T.astype(float)) ** 2
    np.testing.assert_allclose(r2_matrix(h), expected, atol=1e-6)
    monkeypatch.setattr(ld, "_BLOCK", 3)
    np.testing.assert_allclose(r2_matrix(h), expected, atol=1e-6)


# four sites: the three above plus site 3 = copy of site 0 (r2 with 0 is 1)
FOUR = np.concatenate([THREE, THREE[:, :1]], axis=1)
FOUR_R2 = np.array([[1, 1 / 3, 0, 1], [1 / 3, 1, 1 / 3, 1 / 3], [0, 1 / 3, 1, 0], [1, 1 / 3, 0, 1]])


def test_decay_counts_pairs_per_bin():
    # positions 0, 5, 12, 30 -> distances (0,1)=5 (0,2)=12 (0,3)=30 (1,2)=7 (1,3)=25 (2,3)=18
    # 3 bins over [0, 30]: [0,10) gets 5, 7; [10,20) gets 12, 18; [20,30] gets 25, 30
    decay = ld_decay(FOUR, [0, 5, 12, 30], n_bins=3)
    assert list(decay.columns) == ["bin_start", "bin_end", "mean_r2", "n_pairs"]
    np.testing.assert_allclose(decay["bin_start"], [0, 10, 20])
    np.testing.assert_allclose(decay["bin_end"], [10, 20, 30])
    assert decay["n_pairs"].tolist() == [2, 2, 2]
    expected = [
        (FOUR_R2[0, 1] + FOUR_R2[1, 2]) / 2,
        (FOUR_R2[0, 2] + FOUR_R2[2, 3]) / 2,
        (FOUR_R2[1, 3] + FOUR_R2[0, 3]) / 2,
    ]
    np.testing.assert_allclose(decay["mean_r2"], expected, atol=1e-7)


def test_decay_max_distance_and_empty_bins():
    # 4 bins of 5 bp over [0, 20]: 5 and 7 -> [5, 10); 12 -> [10, 15); 18 -> [15, 20];
    # nothing in [0, 5); 25 and 30 are beyond max_distance
    decay = ld_decay(FOUR, [0, 5, 12, 30], n_bins=4, max_distance=20)
    assert decay["n_pairs"].tolist() == [0, 2, 1, 1]
    assert np.isnan(decay["mean_r2"].iloc[0])
    expected = [(FOUR_R2[0, 1] + FOUR_R2[1, 2]) / 2, FOUR_R2[0, 2], FOUR_R2[2, 3]]
    np.testing.assert_allclose(decay["mean_r2"].iloc[1:], expected, atol=1e-7)


def test_decay_skips_monomorphic_sites_and_blocks_agree(monkeypatch):
    h = np.concatenate([FOUR, np.zeros((4, 1), dtype=np.int8)], axis=1)
    decay = ld_decay(h, [0, 5, 12, 30, 1], n_bins=3)
    assert decay["n_pairs"].sum() == 6
    rng = np.random.default_rng(1)
    big = (rng.random((40, 23)) < 0.4).astype(np.int8)
    pos = np.sort(rng.integers(0, 10_000, 23))
    whole = ld_decay(big, pos, n_bins=7)
    monkeypatch.setattr(ld, "_BLOCK", 4)
    blocked = ld_decay(big, pos, n_bins=7)
    np.testing.assert_allclose(whole["mean_r2"], blocked["mean_r2"], atol=1e-12)
    assert whole["n_pairs"].sum() == 23 * 22 // 2


def test_decay_mae():
    real = ld_decay(FOUR, [0, 5, 12, 30], n_bins=3)
    ag = real.copy()
    ag["mean_r2"] = ag["mean_r2"] + np.array([0.1, -0.2, np.nan])
    assert ld_decay_mae(real, ag) == pytest.approx(0.15)
    assert ld_decay_mae(real, real) == 0.0
    with pytest.raises(GenosynthError, match="bins"):
        ld_decay_mae(real, ld_decay(FOUR, [0, 5, 12, 30], n_bins=4))


def test_decay_by_class_splits_pairs_by_source():
    # THREE with sources [0, 0, 1]: (0,1) inside, (0,2) and (1,2) span the border
    table = ld.ld_decay_by_class(THREE, [0, 10, 20], [0, 0, 1], n_bins=1)
    inside, border = table[table["class"] == "inside"], table[table["class"] == "border"]
    assert inside["n_pairs"].tolist() == [1] and border["n_pairs"].tolist() == [2]
    assert inside["mean_r2"].iloc[0] == pytest.approx(1 / 3)
    assert border["mean_r2"].iloc[0] == pytest.approx((0 + 1 / 3) / 2)


def test_decay_skips_blocks_out_of_reach_and_stays_exact(monkeypatch):
    rng = np.random.default_rng(3)
    h = (rng.random((40, 37)) < 0.4).astype(np.int8)
    pos = np.arange(37) * 100
    full = ld_decay(h, pos, n_bins=4, max_distance=650)
    calls = []
    original = ld._r2_block
    monkeypatch.setattr(ld, "_BLOCK", 4)
    monkeypatch.setattr(ld, "_r2_block", lambda *a: calls.append(a[3]) or original(*a))
    small = ld_decay(h, pos, n_bins=4, max_distance=650)
    pd_testing = pytest.importorskip("pandas").testing
    pd_testing.assert_frame_equal(full, small)
    # 10 row blocks; each reaches its own and at most two more blocks (650 bp = 6.5 sites)
    assert len(calls) <= 10 * 3 < 10 * 11 / 2
    # brute force on the pairs within reach
    r2 = r2_matrix(h).astype(float)
    i, j = np.triu_indices(37, 1)
    near = (pos[j] - pos[i]) <= 650
    assert small["n_pairs"].sum() == near.sum()
    assert np.nansum(small["mean_r2"] * small["n_pairs"]) == pytest.approx(r2[i, j][near].sum())
