"""Evaluation steps of the workflow: one function per CONTRACT figure.

Each step loads a dataset's real haplotypes and every model's AGs
(:func:`load_evaluation`), computes its numbers with :mod:`genosynth.evaluate`,
draws the figure with :mod:`genosynth.evaluate.figures` and returns metric rows
``(model, metric, value)``. :func:`run_figure` is what the workflow's
``scripts/plot_evaluation.py`` calls: it dispatches on the figure name and
writes the figure and ``metrics/<figure>.tsv``. :func:`rbm_hidden` and
:func:`training_figure` are the steps of the two figures that read checkpoints and
training logs instead (``plot_rbm_hidden``, ``plot_training``); the privacy figure is in
:mod:`genosynth.steps.privacy`.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from genosynth import evaluate, formats
from genosynth.errors import GenosynthError
from genosynth.provenance import read_provenance, write_table
from genosynth.provenance import record as provenance_record
from genosynth.steps.common import (
    LAYOUT_GENOTYPE_PAIRS,
    METRIC_COLUMNS,
    POPULATION_COLUMNS,
    dataset_info,
    drop_phenotype,
)

__all__ = [
    "FIGURES",
    "Evaluation",
    "load_evaluation",
    "rbm_hidden",
    "run_figure",
    "training_figure",
]

log = logging.getLogger(__name__)
Rows = list[tuple[str, str, float]]


@dataclass(frozen=True)
class Evaluation:
    """Real and artificial data of one dataset, as the figures use them.

    Attributes
    ----------
    dataset : str
    layout : str
        ``haplotypes`` or ``genotype_pairs`` (``pheno``).
    train, test : numpy.ndarray, int8, (n, n_columns)
        Real rows (the phenotype column, if any, removed).
    groups : numpy.ndarray of str, (n_train + n_test,)
        Super-population of each real row (train then test).
    positions : numpy.ndarray, int64, (n_sites,)
    ags : dict of str -> numpy.ndarray, int8, (n_ags, n_columns)
    ag_groups : dict of str -> numpy.ndarray of str, (n_ags,)
        Super-population each AG was generated for, for the population-conditional models
        whose AGs record it (:func:`ag_super_populations`).
    """

    dataset: str
    layout: str
    train: np.ndarray
    test: np.ndarray
    groups: np.ndarray
    positions: np.ndarray
    ags: dict
    ag_groups: dict = field(default_factory=dict)

    @property
    def real(self) -> np.ndarray:
        return np.concatenate([self.train, self.test])

    def sites(self, matrix: np.ndarray) -> np.ndarray:
        """One row per chromosome copy, one column per site: (n_copies, n_sites) int8.

        Genotype pairs ``(n, 2 L)`` become ``(2 n, L)`` pseudo-haplotypes (the
        sorted alleles of each genotype), so allele frequencies are exact and
        LD is the composite LD of unphased data, for real and AGs alike.
        """
        if self.layout != LAYOUT_GENOTYPE_PAIRS:
            return matrix
        n = matrix.shape[0]
        return np.ascontiguousarray(matrix.reshape(n, -1, 2).transpose(0, 2, 1).reshape(2 * n, -1))


def load_evaluation(*, dataset, train, test, panel, info, legend, ags: Mapping) -> Evaluation:
    """Read the files of one dataset's evaluation."""
    layout = dataset_info(info)["layout"]
    table = pd.read_csv(panel, sep="\t", keep_default_na=False)
    groups = table.loc[table["split"] != "other", "super_pop"].to_numpy(str)
    matrices = {m: drop_phenotype(formats.read_hapt_matrix(p)[1], layout) for m, p in ags.items()}
    ag_groups = {m: ag_super_populations(p, table) for m, p in ags.items()}
    return Evaluation(
        dataset=dataset,
        layout=layout,
        train=drop_phenotype(formats.read_hapt_matrix(train)[1], layout),
        test=drop_phenotype(formats.read_hapt_matrix(test)[1], layout),
        groups=groups,
        positions=formats.read_legend(legend)["position"].to_numpy(np.int64),
        ags=matrices,
        ag_groups={m: g for m, g in ag_groups.items() if len(g) == len(matrices[m])},
    )


def ag_super_populations(path, panel: pd.DataFrame) -> np.ndarray:
    """Super-population each AG of ``path`` was generated for, in row order (str ``(n_ags,)``);
    empty for AGs of a model not conditional on ``pop`` or ``super_pop``.

    The classes are those the sample step recorded (``ag_classes`` in the provenance); a
    ``pop`` class is mapped to its super-population through ``panel``."""
    try:
        made = read_provenance(path, verify=False)["params"]
    except (GenosynthError, KeyError):
        return np.array([], dtype=str)
    classes = made.get("ag_classes") or []
    column = made.get("training", {}).get("conditional")
    if column == "pop":
        to_super = dict(zip(panel["pop"].astype(str), panel["super_pop"].astype(str), strict=True))
        classes = [to_super.get(c, c) for c in classes]
    return np.asarray(classes if column in POPULATION_COLUMNS else [], dtype=str)


def titled(plot: Callable, dataset: str) -> Callable:
    """``plot`` with its default title prefixed by the dataset name."""
    default = inspect.signature(plot).parameters["title"].default
    return functools.partial(plot, title=f"{dataset}: {default}")


# --- one function per figure: (evaluation, figure path, settings) -> metric rows -------------
def pca_figure(ev: Evaluation, path, settings: Mapping) -> Rows:
    """PCs fitted on the real rows, every model's AGs projected (paper Fig 1).

    The held-out real rows (the test split, coloured by their groups) are drawn
    as one more panel, :data:`~genosynth.plotting.HELD_OUT`: where a new sample
    of real genomes falls. AGs of population-conditional models are coloured by the
    super-population they were generated for (``ev.ag_groups``).
    """
    from genosynth import pca
    from genosynth.plotting import HELD_OUT, plot_pca

    fit = pca.fit_pca(ev.real, **settings)
    scores = {m: pca.project(fit, h) for m, h in ev.ags.items()}
    title = f"{ev.dataset}: PCA of real and AGs (PCs fitted on all real haplotypes)"
    held_out = {HELD_OUT: pca.project(fit, ev.test)}
    test_groups = ev.groups[len(ev.train) :]
    if ev.layout == LAYOUT_GENOTYPE_PAIRS or len(test_groups) != len(ev.test):
        test_groups = None
    plot_pca(
        path,
        fit.real_scores,
        ev.groups,
        held_out | scores,
        title=title,
        variance_explained=pca.explained_variance_ratio(fit),
        ag_groups_by_model=ev.ag_groups | ({} if test_groups is None else {HELD_OUT: test_groups}),
    )
    return pca.pca_metrics(fit, fit.real_scores, scores, ev.groups)


def umap(ev: Evaluation, path, settings: Mapping) -> Rows:
    """One UMAP of the training rows, the held-out real rows and every model's AGs (paper
    Fig S3); the held-out rows (the test split) are one more panel,
    :data:`~genosynth.plotting.HELD_OUT`, drawn as the AGs are: where a new sample of real
    genomes falls against the training rows."""
    from genosynth.evaluate.figures import plot_umap
    from genosynth.plotting import HELD_OUT

    sets = {HELD_OUT: ev.test} | ev.ags
    groups = ev.groups[: len(ev.train)]
    plot = titled(plot_umap, ev.dataset)
    plot(path, ev.train, sets, real_groups=groups, real_name="real (training)", **settings)
    return []


def pairwise_differences(ev: Evaluation, path, settings: Mapping) -> Rows:
    from genosynth.evaluate.figures import plot_pairwise_differences

    titled(plot_pairwise_differences, ev.dataset)(path, ev.real, ev.ags, **settings)
    rows = []
    for name, h in {"real": ev.real, **ev.ags}.items():
        d = evaluate.pairwise_differences(h, **settings)
        rows.append((name, "pairwise_differences_mean", float(d.mean())))
    for name, h in ev.ags.items():
        rows.append((name, "diversity_ratio", evaluate.diversity_ratio(ev.real, h)))
    return rows


def _per_site_metrics(ev: Evaluation, path, plot, compute, prefix: str) -> Rows:
    """Plot real vs AG site matrices and return ``compute(real, ag)`` items as prefixed rows."""
    real = ev.sites(ev.real)
    ags = {m: ev.sites(h) for m, h in ev.ags.items()}
    titled(plot, ev.dataset)(path, real, ags)
    rows = []
    for model, h in ags.items():
        rows += [(model, f"{prefix}{k}", float(v)) for k, v in compute(real, h).items()]
    return rows


def allele_frequency(ev: Evaluation, path, settings: Mapping) -> Rows:
    from genosynth.evaluate.figures import plot_allele_frequency

    return _per_site_metrics(
        ev, path, plot_allele_frequency, evaluate.allele_frequency_agreement, "allele_frequency_"
    )


def fixed_alleles(ev: Evaluation, path, settings: Mapping) -> Rows:
    from genosynth.evaluate.figures import plot_fixed_alleles

    train = ev.sites(ev.train)
    plot = functools.partial(plot_fixed_alleles, train=train)
    compute = functools.partial(evaluate.fixed_alleles, train=train)
    return _per_site_metrics(ev, path, plot, compute, "fixed_")


def closest_distance(ev: Evaluation, path, settings: Mapping) -> Rows:
    from genosynth.evaluate.figures import plot_closest_distance

    titled(plot_closest_distance, ev.dataset)(path, ev.real, ev.ags)
    rows = []
    for model, h in ev.ags.items():
        table = evaluate.closest_distance(ev.real, h)
        rows.append((model, "closest_ag_distance_median", float(table.to_closest_ag.median())))
        rows.append((model, "closest_real_distance_median", float(table.to_closest_real.median())))
    return rows


def ld_matrix(ev: Evaluation, path, settings: Mapping) -> Rows:
    from genosynth.evaluate.figures import plot_ld_matrix

    ags = {m: ev.sites(h) for m, h in ev.ags.items()}
    titled(plot_ld_matrix, ev.dataset)(path, ev.sites(ev.real), ags, **settings)
    return []


def ld_decay(ev: Evaluation, path, settings: Mapping) -> Rows:
    """LD decay of the real rows, of the held-out rows alone and of each model's AGs (Fig 2b).

    The held-out curve (:data:`~genosynth.plotting.HELD_OUT`, metric rows of
    model ``real``) is the yardstick: the error of a new, smaller real sample.
    """
    from genosynth.evaluate.figures import plot_ld_decay
    from genosynth.plotting import HELD_OUT

    real = evaluate.ld_decay(ev.sites(ev.real), ev.positions, **settings)
    held_out = evaluate.ld_decay(ev.sites(ev.test), ev.positions, **settings)
    ags = {m: evaluate.ld_decay(ev.sites(h), ev.positions, **settings) for m, h in ev.ags.items()}
    titled(plot_ld_decay, ev.dataset)(path, real, {HELD_OUT: held_out} | ags)
    rows = [("real", "ld_decay_mae", evaluate.ld_decay_mae(real, held_out))]
    return rows + [(m, "ld_decay_mae", evaluate.ld_decay_mae(real, d)) for m, d in ags.items()]


def aats_sensitivity(ev: Evaluation, path, settings: Mapping) -> Rows:
    from genosynth.evaluate.figures import plot_aats_sensitivity

    tables = {
        m: evaluate.aats_sensitivity(ev.train, ev.test, h, **settings) for m, h in ev.ags.items()
    }
    titled(plot_aats_sensitivity, ev.dataset)(path, tables)
    rows = []
    for model, table in tables.items():
        for record in table.to_dict("records"):
            n = int(record["n_planted"])
            rows.append((model, f"aats_train_planted_{n}", float(record["aats_train"])))
            rows.append((model, f"privacy_loss_planted_{n}", float(record["privacy_loss"])))
    return rows


def haplostrips(ev: Evaluation, path, settings: Mapping) -> Rows:
    """Haplostrips (paper S11), and each set's local-haplotype spectrum against training.

    Metric rows: ``local_haplotype_tv`` and ``local_haplotype_unseen``
    (:func:`genosynth.evaluate.local_haplotype_spectrum`, windows of
    ``window`` SNPs above ``min_maf``) for the held-out real rows (model
    ``real``: the yardstick of a new sample) and for each model's AGs,
    subsampled to the held-out count (seed ``seed``) so the values compare;
    none when fewer than ``window`` SNPs pass ``min_maf``.
    """
    from genosynth.evaluate.figures import _subsample, plot_haplostrips

    window = settings.pop("window")
    titled(plot_haplostrips, ev.dataset)(
        path, ev.sites(ev.real), {m: ev.sites(h) for m, h in ev.ags.items()}, **settings
    )
    train, test = ev.sites(ev.train), ev.sites(ev.test)
    rng = np.random.default_rng(settings["seed"])
    sets = {"real": test}
    for model, h in ev.ags.items():
        sets[model] = _subsample(ev.sites(h), len(test), rng)
    rows = []
    for name, h in sets.items():
        spectrum = evaluate.local_haplotype_spectrum(
            train, h, window=window, min_maf=settings["min_maf"]
        )
        if spectrum["n_windows"] == 0:
            log.warning(
                "%s: fewer than %d SNPs above MAF %s: no local-haplotype rows",
                ev.dataset,
                window,
                settings["min_maf"],
            )
            break
        rows.append((name, "local_haplotype_tv", spectrum["tv"]))
        rows.append((name, "local_haplotype_unseen", spectrum["unseen"]))
    return rows


#: Figure name (CONTRACT) -> step computing its metric rows and drawing it.
FIGURES: dict[str, Callable[[Evaluation, object, Mapping], Rows]] = {
    "pca": pca_figure,
    "umap": umap,
    "pairwise_differences": pairwise_differences,
    "allele_frequency": allele_frequency,
    "fixed_alleles": fixed_alleles,
    "closest_distance": closest_distance,
    "ld_matrix": ld_matrix,
    "ld_decay": ld_decay,
    "aats_sensitivity": aats_sensitivity,
    "haplostrips": haplostrips,
}


def run_figure(*, figure: str, inputs: Mapping, models, dataset, output, metrics, settings):
    """Draw one evaluation figure and write its metric rows (``dataset model metric value``)."""
    if figure not in FIGURES:
        raise GenosynthError(f"unknown figure {figure!r}; known: {sorted(FIGURES)}")
    ev = load_evaluation(
        dataset=dataset,
        train=inputs["train"],
        test=inputs["test"],
        panel=inputs["panel"],
        info=inputs["info"],
        legend=inputs["legend"],
        ags={m: inputs[m] for m in models},
    )
    rows = FIGURES[figure](ev, output, dict(settings))
    frame = pd.DataFrame(rows, columns=["model", "metric", "value"]).assign(dataset=dataset)
    made = provenance_record(
        f"figure:{figure}",
        params={"settings": dict(settings), "models": list(models), "dataset": dataset},
        inputs=dict(inputs),
    )
    write_table(metrics, frame[METRIC_COLUMNS], provenance=made)
    log.info("%s/%s: %d metric rows", dataset, figure, len(frame))


def rbm_hidden(*, dataset, checkpoint, train, test, ags, panel, output, metrics) -> None:
    """RBM hidden-layer representation of real haplotypes and RBM AGs (paper S5-S6)."""
    from genosynth.evaluate.figures import plot_rbm_hidden
    from genosynth.models import load_model

    model = load_model(checkpoint)
    real = np.concatenate([formats.read_hapt_matrix(p)[1] for p in (train, test)])
    table = pd.read_csv(panel, sep="\t", keep_default_na=False)
    groups = table.loc[table["split"] != "other", "super_pop"].to_numpy(str)
    real_hidden = model.hidden_representation(real)
    ag_hidden = model.hidden_representation(formats.read_hapt_matrix(ags)[1])
    titled(plot_rbm_hidden, dataset)(output, real_hidden, groups, ag_activations=ag_hidden)
    rows = [
        ("rbm", "hidden_mean_activation_real", float(real_hidden.mean())),
        ("rbm", "hidden_mean_activation_ag", float(ag_hidden.mean())),
    ]
    frame = pd.DataFrame(rows, columns=["model", "metric", "value"]).assign(dataset=dataset)
    made = provenance_record(
        "figure:rbm_hidden",
        params={"dataset": dataset},
        inputs={"checkpoint": checkpoint, "train": train, "test": test, "ags": ags},
    )
    write_table(metrics, frame[METRIC_COLUMNS], provenance=made)


def training_figure(*, dataset, logs: Mapping, output, metrics) -> None:
    """Losses and AATS over training epochs of every model (paper S16)."""
    from genosynth.evaluate.figures import plot_training

    tables = {m: pd.read_csv(p, sep="\t") for m, p in logs.items()}
    iterative = {m: t for m, t in tables.items() if len(t) > 1} or tables
    titled(plot_training, dataset)(output, iterative)
    rows = [(m, "epochs", float(t["epoch"].max())) for m, t in tables.items()]
    for model, table in tables.items():
        if "aats" in table and table["aats"].notna().any():
            rows.append((model, "final_training_aats", float(table["aats"].dropna().iloc[-1])))
        if "diversity" in table and table["diversity"].notna().any():
            last = float(table["diversity"].dropna().iloc[-1])
            rows.append((model, "final_training_diversity", last))
        if "stop_reason" in table and table["stop_reason"].notna().any():
            rows.append((model, "epochs_run", float(table["epoch"].max())))
            reason = str(table["stop_reason"].dropna().iloc[-1])
            rows.append((model, f"stop_reason_{reason}", 1.0))
        if "aats_val" in table and table["aats_val"].notna().any():
            last = table.dropna(subset=["aats_val"]).iloc[-1]
            for name in ["aa_truth_val", "aa_syn_val", "privacy_loss_val"]:
                rows.append((model, f"final_{name}", float(last[name])))
    frame = pd.DataFrame(rows, columns=["model", "metric", "value"]).assign(dataset=dataset)
    made = provenance_record("figure:training", params={"dataset": dataset}, inputs=dict(logs))
    write_table(metrics, frame[METRIC_COLUMNS], provenance=made)
