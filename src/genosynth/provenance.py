"""Provenance sidecars: what made an output table or AG file.

Every TSV table (:func:`write_table`) and every ``.hapt``
file (:func:`genosynth.formats.write_hapt`, AGs included) gets a JSON sidecar
``<file>.provenance.json`` beside it, so the file itself stays a plain table
that pandas, the paper's scripts and other tools read unchanged::

    {"file": "gan.hapt.gz", "sha256": "...", "genosynth_version": "0.1.0",
     "step": "sample", "seed": 7, "params": {...}, "inputs": {...}}

``sha256`` ties the record to the bytes it describes: :func:`read_provenance`
refuses a sidecar whose file has changed since. A record holds no time (the
file's modification time says when), so that runs with the same seeds and
settings write the same bytes. VCFs carry the same record in
a ``##genosynth_provenance=`` header line.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from genosynth import __version__
from genosynth.errors import GenosynthError
from genosynth.fileio import atomic_path

__all__ = [
    "SUFFIX",
    "read_provenance",
    "record",
    "sha256sum",
    "sidecar_path",
    "write_provenance",
    "write_table",
]

SUFFIX = ".provenance.json"


def sha256sum(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sidecar_path(path: str | os.PathLike) -> Path:
    """``<path>.provenance.json``."""
    return Path(f"{os.fspath(path)}{SUFFIX}")


SEED_KEYS = ("seed", "random_state")


def _seed(params: Mapping) -> Any:
    """A top-level seed of ``params``, else the seed of its only nested section with one."""
    for key in SEED_KEYS:
        if key in params:
            return params[key]
    nested = [
        v[key] for v in params.values() if isinstance(v, Mapping) for key in SEED_KEYS if key in v
    ]
    return nested[0] if len(nested) == 1 else None


def record(
    step: str,
    *,
    params: Mapping | None = None,
    seed: int | None = None,
    inputs: Mapping | None = None,
) -> dict:
    """A provenance record: version, step, seed, params and inputs.

    Parameters
    ----------
    step : str
        The library step that wrote the file (e.g. ``"sample"``).
    params : mapping, optional
        The settings the step used (the rule's params); JSON-serialisable.
    seed : int, optional
        The seed of the step's randomness; default: ``params["seed"]`` (or
        ``random_state``), else the seed of its only nested section that has
        one; ``None`` for a deterministic step.
    inputs : mapping, optional
        Input name -> path (or list of paths).

    Returns
    -------
    dict
    """
    params = dict(params or {})
    return {
        "genosynth_version": __version__,
        "step": step,
        "seed": _seed(params) if seed is None else seed,
        "params": params,
        "inputs": {k: _jsonable(v) for k, v in (inputs or {}).items()},
    }


def _jsonable(value):
    if isinstance(value, str | os.PathLike):
        return os.fspath(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def write_provenance(path: str | os.PathLike, provenance: Mapping | None) -> Path:
    """Write the sidecar of the (already written) file ``path``, atomically.

    Parameters
    ----------
    path : str or os.PathLike
        The data file; its SHA-256 goes into the record.
    provenance : mapping or None
        A :func:`record` (or any mapping of extra keys); ``None`` records the
        genosynth version only.

    Returns
    -------
    pathlib.Path
        The sidecar path.
    """
    body = {"file": Path(path).name, "sha256": sha256sum(path)}
    body |= {"genosynth_version": __version__}
    body |= dict(provenance or {})
    out = sidecar_path(path)
    text = json.dumps(body, indent=2, sort_keys=False, default=str) + "\n"
    with atomic_path(out) as tmp:
        tmp.write_text(text)
    return out


def write_table(path, frame, *, provenance: Mapping | None = None) -> None:
    """Write a tab-separated table atomically, with its provenance sidecar.

    Lives here, beside :func:`write_provenance`, so that every layer (the library,
    training, every :mod:`genosynth.steps` module) writes tables one way.

    Parameters
    ----------
    path : str or os.PathLike
        Destination; ``<path>.provenance.json`` is written beside it.
    frame : pandas.DataFrame
        The table (header, no index).
    provenance : mapping, optional
        A :func:`record` (step, seed, params, inputs); without it the sidecar
        records the genosynth version and checksum only.
    """
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, sep="\t", index=False)
    write_provenance(path, provenance)


def read_provenance(path: str | os.PathLike, *, verify: bool = True) -> dict:
    """The provenance record of a file written by genosynth.

    Raises
    ------
    GenosynthError
        No sidecar, or (``verify``) the file no longer has the recorded SHA-256.
    """
    side = sidecar_path(path)
    if not side.is_file():
        raise GenosynthError(f"{path}: no provenance record ({side.name} is missing)")
    body = json.loads(side.read_text())
    if verify and body.get("sha256") != sha256sum(path):
        raise GenosynthError(
            f"{path}: changed since {side.name} was written (sha256 differs); "
            "rerun the step that makes it"
        )
    return body
