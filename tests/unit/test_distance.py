"""Exact Hamming kernels against the cdist reference and hand-worked answers."""

import numpy as np
import pytest

from genosynth.errors import GenosynthError
from genosynth.evaluate import distance
from genosynth.evaluate.distance import (
    hamming,
    hamming_reference,
    nearest_neighbor,
    nearest_neighbor_reference,
    pack_bits,
    pair_distances,
)

BACKENDS = ["numba", "gemm"] if distance.numba is not None else ["gemm"]


def random_haplotypes(rng, n, m, p=0.4):
    return (rng.random((n, m)) < p).astype(np.int8)


def test_hand_worked_distances():
    a = np.array([[0, 0, 0], [1, 1, 1]], dtype=np.int8)
    b = np.array([[1, 0, 1], [0, 0, 0], [1, 1, 0]], dtype=np.int8)
    expected = np.array([[2, 0, 2], [1, 3, 1]], dtype=np.int32)
    for backend in BACKENDS:
        d = hamming(a, b, backend=backend)
        assert d.dtype == np.int32
        np.testing.assert_array_equal(d, expected)
        dist, index = nearest_neighbor(a, b, backend=backend)
        np.testing.assert_array_equal(dist, [0, 1])
        np.testing.assert_array_equal(index, [1, 0])  # tie between b[0] and b[2]: lowest index
    np.testing.assert_array_equal(hamming_reference(a, b), expected)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("block", [None, 1, 7, 64, 1000])
@pytest.mark.parametrize("shape", [(37, 53, 129), (1, 9, 1), (70, 70, 64), (13, 131, 1000)])
def test_hamming_matches_reference(backend, block, shape):
    n_a, n_b, m = shape
    rng = np.random.default_rng(n_a * 1000 + m)
    a = random_haplotypes(rng, n_a, m)
    b = random_haplotypes(rng, n_b, m)
    np.testing.assert_array_equal(
        hamming(a, b, block=block, backend=backend), hamming_reference(a, b)
    )
    dist, index = nearest_neighbor(a, b, block=block, backend=backend)
    ref_dist, ref_index = nearest_neighbor_reference(a, b)
    np.testing.assert_array_equal(dist, ref_dist)
    np.testing.assert_array_equal(index, ref_index)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("block", [None, 3, 10])
def test_leave_one_out_with_duplicates_and_ties(backend, block):
    rng = np.random.default_rng(5)
    h = random_haplotypes(rng, 41, 20, p=0.2)  # few sites: many ties
    h[7] = h[30]  # a duplicate at another index counts, at distance 0
    dist, index = nearest_neighbor(h, h, exclude_self=True, block=block, backend=backend)
    ref_dist, ref_index = nearest_neighbor_reference(h, h, exclude_self=True)
    np.testing.assert_array_equal(dist, ref_dist)
    np.testing.assert_array_equal(index, ref_index)
    assert dist[7] == 0 and index[7] == 30 and index[30] == 7
    assert (index != np.arange(41)).all()
    # without exclude_self every row finds itself
    dist, index = nearest_neighbor(h, backend=backend, block=block)
    assert (dist == 0).all()
    assert (index <= np.arange(41)).all()


def test_gemm_site_chunks_are_exact(monkeypatch):
    monkeypatch.setattr(distance, "_GEMM_MAX_SITES", 5)
    rng = np.random.default_rng(2)
    a = random_haplotypes(rng, 11, 23)
    b = random_haplotypes(rng, 8, 23)
    np.testing.assert_array_equal(hamming(a, b, backend="gemm"), hamming_reference(a, b))


def test_pack_bits_padding_and_pairs():
    rng = np.random.default_rng(3)
    h = random_haplotypes(rng, 9, 70)
    packed = pack_bits(h)
    assert packed.dtype == np.uint64 and packed.shape == (9, 2)
    np.testing.assert_array_equal(distance._popcount_rows(packed), h.sum(axis=1))
    i = np.array([0, 3, 8, 8])
    j = np.array([1, 3, 2, 0])
    ref = hamming_reference(h, h)
    np.testing.assert_array_equal(pair_distances(h, h, i, j), ref[i, j])


def test_inputs_are_checked():
    a = np.zeros((3, 4), dtype=np.int8)
    with pytest.raises(GenosynthError, match="sites"):
        hamming(a, np.zeros((3, 5), dtype=np.int8))
    with pytest.raises(GenosynthError, match="0 or 1"):
        hamming(a + 2)
    with pytest.raises(GenosynthError, match="same set"):
        nearest_neighbor(a, np.zeros((2, 4), dtype=np.int8), exclude_self=True)
    with pytest.raises(GenosynthError, match="candidate"):
        nearest_neighbor(a[:1], exclude_self=True)
    with pytest.raises(GenosynthError, match="backend"):
        hamming(a, backend="cuda")
    assert hamming(a.astype(bool)).dtype == np.int32
    assert hamming(np.zeros((2, 0), dtype=np.int8)).tolist() == [[0, 0], [0, 0]]
