"""Selection scans: PBS windows and XP-EHH standardization against scikit-allel called
directly and against hand-worked values; genetic maps; clustering of unlabelled haplotypes."""

from __future__ import annotations

import gzip

import allel
import numpy as np
import pytest

from genosynth.downstream import selection
from genosynth.errors import InputError


def random_haplotypes(n, m, p, seed):
    rng = np.random.default_rng(seed)
    return (rng.random((n, m)) < p).astype(np.int8)


def test_allele_counts_by_hand():
    h = np.array([[0, 1, 1], [0, 0, 1], [1, 0, 1]], dtype=np.int8)
    np.testing.assert_array_equal(selection.allele_counts(h), [[2, 1], [2, 1], [0, 3]])


def test_window_bounds_leave_out_a_window_past_the_end():
    np.testing.assert_array_equal(
        selection.window_bounds(23, size=10, step=5), [[0, 10], [5, 15], [10, 20]]
    )
    assert len(selection.window_bounds(25, size=10, step=5)) == 4


def test_pbs_windows_equal_allel_called_directly():
    m = 43
    freq = np.linspace(0.05, 0.95, m)
    a = random_haplotypes(60, m, freq, 1)
    b = random_haplotypes(50, m, freq[::-1], 2)
    c = random_haplotypes(40, m, 0.5, 3)
    ours = selection.pbs_windows(a, b, c, size=10, step=5)
    ac = [allel.HaplotypeArray(h.T).count_alleles(max_allele=1) for h in (a, b, c)]
    theirs = allel.pbs(*ac, window_size=10, window_step=5, normed=True)
    assert ours.shape == (7,) == theirs.shape  # starts 0, 5, ..., 30
    np.testing.assert_allclose(ours, theirs)


def test_pbs_unnormed_by_hand():
    """PBS = (T12 + T13 - T23) / 2, T = -log(1 - Hudson Fst summed over the window)."""
    a = random_haplotypes(30, 10, 0.8, 4)
    b = random_haplotypes(30, 10, 0.3, 5)
    c = random_haplotypes(30, 10, 0.5, 6)

    def fst(x, y):  # Hudson (1992): 1 - within / between, each summed over the window
        p1, p2 = x.mean(axis=0), y.mean(axis=0)
        n1, n2 = len(x), len(y)
        within1 = 2 * p1 * (1 - p1) * n1 / (n1 - 1)  # mean pairwise difference inside x
        within2 = 2 * p2 * (1 - p2) * n2 / (n2 - 1)
        between = p1 * (1 - p2) + p2 * (1 - p1)
        return (between - (within1 + within2) / 2).sum() / between.sum()

    t = {k: -np.log(1 - fst(*v)) for k, v in {"ab": (a, b), "ac": (a, c), "bc": (b, c)}.items()}
    want = (t["ab"] + t["ac"] - t["bc"]) / 2
    got = selection.pbs_windows(a, b, c, size=10, step=5, normed=False)
    assert got.shape == (1,)
    assert got[0] == pytest.approx(want, rel=1e-9)


def test_xpehh_standardized_equals_allel_then_standardize():
    rng = np.random.default_rng(7)
    m = 120
    pos = np.cumsum(rng.integers(100, 2000, m))
    # a target with a long shared haplotype (a sweep-like block) and a diverse reference
    target = random_haplotypes(40, m, 0.5, 8)
    target[:30, 40:80] = target[0, 40:80]
    reference = random_haplotypes(40, m, 0.5, 9)
    got = selection.xpehh_standardized(target, reference, pos)
    raw = allel.xpehh(target.T, reference.T, pos, use_threads=False)
    finite = np.isfinite(raw)
    want = (raw - raw[finite].mean()) / raw[finite].std()
    assert finite.sum() > 20
    np.testing.assert_allclose(got[finite], want[finite])
    assert np.isnan(got[~finite]).all()
    assert got[finite].mean() == pytest.approx(0, abs=1e-12)
    assert got[finite].std() == pytest.approx(1)
    assert np.nanargmax(got) in range(40, 80)  # the shared block is the top peak


def test_xpehh_uses_the_genetic_map():
    rng = np.random.default_rng(3)
    pos = np.arange(1, 81) * 1000
    target, reference = random_haplotypes(30, 80, 0.5, 10), random_haplotypes(30, 80, 0.5, 11)
    map_pos = np.cumsum(rng.random(80))
    got = selection.xpehh_standardized(target, reference, pos, map_pos=map_pos)
    raw = allel.xpehh(target.T, reference.T, pos, map_pos=map_pos, use_threads=False)
    np.testing.assert_allclose(got, allel.standardize(raw))


def test_xpehh_scans_share_the_reference_and_equal_allel_per_target():
    rng = np.random.default_rng(5)
    m = 90
    pos = np.cumsum(rng.integers(100, 2000, m))
    map_pos = np.cumsum(rng.random(m))
    reference = random_haplotypes(35, m, 0.5, 12)
    swept = random_haplotypes(40, m, 0.5, 13)
    swept[:25, 30:60] = swept[0, 30:60]
    targets = {"swept": swept, "neutral": random_haplotypes(28, m, 0.5, 14)}
    for threads in (1, 3):
        got = selection.xpehh_scans(targets, reference, pos, map_pos=map_pos, threads=threads)
        assert list(got) == ["swept", "neutral"]
        for name, haps in targets.items():
            raw = allel.xpehh(haps.T, reference.T, pos, map_pos=map_pos, use_threads=False)
            want = allel.standardize(np.where(np.isfinite(raw), raw, np.nan))
            np.testing.assert_array_equal(got[name], want)
    assert np.nanargmax(got["swept"]) in range(30, 60)
    # a monomorphic reference leaves nothing scored: all NaN, not an error
    flat = selection.xpehh_scans(targets, np.zeros_like(reference), pos)
    assert all(np.isnan(v).all() for v in flat.values())


def test_pearson_r_skips_nan_and_top_peaks_order():
    x = np.array([1.0, 2.0, np.nan, 4.0, 5.0])
    y = np.array([2.0, 4.0, 1.0, np.nan, 10.0])
    r, n = selection.pearson_r(x, y)
    assert n == 3 and r == pytest.approx(1.0)
    assert np.isnan(selection.pearson_r([1, 2], [3, 4])[0])
    np.testing.assert_array_equal(selection.top_peaks(np.array([3, np.nan, 9, 1, 5.0]), 2), [2, 4])


def test_read_genetic_map_layouts(tmp_path):
    text = (
        "Chromosome\tPosition(bp)\tRate(cM/Mb)\tMap(cM)\nchr15\t1000\t1\t0.5\nchr15\t3000\t2\t1.5\n"
    )
    path = tmp_path / "map.txt.gz"
    with gzip.open(path, "wt") as fh:
        fh.write(text)
    pos, cm = selection.read_genetic_map(path)
    np.testing.assert_array_equal(pos, [1000, 3000])
    np.testing.assert_allclose(cm, [0.5, 1.5])
    np.testing.assert_allclose(
        selection.interpolate_map([500, 2000, 5000], pos, cm), [0.5, 1.0, 1.5]
    )
    plink = tmp_path / "x.map"
    plink.write_text("15 . 0.1 100\n15 . 0.4 400\n")
    np.testing.assert_allclose(selection.read_genetic_map(plink)[1], [0.1, 0.4])


def test_read_genetic_map_names_the_bad_line(tmp_path):
    path = tmp_path / "map.txt"
    path.write_text("position rate cM\n100 1 0.5\n200 1 0.4\n")
    with pytest.raises(InputError, match=r"map.txt:3: cM decreases \(record 200 1 0.4\)"):
        selection.read_genetic_map(path)


def test_cluster_unlabelled_names_the_most_differentiated_first():
    m = 200
    group_a = random_haplotypes(40, m, np.linspace(0.1, 0.9, m), 12)
    group_b = random_haplotypes(40, m, np.linspace(0.9, 0.1, m), 13)
    target = random_haplotypes(40, m, np.linspace(0.1, 0.9, m), 14)  # like group A
    mixed = np.concatenate([group_a[:20], group_b[:20], group_a[20:], group_b[20:]])
    names = selection.cluster_unlabelled(mixed, target, n_clusters=2, seed=0, prefix="NA")
    assert names.shape == (80,)
    want = np.array(["NA2"] * 20 + ["NA1"] * 20 + ["NA2"] * 20 + ["NA1"] * 20)
    np.testing.assert_array_equal(names, want)
    assert selection.hudson_fst(group_b, target) > selection.hudson_fst(group_a, target)
