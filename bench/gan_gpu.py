"""Paper-scale GAN training on a GPU: the epoch of ``genosynth.models.gan``, step for step, in JAX.

The lent GPU machines have JAX with CUDA but no TensorFlow, and cannot fetch it (no
network; TensorFlow's wheel and the CUDA 12 libraries it loads are far over what a
call may carry). This script restates the GAN's per-batch arithmetic (module notes of
:mod:`genosynth.models.gan`, the paper's two discriminator steps per batch) in JAX:

* generator ``tanh(MLP(z))``, discriminator ``MLP`` logits, LeakyReLU hidden layers;
* loss: binary cross-entropy from the logits (what Keras computes for a sigmoid
  output inside a compiled function), batch mean, plus ``l2 * sum(W**2)`` over the
  hidden kernels;
* per batch two discriminator Adam steps (real rows, targets ``1 - s``; fake rows,
  targets 0), then one generator Adam step against the updated discriminator;
* Keras's Adam: ``alpha = lr * sqrt(1 - b2**t) / (1 - b1**t)``,
  ``w -= alpha * m / (sqrt(v) + eps)``; float32 products at full precision.

``check`` runs one epoch from the library's weights with the noise the TensorFlow
epoch drew (``reference``) and prints the largest weight difference; ``train`` runs
several models at once (``jax.vmap``) from the library's own initial weights and
input noise, evaluating AATS every ``--eval-every`` epochs as the workflow's training
log does (1,000 training haplotypes against 1,000 AGs), and keeps the evaluated
generator nearest AATS 0.5 (the paper's stopping rule). An unconditional model is
run as a conditional one with zero label inputs and zero label rows in the first
kernels, which is the same function and the same gradients.

Measured (2026-11-22, one NVIDIA H100, JAX 0.11.2; real 805-SNP ``wide`` set, 3,750
training haplotypes, conditional): ``check`` 6.9e-8; one model 27.0 ms per epoch (20,000
epochs: 540 s, plus 12 s compiling); three models side by side 55.3 ms per epoch (1,105 s).

Usage, from the repository root (``JAX`` a Python with jax and numpy)::

    .venv/bin/python bench/gan_gpu.py prepare DATA.npz --train T --panel P \
        --runs 13:super_pop 14:super_pop 13:none
    .venv/bin/python bench/gan_gpu.py reference REF.npz
    JAX bench/gan_gpu.py check REF.npz
    JAX bench/gan_gpu.py train DATA.npz OUTDIR --epochs 20000 --eval-every 250
    .venv/bin/python bench/gan_gpu.py export DATA.npz OUTDIR/weights0.npz CKPT.npz --run 0
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

import numpy as np

NETS = ("generator", "discriminator")
LAYERS = ("hidden_1", "hidden_2", "output")
EVAL_ROWS = 1000


def weight_keys(net: str) -> list[tuple[str, str]]:
    """``(kernel key, bias key)`` of each layer of ``net`` in GANModel state naming."""
    return [(f"{net}/{net}_{lay}/kernel", f"{net}/{net}_{lay}/bias") for lay in LAYERS]


def noisy(h: np.ndarray, seed: int, input_noise: float) -> np.ndarray:
    """:func:`genosynth.models.gan.noisy_inputs`, restated so the GPU side needs only numpy."""
    noise = np.random.default_rng([seed, 2]).uniform(0.0, input_noise, size=h.shape)
    return (h - noise).astype(np.float32)


def digest(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


# --- the JAX epoch ------------------------------------------------------------------------
def jax_epoch_functions(p: dict):
    """``(epoch_with_noise, epoch, generate, aats)`` for GAN parameters ``p`` (JAX)."""
    import jax
    import jax.numpy as jnp

    hi = jax.lax.Precision.HIGHEST
    alpha, l2 = p["leaky_alpha"], p["l2"]
    b1, b2, eps = p["adam_beta_1"], p["adam_beta_2"], p["adam_epsilon"]

    def logits(layers, x):
        for w, b in layers[:-1]:
            x = jax.nn.leaky_relu(jnp.dot(x, w, precision=hi) + b, alpha)
        w, b = layers[-1]
        return jnp.dot(x, w, precision=hi) + b

    def bce(target, z):
        per_row = jnp.maximum(z, 0.0) - z * target + jnp.log1p(jnp.exp(-jnp.abs(z)))
        return jnp.mean(per_row)

    def penalty(layers):
        return sum(l2 * jnp.sum(jnp.square(w)) for w, _ in layers[:-1])

    def adam(layers, opt, grads, lr):
        t = (opt["t"] + 1).astype(jnp.float32)
        step = lr * jnp.sqrt(1.0 - b2**t) / (1.0 - b1**t)
        m = jax.tree.map(lambda m, g: m + (g - m) * (1.0 - b1), opt["m"], grads)
        v = jax.tree.map(lambda v, g: v + (jnp.square(g) - v) * (1.0 - b2), opt["v"], grads)
        new = jax.tree.map(lambda w, m, v: w - m * step / (jnp.sqrt(v) + eps), layers, m, v)
        return new, {"t": opt["t"] + 1, "m": m, "v": v}

    def d_step(s, inputs, target):
        def loss(D):
            return bce(target, logits(D, inputs)) + penalty(D)

        value, grads = jax.value_and_grad(loss)(s["D"])
        D, opt = adam(s["D"], s["oD"], grads, p["d_lr"])
        return {**s, "D": D, "oD": opt}, value

    def batch(s, real, onehot, z, real_target):
        g_in = jnp.concatenate([z, onehot], axis=1)

        def fake_of(G):
            return jnp.concatenate([jnp.tanh(logits(G, g_in)), onehot], axis=1)

        fake = fake_of(s["G"])
        s, d_real = d_step(s, jnp.concatenate([real, onehot], axis=1), real_target)
        s, d_fake = d_step(s, fake, jnp.zeros_like(real_target))

        def g_loss(G):
            return bce(jnp.ones_like(real_target), logits(s["D"], fake_of(G))) + penalty(G)

        value, grads = jax.value_and_grad(g_loss)(s["G"])
        G, opt = adam(s["G"], s["oG"], grads, p["g_lr"])
        return {**s, "G": G, "oG": opt}, 0.5 * (d_real + d_fake), value

    def epoch_with_noise(s, x, onehot, perm, z, real_targets):
        n_batches, b = z.shape[0], z.shape[1]
        idx = perm[: n_batches * b].reshape(n_batches, b)

        def body(s, inp):
            i, zi, ti = inp
            s, d, g = batch(s, x[i], onehot[i], zi, ti)
            return s, (d, g)

        s, (d, g) = jax.lax.scan(body, s, (idx, z, real_targets))
        return s, jnp.mean(d), jnp.mean(g)

    def epoch(s, x, onehot, key):
        n = x.shape[0]
        b = min(p["batch_size"], n)
        k_perm, k_z, k_s = jax.random.split(key, 3)
        perm = jnp.argsort(jax.random.uniform(k_perm, (n,)), stable=True)
        z = jax.random.normal(k_z, (n // b, b, p["latent_size"]))
        smooth = jax.random.uniform(k_s, (n // b, b, 1), maxval=p["real_label_noise"])
        return epoch_with_noise(s, x, onehot, perm, z, 1.0 - smooth)

    def generate(G, g_in):
        return jnp.rint(jnp.maximum(jnp.tanh(logits(G, g_in)), 0.0))

    def aats(real, syn):
        def nearest(a, b, exclude_self):
            d = a.sum(1)[:, None] + b.sum(1)[None, :] - 2.0 * jnp.dot(a, b.T, precision=hi)
            if exclude_self:
                d = d + jnp.where(jnp.eye(a.shape[0], dtype=bool), jnp.inf, 0.0)
            return d.min(1)

        aa_truth = jnp.mean(nearest(real, syn, False) > nearest(real, real, True))
        aa_syn = jnp.mean(nearest(syn, real, False) > nearest(syn, syn, True))
        return aa_truth, aa_syn

    return epoch_with_noise, epoch, generate, aats


def initial_state(weights: dict, prefix: str = "") -> dict:
    """JAX training state (weights, zero Adam moments) from GANModel-named arrays."""
    import jax
    import jax.numpy as jnp

    s = {}
    for net, key in (("generator", "G"), ("discriminator", "D")):
        layers = [
            (jnp.asarray(weights[prefix + k]), jnp.asarray(weights[prefix + b]))
            for k, b in weight_keys(net)
        ]
        zeros = jax.tree.map(jnp.zeros_like, layers)
        s[key] = layers
        s["o" + key] = {"t": jnp.zeros((), jnp.int32), "m": zeros, "v": zeros}
    return s


def named_layers(net: str, layers) -> dict[str, np.ndarray]:
    """GANModel-named arrays of one network's ``[(kernel, bias), ...]``."""
    out = {}
    for (kk, bk), (w, b) in zip(weight_keys(net), layers, strict=True):
        out[kk], out[bk] = np.asarray(w), np.asarray(b)
    return out


def state_arrays(s: dict) -> dict[str, np.ndarray]:
    """GANModel-named weight arrays of a JAX state."""
    return named_layers("generator", s["G"]) | named_layers("discriminator", s["D"])


# --- modes --------------------------------------------------------------------------------
def twin_params(model) -> dict:
    """The GAN's parameters plus the fixed constants of the paper's arithmetic, as the JAX
    twin reads them (it imports no genosynth code on the device)."""
    from genosynth.models.gan import ADAM_EPSILON, LEAKY_ALPHA
    from genosynth.models.gan_train import INPUT_NOISE, REAL_LABEL_NOISE

    return model.params | {
        "leaky_alpha": LEAKY_ALPHA,
        "adam_epsilon": ADAM_EPSILON,
        "real_label_noise": REAL_LABEL_NOISE,
        "input_noise": INPUT_NOISE[model.params["output"]],
    }


def cmd_reference(args):
    """TensorFlow side: one GANModel epoch on small random data, with its noise."""
    from genosynth.models.gan import GANModel, label_inputs, noisy_inputs

    rng = np.random.default_rng(5)
    h = (rng.random((200, 60)) < 0.3).astype(np.int8)
    y = rng.integers(0, 3, 200)
    params = {"latent_size": 24, "jit_compile": False}
    m = GANModel(**params).fit(h, seed=3, labels=y, epochs=0)
    before = m.get_state()
    noise = m.epoch_noise(len(h))
    after = GANModel(**params).fit(h, seed=3, labels=y, epochs=1).get_state()
    arrays = {f"before/{k}": v for k, v in before.items()}
    arrays |= {f"after/{k}": v for k, v in after.items()}
    arrays |= {f"noise/{k}": v for k, v in noise.items()}
    arrays["x"] = noisy_inputs(h, 3, twin_params(m)["input_noise"])
    arrays["onehot"] = label_inputs(y, 3, m.params["label_scale"])
    np.savez(args.out, params=np.array(json.dumps(twin_params(m))), **arrays)
    print(f"wrote {args.out}")


def cmd_check(args):
    """JAX side: the reference epoch from the same weights and noise; weight differences."""
    import jax

    with np.load(args.ref) as z:
        ref = {k: z[k] for k in z.files}
    params = json.loads(str(ref["params"]))
    epoch_with_noise = jax_epoch_functions(params)[0]
    s = initial_state(ref, "before/")
    s, d, g = jax.jit(epoch_with_noise)(
        s,
        ref["x"],
        ref["onehot"],
        ref["noise/perm"],
        ref["noise/latent"],
        ref["noise/real_targets"],
    )
    got = state_arrays(s)
    worst = 0.0
    for k, v in got.items():
        want = ref[f"after/{k}"]
        moved = np.abs(want - ref[f"before/{k}"]).max()
        diff = np.abs(v - want).max()
        worst = max(worst, diff)
        print(f"{k}\tmax|jax-tf|={diff:.3g}\tmax|epoch update|={moved:.3g}")
    print(f"max_abs_diff\t{worst:.3g}\td_loss\t{float(d):.6f}\tg_loss\t{float(g):.6f}")


def cmd_prepare(args):
    """Training data, labels and each run's library-initialised weights."""
    from genosynth import formats
    from genosynth.models.gan import GANModel
    from genosynth.steps.train import _labels

    ids, h = formats.read_hapt_matrix(args.train)
    labels = _labels(args.panel, ids, "super_pop")
    k = int(labels.max()) + 1
    arrays = {"h": h, "labels": labels}
    runs = []
    for i, spec in enumerate(args.runs):
        seed_s, conditional = spec.split(":")
        seed = int(seed_s)
        y = labels if conditional != "none" else None
        m = GANModel().fit(h, seed=seed, labels=y, epochs=0)
        state = m.get_state()
        if y is None:  # zero rows for the label inputs: the same function and gradients
            for net, width in (
                ("generator", m.params["latent_size"]),
                ("discriminator", h.shape[1]),
            ):
                key = f"{net}/{net}_hidden_1/kernel"
                pad = np.zeros((k, state[key].shape[1]), np.float32)
                state[key] = np.concatenate([state[key], pad])
                assert state[key].shape[0] == width + k
        for name, v in state.items():
            if name != "label_proportions":
                arrays[f"run{i}/{name}"] = v
        rng = np.random.default_rng(seed)
        arrays[f"run{i}/eval_rows"] = np.sort(rng.choice(len(h), EVAL_ROWS, replace=False))
        arrays[f"run{i}/x_sha256"] = np.array(digest(noisy(h, seed, twin_params(m)["input_noise"])))
        runs.append({"seed": seed, "conditional": conditional})
    arrays["runs"] = np.array(json.dumps(runs))
    arrays["params"] = np.array(json.dumps(twin_params(GANModel())))
    np.savez_compressed(args.out, **arrays)
    print(f"wrote {args.out}: {len(runs)} runs on {h.shape}")


def eval_inputs(runs: list, p: dict, proportions: np.ndarray, epoch: int) -> np.ndarray:
    """Generator inputs of the workflow's evaluation AGs at ``epoch`` (per run, numpy-drawn).

    As ``training.sample_target`` -> ``GANModel.sample``: ``default_rng(seed + epoch)``
    draws the classes (conditional runs), then the latent vectors.

    Returns
    -------
    numpy.ndarray, float32, shape (n_runs, EVAL_ROWS, latent_size + n_classes)
    """
    k = len(proportions)
    rows = []
    for run in runs:
        rng = np.random.default_rng(run["seed"] + epoch)
        labels = None
        if run["conditional"] != "none":
            labels = rng.choice(k, size=EVAL_ROWS, p=proportions)
        z = rng.standard_normal((EVAL_ROWS, p["latent_size"]), dtype=np.float32)
        onehot = np.zeros((EVAL_ROWS, k), np.float32)
        if labels is not None:
            onehot = np.eye(k, dtype=np.float32)[labels] * np.float32(p["label_scale"])
        rows.append(np.concatenate([z, onehot], axis=1))
    return np.stack(rows)


def cmd_train(args):
    import jax
    import jax.numpy as jnp

    with np.load(args.data) as z:
        data = {k: z[k] for k in z.files}
    runs, p = json.loads(str(data["runs"])), json.loads(str(data["params"]))
    h, labels = data["h"], data["labels"]
    k = int(labels.max()) + 1
    onehots, xs, states, evals = [], [], [], []
    for i, run in enumerate(runs):
        x = noisy(h, run["seed"], p["input_noise"])
        if digest(x) != str(data[f"run{i}/x_sha256"]):
            raise SystemExit("numpy's input noise differs from the library's: stop")
        scale = p["label_scale"] if run["conditional"] != "none" else 0.0
        onehots.append(np.eye(k, dtype=np.float32)[labels] * scale)
        xs.append(x)
        states.append(initial_state(data, f"run{i}/"))
        evals.append(h[data[f"run{i}/eval_rows"]].astype(np.float32))
    stack = lambda trees: jax.tree.map(lambda *a: jnp.stack(a), *trees)  # noqa: E731
    s, x, oh = stack(states), jnp.asarray(np.stack(xs)), jnp.asarray(np.stack(onehots))
    real_eval = jnp.asarray(np.stack(evals))
    keys = jax.vmap(jax.random.key)(jnp.asarray([r["seed"] for r in runs]))
    _, epoch, generate, aats = jax_epoch_functions(p)
    v_epoch = jax.vmap(epoch)

    @jax.jit
    def chunk(s, start, count):
        def one(e, carry):
            s, _, _ = carry
            ek = jax.vmap(jax.random.fold_in, (0, None))(keys, start + e)
            return v_epoch(s, x, oh, ek)

        zero = jnp.zeros(len(runs))
        return jax.lax.fori_loop(0, count, one, (s, zero, zero))

    v_eval = jax.jit(jax.vmap(lambda G, g_in, real: aats(real, generate(G, g_in))))
    proportions = np.bincount(labels, minlength=k) / len(labels)

    out = Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)
    best = [(np.inf, 0, None)] * len(runs)
    log = ["epoch\trun\tseconds\td_loss\tg_loss\taa_truth\taa_syn\taats"]
    start = time.perf_counter()
    resume = Path(args.resume) if args.resume else None
    resumed = resume is not None and resume.exists()  # a run stopped by --time-limit
    if resumed:
        with np.load(resume, allow_pickle=True) as z:
            leaves, treedef = jax.tree.flatten(s)
            s = jax.tree.unflatten(
                treedef, [jnp.asarray(z[f"leaf{j}"]) for j in range(len(leaves))]
            )
            done, train_s = int(z["done"]), float(z["train_s"])
            best, log = list(z["best"]), list(z["log"])
        print(f"resumed at epoch {done}", flush=True)
    t0 = time.perf_counter()
    s1, d, g = chunk(s, 0, 1)  # compile (and run epoch 1)
    jax.block_until_ready(s1)
    compile_s = time.perf_counter() - t0
    if not resumed:
        s, done, train_s = s1, 1, 0.0
    print(f"device {jax.devices()[0]}; first epoch with compilation {compile_s:.1f} s", flush=True)
    while done < args.epochs and time.perf_counter() - start < args.time_limit:
        count = min(args.eval_every - done % args.eval_every, args.epochs - done)
        t0 = time.perf_counter()
        s, d, g = chunk(s, done, count)
        jax.block_until_ready(s)
        train_s += time.perf_counter() - t0
        done += count
        if done % args.eval_every and done != args.epochs:
            continue
        g_in = eval_inputs(runs, p, proportions, done)
        truth, syn = (np.asarray(a) for a in v_eval(s["G"], jnp.asarray(g_in), real_eval))
        for i in range(len(runs)):
            score = 0.5 * (truth[i] + syn[i])
            log.append(
                f"{done}\t{i}\t{train_s:.2f}\t{float(d[i]):.4f}\t{float(g[i]):.4f}"
                f"\t{truth[i]:.4f}\t{syn[i]:.4f}\t{score:.4f}"
            )
            if abs(score - 0.5) < best[i][0]:
                best[i] = (
                    abs(score - 0.5),
                    done,
                    jax.tree.map(lambda a, i=i: np.asarray(a[i]), s["G"]),
                )
        print(*log[-len(runs) :], sep="\n", flush=True)
    per_epoch = train_s / max(done - 1, 1)
    if resume is not None:
        leaves = {f"leaf{j}": np.asarray(a) for j, a in enumerate(jax.tree.leaves(s))}
        best_arr = np.empty(len(best), dtype=object)
        for j, item in enumerate(best):
            best_arr[j] = item
        np.savez(resume, done=done, train_s=train_s, best=best_arr, log=np.array(log), **leaves)
    (out / "log.tsv").write_text("\n".join(log) + "\n")
    for i in range(len(runs)):
        one = jax.tree.map(lambda a, i=i: np.asarray(a[i]), s)
        np.savez(out / f"weights{i}.npz", epochs=done, **state_arrays(one))
        gap, at, G = best[i]
        if G is None:  # stopped before its first evaluation
            continue
        np.savez(out / f"best{i}.npz", epochs=at, gap=gap, **named_layers("generator", G))
    print(
        f"epochs\t{done}\tmodels\t{len(runs)}\tcompile_s\t{compile_s:.1f}"
        f"\ttrain_s\t{train_s:.1f}\ts_per_epoch\t{per_epoch:.5f}"
        f"\tprojected_20000_epochs_s\t{20000 * per_epoch:.0f}"
    )


def cmd_export(args):
    """A GANModel checkpoint holding trained weights (Adam moments are not carried back)."""
    from genosynth.models.gan import GANModel

    with np.load(args.data) as z:
        data = {k: z[k] for k in z.files}
    run = json.loads(str(data["runs"]))[args.run]
    h, labels = data["h"], data["labels"]
    y = labels if run["conditional"] != "none" else None
    m = GANModel().fit(h, seed=run["seed"], labels=y, epochs=0)
    state = m.get_state()
    with np.load(args.weights) as z:
        for key in z.files:
            if key in state:
                rows = state[key].shape[0]
                state[key] = z[key][:rows]  # unconditional: drop the zero label rows
        epochs = int(z["epochs"])
    m.set_state(state)
    m.step = epochs
    m.save(args.out, provenance={"trained_by": "bench/gan_gpu.py (JAX)", "run": run})
    print(f"wrote {args.out}: epoch {epochs}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="mode", required=True)
    a = sub.add_parser("reference")
    a.add_argument("out")
    a = sub.add_parser("check")
    a.add_argument("ref")
    a = sub.add_parser("prepare")
    a.add_argument("out")
    a.add_argument("--train", required=True)
    a.add_argument("--panel", required=True)
    a.add_argument("--runs", nargs="+", required=True, help="SEED:super_pop or SEED:none")
    a = sub.add_parser("train")
    a.add_argument("data")
    a.add_argument("outdir")
    a.add_argument("--epochs", type=int, default=20000)
    a.add_argument("--eval-every", type=int, default=250)
    a.add_argument("--time-limit", type=float, default=540.0)
    a.add_argument("--resume", help="state file kept between calls (written at the end)")
    a = sub.add_parser("export")
    a.add_argument("data")
    a.add_argument("weights")
    a.add_argument("out")
    a.add_argument("--run", type=int, default=0)
    args = ap.parse_args()
    {
        "reference": cmd_reference,
        "check": cmd_check,
        "prepare": cmd_prepare,
        "train": cmd_train,
        "export": cmd_export,
    }[args.mode](args)


if __name__ == "__main__":
    main()
