"""Privacy steps: metrics of a model's AGs, the AATS figure, and the gate on their release.

``compute_privacy_metrics`` writes one table per model (:func:`privacy_table`), so that the
gate on a model's AGs depends on its own numbers only; ``check_privacy_gate`` records the
gate's verdict on them (:func:`judge_privacy_gate`: passed, failed with the failed checks, or
overridden by ``privacy.allow_export``), which every release of the AGs reads
(:func:`release_verdict`: a failed verdict stops it); ``plot_aats`` draws the tables
together (:func:`aats_figure`).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from genosynth import evaluate, formats, heldout
from genosynth.errors import GenosynthError
from genosynth.fileio import atomic_path
from genosynth.provenance import record as provenance_record
from genosynth.provenance import sha256sum, sidecar_path, write_table
from genosynth.steps.common import METRIC_COLUMNS, dataset_info, drop_phenotype

__all__ = [
    "aats_figure",
    "gate_verdict",
    "judge_privacy_gate",
    "privacy_table",
    "release_verdict",
]

log = logging.getLogger(__name__)

#: Metrics the gate reads (values and standard errors), recorded with its verdict.
GATE_METRICS = [f"{m}{s}" for m in ("exact_copies", "privacy_loss", "membership_auc")
                for s in ("", "_se")]  # fmt: skip
#: Settings of each model that make it copy less of its training haplotypes.
COPY_LESS = {
    "copying": "a smaller `segment_sites` or a larger `mismatch`",
    "markov": "a smaller `window`",
    "gan": "fewer `epochs`",
    "conv_gan": "fewer `epochs`",
    "rbm": "fewer `epochs`",
}


def privacy_table(*, dataset, model, train, test, info, ags, output, settings,
                  test_sites=None) -> None:  # fmt: skip
    """Privacy metrics of one model's AGs (AATS train/test, privacy loss, copies, membership).

    One table per model, so that the export of a model's AGs depends on its own
    numbers only (:func:`check_privacy` reads it). With ``test_sites`` (the SNP table of an
    external held-out set, :func:`genosynth.steps.data.match_test_source`), ``test`` holds
    the matched SNPs only and the training haplotypes and AGs are restricted to them.
    """
    layout = dataset_info(info)["layout"]
    train_m, test_m, ag_m = (
        drop_phenotype(formats.read_hapt_matrix(p)[1], layout) for p in (train, test, ags)
    )
    if test_sites is not None:
        status = pd.read_csv(test_sites, sep="\t", dtype=str)["status"]
        used = status.isin(heldout.MATCHED).to_numpy()
        train_m, ag_m = train_m[:, used], ag_m[:, used]
    values = evaluate.privacy_metrics(train_m, test_m, ag_m, **settings)
    rows = [(model, k, float(v)) for k, v in values.items()]
    frame = pd.DataFrame(rows, columns=["model", "metric", "value"]).assign(dataset=dataset)
    made = provenance_record(
        "privacy_metrics",
        params={"settings": dict(settings), "dataset": dataset, "model": model},
        inputs={"train": train, "test": test, "ags": ags}
        | ({"test_sites": test_sites} if test_sites is not None else {}),
    )
    write_table(output, frame[METRIC_COLUMNS], provenance=made)


def aats_figure(*, dataset, tables: Mapping, output, metrics, train=None, test=None,
                info=None, gates: Mapping | None = None) -> None:  # fmt: skip
    """AATS, AA_truth, AA_syn and privacy loss per model (paper S13) from :func:`privacy_table`.

    With ``train``, ``test`` and ``info``, the held-out real haplotypes against the training
    ones are drawn as one more set (:data:`~genosynth.plotting.HELD_OUT`) and written as the
    metric rows ``aats_train``, ``aa_truth_train`` and ``aa_syn_train`` of model ``real``:
    the adversarial accuracy of a fresh sample of real genomes, the yardstick of the AGs'.
    With ``gates`` (model -> verdict record of :func:`judge_privacy_gate`), a model's label
    says when its gate was overridden or its release withheld
    (:func:`genosynth.flags.legend_label`).
    """
    from genosynth.evaluate.figures import plot_aats
    from genosynth.flags import legend_label
    from genosynth.plotting import HELD_OUT

    frames = {m: pd.read_csv(p, sep="\t") for m, p in tables.items()}
    gates = gates or {}
    labels = {  # the flag on a second line: the tick labels of the narrow panel stay apart
        m: legend_label(
            m, {"privacy_gate": gate_verdict(gates[m]) if m in gates else None}
        ).replace(" (", "\n(", 1)
        for m in frames
    }
    values = {labels[m]: dict(zip(f.metric, f.value, strict=True)) for m, f in frames.items()}
    rows = []
    if train is not None:
        layout = dataset_info(info)["layout"]
        train_m, test_m = (drop_phenotype(formats.read_hapt_matrix(p)[1], layout)
                           for p in (train, test))  # fmt: skip
        scores = evaluate.aats(train_m, test_m, seed=0)
        yardstick = {"aats_train": scores["AATS"], "aa_truth_train": scores["AA_truth"],
                     "aa_syn_train": scores["AA_syn"]}  # fmt: skip
        values = {HELD_OUT: yardstick} | values
        rows = [(dataset, "real", k, float(v)) for k, v in yardstick.items()]
    plot_aats(output, values, title=f"{dataset}: {_AATS_TITLE}")
    inputs = dict(tables) | ({"train": train, "test": test} if train is not None else {})
    made = provenance_record("figure:aats", params={"dataset": dataset}, inputs=inputs)
    frame = pd.concat(frames.values(), ignore_index=True)[METRIC_COLUMNS]
    if rows:
        frame = pd.concat([pd.DataFrame(rows, columns=METRIC_COLUMNS), frame], ignore_index=True)
    write_table(metrics, frame, provenance=made)


#: Title of the AATS figure after the dataset name.
_AATS_TITLE = "nearest-neighbour adversarial accuracy and privacy loss (Yelmen et al. Fig. S13)"


def judge_privacy_gate(*, dataset, model, metrics_table, ags, privacy: Mapping, output,
                       releases=()) -> str:  # fmt: skip
    """Judge a model's AGs by the privacy gate and record the verdict in ``output`` (JSON).

    The verdict is ``passed``, ``failed`` (with each failed check and the fix) or
    ``overridden`` (failed, but ``privacy["allow_export"]``); the record also holds the
    gate's settings, the metrics it read and the SHA-256 of the AGs it judged. A failure
    does not raise here (:func:`release_verdict` stops the releases) but revokes any
    earlier release: each of ``releases`` (and its provenance sidecar) that exists, left
    by a run that exported these AGs, is removed.

    Returns
    -------
    str
        The verdict.
    """
    table = pd.read_csv(metrics_table, sep="\t")
    values = table[table["model"] == model].set_index("metric")["value"].to_dict()
    ceilings = {k: privacy[k] for k in ("max_exact_copies", "max_privacy_loss",
                                        "max_membership_auc", "z")}  # fmt: skip
    failures = evaluate.gate_failures(values, **ceilings)
    verdict = "passed" if not failures else "overridden" if privacy["allow_export"] else "failed"
    for failure in failures:
        log.warning("privacy gate %s for %s/%s: %s", verdict, dataset, model, failure)
    body = provenance_record(
        "privacy_gate",
        params={"dataset": dataset, "model": model, "privacy": dict(privacy)},
        inputs={"privacy_metrics": metrics_table, "ags": ags},
    )
    body |= {"ags_sha256": sha256sum(ags), "verdict": verdict, "failures": failures}
    body["fix"] = _copy_less(dataset, model) if verdict == "failed" else None
    body["metrics"] = {k: _number(values.get(k)) for k in GATE_METRICS}
    if verdict == "failed":
        _revoke(releases)
    with atomic_path(output) as tmp:
        tmp.write_text(json.dumps(body, indent=2) + "\n")
    log.info("privacy gate on %s/%s: %s", dataset, model, verdict)
    return verdict


def _revoke(releases) -> None:
    """Remove the files of an earlier release (and their sidecars) that exist."""
    for path in releases:
        for file in (Path(path), sidecar_path(path)):
            if file.is_file():
                file.unlink()
                log.warning("privacy gate failed: removed %s, released by an earlier run", file)


def release_verdict(gate, *, ags=None) -> dict:
    """The gate's verdict (:func:`judge_privacy_gate`) for the provenance of a release.

    Parameters
    ----------
    gate : path
        The verdict record.
    ags : path, optional
        The AGs to release; they must be those the gate judged (same SHA-256).

    Returns
    -------
    dict
        ``verdict`` (``passed`` or ``overridden``), ``failures``, ``metrics``,
        ``settings`` and ``record`` (the path of ``gate``).

    Raises
    ------
    PrivacyGateError
        The verdict is ``failed``: its message names the model, each failed check
        and the fix.
    """
    body = json.loads(Path(gate).read_text())
    dataset, model = body["params"]["dataset"], body["params"]["model"]
    if ags is not None and sha256sum(ags) != body["ags_sha256"]:
        raise GenosynthError(
            f"{gate}: the privacy gate judged other AGs than {ags} (their sha256 differs). "
            "Fix: rerun the gate (snakemake --forcerun check_privacy_gate)"
        )
    if body["verdict"] == "failed":
        subject = f"model '{model}' (dataset '{dataset}')"
        raise evaluate.PrivacyGateError(body["failures"], subject=subject, fix=body["fix"])
    keep = {k: body[k] for k in ("verdict", "failures", "metrics")}
    return keep | {"settings": body["params"]["privacy"], "record": str(gate)}


def gate_verdict(gate) -> str:
    """The verdict (``passed``, ``overridden``, ``failed``) of a record of
    :func:`judge_privacy_gate`, for the workflow's choice of what to release."""
    return json.loads(Path(gate).read_text())["verdict"]


def _copy_less(dataset: str, model: str) -> str:
    """The fix of a failed gate besides ``privacy.allow_export``: a model setting."""
    fix = (
        f"change `models.{model}` (or `datasets.{dataset}.model_overrides.{model}`) so that "
        "the model copies less of its training haplotypes"
    )
    return fix + (f": {COPY_LESS[model]}" if model in COPY_LESS else "")


def _number(value) -> float | None:
    """A metric for JSON: a float, or None where missing or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)
