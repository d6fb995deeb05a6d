"""Keras definition of the convolutional WGAN-GP of Yelmen et al. (2023): generator and critic.

Only the networks live here; training and sampling are in
:mod:`genosynth.models.conv_gan`. Importing this module imports Keras.

Shapes, for ``L`` SNPs, ``depth`` D, ``channels`` c, ``noise_dim`` e, ``pack_m`` m and
``K`` classes (``K = 0`` unconditional)::

    base length   L0 = ceil(L / 2**D);  level lengths l_k = L0 * 2**k  (k = 0..D)
    widths        w_k = c * (D + 1 - k)   (w_0 = c (D + 1) at the coarsest level, w_D = c)

    generator : noise z_k (l_k, e) per level, one-hot label (K)
        level 0 : [z_0, p_0, label] -> Conv1D(w_0)                     -> LN -> LeakyReLU
        level k : Conv1DTranspose(w_k, stride 2) (l_{k-1} -> l_k)      -> LN -> LeakyReLU
                  [., p_k, z_k] -> Conv1D(w_k)                          -> LN -> LeakyReLU
        output  : Conv1D(1) -> (l_D,) cropped to the first L sites, plus a learned bias per
                  site (L values): log-odds of allele 1
    critic    : m packed haplotypes (L, m) zero-padded to l_D, their one-hot labels (m K)
        level D : [x, q_D, labels] -> Conv1D(w_D)                       -> LN -> LeakyReLU
        level k : Conv1D(w_k, stride 2) (l_{k+1} -> l_k)                -> LN -> LeakyReLU
                  [., q_k] -> Conv1D(w_k)                               -> LN -> LeakyReLU
        output  : Conv1D(1) -> flatten (L0) -> Dense(1): the Wasserstein score

``p_k`` and ``q_k`` are the paper's *location-specific trainable variables*: one learned
value per position of level ``k`` (shape ``(l_k, 1)``, initialised N(0, 1)), concatenated as
a channel so that the translation-equivariant convolutions know where on the chromosome
they are. Every convolution has kernel 3 and ``"same"`` padding; LN is
``LayerNormalization`` over the channels of each position (the paper: batch norm in the
generator, instance norm in the critic; LN needs no running statistics and is per-sample,
as the gradient penalty wants). The parameters grow linearly with ``L`` (the maps, the
critic's last ``Dense`` and the output bias: about ``5 L + L / 2**D``); the convolutions'
weights do not depend on ``L`` (:func:`parameter_count` writes the sum out). The per-site
output bias (:class:`SiteBias`) is where the model starts from the training allele
frequencies (:meth:`genosynth.models.conv_gan.ConvGANModel.init_training`), so the
convolutions learn the haplotypes' structure rather than each site's frequency.
"""

from __future__ import annotations

import math

import keras

__all__ = [
    "Broadcast",
    "PositionMap",
    "SiteBias",
    "build_critic",
    "build_generator",
    "level_lengths",
    "parameter_count",
    "widths",
]

KERNEL = 3


def level_lengths(n_sites: int, depth: int) -> list[int]:
    """Lengths ``l_k = ceil(n_sites / 2**depth) * 2**k`` of levels ``k = 0..depth``."""
    base = math.ceil(n_sites / 2**depth)
    return [base * 2**k for k in range(depth + 1)]


def widths(channels: int, depth: int) -> list[int]:
    """Channels ``w_k = channels * (depth + 1 - k)`` of levels ``k = 0..depth``."""
    return [channels * (depth + 1 - k) for k in range(depth + 1)]


def parameter_count(
    n_sites: int, *, channels: int, depth: int, noise_dim: int, pack_m: int, n_classes: int = 0
) -> tuple[int, int]:
    """Trainable parameters ``(generator, critic)`` of the networks built here."""
    lengths, w = level_lengths(n_sites, depth), widths(channels, depth)

    def conv(n_in: int, n_out: int) -> int:  # kernel + bias
        return KERNEL * n_in * n_out + n_out

    ln = [2 * x for x in w]
    g = sum(lengths) + conv(noise_dim + 1 + n_classes, w[0]) + ln[0]
    for k in range(1, depth + 1):
        g += conv(w[k - 1], w[k]) + ln[k] + conv(w[k] + 1 + noise_dim, w[k]) + ln[k]
    g += conv(w[depth], 1) + n_sites  # output conv, per-site bias
    c = sum(lengths) + conv(pack_m * (1 + n_classes) + 1, w[depth]) + ln[depth]
    for k in range(depth - 1, -1, -1):
        c += conv(w[k + 1], w[k]) + ln[k] + conv(w[k] + 1, w[k]) + ln[k]
    c += conv(w[0], 1) + lengths[0] + 1
    return g, c


class _Positions(keras.layers.Layer):
    """A layer over ``length`` positions (serialised with it)."""

    def __init__(self, length: int, **kwargs):
        super().__init__(**kwargs)
        self.length = int(length)

    def get_config(self) -> dict:
        return super().get_config() | {"length": self.length}


class PositionMap(_Positions):
    """Appends a learned channel: one trainable value per position (``(length, 1)``)."""

    def __init__(self, length: int, **kwargs):
        super().__init__(length, **kwargs)
        self.map = self.add_weight(
            shape=(self.length, 1), initializer="random_normal", name="map", trainable=True
        )

    def call(self, x):
        """``x`` (batch, length, c) -> (batch, length, c + 1)."""
        ops = keras.ops
        tiled = ops.broadcast_to(self.map[None], (ops.shape(x)[0], self.length, 1))
        return ops.concatenate([x, ops.cast(tiled, x.dtype)], axis=-1)


class SiteBias(_Positions):
    """Adds a learned value per site: ``(batch, length)`` -> ``(batch, length)``."""

    def __init__(self, length: int, **kwargs):
        super().__init__(length, **kwargs)
        self.bias = self.add_weight(
            shape=(self.length,), initializer="zeros", name="site_bias", trainable=True
        )

    def call(self, x):
        return x + keras.ops.cast(self.bias, x.dtype)


class Broadcast(_Positions):
    """Repeats a per-row vector ``(batch, k)`` along ``length`` positions."""

    def call(self, y):
        ops = keras.ops
        return ops.broadcast_to(y[:, None, :], (ops.shape(y)[0], self.length, ops.shape(y)[1]))


def _norm_act(x, name: str, alpha: float):
    x = keras.layers.LayerNormalization(axis=-1, epsilon=1e-5, name=f"{name}_ln")(x)
    return keras.layers.LeakyReLU(negative_slope=alpha, name=f"{name}_act")(x)


def build_generator(
    n_sites: int,
    *,
    channels: int,
    depth: int,
    noise_dim: int,
    n_classes: int = 0,
    alpha: float = 0.01,
) -> keras.Model:
    """The generator: per-level noise (+ one-hot class) to ``n_sites`` log-odds.

    Returns
    -------
    keras.Model
        Inputs: a list of ``depth + 1`` float32 noise tensors ``(batch, l_k, noise_dim)``
        and, with ``n_classes``, the float32 label vector ``(batch, n_classes)``; output
        float32 ``(batch, n_sites)``.
    """
    lengths, w = level_lengths(n_sites, depth), widths(channels, depth)
    noise = [keras.Input((n, noise_dim), name=f"noise_{k}") for k, n in enumerate(lengths)]
    inputs = list(noise)
    parts = [noise[0]]
    if n_classes:
        label = keras.Input((n_classes,), name="label")
        inputs.append(label)
        parts.append(Broadcast(lengths[0], name="label_broadcast")(label))
    x = parts[0] if len(parts) == 1 else keras.layers.Concatenate(name="level_0_in")(parts)
    x = PositionMap(lengths[0], name="position_0")(x)
    x = keras.layers.Conv1D(w[0], KERNEL, padding="same", name="conv_0")(x)
    x = _norm_act(x, "conv_0", alpha)
    for k in range(1, depth + 1):
        x = keras.layers.Conv1DTranspose(w[k], KERNEL, 2, padding="same", name=f"up_{k}")(x)
        x = _norm_act(x, f"up_{k}", alpha)
        x = PositionMap(lengths[k], name=f"position_{k}")(x)
        x = keras.layers.Concatenate(name=f"noise_in_{k}")([x, noise[k]])
        x = keras.layers.Conv1D(w[k], KERNEL, padding="same", name=f"conv_{k}")(x)
        x = _norm_act(x, f"conv_{k}", alpha)
    x = keras.layers.Conv1D(1, KERNEL, padding="same", name="output")(x)
    x = keras.layers.Cropping1D((0, lengths[-1] - n_sites), name="crop")(x)
    x = keras.layers.Reshape((n_sites,), name="reshape")(x)
    x = SiteBias(n_sites, name="logits")(x)
    return keras.Model(inputs, x, name="generator")


def build_critic(
    n_sites: int,
    *,
    channels: int,
    depth: int,
    pack_m: int,
    n_classes: int = 0,
    alpha: float = 0.01,
) -> keras.Model:
    """The critic: ``pack_m`` packed haplotypes (+ their one-hot classes) to a score.

    Returns
    -------
    keras.Model
        Input float32 ``(batch, n_sites, pack_m)`` and, with ``n_classes``, float32
        ``(batch, pack_m * n_classes)``; output float32 ``(batch, 1)``.
    """
    lengths, w = level_lengths(n_sites, depth), widths(channels, depth)
    x_in = keras.Input((n_sites, pack_m), name="haplotypes")
    inputs = [x_in]
    x = keras.layers.ZeroPadding1D((0, lengths[-1] - n_sites), name="pad")(x_in)
    if n_classes:
        label = keras.Input((pack_m * n_classes,), name="label")
        inputs.append(label)
        x = keras.layers.Concatenate(name="level_in")(
            [x, Broadcast(lengths[-1], name="label_broadcast")(label)]
        )
    x = PositionMap(lengths[-1], name=f"position_{depth}")(x)
    x = keras.layers.Conv1D(w[depth], KERNEL, padding="same", name=f"conv_{depth}")(x)
    x = _norm_act(x, f"conv_{depth}", alpha)
    for k in range(depth - 1, -1, -1):
        x = keras.layers.Conv1D(w[k], KERNEL, 2, padding="same", name=f"down_{k}")(x)
        x = _norm_act(x, f"down_{k}", alpha)
        x = PositionMap(lengths[k], name=f"position_{k}")(x)
        x = keras.layers.Conv1D(w[k], KERNEL, padding="same", name=f"conv_{k}")(x)
        x = _norm_act(x, f"conv_{k}", alpha)
    x = keras.layers.Conv1D(1, KERNEL, padding="same", name="reduce")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(1, name="score")(x)
    return keras.Model(inputs if n_classes else x_in, x, name="critic")
