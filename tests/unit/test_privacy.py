"""AATS, privacy loss, exact copies, membership inference and the export gate."""

import numpy as np
import pytest

from genosynth.errors import GenosynthError
from genosynth.evaluate.privacy import (
    PrivacyGateError,
    aats,
    aats_sensitivity,
    exact_copies,
    fold_aats,
    membership_auc,
    privacy_gate,
    privacy_loss,
    privacy_metrics,
)


def population(n, m=200, seed=0, freq_seed=100):
    """Independent haplotypes from one set of allele frequencies."""
    p = np.random.default_rng(freq_seed).uniform(0.1, 0.9, m)
    return (np.random.default_rng(seed).random((n, m)) < p).astype(np.int8)


def H(*rows):
    return np.array([[int(c) for c in r] for r in rows], dtype=np.int8)


def test_hand_worked_aats():
    # d_TT = 2 for both reals; S0 = 0010: d_ST = 1, d_SS = 2; S1 = 1110: d_ST = 3 > d_SS = 2
    result = aats(H("0000", "0011"), H("0010", "1110"))
    assert result == {"AA_truth": 0.0, "AA_syn": 0.5, "AATS": 0.25, "n": 2}


def test_ties_count_as_zero():
    # every d_TS == d_TT == d_ST == d_SS == 2: strict '>' gives 0 (">=" would give 1)
    result = aats(H("0000", "0011"), H("1100", "1111"))
    assert result["AA_truth"] == 0.0 and result["AA_syn"] == 0.0 and result["AATS"] == 0.0


def test_identical_sets_give_zero():
    real = population(60)
    result = aats(real, real.copy())
    assert result["AA_truth"] == 0.0 and result["AA_syn"] == 0.0 and result["AATS"] == 0.0


def test_far_apart_sets_give_one():
    rng = np.random.default_rng(1)
    real = (rng.random((40, 100)) < 0.05).astype(np.int8)  # mostly 0 with noise
    synthetic = (rng.random((40, 100)) > 0.05).astype(np.int8)  # mostly 1 with noise
    result = aats(real, synthetic)
    assert result["AA_truth"] == 1.0 and result["AA_syn"] == 1.0 and result["AATS"] == 1.0


def test_same_distribution_is_near_one_half():
    result = aats(population(300, seed=1), population(300, seed=2))
    assert 0.35 < result["AATS"] < 0.65


def test_unequal_sizes_are_subsampled_reproducibly():
    real = population(50, seed=1)
    synthetic = population(80, seed=2)
    first = aats(real, synthetic, seed=7)
    assert first["n"] == 50
    assert aats(real, synthetic, seed=7) == first


def test_privacy_loss_is_positive_for_copies_of_train():
    train = population(120, seed=1)
    test = population(120, seed=2)
    rng = np.random.default_rng(3)
    copies = train.copy()
    flip = rng.integers(0, train.shape[1], train.shape[0])
    copies[np.arange(train.shape[0]), flip] ^= 1  # near-copies: one site changed each
    on_train = aats(train, copies)
    on_test = aats(test, copies)
    assert on_train["AATS"] < 0.1
    assert on_test["AATS"] > on_train["AATS"] + 0.3
    loss = privacy_loss(on_test, on_train)
    assert loss == pytest.approx(on_test["AATS"] - on_train["AATS"])
    assert loss > 0.3
    assert privacy_loss(0.6, 0.5) == pytest.approx(0.1)


def test_fold_aats_is_aats_at_equal_sizes():
    real, synthetic = population(40, seed=1), population(40, seed=3)
    result = fold_aats(real, synthetic, seed=5)
    plain = aats(real, synthetic)
    assert result == {key: plain[key] for key in ("AA_truth", "AA_syn", "AATS", "n")} | {"pairs": 1}
    with pytest.raises(GenosynthError, match="fold size 41 must be between 2 and .* 40 rows"):
        fold_aats(real, synthetic, size=41)


def test_fold_aats_by_hand():
    # folds of 2: the 4 training rows (4 apart from each other) form two folds, and whichever
    # way they are cut, one fold holds r0, which s0 copies:
    #   fold with r0: AA_truth 0 (r0: d_TS 0; the other: d_TS <= 4 = d_TT), AA_syn 0
    #     (s0: d_ST 0; s1: d_ST = d(s1, r0) = 1 = d_SS, a tie) -> AATS 0;
    #   fold without r0: AA_truth 0 (r1: d_TS 3 < 4; r2, r3: 4 = 4), AA_syn 1 (d_ST >= 3 > 1)
    #     -> AATS 0.5;
    # so the fold mean is 0.25, while one subsample (aats) gives 0 or 0.5.
    train = H("11000000", "00110000", "00001100", "00000011")
    synthetic = H("11000000", "11100000")
    for seed in range(4):
        result = fold_aats(train, synthetic, seed=seed)
        assert result == {"AA_truth": 0.0, "AA_syn": 0.5, "AATS": 0.25, "n": 2, "pairs": 2}
        assert aats(train, synthetic, seed=seed)["AATS"] in (0.0, 0.5)
    # 4 synthetic rows in folds of 2 against 2 real rows: 2 pairs
    doubled = np.concatenate([synthetic, synthetic])
    assert fold_aats(train[:2], doubled, seed=0)["pairs"] == 2
    with pytest.raises(GenosynthError, match="real has 8 sites but synthetic has 3"):
        fold_aats(train, H("000", "111"))


def test_privacy_metrics_matched_columns_by_hand():
    # test (2 rows) sets the matched fold size: train folds as in test_fold_aats_by_hand
    # (AATS 0.25); test t0, t1 (d_TT 2): t0 d_TS 1 -> 0, t1 d_TS 3 > 2 -> 1; s0 d_ST 1 = d_SS
    # -> 0, s1 d_ST 2 > 1 -> 1: AATS_test 0.5. Unmatched, train and AGs are compared at 2
    # rows too (the AG count), so both losses are 0.25.
    train = H("11000000", "00110000", "00001100", "00000011")
    synthetic = H("11000000", "11100000")
    test = H("10000000", "00000001")
    result = privacy_metrics(train, test, synthetic)
    assert result["aats_test"] == result["aats_test_matched"] == 0.5
    assert result["aats_train"] == result["aats_train_matched"] == 0.25
    assert result["privacy_loss"] == result["privacy_loss_matched"] == 0.25


def test_matched_privacy_loss_removes_the_set_size_bias():
    # AGs drawn from the data's own distribution (4 haplotype types of 8 sites, 20 % of
    # alleles flipped): nothing is copied, so the true privacy loss is 0. With a 3:1 split
    # the paper's difference is biased upwards: on these 30 replicates its mean is +0.077
    # (standard error 0.010), the size-matched one's +0.010 (0.009).
    plain, matched = [], []
    for rep in range(30):
        rng = np.random.default_rng(rep)
        types = rng.random((4, 8)) < 0.5

        def draw(n, types=types, rng=rng):
            rows = types[rng.integers(0, 4, n)] ^ (rng.random((n, 8)) < 0.2)
            return rows.astype(np.int8)

        result = privacy_metrics(draw(150), draw(50), draw(200), seed=rep)
        plain.append(result["privacy_loss"])
        matched.append(result["privacy_loss_matched"])
    assert np.mean(plain) > 0.05
    assert abs(np.mean(matched)) < 0.03


def test_exact_copies_by_hand():
    train = H("01", "11")
    synthetic = H("11", "00", "11", "10")
    assert exact_copies(train, synthetic) == 2
    with pytest.raises(GenosynthError, match="sites"):
        exact_copies(train, H("011"))


def test_membership_auc():
    train = population(80, seed=1)
    test = population(80, seed=2)
    assert membership_auc(train, test, train.copy()) == 1.0
    independent = population(80, seed=3)
    assert 0.35 < membership_auc(train, test, independent) < 0.65


def test_planting_training_haplotypes_trips_the_gate():
    train = population(100, seed=1)
    test = population(100, seed=2)
    synthetic = population(100, seed=3)  # a "good" model: same distribution
    clean = privacy_metrics(train, test, synthetic)
    assert clean["exact_copies"] == 0
    assert privacy_gate(clean) == []

    table = aats_sensitivity(train, test, synthetic, n_planted=(1, 5, 50), seed=0)
    assert table["n_planted"].tolist() == [0, 1, 5, 50]
    assert table["exact_copies"].tolist() == [0, 1, 5, 50]
    assert table["aats_train"].iloc[0] == pytest.approx(clean["aats_train"])
    assert table["aats_train"].iloc[-1] < table["aats_train"].iloc[0] - 0.15
    assert table["privacy_loss"].iloc[-1] > table["privacy_loss"].iloc[0] + 0.15
    assert table["aats_train"].is_monotonic_decreasing

    planted = synthetic.copy()
    planted[:50] = train[:50]
    leaky = privacy_metrics(train, test, planted)
    assert leaky["exact_copies"] == 50
    with pytest.raises(PrivacyGateError) as excinfo:
        privacy_gate(leaky)
    message = str(excinfo.value)
    assert "exact_copies" in message and "privacy_loss" in message
    assert "membership_auc" in message
    assert "privacy.allow_export: true" in message
    assert isinstance(excinfo.value, GenosynthError)
    assert len(excinfo.value.failures) == 3

    with pytest.warns(UserWarning, match="allow_export"):
        failures = privacy_gate(leaky, allow=True)
    assert len(failures) == 3


def test_gate_checks_one_by_one():
    ok = {"exact_copies": 0, "privacy_loss": 0.01, "membership_auc": 0.52}
    assert privacy_gate(ok) == []
    with pytest.raises(PrivacyGateError, match="exact_copies") as excinfo:
        privacy_gate({**ok, "exact_copies": 1})
    assert len(excinfo.value.failures) == 1
    assert privacy_gate({**ok, "exact_copies": 1}, max_exact_copies=1) == []
    assert privacy_gate({**ok, "exact_copies": 1}, max_exact_copies=None) == []
    with pytest.raises(PrivacyGateError, match="membership_auc .*not computed"):
        privacy_gate({"exact_copies": 0, "privacy_loss": 0.0, "membership_auc": float("nan")})
    with pytest.raises(PrivacyGateError, match="privacy_loss .*not computed"):
        privacy_gate({"exact_copies": 0, "membership_auc": 0.5})


def test_sensitivity_drops_impossible_counts():
    train = population(10, seed=1)
    with pytest.warns(UserWarning, match="cannot plant"):
        table = aats_sensitivity(train, population(10, seed=2), population(8, seed=3),
                                 n_planted=(5, 50))  # fmt: skip
    assert table["n_planted"].tolist() == [0, 5]


def test_auc_standard_error_hand_worked():
    from genosynth.evaluate.privacy import auc_standard_error

    # A = 0.5, n1 = n2 = 10: Q1 = Q2 = 1/3; SE^2 = (0.25 + 18 / 12) / 100 = 0.0175
    assert auc_standard_error(0.5, 10, 10) == pytest.approx(0.0175**0.5)
    assert auc_standard_error(1.0, 10, 10) == pytest.approx(0.0)


def test_gate_allows_noise_within_z_standard_errors():
    from genosynth.evaluate.privacy import PrivacyGateError, privacy_gate

    noisy = {"exact_copies": 0, "privacy_loss": 0.13, "privacy_loss_se": 0.04}
    noisy |= {"membership_auc": 0.55, "membership_auc_se": 0.03}
    assert privacy_gate(noisy, max_privacy_loss=0.1) == []  # 0.13 - 2 * 0.04 <= 0.1
    with pytest.raises(PrivacyGateError, match="privacy_loss .* = 0.13 .standard error 0.04"):
        privacy_gate(noisy, max_privacy_loss=0.1, z=0.5)
    precise = noisy | {"privacy_loss_se": 0.01}
    with pytest.raises(PrivacyGateError):
        privacy_gate(precise, max_privacy_loss=0.1)


def test_copies_of_haplotypes_also_held_out_do_not_count():
    from genosynth.evaluate import exact_copies

    train = np.array([[0, 0, 0], [1, 1, 0], [1, 0, 1]], dtype=np.int8)
    test = np.array([[0, 0, 0], [0, 1, 1]], dtype=np.int8)
    ags = np.array([[0, 0, 0], [0, 0, 0], [1, 1, 0], [1, 1, 1]], dtype=np.int8)
    assert exact_copies(train, ags) == 3
    assert exact_copies(train, ags, held_out=test) == 1  # only [1, 1, 0] is training-only
