"""RBM training speed: one PCD-10 epoch on the ``wide`` shape.

``rbm_epoch_s`` is the median wall time of 7 epochs (after one warm-up epoch)
of the default RBM (ReLU hidden units, PCD-10 with 100 persistent chains,
batch 32) with 100 hidden units on 3756 random 0/1 haplotypes of 805 SNPs
(fixed seed). Target: <= 0.5 s on 2 cores.
"""

from __future__ import annotations

import statistics

import numpy as np
from run import benchmark

#: The ``wide`` shape: training haplotypes, SNPs.
N_HAPLOTYPES, N_SITES = 3756, 805


@benchmark("rbm")
def bench_rbm(args):
    """Median seconds per RBM training epoch on the wide shape."""
    from genosynth.models import get_model

    rng = np.random.default_rng(20240601)
    haplotypes = (rng.random((N_HAPLOTYPES, N_SITES)) < 0.5).astype(np.int8)
    model = get_model("rbm", n_hidden=100, k=10, n_chains=100, batch_size=32)
    times: list[float] = []
    model.fit(
        haplotypes, seed=0, epochs=8, callback=lambda epoch, logs: times.append(logs["epoch_s"])
    )
    yield "rbm_epoch_s", statistics.median(times[1:])
