"""Validation of workflow configs against the JSON schema, with defaults.

The workflow calls :func:`validate_config` before any job runs; the first
problem is reported as a :class:`~genosynth.errors.ConfigError` naming the
key path (``datasets.wide.n_snps``), so an invalid config fails up front.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import jsonschema
import yaml

from genosynth.errors import ConfigError

__all__ = ["load_schema", "validate_config"]


def load_schema(path: str | os.PathLike) -> dict:
    """Read a JSON schema written as YAML."""
    with open(path) as fh:
        return yaml.safe_load(fh)


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
