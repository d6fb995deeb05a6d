"""Context repair of AGs: hand-worked cases and a plain-loop reference."""

from __future__ import annotations

import numpy as np
import pytest

from genosynth.errors import GenosynthError
from genosynth.repair import context_allele_counts, repair_context_alleles

# 4 training haplotypes x 5 sites; with flank 1 the context of site j is (j-1, j+1)
REFERENCE = np.array(
    [
        [0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0],
        [0, 1, 1, 1, 0],
        [1, 1, 1, 1, 1],
    ],
    dtype=np.int8,
)
AG = np.array([[0, 0, 1, 0, 0]], dtype=np.int8)


def test_context_allele_counts_by_hand():
    count0, count1 = context_allele_counts(REFERENCE, AG, flank=1)
    # site 1, context (0, 1): row 2 only, allele 1; site 2, context (0, 0): rows 0 and 1,
    # allele 0; site 3, context (1, 0): row 2, allele 1; the end sites have no full context
    np.testing.assert_array_equal(count0, [[0, 0, 2, 0, 0]])
    np.testing.assert_array_equal(count1, [[0, 1, 0, 1, 0]])
    assert count0.dtype == count1.dtype == np.int64


def test_context_allele_counts_at_chosen_sites_only():
    count0, count1 = context_allele_counts(REFERENCE, AG, flank=1, sites=[2, 4])
    np.testing.assert_array_equal(count0, [[0, 0, 2, 0, 0]])
    np.testing.assert_array_equal(count1, [[0, 0, 0, 0, 0]])


def test_repair_by_hand():
    # site 2: 2 training rows share the context, none carries the AG's 1 -> flipped;
    # site 1 and 3: their allele is unseen too, but only 1 row shares the context
    repaired, flips = repair_context_alleles(REFERENCE, AG, flank=1, min_support=2)
    np.testing.assert_array_equal(repaired, [[0, 0, 0, 0, 0]])
    np.testing.assert_array_equal(flips, [1])
    assert repaired.dtype == np.int8
    untouched, flips = repair_context_alleles(REFERENCE, AG, flank=1, min_support=3)
    np.testing.assert_array_equal(untouched, AG)
    np.testing.assert_array_equal(flips, [0])


def test_repair_does_not_flip_neighbours_back_and_forth():
    # with support 1, sites 1, 2 and 3 are all unseen: flipped at once they would give
    # [0, 1, 0, 1, 0], then [0, 0, 1, 0, 0] again; interleaved groups flip site 2 first,
    # after which sites 1 and 3 sit in contexts that carry them
    repaired, flips = repair_context_alleles(REFERENCE, AG, flank=1, min_support=1)
    np.testing.assert_array_equal(repaired, [[0, 0, 0, 0, 0]])
    np.testing.assert_array_equal(flips, [1])


def test_repair_leaves_training_haplotypes_and_input_unchanged():
    rng = np.random.default_rng(3)
    reference = rng.integers(0, 2, size=(30, 40), dtype=np.int8)
    repaired, flips = repair_context_alleles(reference, reference, flank=2, min_support=1)
    np.testing.assert_array_equal(repaired, reference)
    assert flips.sum() == 0
    ags = reference[:5].copy()
    ags[:, 20] ^= 1
    before = ags.copy()
    repair_context_alleles(reference, ags, flank=2, min_support=1)
    np.testing.assert_array_equal(ags, before)


def test_repair_restores_a_flip_on_a_shared_background():
    # 10 copies each of two haplotypes; an AG equal to the first but one allele flipped
    rng = np.random.default_rng(5)
    founders = rng.integers(0, 2, size=(2, 30), dtype=np.int8)
    founders[1, 12:19] = 1 - founders[0, 12:19]
    reference = np.repeat(founders, 10, axis=0)
    ag = founders[:1].copy()
    ag[0, 15] ^= 1
    repaired, flips = repair_context_alleles(reference, ag, flank=3, min_support=5)
    np.testing.assert_array_equal(repaired, founders[:1])
    np.testing.assert_array_equal(flips, [1])


@pytest.mark.parametrize("flank", [1, 2, 4])
def test_context_allele_counts_match_plain_loop(flank):
    rng = np.random.default_rng(flank)
    founders = rng.integers(0, 2, size=(4, 25), dtype=np.int8)
    reference = founders[rng.integers(0, 4, size=60)]
    reference[rng.random(reference.shape) < 0.05] ^= 1
    other = founders[rng.integers(0, 4, size=12)]
    other[rng.random(other.shape) < 0.1] ^= 1
    count0, count1 = context_allele_counts(reference, other, flank=flank)
    n_sites = reference.shape[1]
    for i, row in enumerate(other):
        for j in range(n_sites):
            expected = [0, 0]
            if flank <= j < n_sites - flank:
                for ref in reference:
                    left = np.array_equal(ref[j - flank : j], row[j - flank : j])
                    right = np.array_equal(ref[j + 1 : j + flank + 1], row[j + 1 : j + flank + 1])
                    if left and right:
                        expected[ref[j]] += 1
            assert [count0[i, j], count1[i, j]] == expected, (i, j)


def test_repair_errors():
    with pytest.raises(GenosynthError, match="flank must be 1 to 20"):
        context_allele_counts(REFERENCE, AG, flank=0)
    with pytest.raises(GenosynthError, match="flank must be 1 to 20"):
        context_allele_counts(REFERENCE, AG, flank=21)
    with pytest.raises(GenosynthError, match="same sites"):
        context_allele_counts(REFERENCE, AG[:, :4], flank=1)
    with pytest.raises(GenosynthError, match="min_support and max_passes"):
        repair_context_alleles(REFERENCE, AG, min_support=0)
