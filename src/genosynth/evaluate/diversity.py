"""Allele frequencies, fixed alleles and haplotype diversity of AGs vs real data.

Yelmen et al. compare the artificial genomes (AGs) with the real haplotypes
through allele frequencies (Fig. S9), alleles lost or fixed (Fig. S14), the
distribution of pairwise haplotype differences (Figs. S4, S8), distances to
the closest real and closest artificial genome (Fig. S10) and haplostrips
(Fig. S11). Distances are Hamming distances (number of differing sites).
Beyond the paper, local-haplotype spectra (windows of a few common SNPs)
measure fine-scale haplotype errors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from genosynth.errors import GenosynthError
from genosynth.evaluate.distance import (
    _as_haplotypes,
    hamming,
    nearest_neighbor,
    pair_distances,
)

__all__ = [
    "allele_frequency",
    "allele_frequency_agreement",
    "closest_distance",
    "diversity_ratio",
    "fixed_alleles",
    "haplostrip_order",
    "local_haplotype_spectrum",
    "mean_pairwise_difference",
    "pairwise_differences",
]


def _same_sites(real: np.ndarray, other: np.ndarray, name: str = "the AGs") -> None:
    if real.shape[1] != other.shape[1]:
        raise GenosynthError(f"real has {real.shape[1]} sites but {name} have {other.shape[1]}")


def _real_and_ag(real, ag) -> tuple[np.ndarray, np.ndarray]:
    """Both sets as checked haplotype arrays over the same sites."""
    r = _as_haplotypes(real, "real")
    a = _as_haplotypes(ag, "ag")
    _same_sites(r, a)
    return r, a


def allele_frequency(h) -> np.ndarray:
    """Frequency of allele 1 at each site.

    Parameters
    ----------
    h : array_like, int8, (n_haplotypes, n_sites), values in {0, 1}

    Returns
    -------
    numpy.ndarray, float64, (n_sites,)
        NaN for every site when there are no haplotypes.
    """
    h = _as_haplotypes(h, "h")
    if h.shape[0] == 0:
        return np.full(h.shape[1], np.nan)
    return h.mean(axis=0, dtype=np.float64)


def allele_frequency_agreement(real, ag) -> dict:
    """How well the AGs reproduce the real allele frequencies (paper Fig. S9).

    Parameters
    ----------
    real : array_like, int8, (n_real, n_sites)
    ag : array_like, int8, (n_ag, n_sites)

    Returns
    -------
    dict
        ``pearson_r``: correlation of the two frequency vectors (NaN when one is
        constant); ``rmse``: ``sqrt(mean_j (p_ag_j - p_real_j)**2)``.
    """
    r, a = _real_and_ag(real, ag)
    p_real = allele_frequency(r)
    p_ag = allele_frequency(a)
    if p_real.size < 2 or np.std(p_real) == 0 or np.std(p_ag) == 0:
        pearson = float("nan")
    else:
        pearson = float(np.corrcoef(p_real, p_ag)[0, 1])
    rmse = float(np.sqrt(np.mean((p_ag - p_real) ** 2))) if p_real.size else float("nan")
    return {"pearson_r": pearson, "rmse": rmse}


def fixed_alleles(real, ag, *, train=None) -> dict:
    """Sites polymorphic in one set but fixed (monomorphic) in the other (paper Fig. S14).

    Parameters
    ----------
    real : array_like, int8, (n_real, n_sites)
    ag : array_like, int8, (n_ag, n_sites)
    train : array_like, int8, (n_train, n_sites), optional
        The real rows the model was trained on (a subset of ``real``). A model
        only sees these, so its floor is that of a sampler of their
        frequencies; see the ``_train`` keys below.

    Returns
    -------
    dict
        ``n_sites``;
        ``n_fixed_real`` and ``n_fixed_ag``: monomorphic sites of each set;
        ``polymorphic_real_fixed_ag``: sites polymorphic in the real data but
        fixed in the AGs, and ``fraction_polymorphic_real_fixed_ag`` that count
        over the number of sites polymorphic in the real data (NaN if none);
        ``polymorphic_ag_fixed_real`` and ``fraction_polymorphic_ag_fixed_real``:
        the converse, over the sites polymorphic in the AGs;
        ``expected_fraction_polymorphic_real_fixed_ag``: the fraction a sampler
        drawing each site independently with its real allele frequency ``p``
        would leave fixed in ``n_ag`` AGs, the mean of ``(1 - p)**n_ag +
        p**n_ag`` over the real-polymorphic sites (NaN if none). Rare alleles
        make it the floor for ``fraction_polymorphic_real_fixed_ag`` at this AG
        count: a real singleton is absent from ``n`` AGs with probability
        ``(1 - 1/n)**n``, about ``1/e``, when there are as many AGs as real
        haplotypes.

        With ``train``, also: ``polymorphic_real_fixed_train``, the
        real-polymorphic sites monomorphic in the training rows (no model of
        those rows can make them polymorphic), and
        ``expected_fraction_polymorphic_real_fixed_ag_train``, the mean of
        ``(1 - q)**n_ag + q**n_ag`` over the real-polymorphic sites with ``q``
        the training frequency: the floor of a model that learned the training
        rows exactly.
    """
    r, a = _real_and_ag(real, ag)
    p_real = allele_frequency(r)
    p_ag = allele_frequency(a)
    poly_real = (p_real > 0) & (p_real < 1)
    poly_ag = (p_ag > 0) & (p_ag < 1)
    real_to_fixed = int(np.sum(poly_real & ~poly_ag))
    ag_to_fixed = int(np.sum(poly_ag & ~poly_real))
    n_poly_real = int(poly_real.sum())
    n_poly_ag = int(poly_ag.sum())
    p = p_real[poly_real]
    n_ag = a.shape[0]
    fixed_by_chance = (1.0 - p) ** n_ag + p**n_ag
    stats = {
        "n_sites": int(r.shape[1]),
        "n_fixed_real": int(r.shape[1] - n_poly_real),
        "n_fixed_ag": int(a.shape[1] - n_poly_ag),
        "polymorphic_real_fixed_ag": real_to_fixed,
        "fraction_polymorphic_real_fixed_ag": (
            real_to_fixed / n_poly_real if n_poly_real else float("nan")
        ),
        "polymorphic_ag_fixed_real": ag_to_fixed,
        "fraction_polymorphic_ag_fixed_real": (
            ag_to_fixed / n_poly_ag if n_poly_ag else float("nan")
        ),
        "expected_fraction_polymorphic_real_fixed_ag": (
            float(fixed_by_chance.mean()) if n_poly_real else float("nan")
        ),
    }
    if train is not None:
        t = _as_haplotypes(train, "train")
        _same_sites(r, t, "the training rows")
        q = allele_frequency(t)[poly_real]
        fixed_from_train = (1.0 - q) ** n_ag + q**n_ag
        stats["polymorphic_real_fixed_train"] = int(np.sum((q == 0) | (q == 1)))
        stats["expected_fraction_polymorphic_real_fixed_ag_train"] = (
            float(fixed_from_train.mean()) if n_poly_real else float("nan")
        )
    return stats


def pairwise_differences(h, *, max_pairs: int = 200_000, seed=0) -> np.ndarray:
    """Hamming distances between distinct haplotypes of one set (paper Figs. S4, S8).

    Parameters
    ----------
    h : array_like, int8, (n_haplotypes, n_sites)
    max_pairs : int, default 200000
        When the set has at most this many pairs ``i < j`` all are returned,
        in row-major order of ``(i, j)``; otherwise this many pairs are drawn
        uniformly (with replacement among pairs, ``i != j``).
    seed : int or numpy.random.Generator, default 0

    Returns
    -------
    numpy.ndarray, int32, (n_pairs,)
    """
    h = _as_haplotypes(h, "h")
    n = h.shape[0]
    n_all = n * (n - 1) // 2
    if n_all <= max_pairs:
        i, j = np.triu_indices(n, k=1)
        return hamming(h)[i, j] if n_all else np.zeros(0, dtype=np.int32)
    rng = np.random.default_rng(seed)
    i = rng.integers(0, n, max_pairs)
    j = (i + rng.integers(1, n, max_pairs)) % n  # uniform over the n - 1 other rows
    return pair_distances(h, h, i, j)


def mean_pairwise_difference(h) -> float:
    """Mean Hamming distance over all pairs of distinct haplotypes, exactly.

    Per site, ``k`` of ``n`` haplotypes carrying allele 1 make ``k (n - k)``
    differing pairs out of ``n (n - 1) / 2``, so the mean is the sum over sites
    of ``2 k (n - k) / (n (n - 1))`` (the count of segregating differences
    behind nucleotide diversity), in O(n_sites) memory whatever ``n``.

    Parameters
    ----------
    h : array_like, int8, (n_haplotypes, n_sites)
        At least 2 haplotypes.

    Returns
    -------
    float
    """
    h = _as_haplotypes(h, "h")
    n = h.shape[0]
    if n < 2:
        raise GenosynthError(f"mean pairwise difference needs >= 2 haplotypes, got {n}")
    k = h.sum(axis=0, dtype=np.int64)
    differing_pairs = k * (n - k)
    all_pairs = n * (n - 1) / 2
    return float(differing_pairs.sum() / all_pairs)


def diversity_ratio(real, ag) -> float:
    """AG diversity relative to the real data: mean pairwise differences, AG / real.

    About 1 for a model that keeps the real haplotypes' diversity; near 0 for
    one collapsed onto a few haplotypes (mode collapse), however close its AGs
    lie to real ones. NaN when the real haplotypes are all identical.

    Parameters
    ----------
    real : array_like, int8, (n_real, n_sites)
    ag : array_like, int8, (n_ag, n_sites)

    Returns
    -------
    float
    """
    r, a = _real_and_ag(real, ag)
    real_mean = mean_pairwise_difference(r)
    return mean_pairwise_difference(a) / real_mean if real_mean > 0 else float("nan")


def closest_distance(real, ag) -> pd.DataFrame:
    """For each real haplotype, the distance to the closest AG and to the closest other real.

    Paper Fig. S10: AGs that copy real genomes show up as real haplotypes
    much closer to an AG than to any other real one.

    Parameters
    ----------
    real : array_like, int8, (n_real, n_sites), n_real >= 2
    ag : array_like, int8, (n_ag, n_sites), n_ag >= 1

    Returns
    -------
    pandas.DataFrame, n_real rows
        ``to_closest_ag`` and ``to_closest_real`` (int32).
    """
    r, a = _real_and_ag(real, ag)
    to_ag = nearest_neighbor(r, a)[0]
    to_real = nearest_neighbor(r, r, exclude_self=True)[0]
    return pd.DataFrame({"to_closest_ag": to_ag, "to_closest_real": to_real})


def _maf_columns(h: np.ndarray, min_maf: float) -> np.ndarray:
    """Sites (int64 indices, increasing) where the minor-allele frequency of ``h`` > ``min_maf``."""
    p = allele_frequency(h)
    return np.flatnonzero(np.minimum(p, 1.0 - p) > min_maf)


def haplostrip_order(h, *, min_maf: float = 0.05, consensus=None, columns=None):
    """Rows and columns of a haplostrip plot (Marnetto & Huerta-Sanchez 2017; paper Fig. S11).

    Columns: sites whose minor-allele frequency in ``h`` exceeds ``min_maf``
    (or ``columns`` when given, e.g. those chosen on the real data for an AG
    panel). Rows: sorted by Hamming distance to ``consensus`` over those
    columns, closest first; equal distances keep their input order.

    Parameters
    ----------
    h : array_like, int8, (n_haplotypes, n_sites)
    min_maf : float, default 0.05
        Strict lower bound on ``min(p, 1 - p)``.
    consensus : array_like, (n_sites,), optional
        Reference haplotype over all sites; default the majority allele of
        ``h`` at each site (0 on an exact tie). Pass the real set's consensus
        to order AGs the same way as the real haplotypes.
    columns : array_like of int, optional
        Site indices to keep instead of the MAF filter.

    Returns
    -------
    rows : numpy.ndarray, int64, (n_haplotypes,)
        Row order.
    columns : numpy.ndarray, int64, (n_kept,)
        Kept sites, increasing.
    """
    h = _as_haplotypes(h, "h")
    if consensus is None:
        p = allele_frequency(h)
        consensus = (p > 0.5).astype(np.int8)
    consensus = np.asarray(consensus).astype(np.int8).ravel()
    if consensus.shape[0] != h.shape[1]:
        raise GenosynthError(f"consensus has {consensus.shape[0]} sites, h has {h.shape[1]}")
    if columns is None:
        columns = _maf_columns(h, min_maf)
    else:
        columns = np.sort(np.asarray(columns, dtype=np.int64))
    distance = (h[:, columns] != consensus[columns]).sum(axis=1)
    rows = np.argsort(distance, kind="stable")
    return rows.astype(np.int64), np.asarray(columns, dtype=np.int64)


def _window_keys(h: np.ndarray, columns: np.ndarray, window: int) -> np.ndarray:
    """Each row's local haplotype in each window as one int64 key, distinct across windows.

    Returns
    -------
    numpy.ndarray, int64, (n_haplotypes * n_windows,)
        ``window_index * 2**window + code``, ``code`` the window's alleles read
        as a binary number.
    """
    n_windows = len(columns) // window
    bits = h[:, columns[: n_windows * window]].reshape(len(h), n_windows, window)
    code = bits.astype(np.int64) @ (np.int64(1) << np.arange(window, dtype=np.int64))
    offset = np.arange(n_windows, dtype=np.int64) << np.int64(window)
    return (code + offset).ravel()


def local_haplotype_spectrum(
    reference, other, *, window: int = 10, min_maf: float = 0.05, columns=None
) -> dict:
    """How far ``other``'s local haplotypes are from ``reference``'s, window by window.

    The sites kept (reference MAF above ``min_maf``, or ``columns``) are cut
    into consecutive, non-overlapping windows of ``window`` sites; a row's
    alleles in a window are its local haplotype. Per window, the total
    variation distance between the two sets' local-haplotype frequencies is

        tv_w = 1/2 * sum_k | n_ref(k) / n_ref - n_other(k) / n_other |

    and ``unseen`` is the share of ``other``'s local haplotypes that no
    reference row carries. Both are averaged over the windows. They see the
    fine-scale haplotype errors that allele frequencies and pairwise LD miss:
    alleles flipped on a real background and new recombinants alike (which
    weigh differently downstream: an imputation HMM expects recombination,
    and few flipped alleles).

    The distance between two finite samples is not 0 even when they come from
    one population, and it shrinks as they grow: compare sets of one size
    (e.g. AGs subsampled to the held-out real count, against the held-out real
    set's own value).

    Parameters
    ----------
    reference : array_like, int8, (n_ref, n_sites)
        Usually the training haplotypes.
    other : array_like, int8, (n_other, n_sites)
        AGs, or held-out real haplotypes.
    window : int, default 10
        Sites per window, 1 to 30.
    min_maf : float, default 0.05
        Strict lower bound on the reference minor-allele frequency of a kept site.
    columns : array_like of int, optional
        Site indices to use instead of the MAF filter.

    Returns
    -------
    dict
        ``tv`` and ``unseen`` (float, in [0, 1]; NaN when no full window fits)
        and ``n_windows`` (int).
    """
    r, o = _as_haplotypes(reference, "reference"), _as_haplotypes(other, "other")
    _same_sites(r, o, "other")
    if not (isinstance(window, int | np.integer) and 1 <= window <= 30):
        raise GenosynthError(f"window must be an integer from 1 to 30 sites, got {window!r}")
    if len(r) == 0 or len(o) == 0:
        raise GenosynthError("local_haplotype_spectrum needs at least one row in each set")
    if columns is None:
        columns = _maf_columns(r, min_maf)
    columns = np.sort(np.asarray(columns, dtype=np.int64))
    n_windows = len(columns) // window
    if n_windows == 0:
        return {"tv": float("nan"), "unseen": float("nan"), "n_windows": 0}
    ref_keys, ref_counts = np.unique(_window_keys(r, columns, window), return_counts=True)
    other_keys, other_counts = np.unique(_window_keys(o, columns, window), return_counts=True)
    keys = np.union1d(ref_keys, other_keys)
    ref_share = np.zeros(len(keys))
    ref_share[np.searchsorted(keys, ref_keys)] = ref_counts / len(r)
    other_share = np.zeros(len(keys))
    other_share[np.searchsorted(keys, other_keys)] = other_counts / len(o)
    gap = np.abs(ref_share - other_share)
    tv = 0.5 * np.bincount(keys >> np.int64(window), weights=gap, minlength=n_windows)
    unseen = other_share * (ref_share == 0)
    return {
        "tv": float(tv.mean()),
        "unseen": float(unseen.sum() / n_windows),
        "n_windows": int(n_windows),
    }
