"""Figures, drawn headless (matplotlib Agg) and written atomically.

Figures are built as :class:`matplotlib.figure.Figure` objects on an Agg
canvas (see :func:`new_figure`), never through pyplot's global state, so
plotting works without a display and leaks nothing between calls. Every
figure function writes through :func:`save_figure`.
"""

from __future__ import annotations

import os
import sys

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from genosynth.fileio import atomic_path

__all__ = ["DPI", "HELD_OUT", "new_figure", "plot_pca", "save_figure"]

#: Resolution of every written figure.
DPI = 100

#: Colour of the real haplotypes drawn behind each model's AGs.
_REAL_BACKGROUND = "0.75"
#: Colour of the AGs.
_AG_COLOUR = "black"  # not in the tab10 cycle used for real groups
#: Label of the held-out real haplotypes (the test split) drawn as one more "model": the
#: yardstick of how far a new sample of real genomes lies from the real data.
HELD_OUT = "real (held-out)"


def new_figure(nrows: int = 1, ncols: int = 1, *, figsize=None, **subplot_kw):
    """A figure on an Agg canvas and its axes (always a 2-D array).

    Parameters
    ----------
    nrows, ncols : int
    figsize : (float, float), optional
        Inches; default 3.2 x 3 per panel.
    **subplot_kw
        Passed to :meth:`matplotlib.figure.Figure.subplots` (``sharex``...).

    Returns
    -------
    (matplotlib.figure.Figure, numpy.ndarray of Axes, shape (nrows, ncols))
    """
    if figsize is None:
        figsize = (3.2 * ncols, 3.0 * nrows)
    # constrained layout leaves room for the suptitle, tick labels and colour bars
    fig = Figure(figsize=figsize, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplot_kw)
    return fig, axes


def save_figure(fig, path: str | os.PathLike, *, dpi: int = DPI, format: str = "png") -> None:
    """Write ``fig`` to ``path`` atomically, then close it.

    The image is rendered to a temporary file next to ``path`` (which
    replaces ``path`` only once complete) with ``format`` given explicitly,
    so the temporary name's suffix does not matter. The figure is closed
    (released from pyplot, if it was made there) even if writing fails.
    """
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=format, dpi=dpi)
    finally:
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None:
            pyplot.close(fig)


def plot_pca(
    path: str | os.PathLike,
    real_scores,
    real_groups,
    ag_scores_by_model: dict,
    *,
    title: str,
    variance_explained=None,
    ag_groups_by_model: dict | None = None,
) -> dict:
    """Paper Fig. 1: real haplotypes and each model's AGs on PCs 1-2, 3-4, 5-6.

    One row per PC pair available in the scores (up to three), one column for
    the real data (coloured by ``real_groups``, with a legend) and then one
    per model (its AGs in black over the real points in grey, or coloured
    like the real groups when ``ag_groups_by_model`` gives the model's labels:
    the held-out real rows, :data:`HELD_OUT`, or a conditional model's AGs).
    Panels of a row share their axis limits.

    Parameters
    ----------
    path : str or os.PathLike
        PNG destination.
    real_scores : array_like, (n_real, n_components)
    real_groups : array_like of str, (n_real,)
        Super-population of each real haplotype.
    ag_scores_by_model : dict of str -> array_like (n_ag, n_components)
    title : str
    variance_explained : array_like of float, (n_components,), optional
        Fraction of the real variance on each PC
        (:func:`genosynth.pca.explained_variance_ratio`), written on the axes.
    ag_groups_by_model : dict of str -> array_like of str (n_ag,), optional

    Returns
    -------
    dict
        ``"scores"``: str -> numpy.ndarray (n, 2 * n_rows), the drawn
        coordinates of ``"real"`` and of each model (columns: the x and y of
        each row); ``"axis_labels"``: one ``(xlabel, ylabel)`` per row;
        ``"colours"``: str -> list of the colour of each drawn point, per set.
    """
    real = np.asarray(real_scores, dtype=np.float64)
    groups = np.asarray(real_groups).astype(str)
    models = {str(k): np.asarray(v, dtype=np.float64) for k, v in ag_scores_by_model.items()}
    ag_groups = {str(k): np.asarray(v).astype(str) for k, v in (ag_groups_by_model or {}).items()}
    n_pairs = max(1, min(3, real.shape[1] // 2))
    ncols = 1 + len(models)
    fig, axes = new_figure(n_pairs, ncols, figsize=(3.2 * ncols + 1.2, 3.0 * n_pairs + 0.6))
    labels = list(np.unique(np.concatenate([groups, *ag_groups.values()])))
    colours = {g: f"C{i % 10}" for i, g in enumerate(labels)}
    marker = {"s": 4, "linewidths": 0, "rasterized": True}
    ratio = None if variance_explained is None else np.asarray(variance_explained, dtype=float)
    drawn = {name: [] for name in ["real", *models]}
    point_colours = {"real": [colours[g] for g in groups]}
    point_colours |= {name: [colours[g] for g in ag_groups[name]] if name in ag_groups
                      else [_AG_COLOUR] * len(ag) for name, ag in models.items()}  # fmt: skip
    axis_labels = []
    for row in range(n_pairs):
        a, b = 2 * row, 2 * row + 1
        b = a if b >= real.shape[1] else b  # a single component: plot it against itself
        drawn["real"].append(real[:, [a, b]])
        ax = axes[row, 0]
        for g in np.unique(groups):
            sel = groups == g
            ax.scatter(real[sel, a], real[sel, b], c=colours[g], label=g, **marker)
        if row == 0:
            ax.set_title("real (all)")
            ax.legend(loc="best", fontsize="x-small", markerscale=2.5, frameon=False)
        for col, (name, ag) in enumerate(models.items(), start=1):
            drawn[name].append(ag[:, [a, b]])
            _pca_model_panel(axes[row, col], real[:, [a, b]], ag[:, [a, b]], name,
                             ag_groups.get(name), colours, first=row == 0)  # fmt: skip
        axis_labels.append((_pc_label(ratio, a), _pc_label(ratio, b)))
        _share_limits(axes[row], [d[row] for d in drawn.values()], axis_labels[-1])
    fig.suptitle(title)
    save_figure(fig, path)
    scores = {k: np.concatenate(v, axis=1) for k, v in drawn.items()}
    return {"scores": scores, "axis_labels": axis_labels, "colours": point_colours}


def _share_limits(axes, points: list, labels: tuple[str, str]) -> None:
    """Give every axis of a row the limits of all ``points`` ((n, 2) arrays) and ``labels``."""
    stacked = np.concatenate([p for p in points if p.size], axis=0)
    lo, hi = stacked.min(axis=0), stacked.max(axis=0)
    pad = 0.05 * np.where(hi > lo, hi - lo, 1.0)
    for ax in axes:
        ax.set_xlim(lo[0] - pad[0], hi[0] + pad[0])
        ax.set_ylim(lo[1] - pad[1], hi[1] + pad[1])
        ax.set_xlabel(labels[0], fontsize="small")
        ax.set_ylabel(labels[1], fontsize="small")
        ax.tick_params(labelsize="x-small")


def _pc_label(ratio, k: int) -> str:
    """``PCk (x.x%)``, or ``PCk`` where the variance explained is not known."""
    if ratio is None or k >= ratio.size or not np.isfinite(ratio[k]):
        return f"PC{k + 1}"
    return f"PC{k + 1} ({100 * ratio[k]:.1f}%)"


def _pca_model_panel(ax, real, ag, name: str, groups, colours: dict, *, first: bool) -> None:
    """One model's panel of :func:`plot_pca`: ``real`` (n, 2) in grey, ``ag`` (m, 2) over it,
    coloured by ``groups`` (its labels) when given, else black."""
    marker = {"s": 4, "linewidths": 0, "rasterized": True}
    ax.scatter(real[:, 0], real[:, 1], c=_REAL_BACKGROUND, label="real", **marker)
    if ag.size and groups is not None:
        for g in np.unique(groups):
            sel = groups == g
            ax.scatter(ag[sel, 0], ag[sel, 1], c=colours[g], label=f"{name} {g}", alpha=0.8,
                       **marker)  # fmt: skip
    elif ag.size:
        ax.scatter(ag[:, 0], ag[:, 1], c=_AG_COLOUR, label=name, alpha=0.6, **marker)
    if first:
        ax.set_title(name)
        ax.legend(loc="best", fontsize="xx-small", markerscale=2.5, frameon=False)
