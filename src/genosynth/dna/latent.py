"""Latent-space experiments and edit distances (Killoran et al., Figs 3-5).

* :func:`interpolate` — ``G(z)`` along the line ``(1 - t) z0 + t z1``.
* :func:`find_poly_latents` / :func:`complementation` — latent points whose ``G(z)`` reads
  poly-A, C, G or T, found by gradient descent on the cross-entropy to that base, and the
  share of complementary bases in the argmax of ``G(-z)``.
* :func:`nearest_edit_distance` — Levenshtein distance of each query to its nearest
  reference sequence (Myers' bit-parallel algorithm, numba, sequences up to 64 nt; a
  dynamic-programming kernel beyond).
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = [
    "complementation",
    "edit_distance",
    "find_poly_latents",
    "interpolate",
    "nearest_edit_distance",
]


def interpolate(model, z0: np.ndarray, z1: np.ndarray, n_points: int):
    """Generated channels along a line in latent space.

    Parameters
    ----------
    model : genosynth.dna.wgan.SequenceWGAN
    z0, z1 : numpy.ndarray, shape (latent_size,)
    n_points : int

    Returns
    -------
    t : numpy.ndarray, float64, shape (n_points,)
    x : numpy.ndarray, float32, shape (n_points, L, C)
    """
    t = np.linspace(0.0, 1.0, n_points)
    z = (1.0 - t)[:, None] * z0[None] + t[:, None] * z1[None]
    return t, model.generate(z.astype(np.float32))


def find_poly_latents(model, *, n_per_base: int, steps: int, lr: float, seed) -> np.ndarray:
    """Latent points generating poly-A, C, G and T.

    Minimises ``-mean_j log G(z)[j, b]`` for base ``b`` with Adam from ``z ~ N(0, 1)``.

    Returns
    -------
    numpy.ndarray, float32, shape (4 * n_per_base, latent_size)
        Rows ``[b * n_per_base, (b + 1) * n_per_base)`` target base ``b`` (A, C, G, T).
    """
    import keras
    import tensorflow as tf

    latent = model.params["latent_size"]
    z0 = np.random.default_rng(seed).standard_normal((4 * n_per_base, latent))
    zf = tf.Variable(z0.astype(np.float32))
    target = tf.constant(np.repeat(np.eye(4, dtype=np.float32), n_per_base, axis=0)[:, None, :])
    generator = model.generator
    opt = keras.optimizers.Adam(lr)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            probs = generator(zf)[..., :4]
            loss = -tf.reduce_mean(tf.reduce_sum(target * tf.math.log(probs + 1e-7), axis=-1))
        opt.apply_gradients([(tape.gradient(loss, zf), zf)])
        return loss

    for _ in range(steps):
        step()
    return zf.numpy()


def complementation(model, z: np.ndarray, n_per_base: int) -> dict:
    """``G(z)``, ``G(-z)`` and the complement share of latent points from :func:`find_poly_latents`.

    Returns
    -------
    dict
        ``x_pos``, ``x_neg`` (float32 ``(4 n, L, C)``), ``target`` (int64 ``(4 n,)`` base of
        each row), ``target_share`` (share of argmax bases of ``G(z)`` equal to the target),
        ``complement_share`` (share of argmax bases of ``G(-z)`` equal to its complement
        ``3 - target``), ``complement_share_by_base`` (float64 ``(4,)``).
    """
    x_pos, x_neg = model.generate(z), model.generate(-z)
    target = np.repeat(np.arange(4), n_per_base)
    pos_hits = x_pos[..., :4].argmax(-1) == target[:, None]
    neg_hits = x_neg[..., :4].argmax(-1) == (3 - target)[:, None]
    by_base = neg_hits.reshape(4, -1).mean(axis=1)
    return {
        "x_pos": x_pos,
        "x_neg": x_neg,
        "target": target,
        "target_share": float(pos_hits.mean()),
        "complement_share": float(neg_hits.mean()),
        "complement_share_by_base": by_base,
    }


@numba.njit(cache=True)
def _myers(peq, m, text):  # pragma: no cover - compiled
    mask = np.uint64(1) << np.uint64(m - 1)
    pv = ~np.uint64(0)
    mv = np.uint64(0)
    score = m
    one = np.uint64(1)
    for c in text:
        eq = peq[c]
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | ~(xh | pv)
        mh = pv & xh
        if ph & mask:
            score += 1
        elif mh & mask:
            score -= 1
        ph = (ph << one) | one
        mh = mh << one
        pv = mh | ~(xv | ph)
        mv = ph & xv
    return score


@numba.njit(cache=True)
def _dp(a, b):  # pragma: no cover - compiled
    prev = np.arange(len(b) + 1)
    cur = np.empty_like(prev)
    for i in range(1, len(a) + 1):
        cur[0] = i
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
        prev, cur = cur, prev
    return prev[len(b)]


@numba.njit(parallel=True, cache=True)
def _nearest(queries, refs):  # pragma: no cover - compiled
    n, m = queries.shape
    out = np.empty(n, dtype=np.int64)
    for q in numba.prange(n):
        best = 1 << 30
        if m <= 64:
            peq = np.zeros(4, dtype=np.uint64)
            for i in range(m):
                peq[queries[q, i]] |= np.uint64(1) << np.uint64(i)
            for r in range(refs.shape[0]):
                d = _myers(peq, m, refs[r])
                if d < best:
                    best = d
        else:
            for r in range(refs.shape[0]):
                d = _dp(queries[q], refs[r])
                if d < best:
                    best = d
        out[q] = best
    return out


def edit_distance(a: np.ndarray, b: np.ndarray) -> int:
    """Levenshtein distance of two code arrays ``uint8 (L,)`` (dynamic programming)."""
    return int(_dp(np.asarray(a, np.uint8), np.asarray(b, np.uint8)))


def nearest_edit_distance(queries: np.ndarray, references: np.ndarray) -> np.ndarray:
    """Edit distance of each query to its nearest reference.

    Parameters
    ----------
    queries : numpy.ndarray, uint8, shape (n, L)
    references : numpy.ndarray, uint8, shape (m, L)

    Returns
    -------
    numpy.ndarray, int64, shape (n,)
    """
    q = np.ascontiguousarray(queries, dtype=np.uint8)
    r = np.ascontiguousarray(references, dtype=np.uint8)
    return _nearest(q, r)
