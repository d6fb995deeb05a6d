"""WGAN-GP sequence generator of Killoran et al. (2017): training loop, sampling, checkpoints.

The networks are in :mod:`genosynth.dna.wgan_network`. The model shares the haplotype
models' one-file checkpoint (:meth:`genosynth.models.base.Model.save`: config, weights,
both Adam optimizers' state, step and RNG state) and their training driver
(:mod:`genosynth.training`), which counts its generator updates as steps.

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

import contextlib
import logging

import numpy as np

from genosynth import training
from genosynth.errors import GenosynthError
from genosynth.models.base import Model, load_model
from genosynth.params import Param
from genosynth.tfutils import adam, configure_threads, glorot_uniform, gradient_penalty, seed_int
from genosynth.tfutils import tf as _tf

__all__ = ["SequenceWGAN", "interpolates", "load_wgan"]

log = logging.getLogger(__name__)


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


class SequenceWGAN(Model):
    """WGAN-GP over one-hot sequences (optionally with an exon-track channel).

    Notes
    -----
    ``n_sites`` holds the sequence length; :attr:`channels` the channel count.
    """

    name = "wgan_dna"
    step_param = "steps"
    step_name = "step"
    spec = (
        Param("latent_size", int, 100, "Width of the N(0, 1) latent vector.", low=1),
        Param("dim", int, 100, "Channels of every residual block (paper: 100).", low=1),
        Param("n_blocks", int, 5, "Residual blocks of each network.", low=1),
        Param("kernel_size", int, 5, "Width of the convolutions.", low=1),
        Param("r", float, 0.3, "Residual scale.", low=0, low_open=True),
        Param("gp_lambda", float, 10.0, "Weight of the gradient penalty.", low=0),
        Param("critic_steps", int, 5, "Critic updates per generator update.", low=1),
        Param("batch_size", int, 64, "Rows per critic and generator update.", low=1),
        Param("lr", float, 1e-4, "Adam learning rate of both networks.", low=0, low_open=True),
        Param("beta_1", float, 0.5, "Adam beta_1.", low=0, high=1, high_open=True),
        Param("beta_2", float, 0.9, "Adam beta_2.", low=0, high=1, high_open=True),
        Param("steps", int, 1000, "Generator updates trained.", "run", low=1),
        Param("jit_compile", bool, False, "XLA-compile the training step (helps on GPUs).", "run"),
    )

    def __init__(self, **params):
        super().__init__(**params)
        self.channels: int | None = None
        self._generator = self._critic = self._g_opt = self._c_opt = None
        self._rng = None
        self._step_fn = None

    # --- networks -----------------------------------------------------------------------
    def _build(self, length: int, channels: int) -> None:
        from genosynth.dna.wgan_network import build_critic, build_generator

        p = self.params
        shape = {k: p[k] for k in ("dim", "n_blocks", "kernel_size", "r")}
        self._generator = build_generator(length, channels, latent_size=p["latent_size"], **shape)
        self._critic = build_critic(length, channels, **shape)

        self._c_opt = adam(p["lr"], p["beta_1"], p["beta_2"], 1e-7, "c_adam")
        self._g_opt = adam(p["lr"], p["beta_1"], p["beta_2"], 1e-7, "g_adam")
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
        from genosynth.tfutils import named_weights

        return named_weights(self._generator) | named_weights(self._critic)

    def _slots(self) -> dict:
        from genosynth.tfutils import adam_slot_variables, named_weights

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
        x,
        *,
        seed,
        steps=None,
        callback=None,
        checkpoint_path=None,
        checkpoint_every: int = 0,
        resume: bool = True,
    ) -> SequenceWGAN:
        """Train on sequences ``x`` for ``steps`` generator updates (module notes) through
        :func:`genosynth.training.fit`.

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
            exists and ``resume`` is true (same data and parameters required).
        """
        x = np.asarray(x, dtype=np.float32)
        if x.ndim != 3 or x.shape[2] not in (4, 5) or len(x) == 0:
            raise GenosynthError(f"wgan: expected (n, L, 4 or 5) sequences, got {x.shape}")
        return training.fit(
            self,
            x,
            seed=seed,
            epochs=steps,
            callback=callback,
            checkpoint=checkpoint_path,
            checkpoint_every=checkpoint_every,
            resume=resume,
        )

    def configure_threads(self, threads: int | None) -> None:
        """TensorFlow's intra-op threads (:func:`genosynth.tfutils.configure_threads`)."""
        configure_threads(threads)

    def init_training(self, data, *, labels=None, seed) -> None:
        """Fresh networks, optimizers and training generator (step 0)."""
        seed = seed_int(seed)
        self._build(data.shape[1], data.shape[2])
        self._init_weights(seed)
        self.step = 0
        self._rng = _tf().random.Generator.from_seed(seed)
        self.rng_state = self._rng_state(seed)

    def resumed(self) -> None:
        """Rebuild the training generator from the checkpoint's ``rng_state``."""
        state = np.asarray(self.rng_state["tf_state"], dtype=np.int64)
        self._rng = _tf().random.Generator.from_state(state, _tf().random.Algorithm.PHILOX)

    @contextlib.contextmanager
    def training_session(self, data, *, labels=None):
        """Yield ``run_step()``: one generator update after ``critic_steps`` critic updates,
        returning ``critic_loss``, ``w_distance``, ``gradient_penalty`` and ``g_loss``."""
        self._make_step(_tf().constant(data))
        seed = self.rng_state["seed"]

        def run_step() -> dict[str, float]:
            c_loss, w_dist, gp, g_loss = (float(v) for v in self._step_fn())
            self.rng_state = self._rng_state(seed)
            return {
                "critic_loss": c_loss,
                "w_distance": w_dist,
                "gradient_penalty": gp,
                "g_loss": g_loss,
            }

        yield run_step

    def _rng_state(self, seed: int) -> dict:
        return {"seed": seed, "tf_state": [int(v) for v in self._rng.state.numpy()]}

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
    return load_model(path, registry={SequenceWGAN.name: SequenceWGAN})
