"""DNA track speed: WGAN-GP generator steps and the NumPy sampler.

``dna_wgan_step_s`` is the median seconds per generator step (5 critic steps with the
gradient penalty + 1 generator step, batch 64) of the default-config 50-mer model
(latent 32, 32 channels, 2 residual blocks) on 2000 random one-hot 50-mers, timed over
steps 21-60 after the graph is traced; ``dna_wgan_paper_step_s`` the same for the paper's
size (latent 100, 100 channels, 5 blocks), 10 steps. ``dna_wgan_trace_s`` is the first
step (network build and graph tracing: paid once per training job).
``dna_sample_numpy_speedup`` is the Keras-to-NumPy time ratio of generating 5000 50-mers
from the default model (figure jobs sample with NumPy and never import TensorFlow).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from run import benchmark


def _step_times(x, n_steps, **params):
    from genosynth.dna.wgan import SequenceWGAN

    times: list[float] = []
    last = [time.perf_counter()]

    def tick(step, logs):
        now = time.perf_counter()
        times.append(now - last[0])
        last[0] = now
        return False

    model = SequenceWGAN(**params, batch_size=64, steps=n_steps)
    model.configure_threads(2)
    model.fit(x, seed=0, callback=tick)
    return model, times


@benchmark("dna")
def bench_dna(args):
    """Seconds per WGAN step (default and paper size), trace time, NumPy sampling ratio."""
    from genosynth.dna.inference import load_generator
    from genosynth.dna.sequences import one_hot

    rng = np.random.default_rng(20240601)
    x = one_hot(rng.integers(0, 4, (2000, 50)).astype(np.uint8))
    t0 = time.perf_counter()
    model, times = _step_times(x, 60, latent_size=32, dim=32, n_blocks=2)
    yield "dna_wgan_trace_s", times[0]
    yield "dna_wgan_step_s", statistics.median(times[20:])
    _, paper = _step_times(x, 11, latent_size=100, dim=100, n_blocks=5)
    yield "dna_wgan_paper_step_s", statistics.median(paper[1:])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "wgan.npz"
        model.save(path)
        forward = load_generator(path)
        start = time.perf_counter()
        model.sample(5000, seed=1)
        keras_s = time.perf_counter() - start
        start = time.perf_counter()
        forward.sample(5000, seed=1)
        numpy_s = time.perf_counter() - start
    yield "dna_sample_numpy_speedup", keras_s / numpy_s
    yield "dna_bench_total_s", time.perf_counter() - t0
