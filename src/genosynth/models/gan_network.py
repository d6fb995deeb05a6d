"""Keras definition of the Yelmen et al. (2021) GAN: generator and discriminator.

Only the networks live here; the training loop, sampling and the
:class:`~genosynth.models.gan.GANModel` interface are in
:mod:`genosynth.models.gan`. Importing this module imports TensorFlow/Keras,
which :mod:`genosynth.models.gan` does lazily so that ``import
genosynth.models`` stays fast.

Architecture (paper, Methods), for ``L`` SNPs and ``K`` classes (``K = 0``
unconditional; with ``K > 0`` a one-hot class vector is concatenated to the
generator's latent input and to the discriminator's input)::

    generator     : (latent_size + K) -> round(L / 1.2) -> round(L / 1.1) -> L, tanh
    discriminator : (L + K) -> round(L / 2) -> round(L / 3) -> 1, sigmoid

Every hidden layer is a ``Dense`` layer with an L2 kernel regulariser
(``l2 * sum(kernel ** 2)``, default ``1e-4``) followed by ``LeakyReLU``
(negative slope ``alpha``, default 0.01); the output layers have neither.
Sizes use Python's :func:`round` (round half to even), so ``L = 805`` gives
``[600 -> 671 -> 732 -> 805]`` and ``[805 -> 402 -> 268 -> 1]``
(``805 / 2 = 402.5`` rounds to 402). Hidden sizes are at least 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras

from genosynth.errors import GenosynthError

__all__ = [
    "L2Penalty",
    "build_discriminator",
    "build_generator",
    "hidden_sizes",
]


def hidden_sizes(n_sites: int, divisors: Sequence[float]) -> list[int]:
    """Hidden-layer widths ``max(1, round(n_sites / d))`` for each divisor ``d``.

    Parameters
    ----------
    n_sites : int
        Number of SNPs ``L``.
    divisors : sequence of float
        One divisor per hidden layer, e.g. ``[1.2, 1.1]`` (generator) or
        ``[2, 3]`` (discriminator).

    Returns
    -------
    list of int
        Widths, in layer order.
    """
    return [max(1, round(n_sites / d)) for d in divisors]


class L2Penalty(keras.regularizers.Regularizer):
    """``l2 * sum(kernel ** 2)``: Keras ``L2``, with the value summed by a matrix product.

    Keras's ``L2`` writes ``kernel ** 2`` out and XLA on the CPU then sums it
    in 32 x 32 tiles, a slow pass over every kernel at every step for a value
    that only enters the reported loss (a fifth of the GAN epoch on the
    ``wide`` shape). Here the value is ``sum((kernel ** 2) @ ones)``, which
    XLA computes several times faster (summed in another order, so the value
    may differ from Keras's in the last bits), and the gradient is written out
    as TensorFlow differentiates Keras's ``L2``, ``(upstream * l2) * (kernel *
    2)``, so training is bit for bit the same (``tests/unit/test_gan.py``).

    Parameters
    ----------
    l2 : float
        Regularisation factor.
    """

    def __init__(self, l2: float):
        self.l2 = float(l2)

    def __call__(self, x):
        """The penalty of ``x`` (float32, any shape): a float32 scalar."""
        import tensorflow as tf

        factor = tf.cast(self.l2, x.dtype)

        @tf.custom_gradient
        def penalty(kernel):
            rows = tf.reshape(tf.square(kernel), [-1, kernel.shape[-1]])
            value = factor * tf.reduce_sum(tf.linalg.matvec(rows, tf.ones_like(rows[0])))

            def grad(upstream):
                return (upstream * factor) * (kernel * tf.constant(2.0, kernel.dtype))

            return value, grad

        return penalty(x)

    def get_config(self) -> dict:
        """``{"l2": l2}`` (Keras serialisation)."""
        return {"l2": self.l2}


def _output_activation(output: str, choices: dict) -> str | None:
    """The Keras activation of an output choice; an unknown choice is refused."""
    if output not in choices:
        raise GenosynthError(f"output must be one of {sorted(choices)}, got {output!r}")
    return choices[output]


def _dense_stack(
    name: str,
    n_in: int,
    hidden: Sequence[int],
    n_out: int,
    out_activation: str,
    *,
    alpha: float,
    l2: float,
    penalty: type | None,
) -> keras.Sequential:
    penalty = L2Penalty if penalty is None else penalty
    layers: list[keras.layers.Layer] = [keras.Input(shape=(n_in,), name=f"{name}_input")]
    for i, width in enumerate(hidden, start=1):
        layers.append(
            keras.layers.Dense(
                width,
                kernel_regularizer=penalty(l2),
                name=f"{name}_hidden_{i}",
            )
        )
        layers.append(keras.layers.LeakyReLU(negative_slope=alpha, name=f"{name}_leaky_{i}"))
    layers.append(keras.layers.Dense(n_out, activation=out_activation, name=f"{name}_output"))
    return keras.Sequential(layers, name=name)


def build_generator(
    n_sites: int,
    latent_size: int,
    *,
    n_classes: int = 0,
    divisors: Sequence[float] = (1.2, 1.1),
    alpha: float = 0.01,
    l2: float = 1e-4,
    penalty: type | None = None,
    output: str = "tanh",
) -> keras.Sequential:
    """The generator: latent (+ one-hot class) vector to ``n_sites`` outputs.

    Parameters
    ----------
    n_sites : int
        Output width ``L``.
    latent_size : int
        Width of the Gaussian latent vector.
    n_classes : int, default 0
        Number of classes of a conditional GAN (0: unconditional). The input
        is then ``latent_size + n_classes`` wide: ``concat(z, one_hot(label))``.
    divisors : sequence of float, default (1.2, 1.1)
        Hidden widths are ``round(n_sites / d)``.
    alpha : float, default 0.01
        LeakyReLU negative slope.
    l2 : float, default 1e-4
        L2 kernel-regularisation factor of the hidden layers.
    penalty : type, optional
        Regulariser class called with ``l2``; default :class:`L2Penalty`.
        ``keras.regularizers.L2`` gives the same training, slower (the
        paper-style benchmark reference uses it).
    output : {"tanh", "logits"}, default "tanh"
        Output layer: ``tanh`` (the paper; outputs rounded to alleles) or
        linear (``"logits"``: log-odds of allele 1 per site, for the
        Bernoulli output of :class:`~genosynth.models.gan.GANModel`).

    Returns
    -------
    keras.Sequential
        Maps float32 ``(batch, latent_size + n_classes)`` to float32
        ``(batch, n_sites)``, in ``(-1, 1)`` for ``"tanh"``.
    """
    return _dense_stack(
        "generator",
        latent_size + n_classes,
        hidden_sizes(n_sites, divisors),
        n_sites,
        _output_activation(output, {"tanh": "tanh", "logits": None}),
        alpha=alpha,
        l2=l2,
        penalty=penalty,
    )


def build_discriminator(
    n_sites: int,
    *,
    n_classes: int = 0,
    divisors: Sequence[float] = (2.0, 3.0),
    alpha: float = 0.01,
    l2: float = 1e-4,
    penalty: type | None = None,
    output: str = "sigmoid",
) -> keras.Sequential:
    """The discriminator: a (noisy) haplotype (+ one-hot class) to P(real), or a critic score.

    Parameters
    ----------
    n_sites : int
        Haplotype width ``L``.
    n_classes : int, default 0
        Number of classes of a conditional GAN; the input is then
        ``concat(x, one_hot(label))``, ``n_sites + n_classes`` wide.
    divisors : sequence of float, default (2, 3)
        Hidden widths are ``round(n_sites / d)``.
    alpha : float, default 0.01
        LeakyReLU negative slope.
    l2 : float, default 1e-4
        L2 kernel-regularisation factor of the hidden layers.
    penalty : type, optional
        Regulariser class called with ``l2``; default :class:`L2Penalty`.
        ``keras.regularizers.L2`` gives the same training, slower (the
        paper-style benchmark reference uses it).
    output : {"sigmoid", "linear"}, default "sigmoid"
        Output unit: P(real) (the paper) or an unbounded score (the
        Wasserstein critic of ``loss="wgan_gp"``).

    Returns
    -------
    keras.Sequential
        Maps float32 ``(batch, n_sites + n_classes)`` to float32
        ``(batch, 1)``, in ``(0, 1)`` for ``"sigmoid"``.
    """
    return _dense_stack(
        "discriminator",
        n_sites + n_classes,
        hidden_sizes(n_sites, divisors),
        1,
        _output_activation(output, {"sigmoid": "sigmoid", "linear": None}),
        alpha=alpha,
        l2=l2,
        penalty=penalty,
    )
