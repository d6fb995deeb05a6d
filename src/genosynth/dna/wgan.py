"""WGAN-GP sequence generator of Killoran et al. (2017): training loop, sampling, checkpoints.

The networks are in :mod:`genosynth.dna.wgan_network`. The model shares the haplotype
models' one-file checkpoint (:meth:`genosynth.models.base.HaplotypeModel.save`: config,
weights, both Adam optimizers' state, step and RNG state). :func:`train_wgan` is its
resumable driver: a settings-hashed ``resume-<hash>.npz`` and partial training log beside
the checkpoint, as for the haplotype models (:mod:`genosynth.training`).

Training arithmetic (paper Appendix B.1, Gulrajani et al. 2017)
-------------------------------------------------------------
One *step* is one generator update after ``critic_steps`` (paper: 5) critic updates. Each
critic update draws a batch of ``b`` real rows (uniformly with replacement), ``z ~ N(0, 1)``
of shape ``(b, latent_size)``, and ``eps ~ U[0, 1]`` per sample, and minimises

    mean(D(G(z))) - mean(D(x)) + lambda * mean((||grad D(x_hat)||_2 - 1) ** 2),
    x_hat = eps * x + (1 - eps) * G(z)

(:func:`interpolates`, :func:`gradient_penalty`). The generator minimises
``-mean(D(G(z)))`` on a fresh ``z``. Both use Adam (paper: lr 1e-4, beta 0.5, 0.9). All
random numbers come from a :class:`tf.random.Generator` seeded by the fit seed, whose state
is checkpointed: training to ``N`` steps from a checkpoint at step ``k`` gives the same
weights as an uninterrupted run. ``w_distance`` in the training log is the critic's estimate
``mean(D(x)) - mean(D(G(z)))`` of the last critic update.

Data are one-hot ``float32 (n, L, 4)``, or ``(n, L, 5)`` with the 0/1 exon track as the
fifth channel.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from genosynth.errors import GenosynthError
from genosynth.fileio import atomic_path
from genosynth.models.base import HaplotypeModel
from genosynth.models.gan import configure_threads, gradient_penalty

__all__ = [
    "SequenceWGAN",
    "fingerprint",
    "glorot_uniform",
    "gradient_penalty",
    "interpolates",
    "load_wgan",
    "seed_int",
    "train_wgan",
]

log = logging.getLogger(__name__)


def _tf():
    import tensorflow as tf

    return tf


def interpolates(real, fake, eps):
    """Points on the lines between real and generated samples: ``eps * real + (1 - eps) * fake``.

    Parameters
    ----------
    real, fake : tf.Tensor, float32, shape (b, L, C)
    eps : tf.Tensor, float32, shape (b, 1, 1)
        One weight per sample, drawn from U[0, 1].

    Returns
    -------
    tf.Tensor, float32, shape (b, L, C)
    """
    return eps * real + (1.0 - eps) * fake


def seed_int(seed: int | np.random.Generator) -> int:
    """A non-negative integer seed from an int or a numpy Generator (one draw)."""
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, 2**63 - 1))
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise GenosynthError(f"seed must be a non-negative integer or a Generator, got {seed!r}")
    return int(seed)


def fingerprint(x: np.ndarray) -> str:
    """SHA-256 of an array's shape, dtype and bytes (ties a resume file to its data)."""
    digest = hashlib.sha256(repr((x.shape, str(x.dtype))).encode())
    digest.update(np.ascontiguousarray(x).tobytes())
    return digest.hexdigest()


def glorot_uniform(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Glorot-uniform ``float32`` weights of ``shape`` (Keras' default kernel initialiser)."""
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    fan_in, fan_out = receptive * shape[-2], receptive * shape[-1]
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(np.float32)


class SequenceWGAN(HaplotypeModel):
    """WGAN-GP over one-hot sequences (optionally with an exon-track channel).

    Parameters
    ----------
    latent_size : int, default 100
    dim : int, default 100
        Channels of every residual block (paper: 100).
    n_blocks : int, default 5
    kernel_size : int, default 5
    r : float, default 0.3
        Residual scale.
    gp_lambda : float, default 10
    critic_steps : int, default 5
        Critic updates per generator update.
    batch_size : int, default 64
    lr, beta_1, beta_2 : float, default 1e-4, 0.5, 0.9
        Adam settings of both networks.
    steps : int, default 1000
        Generator updates trained by :meth:`fit` (the paper trained for days on a GPU).
    log_every : int, default 100
    threads : int or None
    jit_compile : bool, default False
        XLA-compile the training step (no faster on a 2-core CPU; try it on GPUs).
        TensorFlow intra-op threads.

    Notes
    -----
    ``n_sites`` holds the sequence length; :attr:`channels` the channel count.
    """

    name = "wgan_dna"
    defaults = {
        "latent_size": 100,
        "dim": 100,
        "n_blocks": 5,
        "kernel_size": 5,
        "r": 0.3,
        "gp_lambda": 10.0,
        "critic_steps": 5,
        "batch_size": 64,
        "lr": 1e-4,
        "beta_1": 0.5,
        "beta_2": 0.9,
        "steps": 1000,
        "log_every": 100,
        "threads": None,
        "jit_compile": False,
    }

    def __init__(self, **params):
        super().__init__(**params)
        self.channels: int | None = None
        self._generator = self._critic = self._g_opt = self._c_opt = None
        self._rng = None
        self._step_fn = None

    # --- networks -----------------------------------------------------------------------
    def _build(self, length: int, channels: int) -> None:
        configure_threads(self.params["threads"])
        import keras

        from genosynth.dna.wgan_network import build_critic, build_generator

        p = self.params
        shape = {k: p[k] for k in ("dim", "n_blocks", "kernel_size", "r")}
        self._generator = build_generator(length, channels, latent_size=p["latent_size"], **shape)
        self._critic = build_critic(length, channels, **shape)

        def adam(name):
            return keras.optimizers.Adam(p["lr"], beta_1=p["beta_1"], beta_2=p["beta_2"], name=name)

        self._c_opt, self._g_opt = adam("c_adam"), adam("g_adam")
        self._c_opt.build(self._critic.trainable_variables)
        self._g_opt.build(self._generator.trainable_variables)
        self.n_sites, self.channels = length, channels
        self._step_fn = None

    def _init_weights(self, seed: int) -> None:
        rng = np.random.default_rng([seed, 1])
        for net in (self._generator, self._critic):
            for w in net.weights:
                shape = tuple(w.shape)
                value = glorot_uniform(rng, shape) if len(shape) >= 2 else np.zeros(shape)
                w.assign(value.astype(np.float32))

    def _named_weights(self) -> dict:
        from genosynth.dna.wgan_network import named_weights

        return named_weights(self._generator) | named_weights(self._critic)

    def _slots(self) -> dict:
        from genosynth.dna.wgan_network import named_weights
        from genosynth.models.gan_network import adam_slot_variables

        out = {}
        for prefix, opt, net in (
            ("c_optimizer", self._c_opt, self._critic),
            ("g_optimizer", self._g_opt, self._generator),
        ):
            out |= adam_slot_variables(opt, named_weights(net), prefix)
        return out

    # --- training -----------------------------------------------------------------------
    def _make_step(self, x):
        tf = _tf()
        p = self.params
        G, D, rng = self._generator, self._critic, self._rng
        c_vars, g_vars = D.trainable_variables, G.trainable_variables
        n = int(x.shape[0])
        b, latent, lam = min(p["batch_size"], n), p["latent_size"], p["gp_lambda"]

        def critic_update():
            real = tf.gather(x, rng.uniform([b], 0, n, dtype=tf.int32))
            fake = G(rng.normal([b, latent]), training=True)
            eps = rng.uniform([b, 1, 1])
            with tf.GradientTape() as tape:
                c_real = tf.reduce_mean(D(real, training=True))
                c_fake = tf.reduce_mean(D(fake, training=True))
                gp = gradient_penalty(lambda v: D(v, training=True), interpolates(real, fake, eps))
                loss = c_fake - c_real + lam * gp
            self._c_opt.apply_gradients(zip(tape.gradient(loss, c_vars), c_vars, strict=True))
            return loss, c_real - c_fake, gp

        @tf.function(jit_compile=p["jit_compile"])
        def step():
            # a graph loop (tf.range), not critic_steps unrolled copies: traces faster
            c_loss = w_dist = gp = tf.zeros([])
            for _ in tf.range(p["critic_steps"]):
                c_loss, w_dist, gp = critic_update()
            z = rng.normal([b, latent])
            with tf.GradientTape() as tape:
                g_loss = -tf.reduce_mean(D(G(z, training=True), training=True))
            self._g_opt.apply_gradients(zip(tape.gradient(g_loss, g_vars), g_vars, strict=True))
            return c_loss, w_dist, gp, g_loss

        self._step_fn = step

    def fit(
        self,
        x: np.ndarray,
        *,
        seed: int | np.random.Generator,
        steps: int | None = None,
        callback: Callable[[int, Mapping], bool] | None = None,
        checkpoint_path=None,
        checkpoint_every: int = 0,
        resume: bool = True,
        **_unused,
    ) -> SequenceWGAN:
        """Train on sequences ``x`` for ``steps`` generator updates (module notes).

        Parameters
        ----------
        x : numpy.ndarray, float32, shape (n, L, C)
            One-hot bases (C = 4), plus the 0/1 track (C = 5).
        seed : int or numpy.random.Generator
        steps : int, optional
            Overrides the ``steps`` parameter.
        callback : callable, optional
            ``callback(step, logs)`` after every step; returning True stops training.
        checkpoint_path : path, optional
            Saved every ``checkpoint_every`` steps and at the end; resumed from when it
            exists and ``resume`` is true (same data and seed required).

        Returns
        -------
        SequenceWGAN
            ``self``.
        """
        tf = _tf()
        x = np.asarray(x, dtype=np.float32)
        if x.ndim != 3 or x.shape[2] not in (4, 5) or len(x) == 0:
            raise GenosynthError(f"wgan: expected (n, L, 4 or 5) sequences, got {x.shape}")
        seed_value = seed_int(seed)
        data_key = fingerprint(x)
        target = self.params["steps"] if steps is None else int(steps)
        if checkpoint_path is not None and resume and Path(checkpoint_path).exists():
            saved = load_wgan(checkpoint_path)
            if saved.rng_state["fingerprint"] != data_key or saved.rng_state["seed"] != seed_value:
                raise GenosynthError(f"wgan: {checkpoint_path} was trained on other data or seed")
            self._build(x.shape[1], x.shape[2])
            self.set_state(saved.get_state())
            self.set_optimizer_state(saved.get_optimizer_state())
            self.step = saved.step
            self._rng = tf.random.Generator.from_state(
                np.asarray(saved.rng_state["tf_state"], dtype=np.int64), tf.random.Algorithm.PHILOX
            )
            log.info("wgan: resumed at step %d from %s", self.step, checkpoint_path)
        else:
            self._build(x.shape[1], x.shape[2])
            self._init_weights(seed_value)
            self.step = 0
            self._rng = tf.random.Generator.from_seed(seed_value)
        self._make_step(tf.constant(x))
        start, t0 = self.step, time.perf_counter()
        while self.step < target:
            c_loss, w_dist, gp, g_loss = (float(v) for v in self._step_fn())
            self.step += 1
            logs = {"critic_loss": c_loss, "w_distance": w_dist, "gradient_penalty": gp}
            logs["g_loss"] = g_loss
            every = self.params["log_every"]
            if every and self.step % every == 0:
                rate = (time.perf_counter() - t0) / (self.step - start)
                log.info("wgan step %d/%d %s (%.3g s/step)", self.step, target, logs, rate)
            stop = callback is not None and callback(self.step, logs)
            save_now = checkpoint_every and self.step % checkpoint_every == 0
            if checkpoint_path is not None and (save_now or self.step == target or stop):
                self.rng_state = self._rng_state(seed_value, data_key)
                self.save(checkpoint_path)
            if stop:
                break
        self.rng_state = self._rng_state(seed_value, data_key)
        return self

    def _rng_state(self, seed: int, fingerprint: str) -> dict:
        state = [int(v) for v in self._rng.state.numpy()]
        return {"seed": seed, "tf_state": state, "fingerprint": fingerprint}

    # --- sampling -----------------------------------------------------------------------
    def generate(self, z: np.ndarray, *, batch: int = 1024) -> np.ndarray:
        """``G(z)``: float32 ``(n, L, C)`` channel values of latent points ``(n, latent)``."""
        self._require_fitted()
        z = np.asarray(z, dtype=np.float32)
        parts = [np.asarray(self._generator(z[i : i + batch])) for i in range(0, len(z), batch)]
        return np.concatenate(parts) if parts else np.zeros((0, self.n_sites, self.channels))

    def sample(self, n: int, *, seed: int | np.random.Generator) -> np.ndarray:
        """``G(z)`` of ``n`` draws ``z ~ N(0, 1)``: float32 ``(n, L, C)``."""
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        z = rng.standard_normal((n, self.params["latent_size"]), dtype=np.float32)
        return self.generate(z)

    @property
    def generator(self):
        """The Keras generator (for gradients through ``G`` in design)."""
        self._require_fitted()
        return self._generator

    # --- state --------------------------------------------------------------------------
    def get_state(self) -> dict[str, np.ndarray]:
        """Every generator and critic weight, float32, keyed ``"<net>/<layer>/<weight>"``."""
        self._require_fitted()
        return {k: np.array(w.numpy()) for k, w in self._named_weights().items()}

    def set_state(self, state: dict[str, np.ndarray]) -> None:
        """Restore :meth:`get_state` output, building the networks to its shapes."""
        try:
            kernel = np.shape(state["generator/generator_dense/kernel"])
            channels = int(np.shape(state["generator/generator_output/bias"])[0])
        except KeyError as exc:
            raise GenosynthError(f"wgan state lacks {exc.args[0]!r}") from None
        length = kernel[1] // self.params["dim"]
        if self._generator is None or (self.n_sites, self.channels) != (length, channels):
            self._build(length, channels)
        for key, w in self._named_weights().items():
            if key not in state or tuple(np.shape(state[key])) != tuple(w.shape):
                raise GenosynthError(f"wgan state '{key}' is missing or has the wrong shape")
            w.assign(np.asarray(state[key], dtype=np.float32))

    def get_optimizer_state(self) -> dict[str, np.ndarray]:
        """Both Adam optimizers' iterations, momenta and velocities."""
        self._require_fitted()
        return {k: np.array(v.numpy()) for k, v in self._slots().items()}

    def set_optimizer_state(self, state: dict[str, np.ndarray]) -> None:
        """Restore :meth:`get_optimizer_state` output (after :meth:`set_state`)."""
        if not state:
            return
        for key, v in self._slots().items():
            if key not in state:
                raise GenosynthError(f"wgan optimizer state lacks {key!r}")
            v.assign(np.asarray(state[key]).astype(v.dtype))


def load_wgan(path) -> SequenceWGAN:
    """Restore a :class:`SequenceWGAN` checkpoint."""
    import json

    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        state = {k[6:]: z[k] for k in z.files if k.startswith("state/")}
        optim = {k[10:]: z[k] for k in z.files if k.startswith("optimizer/")}
    if meta["model"] != SequenceWGAN.name:
        raise GenosynthError(f"{path} holds a '{meta['model']}' model, not a DNA WGAN")
    model = SequenceWGAN(**meta["params"])
    model.set_state(state)
    model.set_optimizer_state(optim)
    model.step, model.rng_state = meta["step"], meta["rng_state"]
    return model


#: Settings that steer :func:`train_wgan` rather than define the model.
CONTROL_DEFAULTS = {"seed": 0, "checkpoint_every": 0}


def train_wgan(x: np.ndarray, *, settings: Mapping, checkpoint, training_log, threads=1):
    """Train a :class:`SequenceWGAN` resumably; write its checkpoint and training log.

    Parameters
    ----------
    x : numpy.ndarray, float32, shape (n, L, C)
    settings : Mapping
        Model parameters plus the controls ``seed`` and ``checkpoint_every``.
    checkpoint, training_log : path
        Outputs. A killed run resumes from ``resume-<hash>.npz`` beside ``checkpoint``
        (written every ``checkpoint_every`` steps; the hash covers model parameters and
        controls, so other settings start afresh) and keeps the rows of the steps already
        done from ``training_log-<hash>.partial.tsv``.

    Returns
    -------
    SequenceWGAN
    """
    control = {k: settings.get(k, v) for k, v in CONTROL_DEFAULTS.items()}
    params = {k: v for k, v in settings.items() if k not in CONTROL_DEFAULTS}
    model = SequenceWGAN(**params, threads=threads)
    workdir = Path(checkpoint).parent
    workdir.mkdir(parents=True, exist_ok=True)
    key = {"model": model.name, "params": model.params | {"threads": None}, **control}
    tag = hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()[:12]
    resume = workdir / f"resume-{tag}.npz"
    partial = workdir / f"training_log-{tag}.partial.tsv"
    for stale in [*workdir.glob("resume-*.npz"), *workdir.glob("training_log-*.partial.tsv")]:
        if stale not in (resume, partial):
            stale.unlink()
    rows: list[dict] = []
    if resume.exists() and partial.exists():
        done = load_wgan(resume).step
        rows = [r for r in pd.read_csv(partial, sep="\t").to_dict("records") if r["step"] <= done]
    partial.unlink(missing_ok=True)
    if rows:
        pd.DataFrame(rows).to_csv(partial, sep="\t", index=False)

    def record(step: int, logs: Mapping) -> bool:
        row = {"step": int(step), **{k: float(v) for k, v in logs.items()}}
        rows.append(row)
        pd.DataFrame([row]).to_csv(
            partial, sep="\t", index=False, mode="a", header=not partial.exists()
        )
        return False

    start = time.perf_counter()
    model.fit(
        x,
        seed=control["seed"],
        callback=record,
        checkpoint_path=resume,
        checkpoint_every=control["checkpoint_every"],
    )
    log.info(
        "wgan trained %d steps on %s in %.1f s", model.step, x.shape, time.perf_counter() - start
    )
    with atomic_path(training_log) as tmp:
        pd.DataFrame(rows).to_csv(tmp, sep="\t", index=False)
    model.save(checkpoint, provenance={"seed": control["seed"]})
    resume.unlink(missing_ok=True)
    partial.unlink(missing_ok=True)
    return model
