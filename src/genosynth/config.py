"""Validation of workflow configs against the JSON schema, with defaults.

The workflow calls :func:`validate_config` and :func:`check_references` before any job
runs; the first problem is reported as a :class:`~genosynth.errors.ConfigError` naming
the key path (``datasets.wide.n_snps``), so an invalid config fails up front.
:func:`read_yaml` reads a YAML file naming the line and column of a syntax error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import jsonschema
import yaml

from genosynth.errors import ConfigError, InputError
from genosynth.params import (
    CLOSED_FORM_CONTROLS,
    DNA_WGAN_CONTROLS,
    TRAINING_CONTROLS,
    json_schema,
    markdown_table,
)

__all__ = [
    "check_labels",
    "check_references",
    "load_schema",
    "model_kind",
    "parameter_schema",
    "parameters_markdown",
    "read_yaml",
    "unlabelled_sources",
    "validate_config",
]

#: Top-level key of a schema naming a file beside it whose ``$defs`` join the schema's.
INCLUDE_KEY = "x-include"


def load_schema(path: str | os.PathLike, locate=None) -> dict:
    """Read a JSON schema written as YAML, with the ``$defs`` of the file it includes.

    A schema whose top level has ``x-include: NAME`` gets the ``$defs`` of the schema
    file ``NAME`` (the one :func:`parameter_schema` generates): beside ``path``, or where
    ``locate(NAME)`` says (Snakemake's ``workflow.source_path``).
    """
    schema = read_yaml(path)
    include = schema.pop(INCLUDE_KEY, None)
    if include:
        where = locate(include) if locate else os.path.join(os.path.dirname(path), include)
        schema.setdefault("$defs", {}).update(read_yaml(where)["$defs"])
    return schema


def read_yaml(path: str | os.PathLike):
    """The content of a YAML (or JSON) file.

    Raises
    ------
    InputError
        For a syntax error, naming the file, the line and column, and what the parser
        expected.
    """
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else mark.line + 1
        column = "" if mark is None else f", column {mark.column + 1}"
        problem = exc.problem or "invalid YAML"
        if exc.context and exc.context_mark is not None:
            problem += f" ({exc.context} that starts on line {exc.context_mark.line + 1})"
        lines = text.splitlines()
        raise InputError(
            path,
            f"YAML syntax error{column}: {problem}",
            line=line,
            record=lines[line - 1].strip()[:80] or None if line and line <= len(lines) else None,
            fix="check the indentation (spaces, not tabs), the colons and the brackets there "
            "or on the line before",
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(path, f"YAML syntax error: {exc}", fix="check the file's syntax") from None


def _model_section(cls, controls) -> dict:
    section = json_schema(cls.spec)
    del section["default"]  # a model runs only when its key is present
    section["description"] = (cls.__doc__ or cls.name).strip().splitlines()[0]
    for p in controls:
        section["properties"][p.name] = {"$ref": f"#/$defs/training_controls/properties/{p.name}"}
    section["properties"]["repair"] = {"$ref": "#/$defs/repair"}
    section["properties"]["model"] = {
        "type": "string",
        "const": cls.name,
        "description": "The registered model this entry trains (its key when left out).",
    }
    return section


def _instance_section(names: list[str]) -> dict:
    """Schema of a named model instance: ``models.<name>`` with ``model: <registered>``."""
    return {
        "type": "object",
        "description": "A named instance of a registered model (`model:` says which); the "
        "name is used in paths and figures, e.g. `gan_paper: {model: gan, loss: bce}`.",
        "required": ["model"],
        "properties": {"model": {"enum": names}},
        "allOf": [
            {
                "if": {"properties": {"model": {"const": n}}, "required": ["model"]},
                "then": {"$ref": f"#/$defs/models/properties/{n}"},
            }
            for n in names
        ],
    }


def model_kind(name: str, section: Mapping | None) -> str:
    """The registered model a ``models.<name>`` entry trains: its ``model:``, else ``name``."""
    return (section or {}).get("model") or name


def parameter_schema() -> dict:
    """The config schema's ``$defs`` generated from the models' parameter specs.

    ``models`` (every registered haplotype model, with the training controls its kind
    reads), ``training_controls`` (:data:`~genosynth.params.TRAINING_CONTROLS`, once),
    ``dna_wgan`` and ``dna_wgan_overrides`` (the DNA track's WGAN and its controls).
    """
    from genosynth.dna.wgan import SequenceWGAN
    from genosynth.models import MODELS

    sections = {}
    for name, cls in MODELS.items():
        if cls.is_trainable():
            controls = TRAINING_CONTROLS
        else:
            controls = CLOSED_FORM_CONTROLS[: 2 if cls.accepts_labels else 1]
        sections[name] = _model_section(cls, controls)
    models = {
        "type": "object",
        "description": "Haplotype models to train; a model runs when its key is present. "
        "Any other key names an instance of a registered model (`model: gan`), trained "
        "under that name with that model's parameters.",
        "default": {"bernoulli": {}, "markov": {"window": 5}},
        "additionalProperties": _instance_section(list(sections)),
        "properties": sections,
    }
    wgan = json_schema(SequenceWGAN.spec + DNA_WGAN_CONTROLS)
    wgan["description"] = "WGAN-GP (Killoran et al. 2017) settings shared by every generator."
    names = sorted(p.name for p in SequenceWGAN.spec + DNA_WGAN_CONTROLS)
    one = {"type": "object", "default": {}, "propertyNames": {"enum": names}}
    overrides = {
        "type": "object",
        "description": "Per-generator changes to `wgan` (seq = 50-mers, exon = exon windows, "
        "binding = restricted binding data, multi = the training probes of the multi-property "
        "sets).",
        "additionalProperties": False,
        "default": {},
        "properties": {k: {**one, "description": f"Overrides for wgan_{k}."}
                       for k in ("seq", "exon", "binding", "multi")},
    }  # fmt: skip
    return {
        "$defs": {
            "training_controls": json_schema(TRAINING_CONTROLS),
            "models": models,
            "dna_wgan": wgan,
            "dna_wgan_overrides": overrides,
        }
    }


def parameters_markdown() -> str:
    """``docs/parameters.md``: every model's parameters and the training controls."""
    from genosynth.dna.wgan import SequenceWGAN
    from genosynth.models import MODELS

    parts = [
        "# Parameters\n",
        "Generated from the models' parameter specs by `python tools/build_reference.py`: "
        "do not edit. Roles: `model` and `run` settings retrain the model (a run setting "
        "such as `epochs` can resume a killed run), `sampling` settings only redraw its AGs, "
        "`control` settings steer training. Every haplotype model also takes `repair` "
        "(context repair of its AGs, a sampling setting). Any other key of `models` names "
        "an instance of a registered model (`gan_paper: {model: gan, ...}`), with that "
        "model's parameters and defaults.\n",
    ]
    for name, cls in MODELS.items():
        doc = (cls.__doc__ or name).strip().splitlines()[0]
        parts.append(f"## `models.{name}`\n\n{doc}\n")
        if cls.spec:
            parts.append(markdown_table(cls.spec))
        kind = "training controls below" if cls.is_trainable() else "`seed`"
        parts.append(f"Also takes the {kind}.\n")
    parts.append("## Training controls (`models.gan`, `models.rbm`)\n")
    parts.append(markdown_table(TRAINING_CONTROLS))
    parts.append("## `dna.wgan` (and `dna.wgan_overrides.<generator>`)\n")
    parts.append(markdown_table(SequenceWGAN.spec + DNA_WGAN_CONTROLS))
    return "\n".join(parts)


def _resolve(schema: Mapping, root: Mapping) -> Mapping:
    """Follow a local ``$ref`` (``#/$defs/name``); sibling keys override the target's."""
    if "$ref" not in schema:
        return schema
    target = root
    for part in schema["$ref"].lstrip("#/").split("/"):
        target = target[part]
    return {**_resolve(target, root), **{k: v for k, v in schema.items() if k != "$ref"}}


def _fill_defaults(instance, schema: Mapping, root: Mapping | None = None) -> None:
    """Set missing keys of ``instance`` to their schema defaults, recursively."""
    root = schema if root is None else root
    schema = _resolve(schema, root)
    if not isinstance(instance, dict):
        return
    properties = {k: _resolve(v, root) for k, v in schema.get("properties", {}).items()}
    for key, sub in properties.items():
        if key not in instance and "default" in sub:
            instance[key] = _copy(sub["default"])
        if key in instance:
            _fill_defaults(instance[key], sub, root)
    extra = schema.get("additionalProperties")
    if isinstance(extra, Mapping):
        for key, value in instance.items():
            if key not in properties:
                _fill_defaults(value, extra, root)
    for branch in schema.get("allOf", []):  # if/then: the defaults of the branch that applies
        if "if" in branch and "then" in branch:
            test = jsonschema.Draft202012Validator({**branch["if"], "$defs": root.get("$defs", {})})
            if test.is_valid(instance):
                _fill_defaults(instance, branch["then"], root)


def _sorted(value):
    """``value`` with every mapping's keys in sorted order (recursively).

    Rule params are compared as written, so a config whose keys are merely
    reordered must not look changed and rerun jobs.
    """
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def _copy(value):
    return yaml.safe_load(yaml.safe_dump(value))


def _key_path(error: jsonschema.ValidationError) -> str:
    parts = [str(p) for p in error.absolute_path]
    if error.validator == "additionalProperties":
        # The message holds the unexpected key(s); name the first one.
        instance = error.instance if isinstance(error.instance, dict) else {}
        allowed = set(error.schema.get("properties", {}))
        unexpected = sorted(k for k in instance if k not in allowed)
        parts += unexpected[:1]
    if error.validator == "required":
        parts.append(error.message.split("'")[1])
    return ".".join(parts) or "<top level>"


def check_references(config: Mapping) -> None:
    """Check the settings that name other settings (after :func:`validate_config`).

    ``datasets.<ds>.source`` and ``datasets.<ds>.test_source`` must name keys of
    ``sources`` (two different ones), a dataset whose source has no population panel must
    not ask for labels (:func:`check_labels`), and a config without datasets must enable
    the DNA track (else it builds nothing).

    Raises
    ------
    ConfigError
        Naming the key, what it refers to and the known names.
    """
    sources = sorted(config.get("sources", {}))
    if not config.get("datasets") and not config.get("dna", {}).get("enabled"):
        raise ConfigError(
            "datasets",
            "no dataset and dna.enabled is false: nothing to build",
            fix="add a dataset under datasets, or set dna.enabled: true for a DNA-only run "
            "(config/dna_only.yaml)",
        )
    for name, dataset in config.get("datasets", {}).items():
        source = dataset.get("source")
        if source not in sources:
            raise ConfigError(
                f"datasets.{name}.source",
                f"no source {source!r}; the sources are {sources}",
                fix=f"name one of them, or add {source!r} under sources",
            )
        _check_test_source(name, dataset, sources)
    check_labels(config)


def _check_test_source(name: str, dataset: Mapping, sources: list[str]) -> None:
    """``datasets.<name>.test_source``: empty, or another source, on a haplotype dataset."""
    test_source = dataset.get("test_source") or ""
    key = f"datasets.{name}.test_source"
    if not test_source:
        return
    if test_source not in sources:
        raise ConfigError(
            key,
            f"no source {test_source!r}; the sources are {sources}",
            fix=f"name one of them, or add {test_source!r} under sources",
        )
    if test_source == dataset["source"]:
        raise ConfigError(
            key,
            f"is the dataset's own source {test_source!r}",
            fix="name a source of other individuals, or remove the key (internal split)",
        )
    if dataset.get("select") == "phenotype":
        raise ConfigError(
            key,
            "a held-out source needs a haplotype dataset; this one selects 'phenotype'",
            fix="remove the key (the internal split holds the phenotype)",
        )


def unlabelled_sources(config: Mapping) -> list[str]:
    """Sources without population labels: a ``vcf`` or ``hapt`` source with no ``panel``."""
    return sorted(
        name
        for name, src in config.get("sources", {}).items()
        if src.get("format") in ("vcf", "hapt") and not src.get("panel")
    )


def _label_uses(name: str, dataset: Mapping, config: Mapping):
    """(key, what) of each setting of dataset ``name`` that reads population labels."""
    if dataset.get("select") == "differentiated":
        yield f"datasets.{name}.select", "'differentiated' ranks SNPs by Fst between populations"
    for key in ("populations", "complement"):
        if dataset.get(key):
            yield f"datasets.{name}.{key}", f"{list(dataset[key])} are population labels"
    for model, params in config.get("models", {}).items():
        merged = dict(params or {}) | dict(dataset.get("model_overrides", {}).get(model, {}))
        where = "model_overrides." if model in dataset.get("model_overrides", {}) else ""
        key = f"datasets.{name}.{where}{model}" if where else f"models.{model}"
        if merged.get("conditional") in ("pop", "super_pop"):
            yield f"{key}.conditional", f"{merged['conditional']!r} trains on population labels"
        if merged.get("pool_others"):
            yield f"{key}.pool_others", "it pools the other populations"
    for analysis in ("selection", "painting"):
        section = config.get("downstream", {}).get(analysis, {})
        if name in section.get("datasets", []):
            yield f"downstream.{analysis}.datasets", f"{name!r} needs complementary populations"


def check_labels(config: Mapping) -> None:
    """Refuse settings that need population labels on a dataset of an unlabelled source.

    A source without a panel (:func:`unlabelled_sources`) is ingested with one label
    (the source's name) for every sample: ``select: differentiated``, ``populations``,
    ``complement``, conditional models (``conditional: pop|super_pop``), ``pool_others``
    and the selection scans and painting (complementary populations) have nothing to
    compare, and fail here, before any job.

    Raises
    ------
    ConfigError
        Naming the first such key, the source and the fix.
    """
    unlabelled = set(unlabelled_sources(config))
    for name, dataset in config.get("datasets", {}).items():
        source = dataset.get("source")
        if source not in unlabelled:
            continue
        for key, what in _label_uses(name, dataset, config):
            raise ConfigError(
                key,
                f"{what}, but source {source!r} has no population panel (every sample is "
                f"labelled {source!r})",
                fix=f"give sources.{source}.panel, or use no labels (select: thinned or "
                "region, no populations/complement, conditional: none, no pool_others, "
                f"{name!r} out of downstream.selection/painting)",
            )


def validate_config(config: dict, schema: Mapping) -> dict:
    """Fill defaults into ``config`` in place and validate it.

    Parameters
    ----------
    config : dict
        The loaded config (modified in place: defaults are added).
    schema : Mapping
        JSON schema (draft 2020-12), e.g. from :func:`load_schema`.

    Returns
    -------
    dict
        ``config``, for chaining; its mappings are re-ordered by key so that
        rule params do not depend on the order keys were written in.

    Raises
    ------
    ConfigError
        For the first (most specific) problem, naming its key path.
    """
    _fill_defaults(config, schema)
    canonical = _sorted(config)
    config.clear()
    config.update(canonical)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: -len(e.absolute_path))
    if errors:
        err = errors[0]
        if err.validator == "additionalProperties":
            allowed = sorted(err.schema.get("properties", {}))
            raise ConfigError(
                _key_path(err),
                "unknown key",
                fix=f"remove it or use one of {allowed} (see config/README.md)",
            )
        raise ConfigError(_key_path(err), err.message, fix="see config/README.md")
    return config
