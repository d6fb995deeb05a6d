"""docs/results.md is built from experiments/*/results.tsv by tools/build_results.py: the
committed file equals a rebuild byte for byte, and every study folder is complete."""

from __future__ import annotations

import importlib.util

import pytest
from conftest import REPO

STUDIES = sorted(p for p in (REPO / "experiments").iterdir() if p.is_dir())


def load_builder():
    spec = importlib.util.spec_from_file_location("build_results", REPO / "tools/build_results.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_results_doc_equals_a_rebuild():
    committed = (REPO / "docs/results.md").read_bytes()
    assert load_builder().build(REPO).encode("utf-8") == committed, (
        "docs/results.md is stale: run .venv/bin/python tools/build_results.py"
    )


def test_rebuild_is_deterministic():
    builder = load_builder()
    assert builder.build(REPO) == builder.build(REPO)


def test_there_are_studies():
    assert len(STUDIES) >= 10


@pytest.mark.parametrize("study", STUDIES, ids=lambda p: p.name)
def test_study_folder_has_readme_results_and_config(study):
    for name in ("README.md", "results.tsv", "config.yaml"):
        assert (study / name).is_file(), f"experiments/{study.name} lacks {name}"
    builder = load_builder()
    assert builder.read_title(study / "README.md")
    rows = builder.read_table(study / "results.tsv")  # raises on ragged rows
    assert len(rows) >= 2, f"experiments/{study.name}/results.tsv has no runs"
    assert all(rows[0]), f"experiments/{study.name}/results.tsv has an unnamed column"
    readme = (study / "README.md").read_text()
    assert "**Re-run.**" in readme and "**Question.**" in readme


def test_every_study_is_in_the_results_doc():
    text = (REPO / "docs/results.md").read_text()
    for study in STUDIES:
        assert f'<a id="{study.name}"></a>' in text


def test_ragged_table_is_refused(tmp_path):
    table = tmp_path / "results.tsv"
    table.write_text("a\tb\n1\t2\n3\n")
    with pytest.raises(ValueError, match="line 3: 1 cells, header has 2"):
        load_builder().read_table(table)
