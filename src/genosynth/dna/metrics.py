"""Summary statistics of the DNA track's figures and designs, without importing scipy.

Designs are judged so that they cannot flatter themselves (:func:`design_report`):

* **copies**: a design identical to a training sequence is a copy; copies are counted
  (``design_copy_share``) and never count as successes;
* **novelty**: the Levenshtein distance of each design to its nearest training sequence
  (:func:`nearest_training_distance`), its mean and median, and the share of distinct designs;
* **success** against the *full* data (every sequence of the data set, not only the part a
  model was trained on): the share of all designs that are not copies and score above the
  full data's top decile (90th percentile) or above its maximum;
* **motif core**: the share of designs (and of training sequences) holding the consensus
  core of a motif (:func:`motif_core`) on either strand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "contains_core",
    "design_report",
    "motif_core",
    "nearest_training_distance",
    "spearman",
]

#: Bases of the complement of each code (A<->T, C<->G).
_COMPLEMENT = np.array([3, 2, 1, 0], dtype=np.uint8)


def spearman(a, b) -> float:
    """Spearman's rank correlation (average ranks for ties), without importing scipy."""
    ranks = pd.DataFrame({"a": np.asarray(a, float), "b": np.asarray(b, float)}).rank()
    return float(np.corrcoef(ranks["a"], ranks["b"])[0, 1])


def motif_core(counts: np.ndarray, width: int = 6) -> np.ndarray:
    """Consensus codes ``uint8 (width,)`` of the ``width`` adjacent motif columns holding the
    most information (the first such run on ties; the whole motif if it is narrower)."""
    counts = np.asarray(counts, dtype=np.float64)
    p = counts / counts.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        ic = 2.0 + np.where(p > 0, p * np.log2(p), 0.0).sum(axis=1)
    width = min(width, len(p))
    totals = np.convolve(ic, np.ones(width), mode="valid")
    start = int(totals.argmax())
    return p[start : start + width].argmax(axis=1).astype(np.uint8)


def contains_core(codes: np.ndarray, core: np.ndarray) -> np.ndarray:
    """Whether each sequence ``uint8 (n, L)`` holds ``core`` or its reverse complement."""
    codes = np.asarray(codes, dtype=np.uint8)
    core = np.asarray(core, dtype=np.uint8)
    if codes.shape[1] < len(core):
        return np.zeros(len(codes), bool)
    windows = np.lib.stride_tricks.sliding_window_view(codes, len(core), axis=1)
    hits = np.zeros(len(codes), bool)
    for motif in (core, _COMPLEMENT[core[::-1]]):
        hits |= (windows == motif).all(axis=-1).any(axis=1)
    return hits


def nearest_training_distance(
    designs: np.ndarray, training: np.ndarray, *, n_random: int = 2000, n_hamming: int = 32,
    seed: int = 0,
) -> np.ndarray:  # fmt: skip
    """Levenshtein distance of each design to its nearest training sequence.

    Exact when ``training`` has at most ``n_random + n_hamming`` rows. Beyond, each design is
    compared with its ``n_hamming`` nearest training sequences by Hamming distance (which
    finds every copy and near-copy by substitution) plus ``n_random`` training sequences
    drawn with ``seed``, so the distance is an upper bound that is exact for near-copies.

    Parameters
    ----------
    designs : numpy.ndarray, uint8, shape (n, L)
    training : numpy.ndarray, uint8, shape (m, L)

    Returns
    -------
    numpy.ndarray, int64, shape (n,)
    """
    from genosynth.dna.latent import nearest_edit_distance

    designs = np.ascontiguousarray(designs, dtype=np.uint8)
    training = np.ascontiguousarray(training, dtype=np.uint8)
    if len(training) <= n_random + n_hamming:
        return nearest_edit_distance(designs, training)
    pool = np.random.default_rng(seed).choice(len(training), n_random, replace=False)
    out = np.empty(len(designs), np.int64)
    for i, d in enumerate(designs):
        hamming = (training != d).sum(axis=1)
        near = np.argpartition(hamming, n_hamming)[:n_hamming]
        refs = training[np.union1d(pool, near)]
        out[i] = nearest_edit_distance(d[None], refs)[0]
    return out


def design_report(
    designs: np.ndarray, scores, training: np.ndarray, full_scores, *, core=None,
    training_core=None,
) -> dict[str, float]:  # fmt: skip
    """Copies, novelty, success against the full data and motif-core content of designs.

    Parameters
    ----------
    designs : numpy.ndarray, uint8, shape (n, L)
    scores : array_like, shape (n,)
        The designs' scores (higher is better).
    training : numpy.ndarray, uint8, shape (m, L)
        Training sequences (a design equal to one is a copy).
    full_scores : array_like
        Scores of every sequence of the full data set (the yardstick).
    core : numpy.ndarray, uint8, optional
        Motif core (:func:`motif_core`); adds ``core_share_design``.
    training_core : numpy.ndarray, uint8, optional
        Sequences whose core content is the yardstick ``core_share_training``
        (default ``training``).

    Returns
    -------
    dict of str to float
        ``n_designs``, ``n_novel_designs`` (not copies), ``design_copy_share``,
        ``design_unique_share`` (distinct designs / n), ``design_edit_distance_mean``,
        ``design_edit_distance_median`` (to the nearest training sequence),
        ``full_data_top_decile``, ``full_data_max``, ``design_above_top_decile_share``,
        ``design_above_max_share`` (novel designs above them, over *all* designs),
        ``novel_design_score_mean`` (NaN without novel designs), and with ``core``
        ``core_share_design`` and ``core_share_training``.
    """
    designs = np.asarray(designs, dtype=np.uint8)
    scores = np.asarray(scores, dtype=np.float64)
    full = np.asarray(full_scores, dtype=np.float64)
    n = len(designs)
    distance = nearest_training_distance(designs, training)
    copy = distance == 0
    novel = ~copy
    decile, top = float(np.percentile(full, 90)), float(full.max())
    values = {
        "n_designs": float(n),
        "n_novel_designs": float(novel.sum()),
        "design_copy_share": float(copy.mean()),
        "design_unique_share": len(np.unique(designs, axis=0)) / n,
        "design_edit_distance_mean": float(distance.mean()),
        "design_edit_distance_median": float(np.median(distance)),
        "full_data_top_decile": decile,
        "full_data_max": top,
        "design_above_top_decile_share": float((novel & (scores > decile)).mean()),
        "design_above_max_share": float((novel & (scores > top)).mean()),
        "novel_design_score_mean": float(scores[novel].mean()) if novel.any() else float("nan"),
    }
    if core is not None:
        reference = training if training_core is None else training_core
        values["core_share_design"] = float(contains_core(designs, core).mean())
        values["core_share_training"] = float(contains_core(reference, core).mean())
    return values
