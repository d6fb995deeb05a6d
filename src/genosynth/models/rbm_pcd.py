"""One PCD-k training step of the RBM, split in fixed shards of the persistent chains.

Each :class:`Shard` holds a fixed slice of the ``n_chains`` persistent chains
and its part of a mini-batch. :meth:`Shard.work` runs ``k`` Gibbs sweeps on
its chains and leaves its learning-rate scaled part of the plain PCD step
(``lr * (<v h>_data - <v h>_model)`` for the weights, likewise for the
biases; data terms are means over the whole mini-batch, model terms means
over all chains). :func:`centred_step` turns the shards' summed step into
the centred one, and :func:`apply_step` adds the steps to the parameters in
shard order, so the result does not depend on which thread ran which shard.
"""

from __future__ import annotations

import numpy as np

from genosynth.models.rbm_core import RBM, GibbsSampler

__all__ = ["Shard", "apply_step", "centred_step"]


class Shard:
    """Buffers and per-batch work of one training shard (a fixed slice of the chains)."""

    def __init__(self, rbm: RBM, chains: np.ndarray, total_chains: int, max_data_rows: int):
        self.rbm = rbm
        self.n_chains = n_chains = chains.shape[0]
        self.total_chains = total_chains
        rows = n_chains + max_data_rows
        # chains first, then the data rows of the current batch
        self.stack = np.empty((rows, rbm.n_visible), dtype=np.float32)
        self.stack[:n_chains] = chains
        self.sampler = GibbsSampler(rbm, n_chains)
        self.x = np.empty((rows, rbm.n_hidden), dtype=np.float32)
        self.hidden = np.empty((rows, rbm.n_hidden), dtype=np.float32)
        self.row_weight = np.empty(rows, dtype=np.float32)
        self.grad_w = np.empty_like(rbm.weights)
        self.grad_b = np.empty_like(rbm.visible_bias)
        self.grad_c = np.empty_like(rbm.hidden_bias)
        self.data_hidden = np.empty_like(rbm.hidden_bias)
        self.rng: np.random.Generator | None = None

    @property
    def chains(self) -> np.ndarray:
        return self.stack[: self.n_chains]

    def work(self, data: np.ndarray, batch_rows: np.ndarray, batch_size: int, k: int, lr: float):
        """PCD-k on this shard's chains; leave ``lr`` times its part of the gradient.

        Parameters
        ----------
        data : numpy.ndarray, int8, shape (n_haplotypes, n_visible)
        batch_rows : numpy.ndarray, int, shape (n_rows,)
            This shard's rows of the current mini-batch.
        batch_size : int
            Rows in the whole mini-batch (both shards).
        """
        rbm = self.rbm
        nc = self.n_chains
        rows = nc + batch_rows.size
        v = self.stack[:rows]
        v[nc:] = data[batch_rows]
        self.sampler.run(v[:nc], self.rng, k)
        x = rbm.hidden_input(v, out=self.x[:rows])
        hidden = rbm.hidden_mean(x, out=self.hidden[:rows])
        weight = self.row_weight[:rows]
        weight[:nc] = -lr / self.total_chains  # model term: mean over all chains
        weight[nc:] = lr / batch_size  # data term: mean over the batch
        hidden *= weight[:, None]
        np.matmul(v.T, hidden, out=self.grad_w)
        np.matmul(weight, v, out=self.grad_b)
        np.sum(hidden, axis=0, out=self.grad_c)
        np.sum(hidden[nc:], axis=0, out=self.data_hidden)  # lr * this shard's <h>_data part


def centred_step(
    shards: list[Shard], mu: np.ndarray, lam: np.ndarray, lr: float, offset_rate: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The shards' summed step turned into the centred one; move the hidden offset.

    With ``d*_plain`` the summed plain steps: ``dW = dW_plain - mu dc_plain' -
    db_plain lam'``, ``db = db_plain - dW lam``, ``dc = dc_plain - dW' mu``.

    Parameters
    ----------
    shards : list of Shard
        After :meth:`Shard.work` of one mini-batch.
    mu : numpy.ndarray, float32, shape (n_visible,)
        Visible offset (training mean of the visible units).
    lam : numpy.ndarray, float32, shape (n_hidden,)
        Hidden offset; moved in place a share ``offset_rate`` of the way to the
        batch's ``<h>_data``.
    lr : float
        The learning rate the shards' steps are scaled by.

    Returns
    -------
    (dW, db, dc) : float32 arrays of the parameters' shapes
    """
    grad_w = np.sum([s.grad_w for s in shards], axis=0)
    grad_b = np.sum([s.grad_b for s in shards], axis=0)
    grad_c = np.sum([s.grad_c for s in shards], axis=0)
    data_hidden = np.sum([s.data_hidden for s in shards], axis=0)
    data_hidden /= lr
    grad_w -= np.outer(mu, grad_c)
    grad_w -= np.outer(grad_b, lam)
    grad_b -= grad_w @ lam
    grad_c -= grad_w.T @ mu
    lam *= 1.0 - offset_rate
    lam += offset_rate * data_hidden
    return grad_w, grad_b, grad_c


def apply_step(rbm: RBM, steps, decay: float) -> None:
    """Decay the allele rows of ``W`` by ``decay``, then add ``steps`` (``(dW, db, dc)``
    each, in order) to the parameters of ``rbm`` in place."""
    if decay != 1.0:
        rbm.weights[: rbm.n_sites] *= decay  # allele rows only
    for step in steps:
        for param, grad in zip(rbm.parameters(), step, strict=True):
            np.add(param, grad, out=param)
    rbm.update_derived()
