"""The metric tables of every figure and analysis gathered into one (``gather_metrics``), and
the run's summary with each model's flags (``summarize_metrics``)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from genosynth.errors import GenosynthError
from genosynth.provenance import read_provenance, record, write_table
from genosynth.steps.common import METRIC_COLUMNS

__all__ = ["concat_metrics", "left_out_metrics", "summarize_metrics"]

log = logging.getLogger(__name__)

#: Key of a metrics table's provenance that lists the metrics left out as not finite.
LEFT_OUT = "left_out_non_finite"


def left_out_metrics(path) -> list[list[str]]:
    """The [dataset, model, metric] a metrics table left out as not finite (its provenance)."""
    try:
        made = read_provenance(path, verify=False)
    except GenosynthError:
        return []
    return [list(map(str, k)) for k in made.get(LEFT_OUT, [])]


def _gather(inputs: Sequence) -> tuple[pd.DataFrame, list]:
    frames = [pd.read_csv(p, sep="\t") for p in inputs]
    left_out = []
    for i, (path, frame) in enumerate(zip(inputs, frames, strict=True)):
        if list(frame.columns) == ["experiment", "metric", "value"]:
            frames[i] = frame.rename(columns={"experiment": "model"}).assign(dataset="dna")
            frames[i] = frames[i][METRIC_COLUMNS]
        elif list(frame.columns[: len(METRIC_COLUMNS)]) != METRIC_COLUMNS:
            raise GenosynthError(f"{path}: expected columns {METRIC_COLUMNS}")
        frames[i] = frames[i][METRIC_COLUMNS]
        left_out += left_out_metrics(path)
    table = pd.concat(frames, ignore_index=True)
    bad = ~np.isfinite(pd.to_numeric(table["value"], errors="coerce").to_numpy(float))
    for row in table[bad].itertuples(index=False):
        log.warning("%s/%s/%s is not finite; left out", row.dataset, row.model, row.metric)
        left_out.append([str(row.dataset), str(row.model), str(row.metric)])
    return table[~bad].reset_index(drop=True), left_out


def concat_metrics(inputs: Sequence, output) -> None:
    """Concatenate metric tables with the columns ``dataset model metric value``.

    The DNA track's ``experiment metric value`` table (``results/dna/metrics.tsv``) joins
    as ``dataset`` "dna", ``model`` = the experiment. Values that are not finite are left
    out and listed, with those the inputs left out, in the output's provenance
    (:func:`left_out_metrics`).
    """
    table, left_out = _gather(inputs)
    made = record("concat_metrics", inputs={"tables": [str(p) for p in inputs]})
    write_table(output, table, provenance=made | {LEFT_OUT: left_out})


def summarize_metrics(inputs: Sequence, output, *, gates: Mapping | Sequence = ()) -> pd.DataFrame:
    """``results/summary.tsv``: every metric, with each model's flags as columns.

    As :func:`concat_metrics`, plus the columns of :data:`genosynth.flags.FLAG_COLUMNS`
    (:func:`genosynth.flags.model_flags`): ``collapsed``, ``privacy_gate`` (read from the
    gate records ``gates``, ``results/<ds>/privacy/<model>.gate.json``) and ``non_finite``.
    """
    from genosynth.flags import FLAG_COLUMNS, model_flags

    table, left_out = _gather(inputs)
    verdicts, paths = {}, list(gates.values() if isinstance(gates, Mapping) else gates)
    for path in paths:
        body = json.loads(Path(path).read_text())
        verdicts[(body["params"]["dataset"], body["params"]["model"])] = body["verdict"]
    flags = model_flags(table, verdicts, left_out)
    summary = table.merge(flags, on=["dataset", "model"], how="left")[METRIC_COLUMNS + FLAG_COLUMNS]
    made = record("summarize_metrics", inputs={"tables": [str(p) for p in inputs],
                                               "gates": [str(p) for p in paths]})  # fmt: skip
    write_table(output, summary, provenance=made | {LEFT_OUT: left_out})
    return summary
