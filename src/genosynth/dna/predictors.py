"""Predictors of a sequence property: the explicit PWM model and the DeepBind-like CNN.

:class:`BindingCNN` follows the paper's Appendix B.1 predictor (after DeepBind): the
one-hot input is padded on both sides with ``kernel_size - 1`` columns of 0.25 (a motif
may overhang the ends), then ``Conv1D(filters, kernel_size)`` -> LeakyReLU(0.1) ->
global max-pool over positions -> ``Dense(hidden)`` -> LeakyReLU(0.1) -> ``Dense(1)``.
Targets are standardised for training (mean and standard deviation are kept in the
state) and predictions returned on the original scale; 0/1 targets train the same way
(a linear-probability score). The oracle of the binding experiment is the same model
trained independently (its own seed, all the data).

:func:`pwm_score_tf` is the differentiable explicit predictor (log-odds convolution +
max-pool over positions and strands), equal to :func:`genosynth.dna.motifs.pwm_scan`.

A predictor scores sequences and generates none, so it is a
:class:`~genosynth.models.base.Model` (typed parameters, one-file checkpoint) but no
:class:`~genosynth.models.base.HaplotypeModel`; its checkpoint is the same one-file
``.npz`` as theirs (``meta`` JSON, ``state/<name>`` arrays), read by :func:`load_predictor`
and by :func:`genosynth.dna.inference.load_predictor`.
"""

from __future__ import annotations

import json
import logging

import numpy as np

from genosynth.errors import GenosynthError
from genosynth.models.base import Model
from genosynth.params import Param
from genosynth.tfutils import configure_threads, glorot_uniform, seed_int

__all__ = ["BindingCNN", "load_predictor", "pwm_score_tf"]

log = logging.getLogger(__name__)


def pwm_score_tf(weights: np.ndarray, *, both_strands: bool = True):
    """A TensorFlow function ``(n, L, 4) -> (n,)``: the best PWM match of each sequence.

    Parameters
    ----------
    weights : numpy.ndarray, shape (width, 4)
        Log-odds matrix.
    """
    import tensorflow as tf

    w = np.asarray(weights, dtype=np.float32)
    filters = [w] + ([w[::-1, ::-1]] if both_strands else [])
    kernel = tf.constant(np.stack(filters, axis=-1))  # (width, 4, n_strands)

    def score(x):
        return tf.reduce_max(tf.nn.conv1d(x, kernel, stride=1, padding="VALID"), axis=[1, 2])

    return score


def _build_cnn(length: int, *, filters: int, kernel_size: int, hidden: int):
    import keras

    x = keras.Input(shape=(length, 4), name="cnn_x")
    pad = kernel_size - 1
    h = keras.layers.Lambda(
        lambda v: keras.ops.pad(v - 0.25, [[0, 0], [pad, pad], [0, 0]]) + 0.25, name="cnn_pad"
    )(x)
    h = keras.layers.Conv1D(filters, kernel_size, name="cnn_conv")(h)
    h = keras.layers.LeakyReLU(negative_slope=0.1, name="cnn_leaky_1")(h)
    h = keras.layers.GlobalMaxPooling1D(name="cnn_pool")(h)
    h = keras.layers.Dense(hidden, name="cnn_hidden")(h)
    h = keras.layers.LeakyReLU(negative_slope=0.1, name="cnn_leaky_2")(h)
    return keras.Model(x, keras.layers.Dense(1, name="cnn_output")(h), name="cnn")


class BindingCNN(Model):
    """DeepBind-like regression CNN on one-hot sequences (module notes)."""

    name = "binding_cnn"
    spec = (
        Param("filters", int, 32, "Convolution filters.", low=1),
        Param("kernel_size", int, 12, "Convolution width (bases).", low=1),
        Param("hidden", int, 32, "Units of the hidden dense layer.", low=1),
        Param("epochs", int, 30, "Training epochs.", "run", low=1),
        Param("batch_size", int, 64, "Rows per Adam step.", low=1),
        Param("lr", float, 1e-3, "Adam learning rate.", low=0, low_open=True),
        Param(
            "threads",
            int,
            None,
            "TensorFlow intra-op threads (null: default).",
            "run",
            low=1,
            nullable=True,
        ),
    )

    def __init__(self, **params):
        super().__init__(**params)
        self._net = None
        self.target_mean = 0.0
        self.target_std = 1.0

    def _build(self, length: int) -> None:
        configure_threads(self.params["threads"])
        p = self.params
        self._net = _build_cnn(
            length, filters=p["filters"], kernel_size=p["kernel_size"], hidden=p["hidden"]
        )
        self.n_sites = length

    def fit(self, x: np.ndarray, y: np.ndarray, *, seed) -> BindingCNN:
        """Fit to one-hot ``x`` (float32 ``(n, L, 4)``) and targets ``y`` (float ``(n,)``).

        Weights start Glorot-uniform from ``default_rng([seed, 1])``; batches are shuffled
        from ``default_rng([seed, 2])``; training minimises the mean squared error of the
        standardised targets with Adam.
        """
        import keras
        import tensorflow as tf

        x = np.asarray(x, dtype=np.float32)
        y = np.asarray(y, dtype=np.float64)
        if x.ndim != 3 or x.shape[2] != 4 or len(x) != len(y) or len(x) < 2:
            raise GenosynthError(
                f"predictor: expected (n, L, 4) and (n,), got {x.shape}, {y.shape}"
            )
        seed = seed_int(seed)
        self._build(x.shape[1])
        rng = np.random.default_rng([seed, 1])
        for w in self._net.weights:
            shape = tuple(w.shape)
            w.assign(glorot_uniform(rng, shape) if len(shape) >= 2 else np.zeros(shape, np.float32))
        self.target_mean, self.target_std = float(y.mean()), float(y.std() or 1.0)
        target = ((y - self.target_mean) / self.target_std).astype(np.float32)
        opt = keras.optimizers.Adam(self.params["lr"])
        net, variables = self._net, self._net.trainable_variables

        @tf.function
        def train_batch(xb, yb):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(net(xb, training=True)[:, 0] - yb))
            opt.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=True))
            return loss

        shuffle = np.random.default_rng([seed, 2])
        b = min(self.params["batch_size"], len(x))
        for epoch in range(1, self.params["epochs"] + 1):
            order = shuffle.permutation(len(x))
            losses = [
                float(train_batch(x[order[i : i + b]], target[order[i : i + b]]))
                for i in range(0, len(x) - b + 1, b)
            ]
            self.step = epoch
            if epoch % 10 == 0 or epoch == self.params["epochs"]:
                log.info("predictor epoch %d: mse %.4f", epoch, np.mean(losses))
        return self

    def predict(self, x: np.ndarray, *, batch: int = 4096) -> np.ndarray:
        """Scores ``float64 (n,)`` of one-hot ``x`` on the training targets' scale."""
        self._require_fitted()
        x = np.asarray(x, dtype=np.float32)
        out = [np.asarray(self._net(x[i : i + batch]))[:, 0] for i in range(0, len(x), batch)]
        raw = np.concatenate(out) if out else np.zeros(0)
        return raw.astype(np.float64) * self.target_std + self.target_mean

    def score_tf(self):
        """A TensorFlow function ``(n, L, 4) -> (n,)`` of the prediction (for design)."""
        net, mean, std = self._net, self.target_mean, self.target_std

        def score(x):
            return net(x)[:, 0] * std + mean

        return score

    def get_state(self) -> dict[str, np.ndarray]:
        """Weights (float32) and the target scaling ``target`` = [mean, std] (float64)."""
        from genosynth.tfutils import named_weights

        self._require_fitted()
        state = {k: np.array(w.numpy()) for k, w in named_weights(self._net).items()}
        state["target"] = np.array([self.target_mean, self.target_std])
        return state

    def set_state(self, state: dict[str, np.ndarray]) -> None:
        """Restore :meth:`get_state` output."""
        from genosynth.tfutils import named_weights

        length = int(state["length"]) if "length" in state else None
        if self._net is None:
            if length is None:
                raise GenosynthError("predictor state lacks its sequence length")
            self._build(length)
        for key, w in named_weights(self._net).items():
            w.assign(np.asarray(state[key], dtype=np.float32))
        self.target_mean, self.target_std = (float(v) for v in state["target"])


def load_predictor(path) -> BindingCNN:
    """Restore a :class:`BindingCNN` checkpoint."""
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        state = {k[6:]: z[k] for k in z.files if k.startswith("state/")}
    if meta["model"] != BindingCNN.name:
        raise GenosynthError(f"{path} holds a '{meta['model']}' model, not a predictor")
    model = BindingCNN(**meta["params"])
    model.set_state(state | {"length": np.array(meta["n_sites"])})
    model.step = meta["step"]
    return model
