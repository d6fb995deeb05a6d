"""Draw artificial genomes (AGs) from a trained checkpoint (``sample_ags``)."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from genosynth import formats
from genosynth.errors import ConfigError, CorruptFileError
from genosynth.models import MODELS, load_model
from genosynth.models.base import read_checkpoint_meta
from genosynth.provenance import record
from genosynth.steps.common import LAYOUT_GENOTYPE_PAIRS, LAYOUT_HAPLOTYPES, dataset_info
from genosynth.training import LABEL_COLUMN, draw_labels, sample_classes, sample_target

__all__ = ["ag_ids", "retrain_fix", "sample", "sample_with_labels"]

log = logging.getLogger(__name__)


def ag_ids(n: int, layout: str) -> list[str]:
    """Row ids of ``n`` AGs: ``AG00001_A``/``_B`` pairs for haplotypes, ``AG00001`` otherwise."""
    if layout == LAYOUT_GENOTYPE_PAIRS:
        return [f"AG{i + 1:05d}" for i in range(n)]
    return [f"AG{i // 2 + 1:05d}_{'AB'[i % 2]}" for i in range(n)]


def retrain_fix(checkpoint, ags) -> str:
    """How to rewrite a workflow checkpoint (``<ds>/models/<model>/checkpoint.npz``): force
    its training rule, ``train_network`` for epoch-trained models, else ``train_baseline``."""
    model = MODELS.get(Path(checkpoint).parent.name)
    rule = "train_network" if model is not None and model.is_trainable() else "train_baseline"
    return (
        f"retrain the model: snakemake {os.fspath(ags)} --forcerun {rule} (with your other "
        "options, --configfile after the target)"
    )


def sample_with_labels(model, n: int, *, seed) -> np.ndarray:
    """AGs of a label-conditional model with their label appended as the last column.

    Labels are drawn in the training proportions (``model.label_proportions``),
    then each AG is generated for its label.

    Parameters
    ----------
    model : HaplotypeModel
        A conditional GAN or RBM trained with ``conditional: phenotype``.
    n : int
    seed : int or numpy.random.Generator

    Returns
    -------
    numpy.ndarray, int8, shape (n, n_sites + 1)
    """
    rng = np.random.default_rng(seed)
    proportions = np.asarray(model.label_proportions, dtype=np.float64)
    values = np.asarray(getattr(model, "label_values", np.arange(proportions.size)))
    labels = values[draw_labels(proportions, n, seed=rng)]
    alleles = model.sample(n, seed=rng, labels=labels)
    return np.concatenate([alleles, labels[:, None].astype(np.int8)], axis=1)


def sample(
    *,
    checkpoint,
    real: Sequence,
    info,
    ags,
    sampling: Mapping,
    model_settings: Mapping | None = None,
    train=None,
    repair: Mapping | None = None,
) -> None:
    """Draw AGs from a checkpoint: ``sampling.n_ags`` of them, or as many as real rows.

    ``model_settings`` override the checkpoint's sampling-only parameters
    (:meth:`~genosynth.models.base.HaplotypeModel.set_sampling`). A non-empty
    ``repair`` (keywords of :func:`~genosynth.repair.repair_context_alleles`)
    then repairs the AGs against the ``train`` haplotypes.
    """
    layout = dataset_info(info)["layout"]
    n = sampling["n_ags"] or sum(len(formats.read_hapt_matrix(p)[0]) for p in real)
    try:
        model = load_model(checkpoint)
    except CorruptFileError as err:
        raise CorruptFileError(checkpoint, err.problem, fix=retrain_fix(checkpoint, ags)) from err
    model.set_sampling(**dict(model_settings or {}))
    trained = read_checkpoint_meta(checkpoint).get("provenance", {})  # training seed, data...
    conditional = trained.get("conditional")
    if repair and (layout != LAYOUT_HAPLOTYPES or conditional == LABEL_COLUMN):
        raise ConfigError(
            f"models.{model.name}.repair",
            "context repair works on haplotypes, not on genotype pairs or a phenotype column",
            fix="remove `repair` for this dataset (datasets.<name>.model_overrides)",
        )
    target = trained.get("target_proportions")  # pool_others: the target population's shares
    ag_classes = None
    if conditional == LABEL_COLUMN:
        haplotypes = sample_with_labels(model, n, seed=sampling["seed"])
    elif trained.get("classes"):  # a population-conditional model: keep each AG's class
        shares = model.label_proportions if target is None else target
        haplotypes, codes = sample_classes(model, n, seed=sampling["seed"], proportions=shares)
        ag_classes = np.asarray(trained["classes"])[codes].tolist()
    else:
        haplotypes = sample_target(model, n, seed=sampling["seed"], target_proportions=target)
    flips = None
    if repair:
        from genosynth.repair import repair_context_alleles

        reference = formats.read_hapt_matrix(train)[1]
        haplotypes, flips = repair_context_alleles(reference, haplotypes, **repair)
        log.info("context repair %s: %.2f alleles flipped per AG", dict(repair), flips.mean())
    made = record(
        "sample",
        seed=sampling["seed"],
        params={
            "sampling": dict(sampling),
            "model": model.name,
            "model_params": model.params,
            "model_step": model.step,
            "training": trained,
            "repair": dict(repair or {}),
            "repair_flips_per_ag": None if flips is None else float(flips.mean()),
            # the population each AG was generated for, in row order (conditional models)
            "ag_classes": ag_classes,
        },
        inputs={"checkpoint": checkpoint, "real": list(real), "info": info, "train": train},
    )
    formats.write_hapt(ags, haplotypes, ag_ids(n, layout), tag="AG", provenance=made)
    log.info("sampled %d AGs from %s", n, checkpoint)
