"""Genotype x phenotype contingency, chi-square and the paper's conditional shares, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from genosynth.downstream import phenotype
from genosynth.errors import GenosynthError

# 8 individuals, 2 SNPs as sorted genotype pairs, then the phenotype; SNP 1 is causal
MATRIX = np.array(
    [
        [0, 1, 0, 0, 1],
        [0, 0, 0, 0, 1],
        [1, 1, 0, 1, 0],
        [0, 0, 0, 1, 1],
        [1, 1, 1, 1, 0],
        [0, 0, 1, 1, 0],
        [0, 1, 1, 1, 0],
        [1, 1, 0, 0, 1],
    ],
    dtype=np.int8,
)


def test_causal_genotypes_and_contingency_against_a_hand_built_table():
    genotype, pheno = phenotype.causal_genotypes(MATRIX, 1)
    assert genotype.tolist() == [0, 0, 1, 1, 2, 2, 2, 0]
    assert pheno.tolist() == [1, 1, 0, 1, 0, 0, 0, 1]
    table = phenotype.contingency(genotype, pheno)
    #            ph0 ph1
    want = [[0, 3], [1, 1], [3, 0]]  # genotype 0, 1, 2
    np.testing.assert_array_equal(table, want)


def test_association_shares_and_chi_square():
    table = np.array([[0, 3], [1, 1], [3, 0]])
    stats = phenotype.association(table)
    assert stats["ancestral_carriers_pheno1"] == pytest.approx(4 / 5)  # genotypes 0-1: 4 of 5
    assert stats["pheno0_homozygous_derived"] == pytest.approx(3 / 4)  # phenotype 0: 3 of 4
    chi2, p = chi2_contingency(table, correction=False)[:2]
    assert stats["chi2"] == pytest.approx(chi2) and stats["p_value"] == pytest.approx(p)
    # by hand: expected counts 1.5/1.5, 1/1, 1.5/1.5 -> chi2 = 4 * 1.5 + 0 = 6
    assert stats["chi2"] == pytest.approx(6.0)
    assert stats["n"] == 8


def test_association_drops_empty_rows_and_is_nan_below_two_by_two():
    stats = phenotype.association(np.array([[5, 5], [0, 0], [2, 8]]))
    chi2 = chi2_contingency(np.array([[5, 5], [2, 8]]), correction=False)[0]
    assert stats["chi2"] == pytest.approx(chi2)
    assert np.isnan(phenotype.association(np.array([[4, 0], [3, 0], [0, 0]]))["p_value"])


def test_find_site_by_position_and_bad_input():
    sites = pd.DataFrame({"chrom": ["1", "1"], "position": [100, 200], "id": ["a", "b"]})
    assert phenotype.find_site(sites, "1:200") == 1
    assert phenotype.find_site(sites, "a") == 0
    with pytest.raises(GenosynthError, match="matches 0"):
        phenotype.find_site(sites, "1:300")
    with pytest.raises(GenosynthError, match="0/1/2"):
        phenotype.contingency(np.array([3]), np.array([0]))
