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
import dataclasses
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
    "GUARD_STREAK",
    "LABEL_COLUMN",
    "SELECT_METRICS",
    "STOP_REASONS",
    "WALL_TIMES",
    "Evaluation",
    "StopRule",
    "calibrate_beta",
    "draw_labels",
    "fingerprint",
    "fit",
    "sample_target",
    "train",
    "validation_split",
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

#: Inverse temperatures :func:`calibrate_beta` searches between, its bisection steps, and
#: how many times it doubles the bracket's reach from 1 when AA_truth - AA_syn keeps its sign.
BETA_BRACKET = (0.9, 1.1)
BETA_STEPS = 6
BETA_WIDENINGS = 3

#: Why a training run stopped (``stop_reason`` in the training log): AA_truth and AA_syn
#: against the validation split both near 0.5 (``target_reached``), the validation privacy
#: loss above its guard (``privacy_guard``), all ``epochs`` run (``epoch_budget``), or
#: ``wall_budget_s`` spent (``wall_budget``).
STOP_REASONS = ("target_reached", "privacy_guard", "epoch_budget", "wall_budget")

#: Evaluations in a row whose validation privacy loss must exceed the guard to stop: one
#: evaluation's privacy loss has a standard error of about 0.02-0.03 on a few hundred
#: validation haplotypes, so one value over a 0.03 guard is often chance.
GUARD_STREAK = 2

#: Stream of the seed that draws the validation individuals (apart from the evaluation's).
VALIDATION_STREAM = 0x5A1D


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
                if model.step < target:
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


# --- the validation split and the stopping rule --------------------------------------------
def validation_split(individuals, fraction: float, *, seed) -> tuple[np.ndarray, np.ndarray]:
    """Hold out a seeded random share of the individuals, both haplotypes of each together.

    Parameters
    ----------
    individuals : sequence of str
        The individual of each training row (the panel's ``sample``; one per row for
        genotype-pair matrices).
    fraction : float
        Share of the individuals held out, in (0, 1); ``round(n * fraction)`` (half up).
    seed : int
        With :data:`VALIDATION_STREAM`, draws the held-out individuals.

    Returns
    -------
    train_idx, val_idx : numpy.ndarray, int64
        Sorted row indices; every row of an individual is on one side.

    Raises
    ------
    ConfigError
        When fewer than 2 individuals would be held out or fewer than 2 would remain.
    """
    rows = np.asarray(individuals, dtype=str)
    names, first = np.unique(rows, return_index=True)
    names = names[np.argsort(first)]  # in order of appearance
    n_val = int(np.floor(len(names) * fraction + 0.5))
    if n_val < 2 or len(names) - n_val < 2:
        raise ConfigError(
            "validation_fraction",
            f"{fraction:g} of {len(names)} training individuals holds out {n_val}: the "
            "stopping rule needs at least 2 held out and 2 left to train on",
            fix="choose a fraction that holds out a few dozen individuals, or 0 (no rule)",
        )
    rng = np.random.default_rng([int(seed), VALIDATION_STREAM])
    held = np.isin(rows, names[rng.choice(len(names), n_val, replace=False)])
    return np.flatnonzero(~held).astype(np.int64), np.flatnonzero(held).astype(np.int64)


@dataclasses.dataclass(frozen=True)
class StopRule:
    """When training stops before its ``epochs``: the controls of :data:`TRAINING_CONTROLS`.

    Attributes
    ----------
    tolerance : float
        ``target_reached`` when AA_truth and AA_syn against the validation split are both
        within it of 0.5 and the validation privacy loss is at most ``privacy_guard``.
    privacy_guard : float
        ``privacy_guard`` when the validation privacy loss exceeds it at
        :data:`GUARD_STREAK` evaluations in a row.
    wall_budget_s : float
        ``wall_budget`` after the epoch past which one more epoch, as long as the mean so
        far (evaluations included), would end more than this many seconds after training
        started or resumed in this process (0: no budget). A first epoch is always run.
    """

    tolerance: float = 0.05
    privacy_guard: float = 0.03
    wall_budget_s: float = 0.0

    @classmethod
    def from_controls(cls, controls: Mapping) -> StopRule:
        return cls(
            tolerance=controls.get("stop_tolerance", cls.tolerance),
            privacy_guard=controls.get("stop_privacy_guard", cls.privacy_guard),
            wall_budget_s=controls.get("wall_budget_s", cls.wall_budget_s),
        )

    def reason(self, rows: list[dict]) -> str | None:
        """``target_reached``, ``privacy_guard`` or None, after the last of ``rows``."""
        row = rows[-1]
        if "aa_truth_val" not in row:
            return None
        near = max(abs(row["aa_truth_val"] - 0.5), abs(row["aa_syn_val"] - 0.5))
        if near <= self.tolerance and row["privacy_loss_val"] <= self.privacy_guard:
            return "target_reached"
        losses = [r["privacy_loss_val"] for r in rows if "privacy_loss_val" in r]
        streak = losses[-GUARD_STREAK:]
        if len(streak) == GUARD_STREAK and min(streak) > self.privacy_guard:
            return "privacy_guard"
        return None


def validation_scores(real, validation, ags) -> dict:
    """AGs against the validation split and against training, at the validation size.

    AA rates are :func:`~genosynth.evaluate.fold_aats` means over folds of the size of the
    smallest set, on both sides, so that ``privacy_loss_val`` (``aats_val - aats_train_val``,
    the validation split in the held-out role of :func:`~genosynth.evaluate.privacy_loss`)
    is free of the set-size bias of AATS.
    """
    size = min(len(real), len(validation), len(ags))
    on_val = evaluate.fold_aats(validation, ags, size=size, seed=0)
    on_train = evaluate.fold_aats(real, ags, size=size, seed=0)
    return {
        "aats_val": on_val["AATS"],
        "aa_truth_val": on_val["AA_truth"],
        "aa_syn_val": on_val["AA_syn"],
        "aats_train_val": on_train["AATS"],
        "privacy_loss_val": evaluate.privacy_loss(on_val, on_train),
    }


# --- evaluation and the partial log ---------------------------------------------------------
class Evaluation:
    """Training callback: a log row per epoch, AG evaluations, the best checkpoint, stopping.

    Every ``eval_every`` epochs it draws as many AGs as ``real`` has rows (seed
    ``seed + epoch``; of the target classes with ``target``) and adds their AATS,
    AA_truth, AA_syn against ``real`` and their diversity ratio to the row, warning
    when the diversity falls below :data:`COLLAPSE_DIVERSITY`. With ``best`` (a path),
    the evaluated model nearest the ideal by ``select_metric`` is saved there.
    Rows are appended to ``partial`` (JSON lines) as they are made.

    With ``validation`` (held-out training haplotypes) evaluations add
    :func:`validation_scores` and ``stop`` (a :class:`StopRule`) decides when training
    stops; the stopping epoch's row holds ``stop_reason`` (``epoch_budget`` at epoch
    ``budget``). A decision is written to ``record`` (JSON) before the epoch's checkpoint,
    and a resumed run replays a recorded decision instead of deciding again: a wall budget
    is spent differently in every run, the recorded epoch is not.
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
        validation=None,
        stop: StopRule | None = None,
        budget: int | None = None,
        record: Path | None = None,
    ):
        self.model, self.real, self.seed, self.every = model, real, seed, eval_every
        self.distance = SELECT_METRICS[select_metric]
        self.partial, self.best, self.target = partial, best, target
        self.validation, self.stop, self.budget, self.record = validation, stop, budget, record
        self.rows: list[dict] = []
        self.best_gap = math.inf
        self.replay: dict | None = None
        self.stop_reason: str | None = None
        self.started = time.perf_counter()
        self.epochs_here = 0  # epochs ended since ``started``

    def restore(self, step: int) -> bool:
        """Keep the rows of epochs 1 to ``step``, those a resumed run does not redo.

        A torn last line (a run killed while appending it) is dropped. Returns False, keeping
        no row, where the partial log lacks one of those epochs or has a broken line before
        its last, or (with ``best``) evaluations were logged but the best checkpoint is gone
        or corrupt: the run cannot resume as it was and starts afresh. A recorded stop
        decision at or after ``step`` is kept to be replayed.
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
        replay = _read_record(self.record)
        if replay is not None and replay["epoch"] < step:
            log.warning("%s: a stop before the resume file's %s %d", self.record, name, step)
            return False
        with atomic_path(self.partial) as tmp:
            tmp.write_text("".join(json.dumps(r) + "\n" for r in kept))
        self.rows, self.best_gap, self.replay = kept, min(gaps, default=math.inf), replay
        if replay is not None:
            log.info("replaying the recorded stop at %s %d (%s)", name, replay["epoch"],
                     replay["reason"])  # fmt: skip
            if replay["epoch"] == step:
                self.stop_reason = replay["reason"]
        return True

    @property
    def stop_epoch(self) -> int | None:
        """The epoch of a recorded stop decision being replayed, else None."""
        return None if self.replay is None else self.replay["epoch"]

    def __call__(self, epoch: int, logs: Mapping) -> bool:
        self.epochs_here += 1
        row = {self.model.step_name: int(epoch)}
        row |= {k: float(v) for k, v in logs.items() if k not in WALL_TIMES}
        if self.every and epoch % self.every == 0:
            row |= self._evaluate(epoch)
        reason = self._decide(epoch, row)
        if reason is not None:
            row["stop_reason"] = reason
            self.stop_reason = reason
            if self.record is not None and self.replay is None and reason != "epoch_budget":
                with atomic_path(self.record) as tmp:
                    tmp.write_text(json.dumps({"epoch": int(epoch), "reason": reason}))
        self.rows.append(row)
        with open(self.partial, "a") as fh:  # one line, one write: a kill tears only the last
            fh.write(json.dumps(row) + "\n")
        return reason is not None

    def _decide(self, epoch: int, row: dict) -> str | None:
        """Why training stops after ``epoch`` (its ``row`` made), or None."""
        if self.replay is not None:
            return self.replay["reason"] if epoch == self.replay["epoch"] else None
        if self.stop is not None:
            reason = self.stop.reason([*self.rows, row])
            if reason is not None:
                return reason
        if self.budget is not None and epoch >= self.budget:
            return "epoch_budget"
        budget = 0.0 if self.stop is None else self.stop.wall_budget_s
        if budget:
            spent = time.perf_counter() - self.started
            if spent + spent / self.epochs_here > budget:  # the next epoch would end past it
                return "wall_budget"
        return None

    def _evaluate(self, epoch: int) -> dict:
        ags = sample_target(
            self.model, len(self.real), seed=self.seed + epoch, target_proportions=self.target
        )
        scores = evaluate.aats(self.real, ags, seed=0)
        row = {"aats": scores["AATS"], "aa_truth": scores["AA_truth"], "aa_syn": scores["AA_syn"]}
        row["diversity"] = evaluate.diversity_ratio(self.real, ags)
        if self.validation is not None:
            row |= validation_scores(self.real, self.validation, ags)
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


def _read_record(path: Path | None) -> dict | None:
    """A recorded stop decision ``{"epoch", "reason"}``, or None (none, or unreadable)."""
    if path is None or not path.exists():
        return None
    with contextlib.suppress(ValueError, TypeError, KeyError):
        got = json.loads(path.read_text())
        if isinstance(got["epoch"], int) and got["reason"] in STOP_REASONS:
            return {"epoch": got["epoch"], "reason": got["reason"]}
    log.warning("%s: not a stop record; ignored", path)
    return None


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
        "stop": workdir / f"stop-{tag}.json",
    }
    for pattern in ("resume-*.npz", "training_log-*.partial.*", "best-*.npz", "stop-*.json"):
        for path in workdir.glob(pattern):
            if path not in files.values():
                log.info("removing %s: written with other settings", path)
                path.unlink()
        remove_stale_temporaries(workdir / pattern)
    return files


def train(
    model, data, *, labels=None, controls: Mapping, workdir, real=None, target=None,
    validation=None,
):  # fmt: skip
    """Resumable training with a partial log, evaluations, a stopping rule and checkpoint choice.

    Parameters
    ----------
    model : HaplotypeModel
        A fresh trainable model.
    data, labels :
        As for :func:`fit`.
    controls : Mapping
        ``seed``, ``checkpoint_every`` and, for evaluations, ``eval_every``,
        ``select_checkpoint``, ``select_metric``; for stopping, ``stop_tolerance``,
        ``stop_privacy_guard`` and ``wall_budget_s``
        (:data:`~genosynth.params.TRAINING_CONTROLS`).
    workdir : path
        Folder of the side files (:func:`side_files`), created if needed.
    real : numpy.ndarray, int8, shape (n, n_sites), optional
        Haplotypes the evaluations score AGs against (needed with ``eval_every``).
    target : array_like of float, optional
        Class shares of the evaluated AGs (:func:`sample_target`).
    validation : numpy.ndarray, int8, shape (n_val, n_sites), optional
        Training haplotypes held out of ``data`` (:func:`validation_split`): evaluations
        score AGs against them and the :class:`StopRule` stops training on them.

    Returns
    -------
    rows : list of dict
        The training log, one row per epoch; the last holds ``stop_reason``.
    model : HaplotypeModel
        The trained model, or the selected checkpoint's.
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    files = side_files(workdir, model, controls)
    select = controls.get("select_checkpoint", False)
    eval_every = controls.get("eval_every", 0)
    if validation is not None and not eval_every:
        raise ConfigError(
            "validation_fraction",
            "the stopping rule decides at evaluations, and eval_every is 0",
            fix="set eval_every (e.g. a tenth of epochs), or validation_fraction: 0",
        )
    epochs = _check_count("epochs", model.params[model.step_param])
    monitor = Evaluation(
        model,
        real,
        seed=controls["seed"],
        eval_every=eval_every,
        select_metric=controls.get("select_metric", "aats"),
        partial=files["partial"],
        best=files["best"] if select else None,
        target=target,
        validation=validation,
        stop=StopRule.from_controls(controls),
        budget=epochs,
        record=files["stop"],
    )
    _resume_or_start_afresh(files, monitor)
    fit(
        model,
        data,
        seed=controls["seed"],
        labels=labels,
        epochs=min(epochs, monitor.stop_epoch or epochs),
        callback=monitor,
        checkpoint=files["resume"],
        checkpoint_every=controls["checkpoint_every"],
    )
    reason = monitor.stop_reason or "epoch_budget"
    if monitor.rows and "stop_reason" not in monitor.rows[-1]:  # resumed at the last epoch
        monitor.rows[-1]["stop_reason"] = reason
    log.info("%s: trained %d %ss, stopped: %s", model.name, model.step, model.step_name, reason)
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
    return sample_classes(model, n, seed=seed, proportions=target_proportions)[0]


def sample_classes(model: HaplotypeModel, n: int, *, seed, proportions):
    """``n`` AGs of a class-conditional ``model`` and the class id each was generated for.

    The ids are drawn first from the seeded generator with ``proportions`` (class shares),
    as the models draw them when given no labels: with the model's own
    ``label_proportions`` the AGs are those of ``model.sample(n, seed=seed)``.

    Returns
    -------
    haplotypes : numpy.ndarray, int8, (n, n_sites)
    classes : numpy.ndarray, int64, (n,)
    """
    rng = np.random.default_rng(seed)
    classes = draw_labels(proportions, n, seed=rng)
    return model.sample(n, seed=rng, labels=classes), classes


def require_beta(model: HaplotypeModel) -> None:
    """Raise :class:`ConfigError` unless ``model`` samples at an inverse temperature ``beta``."""
    if not model.samples_at_beta:
        raise ConfigError(
            "calibrate_beta",
            f"model {model.name} has no sampling beta with these parameters",
            fix="set it false (the GAN samples at a beta only with output: bernoulli)",
        )


def calibrate_beta(
    model,
    real,
    *,
    seed,
    target_proportions=None,
    bracket=BETA_BRACKET,
    steps: int = BETA_STEPS,
    widenings: int = BETA_WIDENINGS,
) -> list[dict]:
    """Set ``model.params["beta"]`` so that its AGs' AA_truth and AA_syn against ``real`` balance.

    Cooling a model (``beta > 1``) spreads its AGs apart: AA_truth falls and AA_syn rises.
    The search evaluates ``beta = 1`` and the two ends of ``bracket``. While
    ``AA_truth - AA_syn`` has one sign over the bracket (the balance lies beyond it), the end
    on the balance's side is moved twice as far from 1 (up to ``widenings`` times; the low
    end stays above 0); then it bisects ``steps`` times on the sign. Every evaluation draws
    ``len(real)`` AGs with the same ``seed`` (:func:`sample_target`). The evaluated ``beta``
    whose AA_truth and AA_syn are both nearest 0.5 (its gap, ``SELECT_METRICS["balance"]``)
    is kept, but only if that gap is smaller than at ``beta = 1``: else ``beta`` stays 1 and
    a warning says why. When no widened bracket holds the balance, a warning says so.

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
    for _ in range(widenings):
        if at_high > 0 and at_low > 0:  # too warm even at the high end: cool further
            high = 1.0 + 2.0 * (high - 1.0)
            at_high = gap(high)
        elif at_low < 0 and at_high < 0:  # too cold even at the low end: warm further
            low = max(1.0 - 2.0 * (1.0 - low), 0.5 * low)
            at_low = gap(low)
        else:
            break
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
            "calibrate_beta failed: AA_truth - AA_syn is %.3f at beta %g and %.3f at %g after "
            "%d widenings of the bracket, no change of sign: keeping the best evaluated value",
            at_low, low, at_high, high, widenings,
        )  # fmt: skip
    _keep_best_beta(model, rows)
    return rows


def _keep_best_beta(model, rows: list[dict]) -> None:
    """Set the evaluated ``beta`` of the best balance, but 1 (``rows[0]``) unless it is better."""
    balance = SELECT_METRICS["balance"]
    best = min(rows, key=lambda r: balance(_scores(r)))
    if balance(_scores(best)) >= balance(_scores(rows[0])):
        log.warning(
            "calibrate_beta: no evaluated beta balances AA_truth and AA_syn better than beta 1 "
            "(gap %.4f); keeping beta 1",
            balance(_scores(rows[0])),
        )
        best = rows[0]
    model.params["beta"] = best["beta"]
    log.info("calibrate_beta: kept beta %.4f", best["beta"])
