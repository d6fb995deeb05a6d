"""Hand-worked cases for the dataset selections in genosynth.subset."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genosynth.data import HaplotypeSet
from genosynth.errors import ConfigError, GenosynthError
from genosynth.subset import (
    append_phenotype,
    genotype_pairs,
    minor_allele_frequency,
    population_fst,
    population_rows,
    select_differentiated,
    select_phenotype_window,
    select_region,
    select_thinned,
    split_individuals,
)


def make_samples(pops, super_pops=None):
    """Two adjacent haplotype rows per individual; one entry of ``pops`` per individual."""
    super_pops = super_pops if super_pops is not None else pops
    rows = []
    for i, (p, sp) in enumerate(zip(pops, super_pops, strict=True)):
        name = f"S{i:03d}"
        rows += [(f"{name}_A", name, p, sp), (f"{name}_B", name, p, sp)]
    return pd.DataFrame(rows, columns=["hap_id", "sample", "pop", "super_pop"])


def make_hs(haplotypes, positions=None, *, pops=None, super_pops=None, chrom="1", ids=None):
    h = np.asarray(haplotypes, dtype=np.int8)
    n_hap, n_sites = h.shape
    positions = positions if positions is not None else [100 * (j + 1) for j in range(n_sites)]
    pops = pops if pops is not None else ["A"] * (n_hap // 2)
    sites = pd.DataFrame(
        {
            "chrom": [chrom] * n_sites,
            "position": np.asarray(positions, dtype=np.int64),
            "id": ids if ids is not None else [f"rs{j}" for j in range(n_sites)],
            "a0": ["A"] * n_sites,
            "a1": ["G"] * n_sites,
        }
    )
    return HaplotypeSet(h, sites, make_samples(pops, super_pops))


# ---------------------------------------------------------------------------- Fst / MAF


def test_fst_hand_computed_two_populations():
    # 4 haplotypes in A, 4 in B, plus 2 "NA" haplotypes that must be ignored
    a = [[1, 1, 1, 0], [1, 0, 1, 1], [1, 0, 0, 1], [0, 1, 1, 1]]
    b = [[1, 1, 0, 1], [0, 0, 0, 1], [0, 1, 0, 1], [0, 0, 0, 1]]
    na = [[1, 1, 1, 0], [1, 1, 1, 0]]
    h = np.array(a + b + na, dtype=np.int8)
    labels = ["A"] * 4 + ["B"] * 4 + ["NA"] * 2
    fst = population_fst(h, labels)
    # site 0: pA=.75, pB=.25 -> var=.0625, pbar=.5 -> .0625/.25 = .25
    # site 1: pA=.5,  pB=.5  -> 0
    # site 2: pA=.75, pB=0   -> var=.140625, pbar=.375 -> .140625/.234375 = .6
    # site 3: pA=.75, pB=1   -> var=.015625, pbar=.875 -> .015625/.109375 = 1/7
    np.testing.assert_allclose(fst, [0.25, 0.0, 0.6, 1 / 7])
    fixed = population_fst(np.array([[1], [1], [0], [0]], dtype=np.int8), ["A", "A", "B", "B"])
    np.testing.assert_allclose(fixed, [1.0])
    # NA haplotypes do not change anything
    np.testing.assert_allclose(population_fst(h[:8], labels[:8]), fst)


def test_fst_needs_two_populations():
    with pytest.raises(GenosynthError, match="two populations"):
        population_fst(np.zeros((4, 2), np.int8), ["A", "A", "NA", "NA"])


def test_minor_allele_frequency():
    h = np.array([[1, 0, 1], [1, 0, 0], [1, 1, 0], [0, 0, 0]], dtype=np.int8)
    np.testing.assert_allclose(minor_allele_frequency(h), [0.25, 0.25, 0.25])


# ---------------------------------------------------------------------------- differentiated


def planted(seed=0, n_per_pop=20, n_sites=40):
    """Two populations with equal-frequency random SNPs; SNP 17 fixed for opposite alleles,
    SNP 18 (100 bp further) nearly so."""
    rng = np.random.default_rng(seed)
    n_hap = 2 * n_per_pop
    h = (rng.random((2 * n_hap, n_sites)) < 0.5).astype(np.int8)
    h[:n_hap, 17], h[n_hap:, 17] = 1, 0
    h[:n_hap, 18], h[n_hap:, 18] = 1, 0
    h[0, 18] = 0
    pops = ["A"] * n_per_pop + ["B"] * n_per_pop
    return make_hs(h, pops=pops, super_pops=["AFR"] * n_per_pop + ["EUR"] * n_per_pop)


def test_planted_snp_is_chosen_first():
    hs = planted()
    np.testing.assert_array_equal(select_differentiated(hs, n_snps=1), [17])
    np.testing.assert_array_equal(select_differentiated(hs, n_snps=2), [17, 18])
    np.testing.assert_array_equal(select_differentiated(hs, n_snps=2, group="pop"), [17, 18])


def test_min_distance_excludes_neighbour_and_result_is_sorted():
    hs = planted()
    fst = population_fst(hs.haplotypes, hs.samples["super_pop"])
    # the best SNP farther than 150 bp from SNP 17 (positions are 100 bp apart)
    others = [j for j in range(hs.n_sites) if abs(j - 17) >= 2]
    best_other = max(others, key=lambda j: (fst[j], -j))
    got = select_differentiated(hs, n_snps=2, min_distance=150)
    assert 18 not in got and 16 not in got
    np.testing.assert_array_equal(got, sorted([17, best_other]))
    # exactly min_distance apart is allowed
    np.testing.assert_array_equal(select_differentiated(hs, n_snps=2, min_distance=100), [17, 18])


def test_min_maf_and_too_few_snps():
    hs = planted(n_sites=20)
    h = hs.haplotypes.copy()
    h[:, :10] = 0  # ten monomorphic SNPs
    hs2 = HaplotypeSet(h, hs.sites, hs.samples)
    got = select_differentiated(hs2, n_snps=10)
    np.testing.assert_array_equal(got, np.arange(10, 20))
    with pytest.raises(ConfigError, match="only 10 of 20 SNPs") as err:
        select_differentiated(hs2, n_snps=11)
    assert "lower n_snps" in str(err.value)


def test_na_population_is_ignored_for_fst():
    hs = planted()
    samples = hs.samples.copy()
    # mark the first 4 haplotypes (2 individuals of A) as unknown: still SNP 17 first
    samples.loc[:3, "super_pop"] = "NA"
    np.testing.assert_array_equal(
        select_differentiated(HaplotypeSet(hs.haplotypes, hs.sites, samples), n_snps=1), [17]
    )


# ---------------------------------------------------------------------------- region


def region_hs():
    rng = np.random.default_rng(3)
    h = (rng.random((8, 10)) < 0.5).astype(np.int8)
    h[0, :] = 1
    h[1, :] = 0  # every SNP polymorphic
    h[:, 4] = 0  # SNP 4 (position 500) monomorphic
    return make_hs(h)


def test_select_region_exact_indices():
    hs = region_hs()
    np.testing.assert_array_equal(select_region(hs, n_snps=3, start=350), [3, 4, 5])
    np.testing.assert_array_equal(select_region(hs, n_snps=3, start=300), [2, 3, 4])
    np.testing.assert_array_equal(select_region(hs, n_snps=3, start=350, min_maf=0.1), [3, 5, 6])
    # centred: 10 SNPs, middle one is index 5 -> first = 5 - 2
    np.testing.assert_array_equal(select_region(hs, n_snps=4), [3, 4, 5, 6])
    np.testing.assert_array_equal(select_region(hs, n_snps=10), np.arange(10))


def test_select_region_empty_and_short():
    hs = region_hs()
    with pytest.raises(ConfigError, match="empty region") as err:
        select_region(hs, n_snps=3, start=5000)
    assert "5000" in str(err.value) and "chromosome 1" in str(err.value)
    with pytest.raises(ConfigError, match="only 2 SNPs") as err:
        select_region(hs, n_snps=3, start=850)
    assert "850" in str(err.value) and "start <= 800" in str(err.value)
    with pytest.raises(ConfigError, match="not in the data"):
        select_region(hs, n_snps=3, chrom="7")


# ---------------------------------------------------------------------------- thinned


def test_select_thinned_spacing():
    rng = np.random.default_rng(5)
    h = (rng.random((8, 11)) < 0.5).astype(np.int8)
    h[0, :], h[1, :] = 1, 0
    hs = make_hs(h)
    np.testing.assert_array_equal(select_thinned(hs, n_snps=3), [0, 5, 10])
    np.testing.assert_array_equal(select_thinned(hs, n_snps=11), np.arange(11))
    np.testing.assert_array_equal(select_thinned(hs, n_snps=1), [5])
    # 10 eligible (drop SNP 10): ranks round(i * 9 / 3) = 0, 3, 6, 9
    h2 = h.copy()
    h2[:, 10] = 1
    np.testing.assert_array_equal(select_thinned(make_hs(h2), n_snps=4), [0, 3, 6, 9])
    with pytest.raises(ConfigError, match="only 10 SNPs"):
        select_thinned(make_hs(h2), n_snps=11)


def test_select_thinned_maf_in_chosen_populations():
    # 2 individuals in A, 2 in B; SNP 1 is polymorphic only in B
    h = np.array(
        [[1, 0, 1], [0, 0, 1], [1, 0, 0], [0, 0, 1], [1, 1, 0], [0, 0, 1], [1, 1, 0], [0, 1, 1]],
        dtype=np.int8,
    )
    hs = make_hs(h, pops=["A", "A", "B", "B"])
    np.testing.assert_array_equal(select_thinned(hs, n_snps=3, min_maf=0.1), [0, 1, 2])
    np.testing.assert_array_equal(
        select_thinned(hs, n_snps=2, min_maf=0.1, populations=["A"]), [0, 2]
    )
    with pytest.raises(ConfigError, match="available pop values"):
        select_thinned(hs, n_snps=2, populations=["Z"])


# ---------------------------------------------------------------------------- phenotype window


def test_select_phenotype_window():
    rng = np.random.default_rng(9)
    h = (rng.random((6, 11)) < 0.5).astype(np.int8)
    h[0, :], h[1, :] = 1, 0
    h[:, 2] = 0  # causal SNP 2 is monomorphic: still included
    hs = make_hs(h)
    np.testing.assert_array_equal(select_phenotype_window(hs, causal_id="rs5", n_snps=3), [4, 5, 6])
    np.testing.assert_array_equal(
        select_phenotype_window(hs, causal_id="rs5", n_snps=4), [3, 4, 5, 6]
    )
    np.testing.assert_array_equal(
        select_phenotype_window(hs, causal_id="rs10", n_snps=3), [8, 9, 10]
    )
    np.testing.assert_array_equal(select_phenotype_window(hs, causal_id="rs0", n_snps=3), [0, 1, 2])
    got = select_phenotype_window(hs, causal_id="rs2", n_snps=3, min_maf=0.1)
    np.testing.assert_array_equal(got, [1, 2, 3])
    # <chrom>:<pos> works when no id matches
    np.testing.assert_array_equal(select_phenotype_window(hs, causal_id="1:600", n_snps=1), [5])
    with pytest.raises(ConfigError, match="rs99"):
        select_phenotype_window(hs, causal_id="rs99", n_snps=3)
    with pytest.raises(ConfigError, match="only 11 SNPs"):
        select_phenotype_window(hs, causal_id="rs5", n_snps=12)


# ---------------------------------------------------------------------------- encodings


def test_genotype_pairs_exact():
    h = np.array([[0, 1, 1], [1, 1, 0], [0, 0, 1], [0, 1, 1]], dtype=np.int8)
    expected = np.array([[0, 1, 1, 1, 0, 1], [0, 0, 0, 1, 1, 1]], dtype=np.int8)
    got = genotype_pairs(h)
    assert got.dtype == np.int8
    np.testing.assert_array_equal(got, expected)
    # phase does not matter
    np.testing.assert_array_equal(genotype_pairs(h[[1, 0, 3, 2]]), expected)
    with pytest.raises(GenosynthError, match="even number"):
        genotype_pairs(h[:3])


def test_append_phenotype():
    m = np.zeros((2, 4), np.int8)
    out = append_phenotype(m, np.array([1, 0]))
    assert out.shape == (2, 5) and out.dtype == np.int8
    np.testing.assert_array_equal(out[:, -1], [1, 0])
    with pytest.raises(GenosynthError):
        append_phenotype(m, np.array([1, 0, 1]))


# ---------------------------------------------------------------------------- splits


def split_samples():
    return make_samples(["A"] * 8 + ["B"] * 4 + ["C"] * 12)


def test_split_keeps_pairs_and_is_stratified():
    samples = split_samples()
    train, test = split_individuals(samples, seed=1)
    assert len(np.intersect1d(train, test)) == 0
    assert len(train) + len(test) == len(samples)
    for idx in (train, test):
        # pairs together: every even row with its odd partner
        assert np.all(idx[0::2] % 2 == 0) and np.array_equal(idx[1::2], idx[0::2] + 1)
    test_pops = samples["pop"].iloc[test[0::2]].value_counts().to_dict()
    train_pops = samples["pop"].iloc[train[0::2]].value_counts().to_dict()
    assert test_pops == {"A": 2, "B": 1, "C": 3}
    assert train_pops == {"A": 6, "B": 3, "C": 9}


def test_split_is_deterministic_per_seed():
    samples = split_samples()
    a = split_individuals(samples, seed=7)
    b = split_individuals(samples, seed=7)
    c = split_individuals(samples, seed=8)
    np.testing.assert_array_equal(a[1], b[1])
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[1], c[1])


def test_split_empty_side_and_bad_layout():
    with pytest.raises(GenosynthError, match="0 for testing"):
        split_individuals(make_samples(["A", "B", "C"]), seed=0)
    bad = split_samples().iloc[[1, 0, 2, 4, 3, 5]].reset_index(drop=True)
    with pytest.raises(GenosynthError, match="adjacent"):
        split_individuals(bad, seed=0)


def test_population_rows():
    samples = make_samples(["A", "B", "A"], ["X", "Y", "X"])
    np.testing.assert_array_equal(population_rows(samples, ["A"]), [0, 1, 4, 5])
    np.testing.assert_array_equal(population_rows(samples, "Y", column="super_pop"), [2, 3])
    with pytest.raises(ConfigError, match=r"\['A', 'B'\]"):
        population_rows(samples, ["A", "Q"])


def test_select_region_filters_by_the_maf_of_its_populations():
    # sites 0-3; population T (rows 0-3) is polymorphic at sites 1 and 3 only, O at 0 and 2
    haps = np.array(
        [[0, 1, 0, 0], [0, 0, 0, 1], [0, 1, 0, 1], [0, 0, 0, 0],
         [1, 0, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 1, 0]], dtype=np.int8,
    )  # fmt: skip
    hs = make_hs(haps, [100, 200, 300, 400], pops=["T", "T", "O", "O"])  # per individual
    np.testing.assert_array_equal(select_region(hs, n_snps=4, start=100, min_maf=0.1), [0, 1, 2, 3])
    picked = select_region(hs, n_snps=2, start=100, min_maf=0.1, populations=["T"])
    np.testing.assert_array_equal(picked, [1, 3])
