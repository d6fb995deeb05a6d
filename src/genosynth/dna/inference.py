"""NumPy forward passes of trained DNA networks, read straight from their checkpoints.

Sampling a generator or scoring with a predictor needs no gradients, so the workflow's
figure and scoring steps run these instead of rebuilding the Keras networks: no
TensorFlow import (seconds per job), the same numbers to float32 round-off (the unit tests
compare both). Layer arithmetic follows :mod:`genosynth.dna.wgan_network` and
:mod:`genosynth.dna.predictors`:

* ``conv1d(x, w, b)``: ``y[n, l, o] = b[o] + sum_{k, c} x[n, l + k, c] w[k, c, o]`` over
  the (padded) input; Keras ``"same"`` pads ``(K - 1) // 2`` columns before and the rest
  after.
* Generator: ``Dense`` -> reshape ``(L, dim)`` -> residual blocks
  ``h + r * conv(relu(conv(relu(h))))`` -> ``Conv1D(C, 1)`` -> softmax of the four base
  channels (+ sigmoid of the track).
* Predictor: pad with 0.25 -> conv (valid) -> leaky relu 0.1 -> max over positions ->
  dense -> leaky relu 0.1 -> dense, rescaled to the training targets.
"""

from __future__ import annotations

import json
import os

import numpy as np

from genosynth.errors import GenosynthError

__all__ = ["GeneratorForward", "PredictorForward", "conv1d", "load_generator", "load_predictor"]


def conv1d(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray, *, same: bool) -> np.ndarray:
    """One-dimensional convolution (cross-correlation, as Keras ``Conv1D``).

    Parameters
    ----------
    x : numpy.ndarray, float32, shape (n, L, C)
    kernel : numpy.ndarray, float32, shape (K, C, O)
    bias : numpy.ndarray, float32, shape (O,)
    same : bool
        Zero-pad to keep length ``L`` (Keras ``"same"``); else ``"valid"``
        (length ``L - K + 1``).

    Returns
    -------
    numpy.ndarray, float32, shape (n, L or L - K + 1, O)
    """
    width = kernel.shape[0]
    if same and width > 1:
        before = (width - 1) // 2
        x = np.pad(x, ((0, 0), (before, width - 1 - before), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(x, width, axis=1)  # (n, L', C, K)
    return np.einsum("nlck,kco->nlo", windows, kernel, optimize=True) + bias


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0)


def _leaky(x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, x, 0.1 * x)


def _read(path, model_name: str) -> tuple[dict, dict[str, np.ndarray]]:
    if not os.path.exists(path):
        raise GenosynthError(f"checkpoint {path} not found")
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        state = {k[6:]: z[k].astype(np.float32) for k in z.files if k.startswith("state/")}
    if meta["model"] != model_name:
        raise GenosynthError(f"{path} holds a '{meta['model']}' model, not '{model_name}'")
    return meta, state


class GeneratorForward:
    """A trained WGAN generator as NumPy arithmetic (module notes).

    Parameters
    ----------
    params : dict
        The checkpoint's model parameters (``latent_size``, ``n_blocks``, ``r``, ``dim``).
    weights : dict of str to numpy.ndarray
        Checkpoint state (``generator/<layer>/<kernel|bias>`` keys are used).
    """

    def __init__(self, params: dict, weights: dict[str, np.ndarray]):
        self.params = params
        prefix = "generator/"
        self._w = {k[len(prefix) :]: v for k, v in weights.items() if k.startswith(prefix)}
        if "generator_dense/kernel" not in self._w:
            raise GenosynthError("checkpoint has no generator weights")
        self.channels = int(self._w["generator_output/bias"].shape[0])
        self.length = self._w["generator_dense/kernel"].shape[1] // params["dim"]

    def generate(self, z: np.ndarray, *, batch: int = 512) -> np.ndarray:
        """``G(z)``: float32 ``(n, L, C)`` of latent points float ``(n, latent_size)``."""
        z = np.asarray(z, dtype=np.float32)
        parts = [self._forward(z[i : i + batch]) for i in range(0, len(z), batch)]
        if not parts:
            return np.zeros((0, self.length, self.channels), np.float32)
        return np.concatenate(parts)

    def sample(self, n: int, *, seed) -> np.ndarray:
        """``G(z)`` of ``n`` draws ``z ~ N(0, 1)`` (the draws of ``SequenceWGAN.sample``)."""
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        return self.generate(rng.standard_normal((n, self.params["latent_size"]), np.float32))

    def _forward(self, z: np.ndarray) -> np.ndarray:
        w, p = self._w, self.params
        h = z @ w["generator_dense/kernel"] + w["generator_dense/bias"]
        h = h.reshape(len(z), self.length, p["dim"])
        for i in range(1, p["n_blocks"] + 1):
            name = f"generator_block_{i}"
            y = conv1d(_relu(h), w[f"{name}_conv_1/kernel"], w[f"{name}_conv_1/bias"], same=True)
            y = conv1d(_relu(y), w[f"{name}_conv_2/kernel"], w[f"{name}_conv_2/bias"], same=True)
            h = h + np.float32(p["r"]) * y
        logits = conv1d(h, w["generator_output/kernel"], w["generator_output/bias"], same=True)
        bases = logits[..., :4] - logits[..., :4].max(axis=-1, keepdims=True)
        bases = np.exp(bases)
        bases /= bases.sum(axis=-1, keepdims=True)
        track = 1.0 / (1.0 + np.exp(-logits[..., 4:]))
        return np.concatenate([bases, track], axis=-1).astype(np.float32)


class PredictorForward:
    """A trained :class:`~genosynth.dna.predictors.BindingCNN` as NumPy arithmetic.

    Parameters
    ----------
    weights : dict of str to numpy.ndarray
        Checkpoint state: ``cnn/<layer>/<kernel|bias>`` and ``target`` = [mean, std].
    """

    def __init__(self, weights: dict[str, np.ndarray]):
        self._w = {k[4:]: v for k, v in weights.items() if k.startswith("cnn/")}
        self.target_mean, self.target_std = (float(v) for v in weights["target"])

    def predict(self, x: np.ndarray, *, batch: int = 2048) -> np.ndarray:
        """Scores ``float64 (n,)`` of one-hot ``x`` (float ``(n, L, 4)``), original scale."""
        x = np.asarray(x, dtype=np.float32)
        out = [self._forward(x[i : i + batch]) for i in range(0, len(x), batch)]
        raw = np.concatenate(out) if out else np.zeros(0)
        return raw.astype(np.float64) * self.target_std + self.target_mean

    def _forward(self, x: np.ndarray) -> np.ndarray:
        w = self._w
        pad = w["cnn_conv/kernel"].shape[0] - 1
        x = np.pad(x, ((0, 0), (pad, pad), (0, 0)), constant_values=0.25)
        h = _leaky(conv1d(x, w["cnn_conv/kernel"], w["cnn_conv/bias"], same=False))
        h = h.max(axis=1)
        h = _leaky(h @ w["cnn_hidden/kernel"] + w["cnn_hidden/bias"])
        return (h @ w["cnn_output/kernel"] + w["cnn_output/bias"])[:, 0]


def load_generator(path) -> GeneratorForward:
    """The generator of a :class:`~genosynth.dna.wgan.SequenceWGAN` checkpoint."""
    meta, state = _read(path, "wgan_dna")
    return GeneratorForward(meta["params"], state)


def load_predictor(path) -> PredictorForward:
    """The network of a :class:`~genosynth.dna.predictors.BindingCNN` checkpoint."""
    _, state = _read(path, "binding_cnn")
    return PredictorForward(state)
