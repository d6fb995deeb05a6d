"""Restricted Boltzmann machine for artificial genomes (Yelmen et al. 2021, 2023).

:class:`RBMModel` (``"rbm"``) trains the RBM of :mod:`genosynth.models.rbm_core`
(Bernoulli allele units, NReLU hidden units, optional one-hot label units) by
persistent contrastive divergence (PCD-k) through the training driver
(:mod:`genosynth.training`), and draws AGs from independent Gibbs chains
(:mod:`genosynth.models.rbm_sampling`).

Training
--------
Visible biases start at the logit of the training allele frequencies (clipped
to half a count from 0 and 1; the log of the label proportions for the label
group), hidden biases at 0 and weights ``W ~ N(0, INIT_STD^2)``. The
``n_chains`` persistent chains start from randomly chosen training rows. Each
epoch shuffles the training rows and, per mini-batch of ``batch_size`` rows:

1. runs ``k`` Gibbs sweeps on the persistent chains;
2. computes the mean hidden activations ``E[h | v]`` of the batch (data) and
   of the chains (model);
3. takes the plain SGD step at rate ``lr`` (``learning_rate``, or with
   ``learning_rate_final`` the epoch's rate on the geometric schedule from
   ``learning_rate`` at epoch 1 to ``learning_rate_final`` at epoch ``epochs``)

   ``W += lr * (<v h>_data - <v h>_model)``
   ``b += lr * (<v>_data - <v>_model)``
   ``c += lr * (<h>_data - <h>_model)``

   after the decoupled L2 decay ``W *= 1 - lr * l2`` of the allele rows of
   ``W`` (label rows are not decayed).

With ``centering`` (Melchior, Fischer & Wiskott 2016, JMLR 17:99) the step is
the gradient of the centred energy ``-(v - mu)' b - (h - lam)' c -
(v - mu)' W (h - lam)`` in the ordinary parameters: with ``mu`` the training
mean of the visible units and ``lam`` a moving average (rate
:data:`OFFSET_RATE`) of ``<h>_data``,

   ``dW = dW_plain - mu dc_plain' - db_plain lam'``
   ``db = db_plain - dW lam``
   ``dc = dc_plain - dW' mu``

(``d*_plain``: the plain steps above). The model family is unchanged.

The chains and the batch are split in :data:`N_SHARDS` fixed shards, each with
its own random stream, run on two threads (BLAS limited to one thread
meanwhile): results depend neither on the number of cores nor on thread
timing. Each epoch's shard streams are seeded from the model's generator,
whose state (``rng_state``) is saved with every checkpoint, so a resumed run
is bit-identical to an uninterrupted one.

Sampling
--------
One chain per AG; see :mod:`genosynth.models.rbm_sampling` for the chain
starts (``sample_start``), ``burn_in``, readouts (``readout``) and the
inverse temperature ``beta`` (training does not use it).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import time

import numpy as np

import genosynth.models.rbm_sampling as rbm_sampling
from genosynth.errors import GenosynthError, TrainingError
from genosynth.models.base import (
    HaplotypeModel,
    as_generator,
    check_haplotypes,
    check_n_samples,
    geometric_anneal,
    label_codes,
    one_hot,
    register_model,
)
from genosynth.models.rbm_core import RBM
from genosynth.models.rbm_pcd import Shard, apply_step, centred_step
from genosynth.models.rbm_sampling import N_SHARDS, READOUTS, SAMPLE_STARTS
from genosynth.params import Param

__all__ = ["DIVERGENCE_BOUND", "INIT_STD", "MONITOR_ROWS", "OFFSET_RATE", "RBMModel"]

#: Standard deviation of the initial weights.
INIT_STD = 0.01

#: Moving-average rate of the hidden offset ``lam`` of the centred step.
OFFSET_RATE = 0.01

#: Rows per chunk when computing monitors and hidden representations.
_CHUNK = 1024

#: Training rows (evenly spaced) used by the per-epoch monitors.
MONITOR_ROWS = 1000

#: Largest |weight| or |bias| of a model still training sanely (trained models stay
#: below 20); a run-away (centred) step passes it before it overflows.
DIVERGENCE_BOUND = 1e3

#: Options of earlier versions, now fixed behaviour: the value each is fixed at. A
#: checkpoint that trained with another value is refused (sampling-only ones are dropped).
_REMOVED_PARAMS = {
    "hidden_activation": "relu",
    "momentum": 0.0,
    "init_std": INIT_STD,
    "chain_init": "data",
    "persistent": True,
    "offset_rate": OFFSET_RATE,
}
_REMOVED_SAMPLING_PARAMS = ("samples_per_chain", "thin")


def _generator_from_state(state: dict) -> np.random.Generator:
    """A Generator whose bit generator is restored from ``bit_generator.state``."""
    bit_generator = getattr(np.random, state["bit_generator"])()
    bit_generator.state = state
    return np.random.Generator(bit_generator)


@register_model
class RBMModel(HaplotypeModel):
    """RBM trained by PCD-k (Yelmen et al. 2021), optionally conditional on labels (2023).

    Parameters: :attr:`spec` (see the module docstring).

    State
    -----
    ``weights`` (float32, ``(n_visible, n_hidden)``), ``visible_bias``
    (float32, ``(n_visible,)``), ``hidden_bias`` (float32, ``(n_hidden,)``),
    ``chains`` (int8, ``(n_chains, n_visible)``: persistent chains),
    ``label_values`` (int64, ``(n_labels,)``: the training label of each label
    unit), ``label_proportions`` (float64, ``(n_labels,)``) and
    ``start_frequencies`` (float32, ``(max(n_labels, 1), n_sites)``: the
    training allele frequencies of each label, or of all haplotypes), where
    ``n_visible = n_sites + n_labels`` and ``n_labels = 0`` unless fitted with
    labels. Optimizer state (``centering`` only): ``visible_offset``
    (``(n_visible,)``) and ``hidden_offset`` (``(n_hidden,)``), float32.
    """

    name = "rbm"
    accepts_labels = True
    spec = (
        Param("n_hidden", int, 100, "Hidden (NReLU) units (paper 100 for 805 SNPs, 500 for 10K).",
              low=1),
        Param("k", int, 10, "Gibbs sweeps of the persistent chains per mini-batch (PCD-k).",
              low=1),
        Param("n_chains", int, 100, "Persistent training chains (paper 100).", low=N_SHARDS),
        Param("batch_size", int, 32, "Training haplotypes per mini-batch (paper 32).", low=1),
        Param("learning_rate", float, 1e-3, "SGD learning rate (paper 1e-3 to 1e-4).",
              low=0, low_open=True),
        Param("learning_rate_final", float, None,
              "Anneal the rate geometrically from learning_rate (epoch 1) to this (epoch "
              "`epochs`, kept after); null: constant.", low=0, low_open=True, nullable=True),
        Param("epochs", int, 2000, "Training epochs (passes over the haplotypes).", "run", low=1),
        Param("l2", float, 0.0, "Decoupled weight decay W *= 1 - lr * l2 on the allele rows of "
              "W (not the label rows).", low=0),
        Param("centering", bool, False, "Centred PCD step (Melchior et al. 2016); false: the "
              "paper's plain step."),
        Param("burn_in", int, 1000, "Gibbs sweeps of a sampling chain before its AG is read.",
              "sampling", low=0),
        Param("sample_start", str, "random", "Sampling chains start from random alleles, the "
              "persistent training chains, or alleles at the training frequencies of their "
              "class.", "sampling", choices=SAMPLE_STARTS),
        Param("beta", float, 1.0, "Inverse temperature of the sampling chains (weights and "
              "biases times beta); >1 spreads AGs apart.", "sampling", low=0, low_open=True),
        Param("readout", str, "sample", "An AG is the chain's last allele draw (sample), its "
              "mean-field probabilities rounded at 1/2 (mean) or at per-site thresholds that "
              "keep the expected allele counts (quantile).", "sampling", choices=READOUTS),
    )  # fmt: skip

    def __init__(self, **params):
        super().__init__(**params)
        self.rbm: RBM | None = None
        self.chains: np.ndarray | None = None
        self.label_values = np.zeros(0, dtype=np.int64)
        self.label_proportions = np.zeros(0, dtype=np.float64)
        self.start_frequencies: np.ndarray | None = None
        self.offsets: dict[str, np.ndarray] = {}
        self._rng: np.random.Generator | None = None

    @classmethod
    def saved_params(cls, saved):
        """A checkpoint's parameters without the options earlier versions had.

        Raises
        ------
        GenosynthError
            When the checkpoint was trained with a removed option at another value
            than the behaviour it is now fixed at.
        """
        params = dict(super().saved_params(saved))
        for key, fixed in _REMOVED_PARAMS.items():
            if key in params and params.pop(key) != fixed:
                raise GenosynthError(
                    f"rbm checkpoint trained with {key}={saved[key]!r}, an option this version "
                    f"no longer has (it is always {fixed!r}): train the model again"
                )
        for key in _REMOVED_SAMPLING_PARAMS:  # one AG per chain now
            params.pop(key, None)
        return params

    @property
    def n_labels(self) -> int:
        return int(self.label_values.size)

    @property
    def is_conditional(self) -> bool:
        return self.n_labels > 0

    # --- data -----------------------------------------------------------------
    def _visible_data(self, haplotypes: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
        """Haplotypes with one-hot label columns appended: int8 ``(n, n_visible)``."""
        if not self.n_labels:
            return haplotypes
        return np.concatenate([haplotypes, one_hot(codes, self.n_labels)], axis=1)

    def _labelled_data(self, haplotypes: np.ndarray, labels: np.ndarray | None) -> np.ndarray:
        """Training rows: haplotypes with the one-hot columns of their label values appended."""
        codes = (
            None if labels is None else label_codes(labels, self.label_values, haplotypes.shape[0])
        )
        return self._visible_data(haplotypes, codes)

    def _class_frequencies(self, data: np.ndarray) -> np.ndarray:
        """Allele frequencies of the training rows of each label (or of all rows).

        Parameters
        ----------
        data : numpy.ndarray, int8, shape (n_haplotypes, n_visible)
            Training rows with their one-hot label columns.

        Returns
        -------
        numpy.ndarray, float32, shape (max(n_labels, 1), n_sites)
        """
        alleles = data[:, : self.n_sites]
        if not self.n_labels:
            return alleles.mean(axis=0, dtype=np.float64)[None].astype(np.float32)
        onehot = data[:, self.n_sites :].astype(np.float64)
        counts = onehot.T @ alleles  # (n_labels, n_sites) allele counts per label
        counts /= onehot.sum(axis=0)[:, None]
        return counts.astype(np.float32)

    # --- training -------------------------------------------------------------
    def fit(self, haplotypes, *, seed, labels=None, epochs: int | None = None, callback=None,
            checkpoint_path: str | os.PathLike | None = None, checkpoint_every: int = 0,
            resume: bool = True):  # fmt: skip
        """Train by PCD-k through :func:`genosynth.training.fit`; return ``self``.

        Parameters
        ----------
        haplotypes : array_like, int, shape (n_haplotypes, n_sites), values 0/1
        seed : int or numpy.random.Generator
            Ignored when resuming (the checkpoint's generator state is used).
        labels : array_like, int, shape (n_haplotypes,), optional
            Class of each haplotype: makes the model conditional (one-hot label
            units appended to the visible layer).
        epochs : int, optional
            Train until this many epochs are done in total (default: ``epochs``).
        callback : callable, optional
            ``callback(epoch, logs)`` after every epoch (1-based ``epoch``);
            ``logs`` holds ``reconstruction_error`` (mean squared error of the
            mean-field reconstruction ``p(v | E[h | v])`` of the training
            alleles), ``free_energy_train`` (mean free energy of the training
            rows; both on up to :data:`MONITOR_ROWS` evenly spaced rows),
            ``free_energy_gap`` (mean free energy of the persistent chains minus
            ``free_energy_train``) and ``epoch_s``. Returning ``True`` stops.
        checkpoint_path, checkpoint_every, resume :
            As ``checkpoint``, ``checkpoint_every``, ``resume`` of the driver.
        """
        from genosynth import training

        h = check_haplotypes(haplotypes)
        if labels is not None:
            labels = np.asarray(labels)
            if labels.shape != (h.shape[0],) or not np.issubdtype(labels.dtype, np.integer):
                raise GenosynthError(
                    f"labels must be {h.shape[0]} integers (one per haplotype), "
                    f"got shape {labels.shape} {labels.dtype}"
                )
        return training.fit(self, h, seed=seed, labels=labels, epochs=epochs, callback=callback,
                            checkpoint=checkpoint_path, checkpoint_every=checkpoint_every,
                            resume=resume)  # fmt: skip

    def init_training(self, data, *, labels, seed) -> None:
        """Fresh parameters, persistent chains and (centering) offsets for ``data``; step 0."""
        rng = as_generator(seed)
        n_hap, n_sites = data.shape
        n_hidden = self.params["n_hidden"]
        if labels is not None:
            self.label_values, counts = np.unique(
                np.asarray(labels).astype(np.int64), return_counts=True
            )
            self.label_proportions = counts / n_hap
        else:
            self.label_values = np.zeros(0, dtype=np.int64)
            self.label_proportions = np.zeros(0, dtype=np.float64)
        eps = 0.5 / n_hap
        freq = np.clip(data.mean(axis=0, dtype=np.float64), eps, 1.0 - eps)
        visible_bias = np.concatenate(
            [np.log(freq) - np.log1p(-freq), np.log(self.label_proportions)]
        ).astype(np.float32)
        weights = rng.normal(0.0, INIT_STD, size=(visible_bias.size, n_hidden))
        hidden_bias = np.zeros(n_hidden, dtype=np.float32)
        self.rbm = RBM(weights.astype(np.float32), visible_bias, hidden_bias, n_sites)
        visible = self._labelled_data(data, labels)
        self.chains = visible[rng.integers(0, n_hap, size=self.params["n_chains"])].astype(np.int8)
        self.offsets = {}
        if self.params["centering"]:
            monitor = visible[np.linspace(0, n_hap - 1, min(n_hap, MONITOR_ROWS)).astype(int)]
            hidden = self.rbm.hidden_mean(self.rbm.hidden_input(monitor.astype(np.float32)))
            mean = visible.mean(axis=0, dtype=np.float64)
            self.offsets["visible_offset"] = mean.astype(np.float32)
            self.offsets["hidden_offset"] = hidden.mean(axis=0).astype(np.float32)
        self.n_sites = n_sites
        self.step = 0
        self._rng = rng
        self.rng_state = rng.bit_generator.state

    def resumed(self) -> None:
        """Continue the training generator from the loaded ``rng_state``."""
        self._rng = _generator_from_state(self.rng_state)

    @contextlib.contextmanager
    def training_session(self, data, *, labels):
        """Set up training on ``data`` once; yield ``run_epoch()`` (one epoch, its logs).

        The visible data (with label columns), ``start_frequencies``, single-threaded
        BLAS, a second thread (where two cores are usable) and the shards live as long
        as the session; the chains are stored back after every epoch and at the end.
        """
        visible = self._labelled_data(data, labels)
        self.start_frequencies = self._class_frequencies(visible)
        rng = self._rng if self._rng is not None else _generator_from_state(self.rng_state)
        n_chains = self.params["n_chains"]
        batch_size = min(self.params["batch_size"], visible.shape[0])
        bounds = np.linspace(0, n_chains, N_SHARDS + 1).round().astype(int)
        shards = [
            Shard(self.rbm, self.chains[lo:hi], n_chains, -(-batch_size // N_SHARDS))
            for lo, hi in zip(bounds, bounds[1:], strict=False)
        ]
        with contextlib.ExitStack() as stack:
            stack.enter_context(rbm_sampling.single_threaded_blas())
            pool = None
            if rbm_sampling.usable_cores() >= 2:
                pool = stack.enter_context(concurrent.futures.ThreadPoolExecutor(max_workers=1))
            try:
                yield lambda: self._run_epoch(visible, rng, shards, pool, batch_size)
            finally:
                self._store_chains(shards)

    def _run_epoch(self, data, rng, shards, pool, batch_size) -> dict[str, float]:
        """Epoch ``self.step + 1`` of PCD-k (see the module docstring); its logs."""
        start = time.perf_counter()
        p = self.params
        n_hap = data.shape[0]
        lr = self.epoch_learning_rate(self.step + 1)
        decay = 1.0 - lr * p["l2"]
        for shard, child in zip(shards, rbm_sampling.child_generators(rng, N_SHARDS), strict=True):
            shard.rng = child
        order = rng.permutation(n_hap)
        for lo in range(0, n_hap, batch_size):
            batch = order[lo : lo + batch_size]
            parts = np.array_split(batch, N_SHARDS)
            args = [(data, part, batch.size, p["k"], lr) for part in parts]
            if pool is not None:
                future = pool.submit(shards[1].work, *args[1])
                shards[0].work(*args[0])
                future.result()
            else:
                for shard, arg in zip(shards, args, strict=True):
                    shard.work(*arg)
            steps = [(s.grad_w, s.grad_b, s.grad_c) for s in shards]
            if p["centering"]:
                offsets = self.offsets["visible_offset"], self.offsets["hidden_offset"]
                steps = [centred_step(shards, *offsets, lr, OFFSET_RATE)]
            apply_step(self.rbm, steps, decay)
        self._check_bounded(self.step + 1, lr)
        self.rng_state = rng.bit_generator.state
        elapsed = time.perf_counter() - start
        self._store_chains(shards)
        return self._monitor(data) | {"epoch_s": elapsed}

    def _check_bounded(self, epoch: int, lr: float) -> None:
        """Raise :class:`TrainingError` if a parameter is non-finite or beyond
        :data:`DIVERGENCE_BOUND` after ``epoch`` (before that epoch is checkpointed).

        The centred step can run away: the hidden offsets are unbounded, and
        ``db = db_plain - dW lam`` then feeds the growth of the hidden biases back
        into the visible ones.
        """
        for name, values in zip(("weights", "visible_bias", "hidden_bias"), self.rbm.parameters(),
                                strict=True):  # fmt: skip
            worst = float(np.max(np.abs(values)))
            if np.isfinite(worst) and worst <= DIVERGENCE_BOUND:
                continue
            fixes = ["lower the rbm learning_rate (e.g. halve it)", "change the training seed"]
            if self.params["centering"]:
                fixes.insert(1, "set rbm centering: false")
            raise TrainingError(
                f"rbm training diverged at epoch {epoch}: max |{name}| is {worst:.3g} "
                f"(sane models stay below {DIVERGENCE_BOUND:g}) at learning rate {lr:g}. "
                f"Fix: {', or '.join(fixes)} (in the workflow, each starts training afresh)"
            )

    def epoch_learning_rate(self, epoch: int) -> float:
        """Learning rate of 1-based ``epoch`` (the schedule spans the ``epochs`` parameter).

        Epochs past ``epochs`` (a ``fit(epochs=...)`` beyond it) keep the final rate, so a
        killed and resumed run follows the same schedule as an uninterrupted one.
        """
        lr = self.params["learning_rate"]
        final = self.params["learning_rate_final"]
        n_epochs = self.params["epochs"]
        if final is None or n_epochs <= 1:
            return lr
        return lr * geometric_anneal(epoch, epochs=n_epochs, final_factor=final / lr)

    def _store_chains(self, shards: list[Shard]) -> None:
        self.chains = np.concatenate([s.chains for s in shards]).astype(np.int8)

    def _monitor(self, data: np.ndarray) -> dict[str, float]:
        """Reconstruction error and free energies of up to :data:`MONITOR_ROWS` training rows."""
        rbm = self.rbm
        if data.shape[0] > MONITOR_ROWS:
            data = data[np.linspace(0, data.shape[0] - 1, MONITOR_ROWS).round().astype(int)]
        sq_err = 0.0
        f_train = 0.0
        for lo in range(0, data.shape[0], _CHUNK):
            v = data[lo : lo + _CHUNK].astype(np.float32)
            recon = rbm.visible_mean(rbm.mean_field_input(v))
            diff = recon[:, : rbm.n_sites] - v[:, : rbm.n_sites]
            sq_err += float(np.square(diff, dtype=np.float64).sum())
            f_train += float(rbm.free_energy(v).sum())
        f_train /= data.shape[0]
        f_chains = float(rbm.free_energy(self.chains).mean())
        return {
            "reconstruction_error": sq_err / (data.shape[0] * rbm.n_sites),
            "free_energy_train": f_train,
            "free_energy_gap": f_chains - f_train,
        }

    # --- sampling -------------------------------------------------------------
    def sample(self, n, *, seed, labels=None):
        """Draw ``n`` AGs, one independent Gibbs chain each (:mod:`~genosynth.models.rbm_sampling`).

        Parameters
        ----------
        n : int
        seed : int or numpy.random.Generator
        labels : int or array_like of int, shape (n,), optional
            Conditional models only: the class of every AG (a scalar for all).
            Default: classes drawn from the training proportions.

        Returns
        -------
        numpy.ndarray, int8, shape (n, n_sites), values 0/1
        """
        self._require_fitted()
        n = check_n_samples(n)
        rng = as_generator(seed)
        if not self.is_conditional:
            if labels is not None:
                raise GenosynthError("labels given, but the rbm was trained without labels")
            codes = None
        elif labels is None:
            codes = rng.choice(self.n_labels, size=n, p=self.label_proportions)
        else:
            codes = label_codes(labels, self.label_values, n)
        p = self.params
        frequencies = None
        if p["sample_start"] == "frequencies" and n:
            frequencies = self._start_frequencies()
        rbm = rbm_sampling.scaled_rbm(self.rbm, p["beta"])
        return rbm_sampling.draw_ags(rbm, n, rng=rng, codes=codes, settings=p, chains=self.chains,
                                     start_frequencies=frequencies)  # fmt: skip

    def _start_frequencies(self) -> np.ndarray:
        if self.start_frequencies is None:
            raise GenosynthError(
                "rbm sample_start 'frequencies' needs the training allele frequencies, which "
                "this checkpoint predates: fit the model again (a workflow rerun of "
                "train_network), or sample with sample_start 'random'"
            )
        return self.start_frequencies

    # --- representations ------------------------------------------------------
    def hidden_representation(self, haplotypes, *, labels=None) -> np.ndarray:
        """Mean hidden activations ``E[h | v]`` of ``haplotypes``.

        Parameters
        ----------
        haplotypes : array_like, int, shape (n, n_sites), values 0/1
        labels : int or array_like of int, shape (n,), optional
            Conditional models: the class of each haplotype; default: the label
            units are set to the training proportions (their mean).

        Returns
        -------
        numpy.ndarray, float32, shape (n, n_hidden)
        """
        self._require_fitted()
        h = check_haplotypes(haplotypes)
        if h.shape[1] != self.n_sites:
            raise GenosynthError(f"expected {self.n_sites} sites, got {h.shape[1]}")
        if self.is_conditional and labels is not None:
            v = self._labelled_data(h, labels)
        elif self.is_conditional:
            lab = np.broadcast_to(self.label_proportions, (h.shape[0], self.n_labels))
            v = np.concatenate([h.astype(np.float32), lab.astype(np.float32)], axis=1)
        elif labels is not None:
            raise GenosynthError("labels given, but the rbm was trained without labels")
        else:
            v = h
        out = np.empty((h.shape[0], self.params["n_hidden"]), dtype=np.float32)
        for lo in range(0, h.shape[0], _CHUNK):
            chunk = v[lo : lo + _CHUNK].astype(np.float32)
            self.rbm.hidden_mean(self.rbm.hidden_input(chunk), out=out[lo : lo + _CHUNK])
        return out

    # --- state ----------------------------------------------------------------
    def get_state(self):
        self._require_fitted()
        state = {
            "weights": self.rbm.weights.copy(),
            "visible_bias": self.rbm.visible_bias.copy(),
            "hidden_bias": self.rbm.hidden_bias.copy(),
            "chains": self.chains.copy(),
            "label_values": self.label_values.copy(),
            "label_proportions": self.label_proportions.copy(),
        }
        if self.start_frequencies is not None:
            state["start_frequencies"] = self.start_frequencies.copy()
        return state

    def set_state(self, state):
        weights = np.asarray(state["weights"], dtype=np.float32)
        visible_bias = np.asarray(state["visible_bias"], dtype=np.float32)
        hidden_bias = np.asarray(state["hidden_bias"], dtype=np.float32)
        chains = np.asarray(state["chains"])
        label_values = np.asarray(state["label_values"], dtype=np.int64)
        label_proportions = np.asarray(state["label_proportions"], dtype=np.float64)
        n_hidden = self.params["n_hidden"]
        if weights.ndim != 2 or weights.shape[1] != n_hidden:
            raise GenosynthError(f"rbm state 'weights' must have shape (n_visible, {n_hidden})")
        n_visible = weights.shape[0]
        n_sites = n_visible - label_values.size
        if (
            visible_bias.shape != (n_visible,)
            or hidden_bias.shape != (n_hidden,)
            or chains.shape != (self.params["n_chains"], n_visible)
            or not np.isin(chains, (0, 1)).all()
            or label_proportions.shape != label_values.shape
            or n_sites < 1
        ):
            raise GenosynthError(
                "inconsistent rbm state: need visible_bias (n_visible,), hidden_bias "
                "(n_hidden,), 0/1 chains (n_chains, n_visible) and label arrays of one length"
            )
        if self.n_sites is not None and n_sites != self.n_sites:
            raise GenosynthError(f"rbm state has {n_sites} sites, model has {self.n_sites}")
        self.rbm = RBM(weights.copy(), visible_bias.copy(), hidden_bias.copy(), n_sites)
        self.chains = chains.astype(np.int8, copy=True)
        self.label_values = label_values.copy()
        self.label_proportions = label_proportions.copy()
        self.n_sites = n_sites
        self.start_frequencies = None
        if "start_frequencies" in state:  # checkpoints before sample_start "frequencies" lack it
            freq = np.asarray(state["start_frequencies"], dtype=np.float32)
            shape = (max(label_values.size, 1), n_sites)
            if freq.shape != shape or not ((freq >= 0) & (freq <= 1)).all():
                raise GenosynthError(
                    f"rbm state 'start_frequencies' must be frequencies in [0, 1] of shape {shape}"
                )
            self.start_frequencies = freq.copy()

    def get_optimizer_state(self):
        return {k: v.copy() for k, v in self.offsets.items()}

    def set_optimizer_state(self, state):
        self.offsets = {}
        if self.rbm is None or not self.params["centering"]:
            return
        expected = {
            "visible_offset": self.rbm.visible_bias.shape,
            "hidden_offset": self.rbm.hidden_bias.shape,
        }
        for key, shape in expected.items():
            if key not in state or np.shape(state[key]) != shape:
                raise GenosynthError(f"rbm optimizer state '{key}' must have shape {shape}")
        self.offsets = {k: np.asarray(state[k], dtype=np.float32).copy() for k in expected}
