"""Hamming-distance benchmark: ``python bench/run.py distance``.

Prints

* ``hamming_speedup_vs_cdist``: time of SciPy ``cdist(..., "hamming")`` (the
  reference, :func:`genosynth.evaluate.distance.hamming_reference`) over time
  of :func:`genosynth.evaluate.distance.hamming` for the full distance matrix
  of 5008 haplotypes x 805 SNPs (the paper's ``wide`` data set), measured side
  by side in this run (best of three for the fast kernel, which takes a tenth
  of a second and so is sensitive to page faults and other load; one run of
  cdist, which takes tens of seconds); the two results are checked to be identical.
* ``hamming_10k_s``: wall time of :func:`~genosynth.evaluate.distance.nearest_neighbor`
  (distances and indices, bit packing included) from 10,000 haplotypes to
  another 10,000, over 10,000 SNPs.

Kernels are compiled (or loaded from numba's cache) by a small warm-up call
before anything is timed.
"""

from __future__ import annotations

import time

import numpy as np
from run import benchmark

from genosynth.evaluate.distance import hamming, hamming_reference, nearest_neighbor


def _haplotypes(rng, n, m, p=0.3):
    return (rng.random((n, m), dtype=np.float32) < p).astype(np.int8)


def _timed(func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return time.perf_counter() - start, result


@benchmark("distance")
def bench_distance(args):
    """Exact Hamming kernels vs cdist, and 10k x 10k x 10k nearest neighbours."""
    rng = np.random.default_rng(20211)
    warm = _haplotypes(rng, 70, 200)
    hamming(warm, warm)
    nearest_neighbor(warm, warm, exclude_self=True)

    wide = _haplotypes(rng, 5008, 805)
    runs = [_timed(hamming, wide, wide) for _ in range(3)]
    fast_s, fast = min(runs, key=lambda run: run[0])
    del runs
    ref_s, ref = _timed(hamming_reference, wide, wide)
    if not np.array_equal(fast, ref):
        raise AssertionError("hamming() differs from the cdist reference")
    del fast, ref
    yield "hamming_speedup_vs_cdist", ref_s / fast_s

    a = _haplotypes(rng, 10_000, 10_000)
    b = _haplotypes(rng, 10_000, 10_000)
    nn_s, _ = _timed(nearest_neighbor, a, b)
    yield "hamming_10k_s", nn_s
