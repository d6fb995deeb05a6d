"""Splice-site logos: exon boundaries from an annotation track, information content.

Windows are aligned at the exon start (first position whose track value is > 0.5) and
at the exon end (last such position); ``flank`` bases either side of each boundary are
kept, so in an aligned start block index ``flank`` is the first exon base (the acceptor
``AG`` sits at ``flank - 2, flank - 1``), and in an end block index ``flank - 1`` is the
last exon base (the donor ``GT`` sits at ``flank, flank + 1``).

Information content of a column with base frequencies ``p`` is
``2 + sum_b p_b log2 p_b`` bits (0 log 0 = 0); a logo draws ``p_b * IC`` per base. With
``correct=True`` the small-sample correction ``e(n) = 3 / (2 n ln 2)`` (Schneider et al. 1986,
4 letters) is subtracted: ``n`` uniform random bases show about ``e(n)`` bits by chance, so the
corrected value is about 0 for no signal (it may dip below 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from genosynth.dna.sequences import ALPHABET

__all__ = [
    "align_boundaries",
    "information",
    "logo_matrix",
    "small_sample_correction",
    "splice_site_information",
]


def align_boundaries(codes: np.ndarray, track: np.ndarray, *, flank: int):
    """Blocks of ``2 * flank`` bases around each window's exon start and end.

    Parameters
    ----------
    codes : numpy.ndarray, uint8, shape (n, L)
    track : numpy.ndarray, float, shape (n, L)
        Exon annotation (0/1, or generated values in [0, 1]).
    flank : int

    Returns
    -------
    starts, ends : numpy.ndarray, uint8, shape (n_kept, 2 * flank)
        Windows without an exon, or whose boundary lies closer than ``flank`` to an end of
        the window, are left out (of both).
    """
    inside = np.asarray(track) > 0.5
    has = inside.any(axis=1)
    length = inside.shape[1]
    first = inside.argmax(axis=1)
    last = length - 1 - inside[:, ::-1].argmax(axis=1)
    keep = has & (first >= flank) & (first + flank <= length) & (last + 1 + flank <= length)
    keep &= last + 1 - flank >= 0
    rows = np.flatnonzero(keep)
    offsets = np.arange(-flank, flank)
    starts = codes[rows[:, None], first[rows, None] + offsets]
    ends = codes[rows[:, None], last[rows, None] + 1 + offsets]
    return starts.astype(np.uint8), ends.astype(np.uint8)


def _frequencies(codes: np.ndarray) -> np.ndarray:
    counts = (np.asarray(codes)[..., None] == np.arange(4)).sum(axis=0)
    return counts / max(len(codes), 1)


def small_sample_correction(n: int) -> float:
    """Expected information of ``n`` uniform random bases, ``3 / (2 n ln 2)`` bits (NaN for 0)."""
    return 3.0 / (2.0 * n * np.log(2.0)) if n > 0 else float("nan")


def information(codes: np.ndarray, *, correct: bool = False) -> np.ndarray:
    """Information content in bits per column: ``float64 (L,)`` of codes ``(n, L)``; minus
    :func:`small_sample_correction` when ``correct``."""
    p = _frequencies(codes)
    if len(codes) == 0:
        return np.full(len(p), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log2(p), 0.0)
    ic = 2.0 + plogp.sum(axis=1)
    return ic - small_sample_correction(len(codes)) if correct else ic


def logo_matrix(codes: np.ndarray, *, start: int = 0) -> pd.DataFrame:
    """Letter heights ``p_b * IC`` for logomaker: columns A, C, G, T, index = position."""
    p = _frequencies(codes)
    heights = p * information(codes)[:, None]
    return pd.DataFrame(heights, columns=list(ALPHABET), index=np.arange(len(p)) + start)


def splice_site_information(starts: np.ndarray, ends: np.ndarray, *, flank: int) -> dict:
    """Information and consensus share at the acceptor AG and donor GT.

    Returns
    -------
    dict of str to float
        ``acceptor_a_bits``, ``acceptor_g_bits`` (the two bases before the exon),
        ``donor_g_bits``, ``donor_t_bits`` (the two after it), ``acceptor_ag_share`` and
        ``donor_gt_share`` (share of blocks with exactly AG / GT there), ``n_windows``; and
        ``acceptor_ag_bits``, ``donor_gt_bits``: the mean over the two bases of the
        information corrected for sample size (``information(correct=True)``), about 0 when
        the site carries no signal, at most 2.
    """
    ic_start, ic_end = information(starts), information(ends)
    cor_start = information(starts, correct=True)
    cor_end = information(ends, correct=True)
    ag = (starts[:, flank - 2] == 0) & (starts[:, flank - 1] == 2)
    gt = (ends[:, flank] == 2) & (ends[:, flank + 1] == 3)
    return {
        "acceptor_a_bits": float(ic_start[flank - 2]),
        "acceptor_g_bits": float(ic_start[flank - 1]),
        "donor_g_bits": float(ic_end[flank]),
        "donor_t_bits": float(ic_end[flank + 1]),
        "acceptor_ag_bits": float(cor_start[flank - 2 : flank].mean()),
        "donor_gt_bits": float(cor_end[flank : flank + 2].mean()),
        "acceptor_ag_share": float(ag.mean()) if len(ag) else float("nan"),
        "donor_gt_share": float(gt.mean()) if len(gt) else float("nan"),
        "n_windows": float(len(starts)),
    }
