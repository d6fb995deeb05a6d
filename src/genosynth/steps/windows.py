"""Workflow steps of windowed datasets (``datasets.<ds>.windows``): split, join, measure.

A windowed dataset trains each model once per window of consecutive SNPs
(:mod:`genosynth.windows`); these steps cut the dataset's split into the windows
(:func:`plan`, :func:`split`), join each model's window AGs into the dataset-wide AGs
every evaluation reads (:func:`join`), average the windows' training logs
(:func:`gather_logs`) and measure the join (:func:`join_metrics`): LD over pairs of sites
that span a window border against LD over pairs inside one window, both against the real
haplotypes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from genosynth import formats
from genosynth.errors import ConfigError, GenosynthError
from genosynth.provenance import record, write_table
from genosynth.steps.common import LAYOUT_HAPLOTYPES, METRIC_COLUMNS, dataset_info
from genosynth.steps.sample import ag_ids
from genosynth.windows import join_windows, plan_windows, site_sources

__all__ = ["gather_logs", "join", "join_metrics", "plan", "read_plan", "split", "window_seed"]

log = logging.getLogger(__name__)

#: Columns of ``windows/plan.tsv``.
PLAN_COLUMNS = ["window", "start", "stop", "first_position", "last_position"]


def window_seed(seed: int, window: int) -> int:
    """The seed of window ``window`` for a configured ``seed`` (distinct per window)."""
    return int(seed) + 1000 * int(window)


def read_plan(plan) -> list[tuple[int, int]]:
    """``[start, stop)`` of each window from ``windows/plan.tsv``."""
    table = pd.read_csv(plan, sep="\t")
    return list(zip(table["start"].astype(int), table["stop"].astype(int), strict=True))


def plan(*, legend, info, settings: Mapping, n_windows: int, output) -> None:
    """Write ``windows/plan.tsv``: the site range and positions of each window.

    Parameters
    ----------
    legend, info : path
        The dataset's ``snps.legend`` and ``dataset.json``.
    settings : Mapping
        ``datasets.<ds>.windows`` (``size``, ``overlap``).
    n_windows : int
        The windows the workflow planned from the configured ``n_snps``; another count
        (the dataset has fewer SNPs) stops here, naming both.
    """
    meta = dataset_info(info)
    if meta["layout"] != LAYOUT_HAPLOTYPES:
        raise ConfigError(
            f"datasets.{meta.get('name', '?')}.windows",
            "windows need a dataset of haplotypes, not genotype pairs",
            fix="remove `windows` from this dataset",
        )
    positions = formats.read_legend(legend)["position"].to_numpy(np.int64)
    windows = plan_windows(positions.size, settings["size"], settings["overlap"])
    if len(windows) != n_windows:
        raise ConfigError(
            f"datasets.{meta.get('name', '?')}.n_snps",
            f"the dataset has {positions.size} SNPs ({len(windows)} windows) but the workflow "
            f"planned {n_windows} windows from n_snps",
            fix="set n_snps to the number of SNPs the selection yields",
        )
    table = pd.DataFrame(
        [(k, a, b, positions[a], positions[b - 1]) for k, (a, b) in enumerate(windows)],
        columns=PLAN_COLUMNS,
    )
    write_table(output, table, provenance=record("plan_windows", params=dict(settings)))
    log.info("%d windows of %d SNPs (overlap %d)", len(windows), settings["size"],
             settings["overlap"])  # fmt: skip


def split(*, inputs: Mapping, plan, window: int, outputs: Mapping) -> None:
    """Cut a dataset's matrices (``train``, ``test``, ``others``) to one window.

    Parameters
    ----------
    inputs, outputs : Mapping of str -> path
        The dataset's matrices and the window's, under the same names.
    plan : path
        ``windows/plan.tsv``.
    window : int
    """
    start, stop = read_plan(plan)[int(window)]
    for name, path in inputs.items():
        ids, h = formats.read_hapt_matrix(path)
        part = h[:, start:stop] if ids else np.zeros((0, stop - start), np.int8)
        made = record(
            "split_windows", params={"window": int(window), "start": start, "stop": stop},
            inputs={name: str(path), "plan": str(plan)},
        )  # fmt: skip
        formats.write_hapt(outputs[name], part, ids, provenance=made)


def join(*, ags: Sequence, plan, info, output, report, matching: str = "optimal") -> None:
    """Join one model's window AGs into dataset-wide AGs (``models/<model>/ags.hapt.gz``).

    ``report`` gets one row per border: the window, the sites its AGs were matched on and
    the mean Hamming distance per overlap site of the matched pairs.
    """
    windows = read_plan(plan)
    if len(ags) != len(windows):
        raise GenosynthError(f"{len(ags)} AG files for {len(windows)} windows")
    parts = [formats.read_hapt_matrix(p)[1] for p in ags]
    joined, _, distances = join_windows(parts, windows, matching=matching)
    layout = dataset_info(info)["layout"]
    made = record(
        "join_windows",
        params={"matching": matching, "windows": [list(w) for w in windows]},
        inputs={"ags": [str(p) for p in ags], "plan": str(plan)},
    )
    formats.write_hapt(output, joined, ag_ids(len(joined), layout), tag="AG", provenance=made)
    rows = [(k, windows[k - 1][1] - windows[k][0], d) for k, d in enumerate(distances, start=1)]
    frame = pd.DataFrame(rows, columns=["window", "overlap_sites", "distance_per_site"])
    write_table(report, frame, provenance=made)
    log.info("joined %d windows into %s AGs; overlap distances %s", len(windows),
             joined.shape, [round(d, 4) for d in distances])  # fmt: skip


def gather_logs(*, logs: Sequence, output) -> None:
    """The windows' training logs averaged per epoch (a model's ``training_log.tsv``)."""
    tables = [pd.read_csv(p, sep="\t") for p in logs]
    combined = pd.concat(tables, ignore_index=True)
    numeric = combined.select_dtypes("number")
    mean = numeric.groupby("epoch", as_index=False).mean() if "epoch" in numeric else numeric
    made = record("gather_window_logs", inputs={"logs": [str(p) for p in logs]})
    write_table(output, mean, provenance=made)


def join_metrics(
    *, dataset, train, test, legend, plan, ags: Mapping, reports: Mapping, settings, output
) -> None:
    """Metrics of the join (``metrics/window_join.tsv``), one set of rows per model.

    ``ld_decay_mae_inside`` and ``ld_decay_mae_border``: mean absolute difference, over
    distance bins (``settings``: those of the ``ld_decay`` figure), of the AGs' and the
    real haplotypes' mean r² over pairs of sites inside one source window and over pairs
    spanning a border; ``ld_decay_mae_border_excess`` their difference (border - inside);
    ``window_overlap_distance``: mean Hamming distance per overlap site of the matched
    partners, over the borders; ``windows_joined``.
    """
    from genosynth.evaluate.ld import ld_decay_by_class, ld_decay_mae

    windows = read_plan(plan)
    sources = site_sources(windows)
    positions = formats.read_legend(legend)["position"].to_numpy(np.int64)
    real = np.concatenate([formats.read_hapt_matrix(p)[1] for p in (train, test)])
    real_decay = ld_decay_by_class(real, positions, sources, **settings)
    rows = []
    for model, path in ags.items():
        decay = ld_decay_by_class(formats.read_hapt_matrix(path)[1], positions, sources,
                                  **settings)  # fmt: skip
        mae = {}
        for name in ("inside", "border"):
            mine = decay[decay["class"] == name].reset_index(drop=True)
            theirs = real_decay[real_decay["class"] == name].reset_index(drop=True)
            mae[name] = ld_decay_mae(theirs, mine)
            rows.append((model, f"ld_decay_mae_{name}", mae[name]))
        rows.append((model, "ld_decay_mae_border_excess", mae["border"] - mae["inside"]))
        report = pd.read_csv(reports[model], sep="\t")
        distance = float(report["distance_per_site"].mean()) if len(report) else float("nan")
        rows.append((model, "window_overlap_distance", distance))
        rows.append((model, "windows_joined", float(len(windows))))
    frame = pd.DataFrame(rows, columns=["model", "metric", "value"]).assign(dataset=dataset)
    made = record(
        "figure:window_join",
        params={"settings": dict(settings), "models": list(ags)},
        inputs={"plan": str(plan), **{m: str(p) for m, p in ags.items()}},
    )
    write_table(output, frame[METRIC_COLUMNS], provenance=made)
