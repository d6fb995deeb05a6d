"""The interface every haplotype model shares, and its one-file checkpoint.

A model is configured at construction (keyword-only parameters, all
JSON-serialisable), learns from an ``int8`` haplotype matrix in :meth:`fit`,
and draws artificial genomes (AGs) in :meth:`sample`. :meth:`save` writes one
``.npz`` checkpoint holding the config, the learned state, the optimizer
state, the step (epoch) counter and the RNG state; :func:`load_model`
restores any registered model from it.
"""

from __future__ import annotations

import abc
import json
import math
import os
import struct
import zipfile
import zlib
from typing import Any, ClassVar

import numpy as np
from scipy import special

from genosynth.errors import CorruptFileError, GenosynthError
from genosynth.fileio import atomic_path
from genosynth.params import Param, names_with_role, validate
from genosynth.params import defaults as spec_defaults

__all__ = [
    "MODELS",
    "HaplotypeModel",
    "Model",
    "as_generator",
    "check_haplotypes",
    "check_n_samples",
    "count_preserving_round",
    "geometric_anneal",
    "get_model",
    "is_finite_number",
    "is_integer",
    "label_codes",
    "load_model",
    "one_hot",
    "read_checkpoint_meta",
    "register_model",
]

MODELS: dict[str, type[HaplotypeModel]] = {}


def register_model(cls: type[HaplotypeModel]) -> type[HaplotypeModel]:
    """Class decorator adding ``cls`` to :data:`MODELS` under ``cls.name``."""
    MODELS[cls.name] = cls
    return cls


def get_model(name: str, **params) -> HaplotypeModel:
    """Construct the registered model ``name`` with ``params``."""
    try:
        cls = MODELS[name]
    except KeyError:
        raise GenosynthError(
            f"unknown model '{name}'; registered models: {sorted(MODELS)}"
        ) from None
    return cls(**params)


def as_generator(seed: int | np.random.Generator) -> np.random.Generator:
    """A Generator from an integer seed, or ``seed`` itself if it already is one."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


def is_integer(value) -> bool:
    """True for a Python or numpy int that is not a bool (a parameter check)."""
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def check_n_samples(n: int) -> int:
    """``n`` as an ``int`` if it is a non-negative integer (not a bool); else raise."""
    if not is_integer(n) or n < 0:
        raise GenosynthError(f"number of samples must be a non-negative integer, got {n!r}")
    return int(n)


def is_finite_number(value) -> bool:
    """True for a finite Python or numpy int or float that is not a bool (a parameter check)."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        return False
    return math.isfinite(value)


def geometric_anneal(epoch: int, *, epochs: int, final_factor: float, start: int = 0) -> float:
    """Factor on a learning rate in 1-based ``epoch`` of a geometric anneal.

    Epochs up to ``start + 1`` train at factor 1; the factor then falls
    geometrically to ``final_factor`` at epoch ``epochs`` and keeps it after,
    so a killed and resumed run follows the same schedule. Where the span is
    empty (``epochs <= start + 1``), every epoch after ``start`` is at
    ``final_factor``.
    """
    span = epochs - 1 - start
    if span <= 0:
        return final_factor if epoch > start else 1.0
    return final_factor ** min(max((epoch - 1 - start) / span, 0.0), 1.0)


def label_codes(labels, label_values: np.ndarray, n: int) -> np.ndarray:
    """Indices into ``label_values`` of ``n`` labels (a scalar stands for all ``n``).

    Parameters
    ----------
    labels : int or array_like of int, shape (n,)
    label_values : numpy.ndarray, int64, shape (n_labels,), sorted
        The labels a conditional model was trained on.
    n : int

    Returns
    -------
    numpy.ndarray, int64, shape (n,)

    Raises
    ------
    GenosynthError
        For labels of another shape or dtype, or values not in ``label_values``.
    """
    lab = np.asarray(labels)
    if lab.ndim == 0:
        lab = np.full(n, lab)
    if lab.shape != (n,) or not np.issubdtype(lab.dtype, np.integer):
        raise GenosynthError(f"labels must be {n} integers, got shape {lab.shape} {lab.dtype}")
    codes = np.searchsorted(label_values, lab)
    codes = np.minimum(codes, label_values.size - 1)
    unknown = label_values[codes] != lab
    if unknown.any():
        raise GenosynthError(
            f"unknown label(s) {sorted(set(lab[unknown].tolist()))}; "
            f"the model was trained on labels {label_values.tolist()}"
        )
    return codes


def check_haplotypes(haplotypes: np.ndarray) -> np.ndarray:
    """Validate a training matrix: 2-D, values in {0, 1}; return it as int8.

    Parameters
    ----------
    haplotypes : array_like, shape (n_haplotypes, n_sites)

    Returns
    -------
    numpy.ndarray, int8, shape (n_haplotypes, n_sites)
    """
    h = np.asarray(haplotypes)
    if h.ndim != 2 or h.shape[0] == 0 or h.shape[1] == 0:
        raise GenosynthError(f"expected a non-empty 2-D haplotype matrix, got shape {h.shape}")
    if not np.isin(h, (0, 1)).all():
        raise GenosynthError("haplotype matrix has values other than 0 and 1")
    return h.astype(np.int8, copy=False)


def one_hot(codes: np.ndarray, n_classes: int, *, value: float = 1, dtype=np.int8) -> np.ndarray:
    """Label columns: ``value`` at ``[i, codes[i]]``, 0 elsewhere.

    Parameters
    ----------
    codes : numpy.ndarray, int, shape (n,)
        Class indices in ``[0, n_classes)``.
    n_classes : int
    value : float, default 1
    dtype : numpy dtype, default int8

    Returns
    -------
    numpy.ndarray, ``dtype``, shape (n, n_classes)
    """
    out = np.zeros((len(codes), n_classes), dtype=dtype)
    out[np.arange(len(codes)), codes] = value
    return out


class Model(abc.ABC):
    """A model with typed parameters and a one-file checkpoint.

    Subclasses set :attr:`name` and :attr:`spec` and implement :meth:`get_state` and
    :meth:`set_state`; trainable ones also implement the hooks of the training driver
    (:mod:`genosynth.training`).
    """

    name: ClassVar[str]
    #: Every parameter: type, default, bounds, doc and role (:mod:`genosynth.params`).
    spec: ClassVar[tuple[Param, ...]] = ()
    #: Values of parameters added after checkpoints were first written, as the
    #: models of those checkpoints behaved (when they differ from the defaults).
    legacy_params: ClassVar[dict[str, Any]] = {}
    #: The parameter counting training epochs (steps), and the unit's name in logs.
    step_param: ClassVar[str] = "epochs"
    step_name: ClassVar[str] = "epoch"

    def __init__(self, **params):
        self.params: dict[str, Any] = validate(self.spec, params, prefix=f"{self.name}.")
        self.step = 0
        self.n_sites: int | None = None
        self.rng_state: dict | None = None
        self.data_sha256: str | None = None

    #: Every parameter's default, and the parameters only :meth:`sample` reads (:meth:`fit`
    #: neither uses nor changes them, so a fitted model's draws change with them through
    #: :meth:`set_sampling` and its checkpoint does not); both derived from :attr:`spec`.
    defaults: ClassVar[dict[str, Any]] = {}
    sampling_params: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.defaults = spec_defaults(cls.spec)
        cls.sampling_params = names_with_role(cls.spec, "sampling")

    @classmethod
    def is_trainable(cls) -> bool:
        """Whether the model trains over epochs through :mod:`genosynth.training`."""
        return any(p.name == cls.step_param for p in cls.spec)

    # --- state ----------------------------------------------------------------
    @abc.abstractmethod
    def get_state(self) -> dict[str, np.ndarray]:
        """Learned parameters as named arrays."""

    @abc.abstractmethod
    def set_state(self, state: dict[str, np.ndarray]) -> None:
        """Restore learned parameters from :meth:`get_state`'s output."""

    @classmethod
    def saved_params(cls, saved: dict[str, Any]) -> dict[str, Any]:
        """The parameters of a checkpoint's model, from the ``params`` it saved.

        A parameter the checkpoint lacks (it predates the parameter) takes its
        :attr:`legacy_params` value, the behaviour the saved model was trained
        with, rather than today's default.
        """
        return {**cls.legacy_params, **saved}

    def get_optimizer_state(self) -> dict[str, np.ndarray]:
        """Optimizer state as named arrays (empty for closed-form models)."""
        return {}

    def set_optimizer_state(self, state: dict[str, np.ndarray]) -> None:  # noqa: B027
        """Restore the optimizer state from :meth:`get_optimizer_state`'s output (no-op here)."""

    @property
    def is_fitted(self) -> bool:
        return self.n_sites is not None

    def _require_fitted(self) -> None:
        if not self.is_fitted:
            raise GenosynthError(f"model '{self.name}' must be fitted (or loaded) before sampling")

    # --- checkpoint -----------------------------------------------------------
    def load_state(self, path: str | os.PathLike) -> None:
        """Restore state, optimizer state, step, RNG state and data fingerprint from ``path``."""
        meta, state, optim = _read_checkpoint(path)
        self.set_state(state)
        self.set_optimizer_state(optim)
        self.step = meta["step"]
        self.n_sites = meta["n_sites"]
        self.rng_state = meta["rng_state"]
        self.data_sha256 = meta.get("data_sha256")

    def configure_threads(self, threads: int | None) -> None:  # noqa: B027
        """Use ``threads`` threads for training where the model can (TensorFlow models)."""

    def resumed(self) -> None:  # noqa: B027
        """Hook after :meth:`load_state` when training resumes (rebuild random generators)."""

    def save(self, path: str | os.PathLike, *, provenance: dict | None = None) -> None:
        """Write the whole model to one ``.npz`` checkpoint, atomically."""
        from genosynth import __version__

        meta = {
            "model": self.name,
            "params": self.params,
            "step": self.step,
            "n_sites": self.n_sites,
            "rng_state": self.rng_state,
            "data_sha256": self.data_sha256,
            "genosynth_version": __version__,
            "provenance": provenance or {},
        }
        arrays = {f"state/{k}": np.asarray(v) for k, v in self.get_state().items()}
        arrays |= {f"optimizer/{k}": np.asarray(v) for k, v in self.get_optimizer_state().items()}
        arrays["meta"] = np.array(json.dumps(meta))
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as fh:
                np.savez_compressed(fh, **arrays)


class HaplotypeModel(Model):
    """Base class of generative haplotype models.

    Subclasses implement :meth:`fit` and :meth:`sample` besides :class:`Model`'s
    methods, and are made available by :func:`register_model`.
    """

    #: Whether :meth:`fit` and :meth:`sample` take ``labels`` (conditional generation).
    accepts_labels: ClassVar[bool] = False

    # --- learning and sampling ------------------------------------------------
    @abc.abstractmethod
    def fit(self, haplotypes: np.ndarray, *, seed: int | np.random.Generator) -> HaplotypeModel:
        """Learn from ``haplotypes`` (int8, ``(n_haplotypes, n_sites)``); return ``self``."""

    @abc.abstractmethod
    def sample(self, n: int, *, seed: int | np.random.Generator) -> np.ndarray:
        """Draw ``n`` AGs: int8 array of shape ``(n, n_sites)`` with values in {0, 1}."""

    @property
    def samples_at_beta(self) -> bool:
        """Whether :meth:`sample` honours an inverse temperature ``params["beta"]``."""
        return "beta" in self.params

    def set_sampling(self, **settings) -> HaplotypeModel:
        """Change sampling-only parameters (:attr:`sampling_params`) in place; return ``self``.

        The new values are checked as the constructor checks them.

        Raises
        ------
        GenosynthError
            For a parameter that is not a sampling parameter (training reads it:
            retrain to change it) or an invalid value.
        """
        sampling = self.sampling_params
        training = sorted(set(settings) - sampling)
        if training:
            raise GenosynthError(
                f"model '{self.name}': {training} shape training, not sampling; retrain the "
                f"model to change them (sampling parameters: {sorted(sampling)})"
            )
        checked = validate(self.spec, {**self.params, **settings}, prefix=f"{self.name}.")
        self.params.update({k: checked[k] for k in settings})
        return self


#: What reading a damaged ``.npz`` raises: a truncated or changed zip archive, a broken
#: deflate stream, an ``.npy`` header or the JSON metadata that no longer parse.
_DAMAGED = (zipfile.BadZipFile, zlib.error, struct.error, EOFError, ValueError, KeyError, OSError)


def read_checkpoint_meta(path: str | os.PathLike, *, verify: bool = False) -> dict:
    """The JSON metadata (model, params, step, RNG state...) of a checkpoint.

    With ``verify``, every array is read too (a damaged one fails its checksum here).

    Raises
    ------
    CorruptFileError
        The file is truncated or its bytes changed (it names the file and the fix).
    """
    return _read_checkpoint(path, arrays=verify)[0]


def _read_checkpoint(path: str | os.PathLike, *, arrays: bool = True) -> tuple[dict, dict, dict]:
    """A checkpoint's metadata, state arrays and optimizer arrays (empty without ``arrays``)."""
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            names = z.files if arrays else []
            state = {k[6:]: z[k] for k in names if k.startswith("state/")}
            optim = {k[10:]: z[k] for k in names if k.startswith("optimizer/")}
    except (FileNotFoundError, PermissionError, IsADirectoryError):
        raise
    except _DAMAGED as err:
        raise _corrupt(path, f"{type(err).__name__}: {err}") from err
    if not isinstance(meta, dict):
        raise _corrupt(path, "its metadata is not a JSON object")
    return meta, state, optim


def _corrupt(path, detail: str) -> CorruptFileError:
    return CorruptFileError(
        path,
        f"corrupt checkpoint, truncated or changed since it was written ({detail})",
        fix=f"write it again: rerun the job that makes it (snakemake {os.fspath(path)} --force, "
        "with your other options)",
    )


def load_model(path: str | os.PathLike, registry: dict | None = None) -> HaplotypeModel:
    """Restore a model saved by :meth:`HaplotypeModel.save` (of ``registry``, default
    :data:`MODELS`)."""
    models = MODELS if registry is None else registry
    meta = read_checkpoint_meta(path)
    if meta["model"] not in models:
        raise GenosynthError(f"{path}: unknown model '{meta['model']}'; known: {sorted(models)}")
    cls = models[meta["model"]]
    model = cls(**cls.saved_params(meta["params"]))
    model.load_state(path)
    return model


#: Sites rounded together by :func:`count_preserving_round`.
_ROUND_BLOCK_SITES = 512


def count_preserving_round(logits, *, groups=None) -> np.ndarray:
    """Round allele probabilities to 0/1 keeping each site's expected allele count.

    Row ``i`` has probability ``p_is = sigmoid(logits_is)`` of allele 1 at site
    ``s``. Per site, the ``k_s = floor(sum_i p_is + 1/2)`` rows with the highest
    ``logits_is`` (ties: the lower row first) get allele 1, the others 0: the
    column sums are the expected counts rounded, and a row with a higher
    probability never gets 0 where one with a lower gets 1. With ``groups``,
    each group of rows is rounded on its own.

    Parameters
    ----------
    logits : array_like, float, shape (n, n_sites)
        Log-odds of allele 1.
    groups : array_like, int, shape (n,), optional
        Group of each row (e.g. the class an AG was drawn for).

    Returns
    -------
    numpy.ndarray, int8, shape (n, n_sites), values 0/1

    Examples
    --------
    >>> p = np.array([[0.9, 0.2], [0.6, 0.2], [0.3, 0.05], [0.1, 0.05]])
    >>> count_preserving_round(np.log(p / (1 - p))).T
    array([[1, 1, 0, 0],
           [1, 0, 0, 0]], dtype=int8)
    """
    logits = np.asarray(logits)
    if logits.ndim != 2:
        raise GenosynthError(f"logits must be 2-dimensional, got shape {logits.shape}")
    out = np.zeros(logits.shape, dtype=np.int8)
    if groups is None:
        members = [np.arange(logits.shape[0])]
    else:
        groups = np.asarray(groups)
        if groups.shape != logits.shape[:1]:
            raise GenosynthError(f"groups must have shape {logits.shape[:1]}, got {groups.shape}")
        members = [np.flatnonzero(groups == g) for g in np.unique(groups)]
    for rows in members:
        row_rank = np.arange(rows.size)[:, None]
        # sites are independent: a block of them at a time bounds the float64 / int64 work
        # arrays (5,008 AGs x 10,000 SNPs at once: about 1.9 GB)
        for lo in range(0, logits.shape[1], _ROUND_BLOCK_SITES):
            scores = logits[rows, lo : lo + _ROUND_BLOCK_SITES].astype(np.float64)
            expected = special.expit(scores).sum(axis=0)
            count = np.floor(expected + 0.5).astype(np.int64)
            order = np.argsort(-scores, axis=0, kind="stable")  # rows by falling probability
            rank = np.empty_like(order)
            np.put_along_axis(rank, order, row_rank, axis=0)
            out[rows, lo : lo + _ROUND_BLOCK_SITES] = rank < count
    return out
