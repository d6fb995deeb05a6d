"""Restricted Boltzmann machine definition: free energy, conditionals, Gibbs step.

This module holds the model *definition* only; the model and its training
live in :mod:`genosynth.models.rbm` (the PCD step in
:mod:`~genosynth.models.rbm_pcd`), AG sampling in
:mod:`~genosynth.models.rbm_sampling`.

Units
-----
The visible layer has ``n_visible = n_sites + n_labels`` units: ``n_sites``
Bernoulli allele units followed by an optional one-hot group of ``n_labels``
label units (the conditional RBM of Yelmen et al. 2023), which is a softmax
(categorical) group: exactly one label unit is on. The ``n_hidden`` hidden
units are noisy rectified linear units (NReLU, Nair & Hinton 2010),
``h_j = max(0, x_j + N(0, sigma_j^2))`` with ``sigma_j^2 = sigmoid(x_j)``,
where ``x = v W + c`` is the hidden input, ``W`` (``n_visible x n_hidden``)
the weights and ``c`` the hidden bias. NReLU approximates a stepped sigmoid
unit: the sum of infinitely many Bernoulli copies sharing ``W`` with biases
``c_j - i + 1/2`` (``i = 1, 2, ...``).

Free energy
-----------
With visible bias ``b``, ``F(v) = - b.v - sum_j Gamma(x_j)``, where ``Gamma``
is the continuum limit of the stepped sigmoid unit's log-partition,
``sum_i softplus(x - i + 1/2) ~ integral_{-inf}^x softplus(t) dt = -Li2(-e^x)``
(``Li2`` the dilogarithm), whose derivative ``softplus(x)`` is the stepped
unit's mean activation.

Conditionals
------------
``p(v_i = 1 | h) = sigmoid(a_i)`` for allele units and
``p(label = k | h) = softmax(a_label)_k`` for the label group, with the
visible input ``a = W h + b``.
The mean hidden activation ``E[h_j | v]`` is the rectified-Gaussian mean

``E[max(0, x + s Z)] = x Phi(x / s) + s phi(x / s)``, ``s = sqrt(sigmoid(x))``,

with ``Phi`` and ``phi`` the standard normal CDF and density.

Speed
-----
Everything is ``float32``. :class:`GibbsSampler` keeps preallocated buffers
and uses ``sigmoid(a) = (1 + tanh(a / 2)) / 2``: an allele unit is on when
``tanh(a_i / 2) > U`` with ``U`` uniform on ``[-1, 1]``, and ``a / 2`` comes
straight out of one matrix product of ``[h, 1]`` with the halved weights
and biases cached by :meth:`RBM.update_derived`. Random numbers come from
64-bit raw draws: the allele uniforms (32-bit resolution) from a compiled
xoshiro256++ generator seeded from the ``Generator`` at each :meth:`GibbsSampler.run`
and compared in the same pass (:func:`bernoulli_below`), other uniforms
(:func:`uniform_pm1`) and Box-Muller normals truncated at about 6.7 standard
deviations (:func:`box_muller_normal`) from the bit generator itself; all
several times faster than the ``Generator`` methods.
"""

from __future__ import annotations

import numba
import numpy as np
from scipy import special

__all__ = [
    "RBM",
    "GibbsSampler",
    "bernoulli_below",
    "box_muller_normal",
    "relu_log_partition",
    "sigmoid",
    "uniform_pm1",
    "xoshiro_state",
]

_PI2_6 = np.pi**2 / 6.0
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)
_TWO_POW_M31 = np.float32(2.0**-31)


def sigmoid(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Logistic function ``1 / (1 + exp(-x))`` computed as ``(1 + tanh(x / 2)) / 2``.

    Parameters
    ----------
    x : numpy.ndarray, float32 or float64, any shape
    out : numpy.ndarray, optional
        Output of the same shape and dtype as ``x`` (may be ``x`` itself).

    Returns
    -------
    numpy.ndarray, same shape and dtype as ``x``, values in ``[0, 1]``.
    """
    out = np.multiply(x, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def relu_log_partition(x: np.ndarray) -> np.ndarray:
    """``Gamma(x) = -Li2(-e^x) = integral_{-inf}^x softplus(t) dt`` (NReLU free-energy term).

    Uses ``Li2(z) = spence(1 - z)`` for ``x <= 0`` and the inversion
    ``Gamma(x) = pi^2 / 6 + x^2 / 2 - Gamma(-x)`` for ``x > 0``, so no
    ``exp`` overflows.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    numpy.ndarray, float64, same shape as ``x``; positive and increasing,
    ``Gamma(0) = pi^2 / 12``, ``Gamma'(x) = softplus(x)``.
    """
    x = np.asarray(x, dtype=np.float64)
    neg_abs = -np.abs(x)
    g_neg = -special.spence(1.0 + np.exp(neg_abs))  # Gamma(-|x|)
    g_pos = _PI2_6 + 0.5 * x * x - g_neg  # Gamma(|x|) by inversion
    return np.where(x > 0, g_pos, g_neg)


def uniform_pm1(rng: np.random.Generator, out: np.ndarray) -> np.ndarray:
    """Fill ``out`` with uniforms on ``[-1, 1]`` from 32-bit random integers.

    Each raw 64-bit draw of the bit generator gives two signed 32-bit
    integers ``s``; ``out = s * 2^-31`` (rounded to float32). This is about
    twice as fast as ``Generator.random``.

    Parameters
    ----------
    rng : numpy.random.Generator
    out : numpy.ndarray, float32, C-contiguous, any shape

    Returns
    -------
    numpy.ndarray
        ``out``.
    """
    n = out.size
    raw = rng.bit_generator.random_raw((n + 1) // 2).view(np.int32)
    np.multiply(raw[:n], _TWO_POW_M31, out=out.reshape(-1), dtype=np.float32)
    return out


@numba.njit(nogil=True, cache=True)
def _xoshiro_fill(state, out):  # pragma: no cover - compiled
    """Fill uint64 ``out`` with xoshiro256++ draws (Blackman & Vigna 2018), advancing ``state``."""
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    for k in range(out.size):
        total = s0 + s3
        out[k] = ((total << np.uint64(23)) | (total >> np.uint64(41))) + s0
        shifted = s1 << np.uint64(17)
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= shifted
        s3 = (s3 << np.uint64(45)) | (s3 >> np.uint64(19))
    state[0], state[1], state[2], state[3] = s0, s1, s2, s3


@numba.njit(nogil=True, cache=True)
def _bernoulli_below_kernel(threshold, state, out, raw):  # pragma: no cover - compiled
    n, m = threshold.shape
    raw = raw[: (n * m + 1) // 2]
    _xoshiro_fill(state, raw)
    signed = raw.view(np.int32)  # two per draw, low half first (little-endian)
    scale = np.float32(2.0**-31)
    for i in range(n):
        row = signed[i * m : (i + 1) * m]
        for j in range(m):  # vectorised by LLVM
            out[i, j] = np.float32(np.float32(row[j]) * scale < threshold[i, j])


def bernoulli_below(
    threshold: np.ndarray, state: np.ndarray, out: np.ndarray, raw: np.ndarray | None = None
) -> np.ndarray:
    """``out = [U < threshold]`` with ``U`` uniform on ``[-1, 1]``, in one compiled pass.

    The uniforms are those of :func:`uniform_pm1` (signed 32-bit integers times
    ``2^-31``, two per 64-bit draw, low half first, in C order of ``out``),
    with the 64-bit draws from a xoshiro256++ generator whose state is
    ``state``, advanced in place. Fusing the draw and the comparison is about
    three times faster than :func:`uniform_pm1` followed by ``np.less``.

    Parameters
    ----------
    threshold : numpy.ndarray, float32, shape (n, m)
        ``tanh(a / 2)`` for ``P(out = 1) = sigmoid(a)``.
    state : numpy.ndarray, uint64, shape (4,)
        xoshiro256++ state, not all zero (see :func:`xoshiro_state`).
    out : numpy.ndarray, float32, shape (n, m)
        Receives 0/1 (a strided view, e.g. the allele columns of the visible
        states, is fine).
    raw : numpy.ndarray, uint64, shape (>= ceil(n m / 2),), optional
        Work buffer for the 64-bit draws (allocated when not given).

    Returns
    -------
    numpy.ndarray
        ``out``.
    """
    if threshold.shape != out.shape:
        raise ValueError(f"threshold {threshold.shape} and out {out.shape} differ in shape")
    n_draws = (threshold.size + 1) // 2
    if raw is None:
        raw = np.empty(n_draws, dtype=np.uint64)
    elif raw.size < n_draws:  # the kernel does not bounds-check
        raise ValueError(f"raw holds {raw.size} draws, {n_draws} needed")
    _bernoulli_below_kernel(threshold, state, out, raw)
    return out


def xoshiro_state(rng: np.random.Generator) -> np.ndarray:
    """A fresh xoshiro256++ state for :func:`bernoulli_below`, drawn from ``rng``.

    Parameters
    ----------
    rng : numpy.random.Generator

    Returns
    -------
    numpy.ndarray, uint64, shape (4,), not all zero
    """
    state = rng.bit_generator.random_raw(4).astype(np.uint64)
    if not state.any():  # the one state xoshiro cannot leave (probability 2^-256)
        state[0] = 1
    return state


def box_muller_normal(rng: np.random.Generator, out: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """Fill ``out`` with ``N(0, scale^2)`` draws by the Box-Muller transform.

    From two 32-bit uniforms ``U1`` in ``(0, 1]`` and ``U2`` in ``[-1, 1)``,
    ``R = scale * sqrt(-2 log U1)`` and the pair ``R cos(pi U2)``,
    ``R sin(pi U2)`` are independent normals. ``U1`` is floored at ``2^-33``,
    which truncates the normal at about 6.8 standard deviations. Several
    times faster than ``Generator.standard_normal`` for float32.

    Parameters
    ----------
    rng : numpy.random.Generator
    out : numpy.ndarray, float32, C-contiguous, any shape
    scale : float, default 1
        Standard deviation.

    Returns
    -------
    numpy.ndarray
        ``out``.
    """
    if not out.flags.c_contiguous:
        raise ValueError("box_muller_normal needs a C-contiguous output array")
    n = out.size
    m = (n + 1) // 2
    raw = rng.bit_generator.random_raw(m)
    radius = np.empty(m, dtype=np.float32)
    angle = np.empty(m, dtype=np.float32)
    radius[:] = raw.view(np.uint32)[0::2]  # r1 in [0, 2^32)
    angle[:] = raw.view(np.int32)[1::2]  # s2 in [-2^31, 2^31)
    radius *= np.float32(2.0**-32)
    np.maximum(radius, np.float32(2.0**-33), out=radius)  # U1 = max(r1 / 2^32, 2^-33)
    np.log(radius, out=radius)
    radius *= np.float32(-2.0 * scale * scale)
    np.sqrt(radius, out=radius)  # R
    angle *= np.float32(np.pi * 2.0**-31)  # pi U2
    flat = out.reshape(-1)
    head, tail = flat[:m], flat[m:]
    np.cos(angle, out=head)
    head *= radius
    np.sin(angle[: n - m], out=tail)
    tail *= radius[: n - m]
    return out


class RBM:
    """Parameters of an RBM and its energy, free energy and conditionals.

    Parameters
    ----------
    weights : numpy.ndarray, float32, shape (n_visible, n_hidden)
    visible_bias : numpy.ndarray, float32, shape (n_visible,)
    hidden_bias : numpy.ndarray, float32, shape (n_hidden,)
    n_sites : int
        Number of Bernoulli allele units; the remaining ``n_visible - n_sites``
        visible units form the one-hot label group.

    Notes
    -----
    The arrays are used in place (not copied): the training loop updates them
    and must then call :meth:`update_derived`.
    """

    def __init__(self, weights, visible_bias, hidden_bias, n_sites):
        self.weights = weights
        self.visible_bias = visible_bias
        self.hidden_bias = hidden_bias
        self.n_sites = int(n_sites)
        # [W_sites^T; b_sites] / 2, C-contiguous (n_hidden + 1, n_sites): [h, 1] @ it = a / 2
        self.half_visible_t = np.empty((weights.shape[1] + 1, self.n_sites), dtype=weights.dtype)
        self.update_derived()

    def parameters(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(weights, visible_bias, hidden_bias)``, the arrays themselves."""
        return self.weights, self.visible_bias, self.hidden_bias

    @property
    def n_visible(self) -> int:
        return self.weights.shape[0]

    @property
    def n_hidden(self) -> int:
        return self.weights.shape[1]

    @property
    def n_labels(self) -> int:
        return self.n_visible - self.n_sites

    def update_derived(self) -> None:
        """Refresh :attr:`half_visible_t` (halved allele weights and biases) after an update."""
        n_hidden = self.n_hidden
        np.multiply(self.weights[: self.n_sites].T, 0.5, out=self.half_visible_t[:n_hidden])
        np.multiply(self.visible_bias[: self.n_sites], 0.5, out=self.half_visible_t[n_hidden])

    # --- inputs ---------------------------------------------------------------
    def hidden_input(self, v: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """``x = v W + c``.

        Parameters
        ----------
        v : numpy.ndarray, float32, shape (n, n_visible)
        out : numpy.ndarray, float32, shape (n, n_hidden), optional

        Returns
        -------
        numpy.ndarray, float32, shape (n, n_hidden)
        """
        out = np.matmul(v, self.weights, out=out)
        out += self.hidden_bias
        return out

    def visible_input(self, h: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """``a = h W^T + b`` (all visible units, labels included).

        Parameters
        ----------
        h : numpy.ndarray, float32, shape (n, n_hidden)
        out : numpy.ndarray, float32, shape (n, n_visible), optional

        Returns
        -------
        numpy.ndarray, float32, shape (n, n_visible)
        """
        out = np.matmul(h, self.weights.T, out=out)
        out += self.visible_bias
        return out

    def mean_field_input(self, v: np.ndarray) -> np.ndarray:
        """Visible input ``a = E[h | v] W^T + b`` of the mean hidden activations of ``v``.

        ``visible_mean`` of it is the mean-field reconstruction of ``v``; on allele
        units ``a > 0`` where that reconstruction exceeds 1/2.

        Parameters
        ----------
        v : numpy.ndarray, float32, shape (n, n_visible)

        Returns
        -------
        numpy.ndarray, float32, shape (n, n_visible)
        """
        return self.visible_input(self.hidden_mean(self.hidden_input(v)))

    # --- conditionals ---------------------------------------------------------
    def hidden_mean(self, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Mean hidden activation ``E[h | v]`` from the hidden input ``x``.

        The rectified-Gaussian mean ``x Phi(x / s) + s phi(x / s)`` with
        ``s = sqrt(sigmoid(x))``.

        Parameters
        ----------
        x : numpy.ndarray, float32, shape (n, n_hidden)
        out : numpy.ndarray, float32, shape (n, n_hidden), optional (not ``x``)

        Returns
        -------
        numpy.ndarray, float32, shape (n, n_hidden), non-negative
        """
        s = np.sqrt(sigmoid(x))
        with np.errstate(divide="ignore", over="ignore"):  # s = 0 (x << 0): r = -inf, terms 0
            r = x / s
            cdf_term = x * special.ndtr(r)
            pdf_term = s * (_INV_SQRT_2PI * np.exp(-0.5 * r * r))
        return np.add(cdf_term, pdf_term, out=out, dtype=x.dtype)

    def hidden_noise(self, rng: np.random.Generator, out: np.ndarray) -> np.ndarray:
        """Draw the unit noise consumed by :meth:`hidden_from_noise`: ``N(0, 1/2)``.

        Parameters
        ----------
        rng : numpy.random.Generator
        out : numpy.ndarray, float32, C-contiguous, any shape

        Returns
        -------
        numpy.ndarray
            ``out``.
        """
        return box_muller_normal(rng, out, scale=np.sqrt(0.5))

    def hidden_from_noise(
        self, x: np.ndarray, noise: np.ndarray, out: np.ndarray, scratch: np.ndarray
    ) -> np.ndarray:
        """Turn the hidden input ``x`` and noise from :meth:`hidden_noise` into ``h ~ p(h | v)``.

        ``h = max(0, x + sqrt(1 + tanh(x / 2)) * Z)`` with ``Z ~ N(0, 1/2)``,
        i.e. ``max(0, x + N(0, sigmoid(x)))``.

        Parameters
        ----------
        x : numpy.ndarray, float32, shape (n, n_hidden)
            Left unchanged.
        noise : numpy.ndarray, float32, shape (n, n_hidden)
            Overwritten.
        out, scratch : numpy.ndarray, float32, shape (n, n_hidden)
            Output (may be a strided view) and work buffer, distinct from the
            other arrays.

        Returns
        -------
        numpy.ndarray
            ``out``: non-negative reals.
        """
        np.multiply(x, 0.5, out=scratch)
        np.tanh(scratch, out=scratch)
        scratch += 1.0
        np.sqrt(scratch, out=scratch)  # sqrt(2 sigmoid(x))
        noise *= scratch  # N(0, sigmoid(x))
        noise += x
        return np.maximum(noise, 0.0, out=out)

    def sample_hidden(
        self,
        x: np.ndarray,
        rng: np.random.Generator,
        out: np.ndarray,
        scratch: np.ndarray,
    ) -> np.ndarray:
        """Draw ``h ~ p(h | v)`` from the hidden input ``x`` (see :meth:`hidden_from_noise`).

        Parameters
        ----------
        x : numpy.ndarray, float32, shape (n, n_hidden)
            Left unchanged.
        rng : numpy.random.Generator
        out, scratch : numpy.ndarray, float32, shape (n, n_hidden)
            Output and work buffer, distinct from ``x`` and each other.

        Returns
        -------
        numpy.ndarray
            ``out``: non-negative reals.
        """
        noise = self.hidden_noise(rng, np.empty(x.shape, dtype=np.float32))
        return self.hidden_from_noise(x, noise, out, scratch)

    def visible_mean(self, a: np.ndarray) -> np.ndarray:
        """``p(v | h)`` from the visible input ``a``.

        Parameters
        ----------
        a : numpy.ndarray, float32, shape (n, n_visible)

        Returns
        -------
        numpy.ndarray, float32, shape (n, n_visible)
            ``sigmoid(a)`` on allele units, ``softmax`` over the label group.
        """
        p = sigmoid(a[:, : self.n_sites].astype(np.float32))
        if self.n_labels:
            logits = a[:, self.n_sites :].astype(np.float64)
            p_lab = special.softmax(logits, axis=1).astype(np.float32)
            p = np.concatenate([p, p_lab], axis=1)
        return p

    def sample_labels(self, h: np.ndarray, rng: np.random.Generator, out: np.ndarray) -> None:
        """Draw the one-hot label group from ``softmax(h W_label^T + b_label)``.

        Uses the Gumbel-max trick: ``argmax(logits - log(-log U))``.

        Parameters
        ----------
        h : numpy.ndarray, float32, shape (n, n_hidden)
        rng : numpy.random.Generator
        out : numpy.ndarray, float32, shape (n, n_labels)
            Receives the one-hot rows (a view of the visible buffer is fine).
        """
        logits = h @ self.weights[self.n_sites :].T
        logits += self.visible_bias[self.n_sites :]
        gumbel = -np.log(-np.log(rng.random(logits.shape, dtype=np.float32) + 1e-30) + 1e-30)
        logits += gumbel
        out[...] = 0.0
        out[np.arange(out.shape[0]), np.argmax(logits, axis=1)] = 1.0

    # --- energies -------------------------------------------------------------
    def free_energy(self, v: np.ndarray) -> np.ndarray:
        """``F(v) = - b.v - sum_j Gamma(x_j)`` (see the module docstring).

        Parameters
        ----------
        v : numpy.ndarray, shape (n, n_visible)

        Returns
        -------
        numpy.ndarray, float64, shape (n,)
        """
        v = np.asarray(v, dtype=np.float64)
        x = v @ self.weights.astype(np.float64) + self.hidden_bias.astype(np.float64)
        visible_term = v @ self.visible_bias.astype(np.float64)
        return -visible_term - relu_log_partition(x).sum(axis=1)


class GibbsSampler:
    """Block Gibbs sampling of up to ``n_chains`` chains with preallocated buffers.

    The hidden-unit noise of up to :attr:`NOISE_STEPS` sweeps is drawn at once
    (fewer, larger random draws); the allele uniforms are drawn per sweep.

    Parameters
    ----------
    rbm : RBM
    n_chains : int
        Most rows of the visible states passed to :meth:`run`.
    """

    #: Sweeps whose hidden noise is drawn in one go.
    NOISE_STEPS = 10

    def __init__(self, rbm: RBM, n_chains: int):
        self.rbm = rbm
        self.n_chains = n_chains
        hidden_shape = (n_chains, rbm.n_hidden)
        site_shape = (n_chains, rbm.n_sites)
        f32 = np.float32
        self._x = np.empty(hidden_shape, dtype=f32)  # hidden input
        self._scratch = np.empty(hidden_shape, dtype=f32)
        self._noise = np.empty(self.NOISE_STEPS * n_chains * rbm.n_hidden, dtype=f32)
        self._h1 = np.ones((n_chains, rbm.n_hidden + 1), dtype=f32)  # [h, 1]
        self._a = np.empty(site_shape, dtype=f32)  # a / 2, then tanh(a / 2)
        self._raw = np.empty((n_chains * rbm.n_sites + 1) // 2, dtype=np.uint64)  # allele draws

    def run(
        self,
        v: np.ndarray,
        rng: np.random.Generator,
        n_steps: int,
        clamp_labels: bool = False,
    ) -> np.ndarray:
        """``n_steps`` Gibbs sweeps (``h ~ p(h | v)``, then ``v ~ p(v | h)``) on ``v`` in place.

        Parameters
        ----------
        v : numpy.ndarray, float32, shape (n, n_visible), ``n <= n_chains``, C-contiguous
            Visible states (0/1); overwritten with the new ones.
        rng : numpy.random.Generator
        n_steps : int
        clamp_labels : bool
            Keep the label units of ``v`` fixed (conditional sampling).

        Returns
        -------
        numpy.ndarray
            ``v``.
        """
        rbm = self.rbm
        n = v.shape[0]
        if n > self.n_chains:
            raise ValueError(f"{n} chains given, buffers hold {self.n_chains}")
        x, scratch, h1, a = (b[:n] for b in (self._x, self._scratch, self._h1, self._a))
        h = h1[:, : rbm.n_hidden]
        alleles = v[:, : rbm.n_sites]
        labels = v[:, rbm.n_sites :] if rbm.n_labels and not clamp_labels else None
        state = xoshiro_state(rng)
        done = 0
        while done < n_steps:
            m = min(self.NOISE_STEPS, n_steps - done)
            noise = self._noise[: m * n * rbm.n_hidden].reshape(m, n, rbm.n_hidden)
            rbm.hidden_noise(rng, noise)
            for i in range(m):
                # h | v
                np.matmul(v, rbm.weights, out=x)
                x += rbm.hidden_bias
                rbm.hidden_from_noise(x, noise[i], h, scratch)
                # v | h on allele units: a / 2 = [h, 1] @ half_visible_t; on when tanh(a / 2) > U
                np.matmul(h1, rbm.half_visible_t, out=a)
                np.tanh(a, out=a)
                bernoulli_below(a, state, alleles, self._raw)
                if labels is not None:
                    rbm.sample_labels(h, rng, labels)
            done += m
        return v
