"""Imputation benchmark: scoring against a hand-made truth, MAF bins, array sites, IMPUTE2
panel files, Beagle output parsing, and a real Beagle run on a panel with perfect LD."""

from __future__ import annotations

import gzip
import shutil

import numpy as np
import pandas as pd
import pytest

from genosynth import formats
from genosynth.downstream import imputation
from genosynth.errors import GenosynthError


def sites(n):
    return pd.DataFrame(
        {
            "chrom": "1",
            "position": np.arange(1, n + 1) * 1000,
            "id": [f"1:{1000 * (i + 1)}_A_G" for i in range(n)],
            "a0": "A",
            "a1": "G",
        }
    )


def test_maf_bin_edges():
    edges = imputation.maf_bin_edges(rare_maf=0.05, n_bins=10)
    assert len(edges) == 12
    np.testing.assert_allclose(edges[:4], [0, 0.05, 0.095, 0.14])
    assert edges[-1] == 0.5
    np.testing.assert_allclose(imputation.maf_bin_edges(rare_maf=0, n_bins=2), [0, 0.25, 0.5])


def test_score_imputation_by_hand():
    # 4 individuals x 4 sites; site 3 is on the array (not scored)
    truth = np.array([[0, 2, 1, 0], [1, 2, 0, 0], [2, 1, 1, 1], [0, 0, 2, 0]])
    dosage = np.array(
        [[0.0, 2.0, 1.0, 0.1], [1.0, 1.0, 0.0, 0.1], [2.0, 1.0, 1.0, 0.9], [0.0, 1.0, 2.0, 0.0]]
    )
    dr2 = np.array([1.0, 0.5, 0.9, 0.7])
    maf = np.array([0.30, 0.40, 0.02, 0.01])
    scored = np.array([True, True, False, True])
    table = imputation.score_imputation(
        truth, dosage, dr2, maf, scored=scored, edges=np.array([0, 0.05, 0.35, 0.5])
    )
    assert table.n_sites.tolist() == [1, 1, 1]  # site 2 is not scored
    assert table.mean_dr2.tolist() == [0.7, 1.0, 0.5]
    # bin [0, 0.05): site 3, truth (0 0 1 0) vs (.1 .1 .9 0)
    want_rare = np.corrcoef([0, 0, 1, 0], [0.1, 0.1, 0.9, 0.0])[0, 1] ** 2
    assert table.dosage_r2[0] == pytest.approx(want_rare)
    assert table.dosage_r2[1] == pytest.approx(1.0)  # site 0 imputed exactly
    # site 1: truth (2 2 1 0) vs (2 1 1 1), both mean 1.25: cov 0.75, var 2.75 and 0.75
    assert table.dosage_r2[2] == pytest.approx(0.75**2 / (2.75 * 0.75))
    assert table.mean_site_r2[2] == pytest.approx(3 / 11)


def test_score_imputation_pools_sites_of_a_bin():
    truth = np.array([[0, 1], [0, 2], [1, 0]])
    dosage = np.array([[0.0, 1.0], [0.0, 2.0], [1.0, 0.0]])
    table = imputation.score_imputation(
        truth, dosage, np.ones(2), np.array([0.1, 0.2]), scored=np.ones(2, bool),
        edges=np.array([0, 0.5]),
    )  # fmt: skip
    assert table.n_sites.tolist() == [2]
    assert table.dosage_r2[0] == pytest.approx(1.0)
    empty = imputation.score_imputation(
        truth, dosage, np.ones(2), np.array([0.1, 0.2]), scored=np.zeros(2, bool),
        edges=np.array([0, 0.5]),
    )  # fmt: skip
    assert empty.n_sites[0] == 0 and np.isnan(empty.dosage_r2[0])


def _plain_gain_bootstrap(truth, dosage, baseline, bins, n_bins, n_resamples, seed):
    """The bootstrap written out: resample rows, score both panels with np.corrcoef."""
    draws = np.random.default_rng(seed).integers(0, len(truth), size=(n_resamples, len(truth)))

    def r2(t, d):
        return np.corrcoef(t.ravel(), d.ravel())[0, 1] ** 2

    gains = np.empty((n_resamples, n_bins))
    for i, rows in enumerate(draws):
        for b in range(n_bins):
            s = bins == b
            t = truth[rows][:, s]
            gains[i, b] = r2(t, dosage[rows][:, s]) - r2(t, baseline[rows][:, s])
    return gains.std(axis=0, ddof=1)


def test_r2_gain_bootstrap_matches_the_plain_resampling():
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 3, size=(40, 9)).astype(float)
    dosage = np.clip(truth + rng.normal(0, 0.4, truth.shape), 0, 2)
    baseline = np.clip(truth + rng.normal(0, 0.7, truth.shape), 0, 2)
    bins = np.array([0, 0, 0, 1, 1, 1, 1, -1, -1])  # the last two sites are not scored
    gain, se = imputation.r2_gain_bootstrap(
        truth, dosage, baseline, bins, n_bins=2, n_resamples=50, seed=11
    )
    for b in range(2):
        s = bins == b
        want = np.corrcoef(truth[:, s].ravel(), dosage[:, s].ravel())[0, 1] ** 2
        want -= np.corrcoef(truth[:, s].ravel(), baseline[:, s].ravel())[0, 1] ** 2
        assert gain[b] == pytest.approx(want, abs=1e-12)
        assert gain[b] > 0  # the less noisy panel gains
    plain = _plain_gain_bootstrap(truth, dosage, baseline, bins, 2, 50, 11)
    np.testing.assert_allclose(se, plain, rtol=1e-9)


def test_r2_gain_bootstrap_by_hand():
    # 2 individuals x 1 site, truth (0, 2); the panel is exact, the baseline imputes (1, 1.5)
    truth = np.array([[0.0], [2.0]])
    dosage = truth.copy()
    baseline = np.array([[1.0], [1.5]])
    gain, se = imputation.r2_gain_bootstrap(
        truth, dosage, baseline, np.array([0]), n_bins=1, n_resamples=400, seed=0
    )
    assert gain[0] == 0.0  # both r² are 1: two points always lie on a line
    # a resample of the same individual twice has no variance and is left out: SE 0
    assert se[0] == 0.0
    same, same_se = imputation.r2_gain_bootstrap(
        truth, dosage, dosage, np.array([0]), n_bins=1, n_resamples=10, seed=0
    )
    assert same[0] == 0.0 and same_se[0] == 0.0


def test_r2_gain_bootstrap_se_shrinks_with_more_individuals():
    rng = np.random.default_rng(5)
    truth = rng.integers(0, 3, size=(60, 4)).astype(float)
    dosage = truth + rng.normal(0, 0.5, truth.shape)
    baseline = truth + rng.normal(0, 0.6, truth.shape)
    kw = {"n_bins": 1, "n_resamples": 400, "seed": 1}
    _, se = imputation.r2_gain_bootstrap(truth, dosage, baseline, np.zeros(4, int), **kw)
    four = [np.tile(a, (4, 1)) for a in (truth, dosage, baseline)]
    _, se4 = imputation.r2_gain_bootstrap(*four, np.zeros(4, int), **kw)
    assert se4[0] == pytest.approx(se[0] / 2, rel=0.2)  # SE ~ 1 / sqrt(n_individuals)
    empty, empty_se = imputation.r2_gain_bootstrap(
        truth, dosage, baseline, np.full(4, -1), n_bins=2, n_resamples=5
    )
    assert np.isnan(empty).all() and np.isnan(empty_se).all()
    with pytest.raises(GenosynthError, match="differ in shape"):
        imputation.r2_gain_bootstrap(truth, dosage[:, :3], baseline, np.zeros(4, int), n_bins=1)


def test_select_array_sites_evenly_among_common():
    ref = np.zeros((10, 12), dtype=np.int8)
    ref[:5, ::2] = 1  # even sites MAF 0.5, odd sites monomorphic
    mask = imputation.select_array_sites(ref, fraction=0.25, min_maf=0.05)
    np.testing.assert_array_equal(np.flatnonzero(mask), [0, 6, 10])  # 3 of the 6 common
    assert imputation.select_array_sites(ref, fraction=1.0, min_maf=0.05).sum() == 6
    with pytest.raises(GenosynthError, match="fraction"):
        imputation.select_array_sites(ref, fraction=0, min_maf=0.05)


def test_impute_panel_round_trip_and_layout(tmp_path):
    haps = np.array([[0, 1, 1], [1, 1, 0]], dtype=np.int8)
    hap, legend = tmp_path / "p.hap.gz", tmp_path / "p.legend.gz"
    imputation.write_impute_panel(hap, legend, haps, sites(3))
    assert gzip.open(hap, "rt").read() == "0 1\n1 1\n1 0\n"  # one line per site
    assert gzip.open(legend, "rt").read().splitlines()[:2] == [
        "id position a0 a1",
        "1:1000_A_G 1000 A G",
    ]
    back, back_sites = imputation.read_impute_panel(hap, legend)
    np.testing.assert_array_equal(back, haps)
    assert back_sites.position.tolist() == [1000, 2000, 3000]


def test_read_beagle_output(tmp_path):
    text = (
        "##fileformat=VCFv4.2\n"
        '##INFO=<ID=DR2,Number=A,Type=Float,Description="r2">\n'
        '##INFO=<ID=IMP,Number=0,Type=Flag,Description="imputed">\n'
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="GT">\n'
        '##FORMAT=<ID=DS,Number=A,Type=Float,Description="dosage">\n'
        "##contig=<ID=1>\n"
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\n"
        "1\t1000\t.\tA\tG\t.\tPASS\tDR2=0.50\tGT:DS\t0|1:0.9\t1|1:1.8\n"
        "1\t2000\t.\tA\tG\t.\tPASS\tDR2=1.00;IMP\tGT:DS\t0|0:0\t0|1:1\n"
    )
    path = tmp_path / "x.vcf"
    path.write_text(text)
    pos, dr2, dosage, samples = imputation.read_beagle_output(path)
    np.testing.assert_array_equal(pos, [1000, 2000])
    np.testing.assert_allclose(dr2, [0.5, 1.0])
    np.testing.assert_allclose(dosage, [[0.9, 0.0], [1.8, 1.0]])
    assert samples == ["S1", "S2"]


@pytest.mark.skipif(shutil.which("beagle") is None, reason="Beagle 5 not installed")
def test_beagle_imputes_sites_in_perfect_ld(tmp_path):
    """Two haplotype patterns only: the masked sites follow from the array sites."""
    rng = np.random.default_rng(0)
    patterns = np.array([[0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1]], dtype=np.int8)
    patterns[1, 3] = 0  # site 3 monomorphic
    ref = patterns[rng.integers(0, 2, 60)]
    truth = patterns[[0, 1, 1, 1, 0, 1, 0, 0]]  # 4 individuals: 0/1, 1/1, 0/1, 0/0
    on_array = np.array([True, False, False, False, True, False])
    s = sites(6)
    formats.write_vcf(tmp_path / "ref.vcf.gz", ref, s, [f"R{i}" for i in range(30)])
    pairs = np.sort(np.stack([truth[0::2], truth[1::2]], axis=2), axis=2)[:, on_array]
    formats.write_vcf(
        tmp_path / "target.vcf.gz", pairs.reshape(4, -1), s[on_array].reset_index(drop=True),
        ["T1", "T2", "T3", "T4"], genotype_pairs=True,
    )  # fmt: skip
    out = tmp_path / "imputed.vcf.gz"
    imputation.run_beagle(
        target=tmp_path / "target.vcf.gz", references=[tmp_path / "ref.vcf.gz"], output=out,
        beagle_log=tmp_path / "beagle.log",
    )  # fmt: skip
    pos, dr2, dosage, samples = imputation.read_beagle_output(out)
    assert samples == ["T1", "T2", "T3", "T4"]
    np.testing.assert_array_equal(pos, s.position)
    want = truth[0::2] + truth[1::2]
    np.testing.assert_allclose(dosage, want, atol=0.05)
    assert "beagle" in (tmp_path / "beagle.log").read_text().lower()
    assert not [p for p in tmp_path.iterdir() if p.is_dir()]  # its temporary folder is gone


def test_run_beagle_names_a_missing_executable(tmp_path):
    with pytest.raises(GenosynthError, match="apt-get install beagle"):
        imputation.run_beagle(
            target="t.vcf.gz", references=["r.vcf.gz"], output=tmp_path / "o.vcf.gz",
            beagle="no-such-beagle",
        )  # fmt: skip
    assert not (tmp_path / "o.vcf.gz").exists()


def test_pooled_and_per_site_r2_differ_by_hand():
    # site 0 imputed exactly; site 1 imputed backwards (dosage 2 where the truth is 1 and the
    # reverse): each site's r2 is 1, so their mean is 1. Pooled over the 8 (individual, site)
    # pairs, truth (0 1 0 1 1 2 1 2) and dosage (0 1 0 1 2 1 2 1) both have mean 1; the
    # deviations' cross-products sum to 2 and each squared deviation sum is 4: r = 2 / 4.
    truth = np.array([[0, 1], [1, 2], [0, 1], [1, 2]])
    dosage = np.array([[0.0, 2.0], [1.0, 1.0], [0.0, 2.0], [1.0, 1.0]])
    table = imputation.score_imputation(
        truth, dosage, np.ones(2), np.array([0.3, 0.3]), scored=np.ones(2, bool),
        edges=np.array([0, 0.5]),
    )  # fmt: skip
    assert table.mean_site_r2[0] == pytest.approx(1.0)
    assert table.dosage_r2[0] == pytest.approx(0.25)


def test_scored_sites_are_masked_and_polymorphic_in_the_targets():
    truth = np.array([[0, 1, 2, 0], [0, 1, 1, 1], [0, 1, 2, 0]])
    masked = np.array([True, True, True, False])
    # site 0 all 0, site 1 all 1 (no variation: nothing to score), site 2 varies,
    # site 3 varies but is on the array
    assert imputation.scored_sites(truth, masked).tolist() == [False, False, True, False]


@pytest.mark.parametrize(
    ("n", "share", "want"),
    [
        (5, 0.5, [False, False, False, True, True]),  # floor(2.5) = 2 join the reference
        (4, 0.0, [False] * 4),
        (3, 0.9, [False, True, True]),  # at least one target is left
        (1, 0.5, [False]),
    ],
)
def test_split_held_out(n, share, want):
    assert imputation.split_held_out(n, share).tolist() == want


def test_split_held_out_refuses_bad_shares():
    with pytest.raises(GenosynthError):
        imputation.split_held_out(4, 1.0)
    with pytest.raises(GenosynthError):
        imputation.split_held_out(0, 0.5)
