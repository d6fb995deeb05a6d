"""Whole chromosomes as overlapping windows: plan them, split the data, join the AGs back.

A model trained on a chromosome's ``n_sites`` SNPs at once is out of reach of most models;
one model per window of ``size`` consecutive SNPs is not, and the windows train as separate
jobs. Consecutive windows share ``overlap`` SNPs. The AGs of the windows are then joined
into chromosome-wide AGs so that haplotypes continue over the borders:

1. the joined AGs start as window 0's AGs;
2. for window ``k + 1``, each joined AG's segment over the overlap with window ``k + 1``
   is compared with the same segment of every AG of window ``k + 1`` (Hamming distance);
   an assignment (:func:`scipy.optimize.linear_sum_assignment`, the least total distance,
   or ``greedy``: the closest pairs first) pairs each joined AG with one AG of the window;
3. each joined AG keeps its own alleles over the overlap and takes its partner's sites
   past the overlap.

Every site of a joined AG thus comes from one window's AG: its *source* window
(:func:`site_sources`); a pair of sites with different sources spans a border, and
:func:`genosynth.evaluate.ld.ld_decay_by_class` compares LD over such pairs with LD over
pairs inside one source.
"""

from __future__ import annotations

import numpy as np

from genosynth.errors import ConfigError, GenosynthError

__all__ = ["MATCHING", "join_windows", "plan_windows", "site_sources", "split_windows"]

#: Assignments of :func:`join_windows`.
MATCHING = ("optimal", "greedy")


def plan_windows(n_sites: int, size: int, overlap: int) -> list[tuple[int, int]]:
    """``[start, stop)`` site ranges of overlapping windows covering ``n_sites`` sites.

    Windows step by ``size - overlap``; the last one ends at ``n_sites`` (it may overlap its
    predecessor by more than ``overlap``). ``n_sites <= size`` gives one window.

    Parameters
    ----------
    n_sites : int
    size : int
        SNPs per window.
    overlap : int
        SNPs shared by consecutive windows, ``1 <= overlap < size``.

    Returns
    -------
    list of (int, int)
    """
    if size < 2:
        raise ConfigError("windows.size", f"must be at least 2, got {size}")
    if not 1 <= overlap < size:
        raise ConfigError("windows.overlap", f"must be in [1, size) = [1, {size}), got {overlap}")
    if n_sites < 1:
        raise GenosynthError(f"no site to split into windows (n_sites {n_sites})")
    if n_sites <= size:
        return [(0, n_sites)]
    step = size - overlap
    starts = list(range(0, n_sites - size, step)) + [n_sites - size]
    return [(s, s + size) for s in starts]


def split_windows(h: np.ndarray, windows) -> list[np.ndarray]:
    """The columns of ``h`` in each window (copies)."""
    h = np.asarray(h)
    if windows[-1][1] != h.shape[1]:
        raise GenosynthError(
            f"windows end at site {windows[-1][1]} but the matrix has {h.shape[1]} sites"
        )
    return [np.ascontiguousarray(h[:, a:b]) for a, b in windows]


def _hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(len(a), len(b)) Hamming distances of 0/1 rows, int64 (exact float32 products)."""
    if a.shape[1] >= 2**24:
        raise GenosynthError(f"overlap of {a.shape[1]} sites is too long to match")
    x, y = a.astype(np.float32), b.astype(np.float32)
    ones = x.sum(axis=1)[:, None] + y.sum(axis=1)[None, :]
    return np.rint(ones - 2.0 * (x @ y.T)).astype(np.int64)


def _assign(cost: np.ndarray, matching: str) -> np.ndarray:
    """``partner[i]``: the column paired with row ``i`` (a one-to-one assignment)."""
    if matching == "optimal":
        from scipy.optimize import linear_sum_assignment

        rows, cols = linear_sum_assignment(cost)
        partner = np.empty(cost.shape[0], dtype=np.int64)
        partner[rows] = cols
        return partner
    if matching != "greedy":
        raise ConfigError("windows.matching", f"unknown {matching!r}; choose from {MATCHING}")
    order = np.argsort(cost, axis=None, kind="stable")  # closest pairs first, ties by index
    partner = np.full(cost.shape[0], -1, dtype=np.int64)
    taken = np.zeros(cost.shape[1], dtype=bool)
    left = cost.shape[0]
    for flat in order:
        i, j = divmod(int(flat), cost.shape[1])
        if partner[i] < 0 and not taken[j]:
            partner[i], taken[j] = j, True
            left -= 1
            if not left:
                break
    return partner


def join_windows(
    segments, windows, *, matching: str = "optimal"
) -> tuple[np.ndarray, list[np.ndarray], list[float]]:
    """Join the AGs of consecutive windows into chromosome-wide AGs.

    Parameters
    ----------
    segments : sequence of array_like, int8, (n_ags, stop_k - start_k)
        AGs of each window, the same number in every window.
    windows : sequence of (int, int)
        The windows' site ranges (:func:`plan_windows`).
    matching : {"optimal", "greedy"}
        ``optimal``: the assignment of least total overlap distance; ``greedy``: the
        closest remaining pair first (faster for many AGs, never better).

    Returns
    -------
    joined : numpy.ndarray, int8, (n_ags, windows[-1][1])
    partners : list of numpy.ndarray, int64, (n_ags,)
        For each window ``k >= 1``: the row of window ``k``'s AGs that continues each joined AG.
    distances : list of float
        For each window ``k >= 1``: mean Hamming distance per overlap site of the pairs.
    """
    if len(segments) != len(windows) or not segments:
        raise GenosynthError(f"{len(segments)} AG sets for {len(windows)} windows")
    parts = [np.asarray(s, dtype=np.int8) for s in segments]
    n = parts[0].shape[0]
    for k, (part, (a, b)) in enumerate(zip(parts, windows, strict=True)):
        if part.shape != (n, b - a):
            raise GenosynthError(f"window {k}: AGs of shape {part.shape}, expected {(n, b - a)}")
    joined = np.zeros((n, windows[-1][1]), dtype=np.int8)
    joined[:, windows[0][0] : windows[0][1]] = parts[0]
    partners, distances = [], []
    for k in range(1, len(windows)):
        start, stop = windows[k]
        done = windows[k - 1][1]
        if not windows[k - 1][0] < start < done:
            raise GenosynthError(
                f"windows {k - 1} and {k} do not overlap: {windows[k - 1 : k + 1]}"
            )
        width = done - start
        cost = _hamming(joined[:, start:done], parts[k][:, :width])
        partner = _assign(cost, matching)
        joined[:, done:stop] = parts[k][partner, width:]
        partners.append(partner)
        distances.append(float(cost[np.arange(n), partner].mean() / width))
    return joined, partners, distances


def site_sources(windows) -> np.ndarray:
    """Source window of each site of the joined AGs (int64, ``(windows[-1][1],)``).

    Sites of window 0 come from window 0; past the end of window ``k - 1`` they come from
    window ``k``.
    """
    sources = np.zeros(windows[-1][1], dtype=np.int64)
    for k in range(1, len(windows)):
        sources[windows[k - 1][1] : windows[k][1]] = k
    return sources
