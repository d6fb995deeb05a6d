"""A truncated or changed checkpoint or resume file: one clear error, or a clean restart.

Damage is a file cut to half its bytes, or one byte flipped in the middle of a state
array's compressed data. Reading the checkpoint raises one ``CorruptFileError`` (a
``GenosynthError``) naming the file, saying it is corrupt and how to write it again;
sampling names the rule to force; a damaged resume file is moved aside and training starts
afresh, to the same final bytes as an undamaged run.
"""

from __future__ import annotations

import logging
import re
import struct
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genosynth import formats, training
from genosynth.errors import GenosynthError
from genosynth.models import get_model, load_model
from genosynth.models.base import read_checkpoint_meta
from genosynth.steps import sample as sample_step
from genosynth.steps.train import train_model

CORRUPT = "corrupt checkpoint, truncated or changed since it was written ("
RBM = {"n_hidden": 8, "epochs": 12, "burn_in": 20, "checkpoint_every": 4, "eval_every": 3}
RBM |= {"seed": 3}


def damage(path: Path, how: str) -> None:
    """Cut ``path`` to half its bytes, or flip a byte inside its largest member's data."""
    data = bytearray(path.read_bytes())
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
        return
    with zipfile.ZipFile(path) as z:
        member = max(z.infolist(), key=lambda i: i.compress_size)
    name_len, extra_len = struct.unpack("<HH", data[member.header_offset + 26 :][:4])
    start = member.header_offset + 30 + name_len + extra_len
    data[start + member.compress_size // 2] ^= 0xFF
    path.write_bytes(data)


def haplotypes() -> np.ndarray:
    rng = np.random.default_rng(0)
    types = rng.integers(0, 2, (2, 30), dtype=np.int8)
    return types[rng.integers(0, 2, 60)] ^ (rng.random((60, 30)) < 0.05).astype(np.int8)


def write_dataset(folder: Path) -> None:
    """``train.hapt.gz`` (60 x 30), ``panel.tsv`` and ``dataset.json`` in ``folder``."""
    ids = [f"S{i // 2:03d}_{'AB'[i % 2]}" for i in range(60)]
    formats.write_hapt(folder / "train.hapt.gz", haplotypes(), ids)
    pd.DataFrame({"hap_id": ids, "pop": "P1"}).to_csv(folder / "panel.tsv", sep="\t", index=False)
    (folder / "dataset.json").write_text('{"layout": "haplotypes"}')


def expected_message(path, fix: str) -> str:
    """The whole message: file, problem (with the reader's own words), fix (a regex)."""
    return f"^{re.escape(str(path))}: {re.escape(CORRUPT)}.+\\)\\. Fix: {fix}$"


@pytest.mark.parametrize("how", ["truncated", "flipped"])
def test_damaged_checkpoint_is_one_error_naming_file_and_fix(tmp_path, how):
    path = tmp_path / "checkpoint.npz"
    get_model("rbm", n_hidden=8, epochs=2, burn_in=5).fit(haplotypes(), seed=1).save(path)
    damage(path, how)
    fix = rf"write it again: rerun the job that makes it \(snakemake {path} --force, with your"
    fix += r" other options\)"
    with pytest.raises(GenosynthError, match=expected_message(path, fix)) as err:
        load_model(path)
    assert err.value.path == str(path)
    with pytest.raises(GenosynthError, match=expected_message(path, fix)):
        read_checkpoint_meta(path, verify=True)
    if how == "truncated":  # the metadata alone cannot be read either
        with pytest.raises(GenosynthError, match=expected_message(path, fix)):
            read_checkpoint_meta(path)


@pytest.mark.parametrize("how", ["truncated", "flipped"])
@pytest.mark.parametrize(
    ("model", "rule"), [("rbm", "train_network"), ("bernoulli", "train_baseline")]
)
def test_sampling_a_damaged_checkpoint_says_which_rule_to_force(tmp_path, how, model, rule):
    write_dataset(tmp_path)
    checkpoint = tmp_path / f"models/{model}/checkpoint.npz"
    get_model(model, **({"n_hidden": 8, "epochs": 2} if model == "rbm" else {})).fit(
        haplotypes(), seed=1
    ).save(checkpoint)
    damage(checkpoint, how)
    ags = tmp_path / f"ags/{model}.hapt.gz"
    fix = rf"retrain the model: snakemake {ags} --forcerun {rule} \(with your other options, "
    fix += r"--configfile after the target\)"
    with pytest.raises(GenosynthError, match=expected_message(checkpoint, fix)):
        sample_step.sample(
            checkpoint=checkpoint,
            real=[tmp_path / "train.hapt.gz"],
            info=tmp_path / "dataset.json",
            ags=ags,
            sampling={"n_ags": 0, "seed": 9},
        )
    assert not (tmp_path / "ags").exists() or not any((tmp_path / "ags").iterdir())


def train(folder: Path) -> None:
    """The ``train_network`` step on ``folder``'s dataset, with relative paths."""
    train_model(model="rbm", settings=RBM, train="train.hapt.gz", panel="panel.tsv",
                checkpoint="out/checkpoint.npz", training_log="out/training_log.tsv")  # fmt: skip


@pytest.mark.parametrize("how", ["truncated", "flipped"])
def test_damaged_resume_file_is_moved_aside_and_training_starts_afresh(
    tmp_path, monkeypatch, caplog, how
):
    for run in ("reference", "damaged"):
        (tmp_path / run).mkdir()
        write_dataset(tmp_path / run)
    monkeypatch.chdir(tmp_path / "reference")
    train(Path("."))
    monkeypatch.chdir(tmp_path / "damaged")
    append = training.Evaluation.__call__

    def killed_in_epoch_10(self, epoch, logs):
        append(self, epoch, logs)
        if epoch == 10:
            raise KeyboardInterrupt  # after the epoch-8 resume file

    monkeypatch.setattr(training.Evaluation, "__call__", killed_in_epoch_10)
    with pytest.raises(KeyboardInterrupt):
        train(Path("."))
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path / "damaged")
    (resume,) = Path("out").glob("resume-*.npz")
    damage(resume, how)
    with caplog.at_level(logging.INFO, logger="genosynth.training"):
        train(Path("."))
    aside = resume.with_name(resume.name + ".corrupt")
    assert aside.is_file() and not resume.exists()
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert messages[0].startswith(f"{resume}: {CORRUPT}"), messages
    assert messages[0].endswith(f"; moved it to {aside.name}"), messages
    assert messages[1] == f"{resume}: cannot resume from it; training starts afresh", messages
    assert not any("resuming" in r.getMessage() for r in caplog.records)
    ref = tmp_path / "reference/out"
    for name in ("checkpoint.npz", "training_log.tsv"):
        assert (Path("out") / name).read_bytes() == (ref / name).read_bytes(), name
    assert sorted(p.name for p in Path("out").iterdir()) == sorted(
        [aside.name, *(p.name for p in ref.iterdir())]
    )
    log = pd.read_csv("out/training_log.tsv", sep="\t")
    assert log.epoch.tolist() == list(range(1, 13))
    assert log.dropna(subset=["aats"]).epoch.tolist() == [3, 6, 9, 12]
