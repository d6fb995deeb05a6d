"""Keras definition of the Killoran et al. WGAN-GP networks (paper Appendix B.1).

Only the networks live here; training, sampling and checkpoints are in
:mod:`genosynth.dna.wgan`. Importing this module imports Keras.

For sequences of length ``L`` with ``C`` channels (4 bases, or 4 bases + 1 exon track),
model width ``dim``, ``n_blocks`` residual blocks and residual scale ``r``::

    generator : z (latent, N(0, 1)) -> Dense(L * dim) -> reshape (L, dim)
                -> n_blocks x ResBlock -> Conv1D(C, 1)
                -> softmax over the 4 base channels (+ sigmoid of the track channel)
    critic    : x (L, C) -> Conv1D(dim, 1) -> n_blocks x ResBlock -> flatten -> Dense(1)

    ResBlock(h) = h + r * Conv1D(dim, k)(relu(Conv1D(dim, k)(relu(h))))

with ``k = kernel_size`` (paper: 5), "same" padding, ``r = 0.3``. The critic output is an
unbounded real number (Wasserstein critic), no batch normalisation (the gradient penalty
is per sample).
"""

from __future__ import annotations

import keras

__all__ = ["build_critic", "build_generator"]


def _res_block(h, dim: int, kernel_size: int, r: float, name: str):
    y = keras.layers.ReLU(name=f"{name}_relu_1")(h)
    y = keras.layers.Conv1D(dim, kernel_size, padding="same", name=f"{name}_conv_1")(y)
    y = keras.layers.ReLU(name=f"{name}_relu_2")(y)
    y = keras.layers.Conv1D(dim, kernel_size, padding="same", name=f"{name}_conv_2")(y)
    y = keras.layers.Rescaling(r, name=f"{name}_scale")(y)
    return keras.layers.Add(name=f"{name}_add")([h, y])


class _Heads(keras.layers.Layer):
    """Softmax over the first 4 channels, sigmoid over any further (track) channel."""

    def call(self, logits):
        bases = keras.ops.softmax(logits[..., :4], axis=-1)
        if logits.shape[-1] == 4:
            return bases
        return keras.ops.concatenate([bases, keras.ops.sigmoid(logits[..., 4:])], axis=-1)


def build_generator(
    length: int,
    channels: int,
    *,
    latent_size: int = 100,
    dim: int = 100,
    n_blocks: int = 5,
    kernel_size: int = 5,
    r: float = 0.3,
) -> keras.Model:
    """The generator.

    Parameters
    ----------
    length : int
        Sequence length ``L``.
    channels : int
        4 (bases) or 5 (bases + exon track).
    latent_size, dim, n_blocks, kernel_size : int
    r : float
        Residual scale.

    Returns
    -------
    keras.Model
        float32 ``(batch, latent_size)`` to float32 ``(batch, L, channels)``; the first 4
        channels sum to 1, the fifth is in ``(0, 1)``.
    """
    z = keras.Input(shape=(latent_size,), name="generator_z")
    h = keras.layers.Dense(length * dim, name="generator_dense")(z)
    h = keras.layers.Reshape((length, dim), name="generator_reshape")(h)
    for i in range(1, n_blocks + 1):
        h = _res_block(h, dim, kernel_size, r, f"generator_block_{i}")
    logits = keras.layers.Conv1D(channels, 1, name="generator_output")(h)
    return keras.Model(z, _Heads(name="generator_heads")(logits), name="generator")


def build_critic(
    length: int,
    channels: int,
    *,
    dim: int = 100,
    n_blocks: int = 5,
    kernel_size: int = 5,
    r: float = 0.3,
) -> keras.Model:
    """The Wasserstein critic.

    Returns
    -------
    keras.Model
        float32 ``(batch, L, channels)`` to float32 ``(batch, 1)``.
    """
    x = keras.Input(shape=(length, channels), name="critic_x")
    h = keras.layers.Conv1D(dim, 1, name="critic_input")(x)
    for i in range(1, n_blocks + 1):
        h = _res_block(h, dim, kernel_size, r, f"critic_block_{i}")
    h = keras.layers.Flatten(name="critic_flatten")(h)
    return keras.Model(x, keras.layers.Dense(1, name="critic_output")(h), name="critic")
