"""Provenance sidecars of tables and .hapt files: version, seed, params, checksum."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genosynth import __version__, formats
from genosynth.errors import GenosynthError
from genosynth.provenance import read_provenance, record, sidecar_path, write_table


def test_record_takes_the_seed_from_params():
    assert record("x", params={"seed": 3, "n": 1})["seed"] == 3
    assert record("x", params={"umap": {"seed": 5}, "models": ["gan"]})["seed"] == 5
    assert record("x", params={"a": {"seed": 1}, "b": {"seed": 2}})["seed"] is None  # ambiguous
    assert record("x", params={"seed": 3}, seed=9)["seed"] == 9
    assert record("x", params={"settings": {"random_state": 0}})["seed"] == 0
    made = record("x", inputs={"train": Path("a/b.hapt.gz")})
    assert made["inputs"] == {"train": "a/b.hapt.gz"} and made["genosynth_version"] == __version__


def test_table_sidecar_records_version_seed_params_and_checksum(tmp_path):
    path = tmp_path / "metrics.tsv"
    frame = pd.DataFrame({"dataset": ["wide"], "model": ["gan"], "metric": ["m"], "value": [0.5]})
    made = record("figure:umap", params={"settings": {"seed": 4, "n_neighbors": 15}})
    write_table(path, frame, provenance=made)
    assert path.read_text() == "dataset\tmodel\tmetric\tvalue\nwide\tgan\tm\t0.5\n"  # plain table
    side = json.loads(sidecar_path(path).read_text())
    assert side["file"] == "metrics.tsv"
    assert side["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert side["genosynth_version"] == __version__ and side["step"] == "figure:umap"
    assert side["seed"] == 4 and side["params"]["settings"]["n_neighbors"] == 15
    assert read_provenance(path)["params"] == made["params"]


def test_table_without_record_still_names_the_version(tmp_path):
    path = tmp_path / "t.tsv"
    write_table(path, pd.DataFrame({"a": [1]}))
    side = read_provenance(path)
    assert side["genosynth_version"] == __version__ and "seed" not in side


def test_hapt_sidecar_and_changed_file_is_refused(tmp_path):
    path = tmp_path / "ags.hapt.gz"
    haps = np.array([[0, 1, 1], [1, 0, 0]], dtype=np.int8)
    made = record("sample", seed=7, params={"model": "gan", "model_params": {"seed": 13}})
    formats.write_hapt(path, haps, ["AG00001_A", "AG00001_B"], tag="AG", provenance=made)
    ids, matrix = formats.read_hapt_matrix(path)  # the .hapt keeps the paper's layout
    assert ids == ["AG00001_A", "AG00001_B"] and np.array_equal(matrix, haps)
    side = read_provenance(path)
    assert side["seed"] == 7 and side["params"]["model_params"]["seed"] == 13
    formats.write_hapt(path, haps[::-1], ["AG00001_A", "AG00001_B"], tag="AG")  # no new record
    with pytest.raises(GenosynthError, match="changed since ags.hapt.gz.provenance.json"):
        read_provenance(path)
    with pytest.raises(GenosynthError, match="no provenance record"):
        read_provenance(tmp_path / "other.tsv")
