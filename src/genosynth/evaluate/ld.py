"""Linkage disequilibrium of real and artificial haplotypes (Yelmen et al., Fig. 2).

LD between sites ``i`` and ``j`` is the squared Pearson correlation of their
allele columns. With ``n`` haplotypes, allele-1 frequencies ``p_i`` and
``n11_ij`` haplotypes carrying allele 1 at both sites::

    D_ij   = n11_ij / n - p_i p_j
    r2_ij  = D_ij**2 / (p_i (1 - p_i) p_j (1 - p_j))

``n11`` is one float32 matrix product of the allele columns (exact: counts
below ``2**24``); the rest is float64. A monomorphic site has no defined
correlation: its row and column of r² are NaN, and LD-decay curves leave its
pairs out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from genosynth.errors import GenosynthError
from genosynth.evaluate.distance import _as_haplotypes

__all__ = ["PAIR_CLASSES", "ld_decay", "ld_decay_by_class", "ld_decay_mae", "r2_matrix"]

#: Sites per block: a block pair holds two float32 (n, block) slices and block**2 float64s.
_BLOCK = 1024


def _frequencies(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Allele-1 frequency ``p`` and ``p (1 - p)`` per site, float64."""
    if h.shape[0] == 0:
        raise GenosynthError("LD needs at least one haplotype")
    if h.shape[0] >= 2**24:
        raise GenosynthError(f"LD supports fewer than 2**24 haplotypes, got {h.shape[0]}")
    p = h.mean(axis=0, dtype=np.float64)
    return p, p * (1.0 - p)


def _r2_block(h, p, var, rows: slice, cols: slice) -> np.ndarray:
    """r² (float64, NaN at monomorphic sites) between the sites ``rows`` and ``cols``."""
    n = h.shape[0]
    x_rows = h[:, rows].astype(np.float32)
    x_cols = h[:, cols].astype(np.float32)
    n11 = (x_rows.T @ x_cols).astype(np.float64)
    d = n11 / n
    d -= np.outer(p[rows], p[cols])
    denominator = np.outer(var[rows], var[cols])
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = d**2 / denominator
    r2[denominator == 0] = np.nan
    return np.clip(r2, 0.0, 1.0, out=r2)  # rounding can leave 1 + 1e-16; NaN stays NaN


def r2_matrix(h) -> np.ndarray:
    """Squared correlation between every pair of sites.

    Parameters
    ----------
    h : array_like, int8, (n_haplotypes, n_sites), values in {0, 1}

    Returns
    -------
    numpy.ndarray, float32, (n_sites, n_sites)
        Symmetric; 1 on the diagonal of polymorphic sites; NaN in the row and
        column of every monomorphic site.
    """
    h = _as_haplotypes(h, "h")
    p, var = _frequencies(h)
    m = h.shape[1]
    out = np.empty((m, m), dtype=np.float32)
    for i0 in range(0, m, _BLOCK):
        rows = slice(i0, min(m, i0 + _BLOCK))
        for j0 in range(i0, m, _BLOCK):
            cols = slice(j0, min(m, j0 + _BLOCK))
            block = _r2_block(h, p, var, rows, cols)
            out[rows, cols] = block
            out[cols, rows] = block.T
    return out


def _bin_edges(positions: np.ndarray, n_bins: int, max_distance) -> np.ndarray:
    if n_bins < 1:
        raise GenosynthError(f"n_bins must be positive, got {n_bins}")
    if max_distance is None:
        max_distance = float(positions.max() - positions.min()) if positions.size else 0.0
    if max_distance <= 0:
        max_distance = 1.0
    return np.linspace(0.0, float(max_distance), n_bins + 1)


def ld_decay(h, positions, *, n_bins: int = 50, max_distance=None) -> pd.DataFrame:
    """Mean r² of site pairs binned by physical distance (paper Fig. 2b).

    Every pair of distinct polymorphic sites ``i < j`` with distance
    ``|pos_j - pos_i| <= max_distance`` falls in one of ``n_bins`` equal
    bins ``[bin_start, bin_end)`` over ``[0, max_distance]`` (the last bin
    also holds ``max_distance`` itself). The r² matrix is computed block by
    block and never held whole; with sorted positions, only the blocks within
    ``max_distance`` of each other are computed (set it on long regions: the
    default, the whole span, costs sites²).

    Parameters
    ----------
    h : array_like, int8, (n_haplotypes, n_sites), values in {0, 1}
    positions : array_like of int, (n_sites,)
        Physical positions (bp); need not be sorted.
    n_bins : int, default 50
    max_distance : float, optional
        Default: the span of ``positions`` (all pairs).

    Returns
    -------
    pandas.DataFrame, n_bins rows
        ``bin_start``, ``bin_end`` (float64, bp), ``mean_r2`` (float64, NaN for
        an empty bin) and ``n_pairs`` (int64).
    """
    h = _as_haplotypes(h, "h")
    pos = _positions(positions, h)
    edges = _bin_edges(pos, n_bins, max_distance)
    sums, counts = _decay_sums(h, pos, edges, None)
    return _decay_frame(edges, sums[0], counts[0])


#: Pair classes of :func:`ld_decay_by_class`: both sites from one source, or from two.
PAIR_CLASSES = ("inside", "border")


def ld_decay_by_class(
    h, positions, sources, *, n_bins: int = 50, max_distance=None
) -> pd.DataFrame:
    """:func:`ld_decay` split by pair class: pairs inside one source vs spanning a border.

    For AGs joined from windows (:func:`genosynth.windows.site_sources`), a pair of sites
    whose alleles come from the same window's AG is ``inside``; one whose sites come from two
    windows spans at least one border (``border``).

    Parameters
    ----------
    h, positions, n_bins, max_distance
        As :func:`ld_decay`.
    sources : array_like of int, (n_sites,)
        Source (window) of each site.

    Returns
    -------
    pandas.DataFrame, 2 * n_bins rows
        ``class`` (``inside`` then ``border``) and the columns of :func:`ld_decay`.
    """
    h = _as_haplotypes(h, "h")
    pos = _positions(positions, h)
    src = np.asarray(sources, dtype=np.int64).ravel()
    if src.shape != pos.shape:
        raise GenosynthError(f"{src.shape[0]} sources for {pos.shape[0]} sites")
    edges = _bin_edges(pos, n_bins, max_distance)
    sums, counts = _decay_sums(h, pos, edges, src)
    frames = [
        _decay_frame(edges, sums[k], counts[k]).assign(**{"class": name})
        for k, name in enumerate(PAIR_CLASSES)
    ]
    table = pd.concat(frames, ignore_index=True)
    return table[["class", "bin_start", "bin_end", "mean_r2", "n_pairs"]]


def _positions(positions, h) -> np.ndarray:
    pos = np.asarray(positions, dtype=np.float64).ravel()
    if pos.shape[0] != h.shape[1]:
        raise GenosynthError(f"{pos.shape[0]} positions for {h.shape[1]} sites")
    return pos


def _decay_frame(edges, sums, counts) -> pd.DataFrame:
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return pd.DataFrame(
        {"bin_start": edges[:-1], "bin_end": edges[1:], "mean_r2": mean, "n_pairs": counts}
    )


def _decay_sums(h, pos, edges, sources) -> tuple[np.ndarray, np.ndarray]:
    """Sums of r² and pair counts per (pair class, distance bin) over pairs within ``edges[-1]``.

    One class without ``sources``; with them, class 0 (same source) and 1 (two sources).
    Block pairs are visited only while they can hold a pair within ``edges[-1]``: with sorted
    positions the cost grows with sites x sites-within-reach, not with sites².
    """
    n_bins = edges.size - 1
    n_classes = 1 if sources is None else 2
    sums = np.zeros((n_classes, n_bins))
    counts = np.zeros((n_classes, n_bins), dtype=np.int64)
    m = h.shape[1]
    if m < 2:
        return sums, counts
    ordered = bool(np.all(np.diff(pos) >= 0))
    p, var = _frequencies(h)
    for i0 in range(0, m, _BLOCK):
        rows = slice(i0, min(m, i0 + _BLOCK))
        for j0 in range(i0, m, _BLOCK):
            cols = slice(j0, min(m, j0 + _BLOCK))
            if ordered and pos[cols.start] - pos[rows.stop - 1] > edges[-1]:
                break  # this and every later block is out of reach
            r2 = _r2_block(h, p, var, rows, cols)
            i = np.arange(rows.start, rows.stop)[:, None]
            j = np.arange(cols.start, cols.stop)[None, :]
            distance = np.abs(pos[cols][None, :] - pos[rows][:, None])
            keep = (j > i) & np.isfinite(r2) & (distance <= edges[-1])
            which = np.searchsorted(edges, distance[keep], side="right") - 1
            which = np.minimum(which, n_bins - 1)
            if sources is None:
                pair_class = np.zeros(which.size, dtype=np.int64)
            else:
                pair_class = (sources[rows][:, None] != sources[cols][None, :])[keep]
                pair_class = pair_class.astype(np.int64)
            flat = pair_class * n_bins + which
            size = n_classes * n_bins
            sums += np.bincount(flat, weights=r2[keep], minlength=size).reshape(n_classes, n_bins)
            counts += np.bincount(flat, minlength=size).reshape(n_classes, n_bins)
    return sums, counts


def ld_decay_mae(real_decay: pd.DataFrame, ag_decay: pd.DataFrame) -> float:
    """Mean absolute difference of the mean r² of two decay curves over shared bins.

    Parameters
    ----------
    real_decay, ag_decay : pandas.DataFrame
        :func:`ld_decay` results with the same bins.

    Returns
    -------
    float
        ``mean |mean_r2_ag - mean_r2_real|`` over the bins where both are
        defined; NaN if there is none.
    """
    if len(real_decay) != len(ag_decay) or not np.allclose(
        real_decay["bin_start"].to_numpy(), ag_decay["bin_start"].to_numpy()
    ):
        raise GenosynthError(
            "LD decay curves have different bins; compute both with the same "
            "positions, n_bins and max_distance"
        )
    real = real_decay["mean_r2"].to_numpy(dtype=np.float64)
    ag = ag_decay["mean_r2"].to_numpy(dtype=np.float64)
    both = np.isfinite(real) & np.isfinite(ag)
    if not both.any():
        return float("nan")
    return float(np.mean(np.abs(ag[both] - real[both])))
