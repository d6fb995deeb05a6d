"""The metric dictionary (genosynth.metrics): lookups, and a static scan of the steps' names."""

from __future__ import annotations

import ast

import pytest
from conftest import REPO

from genosynth.metrics import METRICS, lookup, unknown_metrics


@pytest.mark.parametrize(
    ("name", "entry"),
    [
        ("aats_test", "aats_test"),
        ("pc3_variance_ratio", "pc{k}_variance_ratio"),
        ("pc12_centroid_distance_EUR", "pc12_centroid_distance_{group}"),
        ("share_AFR", "share_{group}"),
        ("share_above_training_max", "share_above_training_max"),
        ("imputation_r2_maf0.05-0.095", "imputation_r2_{bin}"),
        ("aats_train_planted_50", "aats_train_planted_{n}"),
        ("xpehh_top5_shared", "{stat}_top5_shared"),
        ("donor_t_bits_generated", "{pos}_bits_{set}"),
        ("complement_share_G", "complement_share_{base}"),
    ],
)
def test_lookup_matches_the_entry(name, entry):
    assert lookup(name).name == entry


def test_unknown_names_are_reported_once_sorted():
    assert unknown_metrics(["aats_test", "zz_new", "pc1_variance", "a_new", "zz_new"]) == [
        "a_new",
        "zz_new",
    ]
    assert lookup("share_") is None and lookup("pcx_variance") is None


def test_entries_are_distinct_and_complete():
    names = [m.name for m in METRICS]
    assert len(names) == len(set(names))
    assert {m.direction for m in METRICS} == {"higher", "lower", "ideal", "none"}
    assert [m.name for m in METRICS if m.direction == "ideal" and not m.ideal] == []
    assert {m.table for m in METRICS} == {"popgen", "dna"}
    assert lookup("privacy_loss").ideal == "0" and lookup("aats_test").ideal == "0.5"


# 3-tuples of the steps that are not metric rows (privacy gate and export records).
NOT_METRICS = {"design", "failures", "sha256", "valid"}  # keys, not metrics


def _literal_metric_names() -> set[str]:
    """Metric names written as literals by the steps: `(model, "name", value)` rows and
    the keys of the DNA steps' value dicts."""
    found = set()
    files = [*sorted((REPO / "src/genosynth/steps").glob("*.py")), REPO / "src/genosynth/pca.py"]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Tuple) and len(node.elts) == 3:
                second = node.elts[1]
                if isinstance(second, ast.Constant) and isinstance(second.value, str):
                    found.add(second.value)
            if path.name == "dna.py" and isinstance(node, ast.Dict):
                keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
                if any(lookup(k) for k in keys if isinstance(k, str)):
                    found.update(k for k in keys if isinstance(k, str))
    return found


def test_every_literal_metric_name_in_the_steps_is_registered():
    names = _literal_metric_names() - NOT_METRICS
    assert len(names) == 61  # names built with f-strings are checked on the smoke run
    assert unknown_metrics(names) == []
