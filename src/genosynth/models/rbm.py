"""Restricted Boltzmann machine for artificial genomes (Yelmen et al. 2021, 2023).

:class:`RBMModel` (``"rbm"``) trains the RBM defined in
:mod:`genosynth.models.rbm_core` (Bernoulli allele units, ReLU or sigmoid
hidden units, optional one-hot label units) by persistent contrastive
divergence (PCD-k) and draws AGs from independent Gibbs chains.

Training (PCD-k, plain SGD by default as in the paper)
-------------------------------------------------------
Visible biases start at the logit of the training allele frequencies (clipped
to half a count from 0 and 1; the log of the label proportions for the label
group), hidden biases at 0 and weights ``W ~ N(0, init_std^2)``. The
``n_chains`` persistent chains start from randomly chosen training rows.
Each epoch shuffles the training haplotypes and, per mini-batch of
``batch_size`` rows:

1. runs ``k`` Gibbs sweeps on the persistent chains;
2. computes mean hidden activations ``E[h | v]`` of the batch (data) and of
   the chains (model);
3. takes the step, with ``lr = learning_rate`` (or, with
   ``learning_rate_final``, the rate of the epoch on the geometric schedule
   from ``learning_rate`` at epoch 1 to ``learning_rate_final`` at epoch
   ``epochs``),

   ``W += lr * (<v h>_data - <v h>_model)``
   ``b += lr * (<v>_data - <v>_model)``
   ``c += lr * (<h>_data - <h>_model)``

   with momentum ``mu`` (``velocity = mu * velocity + step``) if
   ``momentum > 0`` and decoupled L2 decay ``W *= 1 - lr * l2`` of the allele
   rows of ``W`` if ``l2 > 0`` (the label rows of a conditional model are not
   decayed: shrinking them would weaken the label's hold on the AGs drawn for it).

With ``centering`` (Melchior, Fischer & Wiskott 2016, "How to center deep
Boltzmann machines", JMLR 17:99) the step is the gradient of the centred
energy ``-(v - mu)' b - (h - lam)' c - (v - mu)' W (h - lam)``, expressed in
the ordinary parameters the sampler uses: with ``mu`` the training mean of
the visible units and ``lam`` a moving average (rate ``offset_rate``) of
``<h>_data``,

   ``dW = lr * (<(v - mu)(h - lam)'>_data - <(v - mu)(h - lam)'>_model)``
   ``   = dW_plain - mu dc_plain' - db_plain lam'``
   ``db = db_plain - dW lam``
   ``dc = dc_plain - dW' mu``

(``d*_plain``: the uncentred steps above; the data and model weights sum to
zero, so no ``mu lam'`` term). The model family is unchanged; the step is
better conditioned because weight and bias updates no longer fight over the
allele frequencies, which keeps PCD training from swinging between modes.

With labels, the data rows carry their one-hot label and the chains sample
the label group too (softmax units). The chains and the batch are split in
two fixed shards, each with its own random stream, run on two threads (BLAS
is limited to one thread meanwhile, process-wide): on a given machine,
results depend neither on the number of cores nor on thread timing. Each
epoch's shard streams are seeded from the model's generator, whose state
(:attr:`rng_state`) is saved after every epoch, so resuming a checkpoint is
bit-identical to an uninterrupted run.

Sampling
--------
``sample(n)`` runs ``ceil(n / samples_per_chain)`` independent chains (in
blocks of :data:`SAMPLE_BLOCK`, each block with its own random stream) for
``burn_in`` Gibbs sweeps; the last Bernoulli draw of the visible units is an
AG. With ``samples_per_chain > 1`` each chain then yields one more AG every
``thin`` sweeps. On a conditional model the label units are clamped to the
requested class throughout. The chains start (``sample_start``) from
uniformly random alleles (``"random"``), from the persistent training chains
(``"chains"``), or from independent alleles at the training allele
frequencies of the chain's class (all training haplotypes for an
unconditional model; ``"frequencies"``, stored as ``start_frequencies``).

The start matters because 1,000 sweeps do not mix between the modes of a
trained RBM: a clamped label tilts the energy landscape but does not carry a
chain out of another population's basin. On the real 805-SNP data
(``config/real_805.yaml``'s RBM, 500 AGs per super-population, each assigned
to the super-population whose real centroid on 10 PCs is nearest) the share
assigned to their own class was AFR 0.35, AMR 0.71, EAS 0.88, EUR 0.73,
SAS 0.95 from random starts and 1.00, 0.68, 1.00, 1.00, 0.96 from
``"frequencies"`` (real haplotypes: 1.00, 0.77, 1.00, 1.00, 1.00). The
frequencies are aggregate statistics of the training set (the visible biases
start at their logits), not individual haplotypes.

How a chain's last state becomes an AG (``readout``): ``"sample"`` takes its
last Bernoulli draw of the alleles (the paper); ``"mean"`` takes allele 1
where ``p(v_i = 1 | h = E[h | v]) > 1/2``, the RBM's output probabilities
rounded as the GAN rounds its tanh outputs. The readout draws no random
numbers and leaves the chain as it was, so both readouts of one seed read
the same chain states. Per-site sampling noise breaks up the long shared
haplotypes that extended-haplotype statistics integrate: on the real ``scan``
set (a centred RBM with 200 hidden units, 1,004 AGs from the persistent training
chains) the Pearson r of the AGs' XP-EHH scan with the real one was 0.25 with
``"sample"`` and 0.95 with ``"mean"`` from the same chain states, with PBS r
0.91 and 0.90; ``config/real_scan.yaml``'s RBM (the same with ``l2`` 0.1)
gives 0.935 and 0.890 with ``"mean"`` in the workflow. The cost is rare
alleles, which rounded probabilities seldom reach (370-480 of its 2,000 SNPs
fixed in the AGs, none with ``"sample"``).

``"quantile"`` rounds the same probabilities ``p`` at a threshold of each
site instead of 1/2: at every site the ``floor(sum p + 1/2)`` AGs with the
highest ``p`` carry allele 1 (:func:`count_preserving_round`; within each class
of a conditional model), so the AGs carry the model's expected allele count at
every site, rare alleles included, with no per-site sampling noise. The AGs of
one call are rounded together (they are no longer independent draws). On the
real ``scan`` set (the RBM of ``config/real_scan.yaml`` with ``burn_in`` 50,
through the workflow) it gave XP-EHH / PBS r 0.935 / 0.962 and no SNP fixed,
against 0.935 / 0.890 and 466 fixed with ``"mean"``; but privacy loss 0.060
against 0.031 (SE 0.018), and as an imputation panel it lost in 9 of 11 MAF
bins (the rare alleles sit on the haplotypes the model finds likeliest, not
on their real backgrounds), so that config keeps ``"mean"``.

With ``beta`` other than 1 the chains run at inverse temperature ``beta``:
weights and biases are multiplied by ``beta`` (for sigmoid hidden units this
is exactly ``p(v, h) ~ exp(-beta E(v, h))``; ReLU units keep their noise
``N(0, sigmoid(x))`` at the scaled input). Training is unaffected.
:func:`genosynth.training.calibrate_beta` picks ``beta`` from the training
haplotypes. On the real 805-SNP data (RBM of ``config/real_805.yaml``, 5,008
AGs) AA_truth / AA_syn against the training set were 0.99 / 0.15 at
``beta = 0.9``, 0.66 / 0.33 at 1, 0.56 / 0.42 at 1.01, 0.46 / 0.53 at 1.02,
0.32 / 0.83 at 1.05 and 0.26 / 0.97 at 1.1: a slightly cooled RBM spreads its
AGs as far from each other as the real haplotypes are.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import json
import logging
import os
import time
from pathlib import Path

import numpy as np

from genosynth.errors import ConfigError, GenosynthError, TrainingError
from genosynth.models.base import (
    HaplotypeModel,
    as_generator,
    check_haplotypes,
    check_n_samples,
    count_preserving_round,
    geometric_anneal,
    is_finite_number,
    is_integer,
    label_codes,
    load_model,
    one_hot,
    read_checkpoint_meta,
    register_model,
)
from genosynth.models.rbm_core import ACTIVATIONS, RBM, GibbsSampler, uniform_pm1

__all__ = [
    "CHAIN_INITS",
    "MONITOR_ROWS",
    "READOUTS",
    "SAMPLE_BLOCK",
    "SAMPLE_STARTS",
    "RBMModel",
    "count_preserving_round",
]

logger = logging.getLogger("genosynth.models.rbm")

#: Chains run together (one buffer set) while sampling AGs.
SAMPLE_BLOCK = 1000

#: Where sampling chains start: uniformly random alleles, the persistent training chains, or
#: alleles drawn at the training frequencies of the chain's class.
SAMPLE_STARTS = ("random", "chains", "frequencies")

#: How a chain's last state becomes an AG: its last Bernoulli draw of the alleles, the
#: alleles made likely by the state's mean hidden activations, or those probabilities rounded
#: at per-site thresholds that keep the expected allele counts (see Sampling).
READOUTS = ("sample", "mean", "quantile")

#: Where the persistent training chains start: training haplotypes or uniformly random alleles.
CHAIN_INITS = ("data", "random")

#: Fixed number of training shards (threads at most): results never depend on the core count.
N_SHARDS = 2

#: Rows per chunk when computing monitors and hidden representations.
_CHUNK = 1024

#: Training rows (evenly spaced) used by the per-epoch monitors.
MONITOR_ROWS = 1000

#: Largest |weight| or |bias| of a model still training sanely. Trained models on
#: every dataset here stay below 20. A run-away centred step (:meth:`RBMModel._check_bounded`)
#: passes it late: demo ``wide``, seed 14, lr 1e-3 degraded from about epoch 70
#: (reconstruction error 0.14 to 0.19) and stopped at epoch 115; left alone it overflows.
DIVERGENCE_BOUND = 1e3

#: Parameters only sampling reads (:attr:`RBMModel.sampling_params`).
_SAMPLING_PARAMS = frozenset(
    {"burn_in", "sample_start", "thin", "samples_per_chain", "beta", "readout"}
)
#: Parameters that may differ between a checkpoint and the model resuming from it.
_RESUMABLE_CHANGES = {"epochs"} | _SAMPLING_PARAMS


def _generator_from_state(state: dict) -> np.random.Generator:
    """A Generator whose bit generator is restored from ``bit_generator.state``."""
    bit_generator = getattr(np.random, state["bit_generator"])()
    bit_generator.state = state
    return np.random.Generator(bit_generator)


def _child_generators(rng: np.random.Generator, n: int) -> list[np.random.Generator]:
    """``n`` independent fast (SFC64) generators seeded from ``rng``."""
    entropy = rng.integers(0, 2**63, size=(n, 2))
    return [np.random.Generator(np.random.SFC64([int(e) for e in row])) for row in entropy]


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@contextlib.contextmanager
def _single_threaded_blas():
    """Limit BLAS to one thread (our own threads split the work)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


class _Shard:
    """Buffers and per-batch work of one training shard (a fixed slice of the chains)."""

    def __init__(self, rbm: RBM, chains: np.ndarray, total_chains: int, max_data_rows: int):
        self.rbm = rbm
        n_chains = chains.shape[0]
        self.total_chains = total_chains
        rows = n_chains + max_data_rows
        self.n_chains = n_chains
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
        self.restart = False  # non-persistent chains: random alleles before every batch

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
        if self.restart:
            alleles = v[:nc, : rbm.n_sites]
            np.less(uniform_pm1(self.rng, np.empty_like(alleles)), 0.0, out=alleles)
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


@register_model
class RBMModel(HaplotypeModel):
    """RBM trained by PCD-k (Yelmen et al. 2021), optionally conditional on labels (2023).

    Parameters
    ----------
    n_hidden : int, default 100
        Hidden units (the workflow uses 500 for the dense dataset).
    hidden_activation : {"relu", "sigmoid"}, default "relu"
        NReLU hidden units ``max(0, x + N(0, sigmoid(x)))`` or Bernoulli ones.
    k : int, default 10
        Gibbs sweeps per mini-batch on the persistent chains.
    n_chains : int, default 100
        Persistent chains (at least 2).
    batch_size : int, default 32
    learning_rate : float, default 1e-3
        Paper range 1e-3 to 1e-4.
    learning_rate_final : float or None, default None
        Anneal geometrically from ``learning_rate`` (epoch 1) to this rate (epoch
        ``epochs``, kept after), which damps the PCD oscillation of the weight
        the model gives each population; None: constant rate.
    epochs : int, default 2000
        Training epochs (passes over the haplotypes); ``fit(epochs=...)`` overrides.
    l2 : float, default 0
        Decoupled weight decay on the allele rows of ``W`` (not the label rows).
    momentum : float, default 0
        SGD momentum in ``[0, 1)``; 0 is plain SGD as in the paper.
    init_std : float, default 0.01
        Standard deviation of the initial weights.
    burn_in : int, default 1000
        Gibbs sweeps before a sampling chain yields its first AG.
    sample_start : {"random", "chains", "frequencies"}, default "random"
        Start sampling chain ``i`` from uniformly random alleles, from
        persistent training chain ``i % n_chains`` (whose mix of modes follows
        the model's, where chains from random starts may favour the modes with
        the largest basins), or from alleles drawn independently at the
        training allele frequencies of the chain's class (a conditional
        model's chains then start in their class's basin; see Sampling).
    chain_init : {"data", "random"}, default "data"
        Start the persistent training chains from randomly chosen training
        haplotypes, or from uniformly random alleles (as sampling chains with
        ``sample_start="random"`` do): the chains then visit, and training
        removes, spurious modes that random-start sampling would otherwise
        fall into.
    persistent : bool, default True
        PCD-k (chains carried over between mini-batches). False: the chains
        restart from uniformly random alleles before every mini-batch and run
        ``k`` sweeps (Rdm-k, the out-of-equilibrium training of Decelle et
        al.): the model then learns to produce data-like samples in ``k``
        sweeps from random starts, which is how AGs are drawn with
        ``sample_start="random"`` and ``burn_in=k``.
    centering : bool, default False
        Centred gradient (see the module docstring); False: the paper's plain
        PCD step.
    offset_rate : float, default 0.01
        Moving-average rate of the hidden offset ``lam`` (centering only).
    samples_per_chain : int, default 1
        AGs read from each sampling chain (1: every AG has its own chain).
    thin : int, default 1
        Gibbs sweeps between successive AGs of one chain (when
        ``samples_per_chain > 1``).
    beta : float, default 1.0
        Inverse temperature of the sampling chains (> 0; see the module
        docstring); training does not use it.
    readout : {"sample", "mean", "quantile"}, default "sample"
        An AG is the chain's last Bernoulli draw of the alleles (the paper), or
        the alleles whose probability given the mean hidden activations of the
        chain's state exceeds 1/2 (``"mean"``: the RBM's outputs rounded, as
        the GAN rounds its), or those probabilities rounded at each site's
        threshold that keeps the expected allele count over the AGs of one
        :meth:`sample` call (``"quantile"``; see Sampling). The chain itself
        runs on unchanged.

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
    labels. Optimizer state (``momentum > 0`` only): ``velocity_weights``,
    ``velocity_visible_bias``, ``velocity_hidden_bias`` (float32); with
    ``centering``: ``visible_offset`` (``(n_visible,)``) and
    ``hidden_offset`` (``(n_hidden,)``), float32.
    """

    name = "rbm"
    accepts_labels = True
    sampling_params = _SAMPLING_PARAMS
    defaults = {
        "n_hidden": 100,
        "hidden_activation": "relu",
        "k": 10,
        "n_chains": 100,
        "batch_size": 32,
        "learning_rate": 1e-3,
        "learning_rate_final": None,
        "epochs": 2000,
        "l2": 0.0,
        "momentum": 0.0,
        "init_std": 0.01,
        "burn_in": 1000,
        "sample_start": "random",
        "chain_init": "data",
        "persistent": True,
        "centering": False,
        "offset_rate": 0.01,
        "samples_per_chain": 1,
        "thin": 1,
        "beta": 1.0,
        "readout": "sample",
    }

    def __init__(self, **params):
        super().__init__(**params)
        self._validate_params()
        self.rbm: RBM | None = None
        self.chains: np.ndarray | None = None
        self.label_values = np.zeros(0, dtype=np.int64)
        self.label_proportions = np.zeros(0, dtype=np.float64)
        self.start_frequencies: np.ndarray | None = None
        self.velocity: dict[str, np.ndarray] = {}

    def _validate_params(self) -> None:
        p = self.params
        minimum = {
            "n_hidden": 1, "k": 1, "n_chains": N_SHARDS, "batch_size": 1, "epochs": 0,
            "burn_in": 0, "samples_per_chain": 1, "thin": 1,
        }  # fmt: skip
        for key, low in minimum.items():
            if not is_integer(p[key]) or p[key] < low:
                raise ConfigError(f"rbm.{key}", f"must be an integer >= {low}, got {p[key]!r}")
            p[key] = int(p[key])
        for key in ("learning_rate", "init_std", "l2", "momentum", "offset_rate", "beta"):
            if not is_finite_number(p[key]) or p[key] < 0:
                raise ConfigError(f"rbm.{key}", f"must be a finite number >= 0, got {p[key]!r}")
            p[key] = float(p[key])
        for key in ("learning_rate", "beta"):
            if p[key] <= 0:
                raise ConfigError(f"rbm.{key}", "must be > 0")
        final = p["learning_rate_final"]
        if final is not None:
            if not is_finite_number(final) or final <= 0:
                raise ConfigError(
                    "rbm.learning_rate_final", f"must be a number > 0 or null, got {final!r}"
                )
            p["learning_rate_final"] = float(final)
        if p["momentum"] >= 1:
            raise ConfigError("rbm.momentum", "must be < 1")
        if p["offset_rate"] > 1:
            raise ConfigError("rbm.offset_rate", "must be <= 1")
        if not isinstance(p["centering"], bool):
            raise ConfigError("rbm.centering", f"must be true or false, got {p['centering']!r}")
        if not isinstance(p["persistent"], bool):
            raise ConfigError("rbm.persistent", f"must be true or false, got {p['persistent']!r}")
        choices = {
            "sample_start": SAMPLE_STARTS,
            "readout": READOUTS,
            "chain_init": CHAIN_INITS,
            "hidden_activation": ACTIVATIONS,
        }
        for key, allowed in choices.items():
            if p[key] not in allowed:
                raise ConfigError(f"rbm.{key}", f"must be one of {list(allowed)}, got {p[key]!r}")

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

    @staticmethod
    def _fingerprint(haplotypes: np.ndarray, labels: np.ndarray | None) -> str:
        digest = hashlib.sha256()
        digest.update(repr(haplotypes.shape).encode())
        digest.update(np.ascontiguousarray(haplotypes).tobytes())
        if labels is not None:
            digest.update(np.ascontiguousarray(labels, dtype=np.int64).tobytes())
        return digest.hexdigest()

    # --- training -------------------------------------------------------------
    def fit(
        self,
        haplotypes,
        *,
        seed,
        labels=None,
        epochs: int | None = None,
        callback=None,
        checkpoint_path: str | os.PathLike | None = None,
        checkpoint_every: int = 0,
        resume: bool = True,
    ):
        """Train by PCD-k; return ``self``.

        Parameters
        ----------
        haplotypes : array_like, int, shape (n_haplotypes, n_sites), values 0/1
        seed : int or numpy.random.Generator
            Ignored when resuming (the checkpoint's generator state is used).
        labels : array_like, int, shape (n_haplotypes,), optional
            Class of each haplotype: makes the model conditional (one-hot label
            units appended to the visible layer).
        epochs : int, optional
            Train until this many epochs are done in total (default: the
            ``epochs`` parameter).
        callback : callable, optional
            ``callback(epoch, logs)`` after every epoch (1-based ``epoch``);
            ``logs`` holds ``reconstruction_error`` (mean squared error of the
            mean-field reconstruction ``p(v | E[h | v])`` of the training
            alleles), ``free_energy_train`` (mean free energy of the training
            rows; both on up to :data:`MONITOR_ROWS` evenly spaced rows),
            ``free_energy_gap`` (mean free energy of the persistent chains minus
            ``free_energy_train``) and ``epoch_s``. Returning ``True`` stops.
        checkpoint_path : path, optional
            Checkpoint written (atomically) every ``checkpoint_every`` epochs
            and when training ends; if it exists and ``resume`` is true,
            training resumes from it.
        checkpoint_every : int, default 0
            0: only when training ends.
        resume : bool, default True

        Returns
        -------
        RBMModel
        """
        h = check_haplotypes(haplotypes)
        n_epochs = self.params["epochs"] if epochs is None else epochs
        if not is_integer(n_epochs) or n_epochs < 0:
            raise GenosynthError(f"epochs must be a non-negative integer, got {n_epochs!r}")
        if not is_integer(checkpoint_every) or checkpoint_every < 0:
            raise GenosynthError(
                f"checkpoint_every must be an integer >= 0, got {checkpoint_every!r}"
            )
        if labels is not None:
            labels = np.asarray(labels)
            if labels.shape != (h.shape[0],) or not np.issubdtype(labels.dtype, np.integer):
                raise GenosynthError(
                    f"labels must be {h.shape[0]} integers (one per haplotype), "
                    f"got shape {labels.shape} {labels.dtype}"
                )
        fingerprint = self._fingerprint(h, labels)
        path = None if checkpoint_path is None else Path(checkpoint_path)
        if path is not None and resume and path.exists():
            rng = self._resume(path, h, fingerprint)
            data = self._labelled_data(h, labels)
        else:
            rng, data = self._initialise(h, labels, as_generator(seed))
        self.start_frequencies = self._class_frequencies(data)
        provenance = {"data_sha256": fingerprint}
        if self.step >= n_epochs:
            return self
        with contextlib.ExitStack() as stack:
            stack.enter_context(_single_threaded_blas())
            pool = None
            if _usable_cores() >= 2:
                pool = stack.enter_context(concurrent.futures.ThreadPoolExecutor(max_workers=1))
            self._train(data, rng, n_epochs, pool, callback, path, checkpoint_every, provenance)
        return self

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

    def _initialise(self, h, labels, rng) -> tuple[np.random.Generator, np.ndarray]:
        """Fresh parameters and persistent chains for ``h``.

        Returns the training generator and the visible data (``h`` with its one-hot label
        columns, int8 ``(n_haplotypes, n_visible)``).
        """
        n_hap, n_sites = h.shape
        n_hidden = self.params["n_hidden"]
        if labels is not None:
            self.label_values, counts = np.unique(labels.astype(np.int64), return_counts=True)
            self.label_proportions = counts / n_hap
        else:
            self.label_values = np.zeros(0, dtype=np.int64)
            self.label_proportions = np.zeros(0, dtype=np.float64)
        eps = 0.5 / n_hap
        freq = np.clip(h.mean(axis=0, dtype=np.float64), eps, 1.0 - eps)
        visible_bias = np.concatenate(
            [np.log(freq) - np.log1p(-freq), np.log(self.label_proportions)]
        ).astype(np.float32)
        n_visible = visible_bias.size
        weights = rng.normal(0.0, self.params["init_std"], size=(n_visible, n_hidden))
        self.rbm = RBM(
            weights.astype(np.float32),
            visible_bias,
            np.zeros(n_hidden, dtype=np.float32),
            n_sites,
            self.params["hidden_activation"],
        )
        data = self._labelled_data(h, labels)
        n_chains = self.params["n_chains"]
        if self.params["chain_init"] == "data":
            start = rng.integers(0, n_hap, size=n_chains)
            self.chains = data[start].astype(np.int8)
        else:
            alleles = (rng.random((n_chains, n_sites)) < 0.5).astype(np.int8)
            chain_codes = None
            if labels is not None:
                chain_codes = rng.choice(self.n_labels, size=n_chains, p=self.label_proportions)
            self.chains = self._visible_data(alleles, chain_codes)
        self.velocity = {}
        if self.params["momentum"] > 0:
            self.velocity = {
                "velocity_weights": np.zeros_like(self.rbm.weights),
                "velocity_visible_bias": np.zeros_like(self.rbm.visible_bias),
                "velocity_hidden_bias": np.zeros_like(self.rbm.hidden_bias),
            }
        if self.params["centering"]:
            monitor = data[np.linspace(0, n_hap - 1, min(n_hap, MONITOR_ROWS)).astype(int)]
            hidden = self.rbm.hidden_mean(self.rbm.hidden_input(monitor.astype(np.float32)))
            self.velocity["visible_offset"] = data.mean(axis=0, dtype=np.float64).astype(np.float32)
            self.velocity["hidden_offset"] = hidden.mean(axis=0).astype(np.float32)
        self.n_sites = n_sites
        self.step = 0
        self.rng_state = rng.bit_generator.state
        return rng, data

    def _resume(self, path: Path, h: np.ndarray, fingerprint: str) -> np.random.Generator:
        """Load the checkpoint at ``path`` into ``self``; return the restored generator."""
        meta = read_checkpoint_meta(path)
        fix = "delete the checkpoint or pass resume=False to start afresh"
        if meta.get("model") != self.name:
            raise GenosynthError(
                f"{path}: checkpoint of model '{meta.get('model')}', not rbm; {fix}"
            )
        theirs = self.saved_params(meta["params"])
        theirs = {k: v for k, v in theirs.items() if k not in _RESUMABLE_CHANGES}
        ours = json.loads(json.dumps(self.params))
        ours = {k: v for k, v in ours.items() if k not in _RESUMABLE_CHANGES}
        if theirs != ours:
            raise GenosynthError(
                f"{path}: checkpoint parameters {theirs} differ from the model's {ours}; {fix}"
            )
        if meta.get("provenance", {}).get("data_sha256") != fingerprint:
            raise GenosynthError(f"{path}: checkpoint was trained on other data; {fix}")
        saved = load_model(path)
        self.set_state(saved.get_state())
        self.set_optimizer_state(saved.get_optimizer_state())
        self.n_sites = saved.n_sites
        self.step = saved.step
        self.rng_state = saved.rng_state
        logger.info("resuming rbm training from %s at epoch %d", path, self.step)
        return _generator_from_state(self.rng_state)

    def _train(self, data, rng, n_epochs, pool, callback, path, checkpoint_every, provenance):
        """Epochs ``self.step + 1 .. n_epochs`` of PCD-k (see the module docstring)."""
        p = self.params
        rbm = self.rbm
        n_hap = data.shape[0]
        batch_size = min(p["batch_size"], n_hap)
        momentum = p["momentum"]
        bounds = np.linspace(0, p["n_chains"], N_SHARDS + 1).round().astype(int)
        shard_data_rows = -(-batch_size // N_SHARDS)
        shards = [
            _Shard(rbm, self.chains[lo:hi], p["n_chains"], shard_data_rows)
            for lo, hi in zip(bounds, bounds[1:], strict=False)
        ]
        for shard in shards:
            shard.restart = not p["persistent"]
        log_every = max(1, n_epochs // 20)
        try:
            while self.step < n_epochs:
                start = time.perf_counter()
                lr = self.epoch_learning_rate(self.step + 1)
                decay = 1.0 - lr * p["l2"]
                for shard, child in zip(shards, _child_generators(rng, N_SHARDS), strict=True):
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
                    self._apply_update(shards, decay, momentum, lr)
                self.step += 1
                self._check_bounded(lr)
                self.rng_state = rng.bit_generator.state
                elapsed = time.perf_counter() - start
                stop = False
                want_log = logger.isEnabledFor(logging.INFO) and (
                    self.step % log_every == 0 or self.step == n_epochs
                )
                if callback is not None or want_log:
                    self._store_chains(shards)
                    logs = self._monitor(data)
                    logs["epoch_s"] = elapsed
                    if want_log:
                        logger.info(
                            "rbm epoch %d/%d: reconstruction_error %.4f, free_energy_gap %.3f, "
                            "%.2f s",
                            self.step,
                            n_epochs,
                            logs["reconstruction_error"],
                            logs["free_energy_gap"],
                            elapsed,
                        )
                    if callback is not None:
                        stop = bool(callback(self.step, logs))
                periodic = checkpoint_every and self.step % checkpoint_every == 0
                if path is not None and (periodic or stop or self.step == n_epochs):
                    self._store_chains(shards)
                    self.save(path, provenance=provenance)
                if stop:
                    logger.info("rbm training stopped by the callback after epoch %d", self.step)
                    break
        finally:
            self._store_chains(shards)

    def _check_bounded(self, lr: float) -> None:
        """Raise :class:`TrainingError` if a parameter is non-finite or beyond
        :data:`DIVERGENCE_BOUND` (before this epoch is checkpointed).

        The centred step with ReLU hidden units can run away: the hidden offsets
        are unbounded, and ``db = db_plain - dW lam`` then feeds the growth of
        the hidden biases back into the visible ones (on the demo ``wide`` set
        at learning rate 1e-3, 2 training seeds in 10; at 5e-4, none of 4).
        """
        rbm = self.rbm
        arrays = {
            "weights": rbm.weights,
            "visible_bias": rbm.visible_bias,
            "hidden_bias": rbm.hidden_bias,
        }
        for name, values in arrays.items():
            worst = float(np.max(np.abs(values)))
            if np.isfinite(worst) and worst <= DIVERGENCE_BOUND:
                continue
            fixes = ["lower the rbm learning_rate (e.g. halve it)", "change the training seed"]
            if self.params["centering"]:
                fixes.insert(1, "set rbm centering: false")
            raise TrainingError(
                f"rbm training diverged at epoch {self.step}: max |{name}| is {worst:.3g} "
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

    def _apply_update(self, shards: list[_Shard], decay: float, momentum: float, lr: float) -> None:
        """Add the shards' (learning-rate scaled) gradients to the parameters, in shard order."""
        rbm = self.rbm
        params = (rbm.weights, rbm.visible_bias, rbm.hidden_bias)
        steps = [(s.grad_w, s.grad_b, s.grad_c) for s in shards]
        if self.params["centering"]:
            steps = [self._centred_step(shards, lr)]
        if decay != 1.0:
            rbm.weights[: rbm.n_sites] *= decay  # allele rows only
        if momentum > 0:
            velocities = (
                self.velocity["velocity_weights"],
                self.velocity["velocity_visible_bias"],
                self.velocity["velocity_hidden_bias"],
            )
            for velocity in velocities:
                velocity *= momentum
            targets = velocities
        else:
            targets = params
        for step in steps:
            for target, grad in zip(targets, step, strict=True):
                np.add(target, grad, out=target)
        if momentum > 0:
            for param, velocity in zip(params, targets, strict=True):
                np.add(param, velocity, out=param)
        rbm.update_derived()

    def _centred_step(
        self, shards: list[_Shard], lr: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The shards' summed step turned into the centred one; update the hidden offset."""
        mu = self.velocity["visible_offset"]
        lam = self.velocity["hidden_offset"]
        grad_w = np.sum([s.grad_w for s in shards], axis=0)
        grad_b = np.sum([s.grad_b for s in shards], axis=0)
        grad_c = np.sum([s.grad_c for s in shards], axis=0)
        data_hidden = np.sum([s.data_hidden for s in shards], axis=0)
        data_hidden /= lr
        grad_w -= np.outer(mu, grad_c)
        grad_w -= np.outer(grad_b, lam)
        grad_b -= grad_w @ lam
        grad_c -= grad_w.T @ mu
        rate = self.params["offset_rate"]
        lam *= 1.0 - rate
        lam += rate * data_hidden
        return grad_w, grad_b, grad_c

    def _store_chains(self, shards: list[_Shard]) -> None:
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
        """Draw ``n`` AGs from independent Gibbs chains.

        Parameters
        ----------
        n : int
        seed : int or numpy.random.Generator
        labels : int or array_like of int, shape (n,), optional
            Conditional models only: the class of every AG (a scalar for all).
            Default: classes drawn from the training proportions, one per chain.
            With ``samples_per_chain > 1`` the labels of the AGs of one chain
            (consecutive groups of ``samples_per_chain`` rows) must agree.

        Returns
        -------
        numpy.ndarray, int8, shape (n, n_sites), values 0/1
            Row ``i`` comes from chain ``i // samples_per_chain``.
        """
        self._require_fitted()
        n = check_n_samples(n)
        rng = as_generator(seed)
        spc = self.params["samples_per_chain"]
        n_chains = -(-n // spc)
        codes = self._chain_label_codes(n, n_chains, spc, labels, rng)
        quantile = self.params["readout"] == "quantile"
        # "quantile": the blocks leave each AG's visible input, rounded together at the end
        out = np.empty((n_chains * spc, self.n_sites), dtype=np.float32 if quantile else np.int8)
        starts = list(range(0, n_chains, SAMPLE_BLOCK))
        generators = _child_generators(rng, len(starts))
        workers = min(len(starts), N_SHARDS, _usable_cores())
        block_rows = min(SAMPLE_BLOCK, max(n_chains, 1))
        rbm = self._sampling_rbm()
        samplers = [GibbsSampler(rbm, block_rows) for _ in range(max(workers, 1))]

        def run_blocks(worker: int) -> None:
            sampler = samplers[worker]
            for b in range(worker, len(starts), max(workers, 1)):
                lo = starts[b]
                hi = min(n_chains, lo + SAMPLE_BLOCK)
                block_codes = None if codes is None else codes[lo:hi]
                self._sample_block(
                    sampler, generators[b], lo, block_codes, out[lo * spc : hi * spc]
                )

        with _single_threaded_blas():
            if workers >= 2:
                with concurrent.futures.ThreadPoolExecutor(max_workers=workers - 1) as pool:
                    futures = [pool.submit(run_blocks, w) for w in range(1, workers)]
                    run_blocks(0)
                    for future in futures:
                        future.result()
            elif starts:
                run_blocks(0)
        if quantile:
            groups = None if codes is None else np.repeat(codes, spc)[:n]
            return count_preserving_round(out[:n], groups=groups)
        return out[:n]

    def _sampling_rbm(self) -> RBM:
        """The RBM the sampling chains run: this one, or a copy at inverse temperature ``beta``."""
        beta = self.params["beta"]
        rbm = self.rbm
        if beta == 1.0:
            return rbm
        scaled = [np.multiply(a, beta, dtype=np.float32) for a in rbm.parameters()]
        return RBM(*scaled, rbm.n_sites, activation=rbm.activation)

    def _chain_label_codes(self, n, n_chains, spc, labels, rng) -> np.ndarray | None:
        """Label-unit index of every sampling chain (None for unconditional models)."""
        if not self.is_conditional:
            if labels is not None:
                raise GenosynthError("labels given, but the rbm was trained without labels")
            return None
        if labels is None:
            return rng.choice(self.n_labels, size=n_chains, p=self.label_proportions)
        codes = label_codes(labels, self.label_values, n)
        padded = np.concatenate([codes, np.full(n_chains * spc - n, -1)]).reshape(n_chains, spc)
        first = padded[:, :1]
        if ((padded != first) & (padded >= 0)).any():
            raise GenosynthError(
                f"with samples_per_chain={spc}, each group of {spc} consecutive AGs "
                "must have one label"
            )
        return first[:, 0]

    def _sample_block(self, sampler, rng, first_chain, codes, out) -> None:
        """Run one block of chains; write its AGs (``chains * samples_per_chain`` rows) to out.

        ``first_chain`` is the index of the block's first chain among all sampling chains.
        """
        rbm = sampler.rbm
        p = self.params
        spc = p["samples_per_chain"]
        n_chains = out.shape[0] // spc
        v = np.empty((n_chains, rbm.n_visible), dtype=np.float32)
        allele = v[:, : rbm.n_sites]
        if p["sample_start"] == "chains":
            start = (first_chain + np.arange(n_chains)) % self.chains.shape[0]
            v[:] = self.chains[start]
        else:  # allele on when U < 2 f - 1, U uniform on [-1, 1]: P = f ("random": f = 1/2)
            threshold = 0.0
            if p["sample_start"] == "frequencies":
                rows = np.zeros(n_chains, int) if codes is None else codes
                threshold = 2.0 * self._start_frequencies()[rows] - 1.0
            np.less(uniform_pm1(rng, np.empty_like(allele)), threshold, out=allele)
        clamp = codes is not None
        if clamp:
            v[:, rbm.n_sites :] = 0.0
            v[np.arange(n_chains), rbm.n_sites + codes] = 1.0
        sampler.run(v, rng, p["burn_in"], clamp_labels=clamp)
        out[0::spc] = self._read_out(rbm, v)
        for s in range(1, spc):
            sampler.run(v, rng, p["thin"], clamp_labels=clamp)
            out[s::spc] = self._read_out(rbm, v)

    def _read_out(self, rbm: RBM, v: np.ndarray) -> np.ndarray:
        """The 0/1 alleles of the AGs of chain states ``v`` (float32, ``(n, n_visible)``).

        ``"sample"``: the allele columns of ``v`` (a float32 view). ``"mean"``:
        True where ``p(v_i = 1 | h = E[h | v]) > 1/2``, i.e. where the visible
        input ``a = E[h | v] W' + b`` is positive (bool). ``"quantile"``: ``a``
        itself (float32), which :meth:`sample` rounds over all AGs. Shape
        ``(n, n_sites)``.
        """
        readout = self.params["readout"]
        if readout == "sample":
            return v[:, : rbm.n_sites]
        visible_input = rbm.mean_field_input(v)[:, : rbm.n_sites]
        if readout == "quantile":
            return visible_input
        return visible_input > 0

    def _start_frequencies(self) -> np.ndarray:
        if self.start_frequencies is None:
            raise GenosynthError(
                "rbm sample_start 'frequencies' needs the training allele frequencies, which "
                "this checkpoint predates: fit the model again (a workflow rerun of train_rbm), "
                "or sample with sample_start 'random'"
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
        self.rbm = RBM(
            weights.copy(),
            visible_bias.copy(),
            hidden_bias.copy(),
            n_sites,
            self.params["hidden_activation"],
        )
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
        return {k: v.copy() for k, v in self.velocity.items()}

    def set_optimizer_state(self, state):
        self.velocity = {}
        if self.rbm is None:
            return
        expected = {}
        if self.params["momentum"] > 0:
            expected = {
                "velocity_weights": self.rbm.weights.shape,
                "velocity_visible_bias": self.rbm.visible_bias.shape,
                "velocity_hidden_bias": self.rbm.hidden_bias.shape,
            }
            if not any(k in state for k in expected):  # e.g. a checkpoint written with momentum 0
                state = dict(state) | {
                    k: np.zeros(shape, dtype=np.float32) for k, shape in expected.items()
                }
        if self.params["centering"]:
            expected |= {
                "visible_offset": self.rbm.visible_bias.shape,
                "hidden_offset": self.rbm.hidden_bias.shape,
            }
        for key, shape in expected.items():
            if key not in state or np.shape(state[key]) != shape:
                raise GenosynthError(f"rbm optimizer state '{key}' must have shape {shape}")
        self.velocity = {k: np.asarray(state[k], dtype=np.float32).copy() for k in expected}
