"""The stopping rule: a validation split of the training individuals, scripted AA
trajectories, the stop reason in the training log and metrics, and a resumed stopped run."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from conftest import write_toy_dataset

from genosynth import formats, training
from genosynth.errors import ConfigError
from genosynth.models import load_model
from genosynth.steps.evaluate import training_figure
from genosynth.steps.train import train_model
from genosynth.training import Evaluation, StopRule, validation_split

RBM = {"n_hidden": 8, "epochs": 40, "burn_in": 20, "checkpoint_every": 5, "seed": 3}


@pytest.fixture
def dataset(tmp_path):
    return write_toy_dataset(tmp_path, 80)


def train(path, settings, out="out"):
    train_model(
        model="rbm",
        settings=settings,
        train=path / "train.hapt.gz",
        panel=path / "panel.tsv",
        checkpoint=path / out / "checkpoint.npz",
        training_log=path / out / "training_log.tsv",
    )


# --- the validation split -------------------------------------------------------------------
def test_validation_split_keeps_individuals_whole_and_is_seeded():
    individuals = np.repeat([f"I{i:02d}" for i in range(40)], 2)
    keep, held = validation_split(individuals, 0.2, seed=7)
    assert len(held) == 16 and len(keep) == 64  # round(40 * 0.2) = 8 individuals
    assert sorted(np.concatenate([keep, held]).tolist()) == list(range(80))
    assert not set(individuals[keep]) & set(individuals[held])  # nobody on both sides
    assert all((individuals == name).sum() == 2 for name in individuals[held])
    again = validation_split(individuals, 0.2, seed=7)
    np.testing.assert_array_equal(again[1], held)
    other = validation_split(individuals, 0.2, seed=8)
    assert not np.array_equal(other[1], held)
    single = validation_split(individuals[::2], 0.25, seed=7)[1]  # one row per individual
    assert len(single) == 10


@pytest.mark.parametrize("fraction", [0.01, 0.99])
def test_validation_split_refuses_too_few_on_a_side(fraction):
    with pytest.raises(ConfigError, match="validation_fraction"):
        validation_split(np.repeat(["a", "b", "c", "d", "e"], 2), fraction, seed=0)


def test_training_never_sees_the_validation_individuals(dataset, monkeypatch):
    seen = {}
    fit = training.fit

    def spy(model, data, **kwargs):
        seen["data"] = data
        return fit(model, data, **kwargs)

    monkeypatch.setattr(training, "fit", spy)
    train(dataset, RBM | {"epochs": 4, "eval_every": 2, "validation_fraction": 0.25})
    ids, haps = formats.read_hapt_matrix(dataset / "train.hapt.gz")
    keep, held = validation_split([i[:-2] for i in ids], 0.25, seed=3)
    np.testing.assert_array_equal(seen["data"], haps[keep])
    assert len(held) == 20


# --- scripted trajectories ------------------------------------------------------------------
class _Replay:
    step_name = "epoch"

    def __init__(self, rows):
        self.rows = rows

    def sample(self, n, *, seed):
        return self.rows[np.arange(n) % len(self.rows)]


def _monitor(tmp_path, monkeypatch, script, *, budget=100, rule=None):
    """An Evaluation every 10 epochs whose validation scores are ``script`` in turn."""
    values = iter(script)

    def scripted(real, validation, ags):
        truth, syn, loss = next(values)
        return {"aa_truth_val": truth, "aa_syn_val": syn, "privacy_loss_val": loss}

    monkeypatch.setattr(training, "validation_scores", scripted)
    real = (np.random.default_rng(1).random((20, 12)) < 0.5).astype(np.int8)
    return Evaluation(
        _Replay(real),
        real,
        seed=0,
        eval_every=10,
        partial=tmp_path / "log.jsonl",
        validation=real,
        stop=rule or StopRule(tolerance=0.05, privacy_guard=0.03),
        budget=budget,
    )


def _run(monitor, last=1000):
    for epoch in range(1, last + 1):
        if monitor(epoch, {"loss": 1.0}):
            return epoch
    return None


@pytest.mark.parametrize(
    ("script", "epoch", "reason"),
    [
        # far, nearer, then both within 0.05 of 0.5 with a small privacy loss
        ([(0.9, 0.2, 0.0), (0.6, 0.45, 0.0), (0.53, 0.48, 0.01)], 30, "target_reached"),
        # one rate 0.051 off 0.5: not yet
        ([(0.551, 0.5, 0.0), (0.549, 0.451, 0.0)], 20, "target_reached"),
        # balanced, but leaking: no target; over the guard twice in a row stops
        ([(0.52, 0.5, 0.05), (0.5, 0.5, 0.04)], 20, "privacy_guard"),
        # a single spike over the guard does not stop; the epoch budget does
        ([(0.7, 0.3, 0.05), (0.7, 0.3, 0.0)] * 2, 40, "epoch_budget"),
    ],
    ids=["target", "tolerance-edge", "guard", "budget"],
)
def test_stop_rule_on_a_scripted_trajectory(tmp_path, monkeypatch, script, epoch, reason):
    monitor = _monitor(tmp_path, monkeypatch, script, budget=40)
    assert _run(monitor) == epoch
    assert monitor.stop_reason == reason
    assert monitor.rows[-1]["epoch"] == epoch and monitor.rows[-1]["stop_reason"] == reason
    assert all("stop_reason" not in r for r in monitor.rows[:-1])
    logged = pd.read_json(tmp_path / "log.jsonl", lines=True)
    assert logged.epoch.tolist() == list(range(1, epoch + 1))
    assert logged.stop_reason.dropna().tolist() == [reason]


def test_wall_budget_stops_before_an_epoch_would_pass_it(tmp_path, monkeypatch):
    clock = itertools.count(0.0, 1.0)  # every reading of the clock one second later
    monkeypatch.setattr(training.time, "perf_counter", lambda: next(clock))
    far = [(0.9, 0.1, 0.0)] * 10
    monitor = _monitor(tmp_path, monkeypatch, far, rule=StopRule(wall_budget_s=7.5))
    # started at 0; epoch k reads k, a mean of 1 s per epoch: epoch 8 would end at 8 > 7.5
    assert _run(monitor) == 7
    assert monitor.stop_reason == "wall_budget"


def test_wall_budget_runs_a_first_epoch_longer_than_itself(tmp_path, monkeypatch):
    clock = iter([0.0, 100.0])
    monkeypatch.setattr(training.time, "perf_counter", lambda: next(clock))
    monitor = _monitor(tmp_path, monkeypatch, [], rule=StopRule(wall_budget_s=7.5))
    assert _run(monitor) == 1 and monitor.stop_reason == "wall_budget"


# --- through the workflow step ----------------------------------------------------------------
def _scripted_validation(monkeypatch, script):
    values = iter(script)

    def scripted(real, validation, ags):
        truth, syn, loss = next(values)
        return {
            "aats_val": 0.5 * (truth + syn),
            "aa_truth_val": truth,
            "aa_syn_val": syn,
            "aats_train_val": 0.5,
            "privacy_loss_val": loss,
        }

    monkeypatch.setattr(training, "validation_scores", scripted)


def test_stopped_run_logs_and_reports_epochs_run_and_reason(dataset, monkeypatch, tmp_path):
    _scripted_validation(monkeypatch, [(0.8, 0.2, 0.0), (0.6, 0.4, 0.0), (0.52, 0.47, 0.0)])
    train(dataset, RBM | {"eval_every": 5, "validation_fraction": 0.2})
    assert load_model(dataset / "out/checkpoint.npz").step == 15
    log = pd.read_csv(dataset / "out/training_log.tsv", sep="\t")
    assert log.epoch.tolist() == list(range(1, 16))
    assert log.stop_reason.dropna().tolist() == ["target_reached"]
    assert log.dropna(subset=["aa_truth_val"]).epoch.tolist() == [5, 10, 15]
    assert sorted(p.name for p in (dataset / "out").iterdir()) == [
        "checkpoint.npz",
        "training_log.tsv",
        "training_log.tsv.provenance.json",
    ]
    metrics = tmp_path / "metrics.tsv"
    training_figure(
        dataset="d", logs={"rbm": dataset / "out/training_log.tsv"}, output=tmp_path / "t.png",
        metrics=metrics,
    )  # fmt: skip
    table = pd.read_csv(metrics, sep="\t").set_index("metric")["value"]
    assert table["epochs_run"] == 15 and table["stop_reason_target_reached"] == 1
    assert table["final_aa_truth_val"] == pytest.approx(0.52)


def test_unstopped_run_reports_the_epoch_budget(dataset):
    train(dataset, RBM | {"epochs": 6, "eval_every": 3})
    log = pd.read_csv(dataset / "out/training_log.tsv", sep="\t")
    assert log.epoch.tolist() == list(range(1, 7))
    assert log.stop_reason.tolist()[-1] == "epoch_budget" and log.stop_reason.count() == 1


def test_stop_rule_needs_evaluations(dataset):
    with pytest.raises(ConfigError, match="eval_every"):
        train(dataset, RBM | {"eval_every": 0, "validation_fraction": 0.2})


class _Killed(BaseException):
    """Stands for SIGKILL: nothing of the run after it happens."""


def test_resumed_run_replays_a_recorded_wall_budget_stop(dataset, monkeypatch):
    """A wall budget spent at epoch k (clock scripted), the run killed before k's checkpoint:
    the rerun, whose clock never reaches the budget, stops at k too, to the byte."""
    settings = RBM | {"eval_every": 5, "wall_budget_s": 40.0}
    ticking = itertools.count(0.0, 1.0)
    monkeypatch.setattr(training.time, "perf_counter", lambda: next(ticking))
    train(dataset, settings, out="reference")
    reference = pd.read_csv(dataset / "reference/training_log.tsv", sep="\t")
    stop = int(reference.epoch.max())
    assert reference.stop_reason.dropna().tolist() == ["wall_budget"] and 5 < stop < 40

    ticking = itertools.count(0.0, 1.0)
    save = training.HaplotypeModel.save

    def killed_at_stop(self, path, **kwargs):
        if self.step == stop and "resume-" in str(path):
            raise _Killed
        return save(self, path, **kwargs)

    monkeypatch.setattr(training.HaplotypeModel, "save", killed_at_stop)
    with pytest.raises(_Killed):
        train(dataset, settings)
    (record,) = (dataset / "out").glob("stop-*.json")
    assert '"reason": "wall_budget"' in record.read_text()
    assert load_model(next((dataset / "out").glob("resume-*.npz"))).step < stop

    monkeypatch.setattr(training.HaplotypeModel, "save", save)
    monkeypatch.setattr(training.time, "perf_counter", lambda: 0.0)  # the budget never runs out
    train(dataset, settings)
    for name in ("training_log.tsv", "checkpoint.npz"):
        assert (dataset / "out" / name).read_bytes() == (dataset / "reference" / name).read_bytes()
    assert not list((dataset / "out").glob("stop-*.json"))
