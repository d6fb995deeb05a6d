"""Haplotype copying model (Li & Stephens 2003), as HAPGEN2 simulates haplotypes (Su et al. 2011).

:class:`CopyingModel` (``"copying"``) makes each AG a mosaic of training
haplotypes. Along the SNPs an AG copies one training haplotype (its source);
between two adjacent SNPs it switches, with probability
``rho = 1 / segment_sites``, to a source drawn uniformly from all training
haplotypes (possibly the same one). Each copied allele is flipped with
probability ``mismatch`` (the Li-Stephens emission, HAPGEN2's mutation).

So the number of SNPs copied from one source before a switch is geometric with
mean ``segment_sites``: for ``segment_sites`` far beyond the number of SNPs an
AG is a copy of one training haplotype, for ``segment_sites = 1`` every SNP
comes from an independent source (the Bernoulli baseline). In between, the
AGs keep the training haplotypes' allele frequencies, their LD within
segments and the haplotype structure that extended-haplotype scans (XP-EHH)
and imputation rely on; segments are in SNPs, not centimorgans (the model
sees no positions).

It is the classical non-neural generator of artificial haplotypes, here as a
yardstick for the GAN and RBM. Two cautions:

* the checkpoint holds the training haplotypes themselves (the model's state):
  share its AGs through the privacy gate, never the checkpoint;
* unconditional, sources are drawn from all training haplotypes, so on several
  populations its AGs are mosaics of populations. Fitted with ``labels``
  (``conditional: super_pop`` in the workflow), an AG copies only haplotypes of
  its own label, drawn in the training proportions unless given.

Fitted in one pass (``step`` is 1 after :meth:`fit`); no optimizer state.
"""

from __future__ import annotations

import numpy as np

from genosynth.errors import GenosynthError
from genosynth.models.base import (
    HaplotypeModel,
    as_generator,
    check_haplotypes,
    check_n_samples,
    label_codes,
    register_model,
)
from genosynth.params import Param

__all__ = ["CopyingModel", "copy_mosaics"]

#: Upper bound on the (AG, SNP) cells drawn at once by :func:`copy_mosaics`.
_CHUNK_ELEMENTS = 1 << 22


def copy_mosaics(
    haplotypes: np.ndarray, n: int, *, switch: float, mismatch: float, rng: np.random.Generator
) -> np.ndarray:
    """``n`` mosaics of ``haplotypes`` (the sampling step of :class:`CopyingModel`).

    Parameters
    ----------
    haplotypes : numpy.ndarray, int8, shape (n_haplotypes, n_sites)
        Sources, values in {0, 1}.
    n : int
        Number of mosaics.
    switch : float
        Probability of a new source between adjacent SNPs, in ``[0, 1]``.
    mismatch : float
        Probability that a copied allele is flipped, in ``[0, 1]``.
    rng : numpy.random.Generator

    Returns
    -------
    numpy.ndarray, int8, shape (n, n_sites), values in {0, 1}
        Row ``i``, SNP ``j``: ``haplotypes[source_ij, j]``, flipped with
        probability ``mismatch``.
    """
    n_hap, n_sites = haplotypes.shape
    out = np.empty((n, n_sites), dtype=np.int8)
    rows = max(1, _CHUNK_ELEMENTS // n_sites)
    columns = np.arange(n_sites)
    for start in range(0, n, rows):
        stop = min(n, start + rows)
        new_source = rng.random((stop - start, n_sites)) < switch
        new_source[:, 0] = True  # every mosaic starts on a source
        flat = new_source.ravel()
        sources = rng.integers(0, n_hap, size=int(flat.sum()))
        segment = np.cumsum(flat) - 1  # index of the segment each cell lies in
        source = sources[segment].reshape(new_source.shape)
        part = haplotypes[source, columns]
        if mismatch > 0:
            part ^= (rng.random(part.shape) < mismatch).astype(np.int8)
        out[start:stop] = part
    return out


@register_model
class CopyingModel(HaplotypeModel):
    """Mosaics of the training haplotypes (Li-Stephens copying; see the module docstring).

    Parameters
    ----------
    segment_sites : float, default 100
        Mean number of SNPs copied from one source (``>= 1``): the switch
        probability between adjacent SNPs is ``1 / segment_sites``.
    mismatch : float, default 0
        Probability that a copied allele is flipped, in ``[0, 0.5]``.

    State
    -----
    ``haplotypes`` (int8, ``(n_haplotypes, n_sites)``): the training haplotypes;
    ``labels`` (int64, ``(n_haplotypes,)``): their labels, empty for an
    unconditional model.
    """

    name = "copying"
    accepts_labels = True
    # fit only stores the haplotypes: both parameters are read when AGs are drawn
    spec = (
        Param(
            "segment_sites",
            float,
            100.0,
            "Mean SNPs copied from one training haplotype "
            "(switch probability 1 / segment_sites between adjacent SNPs).",
            "sampling",
            low=1,
        ),
        Param(
            "mismatch",
            float,
            0.0,
            "Probability that a copied allele is flipped.",
            "sampling",
            low=0,
            high=0.5,
        ),
    )

    def __init__(self, **params):
        super().__init__(**params)
        self.haplotypes: np.ndarray | None = None
        self.labels = np.zeros(0, dtype=np.int64)

    @property
    def is_conditional(self) -> bool:
        return self.labels.size > 0

    @property
    def label_values(self) -> np.ndarray:
        """The distinct training labels, sorted (int64, ``(n_labels,)``)."""
        return np.unique(self.labels)

    @property
    def label_proportions(self) -> np.ndarray:
        """Share of each of :attr:`label_values` among the training haplotypes (float64)."""
        return np.unique(self.labels, return_counts=True)[1] / self.labels.size

    def fit(self, haplotypes, *, seed, labels=None):
        """Keep the training haplotypes (and their labels); return ``self``.

        Parameters
        ----------
        haplotypes : array_like, int8, shape (n_haplotypes, n_sites), values in {0, 1}
        seed : int or numpy.random.Generator
        labels : int or array_like of int, shape (n_haplotypes,), optional
            Make the model conditional: each AG copies haplotypes of one label
            (a scalar: all rows share it).
        """
        h = check_haplotypes(haplotypes)
        rng = as_generator(seed)
        self.labels = np.zeros(0, dtype=np.int64)
        if labels is not None:  # one label per row (a scalar for all), integers
            values = np.unique(labels).astype(np.int64)
            self.labels = values[label_codes(labels, values, h.shape[0])]
        self.haplotypes = h.copy()
        self.n_sites = h.shape[1]
        self.step = 1
        self.rng_state = rng.bit_generator.state
        return self

    def sample(self, n, *, seed, labels=None):
        """Draw ``n`` mosaics, each of ``n_sites`` SNPs.

        Parameters
        ----------
        n : int
            Number of AGs.
        seed : int or numpy.random.Generator
            Seed of the switches, sources, flips (and drawn labels).
        labels : int or array_like of int, shape (n,), optional
            Label of each AG, or one for all, among :attr:`label_values`
            (conditional models only); default: drawn in the training proportions.

        Returns
        -------
        numpy.ndarray, int8, shape (n, n_sites), values in {0, 1}
        """
        self._require_fitted()
        n = check_n_samples(n)
        rng = as_generator(seed)
        rates = {"switch": 1.0 / self.params["segment_sites"], "mismatch": self.params["mismatch"]}
        if not self.is_conditional:
            if labels is not None:
                raise GenosynthError(
                    "labels given, but the copying model was fitted without labels"
                )
            return copy_mosaics(self.haplotypes, n, rng=rng, **rates)
        values = self.label_values
        if labels is None:
            codes = rng.choice(values.size, size=n, p=self.label_proportions)
        else:
            codes = label_codes(labels, values, n)
        out = np.empty((n, self.n_sites), dtype=np.int8)
        for code, value in enumerate(values):
            rows = np.flatnonzero(codes == code)
            sources = self.haplotypes[self.labels == value]
            out[rows] = copy_mosaics(sources, rows.size, rng=rng, **rates)
        return out

    def get_state(self):
        self._require_fitted()
        return {"haplotypes": self.haplotypes.copy(), "labels": self.labels.copy()}

    def set_state(self, state):
        h = check_haplotypes(state["haplotypes"])
        if self.n_sites is not None and h.shape[1] != self.n_sites:
            raise GenosynthError(f"copying state has {h.shape[1]} sites, model has {self.n_sites}")
        labels = np.asarray(state.get("labels", np.zeros(0)), dtype=np.int64)
        if labels.size not in (0, h.shape[0]):
            raise GenosynthError(
                f"copying state has {labels.size} labels for {h.shape[0]} haplotypes"
            )
        self.haplotypes = h.copy()
        self.labels = labels.copy()
        self.n_sites = h.shape[1]
