"""The one training driver of every trainable model: epochs, checkpoints, resume, logs.

A trainable model (the GAN, the RBM, the DNA WGAN, and every later one) supplies

* ``init_training(data, labels=labels, seed=seed)``: fresh weights, optimizer and
  random state (``step`` 0);
* ``training_session(data, labels=labels)``: a context manager that yields
  ``run_epoch()``, which trains one epoch (or step) and returns its losses as
  ``{name: float}``, leaving the model's ``rng_state`` at the state after it;
* ``resumed()`` (optional): rebuild what :meth:`~HaplotypeModel.load_state` cannot
  (a TensorFlow generator from ``rng_state``);
* its state through ``get_state`` / ``get_optimizer_state`` (saved by
  :meth:`~genosynth.models.base.HaplotypeModel.save`).

:func:`fit` owns the loop: it resumes from a checkpoint of the same model parameters
(role ``model``) and the same data (:func:`fingerprint`), runs epochs up to the target,
calls the callback after each (which evaluates and logs), then writes the checkpoint
every ``checkpoint_every`` epochs, when the callback stops training, and at the end.
It is the only place that writes checkpoints during training.

:func:`train` adds what the workflow keeps beside an output checkpoint: a resume file
and a partial training log (JSON lines, so rows with and without evaluation columns mix),
both named by a hash of the settings so that other settings never resume from them, and
the evaluations of :class:`Evaluation` (AATS, AA_truth, AA_syn and diversity of AGs
against training haplotypes every ``eval_every`` epochs, a mode-collapse warning, and the
best-scoring checkpoint with ``select_checkpoint``).

A run killed anywhere (``SIGKILL`` included) ends, when rerun, with the bytes of a run
never killed: checkpoint, training log, best checkpoint. An epoch's row reaches the partial
log before the epoch's checkpoint, so the rows after the resume file's epoch are dropped
and made again; a torn last row is dropped; a resume file that is damaged, or whose rows or
best checkpoint are missing, is set aside and training starts afresh (logged). Wall times
(:data:`WALL_TIMES`) stay out of the log, the one thing that would differ.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from genosynth import evaluate
from genosynth.errors import ConfigError, CorruptFileError, GenosynthError
from genosynth.fileio import atomic_path, remove_stale_temporaries
from genosynth.models.base import HaplotypeModel, load_model, read_checkpoint_meta
from genosynth.params import names_with_role, validate

__all__ = [
    "COLLAPSE_DIVERSITY",
    "LABEL_COLUMN",
    "SELECT_METRICS",
    "WALL_TIMES",
    "Evaluation",
    "calibrate_beta",
    "draw_labels",
    "fingerprint",
    "fit",
    "sample_target",
    "train",
]

log = logging.getLogger(__name__)

#: ``conditional`` value that takes the labels from the matrix's last column (``pheno``).
LABEL_COLUMN = "phenotype"

#: Diversity ratio (mean pairwise differences, AGs / training haplotypes) under which an
#: evaluation logs a mode-collapse warning.
COLLAPSE_DIVERSITY = 0.5

#: AGs drawn at each evaluation (at most: fewer where training has fewer haplotypes).
EVAL_SAMPLES = 1000

#: How far an evaluated checkpoint is from ideal, per ``select_metric``: ``aats`` is the
#: paper's rule (AATS nearest 0.5); ``balance`` wants both AA_truth and AA_syn near 0.5
#: (AATS can be 0.5 with AA_truth 1 and AA_syn 0: AGs far from real and from each other).
SELECT_METRICS = {
    "aats": lambda scores: abs(scores["AATS"] - 0.5),
    "balance": lambda scores: max(abs(scores["AA_truth"] - 0.5), abs(scores["AA_syn"] - 0.5)),
}

#: Epoch logs that are wall times (the RBM's ``epoch_s``). They stay out of the training
#: log, so that it is the same bytes in every run with the same seed, a resumed one
#: included; the job log shows the time per epoch and Snakemake's benchmark file the job's.
WALL_TIMES = frozenset({"epoch_s"})

#: Inverse temperatures :func:`calibrate_beta` searches between, and its bisection steps.
BETA_BRACKET = (0.9, 1.1)
BETA_STEPS = 6


# --- the loop ---------------------------------------------------------------------------
def fingerprint(data: np.ndarray, labels: np.ndarray | None = None) -> str:
    """SHA-256 of a training set (shape, dtype, bytes) and its labels; names it in checkpoints."""
    digest = hashlib.sha256()
    data = np.ascontiguousarray(data)
    digest.update(f"{data.shape} {data.dtype}".encode())
    digest.update(data.tobytes())
    if labels is not None:
        digest.update(b"labels")
        digest.update(np.ascontiguousarray(labels, dtype=np.int64).tobytes())
    return digest.hexdigest()


def _check_count(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise GenosynthError(f"{name} must be an integer >= 0, got {value!r}")
    return int(value)


def fit(
    model: HaplotypeModel,
    data: np.ndarray,
    *,
    seed,
    labels: np.ndarray | None = None,
    epochs: int | None = None,
    callback: Callable[[int, dict[str, float]], bool | None] | None = None,
    checkpoint=None,
    checkpoint_every: int = 0,
    resume: bool = True,
) -> HaplotypeModel:
    """Train ``model`` on ``data`` up to ``epochs`` epochs in all; return it.

    Parameters
    ----------
    model : HaplotypeModel
        A trainable model (see the module notes).
    data : numpy.ndarray
        The model's training data (haplotypes, int8 ``(n, n_sites)``; one-hot sequences).
    seed : int or numpy.random.Generator
        Seeds a fresh start; ignored when resuming (the checkpoint's state is used).
    labels : numpy.ndarray of int, shape (n,), optional
        Class of each training row (conditional models).
    epochs : int, optional
        Epochs (steps) to reach; default ``model.params["epochs"]``.
    callback : callable, optional
        ``callback(epoch, logs)`` after every epoch, before its checkpoint; True stops.
    checkpoint : path, optional
        Written every ``checkpoint_every`` epochs (0: only at the end), when the callback
        stops training, and at the end; resumed from when it exists and ``resume`` is true.

    Raises
    ------
    GenosynthError
        When the checkpoint holds another model, other model parameters or other data.
    """
    target = _check_count("epochs", model.params[model.step_param] if epochs is None else epochs)
    every = _check_count("checkpoint_every", checkpoint_every)
    data_key = fingerprint(data, labels)
    path = None if checkpoint is None else Path(checkpoint)
    if path is not None and resume and path.exists():
        _resume(model, path, data_key)
    else:
        model.init_training(data, labels=labels, seed=seed)
    model.data_sha256 = data_key
    log_every = max(1, target // 20)
    with model.training_session(data, labels=labels) as run_epoch:
        start, first = time.perf_counter(), model.step
        while model.step < target:
            logs = run_epoch()
            model.step += 1
            if model.step % log_every == 0 or model.step == target:
                rate = (time.perf_counter() - start) / (model.step - first)
                shown = " ".join(f"{k}={v:.4g}" for k, v in logs.items())
                log.info(
                    "%s %s %d/%d %s (%.3g s each)",
                    model.name,
                    model.step_name,
                    model.step,
                    target,
                    shown,
                    rate,
                )
            stop = bool(callback(model.step, logs)) if callback is not None else False
            if path is not None and (
                stop or model.step == target or every and not model.step % every
            ):
                model.save(path)
            if stop:
                log.info("%s: stopped by the callback after %d", model.name, model.step)
                break
    return model


def _resume(model: HaplotypeModel, path: Path, data_key: str) -> None:
    """Load checkpoint ``path`` into ``model`` after checking it is this training run's."""
    meta = read_checkpoint_meta(path)
    fix = "delete it (or pass resume=False) to start afresh"
    if meta.get("model") != model.name:
        raise GenosynthError(
            f"{path}: checkpoint of model '{meta.get('model')}', not '{model.name}'; {fix}"
        )
    fixed = names_with_role(model.spec, "model")
    theirs = validate(model.spec, type(model).saved_params(meta["params"]))
    differ = sorted(k for k in fixed if theirs[k] != model.params[k])
    if differ:
        raise GenosynthError(
            f"{path}: checkpoint parameters {differ} differ from the model's; {fix}"
        )
    if meta.get("data_sha256") != data_key:
        raise GenosynthError(f"{path}: checkpoint was trained on other data or labels; {fix}")
    model.load_state(path)
    model.resumed()
    log.info("resuming %s from %s at %s %d", model.name, path, model.step_name, model.step)


# --- evaluation and the partial log ---------------------------------------------------------
class Evaluation:
    """Training callback: a log row per epoch, AG evaluations, the best checkpoint.

    Every ``eval_every`` epochs it draws as many AGs as ``real`` has rows (seed
    ``seed + epoch``; of the target classes with ``target``) and adds their AATS,
    AA_truth, AA_syn against ``real`` and their diversity ratio to the row, warning
    when the diversity falls below :data:`COLLAPSE_DIVERSITY`. With ``best`` (a path),
    the evaluated model nearest the ideal by ``select_metric`` is saved there.
    Rows are appended to ``partial`` (JSON lines) as they are made.
    """

    def __init__(
        self,
        model,
        real,
        *,
        seed: int,
        eval_every: int,
        select_metric: str = "aats",
        partial: Path,
        best: Path | None = None,
        target=None,
    ):
        self.model, self.real, self.seed, self.every = model, real, seed, eval_every
        self.distance = SELECT_METRICS[select_metric]
        self.partial, self.best, self.target = partial, best, target
        self.rows: list[dict] = []
        self.best_gap = math.inf

    def restore(self, step: int) -> bool:
        """Keep the rows of epochs 1 to ``step``, those a resumed run does not redo.

        A torn last line (a run killed while appending it) is dropped. Returns False, keeping
        no row, where the partial log lacks one of those epochs or has a broken line before
        its last, or (with ``best``) evaluations were logged but the best checkpoint is gone
        or corrupt: the run cannot resume as it was and starts afresh.
        """
        name = self.model.step_name
        rows = _read_partial(self.partial, name) if step > 0 else []
        kept = [r for r in rows or [] if r[name] <= step]
        if rows is None or [r[name] for r in kept] != list(range(1, step + 1)):
            log.warning("%s: no row for every %s up to the resume file's %d", self.partial, name,
                        step)  # fmt: skip
            return False
        gaps = [self.distance(_scores(r)) for r in kept if "aats" in r]
        if self.best is not None and gaps and not _whole(self.best):
            return False
        with atomic_path(self.partial) as tmp:
            tmp.write_text("".join(json.dumps(r) + "\n" for r in kept))
        self.rows, self.best_gap = kept, min(gaps, default=math.inf)
        return True

    def __call__(self, epoch: int, logs: Mapping) -> bool:
        row = {self.model.step_name: int(epoch)}
        row |= {k: float(v) for k, v in logs.items() if k not in WALL_TIMES}
        if self.every and epoch % self.every == 0:
            row |= self._evaluate(epoch)
        self.rows.append(row)
        with open(self.partial, "a") as fh:  # one line, one write: a kill tears only the last
            fh.write(json.dumps(row) + "\n")
        return False

    def _evaluate(self, epoch: int) -> dict:
        ags = sample_target(
            self.model, len(self.real), seed=self.seed + epoch, target_proportions=self.target
        )
        scores = evaluate.aats(self.real, ags, seed=0)
        row = {"aats": scores["AATS"], "aa_truth": scores["AA_truth"], "aa_syn": scores["AA_syn"]}
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
        gap = self.distance(scores)
        if self.best is not None and gap < self.best_gap:
            self.best_gap = gap
            self.model.save(self.best, provenance={"seed": self.seed})
        log.info("epoch %d: %s", epoch, {k: round(v, 4) for k, v in row.items()})
        return row


def _scores(row: Mapping) -> dict:
    return {"AATS": row["aats"], "AA_truth": row["aa_truth"], "AA_syn": row["aa_syn"]}


def _read_partial(path: Path, step_name: str) -> list[dict] | None:
    """The rows of a partial log; a torn last line dropped; None if an earlier line is broken."""
    if not path.exists():
        return []
    lines = path.read_bytes().decode(errors="replace").splitlines()
    rows = []
    for number, line in enumerate(lines, 1):
        with contextlib.suppress(ValueError):
            row = json.loads(line)
            if isinstance(row, dict) and isinstance(row.get(step_name), int):
                rows.append(row)
                continue
        if number < len(lines):
            log.warning("%s:%d: not a training log row", path, number)
            return None
        log.info("%s: dropped its torn last line (a run killed while writing it)", path)
    return rows


def _whole(path: Path) -> bool:
    """Whether checkpoint ``path`` reads back; a corrupt one is moved aside (logged)."""
    if not path.exists():
        return False
    try:
        read_checkpoint_meta(path, verify=True)
    except CorruptFileError as err:
        aside = path.with_name(path.name + ".corrupt")
        os.replace(path, aside)
        log.warning("%s; moved it to %s", err, aside.name)
        return False
    return True


def side_files(workdir: Path, model: HaplotypeModel, controls: Mapping) -> dict[str, Path]:
    """Resume, partial-log and best-checkpoint paths of these exact settings in ``workdir``.

    Their names carry a hash of the model, its parameters and the training controls, so a
    run with other settings never resumes from them; leftovers of other settings are removed.
    """
    key = json.dumps({"model": model.name, "params": model.params, **controls}, sort_keys=True)
    tag = hashlib.sha1(key.encode()).hexdigest()[:12]
    files = {
        "resume": workdir / f"resume-{tag}.npz",
        "partial": workdir / f"training_log-{tag}.partial.jsonl",
        "best": workdir / f"best-{tag}.npz",
    }
    for pattern in ("resume-*.npz", "training_log-*.partial.*", "best-*.npz"):
        for path in workdir.glob(pattern):
            if path not in files.values():
                log.info("removing %s: written with other settings", path)
                path.unlink()
        remove_stale_temporaries(workdir / pattern)
    return files


def train(model, data, *, labels=None, controls: Mapping, workdir, real=None, target=None):
    """Resumable training with a partial log, evaluations and checkpoint choice.

    Parameters
    ----------
    model : HaplotypeModel
        A fresh trainable model.
    data, labels :
        As for :func:`fit`.
    controls : Mapping
        ``seed``, ``checkpoint_every`` and, for evaluations, ``eval_every``,
        ``select_checkpoint``, ``select_metric`` (:data:`~genosynth.params.TRAINING_CONTROLS`).
    workdir : path
        Folder of the side files (:func:`side_files`), created if needed.
    real : numpy.ndarray, int8, shape (n, n_sites), optional
        Haplotypes the evaluations score AGs against (needed with ``eval_every``).
    target : array_like of float, optional
        Class shares of the evaluated AGs (:func:`sample_target`).

    Returns
    -------
    rows : list of dict
        The training log, one row per epoch.
    model : HaplotypeModel
        The trained model, or the selected checkpoint's.
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    files = side_files(workdir, model, controls)
    select = controls.get("select_checkpoint", False)
    monitor = Evaluation(
        model,
        real,
        seed=controls["seed"],
        eval_every=controls.get("eval_every", 0),
        select_metric=controls.get("select_metric", "aats"),
        partial=files["partial"],
        best=files["best"] if select else None,
        target=target,
    )
    _resume_or_start_afresh(files, monitor)
    fit(
        model,
        data,
        seed=controls["seed"],
        labels=labels,
        callback=monitor,
        checkpoint=files["resume"],
        checkpoint_every=controls["checkpoint_every"],
    )
    if select and files["best"].exists():
        log.info("selected the checkpoint %.4f from ideal", monitor.best_gap)
        model = load_model(files["best"])
    return monitor.rows, model


def _resume_or_start_afresh(files: Mapping[str, Path], monitor: Evaluation) -> None:
    """Keep a killed run's resume file and the log rows up to it, or clear its side files.

    A resume file that is corrupt is moved aside (``.corrupt``) and, like one whose log rows
    or best checkpoint are missing or broken, makes training start afresh (logged).
    """
    resume = files["resume"]
    if resume.exists():
        if _whole(resume) and monitor.restore(read_checkpoint_meta(resume)["step"]):
            return
        log.warning("%s: cannot resume from it; training starts afresh", resume)
    for path in files.values():
        path.unlink(missing_ok=True)


def remove_side_files(workdir, model: HaplotypeModel, controls: Mapping) -> None:
    """Delete the side files of a finished training run."""
    for path in side_files(Path(workdir), model, controls).values():
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


# --- drawing AGs of the target classes, and calibration -------------------------------------
def draw_labels(proportions, n: int, *, seed) -> np.ndarray:
    """``n`` class ids drawn with probabilities ``proportions`` (normalised here); int64 (n,)."""
    p = np.asarray(proportions, dtype=np.float64)
    return np.random.default_rng(seed).choice(p.size, size=n, p=p / p.sum())


def sample_target(model: HaplotypeModel, n: int, *, seed, target_proportions=None) -> np.ndarray:
    """``n`` AGs of ``model`` (int8 ``(n, n_sites)``); of the target classes with
    ``target_proportions`` (class shares, from pooled training), else the model's own."""
    if target_proportions is None:
        return model.sample(n, seed=seed)
    rng = np.random.default_rng(seed)
    labels = draw_labels(target_proportions, n, seed=rng)
    return model.sample(n, seed=rng, labels=labels)


def require_beta(model: HaplotypeModel) -> None:
    """Raise :class:`ConfigError` unless ``model`` samples at an inverse temperature ``beta``."""
    if not model.samples_at_beta:
        raise ConfigError(
            "calibrate_beta",
            f"model {model.name} has no sampling beta with these parameters",
            fix="set it false (the GAN samples at a beta only with output: bernoulli)",
        )


def calibrate_beta(
    model, real, *, seed, target_proportions=None, bracket=BETA_BRACKET, steps: int = BETA_STEPS
) -> list[dict]:
    """Set ``model.params["beta"]`` so that its AGs' AA_truth and AA_syn against ``real`` balance.

    Cooling a model (``beta > 1``) spreads its AGs apart: AA_truth falls and AA_syn rises.
    The search evaluates ``beta = 1`` and the two ends of ``bracket``, then bisects
    ``steps`` times on the sign of ``AA_truth - AA_syn``; every evaluation draws
    ``len(real)`` AGs with the same ``seed`` (:func:`sample_target`). The evaluated
    ``beta`` whose AA_truth and AA_syn are both nearest 0.5 is kept. When the sign does
    not change over the bracket, a warning says so and the best evaluated value is kept.

    Parameters
    ----------
    model : HaplotypeModel
        A fitted model with a ``beta`` parameter; it is set in place.
    real : numpy.ndarray, int8, shape (n, n_sites)
        Training haplotypes (never the held-out ones).

    Returns
    -------
    list of dict
        One per evaluation, in order: ``beta``, ``aats``, ``aa_truth``, ``aa_syn``.
    """
    require_beta(model)
    low, high = bracket
    rows: list[dict] = []

    def gap(beta: float) -> float:
        model.params["beta"] = beta
        ags = sample_target(model, len(real), seed=seed, target_proportions=target_proportions)
        scores = evaluate.aats(real, ags, seed=0)
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
            at_low,
            low,
            at_high,
            high,
        )
    best = min(rows, key=lambda r: SELECT_METRICS["balance"](_scores(r)))
    model.params["beta"] = best["beta"]
    log.info("calibrate_beta: kept beta %.4f", best["beta"])
    return rows
