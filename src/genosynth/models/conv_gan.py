"""The convolutional Wasserstein GAN of Yelmen et al. (2023), ``"conv_gan"``.

Yelmen et al. (2023), "Deep convolutional and conditional neural networks for large-scale
genomic data generation", PLoS Comput Biol 19(10): e1011584, train a convolutional WGAN
with gradient penalty on up to 65,535 SNPs. Unlike the dense GAN of 2021
(:mod:`genosynth.models.gan`), whose weights grow with the square of the SNP count, the
networks here are 1-D convolutions over the chromosome with a learned value per position
(the paper's "location-specific trainable variables"), so weights, memory and time per
epoch grow linearly with the SNP count. The networks are in
:mod:`genosynth.models.conv_gan_network`; the epoch loop, checkpoints and resume in the
training driver (:mod:`genosynth.training`).

Training (the paper's ``main_WGAN`` loop, as one compiled epoch)
-------------------------------------------------------------
* **Epoch.** Haplotypes are shuffled and cut into ``n // (b m)`` critic steps of ``b =
  min(batch_size, n // m)`` packs of ``m = pack_m`` haplotypes (PacGAN packing: the critic
  sees ``m`` haplotypes at once as ``m`` channels); the rest is dropped.
* **Critic step.** ``fake = G(z)`` for ``b m`` fresh noise draws (per-level noise
  ``z_k ~ N(0, 1)``); loss ``mean C(fake) - (1 - u) mean C(real) + gp_weight * penalty``,
  ``u ~ U(0, real_label_noise)`` once per step (the paper's noisy real label), the penalty
  at random points between the real and generated packs; one Adam step.
* **Generator step** after every ``n_critic``-th critic step (counted across epochs): loss
  ``-mean C(G(z'))`` on fresh noise, one Adam step.
* **Output.** ``output="sigmoid"`` (the paper): the generator's ``sigmoid`` values in (0, 1)
  go to the critic and an AG is ``sigmoid > 0.5`` (the paper's ``rint``).
  ``output="bernoulli"``: the outputs are log-odds of allele 1; the critic sees their
  binary-concrete relaxation at temperature 0.2
  (:func:`~genosynth.models.gan_train.relaxed_bernoulli`) and an AG draws each site at
  ``sigmoid(beta * log-odds)``.
* **Conditional** (labels ``0..K-1``): the one-hot label times ``label_scale`` is broadcast
  along the chromosome as ``K`` input channels of the generator's first level and, per
  packed haplotype, of the critic's input; fake rows carry the real rows' labels.

Determinism: the model turns on TensorFlow's op determinism before it builds its networks;
weights from ``numpy.random.default_rng([seed, 1])`` (Glorot-uniform kernels, N(0, 1) position
maps, zero biases, unit LN scales); with ``output="bernoulli"`` the generator's per-site output
bias starts at the log-odds of each site's training allele frequency (:func:`site_logits`),
so untrained AGs already have the training frequencies; per-step seeds from
``tf.random.Generator.from_seed(seed)`` (Philox), whose state the checkpoint keeps with both
optimizers' moments, so a resumed run equals an uninterrupted one (same thread setting). Only
with ``jit_compile=True`` is that bit-exact: TensorFlow's CPU convolutions, oneDNN on or off,
can change the last bits of the weights between same-seed fits
(experiments/conv_gan_determinism).
"""

from __future__ import annotations

import contextlib

import numpy as np

from genosynth.errors import GenosynthError
from genosynth.models.base import (
    HaplotypeModel,
    one_hot,
    register_model,
)
from genosynth.models.gan import GANModel, _assign
from genosynth.models.gan_train import TEMPERATURE, U_MIN, relaxed_bernoulli
from genosynth.params import Param
from genosynth.tfutils import glorot_uniform, gradient_penalty, named_weights, tf

__all__ = ["ConvGANModel", "site_logits"]

ADAM_EPSILON = 1e-7
#: LeakyReLU negative slope (the paper).
LEAKY_ALPHA = 0.01
#: Most AGs per generator call of :meth:`ConvGANModel.sample` (``GANModel.sample``).
SAMPLE_BATCH = 256
#: Rows x padded sites x ``channels`` per generator call beyond which it draws fewer rows: a
#: call holds about 150 B per unit on CPU (the activations of every level), so this bounds
#: it near 1.3 GB at every width.
SAMPLE_UNITS = 2**23


def site_logits(data: np.ndarray) -> np.ndarray:
    """Log-odds of allele 1 per site, ``(count + 1/2) / (n + 1)`` smoothed: float32 ``(L,)``.

    ``data`` is int8 ``(n, L)`` in {0, 1}. The smoothing keeps fixed sites finite
    (``n = 1000``: about -7.6 for a site where no haplotype carries allele 1).
    """
    n = data.shape[0]
    p = (data.sum(axis=0, dtype=np.float64) + 0.5) / (n + 1.0)
    return np.log(p / (1.0 - p)).astype(np.float32)


@register_model
class ConvGANModel(GANModel):
    """Yelmen et al. (2023) convolutional WGAN-GP, optionally class-conditional.

    Shares the dense GAN's label handling, optimizer state and resume hooks; see the module
    notes for the networks and the training step.
    """

    name = "conv_gan"
    accepts_labels = True
    legacy_params: dict = {}
    spec = (
        Param("channels", int, 8, "Channel multiplier: level k has channels * (depth + 1 - k).",
              low=1),
        Param("depth", int, 6, "Stride-2 levels: the coarsest has ceil(L / 2**depth) positions.",
              low=0),
        Param("noise_dim", int, 2, "Noise channels fed to each generator level.", low=1),
        Param("pack_m", int, 1, "Haplotypes the critic sees at once (PacGAN; the paper 1-3).",
              low=1),
        Param("batch_size", int, 32, "Packs per critic step (min(batch_size, n // pack_m)).",
              low=1),
        Param("n_critic", int, 10, "Critic steps per generator step (the paper: 10).", low=1),
        Param("gp_weight", float, 10.0, "Weight of the gradient penalty.", low=0),
        Param("real_label_noise", float, 0.1,
              "Real scores weigh 1 - U(0, this) per step (the paper's noisy label; 0: off).",
              low=0, high=1),
        Param("d_lr", float, 5e-4, "Adam learning rate of the critic.", low=0, low_open=True),
        Param("g_lr", float, 5e-4, "Adam learning rate of the generator.", low=0, low_open=True),
        Param("adam_beta_1", float, 0.5, "Adam beta_1.", low=0, high=1, high_open=True),
        Param("adam_beta_2", float, 0.9, "Adam beta_2.", low=0, high=1, high_open=True),
        Param("label_scale", float, 1.0, "Conditional models: value of the one-hot label inputs.",
              low=0, low_open=True),
        Param("output", str, "sigmoid",
              "sigmoid: the paper's thresholded outputs; bernoulli: per-site log-odds, drawn.",
              choices=("sigmoid", "bernoulli")),
        Param("epochs", int, 2000, "Training epochs.", "run", low=1),
        Param("jit_compile", bool, False,
              "XLA-compile the training epoch: bit-exact refits, 18 times slower on CPUs.", "run"),
        Param("beta", float, 1.0, "bernoulli: AGs drawn at sigmoid(beta * log-odds).",
              "sampling", low=0, low_open=True),
    )  # fmt: skip

    def __init__(self, **params):
        HaplotypeModel.__init__(self, **params)  # GANModel's checks are of the dense GAN's
        self._init_state()

    # --- networks ---------------------------------------------------------------------------
    def _build(self, n_sites: int, n_classes: int) -> None:
        from genosynth.models.conv_gan_network import build_critic, build_generator

        # before the first op on the networks: turned on later (at the first epoch), the
        # first fit of a process differed from later same-seed fits in the last bits
        tf().config.experimental.enable_op_determinism()
        p = self.params
        shape = {"channels": p["channels"], "depth": p["depth"], "alpha": LEAKY_ALPHA}
        self._generator = build_generator(
            n_sites, noise_dim=p["noise_dim"], n_classes=n_classes, **shape
        )
        self._discriminator = build_critic(
            n_sites, pack_m=p["pack_m"], n_classes=n_classes, **shape
        )
        self._finish_build(n_sites, n_classes)

    def _init_weights(self, seed: int) -> None:
        """Glorot-uniform kernels, N(0, 1) position maps, zero biases and LN shifts, unit LN
        scales, from ``default_rng([seed, 1])``."""
        rng = np.random.default_rng([seed, 1])
        for net in (self._generator, self._discriminator):
            for w in net.weights:
                kind, shape = w.path.rsplit("/", 1)[-1], tuple(w.shape)
                if kind == "kernel":
                    value = glorot_uniform(rng, shape)
                elif kind == "map":
                    value = rng.standard_normal(shape).astype(np.float32)
                elif kind == "gamma":
                    value = np.ones(shape, np.float32)
                else:
                    value = np.zeros(shape, np.float32)
                w.assign(value)

    def level_lengths(self) -> list[int]:
        """Lengths of the generator's noise inputs, coarsest first."""
        from genosynth.models.conv_gan_network import level_lengths

        return level_lengths(self.n_sites, self.params["depth"])

    # --- training (hooks of genosynth.training) ---------------------------------------------
    def init_training(self, data, *, labels, seed) -> None:
        """Fresh networks, optimizers and training generator (step 0)."""
        if len(data) < self.params["pack_m"]:
            raise GenosynthError(
                f"conv_gan: {len(data)} haplotypes, fewer than pack_m={self.params['pack_m']}"
            )
        super().init_training(data, labels=labels, seed=seed)
        if self.params["output"] == "bernoulli":  # thresholded outputs start unbiased
            self._generator.get_layer("logits").bias.assign(site_logits(data))

    @contextlib.contextmanager
    def training_session(self, data, *, labels):
        """Yield ``run_epoch()``: one epoch on ``data``, returning ``d_loss`` and ``g_loss``."""
        t = tf()
        y, _, _ = self._check_labels(labels, len(data))
        seed = int(self.rng_state["seed"])
        x = t.constant(np.ascontiguousarray(data, dtype=np.int8))
        if self.conditional:
            scaled = one_hot(y, self.n_classes, value=self.params["label_scale"], dtype=np.float32)
            onehot = t.constant(scaled)
        else:
            onehot = t.zeros([len(data), 0], t.float32)
        epoch = _Epoch(self, len(data))
        self._noise_fn = t.function(epoch.draw_noise)
        self._batches_fn = t.function(epoch.run_batches, jit_compile=self.params["jit_compile"])
        self._fn_n = len(data)

        def run_epoch() -> dict[str, float]:
            seeds, label_noise, perm = self._noise_fn()
            first = t.constant(self.step * epoch.n_steps, "int64")
            d_loss, g_loss = self._batches_fn(x, onehot, perm, seeds, label_noise, first)
            self.rng_state = self._rng_state_dict(seed)
            return {"d_loss": float(d_loss), "g_loss": float(g_loss)}

        yield run_epoch

    def epoch_noise(self, n_haplotypes: int, *, advance: bool = False):
        """Not offered: the conv GAN draws its noise inside the epoch from per-step seeds."""
        raise GenosynthError("conv_gan: epoch_noise is not available")

    # --- sampling ---------------------------------------------------------------------------
    def sample_rows(self) -> int:
        """AGs generated per network call: :data:`SAMPLE_UNITS` over padded width x channels,
        at least 1 and at most :data:`SAMPLE_BATCH`."""
        units = self.level_lengths()[-1] * self.params["channels"]
        return max(1, min(SAMPLE_BATCH, SAMPLE_UNITS // units))

    def _draw_rows(self, m: int, rng: np.random.Generator, y) -> np.ndarray:
        p = self.params
        inputs = [
            rng.standard_normal((m, length, p["noise_dim"]), dtype=np.float32)
            for length in self.level_lengths()
        ]
        if y is not None:
            inputs.append(one_hot(y, self.n_classes, value=p["label_scale"], dtype=np.float32))
        g = np.asarray(self._generator(inputs, training=False))
        if p["output"] == "bernoulli":
            from scipy.special import expit

            return (rng.random(g.shape, dtype=np.float32) < expit(p["beta"] * g)).astype(np.int8)
        return (g > 0).astype(np.int8)  # sigmoid(g) > 1/2

    # --- state ------------------------------------------------------------------------------
    def get_state(self) -> dict[str, np.ndarray]:
        """Every weight (float32) keyed ``"generator/<layer>/<weight>"`` and
        ``"critic/..."``, ``n_sites`` (int64); conditional models add ``label_proportions``."""
        state = super().get_state()
        state["n_sites"] = np.asarray(self.n_sites, dtype=np.int64)
        return state

    def set_state(self, state: dict[str, np.ndarray]) -> None:
        """Restore :meth:`get_state` output, (re)building the networks to its shape."""
        try:
            n_sites = int(state["n_sites"])
        except KeyError:
            raise GenosynthError("conv_gan state lacks 'n_sites'") from None
        props = state.get("label_proportions")
        n_classes = 0 if props is None else int(np.shape(props)[0])
        if self._generator is None or (self.n_sites, self.n_classes) != (n_sites, n_classes):
            self._build(n_sites, n_classes)
        _assign(self._named_weights(), state, "conv_gan state", np.float32)
        self.label_proportions = None if props is None else np.asarray(props, dtype=np.float64)
        self.n_sites = n_sites

    def _named_weights(self) -> dict:
        return named_weights(self._generator) | named_weights(self._discriminator)


class _Epoch:
    """One compiled epoch of :class:`ConvGANModel` (see the module notes)."""

    def __init__(self, model: ConvGANModel, n: int):
        p = model.params
        self.G, self.C = model._generator, model._discriminator
        self.d_opt, self.g_opt = model._d_opt, model._g_opt
        self.d_vars, self.g_vars = self.C.trainable_variables, self.G.trainable_variables
        self.gen = model._rng
        self.n, self.m = n, p["pack_m"]
        self.b = min(p["batch_size"], n // self.m)
        self.n_steps = n // (self.b * self.m)
        self.lengths = model.level_lengths()
        self.noise_dim, self.n_sites = p["noise_dim"], model.n_sites
        self.conditional = model.conditional
        self.bernoulli = p["output"] == "bernoulli"
        self.n_critic, self.gp_weight = p["n_critic"], p["gp_weight"]
        self.label_noise = p["real_label_noise"]

    def draw_noise(self):
        """Per-step seeds ``(n_steps, 3, 2)`` (critic fakes, generator step, interpolation),
        the real-label noise ``(n_steps,)`` and the row order."""
        gen = self.gen
        perm = tf().argsort(gen.uniform([self.n]), stable=True)
        seeds = gen.uniform_full_int([self.n_steps, 3, 2], tf().int32)
        label_noise = gen.uniform([self.n_steps], 0.0, self.label_noise)
        return seeds, label_noise, perm

    def generate(self, rows: int, onehot, seed):
        """``rows`` generated haplotypes in the critic's (packed) layout ``(rows / m, L, m)``."""
        t = tf()
        fold = t.random.experimental.stateless_fold_in
        inputs = [
            t.random.stateless_normal([rows, length, self.noise_dim], fold(seed, k))
            for k, length in enumerate(self.lengths)
        ]
        if self.conditional:
            inputs.append(onehot)
        logits = self.G(inputs, training=True)
        if self.bernoulli:
            u = t.random.stateless_uniform(
                t.shape(logits), fold(seed, len(self.lengths)), U_MIN, 1.0 - U_MIN
            )
            out = relaxed_bernoulli(logits, u, TEMPERATURE)
        else:
            out = t.sigmoid(logits)
        return self.pack(out)

    def pack(self, rows):
        """``(b m, L)`` -> ``(b, L, m)``: consecutive rows become one pack's channels."""
        t = tf()
        return t.transpose(t.reshape(rows, [-1, self.m, self.n_sites]), [0, 2, 1])

    def critic(self, packed, labels):
        return self.C([packed, labels] if self.conditional else packed, training=True)

    def critic_step(self, real, onehot, labels, seed, u):
        t = tf()
        fake = t.stop_gradient(self.generate(self.b * self.m, onehot, seed[0]))
        mix = t.random.stateless_uniform([self.b, 1, 1], seed[2])
        with t.GradientTape() as tape:
            penalty = gradient_penalty(
                lambda v: self.critic(v, labels), mix * real + (1.0 - mix) * fake
            )
            loss = (
                t.reduce_mean(self.critic(fake, labels))
                - (1.0 - u) * t.reduce_mean(self.critic(real, labels))
                + self.gp_weight * penalty
            )
        self.d_opt.apply_gradients(zip(tape.gradient(loss, self.d_vars), self.d_vars, strict=True))
        return loss

    def generator_step(self, onehot, labels, seed):
        t = tf()
        with t.GradientTape() as tape:
            loss = -t.reduce_mean(self.critic(self.generate(self.b * self.m, onehot, seed), labels))
        self.g_opt.apply_gradients(zip(tape.gradient(loss, self.g_vars), self.g_vars, strict=True))
        return loss

    def run_batches(self, x, onehot, perm, seeds, label_noise, first_step):
        """Every critic step of the epoch; the mean critic and generator losses."""
        t = tf()
        d_sum, g_sum, g_steps = t.constant(0.0), t.constant(0.0), t.constant(0.0)
        rows = self.b * self.m
        batches = t.reshape(perm[: self.n_steps * rows], [self.n_steps, rows])
        for i in t.range(self.n_steps):
            idx = batches[i]
            real = self.pack(t.cast(t.gather(x, idx), t.float32))
            oh = t.gather(onehot, idx)
            labels = t.reshape(oh, [self.b, -1])
            d_sum += self.critic_step(real, oh, labels, seeds[i], label_noise[i])
            if (first_step + t.cast(i, t.int64) + 1) % self.n_critic == 0:
                g_sum += self.generator_step(oh, labels, seeds[i][1])
                g_steps += 1.0
        # the mean over this epoch's generator steps (NaN when it had none)
        return d_sum / self.n_steps, g_sum / g_steps
