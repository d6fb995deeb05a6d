"""Flags on a model's results that a reader must see: collapse, the privacy gate, lost metrics.

Each (dataset, model) of ``results/summary.tsv`` carries three columns beside its metrics
(:func:`model_flags`, written by :func:`genosynth.steps.report.summarize_metrics`):

``collapsed``
    ``True`` when the final ``diversity_ratio`` of the model's AGs is below
    :data:`genosynth.training.COLLAPSE_DIVERSITY` (mode collapse), ``False`` otherwise;
    empty for rows without one (the real data, the DNA track).
``privacy_gate``
    The gate's verdict on the model's AGs (``passed``, ``overridden``: released although a
    check failed, ``failed``: the release is withheld); empty where no gate judged.
``non_finite``
    The metrics of the model left out of the table because they were not finite
    (comma-separated); empty when none.

:func:`legend_label` turns them into a figure legend's label (``"gan (collapsed)"``), and
:func:`flag_summary` into the few lines the end of a workflow run prints.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

__all__ = ["FLAG_COLUMNS", "flag_summary", "legend_label", "model_flags", "print_flag_summary"]

#: The flag columns of ``summary.tsv``, after ``dataset model metric value``.
FLAG_COLUMNS = ["collapsed", "privacy_gate", "non_finite"]

#: What a legend says for each gate verdict that is not ``passed``.
GATE_LABELS = {"overridden": "gate overridden", "failed": "release withheld"}


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def model_flags(metrics: pd.DataFrame, gates: Mapping | None = None,
                left_out: Iterable = ()) -> pd.DataFrame:  # fmt: skip
    """The flags of every (dataset, model) of a ``dataset model metric value`` table.

    Parameters
    ----------
    metrics : DataFrame
        The metrics (``diversity_ratio`` rows decide ``collapsed``).
    gates : mapping, optional
        (dataset, model) -> the privacy gate's verdict.
    left_out : iterable of (dataset, model, metric)
        Metrics left out as not finite.

    Returns
    -------
    DataFrame
        ``dataset model collapsed privacy_gate non_finite``, one row per pair of
        ``metrics`` (and of ``gates`` and ``left_out``), in order of appearance.
    """
    from genosynth.training import COLLAPSE_DIVERSITY

    gates = dict(gates or {})
    lost: dict[tuple, list] = {}
    for dataset, model, metric in left_out:
        lost.setdefault((dataset, model), []).append(str(metric))
    keys = list(dict.fromkeys(zip(metrics["dataset"], metrics["model"], strict=True)))
    keys += [k for k in list(gates) + list(lost) if k not in keys]
    diversity = metrics[metrics["metric"] == "diversity_ratio"]
    pairs = zip(diversity["dataset"], diversity["model"], strict=True)
    diversity = dict(zip(pairs, diversity["value"], strict=True))
    rows = []
    for key in keys:
        ratio = diversity.get(key)
        collapsed = (
            None if ratio is None or not math.isfinite(ratio) else bool(ratio < COLLAPSE_DIVERSITY)
        )
        rows.append((*key, collapsed, gates.get(key), ",".join(sorted(set(lost.get(key, []))))))
    return pd.DataFrame(rows, columns=["dataset", "model", *FLAG_COLUMNS])


def _notes(flags: Mapping) -> list[str]:
    notes = []
    if flags.get("collapsed") is True or str(flags.get("collapsed")).lower() == "true":
        notes.append("collapsed")
    gate = flags.get("privacy_gate")
    if not _missing(gate) and gate in GATE_LABELS:
        notes.append(GATE_LABELS[gate])
    lost = flags.get("non_finite")
    if not _missing(lost):
        notes.append(f"{len(str(lost).split(','))} metric(s) not finite")
    return notes


def legend_label(model: str, flags: Mapping | None) -> str:
    """A model's name for a figure legend, with its flags: ``"gan (collapsed)"``.

    ``flags`` holds the columns of :data:`FLAG_COLUMNS` (a row of :func:`model_flags`,
    or of ``summary.tsv``); a missing or empty flag adds nothing. A passed gate is not
    mentioned; ``overridden`` reads "gate overridden", ``failed`` "release withheld".
    """
    notes = _notes(flags or {})
    return f"{model} ({', '.join(notes)})" if notes else model


def flag_summary(summary) -> str:
    """The lines printed at the end of a run: every flagged model of ``summary.tsv``.

    Returns "" when the table does not exist or has no flag columns; else a headline and
    one line per flagged (dataset, model), or a line saying that none is flagged.
    """
    path = Path(summary)
    if not path.is_file():
        return ""
    table = pd.read_csv(path, sep="\t", dtype={"non_finite": str, "privacy_gate": str})
    if not set(FLAG_COLUMNS) <= set(table.columns):
        return ""
    flags = table.drop_duplicates(["dataset", "model"])
    lines = []
    for row in flags.itertuples(index=False):
        notes = _notes(row._asdict())
        if notes:
            lines.append(f"  {row.dataset}/{row.model}: {', '.join(notes)}")
    if not lines:
        return f"genosynth: no model flagged in {path} (collapse, privacy gate, non-finite)."
    head = f"genosynth: {len(lines)} model(s) flagged in {path} (see its flag columns):"
    return "\n".join([head, *lines])


def print_flag_summary(summary) -> None:
    """Print :func:`flag_summary` (the workflow's ``onsuccess`` handler); nothing if empty."""
    text = flag_summary(summary)
    if text:
        print(text)
