"""Workflow step: train one model of a dataset (``train_model``) or the DNA WGAN (``train_wgan``).

The only training code that takes settings dicts. A model's config section holds its
parameters (:attr:`~genosynth.models.base.HaplotypeModel.spec`) and the training controls
(:data:`~genosynth.params.TRAINING_CONTROLS`); they are split here, the data and labels are
read, and training runs through the one driver (:mod:`genosynth.training`): closed-form
models (the baselines, the copying model) in one ``fit``, trainable ones with a resume file,
a partial log and evaluations beside the output checkpoint.

With ``pool_others: true`` a population-conditional model trains on the dataset's
complementary haplotypes (``others.hapt.gz``) as well, each with its own label, and its
AGs (at evaluations and in the sampling step) are drawn for the target population's labels
only, in their training proportions (``target_proportions`` in the checkpoint's provenance).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from genosynth import formats, training
from genosynth.errors import ConfigError
from genosynth.fileio import atomic_path
from genosynth.models import MODELS, get_model
from genosynth.params import DNA_WGAN_CONTROLS, TRAINING_CONTROLS, defaults, split_roles
from genosynth.provenance import record, write_table
from genosynth.steps.common import POPULATION_COLUMNS
from genosynth.training import (
    EVAL_SAMPLES,
    LABEL_COLUMN,
    calibrate_beta,
    remove_side_files,
    require_beta,
    validation_split,
)

__all__ = [
    "hold_out_validation",
    "pool_others",
    "split_label_column",
    "split_settings",
    "train_model",
    "train_wgan",
    "training_and_sampling",
]

log = logging.getLogger(__name__)


def training_and_sampling(model: str, settings: Mapping) -> tuple[dict, dict]:
    """``(training, sampling)`` settings of a model's config section (without ``repair``).

    Sampling gets the model's ``sampling``-role parameters, so that changing one redraws
    the AGs without retraining. When training samples too (``calibrate_beta`` or
    ``select_checkpoint`` score AGs), training keeps them all and sampling gets none.
    """
    settings = {k: v for k, v in settings.items() if k != "repair"}
    if settings.get("calibrate_beta") or settings.get("select_checkpoint"):
        return settings, {}
    return split_roles(MODELS[model].spec, settings)


def split_settings(settings: Mapping) -> tuple[dict, dict]:
    """``(controls, params)`` of a model's config section: the training controls (with their
    defaults) and the model's own parameters."""
    names = defaults(TRAINING_CONTROLS)
    controls = {k: settings.get(k, v) for k, v in names.items()}
    return controls, {k: v for k, v in settings.items() if k not in names}


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


def _labels(panel, ids: list[str], conditional: str) -> tuple[np.ndarray | None, list[str]]:
    """Class ids (int64, one per row ``ids``) of the panel column ``conditional`` and the
    class names: id ``k`` is ``classes[k]``, the sorted values (None and [] for ``none``)."""
    if conditional == "none":
        return None, []
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
    return np.searchsorted(classes, values).astype(np.int64), classes


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
    classes : list of str, (n_classes,)
        The name of each class id (the sorted values over the pooled rows).
    """
    if conditional not in POPULATION_COLUMNS:
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
    pooled_labels, classes = _labels(panel, list(ids) + list(other_ids), conditional)
    counts = np.bincount(pooled_labels[: len(ids)], minlength=pooled_labels.max() + 1)
    log.info("pooled %d training and %d other haplotypes", len(ids), len(other_ids))
    pooled = np.concatenate([haplotypes, other_haplotypes])
    return pooled, pooled_labels, counts / counts.sum(), classes


def hold_out_validation(haplotypes, ids: list[str], *, panel, fraction: float, seed: int):
    """Split the training rows into those trained on and the validation split.

    Individuals are the panel's ``sample`` of each row id, so both haplotypes of a person
    land on one side (:func:`~genosynth.training.validation_split`).

    Returns
    -------
    haplotypes : numpy.ndarray, int8
        The rows trained on.
    ids : list of str
        Their ids.
    validation : numpy.ndarray, int8
        The held-out rows.
    """
    table = pd.read_csv(panel, sep="\t", keep_default_na=False).set_index("hap_id")
    individuals = table.loc[list(ids), "sample"].to_numpy(str)
    keep, held = validation_split(individuals, fraction, seed=seed)
    log.info(
        "validation split: %d of %d training rows (%d individuals) held out to stop on",
        len(held),
        len(ids),
        len(set(individuals[held])),
    )
    return haplotypes[keep], [ids[i] for i in keep], haplotypes[held]


def _training_data(haplotypes, ids, *, controls, panel, others):
    """Training rows, their labels, the number of target rows, the target class shares and
    the class names of a population-conditional model (else None)."""
    n_target, target, conditional = len(haplotypes), None, controls["conditional"]
    classes = None
    if controls["pool_others"]:
        haplotypes, labels, target, classes = pool_others(
            haplotypes, others=others, panel=panel, ids=ids, conditional=conditional
        )
    elif conditional == LABEL_COLUMN:
        haplotypes, labels = split_label_column(haplotypes)
    else:
        labels, names = _labels(panel, ids, conditional)
        classes = names if conditional in POPULATION_COLUMNS else None
    return haplotypes, labels, n_target, target, classes


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
        The model's config section: its parameters plus training controls.
    train, panel : path
        ``train.hapt.gz`` and ``panel.tsv`` of the dataset.
    checkpoint, training_log : path
        Outputs; resume files live beside ``checkpoint``.
    threads : int
        Threads of the job (TensorFlow's intra-op threads for the GAN).
    others : path, optional
        ``others.hapt.gz`` of the dataset; read with ``pool_others: true``.
    """
    controls, params = split_settings(settings)
    instance = get_model(model, **params)
    if controls["calibrate_beta"]:
        require_beta(instance)
    instance.configure_threads(threads)
    seed = controls["seed"]
    ids, haplotypes = formats.read_hapt_matrix(train)
    validation = None
    if instance.is_trainable() and controls["validation_fraction"] > 0:
        haplotypes, ids, validation = hold_out_validation(
            haplotypes, ids, panel=panel, fraction=controls["validation_fraction"], seed=seed
        )
        if controls["conditional"] == LABEL_COLUMN:
            validation = split_label_column(validation)[0]
    haplotypes, labels, n_target, target, classes = _training_data(
        haplotypes, ids, controls=controls, panel=panel, others=others
    )
    provenance = {"seed": seed, "train": str(train), "conditional": controls["conditional"]}
    if target is not None:
        provenance |= {"others": str(others), "target_proportions": target.tolist()}
    if classes is not None:  # class id k of the model: classes[k]
        provenance["classes"] = classes
    start = time.perf_counter()
    if not instance.is_trainable():
        if labels is not None and not instance.accepts_labels:
            raise ConfigError("conditional", f"model {model} has no conditional mode", fix="none")
        instance.fit(haplotypes, seed=seed, **({} if labels is None else {"labels": labels}))
        rows = [{"epoch": instance.step, "seconds": time.perf_counter() - start}]
    else:
        rng = np.random.default_rng(seed)
        n_eval = min(n_target, EVAL_SAMPLES)
        real = haplotypes[np.sort(rng.choice(n_target, n_eval, replace=False))]
        workdir = Path(checkpoint).parent
        rows, instance = training.train(instance, haplotypes, labels=labels, controls=controls,
                                        workdir=workdir, real=real, target=target,
                                        validation=validation)  # fmt: skip
    if controls["calibrate_beta"]:
        provenance["beta_calibration"] = calibrate_beta(
            instance, haplotypes[:n_target], seed=seed, target_proportions=target
        )
    log.info("trained %s on %s in %.1f s", model, haplotypes.shape, time.perf_counter() - start)
    made = record("train", seed=seed, params={"model": model, "settings": dict(settings)},
                  inputs={"train": str(train), "panel": str(panel)})  # fmt: skip
    write_table(training_log, pd.DataFrame(rows), provenance=made)
    instance.save(checkpoint, provenance=provenance)
    if instance.is_trainable():
        remove_side_files(Path(checkpoint).parent, instance, controls)


def train_wgan(x: np.ndarray, *, settings: Mapping, checkpoint, training_log, threads=1):
    """Train the DNA track's :class:`~genosynth.dna.wgan.SequenceWGAN` resumably.

    Parameters
    ----------
    x : numpy.ndarray, float32, shape (n, L, C)
        One-hot sequences (C = 4, or 5 with the exon track).
    settings : Mapping
        Model parameters plus the controls ``seed`` and ``checkpoint_every``.
    checkpoint, training_log : path
        Outputs; a killed run resumes from the side files beside ``checkpoint``.
    """
    from genosynth.dna.wgan import SequenceWGAN

    names = defaults(DNA_WGAN_CONTROLS)
    controls = {k: settings.get(k, v) for k, v in names.items()}
    model = SequenceWGAN(**{k: v for k, v in settings.items() if k not in names})
    model.configure_threads(threads)
    start = time.perf_counter()
    rows, model = training.train(model, x, controls=controls, workdir=Path(checkpoint).parent)
    log.info(
        "wgan trained %d steps on %s in %.1f s", model.step, x.shape, time.perf_counter() - start
    )
    with atomic_path(training_log) as tmp:
        pd.DataFrame(rows).to_csv(tmp, sep="\t", index=False)
    model.save(checkpoint, provenance={"seed": controls["seed"]})
    remove_side_files(Path(checkpoint).parent, model, controls)
    return model
