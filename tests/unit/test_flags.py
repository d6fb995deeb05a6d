"""Flags of summary.tsv (collapse, privacy gate, non-finite), legend labels, console summary."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from genosynth import evaluate
from genosynth.flags import FLAG_COLUMNS, flag_summary, legend_label, model_flags
from genosynth.provenance import write_table
from genosynth.steps.report import concat_metrics, summarize_metrics
from genosynth.training import COLLAPSE_DIVERSITY

COLUMNS = ["dataset", "model", "metric", "value"]


@pytest.mark.parametrize(
    ("flags", "label"),
    [
        ({}, "gan"),
        (None, "gan"),
        ({"collapsed": True, "privacy_gate": "passed", "non_finite": ""}, "gan (collapsed)"),
        ({"collapsed": False, "privacy_gate": "overridden"}, "gan (gate overridden)"),
        ({"collapsed": "True", "privacy_gate": "failed"}, "gan (collapsed, release withheld)"),
        ({"collapsed": float("nan"), "privacy_gate": float("nan"), "non_finite": float("nan")},
         "gan"),
        ({"non_finite": "pbs_pearson_r,xpehh_pearson_r"}, "gan (2 metric(s) not finite)"),
    ],
)  # fmt: skip
def test_legend_label(flags, label):
    assert legend_label("gan", flags) == label


def test_a_collapsed_toy_model_is_flagged():
    """AGs all one haplotype keep none of the real diversity: collapsed; a copy of the real
    haplotypes keeps all of it: not collapsed."""
    rng = np.random.default_rng(0)
    real = rng.integers(0, 2, size=(40, 30), dtype=np.int8)
    identical = np.repeat(real[:1], 40, axis=0)
    ratios = {"gan": evaluate.diversity_ratio(real, identical),
              "rbm": evaluate.diversity_ratio(real, real.copy())}  # fmt: skip
    assert ratios["gan"] == 0.0 < COLLAPSE_DIVERSITY <= ratios["rbm"]
    metrics = pd.DataFrame(
        [("wide", m, "diversity_ratio", r) for m, r in ratios.items()]
        + [("wide", "real", "pc1_variance", 2.0)],
        columns=COLUMNS,
    )
    flags = model_flags(metrics, {("wide", "gan"): "passed"}).set_index("model")
    assert flags.loc["gan", "collapsed"] is True and flags.loc["rbm", "collapsed"] is False
    assert flags.loc["real", "collapsed"] is None
    assert flags.loc["gan", "privacy_gate"] == "passed"
    assert pd.isna(flags.loc["rbm", "privacy_gate"])


def _gate(path, dataset, model, verdict):
    body = {"params": {"dataset": dataset, "model": model}, "verdict": verdict}
    path.write_text(json.dumps(body))
    return path


def test_summary_carries_every_flag_as_columns(tmp_path):
    fragment = tmp_path / "selection.tsv"  # a downstream table that left a value out
    rows = [("scan", "gan", "xpehh_pearson_r", 0.8), ("scan", "rbm", "diversity_ratio", 0.3)]
    write_table(fragment, pd.DataFrame(rows, columns=COLUMNS),
                provenance={"left_out_non_finite": [["scan", "gan", "pbs_pearson_r"]]})  # fmt: skip
    other = tmp_path / "diversity.tsv"  # a NaN that reaches the gathering
    rows = [("scan", "gan", "diversity_ratio", 0.9), ("scan", "gan", "ld_decay_mae", np.nan)]
    pd.DataFrame(rows, columns=COLUMNS).to_csv(other, sep="\t", index=False)
    gathered = tmp_path / "metrics.tsv"
    concat_metrics([fragment, other], gathered)  # per dataset; then the whole run
    gates = [_gate(tmp_path / "g1.json", "scan", "gan", "overridden"),
             _gate(tmp_path / "g2.json", "scan", "rbm", "failed")]  # fmt: skip
    summary = summarize_metrics([gathered], tmp_path / "summary.tsv", gates=gates)
    written = pd.read_csv(tmp_path / "summary.tsv", sep="\t", dtype={"non_finite": str})
    assert list(written.columns) == COLUMNS + FLAG_COLUMNS
    assert len(written) == len(summary) == 3  # the NaN row left out
    flags = written.drop_duplicates("model").set_index("model")
    assert flags.loc["gan"].tolist()[-3:] == [False, "overridden", "ld_decay_mae,pbs_pearson_r"]
    assert flags.loc["rbm", "collapsed"] and flags.loc["rbm", "privacy_gate"] == "failed"
    assert pd.isna(flags.loc["rbm", "non_finite"])
    assert flag_summary(tmp_path / "summary.tsv") == "\n".join([
        f"genosynth: 2 model(s) flagged in {tmp_path / 'summary.tsv'} (see its flag columns):",
        "  scan/gan: gate overridden, 2 metric(s) not finite",
        "  scan/rbm: collapsed, release withheld",
    ])  # fmt: skip


def test_console_summary_of_a_hand_made_summary(tmp_path):
    path = tmp_path / "summary.tsv"
    assert flag_summary(path) == ""  # no summary (yet): nothing printed
    rows = [
        ("wide", "gan", "aats_test", 0.5, True, "passed", ""),
        ("wide", "gan", "diversity_ratio", 0.2, True, "passed", ""),
        ("wide", "rbm", "aats_test", 0.6, False, "overridden", ""),
        ("dna", "splice_logos", "n_windows_real", 20, "", "", "acceptor_ag_share_generated"),
        ("wide", "real", "pc1_variance", 1.0, "", "", ""),
    ]
    pd.DataFrame(rows, columns=COLUMNS + FLAG_COLUMNS).to_csv(path, sep="\t", index=False)
    assert flag_summary(path).splitlines() == [
        f"genosynth: 3 model(s) flagged in {path} (see its flag columns):",
        "  wide/gan: collapsed",
        "  wide/rbm: gate overridden",
        "  dna/splice_logos: 1 metric(s) not finite",
    ]
    calm = [("wide", "gan", "aats_test", 0.5, False, "passed", "")]
    pd.DataFrame(calm, columns=COLUMNS + FLAG_COLUMNS).to_csv(path, sep="\t", index=False)
    assert flag_summary(path) == (
        f"genosynth: no model flagged in {path} (collapse, privacy gate, non-finite)."
    )
    pd.DataFrame(calm).iloc[:, :4].to_csv(path, sep="\t", index=False, header=COLUMNS)
    assert flag_summary(path) == ""  # an older summary without flag columns
