"""Closed-form baselines of Yelmen et al. (Methods): Bernoulli and Markov chain.

* :class:`BernoulliModel` (``"bernoulli"``) draws every SNP independently
  with its training allele-1 frequency: it keeps the site frequency spectrum
  and destroys all linkage disequilibrium (LD) and population structure.
* :class:`MarkovChainModel` (``"markov"``) draws SNP ``j`` given the
  previous ``k = min(j, window)`` alleles of the same haplotype (the window
  grows from 0 at the first SNP up to ``window``), with the empirical
  conditional probability

  ``P(x_j = 1 | context) = #{training haplotypes with context and x_j = 1}
  / #{training haplotypes with context}``.

  It keeps short-range LD but not long-range structure.

Both are fitted in one pass (``step`` is 1 after :meth:`fit`) and have no
optimizer state.
"""

from __future__ import annotations

import numpy as np

from genosynth.errors import GenosynthError
from genosynth.models.base import (
    HaplotypeModel,
    as_generator,
    check_haplotypes,
    check_n_samples,
    register_model,
)
from genosynth.params import Param

__all__ = ["BernoulliModel", "MarkovChainModel"]

#: Largest Markov window accepted: the count tables are ``(n_sites, 2**window)``.
MAX_WINDOW = 16

#: Upper bound on the number of uniforms drawn at once by :class:`BernoulliModel`.
_CHUNK_ELEMENTS = 1 << 22


@register_model
class BernoulliModel(HaplotypeModel):
    """Independent SNPs, each drawn with its training allele-1 frequency.

    State: ``frequency`` (float64, ``(n_sites,)``).
    """

    name = "bernoulli"

    def __init__(self, **params):
        super().__init__(**params)
        self.frequency: np.ndarray | None = None

    def fit(self, haplotypes, *, seed):
        h = check_haplotypes(haplotypes)
        rng = as_generator(seed)
        self.frequency = h.mean(axis=0, dtype=np.float64)
        self.n_sites = h.shape[1]
        self.step = 1
        self.rng_state = rng.bit_generator.state
        return self

    def sample(self, n, *, seed):
        self._require_fitted()
        n = check_n_samples(n)
        rng = as_generator(seed)
        out = np.empty((n, self.n_sites), dtype=np.int8)
        rows = max(1, _CHUNK_ELEMENTS // max(1, self.n_sites))
        for start in range(0, n, rows):
            stop = min(n, start + rows)
            out[start:stop] = rng.random((stop - start, self.n_sites)) < self.frequency
        return out

    def get_state(self):
        self._require_fitted()
        return {"frequency": self.frequency.copy()}

    def set_state(self, state):
        freq = np.asarray(state["frequency"], dtype=np.float64)
        if freq.ndim != 1 or not ((freq >= 0) & (freq <= 1)).all():
            raise GenosynthError("bernoulli state 'frequency' must be 1-D with values in [0, 1]")
        if self.n_sites is not None and freq.shape[0] != self.n_sites:
            raise GenosynthError(
                f"bernoulli state has {freq.shape[0]} sites, model has {self.n_sites}"
            )
        self.frequency = freq.copy()
        self.n_sites = freq.shape[0]


@register_model
class MarkovChainModel(HaplotypeModel):
    """Markov chain along the SNPs with a window growing to ``window``.

    Parameters
    ----------
    window : int, default 5
        Maximum number of preceding SNPs conditioned on (``w`` in the paper).

    State
    -----
    ``ones`` and ``totals`` (int32, ``(n_sites, 2**window)``): at site ``j``
    with context length ``k = min(j, window)``, ``totals[j, c]`` counts the
    training haplotypes whose previous ``k`` alleles have code ``c`` and
    ``ones[j, c]`` those of them with allele 1 at ``j``. The code of a context
    is ``c = sum_{i=1..k} x[j - i] * 2**(i - 1)``: the nearest SNP is bit 0, so
    the code of the ``m`` nearest SNPs (``m < k``) is ``c % 2**m``. Only the
    first ``2**k`` columns of row ``j`` are used.

    Back-off
    --------
    With exact training counts every context reached while sampling has been
    seen (the previous allele was only drawn with positive probability if some
    training haplotype continued the context that way). As a guard (e.g. a
    hand-edited state), a sampled context with ``totals == 0`` backs off to
    the longest shorter context (the ``m`` nearest SNPs, ``m = k-1, ..., 0``)
    with a non-zero count, obtained by summing the site's table over the
    dropped, farthest bits; ``m = 0`` is the site's allele-1 frequency. If the
    site has no data at all the allele is drawn with probability 0.5.
    """

    name = "markov"
    spec = (
        Param(
            "window",
            int,
            5,
            "Most preceding SNPs an allele is conditioned on (paper 5 or 10).",
            low=0,
            high=MAX_WINDOW,
        ),
    )

    def __init__(self, **params):
        super().__init__(**params)
        self.ones: np.ndarray | None = None
        self.totals: np.ndarray | None = None

    @property
    def window(self) -> int:
        return self.params["window"]

    def fit(self, haplotypes, *, seed):
        h = check_haplotypes(haplotypes)
        rng = as_generator(seed)
        n_hap, n_sites = h.shape
        w = self.window
        n_ctx = 1 << w
        mask = n_ctx - 1
        cols = np.asfortranarray(h)  # contiguous columns for the per-site loop
        ones = np.zeros((n_sites, n_ctx), dtype=np.int32)
        totals = np.zeros((n_sites, n_ctx), dtype=np.int32)
        code = np.zeros(n_hap, dtype=np.int64)
        for j in range(n_sites):
            if j > 0:
                code = ((code << 1) | cols[:, j - 1]) & mask
            # one bincount on (context, allele): even slots allele 0, odd allele 1
            joint = np.bincount(2 * code + cols[:, j], minlength=2 * n_ctx).reshape(n_ctx, 2)
            ones[j] = joint[:, 1]
            totals[j] = joint[:, 0] + joint[:, 1]
        self.ones, self.totals = ones, totals
        self.n_sites = n_sites
        self.step = 1
        self.rng_state = rng.bit_generator.state
        return self

    def _backoff_probability(self, j: int, k: int, code: np.ndarray) -> np.ndarray:
        """P(x_j = 1) for contexts ``code`` (length ``k``) that have no training count."""
        p = np.full(code.shape[0], 0.5)
        todo = np.ones(code.shape[0], dtype=bool)
        ones_row = self.ones[j, : 1 << k].astype(np.int64)
        tot_row = self.totals[j, : 1 << k].astype(np.int64)
        for m in range(k - 1, -1, -1):
            # marginalise over the k - m farthest SNPs: c = high * 2**m + low
            o = ones_row.reshape(1 << (k - m), 1 << m).sum(axis=0)
            t = tot_row.reshape(1 << (k - m), 1 << m).sum(axis=0)
            low = code[todo] & ((1 << m) - 1)
            tt = t[low]
            ok = tt > 0
            idx = np.flatnonzero(todo)[ok]
            p[idx] = o[low[ok]] / tt[ok]
            todo[idx] = False
            if not todo.any():
                break
        return p

    def sample(self, n, *, seed):
        self._require_fitted()
        n = check_n_samples(n)
        rng = as_generator(seed)
        w = self.window
        mask = (1 << w) - 1
        out = np.empty((self.n_sites, n), dtype=np.int8)  # row per site, transposed at the end
        code = np.zeros(n, dtype=np.int64)
        for j in range(self.n_sites):
            if j > 0:
                code = ((code << 1) | out[j - 1]) & mask
            k = min(j, w)
            tot = self.totals[j, code]
            one = self.ones[j, code]
            p = np.empty(n)
            seen = tot > 0
            np.divide(one, tot, out=p, where=seen)
            if not seen.all():
                p[~seen] = self._backoff_probability(j, k, code[~seen])
            out[j] = rng.random(n) < p
        return np.ascontiguousarray(out.T)

    def get_state(self):
        self._require_fitted()
        return {"ones": self.ones.copy(), "totals": self.totals.copy()}

    def set_state(self, state):
        ones = np.asarray(state["ones"])
        totals = np.asarray(state["totals"])
        expected = 1 << self.window
        if (
            ones.ndim != 2
            or ones.shape != totals.shape
            or ones.shape[1] != expected
            or (ones < 0).any()
            or (ones > totals).any()
        ):
            raise GenosynthError(
                f"markov state needs 'ones' and 'totals' of shape (n_sites, {expected}) "
                "with 0 <= ones <= totals"
            )
        if self.n_sites is not None and ones.shape[0] != self.n_sites:
            raise GenosynthError(
                f"markov state has {ones.shape[0]} sites, model has {self.n_sites}"
            )
        self.ones = ones.astype(np.int32, copy=True)
        self.totals = totals.astype(np.int32, copy=True)
        self.n_sites = ones.shape[0]
