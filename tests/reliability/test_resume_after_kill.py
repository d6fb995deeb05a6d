"""Training killed with SIGKILL anywhere resumes to the bytes of an uninterrupted run.

For each trainable model the workflow step (``train_model`` for the GAN and the RBM, with
evaluations; ``train_wgan``) runs in a subprocess (:mod:`killable`) that kills itself with
``SIGKILL`` at chosen points: during an evaluation, halfway through writing a resume file,
and right after an epoch's row reached the partial log but before that epoch's checkpoint
(then a torn half row is appended, as a kill in the middle of the append leaves). The epochs
are drawn at random (``GENOSYNTH_KILL_SEED`` replays a draw). After the last rerun, the
checkpoint, the training log and the AGs drawn from the checkpoint must be the bytes of an
uninterrupted run with the same seed, with no side file left.

Wall times are not in the training log by design (they differ run to run; the job log has
the rate and Snakemake's benchmark file the job's time), so the whole file is compared.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genosynth import formats
from genosynth.models.base import read_checkpoint_meta

from . import killable

DRIVER = Path(killable.__file__)
SRC = Path(__file__).resolve().parents[2] / "src"

#: Kill points in order, per model: the DNA WGAN has no evaluations.
CHAINS = {
    "gan": ("evaluation", "append"),
    "rbm": ("evaluation", "checkpoint", "append"),
    "wgan": ("checkpoint", "append"),
}


def run(folder: Path, model: str, *kill) -> subprocess.CompletedProcess:
    """Run the driver in ``folder`` (relative paths: two folders get the same bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    env |= {"TF_CPP_MIN_LOG_LEVEL": "2"}
    cmd = [sys.executable, str(DRIVER), model, *map(str, kill)]
    return subprocess.run(cmd, cwd=folder, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted run per model (made on first use); its folder."""
    made: dict[str, Path] = {}

    def get(model: str) -> Path:
        if model not in made:
            folder = tmp_path_factory.mktemp(f"reference-{model}")
            done = run(folder, model)
            assert done.returncode == 0, done.stderr[-3000:]
            made[model] = folder
        return made[model]

    return get


def resume_step(out: Path) -> int:
    """The epoch of the resume file in ``out`` (0 where there is none yet)."""
    files = list(out.glob("resume-*.npz"))
    assert len(files) <= 1, files
    return read_checkpoint_meta(files[0])["step"] if files else 0


def kill_epoch(rng, model: str, where: str, after: int) -> int:
    """A random epoch after ``after`` at which ``where`` happens in a run of ``model``."""
    settings = killable.SETTINGS[model]
    target = settings.get("epochs", settings.get("steps"))
    every = {"evaluation": settings.get("eval_every"), "checkpoint": settings["checkpoint_every"]}
    epochs = np.arange(after + 1, target + 1)
    if where in every:
        epochs = epochs[(epochs % every[where] == 0) | (epochs == target)]
        if where == "evaluation":
            epochs = epochs[epochs % every[where] == 0]
    return int(rng.choice(epochs))


def ags(folder: Path, model: str) -> np.ndarray:
    if model == "wgan":
        return np.load(folder / "ags.npy")
    ids, haplotypes = formats.read_hapt_matrix(folder / "ags.hapt.gz")
    assert len(ids) == 60
    return haplotypes


def test_reference_run_is_reproducible_to_the_byte(tmp_path, reference):
    """The premise: two uninterrupted RBM runs with the same seed write the same bytes."""
    done = run(tmp_path, "rbm")
    assert done.returncode == 0, done.stderr[-3000:]
    ref = reference("rbm")
    for name in ("checkpoint.npz", "training_log.tsv"):
        assert (tmp_path / "out" / name).read_bytes() == (ref / "out" / name).read_bytes(), name
    log = pd.read_csv(tmp_path / "out/training_log.tsv", sep="\t")
    assert "epoch_s" not in log and log.epoch.tolist() == list(range(1, 31))


@pytest.mark.parametrize("model", list(CHAINS))
def test_killed_training_resumes_to_the_same_bytes(tmp_path, reference, model):
    seed = int(os.environ.get("GENOSYNTH_KILL_SEED", np.random.SeedSequence().entropy % 2**32))
    rng = np.random.default_rng(seed)
    out, kills = tmp_path / "out", []
    for where in CHAINS[model]:
        epoch = kill_epoch(rng, model, where, resume_step(out))
        kills.append((where, epoch))
        context = f"{model}, kills {kills} (GENOSYNTH_KILL_SEED={seed})"
        killed = run(tmp_path, model, where, epoch)
        assert killed.returncode == -signal.SIGKILL, f"{context}: {killed.stderr[-3000:]}"
        assert not (out / "checkpoint.npz").exists(), context
        if where == "append":  # a kill in the middle of the next row's append
            (partial,) = out.glob("training_log-*.partial.jsonl")
            with open(partial, "a") as fh:
                fh.write(f'{{"{"step" if model == "wgan" else "epoch"}": {epoch + 1}, "d_lo')
    done = run(tmp_path, model)
    assert done.returncode == 0, f"{context}: {done.stderr[-3000:]}"
    ref = reference(model)
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(p.name for p in (ref / "out").iterdir()), context
    with np.load(out / "checkpoint.npz") as got, np.load(ref / "out/checkpoint.npz") as want:
        assert got.files == want.files, context
        for key in got.files:  # state/..., optimizer/..., meta (step, RNG state, params)
            assert got[key].dtype == want[key].dtype, f"{context}: {key}"
            assert got[key].tobytes() == want[key].tobytes(), f"{context}: {key}"
    for name in ("checkpoint.npz", "training_log.tsv"):
        got, want = (out / name).read_bytes(), (ref / "out" / name).read_bytes()
        assert got == want, f"{context}: {name}"
    np.testing.assert_array_equal(ags(tmp_path, model), ags(ref, model), err_msg=context)
    log = pd.read_csv(out / "training_log.tsv", sep="\t")
    step = "step" if model == "wgan" else "epoch"
    target = len(log)
    assert log[step].tolist() == list(range(1, target + 1)), context  # every epoch once
    if model != "wgan":  # every evaluation once
        every = killable.SETTINGS[model]["eval_every"]
        assert log.dropna(subset=["aats"])[step].tolist() == list(range(every, target + 1, every))


class _Stub:
    step_name = "epoch"


@pytest.mark.parametrize(
    ("lines", "kept"),
    [
        (['{"epoch": 1, "loss": 0.5}', '{"epoch": 2, "loss": 0.25}', '{"epoch": 3, "lo'], [1, 2]),
        (['{"epoch": 1, "loss": 0.5}', '{"epoch": 2, "loss": 0.25}', '{"epoch": 3}'], [1, 2]),
        (['{"epoch": 1, "loss": 0.5}', '{"epoch": 3, "loss": 0.25}'], None),  # epoch 2 lost
        (['{"epoch": 1, "loss": 0.5}', '{"epoch": 2, "lo', '{"epoch": 3}'], None),  # broken
        (['{"epoch": 1, "loss": 0.5}'], None),  # the log lost epoch 2
    ],
    ids=["torn-last-line", "rows-after-resume", "missing-row", "broken-middle", "short"],
)
def test_partial_log_restores_the_rows_up_to_the_resume_file(tmp_path, lines, kept):
    """Resuming at epoch 2: the rows 1 and 2 are kept and the file rewritten whole, or
    (a row missing, a line broken before the last) nothing is, and training starts afresh."""
    from genosynth.training import Evaluation

    partial = tmp_path / "training_log-x.partial.jsonl"
    partial.write_text("\n".join(lines))  # no newline after the last line
    monitor = Evaluation(_Stub(), None, seed=0, eval_every=0, partial=partial)
    restored = monitor.restore(2)
    assert restored == (kept is not None)
    if kept is not None:
        assert [r["epoch"] for r in monitor.rows] == kept
        assert partial.read_text() == '{"epoch": 1, "loss": 0.5}\n{"epoch": 2, "loss": 0.25}\n'
    else:
        assert monitor.rows == [] and partial.read_text() == "\n".join(lines)
