"""Workflow training of iterative models: resume after a kill, training log, checkpoint choice."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest
from conftest import write_toy_dataset

from genosynth import formats
from genosynth.errors import ConfigError
from genosynth.models import load_model
from genosynth.models.base import read_checkpoint_meta
from genosynth.provenance import read_provenance
from genosynth.steps import sample as sample_step
from genosynth.steps.train import train_model
from genosynth.training import COLLAPSE_DIVERSITY, Evaluation

RBM = {"n_hidden": 8, "epochs": 40, "burn_in": 20, "checkpoint_every": 5, "seed": 3}


@pytest.fixture
def dataset(tmp_path):
    return write_toy_dataset(tmp_path, 60, split="train")


def train(path, settings, model="rbm", **more):
    train_model(
        model=model,
        settings=settings,
        train=path / "train.hapt.gz",
        panel=path / "panel.tsv",
        checkpoint=path / "out" / "checkpoint.npz",
        training_log=path / "out" / "training_log.tsv",
        **more,
    )


def sample_ags(path) -> np.ndarray:
    """AGs of the checkpoint `train` wrote, by the `sample_ags` stage (as many as train rows)."""
    sample_step.sample(
        checkpoint=path / "out/checkpoint.npz",
        real=[path / "train.hapt.gz"],
        info=path / "dataset.json",
        ags=path / "ags.hapt.gz",
        sampling={"n_ags": 0, "seed": 9},
    )
    return formats.read_hapt_matrix(path / "ags.hapt.gz")[1]


def test_log_has_every_epoch_and_aats(dataset):
    train(dataset, RBM | {"eval_every": 10})
    log = pd.read_csv(dataset / "out/training_log.tsv", sep="\t")
    assert log.epoch.tolist() == list(range(1, 41))
    evaluated = log.dropna(subset=["aats"])
    assert evaluated.epoch.tolist() == [10, 20, 30, 40]
    assert evaluated.aats.between(0, 1).all()
    assert (evaluated.diversity > 0).all() and evaluated.diversity.notna().all()
    assert load_model(dataset / "out/checkpoint.npz").step == 40
    leftovers = sorted(p.name for p in (dataset / "out").iterdir())
    assert leftovers == ["checkpoint.npz", "training_log.tsv", "training_log.tsv.provenance.json"]
    made = read_provenance(dataset / "out/training_log.tsv")  # checks the sha256 too
    assert made["step"] == "train" and made["seed"] == 3
    assert made["params"]["model"] == "rbm" and made["params"]["settings"]["eval_every"] == 10
    assert made["inputs"]["train"] == str(dataset / "train.hapt.gz")


class _Replay:
    """A stand-in model whose AGs are given rows (cycled to the requested count)."""

    step_name = "epoch"

    def __init__(self, rows):
        self.rows = rows

    def sample(self, n, *, seed):
        return self.rows[np.arange(n) % len(self.rows)]


@pytest.mark.parametrize(
    ("ags", "diversity", "warned"),
    [("collapsed", 0.0, True), ("real", 1.0, False), ("half", None, None)],
)
def test_monitor_warns_on_mode_collapse(tmp_path, caplog, ags, diversity, warned):
    rng = np.random.default_rng(4)
    real = (rng.random((50, 40)) < 0.4).astype(np.int8)
    rows = {"collapsed": real[:1], "real": real, "half": real[:2]}[ags]
    log = tmp_path / "log.jsonl"
    monitor = Evaluation(_Replay(rows), real, seed=0, eval_every=10, partial=log)
    with caplog.at_level("WARNING", logger="genosynth.training"):
        monitor(10, {"loss": 1.0})
        monitor(11, {"loss": 1.0})  # not an evaluation epoch
    got = monitor.rows[0]["diversity"]
    if ags == "half":  # 25 + 25 copies of two real rows: 625 of the 1225 pairs differ at d sites
        d = int((real[0] != real[1]).sum())
        i, j = np.triu_indices(50, k=1)
        real_mean = (real[i] != real[j]).sum(axis=1).mean()  # brute force over all pairs
        diversity = d * 625 / 1225 / real_mean
        warned = diversity < COLLAPSE_DIVERSITY
    assert got == pytest.approx(diversity)
    assert "diversity" not in monitor.rows[1]
    warnings = [r.getMessage() for r in caplog.records if "mode collapse" in r.getMessage()]
    assert len(warnings) == int(warned)
    if warned:
        assert warnings[0].startswith(f"epoch 10: mode collapse: the AGs keep {100 * got:.1f} %")
    logged = pd.read_json(log, lines=True)
    assert logged.diversity.iloc[0] == pytest.approx(diversity)


def test_killed_run_resumes_and_finishes_with_the_same_epochs(dataset):
    # evaluations every 500 epochs: the partial log mixes rows with and without them
    settings = RBM | {"epochs": 4000, "checkpoint_every": 50, "eval_every": 500}
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from genosynth.steps.train import train_model
        p = Path({str(dataset)!r})
        train_model(model="rbm", settings={settings!r}, train=p / "train.hapt.gz",
                    panel=p / "panel.tsv", checkpoint=p / "out" / "checkpoint.npz",
                    training_log=p / "out" / "training_log.tsv")
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 120
    while not list((dataset / "out").glob("resume-*.npz")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    (resume,) = (dataset / "out").glob("resume-*.npz")
    assert not (dataset / "out/checkpoint.npz").exists()
    step = load_model(resume).step
    assert 0 < step < 4000
    train(dataset, settings)  # the rule rerun
    assert load_model(dataset / "out/checkpoint.npz").step == 4000
    log = pd.read_csv(dataset / "out/training_log.tsv", sep="\t")
    assert log.epoch.tolist() == list(range(1, 4001))
    assert log.dropna(subset=["aats"]).epoch.tolist() == list(range(500, 4001, 500))


def test_changed_settings_do_not_resume(dataset):
    out = dataset / "out"
    out.mkdir()
    train(dataset, RBM | {"epochs": 10})
    (out / "resume-000000000000.npz").write_bytes(b"stale")  # another settings' leftover
    train(dataset, RBM | {"epochs": 12, "learning_rate": 5e-3})
    assert load_model(out / "checkpoint.npz").step == 12
    assert not (out / "resume-000000000000.npz").exists()


def test_select_checkpoint_keeps_aats_nearest_half(dataset):
    train(dataset, RBM | {"eval_every": 5, "select_checkpoint": True})
    log = pd.read_csv(dataset / "out/training_log.tsv", sep="\t").dropna(subset=["aats"])
    best = log.loc[(log.aats - 0.5).abs().idxmin(), "epoch"]
    assert load_model(dataset / "out/checkpoint.npz").step == best


def test_conditional_population_labels(dataset):
    train(dataset, RBM | {"conditional": "pop", "epochs": 5})
    model = load_model(dataset / "out/checkpoint.npz")
    assert model.is_conditional
    np.testing.assert_allclose(model.label_proportions, [0.5, 0.5])


def test_closed_form_models_take_labels_where_they_can(dataset):
    train(dataset, {"conditional": "pop", "segment_sites": 5, "seed": 3}, model="copying")
    model = load_model(dataset / "out/checkpoint.npz")
    assert model.is_conditional and model.label_values.tolist() == [0, 1]
    np.testing.assert_allclose(model.label_proportions, [0.5, 0.5])
    with pytest.raises(ConfigError, match="model markov has no conditional mode"):
        train(dataset, {"conditional": "pop", "seed": 3}, model="markov")


@pytest.mark.parametrize("model", ["rbm", "gan", "copying"])
def test_conditional_phenotype_column(tmp_path, model):
    """`conditional: phenotype` trains on the last column as a label; AGs get it appended.

    Two haplotype types, the phenotype equal to the type (70% type 1): AGs must carry
    labels in the training proportions and, per label, allele frequencies of that label's
    type. For the RBM 10% of alleles are flipped (two exact types are energy minima that
    Gibbs chains never leave); the GAN, which rounds its outputs, gets the exact types.
    """
    rng = np.random.default_rng(1)
    types = np.array([[0, 1] * 10, [1, 0] * 10], dtype=np.int8)
    label = (rng.random(200) < 0.7).astype(np.int8)
    flip = 0.1 if model == "rbm" else 0.0
    noisy = types[label] ^ (rng.random((200, 20)) < flip).astype(np.int8)
    matrix = np.concatenate([noisy, label[:, None]], axis=1)
    ids = [f"S{i:03d}" for i in range(200)]
    formats.write_hapt(tmp_path / "train.hapt.gz", matrix, ids)
    pd.DataFrame({"hap_id": ids}).to_csv(tmp_path / "panel.tsv", sep="\t", index=False)
    (tmp_path / "dataset.json").write_text('{"layout": "genotype_pairs"}')
    settings = {"conditional": "phenotype", "seed": 5}
    settings |= {"n_hidden": 8, "n_chains": 60, "batch_size": 20, "epochs": 60}
    settings |= {"burn_in": 200, "learning_rate": 0.02}
    if model == "gan":
        settings = {"conditional": "phenotype", "seed": 5, "epochs": 200, "latent_size": 16}
        settings |= {"jit_compile": False, "g_lr": 1e-3, "d_lr": 1e-3}
        settings |= {"g_hidden_divisors": [0.5, 0.5], "d_hidden_divisors": [1, 1]}
        settings |= {"adam_beta_1": 0.5}  # the toy settings of tests/unit/test_gan.py
        settings |= {"label_scale": 2.0}  # the default 10 suits paper-sized networks, not this toy
    if model == "copying":  # mosaics of one label's haplotypes: that label's exact type
        settings = {"conditional": "phenotype", "seed": 5, "segment_sites": 3}
    train(tmp_path, settings, model=model)
    fitted = load_model(tmp_path / "out/checkpoint.npz")
    assert fitted.n_sites == 20
    ags = sample_ags(tmp_path)
    assert ags.shape == (200, 21)
    assert abs(ags[:, -1].mean() - 0.7) < 0.1
    for lab in (0, 1):
        rows = ags[ags[:, -1] == lab, :-1]
        np.testing.assert_allclose(rows.mean(axis=0), types[lab], atol=0.3, err_msg=str(lab))
        assert abs(rows.mean(axis=0) - types[lab]).mean() < 0.17, lab


def test_conditional_phenotype_needs_a_label_column():
    from genosynth.steps.train import split_label_column

    alleles, labels = split_label_column(np.array([[0, 1, 1], [1, 0, 0]], dtype=np.int8))
    assert alleles.tolist() == [[0, 1], [1, 0]] and labels.tolist() == [1, 0]
    with pytest.raises(ConfigError, match="label column"):
        split_label_column(np.zeros((3, 1), dtype=np.int8))


def test_select_metric_balance_keeps_both_accuracies_nearest_half(dataset):
    train(dataset, RBM | {"eval_every": 5, "select_checkpoint": True, "select_metric": "balance"})
    log = pd.read_csv(dataset / "out/training_log.tsv", sep="\t").dropna(subset=["aats"])
    worst = np.maximum((log.aa_truth - 0.5).abs(), (log.aa_syn - 0.5).abs())
    assert load_model(dataset / "out/checkpoint.npz").step == log.loc[worst.idxmin(), "epoch"]


def test_select_metrics_hand_worked():
    from genosynth.training import SELECT_METRICS

    far_apart = {"AATS": 0.5, "AA_truth": 1.0, "AA_syn": 0.0}
    assert SELECT_METRICS["aats"](far_apart) == 0.0
    assert SELECT_METRICS["balance"](far_apart) == 0.5
    balanced = {"AATS": 0.6, "AA_truth": 0.55, "AA_syn": 0.65}
    assert SELECT_METRICS["balance"](balanced) == pytest.approx(0.15)


def _pooled_dataset(path, n_train=40, n_others=80):
    """Target P1 haplotypes of type 0 in train, complementary P2 of type 1 in others."""
    rng = np.random.default_rng(2)
    types = np.array([[0, 1] * 10, [1, 1, 0, 0] * 5], dtype=np.int8)
    rows = {}
    sides = (("train", "train", n_train, "P1", 0), ("other", "others", n_others, "P2", 1))
    for split, file, n, pop, t in sides:
        haps = types[t] ^ (rng.random((n, 20)) < 0.1).astype(np.int8)
        ids = [f"{pop}_{i // 2:03d}_{'AB'[i % 2]}" for i in range(n)]
        formats.write_hapt(path / f"{file}.hapt.gz", haps, ids)
        rows[split] = pd.DataFrame({"hap_id": ids, "sample": [i[:-2] for i in ids], "pop": pop})
    panel = pd.concat([t.assign(split=k) for k, t in rows.items()], ignore_index=True)
    panel.assign(super_pop=panel["pop"]).to_csv(path / "panel.tsv", sep="\t", index=False)
    (path / "dataset.json").write_text('{"layout": "haplotypes"}')
    return types


def test_pool_others_hand_worked(tmp_path):
    """Train rows first, labels over both sides (sorted classes), target shares of train."""
    from genosynth.steps.train import pool_others

    train_h = np.array([[0, 0], [0, 1]], dtype=np.int8)
    other_h = np.array([[1, 1], [1, 0], [1, 1]], dtype=np.int8)
    formats.write_hapt(tmp_path / "others.hapt.gz", other_h, ["o1", "o2", "o3"])
    pd.DataFrame(
        {"hap_id": ["t1", "t2", "o1", "o2", "o3"], "super_pop": ["EUR", "EUR", "NA", "AFR", "NA"]}
    ).to_csv(tmp_path / "panel.tsv", sep="\t", index=False)
    pooled, labels, target, classes = pool_others(
        train_h,
        others=tmp_path / "others.hapt.gz",
        panel=tmp_path / "panel.tsv",
        ids=["t1", "t2"],
        conditional="super_pop",
    )
    assert pooled.dtype == np.int8
    assert pooled.tolist() == [[0, 0], [0, 1], [1, 1], [1, 0], [1, 1]]
    assert labels.tolist() == [1, 1, 2, 0, 2]  # classes AFR, EUR, NA ("NA" is not missing)
    assert classes == ["AFR", "EUR", "NA"]
    assert target.tolist() == [0.0, 1.0, 0.0]


def test_pool_others_needs_population_labels_and_others(tmp_path):
    from genosynth.steps.train import pool_others

    formats.write_hapt(tmp_path / "others.hapt.gz", np.zeros((0, 2), dtype=np.int8), [])
    pd.DataFrame({"hap_id": ["t1"], "pop": ["EUR"]}).to_csv(tmp_path / "panel.tsv", sep="\t")
    args = dict(others=tmp_path / "others.hapt.gz", panel=tmp_path / "panel.tsv", ids=["t1"])
    one = np.zeros((1, 2), dtype=np.int8)
    with pytest.raises(ConfigError, match="pool_others.*population labels.*conditional: super_pop"):
        pool_others(one, conditional="none", **args)
    with pytest.raises(ConfigError, match=r"others\.hapt\.gz: the dataset has no complementary"):
        pool_others(one, conditional="pop", **args)


def test_draw_labels_follows_the_proportions():
    from genosynth.training import draw_labels

    assert draw_labels([0, 2, 0], 50, seed=1).tolist() == [1] * 50
    shares = np.bincount(draw_labels([1, 3], 20000, seed=2)) / 20000
    np.testing.assert_allclose(shares, [0.25, 0.75], atol=0.01)
    np.testing.assert_array_equal(draw_labels([1, 1], 30, seed=3), draw_labels([1, 1], 30, seed=3))


def test_pool_others_trains_on_both_and_samples_the_target(tmp_path):
    """AGs and training-log evaluations are of the target population only."""
    types = _pooled_dataset(tmp_path)
    settings = RBM | {"n_hidden": 8, "epochs": 60, "burn_in": 200, "learning_rate": 0.02}
    settings |= {"conditional": "pop", "pool_others": True, "eval_every": 20, "n_chains": 60}
    settings |= {"batch_size": 20}
    train(tmp_path, settings, others=tmp_path / "others.hapt.gz")
    from genosynth.models.base import read_checkpoint_meta

    meta = read_checkpoint_meta(tmp_path / "out/checkpoint.npz")
    assert meta["provenance"]["target_proportions"] == [1.0, 0.0]  # classes P1, P2
    model = load_model(tmp_path / "out/checkpoint.npz")
    np.testing.assert_allclose(model.label_proportions, [1 / 3, 2 / 3])  # trained on both
    ags = sample_ags(tmp_path)
    assert ags.shape == (40, 20)
    mismatch = np.abs(ags.mean(axis=0) - types[0]).mean()
    assert mismatch < 0.2, mismatch  # measured 0.09; in the training shares (2/3 P2) 0.38
    log = pd.read_csv(tmp_path / "out/training_log.tsv", sep="\t").dropna(subset=["aats"])
    assert log.epoch.tolist() == [20, 40, 60]


class _TemperedStub:
    """A model whose AA_truth - AA_syn (through a patched ``evaluate.aats``) is 10 (b0 - beta)."""

    name = "stub"
    defaults = {"beta": 1.0}
    samples_at_beta = True  # HaplotypeModel's property: sample() honours params["beta"]

    def __init__(self):
        self.params = {"beta": 1.0}

    def sample(self, n, *, seed, labels=None):
        return np.full((n, 3), 0, dtype=np.int8)


def _calibrate_on(monkeypatch, curve):
    """Run calibrate_beta on a stub whose (AA_truth, AA_syn) at beta is ``curve(beta)``."""
    from genosynth import training

    model = _TemperedStub()

    def fake_aats(real, ags, *, seed):
        truth, syn = curve(model.params["beta"])
        return {"AATS": 0.5 * (truth + syn), "AA_truth": truth, "AA_syn": syn}

    monkeypatch.setattr(training.evaluate, "aats", fake_aats)
    rows = training.calibrate_beta(model, np.zeros((4, 3), np.int8), seed=1)
    return model, rows


def _crossing(b0):
    """AA_truth - AA_syn = 10 (b0 - beta): balanced at b0."""
    return lambda beta: (0.5 + 5.0 * (b0 - beta), 0.5 - 5.0 * (b0 - beta))


@pytest.mark.parametrize(
    ("b0", "first", "width"),
    [
        (1.037, [1.0, 0.9, 1.1], 0.1),  # inside: bisect [1, 1.1]
        (0.93, [1.0, 0.9, 1.1], 0.1),
        (1.3, [1.0, 0.9, 1.1, 1.2, 1.4], 0.4),  # beyond 1.1: widened twice, bisect [1, 1.4]
        (0.5, [1.0, 0.9, 1.1, 0.8, 0.6, 0.3], 0.7),  # below 0.9: widened three times
    ],
)
def test_calibrate_beta_bisects_to_balance(monkeypatch, caplog, b0, first, width):
    model, rows = _calibrate_on(monkeypatch, _crossing(b0))
    betas = [r["beta"] for r in rows]
    assert betas[: len(first)] == pytest.approx(first)
    assert len(rows) == len(first) + 6  # then 6 bisection steps
    assert model.params["beta"] == pytest.approx(b0, abs=width / 2**6)
    assert not any("failed" in r.message for r in caplog.records)


def test_calibrate_beta_reports_failure_beyond_its_widenings(monkeypatch, caplog):
    model, rows = _calibrate_on(monkeypatch, _crossing(3.0))  # beyond 1 + 0.1 * 2**3
    assert [r["beta"] for r in rows] == pytest.approx([1.0, 0.9, 1.1, 1.2, 1.4, 1.8])
    assert model.params["beta"] == pytest.approx(1.8)  # the best evaluated, better than 1
    assert any("calibrate_beta failed" in r.message for r in caplog.records)


def test_calibrate_beta_keeps_one_when_every_other_beta_is_worse(monkeypatch, caplog):
    def curve(beta):  # balanced sign change at 1, but both rates leave 0.5 faster off 1
        off = beta - 1.0
        return 0.6 - 2 * off + 4 * abs(off), 0.6 + 2 * off + 4 * abs(off)

    model, rows = _calibrate_on(monkeypatch, curve)
    assert len(rows) == 9 and all(r["beta"] != 1.0 for r in rows[1:])
    assert model.params["beta"] == 1.0
    assert any("keeping beta 1" in r.message for r in caplog.records)


def test_calibrate_beta_in_training(dataset):
    train(dataset, RBM | {"calibrate_beta": True})
    model = load_model(dataset / "out/checkpoint.npz")
    rows = read_checkpoint_meta(dataset / "out/checkpoint.npz")["provenance"]["beta_calibration"]
    assert len(rows) >= 3 and {r["beta"] for r in rows[:3]} == {1.0, 0.9, 1.1}
    worst = [max(abs(r["aa_truth"] - 0.5), abs(r["aa_syn"] - 0.5)) for r in rows]
    assert model.params["beta"] == rows[int(np.argmin(worst))]["beta"]
    with pytest.raises(ConfigError, match="calibrate_beta"):
        train(dataset, {"seed": 1, "calibrate_beta": True}, model="bernoulli")


@pytest.mark.parametrize("name", ["copying", "rbm"])
def test_sample_classes_keeps_the_models_own_draw(name):
    """Drawing the class ids first with the model's own shares gives the AGs of a plain
    ``sample`` (so recording each AG's class changes no AG), and each AG is of its class
    (class 0 has allele frequency 0.1, class 2 0.9)."""
    from genosynth.models import get_model
    from genosynth.training import sample_classes

    rng = np.random.default_rng(5)
    labels = np.repeat([0, 1, 2], 20)
    h = (rng.random((60, 12)) < np.array([0.1, 0.5, 0.9])[labels, None]).astype(np.int8)
    params = {"n_hidden": 4, "epochs": 2, "burn_in": 10} if name == "rbm" else {}
    model = get_model(name, **params).fit(h, seed=1, labels=labels)
    ags, classes = sample_classes(model, 40, seed=9, proportions=model.label_proportions)
    np.testing.assert_array_equal(ags, model.sample(40, seed=9))
    assert classes.dtype == np.int64 and set(classes) <= {0, 1, 2}
    if name == "copying":  # mosaics of their class's haplotypes (2 RBM epochs learn little)
        assert ags[classes == 0].mean() < 0.3 < 0.7 < ags[classes == 2].mean()
