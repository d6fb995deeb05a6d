"""Drawing AGs from a trained RBM: one independent Gibbs chain per AG.

:func:`draw_ags` runs ``n`` chains in blocks of :data:`SAMPLE_BLOCK` chains,
each block with its own random stream (so the AGs depend neither on the
number of threads nor on their timing), on up to :data:`N_SHARDS` threads.
A chain starts (``sample_start``) from

* ``"random"``: uniformly random alleles;
* ``"chains"``: persistent training chain ``i % n_chains``;
* ``"frequencies"``: alleles drawn independently at the training allele
  frequencies of the chain's class (of all training haplotypes when
  unconditional),

runs ``burn_in`` Gibbs sweeps (the label units clamped to the chain's class
on a conditional model) and is read out (``readout``) as

* ``"sample"``: its last Bernoulli draw of the alleles (the paper);
* ``"mean"``: allele 1 where ``p(v_i = 1 | h = E[h | v]) > 1/2``, i.e. where
  the visible input ``a = E[h | v] W' + b`` is positive;
* ``"quantile"``: ``a`` rounded at a threshold of each site, so that the
  ``floor(sum p + 1/2)`` AGs with the highest ``p = sigmoid(a)`` carry
  allele 1 (:func:`~genosynth.models.base.count_preserving_round`; per class
  on a conditional model): the AGs of one call carry the model's expected
  allele count at every site and are no longer independent draws.

The readouts draw no random numbers, so all three read the same chain
states for one seed. With inverse temperature ``beta`` other than 1 the
chains run on weights and biases multiplied by ``beta``
(:func:`scaled_rbm`).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
from collections.abc import Mapping

import numpy as np

from genosynth.models.base import count_preserving_round
from genosynth.models.rbm_core import RBM, GibbsSampler, uniform_pm1

__all__ = [
    "N_SHARDS",
    "READOUTS",
    "SAMPLE_BLOCK",
    "SAMPLE_STARTS",
    "child_generators",
    "draw_ags",
    "read_out",
    "scaled_rbm",
    "single_threaded_blas",
    "usable_cores",
]

#: Chains run together (one buffer set) while sampling AGs.
SAMPLE_BLOCK = 1000

#: Where sampling chains start (see the module docstring).
SAMPLE_STARTS = ("random", "chains", "frequencies")

#: How a chain's last state becomes an AG (see the module docstring).
READOUTS = ("sample", "mean", "quantile")

#: Fixed number of training shards, and most threads of training and sampling: results
#: never depend on the core count.
N_SHARDS = 2


def usable_cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@contextlib.contextmanager
def single_threaded_blas():
    """Limit BLAS to one thread (our own threads split the work)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def child_generators(rng: np.random.Generator, n: int) -> list[np.random.Generator]:
    """``n`` independent fast (SFC64) generators seeded from ``rng``."""
    entropy = rng.integers(0, 2**63, size=(n, 2))
    return [np.random.Generator(np.random.SFC64([int(e) for e in row])) for row in entropy]


def scaled_rbm(rbm: RBM, beta: float) -> RBM:
    """``rbm`` itself at ``beta == 1``, else a copy with weights and biases times ``beta``."""
    if beta == 1.0:
        return rbm
    scaled = [np.multiply(a, beta, dtype=np.float32) for a in rbm.parameters()]
    return RBM(*scaled, rbm.n_sites)


def read_out(rbm: RBM, v: np.ndarray, readout: str) -> np.ndarray:
    """The alleles of the AGs of chain states ``v`` (float32, ``(n, n_visible)``).

    ``"sample"``: the allele columns of ``v`` (a float32 view). ``"mean"``: True
    where the visible input ``a = E[h | v] W' + b`` is positive (bool).
    ``"quantile"``: ``a`` itself (float32), rounded over all AGs by
    :func:`draw_ags`. Shape ``(n, n_sites)``.
    """
    if readout == "sample":
        return v[:, : rbm.n_sites]
    visible_input = rbm.mean_field_input(v)[:, : rbm.n_sites]
    if readout == "quantile":
        return visible_input
    return visible_input > 0


def draw_ags(
    rbm: RBM,
    n: int,
    *,
    rng: np.random.Generator,
    codes: np.ndarray | None,
    settings: Mapping,
    chains: np.ndarray,
    start_frequencies: np.ndarray | None,
) -> np.ndarray:
    """``n`` AGs of ``rbm``, one chain each (see the module docstring).

    Parameters
    ----------
    rbm : RBM
        The RBM the chains run (already at the sampling ``beta``).
    n : int
    rng : numpy.random.Generator
        Seeds the block streams.
    codes : numpy.ndarray, int, shape (n,), optional
        Label unit of each chain (conditional models); None: unconditional.
    settings : Mapping
        ``burn_in``, ``sample_start`` and ``readout``.
    chains : numpy.ndarray, int8, shape (n_chains, n_visible)
        Persistent training chains (read with ``sample_start="chains"``).
    start_frequencies : numpy.ndarray, float32, shape (max(n_labels, 1), n_sites), optional
        Allele frequencies of each class (needed with ``sample_start="frequencies"``).

    Returns
    -------
    numpy.ndarray, int8, shape (n, n_sites), values 0/1
    """
    quantile = settings["readout"] == "quantile"
    # "quantile": the blocks leave each AG's visible input, rounded together at the end
    out = np.empty((n, rbm.n_sites), dtype=np.float32 if quantile else np.int8)
    starts = list(range(0, n, SAMPLE_BLOCK))
    generators = child_generators(rng, len(starts))
    workers = max(min(len(starts), N_SHARDS, usable_cores()), 1)
    samplers = [GibbsSampler(rbm, min(SAMPLE_BLOCK, max(n, 1))) for _ in range(workers)]

    def run_blocks(worker: int) -> None:
        for b in range(worker, len(starts), workers):
            lo, hi = starts[b], min(n, starts[b] + SAMPLE_BLOCK)
            v = _start_states(rbm, lo, hi, generators[b], codes, settings["sample_start"],
                              chains, start_frequencies)  # fmt: skip
            clamp = codes is not None
            samplers[worker].run(v, generators[b], settings["burn_in"], clamp_labels=clamp)
            out[lo:hi] = read_out(rbm, v, settings["readout"])

    with single_threaded_blas():
        if workers >= 2:
            with concurrent.futures.ThreadPoolExecutor(max_workers=workers - 1) as pool:
                futures = [pool.submit(run_blocks, w) for w in range(1, workers)]
                run_blocks(0)
                for future in futures:
                    future.result()
        elif starts:
            run_blocks(0)
    if quantile:
        return count_preserving_round(out, groups=codes)
    return out


def _start_states(rbm, lo, hi, rng, codes, sample_start, chains, start_frequencies):
    """Start states of sampling chains ``lo .. hi - 1``: float32 ``(hi - lo, n_visible)``,
    label units one-hot at ``codes`` (conditional models)."""
    n = hi - lo
    v = np.empty((n, rbm.n_visible), dtype=np.float32)
    allele = v[:, : rbm.n_sites]
    block_codes = None if codes is None else codes[lo:hi]
    if sample_start == "chains":
        v[:] = chains[(lo + np.arange(n)) % chains.shape[0]]
    else:  # allele on when U < 2 f - 1, U uniform on [-1, 1]: P = f ("random": f = 1/2)
        threshold = 0.0
        if sample_start == "frequencies":
            rows = np.zeros(n, int) if block_codes is None else block_codes
            threshold = 2.0 * start_frequencies[rows] - 1.0
        np.less(uniform_pm1(rng, np.empty_like(allele)), threshold, out=allele)
    if block_codes is not None:
        v[:, rbm.n_sites :] = 0.0
        v[np.arange(n), rbm.n_sites + block_codes] = 1.0
    return v
