"""ChromoPainter v2 files: they parse back to the input haplotypes; recombination rates and
id / population files by hand; chunk-count output parsing."""

from __future__ import annotations

import numpy as np
import pytest

from genosynth.downstream import painting
from genosynth.errors import GenosynthError


def test_painting_inputs_parse_back(tmp_path):
    rng = np.random.default_rng(0)
    haps = rng.integers(0, 2, (8, 5), dtype=np.int8)
    pos = np.array([100, 250, 400, 1000, 2000])
    cm = np.array([0.0, 0.0003, 0.0006, 0.0012, 0.0022])
    paths = {k: tmp_path / f"cp.{k}" for k in ("phase", "recomb", "ids", "poplist")}
    painting.write_painting_inputs(
        paths, haplotypes=haps, positions=pos, cm=cm,
        individuals=["d1", "d2", "r1", "g1"], populations=["AFR", "AFR", "real", "gan"],
        donors=["AFR"],
    )  # fmt: skip
    back, back_pos = painting.read_phase(paths["phase"])
    np.testing.assert_array_equal(back, haps)
    np.testing.assert_array_equal(back_pos, pos)
    lines = paths["phase"].read_text().splitlines()
    assert lines[:3] == ["8", "5", "P 100 250 400 1000 2000"]
    assert lines[3] == "".join(map(str, haps[0]))
    recomb = painting.read_recomb(paths["recomb"])
    assert paths["recomb"].read_text().splitlines()[0] == "start.pos recom.rate.perbp"
    # 0.0003 cM over 150 bp = 3e-6 M / 150 bp = 2e-8 per bp; 0.001 cM / 1000 bp = 1e-8
    np.testing.assert_allclose(recomb.rate, [2e-8, 2e-8, 1e-8, 1e-8, 0.0])
    assert paths["ids"].read_text() == "d1 AFR 1\nd2 AFR 1\nr1 real 1\ng1 gan 1\n"
    assert paths["poplist"].read_text() == "AFR D\nreal R\ngan R\n"


def test_bad_shapes_write_nothing(tmp_path):
    paths = {k: tmp_path / f"cp.{k}" for k in ("phase", "recomb", "ids", "poplist")}
    with pytest.raises(GenosynthError, match="do not fit"):
        painting.write_painting_inputs(
            paths, haplotypes=np.zeros((3, 2), np.int8), positions=np.array([1, 2]),
            cm=np.zeros(2), individuals=["a", "b"], populations=["p", "p"], donors=["p"],
        )  # fmt: skip
    with pytest.raises(GenosynthError, match="increase"):
        painting.recombination_rates(np.array([5, 5]), np.zeros(2))
    assert not list(tmp_path.iterdir())


def test_read_chunkcounts(tmp_path):
    path = tmp_path / "x.chunkcounts.out"
    path.write_text("#Cfactor 0.5\nRecipientInd AFR EAS\nr1 10.5 3\ng1 8 4.5\n")
    counts = painting.read_chunkcounts(path)
    assert list(counts.columns) == ["AFR", "EAS"]
    assert counts.loc["g1", "EAS"] == 4.5 and counts.loc["r1", "AFR"] == 10.5
