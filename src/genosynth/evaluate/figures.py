"""Figures of the haplotype track (output contract names), one function each.

Every function draws on a headless figure from :func:`genosynth.plotting.new_figure`
and writes a PNG atomically with :func:`genosynth.plotting.save_figure`.
Arguments follow :func:`genosynth.plotting.plot_pca`: the destination first,
then the real data and a ``{model: data}`` dict (models drawn in its order),
then keyword options. Haplotypes are int8 ``(n, n_sites)`` arrays in {0, 1}.
Every function returns the numbers it draws (a dict per panel or series), so
that tests can check a figure's values, not only that a PNG exists. The key
:data:`genosynth.plotting.HELD_OUT` in a ``{model: data}`` dict is the held-out
real data drawn as one more "model" (in grey): the yardstick of a new sample.

========================== ==================================== ===========
contract name              function                             paper
========================== ==================================== ===========
``umap``                   :func:`plot_umap`                    Fig. S3
``pairwise_differences``   :func:`plot_pairwise_differences`    Figs. S4, S8
``rbm_hidden``             :func:`plot_rbm_hidden`              Figs. S5, S6
``allele_frequency``       :func:`plot_allele_frequency`        Fig. S9
``fixed_alleles``          :func:`plot_fixed_alleles`           Fig. S14
``closest_distance``       :func:`plot_closest_distance`        Fig. S10
``ld_matrix``              :func:`plot_ld_matrix`               Fig. 2a
``ld_decay``               :func:`plot_ld_decay`                Fig. 2b
``aats``                   :func:`plot_aats`                    Fig. S13
``aats_sensitivity``       :func:`plot_aats_sensitivity`        Fig. S15
``training``               :func:`plot_training`                Fig. S16
``haplostrips``            :func:`plot_haplostrips`             Fig. S11
========================== ==================================== ===========
"""

from __future__ import annotations

import math
import os
import sys
import warnings

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from genosynth.errors import GenosynthError
from genosynth.evaluate.distance import _as_haplotypes
from genosynth.evaluate.diversity import (
    allele_frequency,
    allele_frequency_agreement,
    closest_distance,
    fixed_alleles,
    haplostrip_order,
    pairwise_differences,
)
from genosynth.evaluate.ld import r2_matrix
from genosynth.plotting import HELD_OUT, new_figure, save_figure

__all__ = [
    "plot_aats",
    "plot_aats_sensitivity",
    "plot_allele_frequency",
    "plot_closest_distance",
    "plot_fixed_alleles",
    "plot_haplostrips",
    "plot_ld_decay",
    "plot_ld_matrix",
    "plot_pairwise_differences",
    "plot_rbm_hidden",
    "plot_training",
    "plot_umap",
]

#: Colour of the real data.
_REAL = "0.45"
#: Light colour of real data drawn behind AGs.
_REAL_BACKGROUND = "0.75"
#: Colour of the AGs when a panel shows one model.
_AG = "tab:red"
#: Colour of the held-out real data drawn as a model.
_HELD_OUT_COLOUR = "0.35"
#: Panels per row of multi-panel figures.
_MAX_COLS = 4
#: Scatter marker of the UMAP panels.
_UMAP_MARKER = {"s": 5, "linewidths": 0, "rasterized": True}


def _models(ag_by_model: dict) -> dict[str, np.ndarray]:
    if not ag_by_model:
        raise GenosynthError("no model to plot: ag_by_model is empty")
    return {str(k): _as_haplotypes(v, f"AGs of {k}") for k, v in ag_by_model.items()}


def _panels(n: int, *, width: float = 3.4, height: float = 3.0, **subplot_kw):
    """A grid of at least ``n`` panels (row-major), the unused ones hidden."""
    ncols = min(n, _MAX_COLS)
    nrows = math.ceil(n / ncols)
    fig, axes = new_figure(
        nrows, ncols, figsize=(width * ncols, height * nrows + 0.5), **subplot_kw
    )
    flat = axes.ravel()
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def _finish(fig, path, title: str) -> None:
    fig.suptitle(title)  # the figure's constrained layout keeps it clear of the panels
    save_figure(fig, path)


def _subsample(h: np.ndarray, max_rows: int | None, rng) -> np.ndarray:
    if max_rows is None or h.shape[0] <= max_rows:
        return h
    return h[np.sort(rng.choice(h.shape[0], max_rows, replace=False))]


# --------------------------------------------------------------------------- S3


def plot_umap(
    path: str | os.PathLike,
    real,
    ag_by_model: dict,
    *,
    real_groups=None,
    max_per_set: int | None = 1000,
    n_neighbors: int = 15,
    metric: str = "euclidean",
    random_state: int = 0,
    real_name: str = "real",
    title: str = "UMAP of real and artificial genomes (Yelmen et al. Fig. S3)",
) -> dict[str, np.ndarray]:
    """One UMAP embedding of the real haplotypes and every model's AGs together.

    The first panel shows the real haplotypes (coloured by ``real_groups``
    when given), then one panel per model with its AGs in red over the real
    ones in grey; all panels share the embedding and its limits.

    Parameters
    ----------
    path : str or os.PathLike
    real : array_like, int8, (n_real, n_sites)
    ag_by_model : dict of str -> array_like, int8, (n_ag, n_sites)
    real_groups : array_like of str, (n_real,), optional
    max_per_set : int or None, default 1000
        Each set is subsampled (with ``random_state``) to at most this many rows.
    n_neighbors : int, default 15
        Capped at the number of points minus one.
    metric : str, default "euclidean"
        UMAP metric (on 0/1 data, Euclidean is the square root of Hamming).
    random_state : int, default 0
        Seeds the subsampling and UMAP (which then runs single-threaded).
    real_name : str, default "real"
        Title of the first panel and legend entry of the grey background.
    title : str

    Returns
    -------
    dict of str -> numpy.ndarray, float32, (n_set, 2)
        The embedded points of ``"real"`` and of each model, in plotting order
        (after subsampling).
    """
    rng = np.random.default_rng(random_state)
    r = _as_haplotypes(real, "real")
    models = _models(ag_by_model)
    groups = None if real_groups is None else np.asarray(real_groups).astype(str)
    if groups is not None and groups.shape[0] != r.shape[0]:
        raise GenosynthError(f"{groups.shape[0]} group labels for {r.shape[0]} real haplotypes")
    keep = np.arange(r.shape[0])
    if max_per_set is not None and r.shape[0] > max_per_set:
        keep = np.sort(rng.choice(r.shape[0], max_per_set, replace=False))
    sets = [r[keep]] + [_subsample(ag, max_per_set, rng) for ag in models.values()]
    parts = _umap_embedding(sets, n_neighbors=n_neighbors, metric=metric, seed=random_state)
    embedding = np.concatenate(parts, axis=0)
    fig, axes = _panels(1 + len(models))
    _draw_umap_real(axes[0], parts[0], None if groups is None else groups[keep], real_name)
    for ax, (name, xy) in zip(axes[1:], zip(models, parts[1:], strict=True), strict=True):
        ax.scatter(parts[0][:, 0], parts[0][:, 1], c=_REAL_BACKGROUND, label=real_name,
                   **_UMAP_MARKER)  # fmt: skip
        ax.scatter(xy[:, 0], xy[:, 1], c=_AG, alpha=0.6, label=name, **_UMAP_MARKER)
        ax.set_title(name)
        ax.legend(loc="best", fontsize="x-small", markerscale=2.5, frameon=False)
    lo, hi = embedding.min(axis=0), embedding.max(axis=0)
    pad = 0.05 * np.where(hi > lo, hi - lo, 1.0)
    for ax in axes:
        ax.set_xlim(lo[0] - pad[0], hi[0] + pad[0])
        ax.set_ylim(lo[1] - pad[1], hi[1] + pad[1])
        ax.set_xlabel("UMAP 1")
        ax.set_ylabel("UMAP 2")
        ax.tick_params(labelsize="x-small")
    _finish(fig, path, title)
    return dict(zip(["real", *models], parts, strict=True))


def _import_umap():
    """The ``umap`` package, imported without TensorFlow when this process has not loaded it.

    umap-learn's package init imports TensorFlow for ``ParametricUMAP`` (about 7 s on a CPU),
    which the plain ``UMAP`` never uses; with TensorFlow marked absent the init skips it."""
    if "umap" in sys.modules or "tensorflow" in sys.modules:
        import umap

        return umap
    sys.modules["tensorflow"] = None  # `import tensorflow` raises ImportError
    try:
        import umap
    finally:
        del sys.modules["tensorflow"]
    return umap


def _umap_embedding(sets: list, *, n_neighbors: int, metric: str, seed: int) -> list:
    """One 2-D UMAP of the rows of every set together, split back into one array per set."""
    umap = _import_umap()
    stacked = np.concatenate(sets, axis=0).astype(np.float32)
    if stacked.shape[0] < 4:
        raise GenosynthError(f"UMAP needs at least 4 haplotypes, got {stacked.shape[0]}")
    reducer = umap.UMAP(
        n_neighbors=max(2, min(n_neighbors, stacked.shape[0] - 1)),
        metric=metric,
        random_state=seed,
        n_components=2,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        embedding = reducer.fit_transform(stacked)
    bounds = np.cumsum([0] + [s.shape[0] for s in sets])
    return [embedding[bounds[k] : bounds[k + 1]] for k in range(len(sets))]


def _draw_umap_real(ax, real_xy: np.ndarray, groups, name: str) -> None:
    """The real panel of the UMAP figure, coloured by group when there are groups."""
    if groups is None:
        ax.scatter(real_xy[:, 0], real_xy[:, 1], c=_REAL, label=name, **_UMAP_MARKER)
    else:
        for k, label in enumerate(np.unique(groups)):
            sel = groups == label
            ax.scatter(
                real_xy[sel, 0], real_xy[sel, 1], c=f"C{k % 10}", label=label, **_UMAP_MARKER
            )
        ax.legend(loc="best", fontsize="x-small", markerscale=2.5, frameon=False)
    ax.set_title(name)


# --------------------------------------------------------------------------- S4, S8


def _integer_bins(values: list[np.ndarray], max_bins: int = 60) -> np.ndarray:
    top = max((int(v.max()) for v in values if v.size), default=1)
    width = max(1, math.ceil((top + 1) / max_bins))
    return np.arange(0, top + width + 1, width) - 0.5


def plot_pairwise_differences(
    path: str | os.PathLike,
    real,
    ag_by_model: dict,
    *,
    max_pairs: int = 50_000,
    seed: int = 0,
    title: str = "Pairwise haplotype differences (Yelmen et al. Figs. S4, S8)",
) -> dict:
    """Distribution of Hamming distances between haplotype pairs, real vs each model.

    One panel per model: the real distribution filled in grey, the AG one as a
    red outline, both as densities over the same integer bins.

    Parameters
    ----------
    path : str or os.PathLike
    real : array_like, int8, (n_real, n_sites)
    ag_by_model : dict of str -> array_like, int8, (n_ag, n_sites)
    max_pairs : int, default 50000
        Pairs per set, see :func:`genosynth.evaluate.diversity.pairwise_differences`.
    seed : int, default 0
    title : str

    Returns
    -------
    dict
        ``"bin_edges"``: numpy.ndarray (n_bins + 1,); ``"counts"``: str ->
        numpy.ndarray int64 (n_bins,), pairs per bin of ``"real"`` and of each
        model (drawn as densities).
    """
    r = _as_haplotypes(real, "real")
    models = _models(ag_by_model)
    real_d = pairwise_differences(r, max_pairs=max_pairs, seed=seed)
    model_d = {
        k: pairwise_differences(v, max_pairs=max_pairs, seed=seed) for k, v in models.items()
    }
    bins = _integer_bins([real_d, *model_d.values()])
    counts = {k: np.histogram(d, bins=bins)[0] for k, d in {"real": real_d, **model_d}.items()}
    widths = np.diff(bins)

    def density(c):
        return c / max(1, c.sum()) / widths

    fig, axes = _panels(len(models))
    for ax, name in zip(axes, model_d, strict=True):
        if real_d.size:
            ax.stairs(density(counts["real"]), bins, fill=True, color=_REAL_BACKGROUND,
                      label="real")  # fmt: skip
        if model_d[name].size:
            ax.stairs(density(counts[name]), bins, color=_AG, lw=1.5, label=name)
        ax.set_title(name)
        ax.set_xlabel("pairwise differences (sites)")
        ax.set_ylabel("density")
        ax.legend(loc="best", fontsize="x-small", frameon=False)
        ax.tick_params(labelsize="x-small")
    _finish(fig, path, title)
    return {"bin_edges": bins, "counts": counts}


# --------------------------------------------------------------------------- S5, S6


def plot_rbm_hidden(
    path: str | os.PathLike,
    activations,
    groups,
    *,
    ag_activations=None,
    ag_groups=None,
    title: str = "RBM hidden-layer representation (Yelmen et al. Figs. S5, S6)",
) -> dict[str, np.ndarray]:
    """First two principal components of RBM hidden activations, coloured by population.

    The PCs are fitted on ``activations`` (the real haplotypes); AG
    activations, when given, are projected onto them in a second panel
    (coloured by ``ag_groups``, or red over the real points in grey).

    Parameters
    ----------
    path : str or os.PathLike
    activations : array_like, float, (n_real, n_hidden)
        Hidden-unit probabilities ``P(h = 1 | v)`` of the real haplotypes.
    groups : array_like of str, (n_real,)
        Population of each real haplotype.
    ag_activations : array_like, float, (n_ag, n_hidden), optional
    ag_groups : array_like of str, (n_ag,), optional
    title : str

    Returns
    -------
    dict of str -> numpy.ndarray, float64, (n, 2)
        The drawn hidden PC1-2 coordinates of ``"real"`` and, with
        ``ag_activations``, of ``"AGs"``.
    """
    x = np.asarray(activations, dtype=np.float64)
    g = np.asarray(groups).astype(str)
    if x.ndim != 2 or x.shape[0] != g.shape[0] or x.shape[0] < 2:
        raise GenosynthError(
            f"activations must be (n, n_hidden) with n >= 2 and one group each, got "
            f"{x.shape} and {g.shape[0]} groups"
        )
    mean = x.mean(axis=0)
    _, _, vt = np.linalg.svd(x - mean, full_matrices=False)
    basis = np.zeros((2, x.shape[1]))
    basis[: min(2, vt.shape[0])] = vt[:2]
    real_xy = (x - mean) @ basis.T
    sets = [("real", real_xy, g)]
    if ag_activations is not None:
        y = np.asarray(ag_activations, dtype=np.float64)
        if y.ndim != 2 or y.shape[1] != x.shape[1]:
            raise GenosynthError(f"ag_activations must be (n, {x.shape[1]}), got {y.shape}")
        yg = None if ag_groups is None else np.asarray(ag_groups).astype(str)
        sets.append(("AGs", (y - mean) @ basis.T, yg))
    labels = list(np.unique(np.concatenate([s[2] for s in sets if s[2] is not None])))
    colours = {label: f"C{k % 10}" for k, label in enumerate(labels)}
    fig, axes = _panels(len(sets))
    marker = {"s": 6, "linewidths": 0, "rasterized": True}
    for ax, (name, xy, lab) in zip(axes, sets, strict=True):
        if lab is None:
            ax.scatter(real_xy[:, 0], real_xy[:, 1], c=_REAL_BACKGROUND, label="real", **marker)
            ax.scatter(xy[:, 0], xy[:, 1], c=_AG, alpha=0.6, label=name, **marker)
        else:
            for label in labels:
                sel = lab == label
                if sel.any():
                    ax.scatter(xy[sel, 0], xy[sel, 1], c=colours[label], label=label, **marker)
        ax.set_title(name)
        ax.set_xlabel("hidden PC1")
        ax.set_ylabel("hidden PC2")
        ax.legend(loc="best", fontsize="x-small", markerscale=2.5, frameon=False)
        ax.tick_params(labelsize="x-small")
    _finish(fig, path, title)
    return {name: xy for name, xy, _ in sets}


# --------------------------------------------------------------------------- S9


def plot_allele_frequency(
    path: str | os.PathLike,
    real,
    ag_by_model: dict,
    *,
    title: str = "Allele frequencies, AG vs real (Yelmen et al. Fig. S9)",
) -> dict[str, np.ndarray]:
    """Per-SNP allele-1 frequency of each model's AGs against the real data.

    One scatter panel per model with the identity line and the Pearson r and
    RMSE of :func:`genosynth.evaluate.diversity.allele_frequency_agreement`.

    Parameters
    ----------
    path : str or os.PathLike
    real : array_like, int8, (n_real, n_sites)
    ag_by_model : dict of str -> array_like, int8, (n_ag, n_sites)
    title : str

    Returns
    -------
    dict of str -> numpy.ndarray, float64, (n_sites,)
        Allele-1 frequency of ``"real"`` (the x of every panel) and of each
        model (its y).
    """
    r = _as_haplotypes(real, "real")
    models = _models(ag_by_model)
    p_real = allele_frequency(r)
    drawn = {"real": p_real}
    fig, axes = _panels(len(models))
    for ax, (name, ag) in zip(axes, models.items(), strict=True):
        stats = allele_frequency_agreement(r, ag)
        ax.plot([0, 1], [0, 1], color="0.6", lw=0.8, ls="--")
        drawn[name] = allele_frequency(ag)
        ax.scatter(p_real, drawn[name], s=4, c=_AG, alpha=0.5, linewidths=0,
                   rasterized=True)  # fmt: skip
        ax.text(
            0.04, 0.96, f"r = {stats['pearson_r']:.3f}\nRMSE = {stats['rmse']:.3f}",
            transform=ax.transAxes, va="top", fontsize="small",
        )  # fmt: skip
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_title(name)
        ax.set_xlabel("real allele frequency")
        ax.set_ylabel(f"{name} allele frequency")
        ax.tick_params(labelsize="x-small")
    _finish(fig, path, title)
    return drawn


# --------------------------------------------------------------------------- S14


def plot_fixed_alleles(
    path: str | os.PathLike,
    real,
    ag_by_model: dict,
    *,
    train=None,
    title: str = "Alleles fixed in AGs vs real (Yelmen et al. Fig. S14)",
) -> pd.DataFrame:
    """Bars per model: SNPs polymorphic in the real data but fixed in the AGs, and vice versa.

    A black tick on each first bar marks how many real-polymorphic SNPs a
    sampler drawing every site at its real frequency would leave fixed at
    that model's AG count (the floor set by rare alleles; see
    :func:`genosynth.evaluate.diversity.fixed_alleles`); with ``train``, a
    grey tick marks the same for a sampler of the training frequencies.

    Parameters
    ----------
    path : str or os.PathLike
    real : array_like, int8, (n_real, n_sites)
    ag_by_model : dict of str -> array_like, int8, (n_ag, n_sites)
    train : array_like, int8, (n_train, n_sites), optional
        The rows the models were trained on.
    title : str

    Returns
    -------
    pandas.DataFrame
        One row per model (index): ``lost`` and ``gained`` (the bars),
        ``by_chance`` and ``by_chance_train`` (the ticks; NaN without ``train``).
    """
    r = _as_haplotypes(real, "real")
    models = _models(ag_by_model)
    stats = {name: fixed_alleles(r, ag, train=train) for name, ag in models.items()}
    x = np.arange(len(models))
    lost = [s["polymorphic_real_fixed_ag"] for s in stats.values()]
    gained = [s["polymorphic_ag_fixed_real"] for s in stats.values()]
    n_poly = [s["n_sites"] - s["n_fixed_real"] for s in stats.values()]
    by_chance = [
        s["expected_fraction_polymorphic_real_fixed_ag"] * n
        for s, n in zip(stats.values(), n_poly, strict=True)
    ]
    by_chance_train = [
        s.get("expected_fraction_polymorphic_real_fixed_ag_train", np.nan) * n
        for s, n in zip(stats.values(), n_poly, strict=True)
    ]
    fig, axes = new_figure(1, 1, figsize=(max(4.0, 1.2 * len(models) + 2.0), 3.6))
    ax = axes[0, 0]
    width = 0.38
    ax.bar(x - width / 2, lost, width, color="tab:blue", label="polymorphic in real, fixed in AG")
    ax.bar(x + width / 2, gained, width, color="tab:orange",
           label="polymorphic in AG, fixed in real")  # fmt: skip
    ax.hlines(by_chance, x - width, x, colors="black", linewidths=1.5,
              label="real frequencies, sampled: expected fixed")  # fmt: skip
    if train is not None:
        ax.hlines(by_chance_train, x - width, x, colors="grey", linewidths=1.5, linestyles="--",
                  label="training frequencies, sampled: expected fixed")  # fmt: skip
    for k, (a, b) in enumerate(zip(lost, gained, strict=True)):
        ax.text(k - width / 2, a, str(a), ha="center", va="bottom", fontsize="x-small")
        ax.text(k + width / 2, b, str(b), ha="center", va="bottom", fontsize="x-small")
    ax.set_xticks(x, list(models))
    ax.set_ylabel("number of SNPs")
    ax.set_xlabel("model")
    ticks = [v for v in by_chance + by_chance_train if np.isfinite(v)]
    ax.set_ylim(0, max([1, *lost, *gained, *ticks]) * 1.4)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper left", fontsize="x-small", frameon=False)
    _finish(fig, path, title)
    return pd.DataFrame(
        {"lost": lost, "gained": gained, "by_chance": by_chance,
         "by_chance_train": by_chance_train},
        index=pd.Index(list(models), name="model"),
    )  # fmt: skip


# --------------------------------------------------------------------------- S10


def plot_closest_distance(
    path: str | os.PathLike,
    real,
    ag_by_model: dict,
    *,
    title: str = "Distance of real genomes to the closest AG and real (Yelmen et al. Fig. S10)",
) -> dict[str, pd.DataFrame]:
    """Per model: distributions of real-to-closest-AG and real-to-closest-other-real distances.

    Parameters
    ----------
    path : str or os.PathLike
    real : array_like, int8, (n_real, n_sites), n_real >= 2
    ag_by_model : dict of str -> array_like, int8, (n_ag, n_sites)
    title : str

    Returns
    -------
    dict of str -> pandas.DataFrame
        Per model, :func:`genosynth.evaluate.diversity.closest_distance`
        (``to_closest_ag``, ``to_closest_real`` per real haplotype), as drawn.
    """
    r = _as_haplotypes(real, "real")
    models = _models(ag_by_model)
    tables = {name: closest_distance(r, ag) for name, ag in models.items()}
    bins = _integer_bins(
        [t[c].to_numpy() for t in tables.values() for c in ("to_closest_ag", "to_closest_real")]
    )
    fig, axes = _panels(len(models))
    for ax, (name, t) in zip(axes, tables.items(), strict=True):
        ax.hist(t["to_closest_real"], bins=bins, color=_REAL_BACKGROUND,
                label="to closest other real")  # fmt: skip
        ax.hist(t["to_closest_ag"], bins=bins, histtype="step", color=_AG, lw=1.5,
                label=f"to closest AG ({name})")  # fmt: skip
        ax.set_title(name)
        ax.set_xlabel("Hamming distance (sites)")
        ax.set_ylabel("real haplotypes")
        ax.legend(loc="best", fontsize="x-small", frameon=False)
        ax.tick_params(labelsize="x-small")
    _finish(fig, path, title)
    return tables


# --------------------------------------------------------------------------- Fig 2a


def plot_ld_matrix(
    path: str | os.PathLike,
    real,
    ag_by_model: dict,
    *,
    sites=None,
    max_sites: int = 300,
    title: str = "LD (r²): lower triangle real, upper triangle AG (Yelmen et al. Fig. 2a)",
) -> dict:
    """r² matrices, one panel per model: real below the diagonal, the model's AGs above.

    The panel titles say how many SNPs are shown (of how many): LD is drawn on
    ``max_sites`` consecutive SNPs at most, where LD blocks are visible.

    Parameters
    ----------
    path : str or os.PathLike
    real : array_like, int8, (n_real, n_sites)
    ag_by_model : dict of str -> array_like, int8, (n_ag, n_sites)
    sites : array_like of int, optional
        Site indices to show; default the first ``max_sites`` (consecutive
        sites, where LD blocks are visible).
    max_sites : int, default 300
    title : str
        Monomorphic sites have no r² and are drawn white.

    Returns
    -------
    dict
        ``"sites"``: the shown site indices; per model, the drawn
        ``(n_shown, n_shown)`` matrix (real r² below the diagonal, AG r²
        above, NaN on the diagonal and for monomorphic sites).
    """
    r = _as_haplotypes(real, "real")
    models = _models(ag_by_model)
    index = np.arange(min(max_sites, r.shape[1])) if sites is None else np.asarray(sites)
    if index.size == 0:
        raise GenosynthError("plot_ld_matrix: no site to show")
    real_r2 = r2_matrix(r[:, index])
    lower = np.tril(np.ones(real_r2.shape, dtype=bool), k=-1)
    fig, axes = _panels(len(models), width=3.8, height=3.6)
    image = None
    drawn: dict = {"sites": index}
    shown = f"{index.size} of {r.shape[1]} SNPs"
    for ax, (name, ag) in zip(axes, models.items(), strict=True):
        combined = r2_matrix(ag[:, index])
        combined[lower] = real_r2[lower]
        np.fill_diagonal(combined, np.nan)
        drawn[name] = combined
        image = ax.imshow(combined, cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(f"{name} (upper) vs real (lower)\n{shown}", fontsize="small")
        ax.set_xlabel("SNP")
        ax.set_ylabel("SNP")
        ax.tick_params(labelsize="x-small")
    fig.colorbar(image, ax=list(axes), shrink=0.8, label="r²")
    _finish(fig, path, title)
    return drawn


# --------------------------------------------------------------------------- Fig 2b

#: A model's LD-decay curve is drawn off scale (clipped) when its largest mean r² is more
#: than this many times the real one's: a collapsed model (r² near 1 everywhere) would
#: otherwise squash the real curve to the bottom of the axis.
LD_OFF_SCALE = 2.0


def plot_ld_decay(
    path: str | os.PathLike,
    real_decay: pd.DataFrame,
    ag_decay_by_model: dict,
    *,
    title: str = "LD decay: mean r² by SNP distance (Yelmen et al. Fig. 2b)",
) -> dict:
    """Mean r² per distance bin, real (black), held-out real (grey) and each model.

    The y-axis is scaled to the real, held-out and in-scale curves; a model
    whose largest mean r² exceeds :data:`LD_OFF_SCALE` times the real one's
    (a collapsed model) is clipped at the top and marked "off scale" in the
    legend with its largest value.

    Parameters
    ----------
    path : str or os.PathLike
    real_decay : pandas.DataFrame
        :func:`genosynth.evaluate.ld.ld_decay` of the real haplotypes.
    ag_decay_by_model : dict of str -> pandas.DataFrame
        The same for each model's AGs (and :data:`~genosynth.plotting.HELD_OUT`).
    title : str

    Returns
    -------
    dict
        ``"curves"``: str -> pandas.DataFrame (``distance_kb``, ``mean_r2``)
        of ``"real"`` and each entry; ``"ylim"``: (bottom, top);
        ``"off_scale"``: the clipped entries.
    """
    if not ag_decay_by_model:
        raise GenosynthError("no model to plot: ag_decay_by_model is empty")

    def curve(decay) -> pd.DataFrame:
        mid = 0.5 * (decay["bin_start"].to_numpy() + decay["bin_end"].to_numpy())
        return pd.DataFrame({"distance_kb": mid / 1e3, "mean_r2": decay["mean_r2"].to_numpy()})

    curves = {"real": curve(real_decay)} | {str(k): curve(v) for k, v in ag_decay_by_model.items()}
    peak = {k: float(np.nanmax(c["mean_r2"], initial=0.0)) for k, c in curves.items()}
    reference = max(peak["real"], peak.get(HELD_OUT, 0.0))
    off_scale = [k for k, v in peak.items() if k not in ("real", HELD_OUT)
                 and reference > 0 and v > LD_OFF_SCALE * reference]  # fmt: skip
    top = max([v for k, v in peak.items() if k not in off_scale] + [1e-3])
    ylim = (0.0, min(1.02, 1.15 * top))
    fig, axes = new_figure(1, 1, figsize=(6.4, 4.2))
    ax = axes[0, 0]
    for k, (name, c) in enumerate(curves.items()):
        if name == "real":
            style = {"color": "black", "lw": 2.2, "label": "real"}
        elif name == HELD_OUT:
            style = {"color": _HELD_OUT_COLOUR, "lw": 1.6, "ls": "--", "label": name}
        else:
            label = f"{name} (off scale, max {peak[name]:.2f})" if name in off_scale else name
            style = {"color": f"C{(k - 1) % 10}", "lw": 1.2, "label": label}
        ax.plot(c["distance_kb"], c["mean_r2"], marker="o", ms=2.5, **style)
    ax.set_ylim(*ylim)
    ax.set_xlabel("distance between SNPs (kb)")
    ax.set_ylabel("mean r²")
    ax.legend(loc="best", fontsize="small", frameon=False)
    _finish(fig, path, title)
    return {"curves": curves, "ylim": ylim, "off_scale": off_scale}


# --------------------------------------------------------------------------- S13

#: Bars of :func:`plot_aats`, as (metrics key, legend label).
_AATS_BARS = [
    ("aats_train", "AATS train"),
    ("aats_test", "AATS test"),
    ("aa_truth_train", "AA_truth train"),
    ("aa_syn_train", "AA_syn train"),
    ("aa_truth_test", "AA_truth test"),
    ("aa_syn_test", "AA_syn test"),
]


def plot_aats(
    path: str | os.PathLike,
    metrics_by_model: dict,
    *,
    title: str = "Nearest-neighbour adversarial accuracy and privacy loss (Yelmen et al. Fig. S13)",
) -> pd.DataFrame:
    """AATS, AA_truth and AA_syn on training and test data, and privacy loss, per model.

    The privacy loss has error bars of two standard errors where
    ``privacy_loss_se`` is given. An entry :data:`~genosynth.plotting.HELD_OUT`
    (held-out real haplotypes against the training ones: only the ``_train``
    bars) is the yardstick of a fresh sample of real genomes.

    Parameters
    ----------
    path : str or os.PathLike
    metrics_by_model : dict of str -> dict
        :func:`genosynth.evaluate.privacy.privacy_metrics` of each model; a
        missing key is drawn as an empty bar.
    title : str

    Returns
    -------
    pandas.DataFrame
        One row per model (index), a column per bar (``aats_train`` ...),
        ``privacy_loss`` and ``privacy_loss_se``; NaN where not drawn.
    """
    if not metrics_by_model:
        raise GenosynthError("no model to plot: metrics_by_model is empty")
    names = [str(k) for k in metrics_by_model]
    keys = [key for key, _ in _AATS_BARS] + ["privacy_loss", "privacy_loss_se"]
    table = pd.DataFrame(
        [[float(m.get(key, np.nan)) for key in keys] for m in metrics_by_model.values()],
        index=pd.Index(names, name="model"),
        columns=keys,
    )
    x = np.arange(len(names))
    fig, axes = new_figure(
        1, 2, figsize=(max(7.5, 2.2 * len(names) + 4.5), 4.0), width_ratios=[3, 1.3]
    )
    ax, ax_loss = axes[0]
    width = 0.8 / len(_AATS_BARS)
    for k, (key, label) in enumerate(_AATS_BARS):
        ax.bar(x - 0.4 + (k + 0.5) * width, table[key], width, color=f"C{k}", label=label)
    ax.axhline(0.5, color="0.3", ls="--", lw=0.8)
    ax.set_xticks(x, names, fontsize="small")
    ax.set_ylim(0, 1.18)
    ax.set_ylabel("adversarial accuracy (ideal 0.5)")
    ax.set_xlabel("model")
    ax.legend(loc="upper left", fontsize="x-small", ncols=3, frameon=False)
    losses = table.drop(index=HELD_OUT, errors="ignore")  # no privacy to lose
    x_loss = np.arange(len(losses))
    loss = losses["privacy_loss"].to_numpy()
    se = losses["privacy_loss_se"].to_numpy()
    ax_loss.bar(x_loss, loss, 0.6, color=["tab:red" if v > 0 else "tab:blue" for v in loss],
                yerr=np.where(np.isfinite(se), 2 * se, 0), capsize=3)  # fmt: skip
    ax_loss.axhline(0.0, color="0.3", lw=0.8)
    ax_loss.set_xticks(x_loss, list(losses.index), rotation=30, ha="right", fontsize="small")
    ax_loss.set_ylabel("privacy loss (AATS test - train, ± 2 SE)")
    ax_loss.set_xlabel("model")
    _finish(fig, path, title)
    return table


# --------------------------------------------------------------------------- S15


def plot_aats_sensitivity(
    path: str | os.PathLike,
    tables_by_model: dict,
    *,
    title: str = "AATS as training genomes are planted into the AGs (Yelmen et al. Fig. S15)",
) -> dict:
    """AATS (train, test) and privacy loss against the number of planted training genomes.

    Parameters
    ----------
    path : str or os.PathLike
    tables_by_model : dict of str -> pandas.DataFrame
        :func:`genosynth.evaluate.privacy.aats_sensitivity` of each model.
    title : str

    Returns
    -------
    dict of str -> pandas.DataFrame
        Per model, the drawn ``n_planted``, ``aats_train``, ``aats_test`` and
        ``privacy_loss``.
    """
    if not tables_by_model:
        raise GenosynthError("no model to plot: tables_by_model is empty")
    fig, axes = new_figure(1, 2, figsize=(9.5, 4.0))
    ax, ax_loss = axes[0]
    ticks = sorted({int(n) for t in tables_by_model.values() for n in t["n_planted"]})
    drawn = {}
    for k, (name, table) in enumerate(tables_by_model.items()):
        colour = f"C{k % 10}"
        drawn[str(name)] = table[["n_planted", "aats_train", "aats_test", "privacy_loss"]].copy()
        n = table["n_planted"].to_numpy()
        ax.plot(n, table["aats_train"], marker="o", color=colour, label=f"{name} train")
        ax.plot(n, table["aats_test"], marker="s", ls="--", color=colour, label=f"{name} test")
        ax_loss.plot(n, table["privacy_loss"], marker="o", color=colour, label=str(name))
    for a in (ax, ax_loss):
        a.set_xscale("symlog", linthresh=1)
        a.set_xticks(ticks, [str(n) for n in ticks])
        a.minorticks_off()
        a.set_xlabel("training genomes planted into the AG set")
        a.legend(loc="best", fontsize="x-small", frameon=False)
    ax.axhline(0.5, color="0.3", ls=":", lw=0.8)
    ax.set_ylabel("AATS")
    ax_loss.axhline(0.0, color="0.3", lw=0.8)
    ax_loss.set_ylabel("privacy loss (AATS test - train)")
    _finish(fig, path, title)
    return drawn


# --------------------------------------------------------------------------- S16

#: Training-log columns drawn in the shared adversarial-accuracy panel (0..1, ideal 0.5).
_ACCURACY_COLUMNS = (
    "aats", "aa_truth", "aa_syn", "aats_val", "aa_truth_val", "aa_syn_val", "aats_train_val"
)  # fmt: skip
#: Training-log columns not drawn (timings).
_SKIPPED_COLUMNS = ("epoch_s", "seconds")


def _training_panels(logs: dict) -> dict[str, pd.DataFrame]:
    """Curves of every panel of :func:`plot_training`: title -> (epoch x curve) table."""
    panels: dict[str, dict] = {}

    def add(panel: str, label: str, epoch, values) -> None:
        series = pd.Series(np.asarray(values, dtype=float), index=np.asarray(epoch)).dropna()
        if len(series):
            panels.setdefault(panel, {})[label] = series

    for model, table in logs.items():
        table = pd.DataFrame(table)
        epoch = table["epoch"].to_numpy() if "epoch" in table else np.arange(len(table))
        prefix = f"{model} " if model else ""
        for c in table.columns:
            name = str(c)
            if c == "epoch" or name in _SKIPPED_COLUMNS:
                continue
            if not pd.api.types.is_numeric_dtype(table[c]):
                continue
            if name in _ACCURACY_COLUMNS:
                add("adversarial accuracy (ideal 0.5)", f"{prefix}{name}", epoch, table[c])
            elif name.startswith("privacy_loss"):  # the stopping rule's guard (validation)
                add("privacy loss on validation (ideal 0)", f"{prefix}{name}", epoch, table[c])
            elif name == "diversity":
                add("diversity ratio AG / real (ideal 1)", f"{prefix}{name}", epoch, table[c])
            elif "energy" in name and "gap" in name:  # a difference: near 0, not near F
                add(f"{prefix}free-energy gap".strip(), name, epoch, table[c])
            elif "energy" in name:
                add(f"{prefix}free energy".strip(), name, epoch, table[c])
            else:
                add(f"{prefix}losses".strip(), name, epoch, table[c])
    if not panels:  # closed-form models only (one pass, no curve): their fit times
        for model, table in logs.items():
            table = pd.DataFrame(table)
            epoch = table["epoch"].to_numpy() if "epoch" in table else np.arange(len(table))
            for c in (c for c in _SKIPPED_COLUMNS if c in table):
                add("fit time (s)", f"{model} {c}".strip(), epoch, table[c])
    return {k: pd.DataFrame(v).sort_index().rename_axis("epoch") for k, v in panels.items()}


def plot_training(
    path: str | os.PathLike,
    log,
    *,
    title: str = "Training losses and AATS over epochs (Yelmen et al. Fig. S16)",
) -> dict[str, pd.DataFrame]:
    """Curves of training logs, one y-axis per kind of quantity.

    Panels: adversarial accuracy (``aats``, ``aa_truth``, ``aa_syn`` of every
    model, 0..1 with the ideal 0.5 dashed), the diversity ratio (every model),
    then per model its losses and, apart, its free energies (an RBM's are in
    the hundreds, its reconstruction error below 1). Timings are not drawn.

    Parameters
    ----------
    path : str or os.PathLike
    log : pandas.DataFrame, dict of str -> array_like, or dict of str -> pandas.DataFrame
        One training log (``epoch``, default the row number, and numeric
        columns), or a ``{model: log}`` dict of them.
    title : str

    Returns
    -------
    dict of str -> pandas.DataFrame
        Panel title -> the drawn curves (index ``epoch``, one column per curve).
    """
    if (
        isinstance(log, dict)
        and log
        and all(isinstance(v, (pd.DataFrame, dict)) for v in log.values())
    ):
        logs = {str(k): v for k, v in log.items()}
    else:
        logs = {"": log}
    panels = _training_panels(logs)
    if not panels:
        columns = [list(pd.DataFrame(t).columns) for t in logs.values()]
        raise GenosynthError(f"training log has no numeric column to plot besides epoch: {columns}")
    n = len(panels)
    fig, axes = _panels(n, width=4.2, height=3.4)
    for ax, (panel, table) in zip(axes, panels.items(), strict=True):
        for k, c in enumerate(table.columns):
            values = table[c].dropna()
            ax.plot(values.index, values.to_numpy(), marker="o", ms=2, lw=1.2,
                    color=f"C{k % 10}", label=c)  # fmt: skip
        if panel.startswith("adversarial"):
            ax.axhline(0.5, color="0.3", ls=":", lw=0.8)
            ax.set_ylim(0, 1.05)
        ax.ticklabel_format(axis="y", useOffset=False)  # a flat curve: values, not offsets
        ax.set_title(panel, fontsize="small")
        ax.set_xlabel("epoch")
        ax.legend(loc="best", fontsize="x-small", frameon=False)
        ax.tick_params(labelsize="x-small")
    _finish(fig, path, title)
    return panels


# --------------------------------------------------------------------------- S11


def plot_haplostrips(
    path: str | os.PathLike,
    real,
    ag_by_model: dict,
    *,
    min_maf: float = 0.05,
    max_rows: int | None = 300,
    seed: int = 0,
    title: str = "Haplostrips: sorted by distance to the real consensus, MAF > 5% "
    "(Yelmen et al. Fig. S11)",
) -> dict[str, np.ndarray]:
    """Haplotypes as pixel rows, real and each model side by side.

    Columns are the SNPs with minor-allele frequency above ``min_maf`` in the
    real data; every panel's rows are sorted by distance to the consensus
    (majority allele) of the real haplotypes over those columns
    (:func:`genosynth.evaluate.diversity.haplostrip_order`). Allele 1 is black.

    Parameters
    ----------
    path : str or os.PathLike
    real : array_like, int8, (n_real, n_sites)
    ag_by_model : dict of str -> array_like, int8, (n_ag, n_sites)
    min_maf : float, default 0.05
    max_rows : int or None, default 300
        Rows drawn per panel (random subsample with ``seed``).
    seed : int, default 0
    title : str

    Returns
    -------
    dict of str -> numpy.ndarray, int8, (n_rows, n_columns)
        The drawn image of ``"real"`` and of each model (rows sorted).
    """
    rng = np.random.default_rng(seed)
    r = _as_haplotypes(real, "real")
    models = _models(ag_by_model)
    p = allele_frequency(r)
    consensus = (p > 0.5).astype(np.int8)
    _, columns = haplostrip_order(r, min_maf=min_maf, consensus=consensus)
    if columns.size == 0:
        raise GenosynthError(f"no SNP has a real minor-allele frequency above {min_maf}")
    sets = {"real": r, **models}
    fig, axes = new_figure(1, len(sets), figsize=(2.8 * len(sets) + 0.4, 4.6))
    drawn = {}
    for ax, (name, h) in zip(axes[0], sets.items(), strict=True):
        h = _subsample(h, max_rows, rng)
        rows, _ = haplostrip_order(h, consensus=consensus, columns=columns)
        drawn[name] = h[rows][:, columns]
        ax.imshow(drawn[name], cmap="Greys", vmin=0, vmax=1, aspect="auto",
                  interpolation="nearest")  # fmt: skip
        ax.set_title(name)
        ax.set_xlabel(f"SNP (MAF > {min_maf:g})")
        ax.set_ylabel("haplotype (by distance to consensus)")
        ax.tick_params(labelsize="x-small")
    _finish(fig, path, title)
    return drawn
