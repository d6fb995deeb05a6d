"""DNA figures return the data they draw: checked on hand-made inputs."""

from __future__ import annotations

import numpy as np
import pytest

from genosynth.dna import figures, logos, motifs, sequences


def test_splice_logos_draw_bits_per_base(tmp_path):
    # flank 2: every start reads AG|CC (2 bits each), ends read half TT|GT, half TT|GA
    starts = sequences.encode(["AGCC", "AGCC"])
    ends = sequences.encode(["TTGT", "TTGA"])
    drawn = figures.splice_logos(tmp_path / "s.png", {"real": (starts, ends)}, 2, label="demo")
    start = drawn[("real", "exon start")]
    assert list(start.index) == [-2, -1, 0, 1]
    assert start.loc[-2, "A"] == pytest.approx(2.0) and start.loc[-1, "G"] == pytest.approx(2.0)
    end = drawn[("real", "exon end")]
    assert end.loc[0, "G"] == pytest.approx(2.0)
    # position +1: half T, half A -> 1 bit, drawn as 0.5 bit each
    assert end.loc[1, "T"] == pytest.approx(0.5) and end.loc[1, "A"] == pytest.approx(0.5)
    assert (tmp_path / "s.png").stat().st_size > 0


def test_edit_distance_histogram_counts(tmp_path):
    drawn = figures.edit_distance(tmp_path / "e.png", np.array([0, 1, 1]), np.array([2]))
    np.testing.assert_array_equal(drawn["bins"], [-0.5, 0.5, 1.5, 2.5, 3.5])
    np.testing.assert_array_equal(drawn["generated"], [1, 2, 0, 0])
    np.testing.assert_array_equal(drawn["held_out"], [0, 0, 1, 0])


def test_binding_design_marks_the_full_data_decile(tmp_path):
    drawn = figures.binding_design(
        tmp_path / "b.png", np.array([0.0, 1.0]), np.array([2.0, 3.0]), 1.0,
        full=np.arange(10.0), tf="gcpbm", units="gcPBM log signal", copies=0.5,
    )  # fmt: skip
    assert drawn["full_top_decile"] == pytest.approx(8.1) and drawn["train_max"] == 1.0
    width = np.diff(drawn["bins"])[0]
    assert drawn["designed"].sum() * width == pytest.approx(1.0)  # a density
    assert drawn["bins"][0] == 0.0 and drawn["bins"][-1] == 9.0


def test_multi_property_design_margin(tmp_path):
    training = (np.array([0.0, 1.0]), np.array([1.0, 0.0]))
    designed = (np.array([3.0, 2.0]), np.array([1.0, 0.5]))
    drawn = figures.multi_property_design(
        tmp_path / "m.png", training, designed, ["myc", "usf1"], weight=2.0, threshold=1.0,
        units=["bound 1 / unbound 0"] * 2, above=0.5,
    )  # fmt: skip
    np.testing.assert_allclose(drawn["designed_margin"], [1.0, 1.0])  # 3 - 2*1, 2 - 2*0.5
    assert drawn["threshold"] == 1.0


def test_motif_design_logo_and_boxes(tmp_path):
    counts = np.array([[10, 0, 0, 0], [0, 10, 0, 0], [0, 0, 10, 0]])  # ACG, 2 bits per column
    codes = sequences.encode(["TTACGT", "ACGTTT"])
    drawn = figures.motif_design(tmp_path / "d.png", counts, "ACG", codes,
                                 motifs.log_odds(counts))  # fmt: skip
    np.testing.assert_allclose(drawn["logo"], 2.0 * np.eye(4)[:3])
    assert drawn["boxes"] == [(0, 2), (1, 0)]


def test_latent_interpolation_image_shades_by_probability(tmp_path):
    x = np.zeros((2, 3, 4), np.float32)
    x[0, :, 0] = 1.0  # A at full strength: pure green
    x[1, :, 3] = 0.5  # T at half strength: half way from white to red
    drawn = figures.latent_interpolation(tmp_path / "l.png", np.array([0.0, 1.0]), x,
                                         ["AAA", "TTT"])  # fmt: skip
    np.testing.assert_allclose(drawn["rgb"][0, 0], [0.0, 0.5, 0.0])
    np.testing.assert_allclose(drawn["rgb"][1, 0], [1.0, 0.5, 0.5])


def test_logo_matrix_matches_information():
    codes = sequences.encode(["AC", "AG"])
    matrix = logos.logo_matrix(codes)
    np.testing.assert_allclose(matrix.sum(axis=1), logos.information(codes))
