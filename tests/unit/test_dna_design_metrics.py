"""DNA track: design copies, novelty, success against the full data, motif cores; splice bits.

Every expected value is worked by hand in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from genosynth.dna import logos, sequences
from genosynth.dna.metrics import (
    contains_core,
    design_report,
    motif_core,
    nearest_training_distance,
)


def test_information_of_hand_made_columns():
    # column 0 all A: 2 bits; column 1 one of each base: 0 bits; column 2 half A half C: 1 bit
    codes = sequences.encode(["AAA", "ACC", "AGA", "ATC"])
    np.testing.assert_allclose(logos.information(codes), [2.0, 0.0, 1.0])
    # correction for n = 4: 3 / (2 * 4 * ln 2) = 0.5410 bits off every column
    e = 3 / (8 * math.log(2))
    assert logos.small_sample_correction(4) == pytest.approx(0.5410, abs=1e-4)
    np.testing.assert_allclose(logos.information(codes, correct=True), [2 - e, -e, 1 - e])


def test_splice_bits_are_corrected_means_of_the_two_bases():
    # flank 2: acceptor = columns 0, 1 of starts; donor = columns 2, 3 of ends
    starts = sequences.encode(["AGCC", "AGTT"])  # AG in both: 2 + 2 bits
    ends = sequences.encode(["CCGT", "CCGA"])  # G (2 bits), then T/A (1 bit); GT in one
    info = logos.splice_site_information(starts, ends, flank=2)
    e = 3 / (2 * 2 * math.log(2))  # n = 2: 1.0820 bits
    assert info["acceptor_ag_bits"] == pytest.approx(2 - e)  # 0.918
    assert info["donor_gt_bits"] == pytest.approx(1.5 - e)  # 0.418
    assert info["acceptor_ag_share"] == 1.0 and info["donor_gt_share"] == 0.5


def test_motif_core_and_either_strand():
    # columns: uniform, A, C, G, uniform -> the 3 most informative adjacent columns are ACG
    counts = np.array([[5, 5, 5, 5], [20, 0, 0, 0], [0, 20, 0, 0], [0, 0, 20, 0], [5, 5, 5, 5]])
    core = motif_core(counts, width=3)
    assert sequences.decode(core[None]) == ["ACG"]
    # ACG forward in 0, its reverse complement CGT in 1, neither in 2
    codes = sequences.encode(["TACGTT", "TTCGTT", "TTTTTT"])
    np.testing.assert_array_equal(contains_core(codes, core), [True, True, False])


def test_design_report_of_hand_made_designs():
    training = sequences.encode(["AAAA", "CCCC", "GGGG"])
    designs = sequences.encode(["AAAA", "AAAT", "AAAT", "TTTT"])
    # nearest training: AAAA 0 (a copy), AAAT 1, AAAT 1, TTTT 4
    scores = [10.0, 9.5, 3.0, 1.0]
    full = np.arange(10.0)  # 90th percentile 8.1, max 9
    core = sequences.encode(["AAT"])[0]  # reverse complement ATT
    values = design_report(designs, scores, training, full, core=core)
    assert values["n_designs"] == 4 and values["n_novel_designs"] == 3
    assert values["design_copy_share"] == 0.25
    assert values["design_unique_share"] == 0.75
    assert values["design_edit_distance_mean"] == 1.5  # (0 + 1 + 1 + 4) / 4
    assert values["design_edit_distance_median"] == 1.0
    assert values["full_data_top_decile"] == pytest.approx(8.1) and values["full_data_max"] == 9
    # the copy scores 10 but is no design; only AAAT at 9.5 beats 8.1 and 9, 1 of 4
    assert values["design_above_top_decile_share"] == 0.25
    assert values["design_above_max_share"] == 0.25
    assert values["novel_design_score_mean"] == pytest.approx((9.5 + 3 + 1) / 3)
    # ATT is not in TTTT either: 2 of 4 designs, none of the training sequences
    assert values["core_share_design"] == 0.5 and values["core_share_training"] == 0.0


def test_design_report_counts_all_copies_as_failures():
    training = sequences.encode(["ACGT", "TTTT"])
    designs = sequences.encode(["ACGT", "ACGT"])
    values = design_report(designs, [100.0, 100.0], training, [0.0, 1.0])
    assert values["design_copy_share"] == 1.0 and values["n_novel_designs"] == 0
    assert values["design_above_max_share"] == 0.0
    assert values["design_unique_share"] == 0.5
    assert math.isnan(values["novel_design_score_mean"])


def test_nearest_training_distance_finds_copies_in_a_large_training_set():
    rng = np.random.default_rng(0)
    training = rng.integers(0, 4, (300, 20)).astype(np.uint8)
    designs = training[[57, 3]].copy()
    designs[1, 5] = (designs[1, 5] + 1) % 4  # one substitution from row 3
    # 300 rows > n_random + n_hamming: the Hamming-nearest rows hold the copy and near-copy
    out = nearest_training_distance(designs, training, n_random=10, n_hamming=2)
    np.testing.assert_array_equal(out, [0, 1])


def test_report_names_are_in_the_metric_registry():
    from genosynth.metrics import unknown_metrics

    seqs = sequences.encode(["ACGT", "TTTT"])
    names = list(design_report(seqs, [1.0, 2.0], seqs[:1], [0.0, 1.0], core=seqs[0, :2]))
    info = logos.splice_site_information(seqs, seqs, flank=2)
    names += [f"{k}_{s}" for k in info for s in ("real", "generated")]
    assert unknown_metrics(names) == []


def test_binding_units_name_the_scale():
    from genosynth.steps.dna import binding_units

    assert binding_units({"format": "gcpbm", "transform": "none"}) == "gcPBM log signal"
    assert binding_units({"format": "selex", "transform": "log2"}) == "log2(SELEX value)"
    assert binding_units({"format": "simulate", "transform": "log2"}) == "simulated log2 binding"
    assert binding_units({"format": "tsv", "column": "kd", "transform": "none"}) == "kd"
