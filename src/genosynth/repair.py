"""Context repair of AGs: alleles their local haplotype context never carries in the training data.

A generative model's AGs can carry an allele on a background where no
training haplotype has it: an isolated flip on an otherwise real local
haplotype. Such flips cost little in allele frequencies or pairwise LD but
mislead an imputation HMM, which expects recombination between reference
haplotypes and few new mutations (paper Fig. 3: the GAN panel lost accuracy).

:func:`context_allele_counts` counts, for every AG and site, the training
haplotypes that share the AG's ``flank`` alleles on both sides, split by their
allele at the site. :func:`repair_context_alleles` flips an AG's allele when
at least ``min_support`` training haplotypes share its context and none of
them carries it: the repaired allele is the one they all carry there
(measured effects: experiments/realscan_gan_repair).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from genosynth.errors import GenosynthError

__all__ = ["context_allele_counts", "repair_context_alleles"]

#: Context bits that fit an int64 key beside the site index and the allele.
_MAX_FLANK = 20


def _check(reference: np.ndarray, other: np.ndarray, flank: int) -> None:
    if reference.ndim != 2 or other.ndim != 2 or reference.shape[1] != other.shape[1]:
        raise GenosynthError(
            f"reference {reference.shape} and AGs {other.shape} must be 2-D with the same sites"
        )
    if not 1 <= flank <= _MAX_FLANK:
        raise GenosynthError(f"flank must be 1 to {_MAX_FLANK} sites, got {flank}")


def _context_keys(h: np.ndarray, flank: int, inner: np.ndarray) -> np.ndarray:
    """Each row's ``flank`` alleles left and right of each inner site as one int64 key.

    Returns
    -------
    numpy.ndarray, int64, shape (n_rows, inner.size)
        Bits ``flank..2*flank-1``: the left flank; bits ``0..flank-1``: the right one.
    """
    powers = np.int64(1) << np.arange(flank, dtype=np.int64)
    windows = sliding_window_view(h.astype(np.int64), flank, axis=1) @ powers
    left = windows[:, inner - flank]
    right = windows[:, inner + 1]
    return (left << flank) | right


def _inner_sites(n_sites: int, flank: int, sites=None) -> np.ndarray:
    """Sites (int64, increasing) with a full context, among ``sites`` when given."""
    inner = np.arange(flank, n_sites - flank, dtype=np.int64)
    if sites is not None:
        inner = np.intersect1d(inner, np.asarray(sites, dtype=np.int64))
    return inner


def _reference_codes(reference: np.ndarray, flank: int, inner: np.ndarray) -> np.ndarray:
    """One sorted int64 code per reference row and inner site: (site, context, allele)."""
    site = np.arange(inner.size, dtype=np.int64)[None, :] << (2 * flank + 1)
    codes = site + (_context_keys(reference, flank, inner) << 1)
    return np.sort((codes + reference[:, inner]).ravel())


def _lookup(
    codes: np.ndarray, other: np.ndarray, flank: int, inner: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Reference rows sharing each row's context at each inner site, with allele 0 and 1.

    Returns
    -------
    count0, count1 : numpy.ndarray, int64, shape (n_other, inner.size)
    """
    site = np.arange(inner.size, dtype=np.int64)[None, :] << (2 * flank + 1)
    base = site + (_context_keys(other, flank, inner) << 1)
    start = np.searchsorted(codes, base, side="left")
    middle = np.searchsorted(codes, base + 1, side="left")
    end = np.searchsorted(codes, base + 2, side="left")
    return middle - start, end - middle


def context_allele_counts(
    reference, other, *, flank: int, sites=None
) -> tuple[np.ndarray, np.ndarray]:
    """Training haplotypes that share each row's context at each site, by their allele there.

    The context of site ``j`` is the ``flank`` sites on each side
    (``j - flank .. j - 1`` and ``j + 1 .. j + flank``); the site's own allele
    is not part of it. Sites within ``flank`` of either end have no full
    context and get zero counts.

    Parameters
    ----------
    reference : array_like, int8, (n_ref, n_sites)
        Training haplotypes, values in {0, 1}.
    other : array_like, int8, (n_other, n_sites)
        AGs (or any haplotypes) to look up.
    flank : int
        Sites on each side, 1 to 20.
    sites : array_like of int, optional
        Count at these sites only (the others get zero counts); default all.

    Returns
    -------
    count0, count1 : numpy.ndarray, int64, shape (n_other, n_sites)
        Reference rows equal to ``other[i]`` on the context of site ``j`` that
        carry allele 0 (``count0[i, j]``) or 1 (``count1[i, j]``) at ``j``.
    """
    reference = np.asarray(reference, dtype=np.int8)
    other = np.asarray(other, dtype=np.int8)
    _check(reference, other, flank)
    count0 = np.zeros(other.shape, dtype=np.int64)
    count1 = np.zeros(other.shape, dtype=np.int64)
    inner = _inner_sites(reference.shape[1], flank, sites)
    if inner.size:
        codes = _reference_codes(reference, flank, inner)
        count0[:, inner], count1[:, inner] = _lookup(codes, other, flank, inner)
    return count0, count1


def repair_context_alleles(
    reference, ags, *, flank: int = 3, min_support: int = 1, max_passes: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """Flip AG alleles that no training haplotype carries in the AG's own context.

    An allele ``ags[i, j]`` is flipped when at least ``min_support`` training
    haplotypes share its context (the ``flank`` sites on each side) and none
    of them carries ``ags[i, j]``. A flip changes its neighbours' contexts, so
    a pass visits the sites in ``flank + 1`` interleaved groups (``j mod
    (flank + 1)``), each group's contexts read after the previous group's
    flips: no two sites flipped together lie in each other's context, which
    keeps adjacent unseen alleles from flipping back and forth. Passes repeat
    until none flips or ``max_passes`` have run.

    Parameters
    ----------
    reference : array_like, int8, (n_ref, n_sites)
        Training haplotypes, values in {0, 1}.
    ags : array_like, int8, (n_ags, n_sites)
    flank : int, default 3
        Sites on each side, 1 to 20.
    min_support : int, default 1
        Fewest training haplotypes sharing a context for it to repair an allele.
    max_passes : int, default 3

    Returns
    -------
    repaired : numpy.ndarray, int8, shape (n_ags, n_sites)
    flips : numpy.ndarray, int64, shape (n_ags,)
        Sites of each AG that differ from the input.
    """
    if min_support < 1 or max_passes < 1:
        raise GenosynthError(
            f"min_support and max_passes must be >= 1, got {min_support} and {max_passes}"
        )
    reference = np.asarray(reference, dtype=np.int8)
    original = np.asarray(ags, dtype=np.int8)
    _check(reference, original, flank)
    repaired = original.copy()
    # the reference's codes per group do not change between passes: sort them once
    n_sites = original.shape[1]
    groups = []
    for group in range(flank + 1):
        inner = _inner_sites(n_sites, flank, np.arange(group, n_sites, flank + 1))
        if inner.size:
            groups.append((inner, _reference_codes(reference, flank, inner)))
    for _ in range(max_passes):
        flipped = 0
        for inner, codes in groups:
            count0, count1 = _lookup(codes, repaired, flank, inner)
            alleles = repaired[:, inner]
            own = np.where(alleles == 1, count1, count0)
            unseen = (own == 0) & (count0 + count1 >= min_support)
            repaired[:, inner] = alleles ^ unseen
            flipped += int(unseen.sum())
        if flipped == 0:
            break
    flips = (repaired != original).sum(axis=1).astype(np.int64)
    return repaired, flips
