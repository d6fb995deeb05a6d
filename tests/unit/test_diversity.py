"""Allele frequencies, fixed alleles, pairwise and closest distances, haplostrips,
local-haplotype spectra."""

import numpy as np
import pytest

from genosynth.errors import GenosynthError
from genosynth.evaluate.distance import hamming_reference
from genosynth.evaluate.diversity import (
    allele_frequency,
    allele_frequency_agreement,
    closest_distance,
    diversity_ratio,
    fixed_alleles,
    haplostrip_order,
    local_haplotype_spectrum,
    mean_pairwise_difference,
    pairwise_differences,
)


def H(*rows):
    return np.array([[int(c) for c in r] for r in rows], dtype=np.int8)


REAL = H("101", "001", "111", "001")  # p = [0.5, 0.25, 1.0]
AG = H("111", "101")  # p = [1.0, 0.5, 1.0]


def test_allele_frequency():
    np.testing.assert_array_equal(allele_frequency(REAL), [0.5, 0.25, 1.0])
    assert allele_frequency(REAL).dtype == np.float64


def test_allele_frequency_agreement_by_hand():
    # x = [.5, .25, 1], y = [1, .5, 1]: sxy = 1/6, sxx = 7/24, syy = 1/6 -> r^2 = 4/7
    # rmse = sqrt((.25 + .0625 + 0) / 3)
    stats = allele_frequency_agreement(REAL, AG)
    assert stats["pearson_r"] == pytest.approx(np.sqrt(4 / 7))
    assert stats["rmse"] == pytest.approx(np.sqrt(0.3125 / 3))
    same = allele_frequency_agreement(REAL, REAL)
    assert same["pearson_r"] == pytest.approx(1.0) and same["rmse"] == 0.0
    assert np.isnan(allele_frequency_agreement(REAL, H("111"))["pearson_r"])  # constant AG


def test_fixed_alleles_by_hand():
    # real polymorphic at sites 0, 1; AG polymorphic at site 1 only
    stats = fixed_alleles(REAL, AG)
    assert stats["n_sites"] == 3
    assert stats["n_fixed_real"] == 1 and stats["n_fixed_ag"] == 2
    assert stats["polymorphic_real_fixed_ag"] == 1
    assert stats["fraction_polymorphic_real_fixed_ag"] == 0.5
    assert stats["polymorphic_ag_fixed_real"] == 0
    assert stats["fraction_polymorphic_ag_fixed_real"] == 0.0
    # sampling floor, 2 AGs: site 0 (p = 1/2) 1/4 + 1/4, site 1 (p = 1/4) 9/16 + 1/16
    assert stats["expected_fraction_polymorphic_real_fixed_ag"] == pytest.approx((0.5 + 0.625) / 2)
    # converse: AG polymorphic at the real-fixed site 2
    converse = fixed_alleles(REAL, H("100", "001"))
    assert converse["polymorphic_ag_fixed_real"] == 1
    assert converse["fraction_polymorphic_ag_fixed_real"] == 0.5
    assert converse["polymorphic_real_fixed_ag"] == 1  # site 1 is 0 in both AGs
    no_poly = fixed_alleles(H("001", "001"), AG)
    assert np.isnan(no_poly["expected_fraction_polymorphic_real_fixed_ag"])


def test_fixed_alleles_training_floor_by_hand():
    # trained on the first two real rows: q = [0.5, 0, 1]; real-polymorphic sites 0 and 1
    stats = fixed_alleles(REAL, AG, train=REAL[:2])
    assert stats["polymorphic_real_fixed_train"] == 1  # site 1: its allele 1 is in a test row
    # 2 AGs: site 0 (q = 1/2) 1/4 + 1/4, site 1 (q = 0) fixed for sure
    assert stats["expected_fraction_polymorphic_real_fixed_ag_train"] == pytest.approx(0.75)
    assert stats["expected_fraction_polymorphic_real_fixed_ag"] == pytest.approx((0.5 + 0.625) / 2)
    assert "polymorphic_real_fixed_train" not in fixed_alleles(REAL, AG)
    with pytest.raises(GenosynthError, match="3 sites but the training rows have 2"):
        fixed_alleles(REAL, AG, train=REAL[:2, :2])


def test_fixed_alleles_floor_matches_simulated_frequency_sampler():
    rng = np.random.default_rng(5)
    real = (rng.random((200, 400)) < rng.uniform(0.002, 0.03, 400)).astype(np.int8)
    p = real.mean(axis=0)
    runs = [fixed_alleles(real, (rng.random((300, 400)) < p).astype(np.int8)) for _ in range(200)]
    observed = np.mean([r["fraction_polymorphic_real_fixed_ag"] for r in runs])
    expected = runs[0]["expected_fraction_polymorphic_real_fixed_ag"]
    at_real_count = np.mean((1 - p[p > 0]) ** 200 + p[p > 0] ** 200)
    assert expected > 0.03 and at_real_count - expected > 0.03  # the AG count is what counts
    assert observed == pytest.approx(expected, abs=0.005)


def test_pairwise_differences_all_pairs_by_hand():
    d = pairwise_differences(H("000", "100", "111"))
    assert d.dtype == np.int32
    assert d.tolist() == [1, 3, 2]  # (0,1), (0,2), (1,2)
    assert pairwise_differences(H("01")).size == 0


def test_pairwise_differences_sampled():
    rng = np.random.default_rng(0)
    h = (rng.random((60, 50)) < 0.5).astype(np.int8)
    d = pairwise_differences(h, max_pairs=500, seed=3)
    assert d.shape == (500,)
    ref = hamming_reference(h, h)
    offdiag = ref[~np.eye(60, dtype=bool)]
    assert np.isin(d, offdiag).all()
    assert (d > 0).all()  # random rows of 50 sites: never the same row, never identical
    np.testing.assert_array_equal(d, pairwise_differences(h, max_pairs=500, seed=3))
    assert abs(d.mean() - offdiag.mean()) < 1.0


def test_mean_pairwise_difference_by_hand_and_against_all_pairs():
    assert mean_pairwise_difference(H("000", "100", "111")) == pytest.approx(2.0)  # (1+3+2)/3
    rng = np.random.default_rng(1)
    h = (rng.random((40, 30)) < 0.3).astype(np.int8)
    assert mean_pairwise_difference(h) == pytest.approx(pairwise_differences(h).mean())
    with pytest.raises(GenosynthError, match=">= 2 haplotypes"):
        mean_pairwise_difference(H("01"))


def test_diversity_ratio_by_hand():
    # REAL pairs differ at 1,1,1,2,0,2 sites (mean 7/6); AG's one pair at 1 site
    assert diversity_ratio(REAL, AG) == pytest.approx(6 / 7)
    assert diversity_ratio(REAL, REAL) == pytest.approx(1.0)
    assert diversity_ratio(REAL, H("101", "101", "101")) == 0.0  # collapsed onto one haplotype
    assert np.isnan(diversity_ratio(H("01", "01"), H("01", "11")))
    with pytest.raises(GenosynthError):
        diversity_ratio(REAL, H("11", "01"))


def test_closest_distance_by_hand():
    table = closest_distance(H("0000", "0011", "1111"), H("0001"))
    assert table["to_closest_ag"].tolist() == [1, 1, 3]
    assert table["to_closest_real"].tolist() == [2, 2, 2]
    with pytest.raises(GenosynthError, match="sites"):
        closest_distance(H("00", "11"), H("000"))


def test_haplostrip_order_by_hand():
    # site 3 is monomorphic and site 4 has MAF 1/6 < 0.2: both dropped with min_maf=0.2
    h = H("11100", "00000", "10100", "11001", "01100", "00100")
    # majority allele: site0 3/6 -> 0 (tie), site1 3/6 -> 0 (tie), site2 4/6 -> 1
    rows, columns = haplostrip_order(h, min_maf=0.2)
    assert columns.tolist() == [0, 1, 2]
    # distances to 001 over sites 0-2: [2, 1, 1, 3, 1, 0]; equal ones keep input order
    assert rows.tolist() == [5, 1, 2, 4, 0, 3]
    # an explicit consensus and column set (as for AG panels)
    rows, columns = haplostrip_order(h, consensus=[1, 1, 1, 0, 0], columns=[2, 0])
    assert columns.tolist() == [0, 2]
    assert rows.tolist() == [0, 2, 3, 4, 5, 1]  # distances [0, 2, 0, 1, 1, 1]


# --- local-haplotype spectra ---------------------------------------------------------------
def test_local_haplotype_spectrum_by_hand():
    # one window of 2 sites: reference 00 x2, 11 x2 (1/2, 1/2); other 00, 11, 01, 01
    # (1/4, 1/4, 1/2): tv = (1/4 + 1/4 + 1/2) / 2 = 1/2; unseen: 01, half the rows
    ref = H("00", "00", "11", "11")
    other = H("00", "11", "01", "01")
    got = local_haplotype_spectrum(ref, other, window=2, min_maf=0.0)
    assert got == {"tv": pytest.approx(0.5), "unseen": pytest.approx(0.5), "n_windows": 1}


def test_local_haplotype_spectrum_averages_windows_and_drops_the_tail():
    # all 5 sites kept (site 1 is fixed, so columns are given): windows (sites 0-1) and
    # (2-3); site 4 is a partial window, left out.
    # window 1: ref {00: 1/2, 10: 1/2}, other {00: 1/2, 10: 1/2} -> tv 0, unseen 0
    # window 2: ref {00: 1/2, 11: 1/2}, other {11: 1}           -> tv 1/2, unseen 0
    ref = H("00001", "00000", "10110", "10111")
    other = H("00110", "10111")
    got = local_haplotype_spectrum(ref, other, window=2, columns=np.arange(5))
    assert got == {"tv": pytest.approx(0.25), "unseen": 0.0, "n_windows": 2}


def test_local_haplotype_spectrum_bounds_and_site_filter():
    ref = H("0110", "0100", "0011", "0001")  # site 0 fixed: MAF 0, dropped by min_maf
    assert local_haplotype_spectrum(ref, ref, window=3) == {
        "tv": 0.0,
        "unseen": 0.0,
        "n_windows": 1,
    }
    disjoint = local_haplotype_spectrum(H("0000", "0000"), H("1111"), window=2, min_maf=-1)
    assert disjoint == {"tv": 1.0, "unseen": 1.0, "n_windows": 2}
    empty = local_haplotype_spectrum(ref, ref, window=4)  # 3 kept sites < one window
    assert empty["n_windows"] == 0 and np.isnan(empty["tv"]) and np.isnan(empty["unseen"])
    with pytest.raises(GenosynthError, match="window must be an integer from 1 to 30"):
        local_haplotype_spectrum(ref, ref, window=31)


def _plain_spectrum(ref, other, window, columns):
    """One dict of local haplotypes per window: the reference for the vectorized version."""
    tvs, unseen = [], []
    for w in range(len(columns) // window):
        cols = columns[w * window : (w + 1) * window]
        a, b = {}, {}
        for rows, counts in ((ref, a), (other, b)):
            for row in rows[:, cols]:
                counts[row.tobytes()] = counts.get(row.tobytes(), 0) + 1
        keys = set(a) | set(b)
        tvs.append(0.5 * sum(abs(a.get(k, 0) / len(ref) - b.get(k, 0) / len(other)) for k in keys))
        unseen.append(sum(n for k, n in b.items() if k not in a) / len(other))
    return np.mean(tvs), np.mean(unseen)


@pytest.mark.parametrize("window", [1, 3, 7])
def test_local_haplotype_spectrum_matches_plain_loop(window):
    rng = np.random.default_rng(window)
    ref = (rng.random((60, 40)) < rng.random(40)).astype(np.int8)
    other = (rng.random((25, 40)) < rng.random(40)).astype(np.int8)
    columns = np.flatnonzero(rng.random(40) < 0.8)
    got = local_haplotype_spectrum(ref, other, window=window, columns=columns)
    tv, unseen = _plain_spectrum(ref, other, window, columns)
    assert got["tv"] == pytest.approx(tv) and got["unseen"] == pytest.approx(unseen)
    assert got["n_windows"] == len(columns) // window
