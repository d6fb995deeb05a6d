"""The GAN's compiled training epoch (:class:`~genosynth.models.gan.GANModel`).

:func:`make_epoch_functions` returns two :func:`tf.function` s: ``draw_noise`` draws an
epoch's random numbers from the model's seeded :class:`tf.random.Generator`, and
``run_batches`` (XLA-compiled with ``jit_compile``) runs every batch of the epoch in a
graph ``while`` loop with explicit gradient tapes and the model's two Adam optimizers.
The arithmetic of one batch is set out in :mod:`genosynth.models.gan`.
"""

from __future__ import annotations

from genosynth.tfutils import gradient_penalty, tf

__all__ = ["INPUT_NOISE", "REAL_LABEL_NOISE", "TEMPERATURE", "make_epoch_functions"]

#: Real targets of the discriminator are ``1 - U(0, REAL_LABEL_NOISE)`` (the paper).
REAL_LABEL_NOISE = 0.1
#: Real inputs of the ``tanh`` GAN are ``h - U(0, INPUT_NOISE)`` (the paper); the Bernoulli
#: output's relaxed draws lie in (0, 1) and see the {0, 1} haplotypes as they are.
INPUT_NOISE = {"tanh": 0.1, "bernoulli": 0.0}
#: Temperature of the Bernoulli output's relaxation in training.
TEMPERATURE = 0.2
#: Bounds of the uniform draws of the relaxed Bernoulli output (keep log(u), log(1 - u) finite).
U_MIN = 1e-7


def relaxed_bernoulli(logits, u, temperature: float):
    """The binary-concrete relaxation of ``Bernoulli(sigmoid(logits))`` (Maddison et al. 2017).

    ``sigmoid((logits + log(u) - log(1 - u)) / temperature)`` exceeds 1/2 exactly when
    ``1 - u < sigmoid(logits)``, the event :meth:`GANModel.sample` draws for an allele 1;
    gradients flow to ``logits``.

    Parameters
    ----------
    logits, u : tf.Tensor, float32, shape (batch, n_sites)
        Log-odds of allele 1 and uniform draws in ``(0, 1)``.
    temperature : float
        Greater than 0; towards 0 the values approach the hard draw.

    Returns
    -------
    tf.Tensor, float32, shape (batch, n_sites), values in ``(0, 1)``
    """
    t = tf()
    noise = t.math.log(u) - t.math.log1p(-u)
    return t.sigmoid((logits + noise) / temperature)


class _Epoch:
    """The networks, optimizers and sizes one epoch's graph closes over."""

    def __init__(self, model, n: int):
        p = model.params
        self.G, self.D = model._generator, model._discriminator
        self.d_opt, self.g_opt = model._d_opt, model._g_opt
        self.d_vars, self.g_vars = self.D.trainable_variables, self.G.trainable_variables
        self.gen = model._rng
        self.n = n
        self.b, self.n_batches = batch_shape(p["batch_size"], n)
        self.latent = p["latent_size"]
        self.conditional = model.conditional
        self.wgan, self.bernoulli = p["loss"] == "wgan_gp", p["output"] == "bernoulli"
        self.n_critic, self.gp_weight = p["n_critic"], p["gp_weight"]

    def draw_noise(self):
        """Row order, latent vectors, label smoothing and (by loss and output) more draws."""
        gen, nb, b = self.gen, self.n_batches, self.b
        perm = tf().argsort(gen.uniform([self.n]), stable=True)
        z = gen.normal([nb, b, self.latent])
        smooth = gen.uniform([nb, b, 1], 0.0, REAL_LABEL_NOISE)
        extra = {}
        if self.wgan:  # drawn after the paper's three, which keep their values
            extra["interpolation"] = gen.uniform([nb, b, 1])
            extra["generator_latent"] = gen.normal([nb, b, self.latent])
        if self.bernoulli:
            extra["relaxation_seeds"] = gen.uniform_full_int([nb, 2, 2], tf().int32)
        return perm, z, smooth, extra

    def with_labels(self, values, onehot):
        return tf().concat([values, onehot], axis=1) if self.conditional else values

    def generate(self, z, onehot, seed):
        """Training output of G: tanh values, or the relaxed Bernoulli draw."""
        out = self.G(self.with_labels(z, onehot), training=True)
        if not self.bernoulli:
            return out
        u = tf().random.stateless_uniform(tf().shape(out), seed, U_MIN, 1.0 - U_MIN)
        return relaxed_bernoulli(out, u, TEMPERATURE)

    @staticmethod
    def bce(target, prob):
        import keras

        return tf().reduce_mean(keras.losses.binary_crossentropy(target, prob))

    def d_step(self, inputs, target):
        with tf().GradientTape() as tape:
            loss = self.bce(target, self.D(inputs, training=True)) + tf().add_n(self.D.losses)
        grads = tape.gradient(loss, self.d_vars)
        self.d_opt.apply_gradients(zip(grads, self.d_vars, strict=True))
        return loss

    def step(self, real, onehot, z, smooth, seed):
        """The paper's batch: a discriminator step on real, one on fake, a generator step."""
        t = tf()
        with t.GradientTape() as g_tape:
            fake = self.generate(z, onehot, seed)
            d_fake_in = self.with_labels(fake, onehot)
            d_real = self.d_step(self.with_labels(real, onehot), 1.0 - smooth)
            d_fake = self.d_step(t.stop_gradient(d_fake_in), t.zeros_like(smooth))
            d_loss = 0.5 * (d_real + d_fake)
            scores = self.D(d_fake_in, training=True)
            g_loss = self.bce(t.ones_like(smooth), scores) + t.add_n(self.G.losses)
        grads = g_tape.gradient(g_loss, self.g_vars)
        self.g_opt.apply_gradients(zip(grads, self.g_vars, strict=True))
        return d_loss, g_loss

    def critic_step(self, real, onehot, z, mix, seed):
        """WGAN-GP critic step: ``mean D(fake) - mean D(real) + gp_weight * penalty``."""
        t = tf()
        fake = t.stop_gradient(self.generate(z, onehot, seed))
        with t.GradientTape() as tape:
            penalty = gradient_penalty(
                lambda v: self.D(self.with_labels(v, onehot), training=True),
                mix * real + (1.0 - mix) * fake,
            )
            loss = (
                t.reduce_mean(self.D(self.with_labels(fake, onehot), training=True))
                - t.reduce_mean(self.D(self.with_labels(real, onehot), training=True))
                + self.gp_weight * penalty
                + t.add_n(self.D.losses)
            )
        self.d_opt.apply_gradients(zip(tape.gradient(loss, self.d_vars), self.d_vars, strict=True))
        return loss

    def generator_step(self, onehot, z, seed):
        """WGAN-GP generator step: ``-mean D(G(z))``."""
        t = tf()
        with t.GradientTape() as tape:
            score = self.D(self.with_labels(self.generate(z, onehot, seed), onehot), training=True)
            loss = -t.reduce_mean(score) + t.add_n(self.G.losses)
        self.g_opt.apply_gradients(zip(tape.gradient(loss, self.g_vars), self.g_vars, strict=True))
        return loss

    def run_batches(self, x, onehot, perm, z, smooth, extra, first_batch):
        """Every batch of the epoch; the mean discriminator and generator losses."""
        t = tf()
        d_sum, g_sum, g_steps = t.constant(0.0), t.constant(0.0), t.constant(0.0)
        batches = t.reshape(perm[: self.n_batches * self.b], [self.n_batches, self.b])
        for i in t.range(self.n_batches):
            idx = batches[i]
            real = t.gather(x, idx)
            oh = t.gather(onehot, idx) if self.conditional else onehot
            seeds = extra["relaxation_seeds"][i] if self.bernoulli else [None, None]
            if self.wgan:
                d_sum += self.critic_step(real, oh, z[i], extra["interpolation"][i], seeds[0])
                if (first_batch + t.cast(i, t.int64) + 1) % self.n_critic == 0:
                    g_sum += self.generator_step(oh, extra["generator_latent"][i], seeds[1])
                    g_steps += 1.0
            else:
                d_loss, g_loss = self.step(real, oh, z[i], smooth[i], seeds[0])
                d_sum += d_loss
                g_sum += g_loss
        # wgan_gp: the mean over this epoch's generator steps (NaN when it had none)
        return d_sum / self.n_batches, g_sum / (g_steps if self.wgan else self.n_batches)


def batch_shape(batch_size: int, n: int) -> tuple[int, int]:
    """Rows per batch ``min(batch_size, n)`` and whole batches per epoch (the rest dropped)."""
    b = min(batch_size, n)
    return b, n // b


def make_epoch_functions(model, n: int):
    """``(draw_noise, run_batches)`` of ``model`` for ``n`` training rows (see the module)."""
    epoch = _Epoch(model, n)
    draw_noise = tf().function(epoch.draw_noise)
    run_batches = tf().function(epoch.run_batches, jit_compile=model.params["jit_compile"])
    return draw_noise, run_batches
