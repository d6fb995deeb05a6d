"""GAN epoch time: the compiled epoch of ``genosynth.models.gan`` against the paper's loop.

``python bench/run.py gan`` prints

* ``gan_epoch_s``: one epoch of :class:`genosynth.models.gan.GANModel`
  (one ``tf.function`` drawing the epoch's noise, one XLA-compiled graph loop
  over the batches);
* ``gan_reference_epoch_s``: one epoch of the paper-style loop
  (:func:`reference_epoch`: Python loop over batches, Keras
  ``predict_on_batch`` / ``train_on_batch``, discriminator frozen inside a
  compiled combined model);
* ``gan_epoch_speedup``: their ratio;
* ``gan_matmul_floor_epoch_s``: the same epoch's 30 matrix products per
  batch alone (:func:`matmul_floor_epoch`: forward and backward products of
  the generator and the three discriminator passes, one XLA-compiled loop, no
  activations, losses or Adam updates), a lower bound for ``gan_epoch_s`` on
  this machine and thread count;
* ``gan_epoch_over_floor``: ``gan_epoch_s`` over that bound.

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
        The kernels get the paper's ``keras.regularizers.L2``.
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

    from genosynth.models.gan import ADAM_EPSILON, LEAKY_ALPHA
    from genosynth.models.gan_network import build_discriminator, build_generator
    from genosynth.tfutils import named_weights

    def adam(lr):
        return keras.optimizers.Adam(
            learning_rate=lr,
            beta_1=params["adam_beta_1"],
            beta_2=params["adam_beta_2"],
            epsilon=ADAM_EPSILON,
        )

    generator = build_generator(
        n_sites,
        params["latent_size"],
        divisors=params["g_hidden_divisors"],
        alpha=LEAKY_ALPHA,
        l2=params["l2"],
        penalty=keras.regularizers.L2,
    )
    discriminator = build_discriminator(
        n_sites,
        divisors=params["d_hidden_divisors"],
        alpha=LEAKY_ALPHA,
        l2=params["l2"],
        penalty=keras.regularizers.L2,
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
    trains on the real rows with targets ``1 - U(0, REAL_LABEL_NOISE)``, then
    on ``fake`` with targets 0; the combined model trains on ``z`` with targets 1.

    Parameters
    ----------
    nets : tuple
        ``(generator, discriminator, combined)`` from :func:`build_reference`.
    x : numpy.ndarray, float32, shape (n_haplotypes, n_sites)
        Real inputs already mapped by :func:`genosynth.models.gan.noisy_inputs`.
    params : dict
        GAN parameters (``batch_size``, ``latent_size``).
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
    from genosynth.models.gan_train import REAL_LABEL_NOISE

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
            targets = (1.0 - rng.uniform(0.0, REAL_LABEL_NOISE, (b, 1))).astype(np.float32)
        fake = generator.predict_on_batch(z)
        discriminator.trainable = True
        d_real = discriminator.train_on_batch(real, targets)
        d_fake = discriminator.train_on_batch(fake, zeros)
        d_loss = 0.5 * (d_real + d_fake)
        discriminator.trainable = False
        g_loss = combined.train_on_batch(z, ones)
        d_total += float(d_loss)
        g_total += float(g_loss)
    return d_total / n_batches, g_total / n_batches


def matmul_floor_epoch(n_sites: int, params: dict, n_haplotypes: int, *, repeats: int = 3):
    """Median time of one epoch's matrix products alone, XLA-compiled (see module notes).

    Per batch of ``b`` rows, with ``G_i`` / ``D_i`` the layer kernels: the
    generator forward (3 products); each discriminator step on real and on
    fake rows, forward (3), kernel gradients (3) and the input gradients of
    the upper two layers (2); the generator step, discriminator forward (3)
    and input gradients (3), generator kernel gradients (3) and input
    gradients of its upper two layers (2): 30 products.

    Parameters
    ----------
    n_sites : int
    params : dict
        GAN parameters (``latent_size``, divisors, ``batch_size``).
    n_haplotypes : int
        Training rows: ``n_haplotypes // batch_size`` batches.
    repeats : int, default 3
        Timed epochs after one compiling call.

    Returns
    -------
    float
        Seconds.
    """
    import tensorflow as tf

    from genosynth.models.gan_network import hidden_sizes

    b = params["batch_size"]
    n_batches = n_haplotypes // b
    g_sizes = [params["latent_size"], *hidden_sizes(n_sites, params["g_hidden_divisors"]), n_sites]
    d_sizes = [n_sites, *hidden_sizes(n_sites, params["d_hidden_divisors"]), 1]
    rng = np.random.default_rng(0)

    def kernels(sizes):
        return [
            tf.constant(rng.standard_normal((m, n), dtype=np.float32) * 0.01)
            for m, n in zip(sizes, sizes[1:], strict=False)
        ]

    g_w, d_w = kernels(g_sizes), kernels(d_sizes)

    def forward(x, ws):
        acts = [x]
        for w in ws:
            acts.append(acts[-1] @ w)
        return acts

    def backward(acts, ws, grad, *, kernel_grads, input_grad):
        out = []
        for i in reversed(range(len(ws))):
            if kernel_grads:
                out.append(tf.reduce_sum(tf.transpose(acts[i]) @ grad))
            if i > 0 or input_grad:
                grad = grad @ tf.transpose(ws[i])
        return out, grad

    @tf.function(jit_compile=True)
    def epoch(z, x):
        total = tf.constant(0.0)
        for i in tf.range(n_batches):
            g_acts = forward(z[i], g_w)
            sums = []
            for d_in in (x[i], g_acts[-1]):
                acts = forward(d_in, d_w)
                sums += backward(acts, d_w, acts[-1], kernel_grads=True, input_grad=False)[0]
            acts = forward(g_acts[-1], d_w)
            _, grad = backward(acts, d_w, acts[-1], kernel_grads=False, input_grad=True)
            sums += backward(g_acts, g_w, grad, kernel_grads=True, input_grad=False)[0]
            total += tf.add_n(sums)
        return total

    z = tf.constant(rng.standard_normal((n_batches, b, g_sizes[0]), dtype=np.float32))
    x = tf.constant(rng.standard_normal((n_batches, b, n_sites), dtype=np.float32))
    float(epoch(z, x))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        float(epoch(z, x))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


@benchmark("gan")
def bench_gan(args):
    """Compiled GAN epoch vs the paper-style ``train_on_batch`` loop on 805 x 3756."""
    from genosynth.models.gan import GANModel, noisy_inputs

    rng = np.random.default_rng(SEED)
    h = (rng.random((N_HAPLOTYPES, N_SITES)) < 0.5).astype(np.int8)
    from genosynth.models.gan_train import INPUT_NOISE

    model = GANModel()
    params = model.params
    x = noisy_inputs(h, SEED, INPUT_NOISE["tanh"])
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
    floor_s = matmul_floor_epoch(N_SITES, params, N_HAPLOTYPES)
    yield "gan_matmul_floor_epoch_s", floor_s
    yield "gan_epoch_over_floor", ours_s / floor_s
