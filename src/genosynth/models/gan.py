"""The generative adversarial network (GAN) of Yelmen et al. (2021), ``"gan"``.

The networks are defined in :mod:`genosynth.models.gan_network`; this module
holds the training loop, sampling and the :class:`GANModel` interface.
TensorFlow is imported lazily (on the first fit, sample or state restore), so
``import genosynth.models`` stays fast.

Training arithmetic (the paper's Keras ``train_on_batch`` loop)
-----------------------------------------------------------------
* **Data.** The ``{0, 1}`` haplotypes are mapped once per fit to
  ``x = h - u`` with ``u ~ U(0, input_noise)`` drawn per element (default
  ``input_noise = 0.1``), so the discriminator sees real values in
  ``(-0.1, 1]`` next to the generator's ``tanh`` outputs in ``(-1, 1)``. The
  noise is fixed for the whole fit (as in the paper, which subtracts it once
  after loading) and is drawn from ``numpy.random.default_rng([seed, 2])``.
* **Epoch.** Each epoch shuffles the haplotypes and visits
  ``n_batches = n // b`` batches of ``b = min(batch_size, n)`` rows (the last
  partial batch is dropped, as in the paper). For every batch:

  1. ``z ~ N(0, 1)``, shape ``(b, latent_size)``; ``fake = G(z)``.
  2. Discriminator, ``d_update="separate"`` (the paper: two
     ``train_on_batch`` calls, i.e. two Adam steps): one step on the real
     batch with smoothed targets ``1 - s``, ``s ~ U(0, real_label_noise)``
     per row (targets in ``(0.9, 1]``), then one step on ``fake`` with
     targets 0. ``d_update="joint"``: one step on the concatenated
     ``2b`` rows instead. The loss is binary cross-entropy (batch mean) plus
     the discriminator's L2 penalties.
  3. Generator (discriminator frozen): one Adam step on the same ``z`` with
     targets 1, loss BCE of ``D(G(z))`` plus the generator's L2 penalties.
     ``G(z)`` is unchanged by step 2, so the value computed in step 1 is
     reused; this is the same arithmetic as the paper's separate
     ``predict_on_batch`` and combined-model calls.

  The reported ``d_loss`` is the mean over batches of the mean of the real
  and fake losses (``"joint"``: of the joint loss), ``g_loss`` the mean
  generator loss, both including the L2 terms, as Keras reports them.
* **Compiled epoch.** One :func:`tf.function` draws the epoch's random
  numbers (permutation, latent vectors, label-smoothing noise) from a seeded
  :class:`tf.random.Generator` (Philox); a second one, XLA-compiled when
  ``jit_compile`` is true, runs all batches in a graph ``while`` loop with
  explicit :class:`tf.GradientTape` steps and two Keras Adam optimizers
  (``d_lr``, ``g_lr``). The per-step arithmetic equals the paper-style loop
  of ``bench/bench_gan.py`` (``reference_epoch``): without XLA the weights
  after an epoch are identical to it, with XLA equal to about 1e-7
  (``tests/unit/test_gan.py``). The kernels' L2 penalties are
  :class:`~genosynth.models.gan_network.L2Penalty`: Keras's ``L2`` gradient
  bit for bit, its value summed in one pass (under XLA on the CPU, Keras's
  sum took a fifth of the epoch).
* **Sampling.** ``z`` from ``numpy.random.default_rng(seed)`` (float32),
  ``G(z)`` in batches of ``sample_batch_size``, negative values set to 0,
  then rounded (:func:`numpy.rint`) to ``{0, 1}``.

Choices where the description leaves room: the label-smoothing noise is
drawn per row; the data are reshuffled every epoch; the input noise is drawn
once per fit; the two discriminator steps per batch (``"separate"``) are the
default, ``"joint"`` is the alternative reading. On tiny toy data the
unconditional GAN tends to collapse onto the majority haplotype type within a
few hundred steps (it learns valid haplotypes, not the mixture weights); the
conditional GAN learns each class's type.

Wasserstein loss and Bernoulli output (beyond the paper)
--------------------------------------------------------
The paper's GAN rounds ``tanh`` outputs, so every AG is a deterministic
function of its latent vector: to make sites vary independently (as the
differentiated, weakly linked SNPs of the 805-SNP data do) the generator must
tie them to latent directions, and its AGs cluster. On the real 805-SNP data
(300 epochs; also after the paper's 20,000 on a GPU) each AG lay nearer
another AG than any real genome (AA_syn 0.99-1.0). Two options, each a
parameter, address this; the defaults remain the paper's.

* ``output="bernoulli"``: the generator's output layer is linear, giving the
  log-odds of allele 1 per site; an AG is a Bernoulli draw of them
  (:meth:`GANModel.sample`). In training the discriminator sees the
  binary-concrete relaxation of that draw (:func:`relaxed_bernoulli`, at
  ``temperature``), which lets gradients reach the log-odds. The relaxed values
  lie in ``(0, 1)``: set ``input_noise`` 0 so that the real rows are ``{0, 1}``.
  Each relaxation's uniform draws come from stateless seeds drawn per batch
  with the epoch's other noise.
  ``readout="quantile"`` replaces the draw by rounding: at every site the
  ``floor(sum p + 1/2)`` AGs of the :meth:`GANModel.sample` call with the
  highest log-odds carry allele 1 (per class of a conditional model), so the
  AGs keep the expected allele counts without per-site noise, which breaks up
  the long shared haplotypes XP-EHH integrates. On the real ``scan`` set
  (2,000 SNPs, the GAN of ``config/real_scan.yaml`` at epoch 700, 1,004 AGs)
  the draws at ``beta`` 2 gave XP-EHH r 0.903 with the real scan, rounding
  every site at 1/2 0.916 with 232 SNPs fixed, the quantile readout 0.936 with
  19 fixed (privacy loss 0.008, 0.038 and 0.018).
* ``loss="wgan_gp"`` (Gulrajani et al. 2017; the loss of Yelmen et al. 2023):
  the discriminator is a critic with a linear output trained on
  ``mean D(fake) - mean D(real) + gp_weight * gradient_penalty`` (the penalty
  at random points between each real row and a generated one,
  :func:`gradient_penalty`), one Adam step (``d_lr``) per batch; after every
  ``n_critic``-th batch, counted across epochs so that resumed runs keep the
  schedule, the generator takes one Adam step (``g_lr``) on
  ``-mean D(G(z'))`` with fresh latent vectors ``z'`` and the batch's labels.
  ``real_label_noise`` and ``d_update`` are unused. ``d_loss`` is the mean
  critic loss of the epoch, ``g_loss`` the mean generator loss (NaN in an
  epoch with no generator step).
* ``pack=k`` with ``loss="wgan_gp"`` (PacGAN, Lin et al. 2018): the critic
  scores ``k`` consecutive rows of a batch laid end to end (input ``k (L +
  K)`` wide, hidden widths unchanged), all real or all generated, so that it
  can tell a batch of AGs more alike than real haplotypes from a real one;
  the penalty's gradient norm runs over each group of ``k`` rows. Batches
  hold whole groups (``k`` divides ``batch_size``). On the real ``scan`` set
  ``pack`` 2 did not make the AGs more varied (AA_syn 0.98 at epoch 400-600,
  XP-EHH r 0.895-0.909; see ``config/real_scan.yaml``).
* ``critic_select=k`` (any loss and output; a sampling setting): each AG is
  the best of ``k`` candidates (``k`` latent vectors, each read out as
  ``readout`` makes alleles) as the trained discriminator scores them, in the
  spirit of discriminator rejection sampling (Azadi et al. 2019) but with a
  fixed budget of ``k`` generator passes per AG. The critic keeps learning
  what tells real haplotypes from generated ones after the generator's steps
  have become small: on the real ``scan`` set it still scores held-out real
  haplotypes 8.3 and AGs 1.4-2.4 at epoch 1000. The quantile readout scores
  each batch's candidates rounded together, then rounds the kept log-odds of
  all AGs. With ``k`` 2 the GAN of ``config/real_scan.yaml`` gave XP-EHH r
  0.957-0.961 over AG seeds 7-10 (0.947-0.960 without) at privacy loss
  0.020-0.046; ``k`` 4 0.959-0.966 at 0.046-0.084.

Conditional GAN
---------------
With ``fit(..., labels=y)`` (non-negative integer class ids, ``K = max(y) +
1`` classes) the one-hot label, multiplied by ``label_scale``
(:func:`label_inputs`), is concatenated to the generator's latent input and
to the discriminator's input. Fake rows of a batch carry the real rows'
labels. The scale matters: a plain one-hot (``label_scale = 1``) adds inputs
of norm 1 next to a latent vector of norm about ``sqrt(600)`` and 805 allele
inputs, and on the demo's ``wide`` data (three populations, 450 training
haplotypes, 1,000 epochs) both networks ignored it: the AGs swung between
populations (AFR share 0.00 to 1.00 from one 200-epoch evaluation to the
next, against 1/3 in training). At ``label_scale = 10`` the shares stayed
within 0.02 of 1/3 at every 100-epoch evaluation from epoch 100 on (two
training seeds), and on the real 805-SNP data all five super-populations
were present from epoch 50; at 25 the discriminator won outright
(generator loss about 11, every AG nearer to real haplotypes than to each
other). The value suits the paper's sizes (latent 600, hundreds of SNPs or
more); much smaller networks want less: on a 20-SNP toy with latent 16, 1 to
4 worked and 10 lost one class.

``sample(n, seed=..., labels=k)`` generates class ``k`` (an int, or one id
per row); ``labels=None`` draws the classes from the training proportions,
stored in the state as ``label_proportions``.

Determinism and threads
-----------------------
The same ``seed`` gives identical weights and AGs on CPU for a fixed
TensorFlow thread configuration: all randomness comes from the seed (weights
are Glorot-uniform from ``numpy.random.default_rng([seed, 1])``, biases 0;
training noise from ``tf.random.Generator.from_seed(seed)``), nothing is
seeded globally, and :func:`tf.config.experimental.enable_op_determinism`
is not needed (the CPU kernels used are deterministic). The ``threads``
parameter sets TensorFlow's intra-op thread count (inter-op: 1) before
TensorFlow initialises; once TensorFlow is initialised in the process these
cannot change any more, and a differing request only logs a warning (set
``TF_NUM_INTRAOP_THREADS`` in the environment, or fit the first GAN of the
process with the wanted ``threads``). Results can differ between thread
counts in the last float bits.

Checkpoints and resuming
------------------------
``rng_state`` holds the fit seed, the TF generator's algorithm and state (a
list of ints) and a SHA-256 fingerprint of the training data and labels;
:meth:`GANModel.get_optimizer_state` holds both optimizers' ``iterations``,
first and second moments. ``fit(..., checkpoint_path=p)`` saves ``p``
atomically every ``checkpoint_every`` epochs and at the end, and, when ``p``
exists and ``resume`` is true, continues from it: training to ``N`` epochs
from a checkpoint taken after epoch ``k`` gives the same weights as an
uninterrupted run to ``N``.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import time
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from genosynth.errors import GenosynthError
from genosynth.models.base import (
    HaplotypeModel,
    as_generator,
    check_haplotypes,
    check_n_samples,
    count_preserving_round,
    geometric_anneal,
    is_finite_number,
    is_integer,
    one_hot,
    read_checkpoint_meta,
    register_model,
)

__all__ = [
    "GANModel",
    "configure_threads",
    "gradient_penalty",
    "label_inputs",
    "noisy_inputs",
    "relaxed_bernoulli",
]

logger = logging.getLogger("genosynth.models.gan")

#: Parameters only sampling reads (:attr:`GANModel.sampling_params`): the draws' inverse
#: temperature, readout, critic selection and batch rows (each batch draws its latent vectors,
#: then its alleles).
SAMPLING_PARAMS = frozenset({"sample_batch_size", "beta", "readout", "critic_select"})
#: Parameters that may differ between a checkpoint and the model resuming it.
RUN_CONTROL_PARAMS = frozenset({"epochs", "log_every", "threads"}) | SAMPLING_PARAMS

_D_UPDATES = ("separate", "joint")
_LOSSES = ("bce", "wgan_gp")
_OUTPUTS = ("tanh", "bernoulli")
_READOUTS = ("sample", "quantile")

#: Bounds of the uniform draws of the relaxed Bernoulli output (keep log(u), log(1 - u) finite).
_U_MIN = 1e-7


def _seed_int(seed: int | np.random.Generator) -> int:
    """A non-negative integer seed from an int or a numpy Generator (one draw)."""
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, 2**63 - 1))
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise GenosynthError(
            f"seed must be a non-negative integer or a numpy Generator, got {seed!r}"
        )
    return int(seed)


def _tf():
    import tensorflow as tf

    return tf


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
    tf = _tf()
    cfg = tf.config.threading
    if (
        cfg.get_intra_op_parallelism_threads() == threads
        and cfg.get_inter_op_parallelism_threads() == 1
    ):
        return True
    try:
        cfg.set_intra_op_parallelism_threads(threads)
        cfg.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        logger.warning(
            "cannot set TensorFlow to %d intra-op threads: TensorFlow is already initialised "
            "in this process (intra=%d, inter=%d); set TF_NUM_INTRAOP_THREADS or fit the first "
            "GAN of the process with the wanted threads",
            threads,
            cfg.get_intra_op_parallelism_threads(),
            cfg.get_inter_op_parallelism_threads(),
        )
        return False
    return True


def _fingerprint(h: np.ndarray, labels: np.ndarray | None) -> str:
    digest = hashlib.sha256()
    digest.update(repr(h.shape).encode())
    digest.update(np.ascontiguousarray(h, dtype=np.int8).tobytes())
    if labels is not None:
        digest.update(b"labels")
        digest.update(np.ascontiguousarray(labels, dtype=np.int64).tobytes())
    return digest.hexdigest()


def noisy_inputs(haplotypes: np.ndarray, seed: int, input_noise: float) -> np.ndarray:
    """The discriminator's real inputs: ``h - U(0, input_noise)``, fixed for a fit.

    Parameters
    ----------
    haplotypes : numpy.ndarray, int8, shape (n_haplotypes, n_sites)
        Values in {0, 1}.
    seed : int
        The fit's integer seed; the noise comes from ``default_rng([seed, 2])``.
    input_noise : float
        Upper bound of the subtracted uniform noise.

    Returns
    -------
    numpy.ndarray, float32, shape (n_haplotypes, n_sites)
        Values in ``(-input_noise, 1]``.
    """
    noise = np.random.default_rng([seed, 2]).uniform(0.0, input_noise, size=haplotypes.shape)
    return (haplotypes - noise).astype(np.float32)


def label_inputs(labels: np.ndarray, n_classes: int, scale: float) -> np.ndarray:
    """The label columns a conditional GAN appends to its inputs.

    Parameters
    ----------
    labels : numpy.ndarray, int, shape (n,)
        Class ids in ``[0, n_classes)``.
    n_classes : int
        Number of classes ``K``.
    scale : float
        Value of the set entry (``label_scale``).

    Returns
    -------
    numpy.ndarray, float32, shape (n, n_classes)
        ``scale`` at ``[i, labels[i]]``, 0 elsewhere.
    """
    return one_hot(labels, n_classes, value=scale, dtype=np.float32)


def relaxed_bernoulli(logits, u, temperature: float):
    """The binary-concrete relaxation of ``Bernoulli(sigmoid(logits))`` (Maddison et al. 2017).

    ``sigmoid((logits + log(u) - log(1 - u)) / temperature)``: the logistic
    noise ``log(u) - log(1 - u)`` makes ``logits + noise > 0`` a Bernoulli draw
    with probability ``sigmoid(logits)``: the relaxed value exceeds 1/2 exactly
    when ``1 - u < sigmoid(logits)``, the event :meth:`GANModel.sample` draws
    for an allele 1. The temperature sets how near 0 or 1 the value lies, and
    gradients flow to ``logits``.

    Parameters
    ----------
    logits : tf.Tensor, float32, shape (batch, n_sites)
        Log-odds of allele 1.
    u : tf.Tensor, float32, same shape
        Uniform draws in ``(0, 1)``.
    temperature : float
        Greater than 0; towards 0 the values approach the hard draw.

    Returns
    -------
    tf.Tensor, float32, shape (batch, n_sites)
        Values in ``(0, 1)``.
    """
    tf = _tf()
    noise = tf.math.log(u) - tf.math.log1p(-u)
    return tf.sigmoid((logits + noise) / temperature)


def gradient_penalty(critic: Callable, x_hat):
    """WGAN-GP's penalty ``mean_i (||grad_x critic(x_hat_i)||_2 - 1) ** 2``.

    The norm runs over every axis but the batch axis. The haplotype GAN calls
    it with a critic that appends a conditional model's fixed label columns,
    so that only the allele inputs count; the DNA WGAN
    (:mod:`genosynth.dna.wgan`) with its one-hot sequences.

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
    tf = _tf()
    with tf.GradientTape() as tape:
        tape.watch(x_hat)
        out = critic(x_hat)
    grads = tape.gradient(out, x_hat)
    axes = list(range(1, grads.shape.rank))
    norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=axes) + 1e-12)
    return tf.reduce_mean(tf.square(norms - 1.0))


def _glorot_uniform(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    limit = math.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(-limit, limit, size=shape).astype(np.float32)


@register_model
class GANModel(HaplotypeModel):
    """Yelmen et al. (2021) GAN, optionally class-conditional (see the module notes).

    Parameters
    ----------
    latent_size : int, default 600
        Width of the N(0, 1) latent vector.
    g_hidden_divisors : list of float, default [1.2, 1.1]
        Generator hidden widths ``round(L / d)``.
    d_hidden_divisors : list of float, default [2, 3]
        Discriminator hidden widths ``round(L / d)``.
    leaky_alpha : float, default 0.01
        LeakyReLU negative slope of the hidden layers.
    l2 : float, default 1e-4
        L2 kernel regularisation of the hidden layers.
    d_lr, g_lr : float, default 8e-4, 1e-4
        Adam learning rates of the discriminator and of the combined
        (generator) model. The paper used 8e-5 and 1e-5 for genotype data.
    lr_final_factor : float or None, default None
        Anneal both rates geometrically after epoch ``lr_anneal_start``: epoch
        ``e`` (1-based) trains at ``rate * lr_final_factor ** t``, ``t =
        clip((e - 1 - lr_anneal_start) / (epochs - 1 - lr_anneal_start), 0,
        1)``, so epoch ``epochs`` (and any after it) at ``rate *
        lr_final_factor``; None: constant rates (the paper).
    lr_anneal_start : int, default 0
        Epochs trained at the full rates before annealing starts.
    adam_beta_1, adam_beta_2, adam_epsilon : float, default 0.9, 0.999, 1e-7
        Adam constants (Keras defaults, as in the paper).
    batch_size : int, default 32
        Rows per batch (``min(batch_size, n)`` on smaller data).
    real_label_noise : float, default 0.1
        Real targets are ``1 - U(0, real_label_noise)``.
    input_noise : float, default 0.1
        Real inputs are ``h - U(0, input_noise)``.
    d_update : {"separate", "joint"}, default "separate"
        Two discriminator steps per batch (real, then fake; the paper) or
        one step on both.
    epochs : int, default 20000
        Epochs trained by :meth:`fit` (overridable per call).
    log_every : int, default 100
        Progress is logged every this many epochs (0: never).
    sample_batch_size : int, default 4096
        Rows generated per batch by :meth:`sample`.
    threads : int or None, default None
        TensorFlow intra-op threads (see :func:`configure_threads`).
    jit_compile : bool, default True
        XLA-compile the per-epoch batch loop.
    label_scale : float, default 10
        Conditional models: the one-hot label inputs are multiplied by this
        (see the module notes; chosen at the paper's sizes).
    loss : {"bce", "wgan_gp"}, default "bce"
        The paper's binary cross-entropy game, or the Wasserstein loss with
        gradient penalty (Gulrajani et al. 2017; Yelmen et al. 2023): a
        linear-output critic trained ``n_critic`` steps per generator step
        (see the module notes).
    output : {"tanh", "bernoulli"}, default "tanh"
        The paper's ``tanh`` outputs rounded to alleles, or a Bernoulli
        output: the generator gives each site's log-odds, AGs are Bernoulli
        draws of them and training feeds the discriminator their relaxation
        at ``temperature`` (see the module notes).
    temperature : float, default 0.2
        Relaxation temperature of the Bernoulli output in training.
    n_critic : int, default 5
        ``loss="wgan_gp"``: critic steps (batches) per generator step.
    gp_weight : float, default 10
        ``loss="wgan_gp"``: weight of the gradient penalty.
    pack : int, default 1
        ``loss="wgan_gp"``: the critic scores ``pack`` rows at once (PacGAN,
        Lin et al. 2018), all real or all generated, so that it can see how
        alike a batch's AGs are; must divide ``batch_size``.
    beta : float, default 1
        ``output="bernoulli"``: AGs are drawn at ``sigmoid(beta * logits)``;
        above 1 the draws are sharper (AGs nearer each other and the real
        genomes), below 1 noisier. A sampling setting, set after training by
        the ``calibrate_beta`` training control (:mod:`genosynth.training`).
    readout : {"sample", "quantile"}, default "sample"
        ``output="bernoulli"``: how log-odds become alleles. ``"sample"``
        draws each site at ``sigmoid(beta * logits)``; ``"quantile"`` rounds
        them without noise, keeping each site's expected allele count over the
        AGs of one :meth:`sample` call (within each class of a conditional
        model; :func:`~genosynth.models.base.count_preserving_round`, as the
        RBM's ``readout``). A sampling setting (see the module notes).
    critic_select : int, default 1
        Each AG is the best of this many candidates, as the trained
        discriminator (critic) scores their alleles (see the module notes;
        1: no selection). Each sample batch generates ``sample_batch_size *
        critic_select`` rows. A sampling setting; not with ``pack`` > 1.

    Attributes
    ----------
    n_classes : int
        0 for an unconditional model, else the number of classes.
    label_proportions : numpy.ndarray or None
        float64 ``(n_classes,)`` training class proportions (conditional only).
    """

    name = "gan"
    accepts_labels = True
    sampling_params = SAMPLING_PARAMS
    defaults = {
        "latent_size": 600,
        "g_hidden_divisors": [1.2, 1.1],
        "d_hidden_divisors": [2.0, 3.0],
        "leaky_alpha": 0.01,
        "l2": 1e-4,
        "d_lr": 8e-4,
        "g_lr": 1e-4,
        "adam_beta_1": 0.9,
        "adam_beta_2": 0.999,
        "adam_epsilon": 1e-7,
        "batch_size": 32,
        "real_label_noise": 0.1,
        "input_noise": 0.1,
        "d_update": "separate",
        "epochs": 20000,
        "log_every": 100,
        "sample_batch_size": 4096,
        "threads": None,
        "jit_compile": True,
        "label_scale": 10.0,
        "loss": "bce",
        "output": "tanh",
        "temperature": 0.2,
        "n_critic": 5,
        "gp_weight": 10.0,
        "pack": 1,
        "beta": 1.0,
        "readout": "sample",
        "critic_select": 1,
        "lr_final_factor": None,
        "lr_anneal_start": 0,
    }
    # Conditional checkpoints written before label_scale existed fed a plain one-hot.
    legacy_params: ClassVar[dict[str, Any]] = {"label_scale": 1.0}

    def __init__(self, **params):
        super().__init__(**params)
        self.params = self._validated(self.params)
        self.n_classes = 0
        self.label_proportions: np.ndarray | None = None
        self._generator = None
        self._discriminator = None
        self._d_opt = None
        self._g_opt = None
        self._rng = None
        self._noise_fn = None
        self._batches_fn = None
        self._fn_n: int | None = None

    # --- parameters -------------------------------------------------------------
    @classmethod
    def _validated(cls, p: dict[str, Any]) -> dict[str, Any]:
        def bad(key, want):
            raise GenosynthError(f"gan parameter '{key}' must be {want}, got {p[key]!r}")

        out = dict(p)
        for key in (
            "latent_size",
            "batch_size",
            "epochs",
            "sample_batch_size",
            "n_critic",
            "pack",
            "critic_select",
        ):
            if not is_integer(p[key]) or p[key] < (0 if key == "epochs" else 1):
                bad(key, "a positive integer" if key != "epochs" else "an integer >= 0")
            out[key] = int(p[key])
        if not is_integer(p["log_every"]) or p["log_every"] < 0:
            bad("log_every", "an integer >= 0")
        out["log_every"] = int(p["log_every"])
        for key in ("g_hidden_divisors", "d_hidden_divisors"):
            v = p[key]
            if (
                not isinstance(v, list | tuple)
                or not v
                or not all(is_finite_number(d) and d > 0 for d in v)
            ):
                bad(key, "a non-empty list of positive numbers")
            out[key] = [float(d) for d in v]
        for key in ("d_lr", "g_lr", "adam_epsilon", "label_scale", "temperature", "beta"):
            if not is_finite_number(p[key]) or not p[key] > 0:
                bad(key, "a positive number")
            out[key] = float(p[key])
        for key in ("adam_beta_1", "adam_beta_2"):
            if not is_finite_number(p[key]) or not 0 <= p[key] < 1:
                bad(key, "a number in [0, 1)")
            out[key] = float(p[key])
        for key in ("leaky_alpha", "l2", "gp_weight"):
            if not is_finite_number(p[key]) or p[key] < 0:
                bad(key, "a number >= 0")
            out[key] = float(p[key])
        for key in ("real_label_noise", "input_noise"):
            if not is_finite_number(p[key]) or not 0 <= p[key] < 1:
                bad(key, "a number in [0, 1)")
            out[key] = float(p[key])
        for key, choices in (
            ("d_update", _D_UPDATES),
            ("loss", _LOSSES),
            ("output", _OUTPUTS),
            ("readout", _READOUTS),
        ):
            if p[key] not in choices:
                bad(key, f"one of {list(choices)}")
        if p["readout"] == "quantile" and p["output"] != "bernoulli":
            bad("readout", "'sample' unless output is bernoulli (quantile rounds log-odds)")
        if out["pack"] > 1 and p["loss"] != "wgan_gp":
            bad("pack", "1 unless loss is wgan_gp (packing applies to the critic)")
        if out["pack"] > 1 and out["critic_select"] > 1:
            bad("critic_select", "1 when pack > 1 (a packed critic scores groups, not single AGs)")
        if out["batch_size"] % out["pack"]:
            bad("pack", f"a divisor of batch_size ({out['batch_size']})")
        factor = p["lr_final_factor"]
        if factor is not None and (not is_finite_number(factor) or not 0 < factor <= 1):
            bad("lr_final_factor", "null or a number in (0, 1]")
        out["lr_final_factor"] = None if factor is None else float(factor)
        if not is_integer(p["lr_anneal_start"]) or p["lr_anneal_start"] < 0:
            bad("lr_anneal_start", "an integer >= 0")
        out["lr_anneal_start"] = int(p["lr_anneal_start"])
        if p["threads"] is not None and (not is_integer(p["threads"]) or p["threads"] < 1):
            bad("threads", "None or a positive integer")
        out["threads"] = None if p["threads"] is None else int(p["threads"])
        if not isinstance(p["jit_compile"], bool):
            bad("jit_compile", "true or false")
        return out

    @property
    def samples_at_beta(self) -> bool:
        """Whether ``beta`` acts: only on the Bernoulli output's draws."""
        return self.params["output"] == "bernoulli"

    @property
    def conditional(self) -> bool:
        """Whether the model was trained with class labels."""
        return self.n_classes > 0

    # --- networks ---------------------------------------------------------------
    def _build(self, n_sites: int, n_classes: int) -> None:
        """Create the networks, optimizers and compiled functions for this shape."""
        configure_threads(self.params["threads"])
        import keras

        from genosynth.models.gan_network import build_discriminator, build_generator

        p = self.params
        self._generator = build_generator(
            n_sites,
            p["latent_size"],
            n_classes=n_classes,
            divisors=p["g_hidden_divisors"],
            alpha=p["leaky_alpha"],
            l2=p["l2"],
            output="logits" if p["output"] == "bernoulli" else "tanh",
        )
        self._discriminator = build_discriminator(
            n_sites,
            n_classes=n_classes,
            pack=p["pack"],
            divisors=p["d_hidden_divisors"],
            alpha=p["leaky_alpha"],
            l2=p["l2"],
            output="linear" if p["loss"] == "wgan_gp" else "sigmoid",
        )

        def adam(lr, name):
            return keras.optimizers.Adam(
                learning_rate=lr,
                beta_1=p["adam_beta_1"],
                beta_2=p["adam_beta_2"],
                epsilon=p["adam_epsilon"],
                name=name,
            )

        self._d_opt = adam(p["d_lr"], "d_adam")
        self._g_opt = adam(p["g_lr"], "g_adam")
        self._d_opt.build(self._discriminator.trainable_variables)
        self._g_opt.build(self._generator.trainable_variables)
        self.n_sites = n_sites
        self.n_classes = n_classes
        self._rng = None
        self._noise_fn = None
        self._batches_fn = None

    def _init_weights(self, seed: int) -> None:
        """Glorot-uniform kernels, zero biases, from ``default_rng([seed, 1])``."""
        rng = np.random.default_rng([seed, 1])
        for net in (self._generator, self._discriminator):
            for w in net.weights:
                if len(w.shape) == 2:
                    w.assign(_glorot_uniform(rng, tuple(w.shape)))
                else:
                    w.assign(np.zeros(w.shape, dtype=np.float32))

    def _named_weights(self) -> dict:
        from genosynth.models.gan_network import named_weights

        return named_weights(self._generator) | named_weights(self._discriminator)

    def _slots(self) -> dict:
        """Optimizer variables keyed as in :meth:`get_optimizer_state`."""
        from genosynth.models.gan_network import adam_slot_variables, named_weights

        out = {}
        for prefix, opt, net in (
            ("d_optimizer", self._d_opt, self._discriminator),
            ("g_optimizer", self._g_opt, self._generator),
        ):
            out |= adam_slot_variables(opt, named_weights(net), prefix)
        return out

    # --- compiled training ------------------------------------------------------
    def _batch_shape(self, n: int) -> tuple[int, int]:
        pack = self.params["pack"]
        b = min(self.params["batch_size"], n) // pack * pack
        if b == 0:
            raise GenosynthError(f"gan: {n} training haplotypes cannot fill one pack of {pack}")
        return b, n // b

    def _make_functions(self, n: int) -> None:
        tf = _tf()
        import keras

        p = self.params
        gen, G, D = self._rng, self._generator, self._discriminator
        d_opt, g_opt = self._d_opt, self._g_opt
        d_vars, g_vars = D.trainable_variables, G.trainable_variables
        b, n_batches = self._batch_shape(n)
        latent, label_noise = p["latent_size"], p["real_label_noise"]
        conditional, joint = self.conditional, p["d_update"] == "joint"
        wgan, bernoulli = p["loss"] == "wgan_gp", p["output"] == "bernoulli"
        n_critic, gp_weight, temperature = p["n_critic"], p["gp_weight"], p["temperature"]
        pack = p["pack"]

        @tf.function
        def draw_noise():
            perm = tf.argsort(gen.uniform([n]), stable=True)
            z = gen.normal([n_batches, b, latent])
            smooth = gen.uniform([n_batches, b, 1], 0.0, label_noise)
            extra = {}
            if wgan:  # drawn after the paper's three, which keep their values
                extra["interpolation"] = gen.uniform([n_batches, b, 1])
                extra["generator_latent"] = gen.normal([n_batches, b, latent])
            if bernoulli:
                extra["relaxation_seeds"] = gen.uniform_full_int([n_batches, 2, 2], tf.int32)
            return perm, z, smooth, extra

        def with_labels(values, onehot):
            return tf.concat([values, onehot], axis=1) if conditional else values

        def generate(z, onehot, seed):
            """Training output of G: tanh values, or the relaxed Bernoulli draw."""
            out = G(with_labels(z, onehot), training=True)
            if not bernoulli:
                return out
            u = tf.random.stateless_uniform(tf.shape(out), seed, _U_MIN, 1.0 - _U_MIN)
            return relaxed_bernoulli(out, u, temperature)

        def bce(target, prob):
            return tf.reduce_mean(keras.losses.binary_crossentropy(target, prob))

        def d_step(inputs, target):
            with tf.GradientTape() as tape:
                loss = bce(target, D(inputs, training=True)) + tf.add_n(D.losses)
            d_opt.apply_gradients(zip(tape.gradient(loss, d_vars), d_vars, strict=True))
            return loss

        def step(real, onehot, z, smooth, seed):
            with tf.GradientTape() as g_tape:
                fake = generate(z, onehot, seed)
                d_fake_in = with_labels(fake, onehot)
                d_real_in = with_labels(real, onehot)
                frozen = tf.stop_gradient(d_fake_in)
                if joint:
                    both = tf.concat([d_real_in, frozen], axis=0)
                    d_loss = d_step(both, tf.concat([1.0 - smooth, tf.zeros_like(smooth)], 0))
                else:
                    d_real = d_step(d_real_in, 1.0 - smooth)
                    d_fake = d_step(frozen, tf.zeros_like(smooth))
                    d_loss = 0.5 * (d_real + d_fake)
                g_loss = bce(tf.ones_like(smooth), D(d_fake_in, training=True)) + tf.add_n(G.losses)
            g_opt.apply_gradients(zip(g_tape.gradient(g_loss, g_vars), g_vars, strict=True))
            return d_loss, g_loss

        def critic(values, onehot):
            """Scores of ``values`` (b, L): one per row, or per ``pack`` consecutive rows."""
            rows = with_labels(values, onehot)
            if pack > 1:
                rows = tf.reshape(rows, [-1, pack * rows.shape[-1]])
            return D(rows, training=True)

        def critic_step(real, onehot, z, mix, seed):
            fake = tf.stop_gradient(generate(z, onehot, seed))
            n_sites = real.shape[-1]
            with tf.GradientTape() as tape:
                # the penalty's gradient norm runs over each packed group of rows
                penalty = gradient_penalty(
                    lambda v: critic(tf.reshape(v, [-1, n_sites]), onehot),
                    tf.reshape(mix * real + (1.0 - mix) * fake, [-1, pack, n_sites]),
                )
                loss = (
                    tf.reduce_mean(critic(fake, onehot))
                    - tf.reduce_mean(critic(real, onehot))
                    + gp_weight * penalty
                    + tf.add_n(D.losses)
                )
            d_opt.apply_gradients(zip(tape.gradient(loss, d_vars), d_vars, strict=True))
            return loss

        def generator_step(onehot, z, seed):
            with tf.GradientTape() as tape:
                fake = generate(z, onehot, seed)
                score = critic(fake, onehot)
                loss = -tf.reduce_mean(score) + tf.add_n(G.losses)
            g_opt.apply_gradients(zip(tape.gradient(loss, g_vars), g_vars, strict=True))
            return loss

        @tf.function(jit_compile=p["jit_compile"])
        def run_batches(x, onehot, perm, z, smooth, extra, first_batch):
            d_sum = tf.constant(0.0)
            g_sum = tf.constant(0.0)
            g_steps = tf.constant(0.0)
            batches = tf.reshape(perm[: n_batches * b], [n_batches, b])
            for i in tf.range(n_batches):
                idx = batches[i]
                real = tf.gather(x, idx)
                oh = tf.gather(onehot, idx) if conditional else onehot
                seeds = extra["relaxation_seeds"][i] if bernoulli else [None, None]
                if wgan:
                    d_sum += critic_step(real, oh, z[i], extra["interpolation"][i], seeds[0])
                    if (first_batch + tf.cast(i, tf.int64) + 1) % n_critic == 0:
                        g_sum += generator_step(oh, extra["generator_latent"][i], seeds[1])
                        g_steps += 1.0
                else:
                    d_loss, g_loss = step(real, oh, z[i], smooth[i], seeds[0])
                    d_sum += d_loss
                    g_sum += g_loss
            # wgan_gp: the mean over this epoch's generator steps (NaN when it had none)
            return d_sum / n_batches, g_sum / (g_steps if wgan else n_batches)

        self._noise_fn = draw_noise
        self._batches_fn = run_batches
        self._fn_n = n

    def epoch_lr_factor(self, epoch: int) -> float:
        """Factor on ``d_lr`` and ``g_lr`` in 1-based ``epoch`` (see ``lr_final_factor``).

        The schedule spans the ``epochs`` parameter; later epochs keep the final
        factor, so a killed and resumed run follows the same schedule.
        """
        factor = self.params["lr_final_factor"]
        if factor is None:
            return 1.0
        return geometric_anneal(
            epoch,
            epochs=self.params["epochs"],
            final_factor=factor,
            start=self.params["lr_anneal_start"],
        )

    def _train_epoch(self, x, onehot) -> tuple[float, float]:
        if self.params["lr_final_factor"] is not None:
            factor = self.epoch_lr_factor(self.step + 1)
            self._d_opt.learning_rate.assign(self.params["d_lr"] * factor)
            self._g_opt.learning_rate.assign(self.params["g_lr"] * factor)
        perm, z, smooth, extra = self._noise_fn()
        first_batch = _tf().constant(self.step * self._batch_shape(self._fn_n)[1], "int64")
        d_loss, g_loss = self._batches_fn(x, onehot, perm, z, smooth, extra, first_batch)
        return float(d_loss), float(g_loss)

    def epoch_noise(self, n_haplotypes: int, *, advance: bool = False) -> dict[str, np.ndarray]:
        """The random numbers the next training epoch on ``n_haplotypes`` rows draws.

        Available between epochs of a fit (e.g. from its callback) and after it.

        Parameters
        ----------
        n_haplotypes : int
            Number of training haplotypes of the fit.
        advance : bool, default False
            Consume the draws (as an epoch would) instead of restoring the
            generator state afterwards.

        Returns
        -------
        dict of str to numpy.ndarray
            ``perm`` (int32, ``(n,)``): row order; ``latent`` (float32,
            ``(n_batches, b, latent_size)``); ``real_targets`` (float32,
            ``(n_batches, b, 1)``): the smoothed real labels ``1 - s``.
            ``loss="wgan_gp"`` adds ``interpolation`` (float32, ``(n_batches,
            b, 1)``: the gradient penalty's mixing weights) and
            ``generator_latent`` (float32, ``(n_batches, b, latent_size)``:
            the latent vectors of a generator step after batch ``i``);
            ``output="bernoulli"`` adds ``relaxation_seeds`` (int32,
            ``(n_batches, 2, 2)``: stateless seeds of the relaxation noise of
            the discriminator's and the generator's step of batch ``i``).
        """
        if self._rng is None or self._noise_fn is None or self._fn_n != n_haplotypes:
            raise GenosynthError("gan: epoch_noise needs a model fitted on n_haplotypes rows")
        saved = self._rng.state.numpy()
        perm, z, smooth, extra = self._noise_fn()
        if not advance:
            self._rng.reset(saved)
        return {
            "perm": perm.numpy(),
            "latent": z.numpy(),
            "real_targets": (1.0 - smooth).numpy(),
        } | {key: value.numpy() for key, value in extra.items()}

    # --- fitting ----------------------------------------------------------------
    def _check_labels(self, labels, n: int):
        if labels is None:
            return None, 0, None
        y = np.asarray(labels)
        if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer) or (y < 0).any():
            raise GenosynthError(
                f"gan labels must be non-negative integer class ids of shape ({n},), "
                f"got dtype {y.dtype} shape {y.shape}"
            )
        k = int(y.max()) + 1
        return y.astype(np.int64), k, np.bincount(y, minlength=k) / n

    def _rng_state_dict(self, seed: int, fingerprint: str) -> dict:
        return {
            "seed": seed,
            "algorithm": int(self._rng.algorithm),
            "tf_state": [int(v) for v in self._rng.state.numpy()],
            "data_sha256": fingerprint,
        }

    def _resume(self, path, fingerprint: str, n_sites: int, n_classes: int) -> int:
        """Load the checkpoint ``path`` into this model; return its seed."""
        meta = read_checkpoint_meta(path)
        if meta.get("model") != self.name:
            raise GenosynthError(f"{path}: checkpoint of model '{meta.get('model')}', not 'gan'")
        theirs = self._validated({**self.defaults, **self.saved_params(meta["params"])})
        differ = sorted(
            k for k in self.params if k not in RUN_CONTROL_PARAMS and theirs[k] != self.params[k]
        )
        if differ:
            raise GenosynthError(
                f"{path}: checkpoint parameters {differ} differ from this model's; resume with "
                "the same parameters or pass resume=False"
            )
        rng_state = meta["rng_state"] or {}
        if rng_state.get("data_sha256") != fingerprint:
            raise GenosynthError(
                f"{path}: checkpoint was trained on other data or labels; resume with the same "
                "training data or pass resume=False"
            )
        with np.load(path, allow_pickle=False) as z:
            state = {k[6:]: z[k] for k in z.files if k.startswith("state/")}
            optim = {k[10:]: z[k] for k in z.files if k.startswith("optimizer/")}
        self.set_state(state)
        if self.n_sites != n_sites or self.n_classes != n_classes:
            raise GenosynthError(
                f"{path}: checkpoint has {self.n_sites} sites and {self.n_classes} classes, "
                f"the data {n_sites} and {n_classes}"
            )
        self.set_optimizer_state(optim)
        self.step = int(meta["step"])
        tf = _tf()
        self._rng = tf.random.Generator.from_state(
            np.asarray(rng_state["tf_state"], dtype=np.int64), rng_state["algorithm"]
        )
        self.rng_state = rng_state
        logger.info("resuming gan from %s at epoch %d", path, self.step)
        return int(rng_state["seed"])

    def fit(
        self,
        haplotypes: np.ndarray,
        *,
        seed: int | np.random.Generator,
        labels: np.ndarray | None = None,
        epochs: int | None = None,
        callback: Callable[[int, dict[str, float]], bool | None] | None = None,
        checkpoint_path: str | os.PathLike | None = None,
        checkpoint_every: int = 0,
        resume: bool = True,
    ) -> GANModel:
        """Train the GAN (from scratch, or from ``checkpoint_path``).

        Parameters
        ----------
        haplotypes : array_like, int8, shape (n_haplotypes, n_sites)
            Training haplotypes, values in {0, 1}.
        seed : int or numpy.random.Generator
            Seeds the weights, the input noise and the training noise. Ignored
            when resuming (the checkpoint's seed and RNG state are used).
        labels : array_like of int, shape (n_haplotypes,), optional
            Class ids: train a conditional GAN.
        epochs : int, optional
            Total epochs to reach (default ``params["epochs"]``); when resuming,
            training continues from the checkpoint's epoch up to this.
        callback : callable, optional
            ``callback(epoch, logs)`` after every epoch, ``epoch`` the number of
            epochs done and ``logs`` ``{"d_loss": float, "g_loss": float}``;
            returning True stops training.
        checkpoint_path : str or os.PathLike, optional
            Checkpoint file (see :meth:`save`), written atomically every
            ``checkpoint_every`` epochs and when training ends.
        checkpoint_every : int, default 0
            Epochs between checkpoints (0: only at the end).
        resume : bool, default True
            Continue from ``checkpoint_path`` if it exists.

        Returns
        -------
        GANModel
            ``self``; ``step`` is the number of epochs done.
        """
        h = check_haplotypes(haplotypes)
        n, n_sites = h.shape
        y, n_classes, proportions = self._check_labels(labels, n)
        target = self.params["epochs"] if epochs is None else epochs
        if isinstance(target, bool) or not isinstance(target, int | np.integer) or target < 0:
            raise GenosynthError(f"gan epochs must be an integer >= 0, got {target!r}")
        if (
            isinstance(checkpoint_every, bool)
            or not isinstance(checkpoint_every, int | np.integer)
            or checkpoint_every < 0
        ):
            raise GenosynthError(
                f"checkpoint_every must be an integer >= 0, got {checkpoint_every!r}"
            )
        fingerprint = _fingerprint(h, y)
        configure_threads(self.params["threads"])
        tf = _tf()

        if checkpoint_path is not None and resume and os.path.exists(checkpoint_path):
            seed_int = self._resume(checkpoint_path, fingerprint, n_sites, n_classes)
        else:
            seed_int = _seed_int(seed)
            self._build(n_sites, n_classes)
            self._init_weights(seed_int)
            self.label_proportions = proportions
            self.step = 0
            self._rng = tf.random.Generator.from_seed(seed_int, alg="philox")
            self.rng_state = self._rng_state_dict(seed_int, fingerprint)

        x = tf.constant(noisy_inputs(h, seed_int, self.params["input_noise"]))
        if self.conditional:
            onehot = tf.constant(label_inputs(y, n_classes, self.params["label_scale"]))
        else:
            onehot = tf.zeros([n, 0], tf.float32)
        self._make_functions(n)

        log_every = self.params["log_every"]
        last_saved = self.step if checkpoint_path is not None else None
        start = time.perf_counter()
        start_step = self.step
        while self.step < target:
            d_loss, g_loss = self._train_epoch(x, onehot)
            self.step += 1
            logs = {"d_loss": d_loss, "g_loss": g_loss}
            if log_every and (self.step % log_every == 0 or self.step == target):
                rate = (time.perf_counter() - start) / (self.step - start_step)
                logger.info(
                    "gan epoch %d/%d d_loss=%.4f g_loss=%.4f (%.3g s/epoch)",
                    self.step,
                    target,
                    d_loss,
                    g_loss,
                    rate,
                )
            if (
                checkpoint_path is not None
                and checkpoint_every
                and (self.step % checkpoint_every == 0)
            ):
                self.rng_state = self._rng_state_dict(seed_int, fingerprint)
                self.save(checkpoint_path)
                last_saved = self.step
            if callback is not None and callback(self.step, logs):
                logger.info("gan training stopped by the callback at epoch %d", self.step)
                break
        self.rng_state = self._rng_state_dict(seed_int, fingerprint)
        if checkpoint_path is not None and last_saved != self.step:
            self.save(checkpoint_path)
        return self

    # --- sampling ---------------------------------------------------------------
    def sample(
        self,
        n: int,
        *,
        seed: int | np.random.Generator,
        labels: int | np.ndarray | None = None,
    ) -> np.ndarray:
        """Draw ``n`` artificial haplotypes.

        Parameters
        ----------
        n : int
            Number of AGs.
        seed : int or numpy.random.Generator
            Seeds the latent vectors (and the classes drawn when ``labels`` is
            None on a conditional model).
        labels : int or array_like of int, shape (n,), optional
            Classes to generate (conditional models only). ``None`` on a
            conditional model draws them from ``label_proportions``.

        Returns
        -------
        numpy.ndarray, int8, shape (n, n_sites)
            Values in {0, 1}.
        """
        self._require_fitted()
        n = check_n_samples(n)
        rng = as_generator(seed)
        k = self.n_classes
        if not self.conditional:
            if labels is not None:
                raise GenosynthError("gan: labels given but the model is not conditional")
            y = None
        elif labels is None:
            y = rng.choice(k, size=n, p=self.label_proportions)
        else:
            y = np.broadcast_to(np.asarray(labels), (n,)) if np.ndim(labels) == 0 else labels
            y = np.asarray(y)
            if (
                y.shape != (n,)
                or not np.issubdtype(y.dtype, np.integer)
                or (y < 0).any()
                or (y >= k).any()
            ):
                raise GenosynthError(
                    f"gan: labels must be an int or {n} ints in [0, {k}), got {labels!r}"
                )
        configure_threads(self.params["threads"])
        quantile = self.params["readout"] == "quantile"
        select = self.params["critic_select"]
        # "quantile" rounds the log-odds of all n AGs together at the end
        out = np.empty((n, self.n_sites), dtype=np.float32 if quantile else np.int8)
        rows = self.params["sample_batch_size"]
        for lo in range(0, n, rows):
            hi = min(n, lo + rows)
            # the candidates of AG i are rows i * select ... i * select + select - 1
            y_rows = None if y is None else np.repeat(y[lo:hi], select)
            kept, alleles = self._draw_rows((hi - lo) * select, rng, y_rows)
            if select > 1:
                kept = kept[self._best_candidates(alleles, y_rows, select)]
            out[lo:hi] = kept
        if quantile:
            return count_preserving_round(out, groups=y)
        return out

    def _draw_rows(self, m: int, rng: np.random.Generator, y: np.ndarray | None):
        """Generate ``m`` rows (classes ``y``): what :meth:`sample` keeps, and their alleles.

        Returns
        -------
        kept : numpy.ndarray, shape (m, n_sites)
            int8 alleles; float32 ``beta * log-odds`` for ``readout="quantile"``.
        alleles : numpy.ndarray or None, int8, shape (m, n_sites)
            The rows' alleles as the critic scores them (the quantile readout
            rounds the ``m`` rows together); None for the quantile readout
            without selection, which never scores them.
        """
        p = self.params
        z = rng.standard_normal((m, p["latent_size"]), dtype=np.float32)
        g = np.asarray(self._generator(self._with_label_inputs(z, y), training=False))
        if p["readout"] == "quantile":
            logits = p["beta"] * g
            selecting = p["critic_select"] > 1
            return logits, count_preserving_round(logits, groups=y) if selecting else None
        if p["output"] == "bernoulli":  # g: log-odds of allele 1
            from scipy.special import expit

            alleles = (rng.random(g.shape, dtype=np.float32) < expit(p["beta"] * g)).astype(np.int8)
        else:
            alleles = np.rint(np.maximum(g, 0.0)).astype(np.int8)
        return alleles, alleles

    def _best_candidates(self, alleles: np.ndarray, y: np.ndarray | None, k: int) -> np.ndarray:
        """Row of the best-scored candidate (the first on ties) of each run of ``k`` rows.

        Parameters
        ----------
        alleles : numpy.ndarray, int8, shape (n * k, n_sites)
            Candidates, ``k`` consecutive rows per AG.
        y : numpy.ndarray of int, shape (n * k,), or None
            Their classes (conditional models).
        k : int
            Candidates per AG.

        Returns
        -------
        numpy.ndarray, int64, shape (n,)
            Row indices into ``alleles``.
        """
        x = self._with_label_inputs(alleles.astype(np.float32), y)
        score = np.asarray(self._discriminator(x, training=False)).reshape(-1, k)
        return np.arange(len(score)) * k + score.argmax(1)

    def _with_label_inputs(self, values: np.ndarray, y: np.ndarray | None) -> np.ndarray:
        """``values`` (float32, ``(m, w)``) with the scaled one-hot inputs of classes ``y``
        appended (``(m, w + n_classes)``), as the networks take them; unchanged when ``y``
        is None."""
        if y is None:
            return values
        return np.concatenate(
            [values, label_inputs(y, self.n_classes, self.params["label_scale"])], 1
        )

    # --- state ------------------------------------------------------------------
    def get_state(self) -> dict[str, np.ndarray]:
        """All weights (float32) keyed ``"generator/<layer>/kernel"`` etc.

        Returns
        -------
        dict of str to numpy.ndarray
            Every generator and discriminator kernel ``(n_in, n_out)`` and
            bias ``(n_out,)``, float32; conditional models add
            ``label_proportions`` (float64, ``(n_classes,)``).
        """
        self._require_fitted()
        state = {k: np.array(w.numpy()) for k, w in self._named_weights().items()}
        if self.conditional:
            state["label_proportions"] = np.asarray(self.label_proportions, dtype=np.float64)
        return state

    def set_state(self, state: dict[str, np.ndarray]) -> None:
        """Restore :meth:`get_state` output, (re)building the networks to its shape."""
        try:
            n_sites = int(np.shape(state["generator/generator_output/bias"])[0])
            n_in = int(np.shape(state["generator/generator_hidden_1/kernel"])[0])
        except KeyError as exc:
            raise GenosynthError(f"gan state lacks {exc.args[0]!r}") from None
        props = state.get("label_proportions")
        n_classes = 0 if props is None else int(np.shape(props)[0])
        if n_in != self.params["latent_size"] + n_classes:
            raise GenosynthError(
                f"gan state: generator input {n_in} != latent_size "
                f"{self.params['latent_size']} + {n_classes} classes"
            )
        if self._generator is None or (self.n_sites, self.n_classes) != (n_sites, n_classes):
            self._build(n_sites, n_classes)
        weights = self._named_weights()
        missing = sorted(set(weights) - set(state))
        if missing:
            raise GenosynthError(f"gan state lacks {missing}")
        for key, w in weights.items():
            value = np.asarray(state[key], dtype=np.float32)
            if value.shape != tuple(w.shape):
                raise GenosynthError(
                    f"gan state '{key}' has shape {value.shape}, expected {tuple(w.shape)}"
                )
            w.assign(value)
        self.label_proportions = None if props is None else np.asarray(props, dtype=np.float64)
        self.n_sites = n_sites

    def get_optimizer_state(self) -> dict[str, np.ndarray]:
        """Both Adam optimizers' variables, so that resumed training continues exactly.

        Returns
        -------
        dict of str to numpy.ndarray
            ``"d_optimizer/iterations"`` and ``"g_optimizer/iterations"``
            (int64, scalar); ``"<d|g>_optimizer/<weight key>/momentum"`` and
            ``".../velocity"`` (float32, the weight's shape).
        """
        self._require_fitted()
        return {k: np.array(v.numpy()) for k, v in self._slots().items()}

    def set_optimizer_state(self, state: dict[str, np.ndarray]) -> None:
        """Restore :meth:`get_optimizer_state` output (after :meth:`set_state`)."""
        if not state:
            return
        self._require_fitted()
        slots = self._slots()
        missing = sorted(set(slots) - set(state))
        if missing:
            raise GenosynthError(f"gan optimizer state lacks {missing}")
        for key, v in slots.items():
            value = np.asarray(state[key])
            if value.shape != tuple(v.shape):
                raise GenosynthError(
                    f"gan optimizer state '{key}' has shape {value.shape}, "
                    f"expected {tuple(v.shape)}"
                )
            v.assign(value.astype(v.dtype))
