"""Typed parameter specs: the single source of a model's parameters.

Every model declares its parameters once, as a tuple of :class:`Param` (name,
type, default, bounds, one-line doc and role). That spec is what

* the model validates its keyword arguments against (:func:`validate`, one
  helper for every model: no per-key ``if`` ladders);
* :meth:`HaplotypeModel.set_sampling` and training resume read the roles from;
* the workflow asks which settings retrain a model and which only redraw its AGs
  (:func:`split_roles`);
* the config schema's ``models.*`` sections are generated from
  (:func:`json_schema`; a test checks the schema file equals it);
* ``docs/parameters.md`` is generated from (:func:`markdown_table`).

Roles
-----
``model``
    Shapes training: a change retrains, and a checkpoint trained with another
    value is not resumed.
``run``
    Steers a training run without defining the model (``epochs``): a change
    retrains, but a checkpoint written with another value can be resumed.
``sampling``
    Read only when AGs are drawn: a change redraws the AGs of the trained model
    (:meth:`~genosynth.models.base.HaplotypeModel.set_sampling`) without retraining.
``control``
    The training driver's and the workflow's settings shared by every model of a
    kind (seed, checkpoints, evaluations): :data:`TRAINING_CONTROLS`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from genosynth.errors import ConfigError

__all__ = [
    "CLOSED_FORM_CONTROLS",
    "DNA_WGAN_CONTROLS",
    "Param",
    "ROLES",
    "TRAINING_CONTROLS",
    "defaults",
    "json_schema",
    "markdown_table",
    "names_with_role",
    "split_roles",
    "validate",
]

ROLES = ("model", "run", "sampling", "control")

_TYPE_NAMES = {int: "integer", float: "number", bool: "boolean", str: "string"}


@dataclasses.dataclass(frozen=True)
class Param:
    """One parameter: what it is, what values it takes and what it affects.

    Attributes
    ----------
    name : str
    type : type
        ``int``, ``float``, ``bool`` or ``str``; with ``is_list`` the type of the items.
    default : Any
        The one default of the parameter (``None`` only where ``nullable``).
    doc : str
        One line: what the value does, with its unit.
    role : str
        One of :data:`ROLES`.
    low, high : float, optional
        Inclusive bounds of a number (of each item of a list).
    low_open, high_open : bool
        Make ``low`` / ``high`` exclusive.
    choices : tuple, optional
        The allowed values of a string.
    nullable : bool
        ``None`` (YAML ``null``) is allowed; it means "off" (see ``doc``).
    is_list : bool
        A non-empty list of ``type`` items.
    """

    name: str
    type: type
    default: Any
    doc: str
    role: str = "model"
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple | None = None
    nullable: bool = False
    is_list: bool = False

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"{self.name}: role {self.role!r} not in {ROLES}")

    # --- checking ---------------------------------------------------------------
    def want(self) -> str:
        """What a valid value is, in words (for error messages)."""
        if self.choices is not None:
            what = "one of " + ", ".join(map(str, self.choices))
        else:
            what = {int: "an integer", float: "a number", bool: "true or false"}.get(
                self.type, "a string"
            )
            bounds = []
            if self.low is not None:
                bounds.append(f"{'>' if self.low_open else '>='} {self.low:g}")
            if self.high is not None:
                bounds.append(f"{'<' if self.high_open else '<='} {self.high:g}")
            if bounds:
                what += " " + " and ".join(bounds)
        if self.is_list:
            what = f"a non-empty list of items each {what}"
        return what + (" or null" if self.nullable else "")

    def check(self, value, *, prefix: str = "") -> Any:
        """``value`` coerced to the parameter's type; :class:`ConfigError` if invalid."""
        if value is None and self.nullable:
            return None
        if self.is_list:
            if not isinstance(value, list | tuple) or not value:
                self._bad(value, prefix)
            return [self._scalar(v, value, prefix) for v in value]
        return self._scalar(value, value, prefix)

    def _scalar(self, v, whole, prefix: str):
        if self.type is bool:
            ok = isinstance(v, bool | np.bool_)
            v = bool(v) if ok else v
        elif self.type is int:
            ok = isinstance(v, int | np.integer) and not isinstance(v, bool)
            v = int(v) if ok else v
        elif self.type is float:
            ok = isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)
            ok = ok and math.isfinite(v)
            v = float(v) if ok else v
        else:
            ok = isinstance(v, str)
        if not ok or not self._in_bounds(v):
            self._bad(whole, prefix)
        return v

    def _in_bounds(self, v) -> bool:
        if self.choices is not None:
            return v in self.choices
        if self.low is not None and (v <= self.low if self.low_open else v < self.low):
            return False
        return self.high is None or not (v >= self.high if self.high_open else v > self.high)

    def _bad(self, value, prefix: str):
        raise ConfigError(f"{prefix}{self.name}", f"must be {self.want()}, got {value!r}")

    # --- schema -----------------------------------------------------------------
    def schema(self) -> dict:
        """The JSON-schema property of this parameter (draft 2020-12)."""
        item: dict[str, Any] = {"type": _TYPE_NAMES[self.type]}
        if self.choices is not None:
            item["enum"] = list(self.choices)
        if self.low is not None:
            item["exclusiveMinimum" if self.low_open else "minimum"] = self.low
        if self.high is not None:
            item["exclusiveMaximum" if self.high_open else "maximum"] = self.high
        prop = {"type": "array", "minItems": 1, "items": item} if self.is_list else item
        if self.nullable:
            prop = {
                "type": [prop["type"], "null"],
                **{k: v for k, v in prop.items() if k != "type"},
            }
            if "enum" in prop:
                prop["enum"] = [*prop["enum"], None]
        default = list(self.default) if isinstance(self.default, tuple) else self.default
        return {**prop, "default": default, "description": f"{self.doc} [{self.role}]"}


def defaults(spec: Iterable[Param]) -> dict[str, Any]:
    """``{name: default}`` of a spec (lists copied)."""
    return {p.name: list(p.default) if p.is_list else p.default for p in spec}


def names_with_role(spec: Iterable[Param], *roles: str) -> frozenset[str]:
    """Names of the parameters of ``spec`` with one of ``roles``."""
    return frozenset(p.name for p in spec if p.role in roles)


def validate(spec: Sequence[Param], values: Mapping[str, Any], *, prefix: str = "") -> dict:
    """Every parameter of ``spec``: ``values`` where given, checked and coerced, else the default.

    Parameters
    ----------
    spec : sequence of Param
    values : mapping
        Keyword arguments; a key not in ``spec`` is an error.
    prefix : str
        Put before each key in errors (e.g. ``"gan."``).

    Raises
    ------
    ConfigError
        Naming the first unknown or invalid key and what it must be.
    """
    by_name = {p.name: p for p in spec}
    unknown = sorted(set(values) - set(by_name))
    if unknown:
        raise ConfigError(
            f"{prefix}{unknown[0]}",
            f"unknown parameter(s) {unknown}",
            fix=f"use one of {sorted(by_name)}",
        )
    out = defaults(spec)
    for key, value in values.items():
        out[key] = by_name[key].check(value, prefix=prefix)
    return out


def split_roles(spec: Sequence[Param], settings: Mapping[str, Any]) -> tuple[dict, dict]:
    """``(training, sampling)``: the settings a training run reads, and those only sampling does.

    Keys not in ``spec`` (training controls) go with training.
    """
    sampling = names_with_role(spec, "sampling")
    training = {k: v for k, v in settings.items() if k not in sampling}
    return training, {k: v for k, v in settings.items() if k in sampling}


def json_schema(spec: Iterable[Param], *, extra: Mapping[str, Any] | None = None) -> dict:
    """A JSON-schema object for a config section holding ``spec`` (and ``extra`` properties)."""
    props = {p.name: p.schema() for p in spec}
    return {
        "type": "object",
        "additionalProperties": False,
        "default": {},
        "properties": props | dict(extra or {}),
    }


def markdown_table(spec: Iterable[Param]) -> str:
    """A Markdown table of ``spec``: name, default, allowed values, role, doc."""
    lines = ["| parameter | default | values | role | what it does |", "|---|---|---|---|---|"]
    for p in spec:
        default = "null" if p.default is None else p.default
        lines.append(f"| `{p.name}` | `{default}` | {p.want()} | {p.role} | {p.doc} |")
    return "\n".join(lines) + "\n"


#: Settings of every trainable (iterative) model's training run, read by the training
#: driver (:mod:`genosynth.training`) and the workflow's training step, not by the model.
TRAINING_CONTROLS: tuple[Param, ...] = (
    Param("seed", int, 0, "Seed of the weights, training noise and evaluations.", "control", low=0),
    Param(
        "checkpoint_every",
        int,
        100,
        "Epochs between resume files (0: none; a killed run restarts from scratch).",
        "control",
        low=0,
    ),
    Param(
        "eval_every",
        int,
        100,
        "Epochs between evaluations of AGs against training (AATS, diversity; 0: none).",
        "control",
        low=0,
    ),
    Param(
        "select_checkpoint",
        bool,
        False,
        "Keep the evaluated checkpoint nearest the ideal (select_metric) instead of the last.",
        "control",
    ),
    Param(
        "select_metric",
        str,
        "aats",
        "aats: AATS nearest 0.5 (the paper); balance: AA_truth and AA_syn both nearest 0.5.",
        "control",
        choices=("aats", "balance"),
    ),
    Param(
        "calibrate_beta",
        bool,
        False,
        "After training, set the sampling beta that balances AA_truth and AA_syn on training.",
        "control",
    ),
    Param(
        "conditional",
        str,
        "none",
        "Train on class labels: a panel column (pop, super_pop) or phenotype.",
        "control",
        choices=("none", "pop", "super_pop", "phenotype"),
    ),
    Param(
        "pool_others",
        bool,
        False,
        "Also train on the dataset's other populations, drawing AGs of the target's labels.",
        "control",
    ),
    Param(
        "validation_fraction",
        float,
        0.0,
        "Share of training individuals held out to stop training on (0: no stopping rule, "
        "train all epochs); 0.1 holds out enough for a few hundred haplotypes.",
        "control",
        low=0.0,
        high=0.5,
    ),
    Param(
        "stop_tolerance",
        float,
        0.05,
        "Stop (target_reached) when AA_truth and AA_syn on validation are within this of 0.5; "
        "near 2 standard errors of one (0.05 for 200 validation haplotypes).",
        "control",
        low=0.0,
        low_open=True,
        high=0.5,
    ),
    Param(
        "stop_privacy_guard",
        float,
        0.03,
        "Validation privacy loss (AATS_val - AATS_train) a target must stay under; above it "
        "at 2 evaluations in a row training stops (privacy_guard).",
        "control",
        low=0.0,
    ),
    Param(
        "wall_budget_s",
        float,
        0.0,
        "Stop (wall_budget) where one more epoch of the mean length so far would end past "
        "this many seconds of training (0: none); a resumed run replays a recorded stop.",
        "control",
        low=0.0,
    ),
)

#: Settings of the closed-form models' one-pass fit: the seed, and the labels of those
#: that take them.
CLOSED_FORM_CONTROLS: tuple[Param, ...] = (TRAINING_CONTROLS[0], TRAINING_CONTROLS[6])

#: Training controls of the DNA track's WGANs (:func:`genosynth.steps.train.train_wgan`).
DNA_WGAN_CONTROLS: tuple[Param, ...] = (
    Param("seed", int, 5, "Seed of the weights and training noise.", "control", low=0),
    Param(
        "checkpoint_every",
        int,
        100,
        "Steps between resume files (0: none; a killed run restarts from scratch).",
        "control",
        low=0,
    ),
)
