"""The metric tables of every figure and analysis gathered into one (``gather_metrics``)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from genosynth.errors import GenosynthError
from genosynth.provenance import record, write_table
from genosynth.steps.common import METRIC_COLUMNS

__all__ = ["concat_metrics"]


def concat_metrics(inputs: Sequence, output) -> None:
    """Concatenate metric tables with the columns ``dataset model metric value``.

    The DNA track's ``experiment metric value`` table (``results/dna/metrics.tsv``) joins
    as ``dataset`` "dna", ``model`` = the experiment.
    """
    frames = [pd.read_csv(p, sep="\t") for p in inputs]
    for i, (path, frame) in enumerate(zip(inputs, frames, strict=True)):
        if list(frame.columns) == ["experiment", "metric", "value"]:
            frames[i] = frame.rename(columns={"experiment": "model"}).assign(dataset="dna")
            frames[i] = frames[i][METRIC_COLUMNS]
        elif list(frame.columns) != METRIC_COLUMNS:
            raise GenosynthError(f"{path}: expected columns {METRIC_COLUMNS}")
    write_table(
        output,
        pd.concat(frames, ignore_index=True),
        provenance=record("concat_metrics", inputs={"tables": [str(p) for p in inputs]}),
    )
