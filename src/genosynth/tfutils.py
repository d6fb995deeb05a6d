"""TensorFlow helpers shared by every TensorFlow model (the haplotype GAN, the DNA WGAN and
the DNA predictors): lazy import, thread set-up, seeds, initial weights, the gradient penalty,
and the named weights and Adam slots that checkpoints store.

TensorFlow and Keras are imported inside the functions, so importing this module is cheap.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

import numpy as np

from genosynth.errors import GenosynthError

__all__ = [
    "adam",
    "adam_slot_variables",
    "configure_threads",
    "glorot_uniform",
    "gradient_penalty",
    "named_weights",
    "seed_int",
    "tf",
]

log = logging.getLogger(__name__)


def tf():
    """The ``tensorflow`` module (imported on first use)."""
    import tensorflow

    return tensorflow


def configure_threads(threads: int | None) -> bool:
    """Set TensorFlow's intra-op threads to ``threads`` (inter-op to 1) if still possible.

    Parameters
    ----------
    threads : int or None
        Wanted intra-op thread count; ``None`` leaves TensorFlow's default.

    Returns
    -------
    bool
        Whether TensorFlow now uses the requested configuration. TensorFlow
        fixes its thread pools when it initialises (first operation in the
        process); a later different request logs a warning and returns False.
    """
    if threads is None:
        return True
    cfg = tf().config.threading
    if (
        cfg.get_intra_op_parallelism_threads() == threads
        and cfg.get_inter_op_parallelism_threads() == 1
    ):
        return True
    try:
        cfg.set_intra_op_parallelism_threads(threads)
        cfg.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        log.warning(
            "cannot set TensorFlow to %d intra-op threads: TensorFlow is already initialised "
            "in this process (intra=%d, inter=%d); set TF_NUM_INTRAOP_THREADS or set the "
            "threads before the first TensorFlow operation",
            threads,
            cfg.get_intra_op_parallelism_threads(),
            cfg.get_inter_op_parallelism_threads(),
        )
        return False
    return True


def seed_int(seed: int | np.random.Generator) -> int:
    """A non-negative integer seed from an int or a numpy Generator (one draw)."""
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, 2**63 - 1))
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise GenosynthError(
            f"seed must be a non-negative integer or a numpy Generator, got {seed!r}"
        )
    return int(seed)


def glorot_uniform(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Glorot-uniform ``float32`` weights of ``shape`` (Keras' default kernel initialiser).

    ``U(-limit, limit)`` with ``limit = sqrt(6 / (fan_in + fan_out))``; a convolution
    kernel ``(..., in, out)`` multiplies both fans by its receptive field.
    """
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    fan_in, fan_out = receptive * shape[-2], receptive * shape[-1]
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(np.float32)


def gradient_penalty(critic: Callable, x_hat):
    """WGAN-GP's penalty ``mean_i (||grad_x critic(x_hat_i)||_2 - 1) ** 2``.

    The norm runs over every axis but the batch axis.

    Parameters
    ----------
    critic : callable
        Maps ``x_hat`` to a ``(batch, 1)`` score.
    x_hat : tf.Tensor, float32, shape (batch, ...)
        Points between real and generated rows.

    Returns
    -------
    tf.Tensor, float32, scalar
    """
    tensorflow = tf()
    with tensorflow.GradientTape() as tape:
        tape.watch(x_hat)
        out = critic(x_hat)
    grads = tape.gradient(out, x_hat)
    axes = list(range(1, grads.shape.rank))
    norms = tensorflow.sqrt(tensorflow.reduce_sum(tensorflow.square(grads), axis=axes) + 1e-12)
    return tensorflow.reduce_mean(tensorflow.square(norms - 1.0))


def adam(lr: float, beta_1: float, beta_2: float, epsilon: float, name: str):
    """A Keras Adam optimizer."""
    import keras

    return keras.optimizers.Adam(
        learning_rate=lr, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, name=name
    )


def named_weights(model) -> dict:
    """The model's weights keyed ``"<model>/<layer>/<weight>"``, in layer order.

    Parameters
    ----------
    model : keras.Model
        A network from :func:`build_generator` or :func:`build_discriminator`.

    Returns
    -------
    dict of str to keras.Variable
        E.g. ``"generator/generator_hidden_1/kernel"`` (float32,
        ``(n_in, n_out)``) and ``".../bias"`` (float32, ``(n_out,)``).
    """
    out: dict = {}
    for layer in model.layers:
        for w in layer.weights:
            out[f"{model.name}/{layer.name}/{w.name}"] = w
    return out


def adam_slot_variables(optimizer, named: dict, prefix: str) -> dict:
    """An Adam optimizer's variables keyed like the weights they belong to.

    Parameters
    ----------
    optimizer : keras.optimizers.Adam
        Built on the variables of ``named``.
    named : dict of str to keras.Variable
        Weights keyed ``"<model>/<layer>/<weight>"`` (see :func:`named_weights`).
    prefix : str
        Key prefix, e.g. ``"g_optimizer"``.

    Returns
    -------
    dict of str to keras.Variable
        ``"<prefix>/iterations"`` (int64 scalar) and, per weight,
        ``"<prefix>/<weight key>/momentum"`` and ``".../velocity"`` (float32, the
        weight's shape).

    Raises
    ------
    GenosynthError
        When Keras names a slot other than ``<weight path>_<slot>``.
    """
    by_name = {v.name: v for v in optimizer.variables}
    out = {f"{prefix}/iterations": optimizer.iterations}
    for key, w in named.items():
        stem = w.path.replace("/", "_")
        for slot in ("momentum", "velocity"):
            try:
                out[f"{prefix}/{key}/{slot}"] = by_name[f"{stem}_{slot}"]
            except KeyError:
                raise GenosynthError(
                    f"optimizer variable {stem}_{slot} not found (Keras naming changed?)"
                ) from None
    return out
