"""Designing sequences by gradient ascent on a predictor (Killoran et al., section 3).

Two methods, both maximising a differentiable score ``f`` of ``(n, L, 4)`` base
probabilities with Adam:

* **activation maximisation**: free logits ``v`` of shape ``(n, L, 4)`` (the paper's
  ``L x 4`` latent), relaxed to sequences by ``x = softmax(v)`` over the bases; Adam step
  0.1 in the paper;
* **joint** (the paper's method): latent points ``z`` of a trained generator, ``x = G(z)``
  (its four base channels), so that designs stay on the generator's data manifold.

Options of both: ``prior_weight`` adds ``-prior_weight * ||u||^2 / 2`` to the objective
(``u`` = ``z`` or ``v``: a Gaussian prior keeping ``z`` where the generator was trained),
and ``noise`` adds ``N(0, noise^2)`` to ``u`` after every step (noisy ascent, which escapes
flat regions). Designs are the argmax sequences of the final ``x``; every random draw comes
from the given seed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["activation_maximization", "joint_design"]


def _ascend(u0, to_x: Callable, score: Callable, *, steps, lr, prior_weight, noise, seed):
    import keras
    import tensorflow as tf

    rng = np.random.default_rng([seed, 2])
    u = tf.Variable(u0.astype(np.float32))
    opt = keras.optimizers.Adam(lr)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            f = score(to_x(u))
            prior = 0.5 * prior_weight * tf.reduce_sum(tf.square(u), axis=list(range(1, u0.ndim)))
            loss = -tf.reduce_sum(f - prior)
        opt.apply_gradients([(tape.gradient(loss, u), u)])
        return tf.reduce_mean(f)

    trace = []
    for _ in range(steps):
        trace.append(float(step()))
        if noise:
            u.assign_add(rng.normal(0.0, noise, size=u0.shape).astype(np.float32))
    x = np.asarray(to_x(u))
    return x, np.asarray(u), np.asarray(trace)


def activation_maximization(
    score: Callable, *, n: int, length: int, steps: int, lr: float = 0.1,
    prior_weight: float = 0.0, noise: float = 0.0, seed: int,
):  # fmt: skip
    """Design ``n`` sequences of ``length`` by ascent on softmax-relaxed logits.

    Parameters
    ----------
    score : callable
        TensorFlow ``(n, L, 4) float32 -> (n,)``.
    n, length, steps : int
    lr, prior_weight, noise : float
    seed : int
        Initial logits ``0.1 * N(0, 1)`` from ``default_rng([seed, 1])``.

    Returns
    -------
    x : numpy.ndarray, float32, shape (n, length, 4)
        Final base probabilities.
    codes : numpy.ndarray, uint8, shape (n, length)
        Their argmax sequences.
    trace : numpy.ndarray, float64, shape (steps,)
        Mean score of the relaxed sequences per step.
    """
    import tensorflow as tf

    v0 = 0.1 * np.random.default_rng([seed, 1]).standard_normal((n, length, 4))
    x, _, trace = _ascend(
        v0,
        lambda v: tf.nn.softmax(v, axis=-1),
        score,
        steps=steps,
        lr=lr,
        prior_weight=prior_weight,
        noise=noise,
        seed=seed,
    )
    return x, x.argmax(axis=-1).astype(np.uint8), trace


def joint_design(
    generator, score: Callable, *, n: int, latent_size: int, steps: int, lr: float = 0.1,
    prior_weight: float = 0.0, noise: float = 0.0, seed: int,
):  # fmt: skip
    """Design ``n`` sequences by ascent on the latent points of a generator.

    Parameters
    ----------
    generator : keras.Model
        ``(n, latent_size) -> (n, L, C)``; the first four channels are bases.
    score : callable
        TensorFlow ``(n, L, 4) -> (n,)``.
    seed : int
        Initial ``z ~ N(0, 1)`` from ``default_rng([seed, 1])``.

    Returns
    -------
    x, codes, trace
        As :func:`activation_maximization`; ``x`` is ``G(z)[..., :4]``.
    z : numpy.ndarray, float32, shape (n, latent_size)
        Final latent points.
    """
    z0 = np.random.default_rng([seed, 1]).standard_normal((n, latent_size))
    x, z, trace = _ascend(
        z0,
        lambda z: generator(z)[..., :4],
        score,
        steps=steps,
        lr=lr,
        prior_weight=prior_weight,
        noise=noise,
        seed=seed,
    )
    return x, x.argmax(axis=-1).astype(np.uint8), trace, z
