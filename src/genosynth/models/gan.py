"""The generative adversarial network (GAN) of Yelmen et al. (2021), ``"gan"``.

The networks are in :mod:`genosynth.models.gan_network`, the compiled training epoch in
:mod:`genosynth.models.gan_train`, the epoch loop, checkpoints and resume in the training
driver (:mod:`genosynth.training`); this module holds :class:`GANModel`: its parameters,
state, one training epoch and sampling. TensorFlow is imported on the first fit, sample or
state restore, so ``import genosynth.models`` stays fast.

Training (the paper's Keras ``train_on_batch`` loop)
-----------------------------------------------------
* **Data.** Haplotypes ``h`` in {0, 1} are fed as ``x = h - u``, ``u ~ U(0, 0.1)`` per
  element, drawn once per fit from ``numpy.random.default_rng([seed, 2])``
  (:func:`noisy_inputs`; no noise with ``output="bernoulli"``).
* **Epoch.** The haplotypes are shuffled and cut into ``n // b`` batches of ``b =
  min(batch_size, n)`` rows (the last partial batch is dropped). Per batch, ``z ~ N(0, 1)``
  (``(b, latent_size)``) and ``fake = G(z)``; ``loss="bce"`` (the paper): one Adam step of
  the discriminator on the real batch with targets ``1 - s``, ``s ~ U(0, 0.1)`` per row,
  one on ``fake`` with targets 0, then one generator step on the same ``z`` with targets
  1 (binary cross-entropy plus the L2 penalties). ``d_loss`` is the epoch's mean of the
  mean of the two discriminator losses, ``g_loss`` the mean generator loss.
* **Wasserstein loss** (``loss="wgan_gp"``, Gulrajani et al. 2017; the loss of Yelmen et
  al. 2023): a linear critic trained on ``mean D(fake) - mean D(real) + gp_weight *
  penalty`` (the gradient penalty at random points between real and generated rows), one
  Adam step per batch; after every ``n_critic``-th batch (counted across epochs) one
  generator step on ``-mean D(G(z'))`` with fresh ``z'``.
* **Bernoulli output** (``output="bernoulli"``): the generator's linear outputs are the
  log-odds of allele 1 per site; an AG is a Bernoulli draw of them at inverse temperature
  ``beta``, and in training the discriminator sees their binary-concrete relaxation at
  temperature 0.2 (:func:`~genosynth.models.gan_train.relaxed_bernoulli`).
  ``readout="quantile"`` rounds the log-odds instead, keeping each site's expected allele
  count over the AGs of one :meth:`~GANModel.sample` call
  (:func:`~genosynth.models.base.count_preserving_round`).
* **Learning rates** may fall geometrically to ``lr_final_factor`` of ``d_lr`` and
  ``g_lr`` at the last epoch, after ``lr_anneal_start`` epochs at the full rates.

Conditional GAN
---------------
With labels (class ids ``0..K-1``) the one-hot label times ``label_scale``
(:func:`label_inputs`) is appended to the generator's latent input and to the
discriminator's input; fake rows of a batch carry the real rows' labels.
``sample(n, labels=k)`` generates class ``k``; ``labels=None`` draws the classes in the
training proportions (state ``label_proportions``).

Determinism
-----------
The same seed gives identical weights and AGs on a CPU for a fixed TensorFlow thread
configuration: Glorot-uniform kernels from ``numpy.random.default_rng([seed, 1])``, zero
biases, training noise from ``tf.random.Generator.from_seed(seed)`` (Philox), whose state
the checkpoint keeps with both optimizers' moments, so a resumed run equals an
uninterrupted one. ``jit_compile`` XLA-compiles the epoch (equal to the plain graph to
about 1e-7).
"""

from __future__ import annotations

import contextlib
import logging

import numpy as np

from genosynth import training
from genosynth.errors import GenosynthError
from genosynth.models.base import (
    HaplotypeModel,
    as_generator,
    check_haplotypes,
    check_n_samples,
    count_preserving_round,
    geometric_anneal,
    one_hot,
    register_model,
)
from genosynth.models.gan_train import INPUT_NOISE, batch_shape, make_epoch_functions
from genosynth.params import Param
from genosynth.tfutils import adam, configure_threads, glorot_uniform, named_weights, seed_int, tf

__all__ = ["GANModel", "label_inputs", "noisy_inputs"]

logger = logging.getLogger(__name__)

ADAM_EPSILON = 1e-7
#: LeakyReLU negative slope of the hidden layers (the paper).
LEAKY_ALPHA = 0.01
#: Rows generated per batch by :meth:`GANModel.sample`.
SAMPLE_BATCH = 4096


def noisy_inputs(haplotypes: np.ndarray, seed: int, input_noise: float) -> np.ndarray:
    """The discriminator's real inputs ``h - U(0, input_noise)``, fixed for a fit.

    Parameters
    ----------
    haplotypes : numpy.ndarray, int8, shape (n_haplotypes, n_sites), values in {0, 1}
    seed : int
        The fit's seed; the noise comes from ``default_rng([seed, 2])``.
    input_noise : float
        Upper bound of the subtracted uniform noise.

    Returns
    -------
    numpy.ndarray, float32, shape (n_haplotypes, n_sites), values in ``(-input_noise, 1]``
    """
    noise = np.random.default_rng([seed, 2]).uniform(0.0, input_noise, size=haplotypes.shape)
    return (haplotypes - noise).astype(np.float32)


def label_inputs(labels: np.ndarray, n_classes: int, scale: float) -> np.ndarray:
    """The label columns a conditional GAN appends: float32 ``(n, n_classes)``, ``scale`` at
    ``[i, labels[i]]`` and 0 elsewhere."""
    return one_hot(labels, n_classes, value=scale, dtype=np.float32)


@register_model
class GANModel(HaplotypeModel):
    """Yelmen et al. (2021) GAN, optionally class-conditional (see the module notes).

    Attributes
    ----------
    n_classes : int
        0 for an unconditional model, else the number of classes.
    label_proportions : numpy.ndarray or None
        float64 ``(n_classes,)`` training class proportions (conditional only).
    """

    name = "gan"
    accepts_labels = True
    spec = (
        Param("latent_size", int, 600, "Width of the N(0, 1) latent vector.", low=1),
        Param(
            "g_hidden_divisors",
            float,
            [1.2, 1.1],
            "Generator hidden layers of round(L / d) units for L SNPs.",
            low=0,
            low_open=True,
            is_list=True,
        ),
        Param(
            "d_hidden_divisors",
            float,
            [2.0, 3.0],
            "Discriminator hidden layers of round(L / d) units.",
            low=0,
            low_open=True,
            is_list=True,
        ),
        Param("l2", float, 1e-4, "L2 kernel penalty of the hidden layers.", low=0),
        Param(
            "d_lr",
            float,
            8e-4,
            "Adam learning rate of the discriminator (critic).",
            low=0,
            low_open=True,
        ),
        Param("g_lr", float, 1e-4, "Adam learning rate of the generator.", low=0, low_open=True),
        Param(
            "lr_final_factor",
            float,
            None,
            "Anneal both rates geometrically to this factor of them at the last epoch "
            "(null: constant rates, the paper).",
            low=0,
            high=1,
            low_open=True,
            nullable=True,
        ),
        Param("lr_anneal_start", int, 0, "Epochs at the full rates before annealing.", low=0),
        Param(
            "adam_beta_1",
            float,
            0.9,
            "Adam beta_1 (0.5 with wgan_gp, as Gulrajani et al.).",
            low=0,
            high=1,
            high_open=True,
        ),
        Param(
            "adam_beta_2",
            float,
            0.999,
            "Adam beta_2 (0.9 with wgan_gp).",
            low=0,
            high=1,
            high_open=True,
        ),
        Param("batch_size", int, 32, "Rows per batch (min(batch_size, n) on fewer rows).", low=1),
        Param(
            "label_scale",
            float,
            10.0,
            "Conditional models: value of the one-hot label inputs.",
            low=0,
            low_open=True,
        ),
        Param(
            "loss",
            str,
            "bce",
            "bce: the paper's game; wgan_gp: Wasserstein critic with gradient penalty.",
            choices=("bce", "wgan_gp"),
        ),
        Param(
            "output",
            str,
            "tanh",
            "tanh: the paper's rounded outputs; bernoulli: per-site log-odds, AGs drawn.",
            choices=("tanh", "bernoulli"),
        ),
        Param("n_critic", int, 5, "wgan_gp: critic steps (batches) per generator step.", low=1),
        Param("gp_weight", float, 10.0, "wgan_gp: weight of the gradient penalty.", low=0),
        Param("epochs", int, 20000, "Training epochs.", "run", low=1),
        Param("jit_compile", bool, True, "XLA-compile the training epoch.", "run"),
        Param(
            "beta",
            float,
            1.0,
            "bernoulli: AGs drawn at sigmoid(beta * log-odds); > 1 sharper.",
            "sampling",
            low=0,
            low_open=True,
        ),
        Param(
            "readout",
            str,
            "sample",
            "bernoulli: sample draws each site; quantile rounds keeping allele counts.",
            "sampling",
            choices=("sample", "quantile"),
        ),
    )
    # Conditional checkpoints written before label_scale existed fed a plain one-hot.
    legacy_params = {"label_scale": 1.0}

    def __init__(self, **params):
        super().__init__(**params)
        if self.params["readout"] == "quantile" and self.params["output"] != "bernoulli":
            raise GenosynthError(
                "gan parameter 'readout' must be 'sample' unless output is bernoulli "
                "(quantile rounds log-odds)"
            )
        self._init_state()

    def _init_state(self) -> None:
        """No networks, optimizers, classes or training generator yet (before fit or load)."""
        self.n_classes = 0
        self.label_proportions: np.ndarray | None = None
        self._generator = self._discriminator = None
        self._d_opt = self._g_opt = None
        self._rng = None
        self._noise_fn = self._batches_fn = None
        self._fn_n: int | None = None

    @property
    def samples_at_beta(self) -> bool:
        """Whether ``beta`` acts: only on the Bernoulli output's draws."""
        return self.params["output"] == "bernoulli"

    @property
    def conditional(self) -> bool:
        """Whether the model was trained with class labels."""
        return self.n_classes > 0

    def configure_threads(self, threads: int | None) -> None:
        """TensorFlow's intra-op threads (:func:`genosynth.tfutils.configure_threads`)."""
        configure_threads(threads)

    # --- networks ---------------------------------------------------------------------------
    def _build(self, n_sites: int, n_classes: int) -> None:
        """Create the networks and optimizers for this shape."""
        from genosynth.models.gan_network import build_discriminator, build_generator

        p = self.params
        self._generator = build_generator(
            n_sites,
            p["latent_size"],
            n_classes=n_classes,
            divisors=p["g_hidden_divisors"],
            alpha=LEAKY_ALPHA,
            l2=p["l2"],
            output="logits" if p["output"] == "bernoulli" else "tanh",
        )
        self._discriminator = build_discriminator(
            n_sites,
            n_classes=n_classes,
            divisors=p["d_hidden_divisors"],
            alpha=LEAKY_ALPHA,
            l2=p["l2"],
            output="linear" if p["loss"] == "wgan_gp" else "sigmoid",
        )
        self._finish_build(n_sites, n_classes)

    def _finish_build(self, n_sites: int, n_classes: int) -> None:
        """Adam optimizers of both networks (built on their variables) and the sizes; no
        random state yet (set by training or loading)."""
        p = self.params
        betas = p["adam_beta_1"], p["adam_beta_2"]
        self._d_opt = adam(p["d_lr"], *betas, ADAM_EPSILON, "d_adam")
        self._g_opt = adam(p["g_lr"], *betas, ADAM_EPSILON, "g_adam")
        self._d_opt.build(self._discriminator.trainable_variables)
        self._g_opt.build(self._generator.trainable_variables)
        self.n_sites, self.n_classes = n_sites, n_classes
        self._rng = self._noise_fn = self._batches_fn = None

    def _init_weights(self, seed: int) -> None:
        """Glorot-uniform kernels, zero biases, from ``default_rng([seed, 1])``."""
        rng = np.random.default_rng([seed, 1])
        for net in (self._generator, self._discriminator):
            for w in net.weights:
                if len(w.shape) == 2:
                    w.assign(glorot_uniform(rng, tuple(w.shape)))
                else:
                    w.assign(np.zeros(w.shape, dtype=np.float32))

    def _named_weights(self) -> dict:
        return named_weights(self._generator) | named_weights(self._discriminator)

    def _slots(self) -> dict:
        """Optimizer variables keyed as in :meth:`get_optimizer_state`."""
        from genosynth.tfutils import adam_slot_variables

        return adam_slot_variables(
            self._d_opt, named_weights(self._discriminator), "d_optimizer"
        ) | adam_slot_variables(self._g_opt, named_weights(self._generator), "g_optimizer")

    # --- training (hooks of genosynth.training) ---------------------------------------------
    def fit(
        self,
        haplotypes,
        *,
        seed,
        labels=None,
        epochs=None,
        callback=None,
        checkpoint_path=None,
        checkpoint_every: int = 0,
        resume: bool = True,
    ) -> GANModel:
        """Train the GAN through :func:`genosynth.training.fit` (same arguments).

        Parameters
        ----------
        haplotypes : array_like, int8, shape (n_haplotypes, n_sites), values in {0, 1}
        seed : int or numpy.random.Generator
            Seeds the weights, the input noise and the training noise (not when resuming).
        labels : array_like of int, shape (n_haplotypes,), optional
            Class ids: train a conditional GAN.
        callback : callable, optional
            ``callback(epoch, {"d_loss": float, "g_loss": float})``; True stops training.
        """
        h = check_haplotypes(haplotypes)
        y = self._check_labels(labels, len(h))[0]
        return training.fit(
            self,
            h,
            seed=seed,
            labels=y,
            epochs=epochs,
            callback=callback,
            checkpoint=checkpoint_path,
            checkpoint_every=checkpoint_every,
            resume=resume,
        )

    def _check_labels(self, labels, n: int):
        """``(labels as int64 or None, n_classes, class proportions or None)``."""
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

    def init_training(self, data, *, labels, seed) -> None:
        """Fresh networks, optimizers and training generator (step 0)."""
        seed = seed_int(seed)
        _, n_classes, proportions = self._check_labels(labels, len(data))
        self._build(data.shape[1], n_classes)
        self._init_weights(seed)
        self.label_proportions = proportions
        self.step = 0
        self._rng = tf().random.Generator.from_seed(seed, alg="philox")
        self.rng_state = self._rng_state_dict(seed)

    def resumed(self) -> None:
        """Rebuild the training generator from the checkpoint's ``rng_state``."""
        state = np.asarray(self.rng_state["tf_state"], dtype=np.int64)
        self._rng = tf().random.Generator.from_state(state, self.rng_state["algorithm"])

    @contextlib.contextmanager
    def training_session(self, data, *, labels):
        """Yield ``run_epoch()``: one epoch on ``data``, returning ``d_loss`` and ``g_loss``."""
        y, _, _ = self._check_labels(labels, len(data))
        seed = int(self.rng_state["seed"])
        x = tf().constant(noisy_inputs(data, seed, INPUT_NOISE[self.params["output"]]))
        if self.conditional:
            onehot = tf().constant(label_inputs(y, self.n_classes, self.params["label_scale"]))
        else:
            onehot = tf().zeros([len(data), 0], tf().float32)
        self._noise_fn, self._batches_fn = make_epoch_functions(self, len(data))
        self._fn_n = len(data)

        def run_epoch() -> dict[str, float]:
            d_loss, g_loss = self._train_epoch(x, onehot)
            self.rng_state = self._rng_state_dict(seed)
            return {"d_loss": d_loss, "g_loss": g_loss}

        yield run_epoch

    def _rng_state_dict(self, seed: int) -> dict:
        state = [int(v) for v in self._rng.state.numpy()]
        return {"seed": seed, "algorithm": int(self._rng.algorithm), "tf_state": state}

    def epoch_lr_factor(self, epoch: int) -> float:
        """Factor on ``d_lr`` and ``g_lr`` in 1-based ``epoch`` (see ``lr_final_factor``);
        epochs after ``epochs`` keep the final factor, so a resumed run follows the schedule."""
        factor = self.params["lr_final_factor"]
        if factor is None:
            return 1.0
        p = self.params
        return geometric_anneal(
            epoch, epochs=p["epochs"], final_factor=factor, start=p["lr_anneal_start"]
        )

    def _train_epoch(self, x, onehot) -> tuple[float, float]:
        if self.params["lr_final_factor"] is not None:
            factor = self.epoch_lr_factor(self.step + 1)
            self._d_opt.learning_rate.assign(self.params["d_lr"] * factor)
            self._g_opt.learning_rate.assign(self.params["g_lr"] * factor)
        perm, z, smooth, extra = self._noise_fn()
        n_batches = batch_shape(self.params["batch_size"], self._fn_n)[1]
        first_batch = tf().constant(self.step * n_batches, "int64")
        d_loss, g_loss = self._batches_fn(x, onehot, perm, z, smooth, extra, first_batch)
        return float(d_loss), float(g_loss)

    def epoch_noise(self, n_haplotypes: int, *, advance: bool = False) -> dict[str, np.ndarray]:
        """The random numbers the next training epoch on ``n_haplotypes`` rows draws.

        Available during a fit (e.g. from its callback) and after it. ``advance``
        consumes them, as an epoch would.

        Returns
        -------
        dict of str to numpy.ndarray
            ``perm`` (int32, ``(n,)``), ``latent`` (float32, ``(n_batches, b,
            latent_size)``), ``real_targets`` (float32, ``(n_batches, b, 1)``);
            ``loss="wgan_gp"`` adds ``interpolation`` (``(n_batches, b, 1)``) and
            ``generator_latent``; ``output="bernoulli"`` adds ``relaxation_seeds``
            (int32, ``(n_batches, 2, 2)``).
        """
        if self._rng is None or self._noise_fn is None or self._fn_n != n_haplotypes:
            raise GenosynthError("gan: epoch_noise needs a model fitted on n_haplotypes rows")
        saved = self._rng.state.numpy()
        perm, z, smooth, extra = self._noise_fn()
        if not advance:
            self._rng.reset(saved)
        out = {"perm": perm.numpy(), "latent": z.numpy(), "real_targets": (1.0 - smooth).numpy()}
        return out | {key: value.numpy() for key, value in extra.items()}

    # --- sampling ---------------------------------------------------------------------------
    def sample(self, n: int, *, seed, labels=None) -> np.ndarray:
        """Draw ``n`` AGs: int8 ``(n, n_sites)`` in {0, 1}.

        Parameters
        ----------
        n : int
        seed : int or numpy.random.Generator
            Seeds the latent vectors (and the classes drawn when ``labels`` is None on a
            conditional model).
        labels : int or array_like of int, shape (n,), optional
            Classes to generate (conditional models only); None on a conditional model
            draws them from ``label_proportions``.
        """
        self._require_fitted()
        n = check_n_samples(n)
        rng = as_generator(seed)
        y = self._sample_labels(n, rng, labels)
        quantile = self.params.get("readout") == "quantile"  # conv_gan has no readout
        # "quantile" rounds the log-odds of all n AGs together at the end
        out = np.empty((n, self.n_sites), dtype=np.float32 if quantile else np.int8)
        rows = self.sample_rows()
        for lo in range(0, n, rows):
            hi = min(n, lo + rows)
            out[lo:hi] = self._draw_rows(hi - lo, rng, None if y is None else y[lo:hi])
        return count_preserving_round(out, groups=y) if quantile else out

    def sample_rows(self) -> int:
        """AGs generated per network call of :meth:`sample` (:data:`SAMPLE_BATCH`)."""
        return SAMPLE_BATCH

    def _sample_labels(self, n: int, rng, labels) -> np.ndarray | None:
        k = self.n_classes
        if not self.conditional:
            if labels is not None:
                raise GenosynthError("gan: labels given but the model is not conditional")
            return None
        if labels is None:
            return rng.choice(k, size=n, p=self.label_proportions)
        y = np.asarray(
            np.broadcast_to(np.asarray(labels), (n,)) if np.ndim(labels) == 0 else labels
        )
        if (
            y.shape != (n,)
            or not np.issubdtype(y.dtype, np.integer)
            or (y < 0).any()
            or (y >= k).any()
        ):
            raise GenosynthError(
                f"gan: labels must be an int or {n} ints in [0, {k}), got {labels!r}"
            )
        return y

    def _draw_rows(self, m: int, rng: np.random.Generator, y) -> np.ndarray:
        """``m`` rows of classes ``y``: int8 alleles, or float32 ``beta * log-odds`` for the
        quantile readout."""
        p = self.params
        z = rng.standard_normal((m, p["latent_size"]), dtype=np.float32)
        g = np.asarray(self._generator(self._with_label_inputs(z, y), training=False))
        if p["readout"] == "quantile":
            return p["beta"] * g
        if p["output"] == "bernoulli":  # g: log-odds of allele 1
            from scipy.special import expit

            return (rng.random(g.shape, dtype=np.float32) < expit(p["beta"] * g)).astype(np.int8)
        return np.rint(np.maximum(g, 0.0)).astype(np.int8)

    def _with_label_inputs(self, values: np.ndarray, y) -> np.ndarray:
        """``values`` (float32, ``(m, w)``) with the scaled one-hot columns of classes ``y``
        appended, as the networks take them; unchanged when ``y`` is None."""
        if y is None:
            return values
        scaled = label_inputs(y, self.n_classes, self.params["label_scale"])
        return np.concatenate([values, scaled], 1)

    # --- state ------------------------------------------------------------------------------
    def get_state(self) -> dict[str, np.ndarray]:
        """Every kernel ``(n_in, n_out)`` and bias ``(n_out,)`` (float32) keyed
        ``"generator/<layer>/kernel"`` etc.; conditional models add ``label_proportions``."""
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
        _assign(self._named_weights(), state, "gan state", np.float32)
        self.label_proportions = None if props is None else np.asarray(props, dtype=np.float64)
        self.n_sites = n_sites

    def get_optimizer_state(self) -> dict[str, np.ndarray]:
        """Both Adam optimizers' ``iterations`` (int64) and per-weight ``momentum`` and
        ``velocity`` (float32), keyed ``"<d|g>_optimizer/<weight key>/<slot>"``."""
        self._require_fitted()
        return {k: np.array(v.numpy()) for k, v in self._slots().items()}

    def set_optimizer_state(self, state: dict[str, np.ndarray]) -> None:
        """Restore :meth:`get_optimizer_state` output (after :meth:`set_state`)."""
        if state:
            self._require_fitted()
            _assign(self._slots(), state, "gan optimizer state", None)


def _assign(variables: dict, state: dict, what: str, dtype) -> None:
    """Assign ``state[key]`` to each of ``variables`` after checking keys and shapes."""
    missing = sorted(set(variables) - set(state))
    if missing:
        raise GenosynthError(f"{what} lacks {missing}")
    for key, v in variables.items():
        value = np.asarray(state[key], dtype=dtype)
        if value.shape != tuple(v.shape):
            raise GenosynthError(
                f"{what} '{key}' has shape {value.shape}, expected {tuple(v.shape)}"
            )
        v.assign(value if dtype is not None else value.astype(v.dtype))
