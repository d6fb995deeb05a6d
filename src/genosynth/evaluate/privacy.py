"""Privacy of artificial genomes: nearest-neighbour adversarial accuracy and friends.

Yelmen et al. (Methods, "Privacy loss") score overfitting with the
nearest-neighbour adversarial accuracy between truth and synthetic sets
(AATS) of Yale et al. (2020). For ``n`` real (T) and ``n`` synthetic (S)
haplotypes and Hamming distances:

* ``d_TS(i)``: real ``i`` to its closest synthetic,
* ``d_TT(i)``: real ``i`` to its closest *other* real,
* ``d_ST(i)``: synthetic ``i`` to its closest real,
* ``d_SS(i)``: synthetic ``i`` to its closest other synthetic,

::

    AA_truth = (1/n) sum_i 1[d_TS(i) > d_TT(i)]
    AA_syn   = (1/n) sum_i 1[d_ST(i) > d_SS(i)]
    AATS     = (AA_truth + AA_syn) / 2

The comparisons are strict, as in the reference code of Yale et al.
(``np.mean(distance_TS > distance_TT)``): a tie counts as "the closest
neighbour is from the other set". Hence synthetic copies of the real set
give ``AATS = 0`` (overfitting), two far-apart sets ``AATS = 1`` (the model
misses the data), and indistinguishable sets about 0.5.

``privacy loss = AATS_test - AATS_train``: positive when the AGs sit closer
to the training haplotypes than to held-out ones.

Folds and the size-matched privacy loss
---------------------------------------
:func:`aats` compares equal-sized sets, so the paper subsamples the larger
one. :func:`fold_aats` averages over disjoint folds instead, with the same
expectation and less noise: the 5,008 AGs of a model are scored against the
1,252 held-out haplotypes of the real 805-SNP set in 4 folds. For five AG
draws of one RBM trained on that set, ``privacy_loss`` from one subsample
ranged from 0.021 to 0.060; fold-averaged, from 0.051 to 0.060.

AATS also depends on the set size ``n``, even for AGs that copy nothing:
with Hamming distances, ties (which count as 0) and nearest-neighbour
distances change with ``n``. With the paper's 3:1 split, ``AATS_train`` is
computed at ``n = n_train`` and ``AATS_test`` at ``n = n_test``, so
``privacy_loss`` is biased: AGs drawn from the data's own distribution (4
haplotype types, 20 % of alleles flipped; 150 train / 50 test / 200 AGs)
gave a mean of +0.077 +- 0.010 over 30 replicates of 8 sites and +0.031 +-
0.008 of 16 sites. ``privacy_loss_matched`` compares both at the held-out
size, over test-size folds of the training haplotypes: +0.010 +- 0.009 and
+0.000 +- 0.007 on the same replicates. The price: a copied training
haplotype counts only in the folds holding its source, so copies weigh
``n_test / n_train`` as much as in ``privacy_loss`` (50 training haplotypes
planted into the AGs above moved ``privacy_loss`` by +0.006 and
``privacy_loss_matched`` by +0.001). The gate uses ``privacy_loss``, the
paper's.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from genosynth.errors import GenosynthError
from genosynth.evaluate.distance import _as_haplotypes, nearest_neighbor

__all__ = [
    "DEFAULT_MAX_MEMBERSHIP_AUC",
    "DEFAULT_MAX_PRIVACY_LOSS",
    "PrivacyGateError",
    "aats",
    "aats_sensitivity",
    "exact_copies",
    "fold_aats",
    "gate_failures",
    "membership_auc",
    "privacy_gate",
    "auc_standard_error",
    "privacy_loss",
    "privacy_metrics",
]

#: Default ceiling of :func:`privacy_gate` on ``AATS_test - AATS_train``.
DEFAULT_MAX_PRIVACY_LOSS = 0.1
#: Default ceiling of :func:`privacy_gate` on the membership-inference AUC (0.5 = chance).
DEFAULT_MAX_MEMBERSHIP_AUC = 0.6


class PrivacyGateError(GenosynthError):
    """Artificial genomes failed the privacy checks that guard their export.

    Parameters
    ----------
    failures : list of str
        One sentence per failed check (:func:`gate_failures`).
    subject : str, optional
        Whose AGs, e.g. ``"model 'copying' (dataset 'wide')"``.
    fix : str, optional
        What else than ``privacy.allow_export`` lets them pass (a model setting).

    Attributes
    ----------
    failures : list of str
    """

    def __init__(self, failures: list[str], *, subject: str | None = None, fix: str | None = None):
        self.failures = list(failures)
        whose = f"the AGs of {subject}" if subject else "the artificial genomes"
        advice = "set `privacy.allow_export: true` in the config to export them anyway"
        super().__init__(
            f"privacy gate failed ({len(self.failures)} of its checks): {whose} are not "
            f"exported: {'; '.join(self.failures)}. Fix: {advice}" + (f", or {fix}" if fix else "")
        )


def _same_sites(a: np.ndarray, b: np.ndarray, names: tuple[str, str]) -> None:
    if a.shape[1] != b.shape[1]:
        raise GenosynthError(f"{names[0]} has {a.shape[1]} sites but {names[1]} has {b.shape[1]}")


def _equal_sizes(real: np.ndarray, synthetic: np.ndarray, seed) -> tuple:
    """Subsample (without replacement, row order kept) the larger set to the smaller size."""
    n = min(real.shape[0], synthetic.shape[0])
    rng = np.random.default_rng(seed)
    if real.shape[0] > n:
        real = real[np.sort(rng.choice(real.shape[0], n, replace=False))]
    if synthetic.shape[0] > n:
        synthetic = synthetic[np.sort(rng.choice(synthetic.shape[0], n, replace=False))]
    return real, synthetic


def aats(real, synthetic, *, seed=0) -> dict:
    """Nearest-neighbour adversarial accuracy between real and synthetic haplotypes.

    Parameters
    ----------
    real : array_like, int8, (n_real, n_sites), values in {0, 1}
    synthetic : array_like, int8, (n_syn, n_sites), values in {0, 1}
    seed : int or numpy.random.Generator, default 0
        When the sets differ in size, the larger one is subsampled without
        replacement to the size of the smaller with this seed.

    Returns
    -------
    dict
        ``AA_truth``, ``AA_syn``, ``AATS`` (floats in [0, 1], see the module
        docstring; ties count as 0) and ``n`` (haplotypes per set used).
    """
    t = _as_haplotypes(real, "real")
    s = _as_haplotypes(synthetic, "synthetic")
    _same_sites(t, s, ("real", "synthetic"))
    t, s = _equal_sizes(t, s, seed)
    n = t.shape[0]
    if n < 2:
        raise GenosynthError(f"AATS needs at least 2 haplotypes per set, got {n}")
    aa_truth, aa_syn = _aa_rates(t, s, _nearest_within(t), _nearest_within(s))
    return {
        "AA_truth": aa_truth,
        "AA_syn": aa_syn,
        "AATS": 0.5 * (aa_truth + aa_syn),
        "n": int(n),
    }


def _nearest_within(h: np.ndarray) -> np.ndarray:
    """int32 ``(n,)``: each row's distance to its nearest other row of the same set."""
    return nearest_neighbor(h, h, exclude_self=True)[0]


def _aa_rates(t: np.ndarray, s: np.ndarray, d_tt: np.ndarray, d_ss: np.ndarray):
    """``(AA_truth, AA_syn)`` of equal-sized sets, given each set's within-set nearest distances."""
    aa_truth = float(np.mean(nearest_neighbor(t, s)[0] > d_tt))
    aa_syn = float(np.mean(nearest_neighbor(s, t)[0] > d_ss))
    return aa_truth, aa_syn


def privacy_loss(aats_test, aats_train) -> float:
    """``AATS_test - AATS_train`` (Yelmen et al.: "Privacy loss = Test AA - Train AA").

    Parameters
    ----------
    aats_test, aats_train : float or dict
        AATS values, or :func:`aats` results (their ``"AATS"`` entry is used).
    """
    test = aats_test["AATS"] if isinstance(aats_test, dict) else aats_test
    train = aats_train["AATS"] if isinstance(aats_train, dict) else aats_train
    return float(test) - float(train)


def _folds(n_rows: int, size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """``n_rows // size`` disjoint random folds of ``size`` row indices (sorted within a fold)."""
    order = rng.permutation(n_rows)
    return [np.sort(order[k * size : (k + 1) * size]) for k in range(n_rows // size)]


def fold_aats(real, synthetic, *, size=None, seed=0) -> dict:
    """:func:`aats` averaged over every pair of disjoint random folds of the two sets.

    Both sets are cut into ``n_set // size`` disjoint random folds of ``size``
    rows (leftover rows unused), and the AA rates are averaged over every
    (real fold, synthetic fold) pair. With the default ``size`` (the smaller
    set's) this has the expectation of one :func:`aats` call, which
    subsamples the larger set once, but uses every row it can: 5,008 AGs
    scored against 1,252 held-out haplotypes give 4 folds instead of one
    subsample. A smaller ``size`` compares sets of that size (see the module
    notes on the size-matched privacy loss).

    Parameters
    ----------
    real : array_like, int8, (n_real, n_sites)
    synthetic : array_like, int8, (n_syn, n_sites)
    size : int, optional
        Rows per fold, ``2 <= size <= min(n_real, n_syn)``; default
        ``min(n_real, n_syn)``.
    seed : int or numpy.random.Generator, default 0
        Draws the folds (synthetic first, then real).

    Returns
    -------
    dict
        ``AA_truth``, ``AA_syn``, ``AATS`` (fold-pair means, floats in
        [0, 1]), ``n`` (``size``) and ``pairs`` (fold pairs averaged).
    """
    t = _as_haplotypes(real, "real")
    s = _as_haplotypes(synthetic, "synthetic")
    _same_sites(t, s, ("real", "synthetic"))
    smallest = min(t.shape[0], s.shape[0])
    size = smallest if size is None else int(size)
    if not 2 <= size <= smallest:
        raise GenosynthError(
            f"fold size {size} must be between 2 and the smaller set's {smallest} rows"
        )
    rng = np.random.default_rng(seed)
    syn_folds = [s[q] for q in _folds(s.shape[0], size, rng)]
    real_folds = [t[r] for r in _folds(t.shape[0], size, rng)]
    # within-fold nearest distances once per fold, not once per fold pair
    d_syn = [_nearest_within(f) for f in syn_folds]
    d_real = [_nearest_within(f) for f in real_folds]
    rates = np.array(
        [
            _aa_rates(tf, sf, d_t, d_s)
            for tf, d_t in zip(real_folds, d_real, strict=True)
            for sf, d_s in zip(syn_folds, d_syn, strict=True)
        ]
    )
    aa_truth, aa_syn = (float(v) for v in rates.mean(axis=0))
    return {
        "AA_truth": aa_truth,
        "AA_syn": aa_syn,
        "AATS": 0.5 * (aa_truth + aa_syn),
        "n": size,
        "pairs": len(rates),
    }


def _row_keys(h: np.ndarray) -> list[bytes]:
    return [row.tobytes() for row in np.packbits(h.view(np.uint8), axis=1)]


def exact_copies(train, synthetic, *, held_out=None) -> int:
    """Number of synthetic haplotypes identical to at least one training haplotype.

    Rows are bit-packed and compared through a hash set of their bytes.

    Parameters
    ----------
    train : array_like, int8, (n_train, n_sites)
    synthetic : array_like, int8, (n_syn, n_sites)
    held_out : array_like, int8, (n_test, n_sites), optional
        Held-out haplotypes: a training haplotype that also occurs among them
        is common in the population (short or rare-variant windows make many
        people share one), so a copy of it reveals nothing about membership
        and is not counted.

    Returns
    -------
    int
        Count of synthetic rows (duplicates among them each count).
    """
    t = _as_haplotypes(train, "train")
    s = _as_haplotypes(synthetic, "synthetic")
    _same_sites(t, s, ("train", "synthetic"))
    train_rows = set(_row_keys(t))
    if held_out is not None:
        train_rows -= set(_row_keys(_as_haplotypes(held_out, "held_out")))
    return int(sum(key in train_rows for key in _row_keys(s)))


def membership_auc(train, test, synthetic) -> float:
    """Distance-based membership inference: can the AGs tell training haplotypes apart?

    The attacker scores each real haplotype by ``-(distance to its closest
    AG)`` and calls high scores members. The result is the ROC AUC of that
    score for training haplotypes (members, label 1) against held-out test
    haplotypes (non-members, label 0); tied scores count one half
    (Mann-Whitney). 0.5: the AGs leak nothing this attack can use; 1: every
    training haplotype is closer to an AG than every test haplotype.

    Parameters
    ----------
    train : array_like, int8, (n_train, n_sites)
    test : array_like, int8, (n_test, n_sites)
    synthetic : array_like, int8, (n_syn, n_sites)

    Returns
    -------
    float
    """
    from sklearn.metrics import roc_auc_score  # deferred: sklearn takes ~0.8 s to import

    tr = _as_haplotypes(train, "train")
    te = _as_haplotypes(test, "test")
    s = _as_haplotypes(synthetic, "synthetic")
    _same_sites(tr, s, ("train", "synthetic"))
    _same_sites(te, s, ("test", "synthetic"))
    if tr.shape[0] == 0 or te.shape[0] == 0 or s.shape[0] == 0:
        raise GenosynthError("membership_auc needs non-empty train, test and synthetic sets")
    d_train = nearest_neighbor(tr, s)[0]
    d_test = nearest_neighbor(te, s)[0]
    score = -np.concatenate([d_train, d_test]).astype(np.float64)
    member = np.concatenate([np.ones(d_train.shape[0]), np.zeros(d_test.shape[0])])
    return float(roc_auc_score(member, score))


def _aats_variance(scores: dict) -> float:
    """Sampling variance of AATS: the mean of ``n`` AA_truth and ``n`` AA_syn indicators.

    ``var(AATS) = (a_t (1 - a_t) + a_s (1 - a_s)) / (4 n)``, the two halves
    treated as independent Bernoulli means.
    """
    truth = scores["AA_truth"] * (1.0 - scores["AA_truth"])
    syn = scores["AA_syn"] * (1.0 - scores["AA_syn"])
    return (truth + syn) / (4.0 * scores["n"])


def auc_standard_error(auc: float, n_positive: int, n_negative: int) -> float:
    """Standard error of an ROC AUC (Hanley and McNeil 1982).

    ``SE^2 = (A (1 - A) + (n1 - 1) (Q1 - A^2) + (n2 - 1) (Q2 - A^2)) / (n1 n2)``
    with ``Q1 = A / (2 - A)`` and ``Q2 = 2 A^2 / (1 + A)``.
    """
    q1 = auc / (2.0 - auc)
    q2 = 2.0 * auc**2 / (1.0 + auc)
    variance = auc * (1.0 - auc)
    variance += (n_positive - 1) * (q1 - auc**2)
    variance += (n_negative - 1) * (q2 - auc**2)
    return math.sqrt(max(variance, 0.0) / (n_positive * n_negative))


def _train_test_columns(train, test, synthetic, seed) -> tuple[dict, dict, dict]:
    """One row: AATS, AA_truth and AA_syn against train and test (:func:`fold_aats`), the
    privacy loss, and its size-matched variant; with the train and test :func:`fold_aats` results.
    """
    on_train = fold_aats(train, synthetic, seed=seed)
    on_test = fold_aats(test, synthetic, seed=seed)
    size = min(on_train["n"], on_test["n"])
    matched_train, matched_test = (
        on if on["n"] == size else fold_aats(real, synthetic, size=size, seed=seed)
        for on, real in ((on_train, train), (on_test, test))
    )  # same size and seed: the same folds
    row = {
        "aats_train": on_train["AATS"],
        "aa_truth_train": on_train["AA_truth"],
        "aa_syn_train": on_train["AA_syn"],
        "aats_test": on_test["AATS"],
        "aa_truth_test": on_test["AA_truth"],
        "aa_syn_test": on_test["AA_syn"],
        "privacy_loss": privacy_loss(on_test, on_train),
        "aats_train_matched": matched_train["AATS"],
        "aats_test_matched": matched_test["AATS"],
        "privacy_loss_matched": privacy_loss(matched_test, matched_train),
    }
    return row, on_train, on_test


def privacy_metrics(train, test, synthetic, *, seed=0) -> dict:
    """Every privacy number of one model's AGs, for ``metrics.tsv`` and :func:`privacy_gate`.

    Parameters
    ----------
    train, test : array_like, int8, (n, n_sites)
        The real training and held-out haplotypes.
    synthetic : array_like, int8, (n_syn, n_sites)
    seed : int, default 0
        Passed to :func:`fold_aats` (draws the folds).

    Returns
    -------
    dict
        ``aats_train``, ``aa_truth_train``, ``aa_syn_train`` (:func:`fold_aats`
        against ``train``), the same three with ``_test``, ``privacy_loss``
        (``aats_test - aats_train``, the paper's), ``aats_train_matched``,
        ``aats_test_matched`` and ``privacy_loss_matched`` (both sets at the
        held-out size, see the module notes), ``exact_copies`` (against
        ``train``) and ``membership_auc``, with the standard errors
        ``privacy_loss_se`` (the binomial variances of one fold pair each of
        train and test added; fold means vary less, so it errs high) and
        ``membership_auc_se`` (:func:`auc_standard_error`), which the gate uses
        so that small held-out sets do not fail it by chance.
    """
    row, on_train, on_test = _train_test_columns(train, test, synthetic, seed)
    auc = membership_auc(train, test, synthetic)
    return row | {
        "privacy_loss_se": math.sqrt(_aats_variance(on_test) + _aats_variance(on_train)),
        "exact_copies": exact_copies(train, synthetic, held_out=test),
        "exact_copies_any": exact_copies(train, synthetic),
        "membership_auc": auc,
        "membership_auc_se": auc_standard_error(auc, len(train), len(test)),
    }


def aats_sensitivity(
    real_train, real_test, synthetic, *, n_planted=(1, 5, 10, 50), seed=0
) -> pd.DataFrame:
    """AATS and privacy loss as training haplotypes replace AGs (paper Fig. S15).

    One random order of the training haplotypes and one of the AG slots are
    drawn once with ``seed``; for each ``n`` the first ``n`` training
    haplotypes overwrite the AGs in the first ``n`` slots, so the planted sets
    are nested. A baseline row with ``n_planted = 0`` comes first. Values of
    ``n`` above ``min(n_train, n_syn)`` are dropped with a warning.

    Parameters
    ----------
    real_train : array_like, int8, (n_train, n_sites)
    real_test : array_like, int8, (n_test, n_sites)
    synthetic : array_like, int8, (n_syn, n_sites)
    n_planted : sequence of int, default (1, 5, 10, 50)
    seed : int, default 0
        Draws the planted haplotypes and slots, and seeds :func:`fold_aats`.

    Returns
    -------
    pandas.DataFrame
        Columns ``n_planted`` (int), ``aats_train``, ``aa_truth_train``,
        ``aa_syn_train``, ``aats_test``, ``aa_truth_test``, ``aa_syn_test``,
        ``privacy_loss``, ``aats_train_matched``, ``aats_test_matched``,
        ``privacy_loss_matched`` (float) and ``exact_copies`` (int); one row per
        ``n`` in increasing order.
    """
    train = _as_haplotypes(real_train, "real_train")
    test = _as_haplotypes(real_test, "real_test")
    syn = _as_haplotypes(synthetic, "synthetic")
    _same_sites(train, syn, ("real_train", "synthetic"))
    _same_sites(test, syn, ("real_test", "synthetic"))
    limit = min(train.shape[0], syn.shape[0])
    wanted = sorted({int(n) for n in n_planted} | {0})
    if any(n < 0 for n in wanted):
        raise GenosynthError(f"n_planted must be non-negative, got {list(n_planted)}")
    too_many = [n for n in wanted if n > limit]
    if too_many:
        warnings.warn(
            f"aats_sensitivity: cannot plant {too_many} haplotypes into {syn.shape[0]} AGs "
            f"from {train.shape[0]} training haplotypes; those rows are left out",
            stacklevel=2,
        )
    rng = np.random.default_rng(seed)
    donors = rng.permutation(train.shape[0])[:limit]
    slots = rng.permutation(syn.shape[0])[:limit]
    rows = []
    for n in (n for n in wanted if n <= limit):
        planted = syn.copy()
        planted[slots[:n]] = train[donors[:n]]
        row, _, _ = _train_test_columns(train, test, planted, seed)
        rows.append({"n_planted": n} | row | {"exact_copies": exact_copies(train, planted)})
    return pd.DataFrame(rows)


def _as_number(value) -> float:
    """``value`` as a float; NaN for None or anything that is not a number."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def gate_failures(
    metrics: dict,
    *,
    max_exact_copies: int | None = 0,
    max_privacy_loss: float | None = DEFAULT_MAX_PRIVACY_LOSS,
    max_membership_auc: float | None = DEFAULT_MAX_MEMBERSHIP_AUC,
    z: float = 2.0,
) -> list[str]:
    """The checks of :func:`privacy_gate` that ``metrics`` fail, one sentence each.

    Each names the metric, its value (and standard error) and its ceiling; an empty
    list when all pass. Parameters as :func:`privacy_gate`.
    """
    checks = [
        ("exact_copies", max_exact_copies, "AGs identical to a training haplotype"),
        ("privacy_loss", max_privacy_loss, "AATS_test - AATS_train"),
        ("membership_auc", max_membership_auc, "AUC of distance-based membership inference"),
    ]
    failures = []
    for key, ceiling, meaning in checks:
        if ceiling is None:
            continue
        value = _as_number(metrics.get(key))
        se = _as_number(metrics.get(f"{key}_se", 0.0))
        se = 0.0 if math.isnan(se) else se
        if math.isnan(value):
            failures.append(f"{key} ({meaning}) was not computed; it must be at most {ceiling}")
        elif value - z * se > ceiling:
            spread = f" (standard error {se:.3g})" if se else ""
            failures.append(
                f"{key} ({meaning}) = {value:.4g}{spread} exceeds the maximum {ceiling}"
            )
    return failures


def privacy_gate(
    metrics: dict,
    *,
    max_exact_copies: int | None = 0,
    max_privacy_loss: float | None = DEFAULT_MAX_PRIVACY_LOSS,
    max_membership_auc: float | None = DEFAULT_MAX_MEMBERSHIP_AUC,
    z: float = 2.0,
    allow: bool = False,
) -> list[str]:
    """Refuse to release AGs that copy or leak their training haplotypes.

    Each check compares one entry of ``metrics`` (as returned by
    :func:`privacy_metrics`) with its ceiling; a missing entry or a NaN
    fails. A ceiling of ``None`` skips its check. Where ``metrics`` holds a
    standard error ``<key>_se``, the check fails only when the value exceeds
    the ceiling by more than ``z`` standard errors (evidence, not noise, of a
    leak); ``z = 0`` compares the values themselves.

    Parameters
    ----------
    metrics : dict
        ``exact_copies``, ``privacy_loss``, ``membership_auc``.
    max_exact_copies : int or None, default 0
    max_privacy_loss : float or None, default :data:`DEFAULT_MAX_PRIVACY_LOSS`
    max_membership_auc : float or None, default :data:`DEFAULT_MAX_MEMBERSHIP_AUC`
    z : float, default 2.0
        Standard errors a value must exceed its ceiling by.
    allow : bool, default False
        The config's ``privacy.allow_export``: report failures with a warning
        instead of raising.

    Returns
    -------
    list of str
        The failed checks (empty when all pass).

    Raises
    ------
    PrivacyGateError
        If a check fails and ``allow`` is false; its message lists every failed
        check and how to override.
    """
    failures = gate_failures(
        metrics,
        max_exact_copies=max_exact_copies,
        max_privacy_loss=max_privacy_loss,
        max_membership_auc=max_membership_auc,
        z=z,
    )
    if failures and not allow:
        raise PrivacyGateError(failures)
    if failures:
        warnings.warn(
            "privacy gate overridden by privacy.allow_export: " + "; ".join(failures),
            stacklevel=2,
        )
    return failures
