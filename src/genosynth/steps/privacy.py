"""Privacy steps: metrics of a model's AGs, the AATS figure, and the gate on export.

``compute_privacy_metrics`` writes one table per model (:func:`privacy_table`), so that the
export of a model's AGs (:func:`genosynth.steps.export.export_vcf`) depends on its own
numbers only, through :func:`check_privacy`; ``plot_aats`` draws them together
(:func:`aats_figure`).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from genosynth import evaluate, formats
from genosynth.provenance import record as provenance_record
from genosynth.provenance import write_table
from genosynth.steps.common import METRIC_COLUMNS, dataset_info, drop_phenotype

__all__ = ["aats_figure", "check_privacy", "privacy_table"]


def privacy_table(*, dataset, model, train, test, info, ags, output, settings) -> None:
    """Privacy metrics of one model's AGs (AATS train/test, privacy loss, copies, membership).

    One table per model, so that the export of a model's AGs depends on its own
    numbers only (:func:`check_privacy` reads it).
    """
    layout = dataset_info(info)["layout"]
    train_m, test_m, ag_m = (
        drop_phenotype(formats.read_hapt_matrix(p)[1], layout) for p in (train, test, ags)
    )
    values = evaluate.privacy_metrics(train_m, test_m, ag_m, **settings)
    rows = [(model, k, float(v)) for k, v in values.items()]
    frame = pd.DataFrame(rows, columns=["model", "metric", "value"]).assign(dataset=dataset)
    made = provenance_record(
        "privacy_metrics",
        params={"settings": dict(settings), "dataset": dataset, "model": model},
        inputs={"train": train, "test": test, "ags": ags},
    )
    write_table(output, frame[METRIC_COLUMNS], provenance=made)


def aats_figure(*, dataset, tables: Mapping, output, metrics) -> None:
    """AATS, AA_truth, AA_syn and privacy loss per model (paper S13) from :func:`privacy_table`."""
    from genosynth.evaluate.figures import plot_aats

    frames = {m: pd.read_csv(p, sep="\t") for m, p in tables.items()}
    plot_aats(output, {m: dict(zip(f.metric, f.value, strict=True)) for m, f in frames.items()})
    made = provenance_record("figure:aats", params={"dataset": dataset}, inputs=dict(tables))
    write_table(
        metrics, pd.concat(frames.values(), ignore_index=True)[METRIC_COLUMNS], provenance=made
    )


def check_privacy(metrics_table, model: str, privacy: Mapping) -> list[str]:
    """Failures of :func:`~genosynth.evaluate.privacy_gate` on a model's :func:`privacy_table`."""
    table = pd.read_csv(metrics_table, sep="\t")
    values = table[table["model"] == model].set_index("metric")["value"].to_dict()
    return evaluate.privacy_gate(
        values,
        max_exact_copies=privacy["max_exact_copies"],
        max_privacy_loss=privacy["max_privacy_loss"],
        max_membership_auc=privacy["max_membership_auc"],
        z=privacy["z"],
        allow=privacy["allow_export"],
    )
