"""Scaling with the SNP count: the convolutional WGAN (``conv_gan``) against the dense GAN.

``python bench/run.py scale`` trains each model on random 0/1 haplotypes (fixed seed) of
4,096 / 16,384 / 65,536 SNPs x 5,008 haplotypes, one subprocess per model and size, on
2 TensorFlow threads, and reports per size

* ``epoch_s``: seconds per epoch, **extrapolated** from a fixed number of training steps:
  after one warm-up call (tracing and XLA compilation), the median time of the timed calls of
  ``steps`` critic steps (conv_gan; each with its generator step every ``n_critic``-th) or
  ``steps`` batches (gan), times the steps of a whole epoch on 5,008 haplotypes;
* ``peak_mb``: the subprocess's peak resident memory (``ru_maxrss``): TensorFlow, the
  5,008 x L int8 training matrix, the networks, optimizers and the compiled step;
* ``params``: trainable weights of both networks;
* ``sample_s``: seconds to draw 1,000 AGs (``model.sample``, the call the workflow's
  ``sample_ags`` and the stopping rule make), timed on ``sample_n`` AGs after training and
  one warm-up call of the generator;
* ``sample_peak_mb``: the peak resident memory once they are drawn (``peak_mb`` is before):
  what a training job that also evaluates AGs needs;

then the ratios of each against the smallest size, and the log-log slopes of ``epoch_s``,
``peak_mb`` and ``sample_s`` against the SNP count (least squares over the sizes), printed as
a table and as ``metric<TAB>value`` lines. The dense GAN runs only where its estimated memory
(weights, gradients and two Adam moments, 16 bytes per weight) stays under
:data:`DENSE_LIMIT_GB`; bigger sizes are reported as skipped with that estimate. ``--quick``
runs two small sizes of ``conv_gan`` only (seconds; for tests); ``--tsv PATH`` also writes
the table.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from run import benchmark

SIZES = (4096, 16384, 65536)
N_HAPLOTYPES = 5008
#: Timed steps per call and timed calls per size.
STEPS, REPEATS = 4, 3
#: AGs drawn after training: at least two generator calls at every size (at most 256 each).
SAMPLE_N = 512
#: Dense GAN sizes whose estimated training memory exceeds this are skipped.
DENSE_LIMIT_GB = 8.0
THREADS = 2
QUICK = {"sizes": (512, 2048), "n_haplotypes": 128, "steps": 2, "repeats": 1, "sample_n": 64}


def dense_weights(n_sites: int) -> int:
    """Weights of the dense GAN of Yelmen et al. (2021) at ``n_sites`` (default widths)."""
    from genosynth.models.gan_network import hidden_sizes

    g = [600, *hidden_sizes(n_sites, (1.2, 1.1)), n_sites]
    d = [n_sites, *hidden_sizes(n_sites, (2.0, 3.0)), 1]
    return sum(a * b + b for net in (g, d) for a, b in zip(net, net[1:], strict=False))


def child(spec: dict) -> dict:
    """Time ``spec["steps"]`` training steps of one model at one size (in a subprocess)."""
    from genosynth.models import get_model
    from genosynth.tfutils import configure_threads, tf

    configure_threads(THREADS)
    n, n_sites, steps = spec["n_haplotypes"], spec["n_sites"], spec["steps"]
    data = (np.random.default_rng(20240601).random((n, n_sites)) < 0.3).astype(np.int8)
    model = get_model(spec["model"], **spec["params"])
    t = tf()
    if spec["model"] == "conv_gan":
        from genosynth.models.conv_gan import _Epoch

        t.config.experimental.enable_op_determinism()  # as ConvGANModel's training session
        model.init_training(data, labels=None, seed=0)
        b = min(model.params["batch_size"], n // model.params["pack_m"])
        epoch = _Epoch(model, steps * b * model.params["pack_m"])  # rows 0.. of data
        draw = t.function(epoch.draw_noise)
        run = t.function(epoch.run_batches, jit_compile=model.params["jit_compile"])
        x, onehot = t.constant(data), t.zeros([n, 0], t.float32)
        epoch_steps = n // (b * model.params["pack_m"])

        def call():
            seeds, label_noise, perm = draw()
            run(x, onehot, perm, seeds, label_noise, t.constant(0, "int64"))[0].numpy()
    else:
        b = min(model.params["batch_size"], n)
        sub = data[: steps * b]
        model.init_training(sub, labels=None, seed=0)
        session = model.training_session(sub, labels=None)
        call = session.__enter__()
        epoch_steps = n // b
    start = time.perf_counter()
    call()
    warm = time.perf_counter() - start
    times = []
    for _ in range(spec["repeats"]):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    params = sum(int(np.prod(w.shape)) for w in model._named_weights().values())
    step_s = statistics.median(times) / steps
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    model.sample(model.sample_rows(), seed=0)  # warm-up: traces the generator call
    start = time.perf_counter()
    ags = model.sample(spec["sample_n"], seed=1)
    sample_s = (time.perf_counter() - start) * 1000 / spec["sample_n"]
    assert ags.shape == (spec["sample_n"], n_sites) and ags.dtype == np.int8
    return {
        "step_s": step_s,
        "epoch_s": step_s * epoch_steps,
        "epoch_steps": epoch_steps,
        "warmup_s": warm,
        "peak_mb": peak_mb,
        "params": params,
        "sample_s": sample_s,
        "sample_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _run_child(spec: dict) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(spec)],
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    if proc.returncode != 0:
        raise SystemExit(f"scale child {spec} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def slope(sizes, values) -> float:
    """Least-squares slope of ``log(values)`` against ``log(sizes)``."""
    return float(np.polyfit(np.log(sizes), np.log(values), 1)[0])


def table(rows: list[dict]) -> str:
    """The rows as a tab-separated table with ratios against each model's first size."""
    cols = ["model", "n_sites", "n_haplotypes", "params", "epoch_s", "peak_mb", "sample_s",
            "sample_peak_mb", "epoch_ratio", "peak_ratio", "sample_ratio", "sites_ratio",
            "note"]  # fmt: skip
    lines = ["\t".join(cols)]
    base: dict[str, dict] = {}
    for r in rows:
        ok = r.get("epoch_s") is not None
        b = base.setdefault(r["model"], r) if ok else None
        cells = [r["model"], r["n_sites"], r["n_haplotypes"], r.get("params", "")]
        if ok:
            cells += [f"{r['epoch_s']:.4g}", f"{r['peak_mb']:.0f}", f"{r['sample_s']:.4g}",
                      f"{r['sample_peak_mb']:.0f}", f"{r['epoch_s'] / b['epoch_s']:.3g}",
                      f"{r['peak_mb'] / b['peak_mb']:.3g}",
                      f"{r['sample_s'] / b['sample_s']:.3g}",
                      f"{r['n_sites'] / b['n_sites']:.3g}"]  # fmt: skip
        else:
            cells += [""] * 8
        cells.append(r.get("note", ""))
        lines.append("\t".join(str(c) for c in cells))
    return "\n".join(lines) + "\n"


@benchmark("scale")
def bench_scale(args):
    """Epoch time and peak memory of conv_gan (and the dense GAN) against the SNP count."""
    quick = getattr(args, "quick", False)
    sizes = QUICK["sizes"] if quick else SIZES
    n = QUICK["n_haplotypes"] if quick else N_HAPLOTYPES
    steps = QUICK["steps"] if quick else STEPS
    repeats = QUICK["repeats"] if quick else REPEATS
    sample_n = QUICK["sample_n"] if quick else SAMPLE_N
    models = {"conv_gan": {}}
    if not quick:
        models["gan"] = {"jit_compile": True}
    rows = []
    for name, params in models.items():
        for n_sites in sizes:
            row = {"model": name, "n_sites": n_sites, "n_haplotypes": n}
            if name == "gan":
                gb = 16 * dense_weights(n_sites) / 1e9
                row["params"] = dense_weights(n_sites)
                if gb > DENSE_LIMIT_GB:
                    rows.append(row | {"note": f"skipped: ~{gb:.0f} GB of weights and Adam"})
                    continue
            spec = {"model": name, "params": params, "n_sites": n_sites, "n_haplotypes": n,
                    "steps": steps, "repeats": repeats, "sample_n": sample_n}  # fmt: skip
            result = _run_child(spec)
            note = (f"{steps} steps x {repeats} timed, x{result['epoch_steps']} per epoch; "
                    f"{sample_n} AGs drawn")  # fmt: skip
            rows.append(row | result | {"note": note})
    text = table(rows)
    print(text, end="", flush=True)
    if getattr(args, "tsv", None):
        Path(args.tsv).write_text(text)
    columns = {"epoch_s": "time", "peak_mb": "memory", "sample_s": "sample_time"}
    for r in rows:
        if r.get("epoch_s") is not None:
            for col in (*columns, "sample_peak_mb"):
                yield f"scale_{r['model']}_{r['n_sites']}_{col}", r[col]
    for name in models:
        done = [r for r in rows if r["model"] == name and r.get("epoch_s") is not None]
        if len(done) >= 2:
            for col, what in columns.items():
                yield (
                    f"scale_{name}_{what}_exponent",
                    slope([r["n_sites"] for r in done], [r[col] for r in done]),
                )


if __name__ == "__main__" and sys.argv[1:2] == ["--child"]:
    print(json.dumps(child(json.loads(sys.argv[2]))), flush=True)
