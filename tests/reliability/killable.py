"""Subprocess of ``test_resume_after_kill``: train one model, SIGKILL itself at a chosen point.

``python killable.py MODEL [WHERE EPOCH]``, run in the run's folder: every path is relative,
so that two runs in two folders write the same bytes. ``WHERE`` is where the process kills
itself (a real ``SIGKILL``, so nothing of Python's shutdown runs) in epoch ``EPOCH``:

* ``append``: right after the epoch's row is appended to the partial log, before that
  epoch's checkpoint;
* ``evaluation``: inside the epoch's evaluation (``genosynth.evaluate.aats``);
* ``checkpoint``: halfway through writing the epoch's resume file.

Without ``WHERE`` it trains to the end and draws AGs from the checkpoint (``ags.hapt.gz``,
or ``ags.npy`` for the DNA WGAN).
"""

from __future__ import annotations

import io
import json
import os
import signal
import sys
from pathlib import Path

import numpy as np
import pandas as pd

RBM = {"n_hidden": 8, "epochs": 30, "burn_in": 20, "checkpoint_every": 4, "eval_every": 5}
GAN = {"latent_size": 8, "epochs": 20, "jit_compile": False, "checkpoint_every": 4}
GAN |= {"eval_every": 5}
WGAN = {"latent_size": 4, "dim": 4, "n_blocks": 1, "batch_size": 8, "steps": 12}
WGAN |= {"checkpoint_every": 4}
SETTINGS = {"rbm": RBM | {"seed": 3}, "gan": GAN | {"seed": 3}, "wgan": WGAN | {"seed": 3}}


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def install(where: str, epoch: int, eval_every: int) -> None:
    """Make this process kill itself at ``where`` in ``epoch``."""
    from genosynth import evaluate, training

    if where == "append":
        append = training.Evaluation.__call__

        def then_die(self, step, logs):
            stop = append(self, step, logs)
            if step == epoch:
                die()
            return stop

        training.Evaluation.__call__ = then_die
    elif where == "evaluation":
        aats, calls = evaluate.aats, []

        def dying_aats(*args, **kwargs):
            calls.append(1)
            if len(calls) * eval_every >= epoch:  # the evaluations of a fresh or resumed run
                die()
            return aats(*args, **kwargs)

        evaluate.aats = dying_aats
    elif where == "checkpoint":
        savez = np.savez_compressed

        def dying_savez(fh, **arrays):
            meta = json.loads(str(arrays["meta"]))
            if meta["step"] != epoch or "resume-" not in str(getattr(fh, "name", "")):
                return savez(fh, **arrays)
            buffer = io.BytesIO()
            savez(buffer, **arrays)
            fh.write(buffer.getvalue()[: buffer.tell() // 2])
            fh.flush()
            die()

        np.savez_compressed = dying_savez
    else:
        raise SystemExit(f"unknown kill point {where!r}")


def write_inputs() -> None:
    """The training set of the haplotype models (60 x 30), its panel and dataset.json."""
    from genosynth import formats

    rng = np.random.default_rng(0)
    types = rng.integers(0, 2, (2, 30), dtype=np.int8)
    haps = types[rng.integers(0, 2, 60)] ^ (rng.random((60, 30)) < 0.05).astype(np.int8)
    ids = [f"S{i // 2:03d}_{'AB'[i % 2]}" for i in range(60)]
    formats.write_hapt("train.hapt.gz", haps, ids)
    pd.DataFrame({"hap_id": ids, "pop": "P1"}).to_csv("panel.tsv", sep="\t", index=False)
    Path("dataset.json").write_text('{"layout": "haplotypes"}')


def sequences() -> np.ndarray:
    """One-hot toy sequences with an exon track, float32 (64, 8, 5)."""
    from genosynth.dna.sequences import one_hot

    rng = np.random.default_rng(0)
    x = one_hot(rng.integers(0, 4, (64, 8)).astype(np.uint8))
    return np.concatenate([x, (rng.random((64, 8, 1)) < 0.5).astype(np.float32)], -1)


def main(model: str, where: str | None = None, epoch: str | None = None) -> None:
    settings = SETTINGS[model]
    if where is not None:
        install(where, int(epoch), settings.get("eval_every", 0))
    out = {"checkpoint": "out/checkpoint.npz", "training_log": "out/training_log.tsv"}
    if model == "wgan":
        from genosynth.dna.wgan import load_wgan
        from genosynth.steps.train import train_wgan

        train_wgan(sequences(), settings=settings, **out)
        np.save("ags.npy", load_wgan(out["checkpoint"]).sample(20, seed=9))
        return
    from genosynth.steps import sample
    from genosynth.steps.train import train_model

    if not Path("train.hapt.gz").exists():
        write_inputs()
    train_model(model=model, settings=settings, train="train.hapt.gz", panel="panel.tsv", **out)
    sample.sample(
        checkpoint=out["checkpoint"],
        real=["train.hapt.gz"],
        info="dataset.json",
        ags="ags.hapt.gz",
        sampling={"n_ags": 0, "seed": 9},
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
