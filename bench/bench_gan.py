"""GAN epoch time: the compiled epoch of ``genosynth.models.gan`` against the paper's loop.

``python bench/run.py gan`` prints

* ``gan_epoch_s``: one epoch of :class:`genosynth.models.gan.GANModel`
  (one ``tf.function`` drawing the epoch's noise, one XLA-compiled graph loop
  over the batches);
* ``gan_reference_epoch_s``: one epoch of the paper-style loop
  (:func:`reference_epoch`: Python loop over batches, Keras
  ``predict_on_batch`` / ``train_on_batch``, discriminator frozen inside a
  compiled combined model);
* ``gan_epoch_speedup``: their ratio.

Both run on the ``wide`` shape (805 SNPs, 3756 random 0/1 training
haplotypes from a fixed seed, batch 32, paper architecture and learning
rates), side by side in one process: after one warm-up epoch each (tracing
and compilation), the two are interleaved epoch by epoch and each figure is
the median of 3 epochs.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
from run import benchmark

N_SITES, N_HAPLOTYPES, SEED = 805, 3756, 20240601


def build_reference(n_sites: int, params: dict, state: dict | None = None):
    """The paper-style networks: discriminator, and generator + frozen discriminator.

    Parameters
    ----------
    n_sites : int
        Number of SNPs ``L``.
    params : dict
        GAN parameters (:attr:`genosynth.models.gan.GANModel.defaults` keys).
    state : dict of str to numpy.ndarray, optional
        Initial weights, as from :meth:`GANModel.get_state` (unconditional).

    Returns
    -------
    tuple of keras.Model
        ``(generator, discriminator, combined)``: the discriminator compiled
        with Adam(``d_lr``) and binary cross-entropy; the combined
        ``generator -> discriminator`` model compiled with Adam(``g_lr``)
        after ``discriminator.trainable = False``.
    """
    import keras

    from genosynth.models.gan_network import (
        build_discriminator,
        build_generator,
        named_weights,
    )

    def adam(lr):
        return keras.optimizers.Adam(
            learning_rate=lr,
            beta_1=params["adam_beta_1"],
            beta_2=params["adam_beta_2"],
            epsilon=params["adam_epsilon"],
        )

    generator = build_generator(
        n_sites,
        params["latent_size"],
        divisors=params["g_hidden_divisors"],
        alpha=params["leaky_alpha"],
        l2=params["l2"],
    )
    discriminator = build_discriminator(
        n_sites, divisors=params["d_hidden_divisors"], alpha=params["leaky_alpha"], l2=params["l2"]
    )
    if state is not None:
        for net in (generator, discriminator):
            for key, w in named_weights(net).items():
                w.assign(state[key])
    discriminator.compile(optimizer=adam(params["d_lr"]), loss="binary_crossentropy")
    discriminator.trainable = False
    combined = keras.Sequential([generator, discriminator], name="combined")
    combined.compile(optimizer=adam(params["g_lr"]), loss="binary_crossentropy")
    return generator, discriminator, combined


def reference_epoch(
    nets,
    x: np.ndarray,
    params: dict,
    *,
    rng: np.random.Generator | None = None,
    noise: dict | None = None,
) -> tuple[float, float]:
    """One paper-style epoch: a Python loop of Keras ``train_on_batch`` calls.

    Per batch: ``fake = generator.predict_on_batch(z)``; the discriminator
    trains on the real rows with targets ``1 - U(0, real_label_noise)``, then
    on ``fake`` with targets 0 (``d_update="separate"``; ``"joint"``: one
    call on both); the combined model trains on ``z`` with targets 1.

    Parameters
    ----------
    nets : tuple
        ``(generator, discriminator, combined)`` from :func:`build_reference`.
    x : numpy.ndarray, float32, shape (n_haplotypes, n_sites)
        Real inputs already mapped by :func:`genosynth.models.gan.noisy_inputs`.
    params : dict
        GAN parameters (``batch_size``, ``latent_size``, ``real_label_noise``,
        ``d_update``).
    rng : numpy.random.Generator, optional
        Draws the permutation, latent vectors and label noise batch by batch,
        as the paper does with ``np.random``.
    noise : dict, optional
        Pre-drawn ``perm``, ``latent`` and ``real_targets``, as returned by
        :meth:`GANModel.epoch_noise` (used instead of ``rng``).

    Returns
    -------
    tuple of float
        Mean discriminator and generator losses over the batches.
    """
    generator, discriminator, combined = nets
    n = x.shape[0]
    b = min(params["batch_size"], n)
    n_batches = n // b
    perm = noise["perm"] if noise is not None else rng.permutation(n)
    zeros = np.zeros((b, 1), dtype=np.float32)
    ones = np.ones((b, 1), dtype=np.float32)
    d_total = g_total = 0.0
    for i in range(n_batches):
        real = x[perm[i * b : (i + 1) * b]]
        if noise is not None:
            z, targets = noise["latent"][i], noise["real_targets"][i]
        else:
            z = rng.standard_normal((b, params["latent_size"]), dtype=np.float32)
            targets = (1.0 - rng.uniform(0.0, params["real_label_noise"], (b, 1))).astype(
                np.float32
            )
        fake = generator.predict_on_batch(z)
        discriminator.trainable = True
        if params["d_update"] == "joint":
            d_loss = discriminator.train_on_batch(
                np.concatenate([real, fake]), np.concatenate([targets, zeros])
            )
        else:
            d_real = discriminator.train_on_batch(real, targets)
            d_fake = discriminator.train_on_batch(fake, zeros)
            d_loss = 0.5 * (d_real + d_fake)
        discriminator.trainable = False
        g_loss = combined.train_on_batch(z, ones)
        d_total += float(d_loss)
        g_total += float(g_loss)
    return d_total / n_batches, g_total / n_batches


@benchmark("gan")
def bench_gan(args):
    """Compiled GAN epoch vs the paper-style ``train_on_batch`` loop on 805 x 3756."""
    from genosynth.models.gan import GANModel, noisy_inputs

    rng = np.random.default_rng(SEED)
    h = (rng.random((N_HAPLOTYPES, N_SITES)) < 0.5).astype(np.int8)
    model = GANModel(log_every=0)
    params = model.params
    x = noisy_inputs(h, SEED, params["input_noise"])
    nets = None
    ours, ref = [], []
    ref_rng = np.random.default_rng(SEED + 1)
    mark = [0.0]

    def interleave(epoch, logs):
        nonlocal nets
        if epoch > 1:  # epoch 1 traced and compiled: warm-up
            ours.append(time.perf_counter() - mark[0])
        if nets is None:
            nets = build_reference(N_SITES, params, model.get_state())
            reference_epoch(nets, x, params, rng=ref_rng)  # warm-up
        else:
            t0 = time.perf_counter()
            reference_epoch(nets, x, params, rng=ref_rng)
            ref.append(time.perf_counter() - t0)
        mark[0] = time.perf_counter()

    model.fit(h, seed=SEED, epochs=4, callback=interleave)
    ours_s, ref_s = statistics.median(ours), statistics.median(ref)
    yield "gan_epoch_s", ours_s
    yield "gan_reference_epoch_s", ref_s
    yield "gan_epoch_speedup", ref_s / ours_s
