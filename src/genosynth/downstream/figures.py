"""Figures of the downstream analyses, drawn headless through :mod:`genosynth.plotting`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from genosynth.plotting import HELD_OUT, new_figure, save_figure

__all__ = ["plot_chunkcounts", "plot_imputation", "plot_phenotype", "plot_scan"]


#: Legend of the imputation panel ``real``: the yardstick of the AG panels.
_REAL_PANEL = "reference + real training haplotypes (yardstick)"


def _bin_labels(table: pd.DataFrame) -> list[str]:
    return [f"{lo:.3g}-{hi:.3g}" for lo, hi in zip(table.maf_lo, table.maf_hi, strict=True)]


def plot_imputation(path, scores: pd.DataFrame, *, title: str) -> dict[str, pd.DataFrame]:
    """Paper Fig 3: mean DR2 and true dosage r² per MAF bin, one line per panel.

    The true r² is drawn pooled over the bin's (individual, site) pairs (solid) and as
    the mean of the per-site r² (dashed, when ``mean_site_r2`` is given): pooling
    rewards getting each site's frequency right, the per-site mean does not. A third
    panel shows each AG panel's true (pooled) r² gain over the reference alone with
    error bars of two bootstrap standard errors (over target individuals).

    Parameters
    ----------
    path : str or os.PathLike
    scores : pandas.DataFrame
        Columns ``panel maf_lo maf_hi n_sites mean_dr2 dosage_r2 r2_gain
        r2_gain_se`` (and ``mean_site_r2``) (one row per panel and bin); the panel
        ``reference`` is drawn in black, the panel ``real`` (the reference plus the real
        training haplotypes of the target population) thick grey.
    title : str

    Returns
    -------
    dict of str -> pandas.DataFrame
        ``mean_dr2``, ``dosage_r2``, ``r2_gain`` and ``r2_gain_se`` as drawn:
        one row per MAF bin (its label), one column per panel (the gains: AG
        panels only).
    """
    fig, axes = new_figure(1, 3, figsize=(15, 4.2))
    groups = list(scores.groupby("panel", sort=False))
    columns = (("mean_dr2", "mean Beagle DR2"), ("dosage_r2", "true dosage r²"))
    for ax, (column, label) in zip(axes[0, :2], columns, strict=True):
        for i, (panel, rows) in enumerate(groups):
            style = {"color": f"C{i}"}
            name = f"reference + {panel} AGs"
            if panel == "reference":
                style, name = {"color": "black", "lw": 2}, "reference"
            elif panel == "real":
                style, name = {"color": "0.45", "lw": 3, "alpha": 0.7}, _REAL_PANEL
            ax.plot(np.arange(len(rows)), rows[column], marker="o", ms=3, label=name, **style)
            if column == "dosage_r2" and "mean_site_r2" in rows:
                ax.plot(np.arange(len(rows)), rows["mean_site_r2"], ls="--", marker="x", ms=3,
                        **style)  # fmt: skip
        if column == "dosage_r2" and "mean_site_r2" in scores:
            label = "true dosage r²\n(solid: pooled; dashed: per-site mean)"
        ax.set_ylabel(label)
        ax.set_ylim(0, 1.02)
    gain_ax = axes[0, 2]
    for i, (panel, rows) in enumerate(groups):
        if panel != "reference":  # side by side within a bin
            x = np.arange(len(rows)) + 0.08 * (i - len(groups) / 2)
            colour = "0.45" if panel == "real" else f"C{i}"
            style = {"color": colour, "fmt": "o", "ms": 3, "capsize": 2}
            gain_ax.errorbar(x, rows["r2_gain"], yerr=2 * rows["r2_gain_se"], **style)
    gain_ax.axhline(0, color="black", lw=1)
    labels = _bin_labels(groups[0][1])
    drawn = {
        column: pd.DataFrame(
            {panel: rows[column].to_numpy() for panel, rows in groups
             if column.startswith("mean") or column.startswith("dosage") or panel != "reference"},
            index=labels,
        )
        for column in ("mean_dr2", "dosage_r2", "r2_gain", "r2_gain_se")
    }  # fmt: skip
    gain_ax.set_ylabel("true r² gain over the reference (± 2 SE)")
    first = groups[0][1]
    for ax in axes[0]:
        ax.set_xticks(np.arange(len(first)), _bin_labels(first), rotation=60, fontsize="x-small")
        ax.set_xlabel("MAF bin (target population)")
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize="x-small", frameon=False)
    fig.suptitle(title)
    save_figure(fig, path)
    return drawn


def plot_scan(
    path,
    x: np.ndarray,
    values: dict,
    *,
    peaks: dict,
    r: dict,
    ylabel: str,
    title: str,
    yardstick: tuple[str, str] | None = None,
) -> dict:
    """Paper Fig 4: a scan along the region, real vs the AGs of each model.

    One row per model: the real scan (grey) and the AG scan (colour) against
    position, with the top peaks marked (triangles: real, circles: AG) and
    the Pearson r in the panel title; right, real vs AG values.

    Parameters
    ----------
    path : str or os.PathLike
    x : numpy.ndarray, float64, shape (n_points,)
        Positions (bp) of the scores.
    values : dict of str -> numpy.ndarray, float64, shape (n_points,)
        ``"real"`` and one entry per model; NaN where undefined.
    peaks : dict of str -> numpy.ndarray of int
        Indices of the top peaks of each entry of ``values``.
    r : dict of str -> float
        Correlation of each model's scan with the real one.
    ylabel, title : str
    yardstick : (str, str), optional
        Keys of ``values`` of the training and of the held-out real haplotypes
        scanned apart: drawn as a first row, the held-out scan (grey) against the
        training one, labelled :data:`~genosynth.plotting.HELD_OUT`.

    Returns
    -------
    dict of str -> pandas.DataFrame
        Per model (``"real"`` alone when there is none), the drawn series:
        ``position_mb``, ``real`` and the model's values, and ``real_peak`` /
        ``ag_peak`` (True at the marked peaks).
    """
    train, held_out = yardstick or (None, None)
    models = [k for k in values if k not in ("real", train, held_out)]
    if held_out is not None:
        models.insert(0, held_out)
    n_rows = max(1, len(models))
    fig, axes = new_figure(n_rows, 2, figsize=(12, 2.4 * n_rows + 0.6))
    mb = np.asarray(x, dtype=np.float64) / 1e6
    drawn = {}
    for row, model in enumerate(models or ["real"]):
        ax, sc = axes[row]
        base = train if model == held_out else "real"
        real = values[base]
        series = pd.DataFrame({"position_mb": mb, "real": real})
        series["real_peak"] = np.isin(np.arange(len(real)), peaks[base])
        name = HELD_OUT if model == held_out else model
        colour = "0.2" if model == held_out else f"C{row}"
        real_label = "real (training haplotypes)" if model == held_out else "real"
        ax.plot(mb, real, color="0.55", lw=0.8, label=real_label)
        ax.plot(mb[peaks[base]], real[peaks[base]], "v", color="black", ms=6)
        if model != "real":
            ag = values[model]
            series[model] = ag
            series["ag_peak"] = np.isin(np.arange(len(ag)), peaks[model])
            label = name if model == held_out else f"{model} AGs"
            ax.plot(mb, ag, color=colour, lw=0.8, alpha=0.85, label=label)
            ax.plot(mb[peaks[model]], ag[peaks[model]], "o", mfc="none", mec=colour, ms=7)
            sc.scatter(real, ag, s=5, color=colour, linewidths=0, rasterized=True)
            sc.set_xlabel(f"{real_label} {ylabel}")
            sc.set_ylabel(f"{name} {ylabel}")
            sc.set_title(f"{name}: Pearson r = {r.get(model, np.nan):.3f}", fontsize="small")
        drawn[model] = series
        ax.set_ylabel(ylabel)
        ax.legend(loc="upper right", fontsize="x-small", frameon=False)
    axes[-1, 0].set_xlabel("position (Mb)")
    fig.suptitle(title)
    save_figure(fig, path)
    return drawn


def plot_phenotype(path, tables: dict, stats: dict, *, title: str) -> dict:
    """Genotype x phenotype at the causal SNP, real vs AGs (paper text and Table S1).

    Left: share of phenotype 1 per genotype (0, 1, 2 derived alleles), one
    bar group per set; right: the contingency counts as a heat map per set.

    Parameters
    ----------
    path : str or os.PathLike
    tables : dict of str -> numpy.ndarray, int64, shape (3, 2)
        ``"real"`` first, then each model.
    stats : dict of str -> dict
        :func:`~genosynth.downstream.phenotype.association` of each table.
    title : str

    Returns
    -------
    dict
        ``"share"``: pandas.DataFrame, genotype (0, 1, 2) x set, the bar heights
        (NaN for an empty genotype); ``"counts"``: numpy.ndarray (3, 2 n_sets),
        the heat map's numbers (phenotype 0 then 1 of each set).
    """
    names = list(tables)
    fig, axes = new_figure(1, 2, figsize=(11, 4))
    ax, heat = axes[0]
    width = 0.8 / len(names)
    shares = {}
    for i, name in enumerate(names):
        t = np.asarray(tables[name], dtype=np.float64)
        share = np.divide(t[:, 1], t.sum(axis=1), out=np.full(3, np.nan), where=t.sum(axis=1) > 0)
        shares[name] = share
        colour = "black" if name == "real" else f"C{i}"
        p = stats[name]["p_value"]
        ax.bar(np.arange(3) + i * width, share, width, color=colour, label=f"{name} (p={p:.2g})")
    ax.set_xticks(np.arange(3) + 0.4 - width / 2, ["0", "1", "2"])
    ax.set_xlabel("derived alleles at the causal SNP")
    ax.set_ylabel("share with phenotype 1")
    ax.set_ylim(0, 1)
    ax.legend(fontsize="x-small", frameon=False)
    grid = np.concatenate([np.asarray(tables[n], dtype=np.float64) for n in names], axis=1)
    norm = grid / np.maximum(grid.sum(axis=0, keepdims=True), 1)
    heat.imshow(norm, cmap="viridis", aspect="auto", vmin=0)
    for (row, col), count in np.ndenumerate(grid):
        heat.text(col, row, f"{int(count)}", ha="center", va="center", color="white", fontsize=7)
    heat.set_xticks(
        np.arange(grid.shape[1]), [f"{n}\nph{c}" for n in names for c in (0, 1)], fontsize=6
    )
    heat.set_yticks(np.arange(3), ["0", "1", "2"])
    heat.set_ylabel("derived alleles")
    heat.set_title("counts (colour: share of the phenotype column)", fontsize="small")
    fig.suptitle(title)
    save_figure(fig, path)
    return {"share": pd.DataFrame(shares, index=pd.Index([0, 1, 2], name="genotype")),
            "counts": grid}  # fmt: skip


def plot_chunkcounts(path, counts: pd.DataFrame, groups: pd.Series, *, title: str) -> pd.DataFrame:
    """Paper Fig S12: mean ChromoPainter chunk counts per donor population, real vs AGs.

    Parameters
    ----------
    path : str or os.PathLike
    counts : pandas.DataFrame
        Recipients x donor populations (``read_chunkcounts``).
    groups : pandas.Series
        Recipient -> its set (``real`` or a model).
    title : str

    Returns
    -------
    pandas.DataFrame
        The drawn bars: mean chunk count, one row per set, one column per donor
        population.
    """
    mean = counts.groupby(groups.reindex(counts.index).to_numpy()).mean()
    fig, axes = new_figure(1, 1, figsize=(2 + 1.2 * len(counts.columns), 4))
    ax = axes[0, 0]
    width = 0.8 / len(mean)
    for i, (name, row) in enumerate(mean.iterrows()):
        colour = "black" if name == "real" else f"C{i}"
        ax.bar(np.arange(len(row)) + i * width, row.to_numpy(), width, color=colour, label=name)
    ax.set_xticks(np.arange(len(mean.columns)) + 0.4 - width / 2, mean.columns)
    ax.set_xlabel("donor population")
    ax.set_ylabel("mean chunk count per recipient")
    ax.legend(fontsize="x-small", frameon=False)
    fig.suptitle(title)
    save_figure(fig, path)
    return mean
