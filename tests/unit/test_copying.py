"""The Li-Stephens copying model: switch and mismatch rates, limits, a plain reference loop."""

import numpy as np
import pytest

from genosynth.errors import GenosynthError
from genosynth.models import MODELS, get_model, load_model
from genosynth.models.copying import CopyingModel, copy_mosaics

#: Two sources, all 0 and all 1: an AG changes allele between adjacent SNPs exactly when it
#: switches to the other source, with probability switch / 2.
ZEROS_ONES = np.array([[0] * 50, [1] * 50], dtype=np.int8)


def test_registered():
    assert MODELS["copying"] is CopyingModel


def test_allele_changes_between_adjacent_snps_are_half_the_switch_rate():
    ags = get_model("copying", segment_sites=4).fit(ZEROS_ONES, seed=0).sample(4000, seed=1)
    changes = np.mean(ags[:, 1:] != ags[:, :-1])
    # 4000 x 49 pairs: standard error sqrt(0.125 * 0.875 / 196000) = 0.00075
    assert changes == pytest.approx(0.125, abs=0.004)
    assert ags[:, 0].mean() == pytest.approx(0.5, abs=0.03)  # first source uniform


def test_long_segments_copy_whole_training_haplotypes():
    rng = np.random.default_rng(3)
    training = (rng.random((6, 40)) < 0.5).astype(np.int8)
    ags = get_model("copying", segment_sites=1e12).fit(training, seed=0).sample(200, seed=2)
    matches = (ags[:, None, :] == training[None, :, :]).all(axis=2)
    assert matches.any(axis=1).all()  # every AG is one training haplotype
    assert len(np.unique(matches.argmax(axis=1))) == 6  # and all six are used


def test_one_snp_segments_keep_frequencies_and_drop_ld():
    rng = np.random.default_rng(4)
    block = (rng.random((300, 1)) < 0.3).astype(np.int8)
    training = np.repeat(block, 20, axis=1)  # 20 SNPs in complete LD, frequency ~0.3
    ags = get_model("copying", segment_sites=1).fit(training, seed=0).sample(5000, seed=5)
    np.testing.assert_allclose(ags.mean(axis=0), training.mean(), atol=0.03)
    r = np.corrcoef(ags[:, 0], ags[:, 1])[0, 1]
    assert abs(r) < 0.05  # the training r is 1


def test_mismatch_flips_copied_alleles():
    zeros = np.zeros((3, 100), dtype=np.int8)
    model = get_model("copying", segment_sites=10, mismatch=0.1).fit(zeros, seed=0)
    assert model.sample(1000, seed=6).mean() == pytest.approx(0.1, abs=0.005)


def test_matches_a_plain_loop_on_the_same_draws():
    rng = np.random.default_rng(7)
    training = (rng.random((5, 30)) < 0.4).astype(np.int8)
    switch, mismatch = 0.2, 0.05
    fast = copy_mosaics(
        training, 12, switch=switch, mismatch=mismatch, rng=np.random.default_rng(8)
    )
    draws = np.random.default_rng(8)
    new_source = draws.random((12, 30)) < switch
    new_source[:, 0] = True
    sources = iter(draws.integers(0, 5, size=int(new_source.sum())))
    flips = draws.random((12, 30)) < mismatch
    plain = np.empty((12, 30), dtype=np.int8)
    for i in range(12):
        for j in range(30):
            if new_source[i, j]:
                source = next(sources)
            plain[i, j] = training[source, j] ^ flips[i, j]
    np.testing.assert_array_equal(fast, plain)


def test_sampling_in_chunks_gives_the_same_mosaic_statistics(monkeypatch):
    import genosynth.models.copying as copying

    monkeypatch.setattr(copying, "_CHUNK_ELEMENTS", 100)  # 2 AGs per chunk
    ags = copy_mosaics(ZEROS_ONES, 2001, switch=0.25, mismatch=0, rng=np.random.default_rng(9))
    assert ags.shape == (2001, 50) and ags.dtype == np.int8
    assert np.mean(ags[:, 1:] != ags[:, :-1]) == pytest.approx(0.125, abs=0.005)


def test_checkpoint_round_trip_keeps_parameters(tmp_path):
    model = get_model("copying", segment_sites=7, mismatch=0.01).fit(ZEROS_ONES, seed=0)
    model.save(tmp_path / "c.npz")
    back = load_model(tmp_path / "c.npz")
    assert back.params == {"segment_sites": 7.0, "mismatch": 0.01}
    np.testing.assert_array_equal(back.haplotypes, ZEROS_ONES)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"segment_sites": 0.5}, "copying.segment_sites': must be a number >= 1, got 0.5"),
        ({"segment_sites": True}, "copying.segment_sites': must be a number >= 1, got True"),
        ({"segment_sites": float("inf")}, "copying.segment_sites': must be a number >= 1"),
        ({"mismatch": 0.6}, "copying.mismatch': must be a number >= 0 and <= 0.5, got 0.6"),
        ({"mismatch": "0.1"}, "copying.mismatch': must be a number >= 0 and <= 0.5"),
    ],
)
def test_bad_parameters_say_what_is_allowed(params, message):
    with pytest.raises(GenosynthError, match=message):
        get_model("copying", **params)


def test_state_of_another_width_is_refused():
    model = get_model("copying").fit(ZEROS_ONES, seed=0)
    with pytest.raises(GenosynthError, match="copying state has 3 sites, model has 50"):
        model.set_state({"haplotypes": np.zeros((2, 3), dtype=np.int8)})


def test_conditional_copies_within_each_label():
    training = np.repeat(np.array([[0] * 8, [1] * 8, [0, 1] * 4], dtype=np.int8), [10, 20, 10], 0)
    labels = np.repeat([3, 5, 9], [10, 20, 10])
    model = get_model("copying", segment_sites=2).fit(training, seed=0, labels=labels)
    assert model.is_conditional and model.label_values.tolist() == [3, 5, 9]
    np.testing.assert_allclose(model.label_proportions, [0.25, 0.5, 0.25])
    asked = np.array([5, 3, 9, 5])
    ags = model.sample(4, seed=1, labels=asked)
    np.testing.assert_array_equal(ags, training[[10, 0, 30, 10]])  # one pattern per label
    drawn = model.sample(4000, seed=2)  # labels in the training proportions
    ones = drawn.sum(axis=1)  # 0, 8 and 4 for the three labels' patterns
    shares = [np.mean(ones == 0), np.mean(ones == 8), np.mean(ones == 4)]
    np.testing.assert_allclose(shares, [0.25, 0.5, 0.25], atol=0.03)


def test_conditional_round_trip_and_label_errors(tmp_path):
    labels = np.array([0, 1])
    model = get_model("copying").fit(ZEROS_ONES, seed=0, labels=labels)
    model.save(tmp_path / "c.npz")
    back = load_model(tmp_path / "c.npz")
    np.testing.assert_array_equal(back.sample(3, seed=4, labels=1), np.ones((3, 50), np.int8))
    with pytest.raises(GenosynthError, match=r"unknown label\(s\) \[2\]"):
        back.sample(2, seed=0, labels=[0, 2])
    with pytest.raises(GenosynthError, match="fitted without labels"):
        get_model("copying").fit(ZEROS_ONES, seed=0).sample(2, seed=0, labels=0)
    with pytest.raises(GenosynthError, match="copying state has 1 labels for 2 haplotypes"):
        back.set_state({"haplotypes": ZEROS_ONES, "labels": np.array([0])})


def test_one_label_for_all_rows_is_kept_per_row():
    model = get_model("copying").fit(ZEROS_ONES, seed=0, labels=4)
    assert model.labels.tolist() == [4, 4] and model.label_values.tolist() == [4]
    assert model.sample(3, seed=1).shape == (3, 50)
    with pytest.raises(GenosynthError, match="labels must be 2 integers"):
        get_model("copying").fit(ZEROS_ONES, seed=0, labels=[0.5, 1.5])
