"""Training a haplotype model from the workflow: resume, training log, checkpoint choice.

Closed-form models (the baselines, the copying model) are fitted in one call, with the
labels of ``conditional`` where they take them (``accepts_labels``). Iterative models (GAN,
RBM: those with an ``epochs`` parameter) train with

* a resume file ``resume-<hash>.npz`` beside the output checkpoint, written every
  ``checkpoint_every`` epochs: a run killed mid-way continues from it when the
  rule is rerun (the hash covers the settings: other settings start afresh);
* a training log (epoch, the model's losses, and every ``eval_every`` epochs
  AATS, AA_truth and AA_syn of AGs against the training set and their diversity
  ratio, with a warning in the log when it falls below :data:`COLLAPSE_DIVERSITY`), kept in
  ``training_log-<hash>.partial.tsv`` while training so that a resumed run keeps the
  rows of the epochs already done;
* optionally, the evaluated checkpoint nearest the ideal instead of the last one
  (``select_checkpoint: true``): by ``select_metric: aats``, AATS nearest 0.5 (the
  paper's stopping rule), or by ``balance``, AA_truth and AA_syn both nearest 0.5;
* optionally, for models with a sampling inverse temperature ``beta`` (the RBM), its
  calibration on the training haplotypes after training (``calibrate_beta: true``,
  :func:`calibrate_beta`); the held-out set is not used.

The workflow trains without a model's sampling-only settings (``sampling_params``: the RBM's
``readout``, a GAN's ``beta``...), which ``sample_ags`` applies to the checkpoint, so the
evaluations of the training log draw AGs at the model's default sampling settings, one
yardstick whatever the config samples with. With ``calibrate_beta`` or
``select_checkpoint``, whose results depend on how AGs are drawn, training gets them too.

Settings that steer training rather than define the model (``seed``,
``checkpoint_every``, ``eval_every``, ``eval_samples``, ``select_checkpoint``,
``select_metric``, ``calibrate_beta``, ``conditional``, ``pool_others``) are split off
before the model is built.

With ``pool_others: true`` a population-conditional model trains on the dataset's
complementary haplotypes (``others.hapt.gz``) as well, each with its own label, and its
AGs (at evaluations and in :func:`~genosynth.stages.sample`) are drawn for the target
population's labels only, in their training proportions (``target_proportions`` in the
checkpoint's provenance). A model of one population can then learn the haplotype structure
it shares with the others from many more haplotypes (Yelmen et al. 2023 train on all
populations). Measured on the real ``scan`` set, where the GAN collapses on 752 EUR
haplotypes alone: with the 4,004 AFR and unlabelled ones added, one run (seed 13) recovered
by epoch 30 and the same seed with the classes coded in another order stayed collapsed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from genosynth import evaluate, formats
from genosynth.errors import ConfigError
from genosynth.models import get_model, load_model
from genosynth.models.base import HaplotypeModel, read_checkpoint_meta
from genosynth.provenance import record, write_table

__all__ = ["CONTROL_DEFAULTS", "calibrate_beta", "train_model"]

log = logging.getLogger(__name__)

#: Training controls and their defaults (not model parameters).
CONTROL_DEFAULTS = {
    "seed": 0,
    "checkpoint_every": 0,
    "eval_every": 0,
    "eval_samples": 1000,
    "select_checkpoint": False,
    "select_metric": "aats",
    "calibrate_beta": False,
    "conditional": "none",
    "pool_others": False,
}

#: Diversity ratio (mean pairwise differences, AGs / training haplotypes) under which an
#: evaluation logs a mode-collapse warning. Measured on final AGs: healthy GANs and RBMs
#: 0.90-1.06 (demo and real 805 wide, demo dense and scan RBMs); collapsed GANs 0.016 (real
#: scan, 752 x 2000 SNPs, 98 % of sites fixed), 0.089 (demo dense) and 0.167 (demo scan).
COLLAPSE_DIVERSITY = 0.5

#: How far an evaluated checkpoint is from ideal, per ``select_metric``: ``aats`` is the
#: paper's rule (AATS nearest 0.5); ``balance`` wants both AA_truth and AA_syn near 0.5
#: (AATS can be 0.5 with AA_truth 1 and AA_syn 0: AGs far from real and from each other).
SELECT_METRICS = {
    "aats": lambda scores: abs(scores["AATS"] - 0.5),
    "balance": lambda scores: max(abs(scores["AA_truth"] - 0.5), abs(scores["AA_syn"] - 0.5)),
}


#: Inverse temperatures :func:`calibrate_beta` searches between, and its bisection steps.
BETA_BRACKET = (0.9, 1.1)
BETA_STEPS = 6


def _score_ags(model: HaplotypeModel, real: np.ndarray, *, seed, target) -> tuple:
    """As many AGs as ``real`` rows (:func:`sample_target`) and their :func:`evaluate.aats`."""
    ags = sample_target(model, len(real), seed=seed, target_proportions=target)
    return ags, evaluate.aats(real, ags, seed=0)


def _require_beta(model: HaplotypeModel) -> None:
    if not model.samples_at_beta:
        raise ConfigError(
            "calibrate_beta",
            f"model {model.name} has no sampling beta with these parameters",
            fix="set it false (the GAN samples at a beta only with output: bernoulli)",
        )


def calibrate_beta(
    model: HaplotypeModel,
    real: np.ndarray,
    *,
    seed,
    target_proportions=None,
    bracket: tuple[float, float] = BETA_BRACKET,
    steps: int = BETA_STEPS,
) -> list[dict]:
    """Set ``model.params["beta"]`` so that its AGs' AA_truth and AA_syn against ``real`` balance.

    Cooling a model (``beta > 1``) spreads its AGs apart: AA_truth falls and
    AA_syn rises (see :mod:`genosynth.models.rbm`). The search evaluates
    ``beta = 1`` and the two ends of ``bracket``, then bisects ``steps`` times
    on the sign of ``AA_truth - AA_syn``; every evaluation draws ``len(real)``
    AGs with the same ``seed`` (:func:`sample_target`). The evaluated ``beta``
    whose AA_truth and AA_syn are both nearest 0.5 (``select_metric:
    balance``) is kept. When the sign does not change over the bracket, a
    warning says so and the best evaluated end or 1 is kept.

    Parameters
    ----------
    model : HaplotypeModel
        A fitted model with a ``beta`` parameter; it is set in place.
    real : numpy.ndarray, int8, shape (n, n_sites)
        Training haplotypes (never the held-out ones).
    seed : int
    target_proportions : array_like of float, optional
        Passed to :func:`sample_target`.
    bracket : (float, float)
        Lowest and highest ``beta``, ``0 < low < 1 < high``.
    steps : int
        Bisection steps after the three first evaluations.

    Returns
    -------
    list of dict
        One per evaluation, in order: ``beta``, ``aats``, ``aa_truth``, ``aa_syn``.
    """
    _require_beta(model)
    low, high = bracket
    rows: list[dict] = []

    def gap(beta: float) -> float:
        model.params["beta"] = beta
        _, scores = _score_ags(model, real, seed=seed, target=target_proportions)
        row = {"beta": beta, "aats": scores["AATS"]}
        row |= {"aa_truth": scores["AA_truth"], "aa_syn": scores["AA_syn"]}
        rows.append(row)
        log.info("beta %.4f: %s", beta, {k: round(v, 4) for k, v in row.items()})
        return scores["AA_truth"] - scores["AA_syn"]

    at_one, at_low, at_high = gap(1.0), gap(low), gap(high)
    if at_low > 0 > at_high:
        if at_one > 0:
            low = 1.0
        else:
            high = 1.0
        for _ in range(steps):
            middle = 0.5 * (low + high)
            if gap(middle) > 0:
                low = middle
            else:
                high = middle
    else:
        log.warning(
            "calibrate_beta: AA_truth - AA_syn is %.3f at beta %g and %.3f at %g, no change of "
            "sign: keeping the best of the evaluated values",
            at_low, low, at_high, high,
        )  # fmt: skip
    balance = SELECT_METRICS["balance"]
    best = min(rows, key=lambda r: balance({"AA_truth": r["aa_truth"], "AA_syn": r["aa_syn"]}))
    model.params["beta"] = best["beta"]
    log.info("calibrate_beta: kept beta %.4f", best["beta"])
    return rows


def _split_settings(settings: Mapping) -> tuple[dict, dict]:
    control = {k: settings.get(k, v) for k, v in CONTROL_DEFAULTS.items()}
    params = {k: v for k, v in settings.items() if k not in CONTROL_DEFAULTS}
    return control, params


#: ``conditional`` value that takes the labels from the matrix's last column (``pheno``).
LABEL_COLUMN = "phenotype"


def split_label_column(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split a ``pheno`` matrix into its allele columns and its last (phenotype) column.

    Parameters
    ----------
    matrix : numpy.ndarray, int8, shape (n, n_columns)

    Returns
    -------
    alleles : numpy.ndarray, int8, shape (n, n_columns - 1)
    labels : numpy.ndarray, int64, shape (n,)
    """
    if matrix.ndim != 2 or matrix.shape[1] < 2:
        raise ConfigError(
            "conditional",
            f"'{LABEL_COLUMN}' needs a matrix with a label column, got shape {matrix.shape}",
            fix="use it only on a `select: phenotype` dataset",
        )
    return np.ascontiguousarray(matrix[:, :-1]), matrix[:, -1].astype(np.int64)


def _labels(panel, ids: list[str], conditional: str) -> np.ndarray | None:
    """Class ids (int64, one per training row) of the panel column ``conditional``."""
    if conditional == "none":
        return None
    table = pd.read_csv(panel, sep="\t", keep_default_na=False).set_index("hap_id")
    if conditional not in table:
        raise ConfigError(
            "conditional",
            f"no panel column {conditional!r}",
            fix=f"use none, pop, super_pop or {LABEL_COLUMN}",
        )
    values = table.loc[ids, conditional].to_numpy(str)
    classes = sorted(set(values))
    log.info("conditional on %s: classes %s", conditional, ", ".join(classes))
    return np.searchsorted(classes, values).astype(np.int64)


def pool_others(
    haplotypes: np.ndarray, *, others, panel, ids: list[str], conditional: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Add the complementary haplotypes to a training set, with labels over both.

    Parameters
    ----------
    haplotypes : numpy.ndarray, int8, shape (n_train, n_sites)
        The target population's training haplotypes, rows ``ids``.
    others, panel : path
        ``others.hapt.gz`` and ``panel.tsv`` of the dataset.
    ids : list of str
        Row ids of ``haplotypes``.
    conditional : str
        Panel column of the labels (``pop`` or ``super_pop``).

    Returns
    -------
    pooled : numpy.ndarray, int8, shape (n_train + n_others, n_sites)
        Training rows first, then the others.
    pooled_labels : numpy.ndarray, int64, shape (n_train + n_others,)
    target_proportions : numpy.ndarray, float64, shape (n_classes,)
        Share of each class among the training rows (0 for classes only the others have).
    """
    if conditional not in ("pop", "super_pop"):
        raise ConfigError(
            "pool_others",
            f"pooling the complementary haplotypes needs population labels, got conditional "
            f"{conditional!r}",
            fix="set conditional: super_pop (or pop) for this model",
        )
    other_ids, other_haplotypes = formats.read_hapt_matrix(others)
    if not other_ids:
        raise ConfigError(
            "pool_others",
            f"{others}: the dataset has no complementary haplotypes to pool",
            fix="give the dataset `populations` and `complement`, or set pool_others: false",
        )
    pooled_labels = _labels(panel, list(ids) + list(other_ids), conditional)
    counts = np.bincount(pooled_labels[: len(ids)], minlength=pooled_labels.max() + 1)
    log.info("pooled %d training and %d other haplotypes", len(ids), len(other_ids))
    pooled = np.concatenate([haplotypes, other_haplotypes])
    return pooled, pooled_labels, counts / counts.sum()


def draw_labels(proportions, n: int, *, seed) -> np.ndarray:
    """``n`` class ids drawn with probabilities ``proportions``.

    Parameters
    ----------
    proportions : array_like of float, shape (n_classes,)
        Non-negative; normalised here.
    n : int
    seed : int or numpy.random.Generator

    Returns
    -------
    numpy.ndarray, int64, shape (n,)
    """
    p = np.asarray(proportions, dtype=np.float64)
    return np.random.default_rng(seed).choice(p.size, size=n, p=p / p.sum())


def sample_target(model: HaplotypeModel, n: int, *, seed, target_proportions=None) -> np.ndarray:
    """AGs of ``model``; of the target classes only when ``target_proportions`` is given.

    Parameters
    ----------
    model : HaplotypeModel
    n : int
    seed : int or numpy.random.Generator
    target_proportions : array_like of float, shape (n_classes,), optional
        Class shares of the AGs (from :func:`pool_others`); None: the model's own.

    Returns
    -------
    numpy.ndarray, int8, shape (n, n_sites)
    """
    if target_proportions is None:
        return model.sample(n, seed=seed)
    rng = np.random.default_rng(seed)
    labels = draw_labels(target_proportions, n, seed=rng)
    return model.sample(n, seed=rng, labels=labels)


def _side_files(workdir: Path, model: HaplotypeModel, control: Mapping) -> dict[str, Path]:
    """Resume, partial-log and best-checkpoint paths for these exact settings.

    Their names carry a hash of the model, its parameters and the training
    controls, so a run with other settings never resumes from them; leftovers
    of other settings are removed.
    """
    key = json.dumps({"model": model.name, "params": model.params, **control}, sort_keys=True)
    tag = hashlib.sha1(key.encode()).hexdigest()[:12]
    files = {
        "resume": workdir / f"resume-{tag}.npz",
        "partial": workdir / f"training_log-{tag}.partial.tsv",
        "best": workdir / f"best-{tag}.npz",
    }
    for pattern in ("resume-*.npz", "training_log-*.partial.tsv", "best-*.npz"):
        for path in workdir.glob(pattern):
            if path not in files.values():
                log.info("removing %s: written with other settings", path)
                path.unlink()
    return files


class _Monitor:
    """Epoch callback: log rows, AATS every ``eval_every`` epochs, best-AATS checkpoint."""

    def __init__(self, model, real, control, partial: Path, best: Path, target=None):
        self.model, self.real, self.control = model, real, control
        self.target = target
        self.partial, self.best = partial, best
        self.rows: list[dict] = []
        self.best_gap = math.inf
        self.last_print = time.perf_counter()

    def restore(self, step: int) -> None:
        if self.partial.exists() and step > 0:
            table = pd.read_csv(self.partial, sep="\t")
            table = table[table.epoch <= step]  # epochs after the checkpoint are redone
            table.to_csv(self.partial, sep="\t", index=False)
            self.rows = table.to_dict("records")
            distance = SELECT_METRICS[self.control["select_metric"]]
            gaps = [
                distance({"AATS": r["aats"], "AA_truth": r["aa_truth"], "AA_syn": r["aa_syn"]})
                for r in self.rows
                if not pd.isna(r.get("aats"))
            ]
            self.best_gap = min(gaps, default=math.inf)

    def __call__(self, epoch: int, logs: Mapping) -> bool:
        row = {"epoch": int(epoch), **{k: float(v) for k, v in logs.items()}}
        every = self.control["eval_every"]
        if every and epoch % every == 0:
            seed = self.control["seed"] + epoch
            ags, scores = _score_ags(self.model, self.real, seed=seed, target=self.target)
            row |= {"aats": scores["AATS"], "aa_truth": scores["AA_truth"]}
            row["aa_syn"] = scores["AA_syn"]
            row["diversity"] = evaluate.diversity_ratio(self.real, ags)
            if row["diversity"] < COLLAPSE_DIVERSITY:
                log.warning(
                    "epoch %d: mode collapse: the AGs keep %.1f %% of the training haplotypes' "
                    "diversity (mean pairwise differences), so their allele frequencies, LD and "
                    "scans are not the data's. What can help: more training haplotypes per site "
                    "(conditional: super_pop with pool_others: true adds the dataset's other "
                    "populations) or fewer sites; for the GAN lower d_lr and g_lr, or another seed",
                    epoch,
                    100 * row["diversity"],
                )
            gap = SELECT_METRICS[self.control["select_metric"]](scores)
            if self.control["select_checkpoint"] and gap < self.best_gap:
                self.best_gap = gap
                self.model.save(self.best, provenance={"seed": self.control["seed"]})
            log.info("epoch %d: %s", epoch, {k: round(v, 4) for k, v in row.items()})
        self.rows.append(row)
        pd.DataFrame([row]).to_csv(
            self.partial, sep="\t", index=False, mode="a", header=not self.partial.exists()
        )
        return False


def train_model(
    *,
    model: str,
    settings: Mapping,
    train,
    panel,
    checkpoint,
    training_log,
    threads: int = 1,
    others=None,
):
    """Train ``model`` on the training matrix; write the checkpoint and the training log.

    Parameters
    ----------
    model : str
        A registered model name.
    settings : Mapping
        The model's config section: its parameters plus :data:`CONTROL_DEFAULTS` keys.
    train, panel : path
        ``train.hapt.gz`` and ``panel.tsv`` of the dataset.
    checkpoint, training_log : path
        Outputs; resume files live beside ``checkpoint``.
    threads : int
        Given to models that take a ``threads`` parameter (the GAN's TensorFlow threads).
    others : path, optional
        ``others.hapt.gz`` of the dataset; read with ``pool_others: true``.
    """
    control, params = _split_settings(settings)
    if "threads" in get_model(model).defaults:
        params["threads"] = threads
    ids, haplotypes = formats.read_hapt_matrix(train)
    instance = get_model(model, **params)
    if control["calibrate_beta"]:
        _require_beta(instance)
    seed = control["seed"]
    provenance = {"seed": seed, "train": str(train), "conditional": control["conditional"]}
    n_target, target = len(haplotypes), None
    if control["pool_others"]:
        haplotypes, labels, target = pool_others(
            haplotypes, others=others, panel=panel, ids=ids, conditional=control["conditional"]
        )
        provenance |= {"others": str(others), "target_proportions": target.tolist()}
    elif control["conditional"] == LABEL_COLUMN:
        haplotypes, labels = split_label_column(haplotypes)
    else:
        labels = _labels(panel, ids, control["conditional"])
    start = time.perf_counter()
    if "epochs" not in instance.defaults:
        if labels is not None and not instance.accepts_labels:
            raise ConfigError("conditional", f"model {model} has no conditional mode", fix="none")
        instance.fit(haplotypes, seed=seed, **({} if labels is None else {"labels": labels}))
        rows = [{"epoch": instance.step, "seconds": time.perf_counter() - start}]
    else:
        rows, instance = _train_iterative(
            instance, haplotypes, labels, control, checkpoint, n_target=n_target, target=target
        )
    if control["calibrate_beta"]:
        provenance["beta_calibration"] = calibrate_beta(
            instance, haplotypes[:n_target], seed=seed, target_proportions=target
        )
    log.info("trained %s on %s in %.1f s", model, haplotypes.shape, time.perf_counter() - start)
    made = record(
        "train",
        seed=seed,
        params={"model": model, "settings": dict(settings)},
        inputs={"train": str(train), "panel": str(panel)},
    )
    write_table(training_log, pd.DataFrame(rows), provenance=made)
    instance.save(checkpoint, provenance=provenance)
    for path in _side_files(Path(checkpoint).parent, instance, control).values():
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _train_iterative(instance, haplotypes, labels, control, checkpoint, *, n_target, target):
    workdir = Path(checkpoint).parent
    workdir.mkdir(parents=True, exist_ok=True)
    files = _side_files(workdir, instance, control)
    resume, partial, best = files["resume"], files["partial"], files["best"]
    rng = np.random.default_rng(control["seed"])
    n_eval = min(n_target, control["eval_samples"])
    real = haplotypes[np.sort(rng.choice(n_target, n_eval, replace=False))]
    monitor = _Monitor(instance, real, control, partial, best, target)
    if resume.exists():
        step = read_checkpoint_meta(resume)["step"]
        monitor.restore(step)
        log.info("resuming from %s at epoch %d", resume, step)
    elif partial.exists():
        partial.unlink()
    instance.fit(
        haplotypes,
        seed=control["seed"],
        labels=labels,
        callback=monitor,
        checkpoint_path=resume,
        checkpoint_every=control["checkpoint_every"],
        resume=True,
    )
    if control["select_checkpoint"] and best.exists():
        log.info(
            "selected the checkpoint at %s distance %.4f from ideal",
            control["select_metric"],
            monitor.best_gap,
        )
        instance = load_model(best)
    return monitor.rows, instance
