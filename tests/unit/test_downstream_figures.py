"""Downstream figures write a PNG and return the numbers they draw."""

import numpy as np
import pandas as pd

from genosynth.downstream import figures


def test_imputation_draws_each_panel_per_bin(tmp_path):
    scores = pd.DataFrame(
        {
            "panel": ["reference", "reference", "gan", "gan"],
            "maf_lo": [0.0, 0.05, 0.0, 0.05],
            "maf_hi": [0.05, 0.5, 0.05, 0.5],
            "n_sites": [3, 4, 3, 4],
            "mean_dr2": [0.5, 0.9, 0.6, 0.8],
            "dosage_r2": [0.4, 0.85, 0.45, 0.8],
            "r2_gain": [0.0, 0.0, 0.05, -0.05],
            "r2_gain_se": [0.0, 0.0, 0.01, 0.02],
        }
    )
    drawn = figures.plot_imputation(tmp_path / "imputation.png", scores, title="t")
    assert (tmp_path / "imputation.png").is_file()
    assert list(drawn["mean_dr2"].index) == ["0-0.05", "0.05-0.5"]
    assert drawn["dosage_r2"]["gan"].tolist() == [0.45, 0.8]
    assert drawn["mean_dr2"]["reference"].tolist() == [0.5, 0.9]
    assert list(drawn["r2_gain"].columns) == ["gan"]  # the reference has no gain over itself
    assert drawn["r2_gain_se"]["gan"].tolist() == [0.01, 0.02]


def test_scan_draws_real_and_model_with_peaks(tmp_path):
    x = np.array([1e6, 2e6, 3e6])
    values = {"real": np.array([1.0, 3.0, 2.0]), "gan": np.array([0.5, 0.1, 4.0])}
    drawn = figures.plot_scan(
        tmp_path / "scan.png", x, values, peaks={"real": np.array([1]), "gan": np.array([2])},
        r={"gan": -0.2}, ylabel="PBS", title="t",
    )  # fmt: skip
    assert list(drawn) == ["gan"]
    table = drawn["gan"]
    assert table["position_mb"].tolist() == [1.0, 2.0, 3.0]
    assert table["gan"].tolist() == [0.5, 0.1, 4.0]
    assert table["real_peak"].tolist() == [False, True, False]
    assert table["ag_peak"].tolist() == [False, False, True]


def test_phenotype_shares(tmp_path):
    tables = {"real": np.array([[3, 1], [2, 2], [0, 0]]), "gan": np.array([[1, 1], [0, 4], [1, 3]])}
    stats = {k: {"p_value": 0.5} for k in tables}
    drawn = figures.plot_phenotype(tmp_path / "phenotype.png", tables, stats, title="t")
    np.testing.assert_allclose(drawn["share"]["real"], [0.25, 0.5, np.nan])
    np.testing.assert_allclose(drawn["share"]["gan"], [0.5, 1.0, 0.75])
    np.testing.assert_array_equal(drawn["counts"][:, 2:], tables["gan"])


def test_chunkcounts_means_per_set(tmp_path):
    counts = pd.DataFrame(
        {"YRI": [1.0, 3.0, 10.0], "CHB": [2.0, 2.0, 0.0]}, index=["real_1", "real_2", "gan_1"]
    )
    groups = pd.Series({"real_1": "real", "real_2": "real", "gan_1": "gan"})
    drawn = figures.plot_chunkcounts(tmp_path / "chunks.png", counts, groups, title="t")
    assert drawn.loc["real"].tolist() == [2.0, 2.0]
    assert drawn.loc["gan"].tolist() == [10.0, 0.0]


def test_scan_draws_the_held_out_yardstick_against_the_training_scan(tmp_path):
    x = np.array([1e6, 2e6, 3e6])
    values = {
        "real": np.array([1.0, 3.0, 2.0]),
        "gan": np.array([0.5, 0.1, 4.0]),
        "train": np.array([1.0, 2.0, 3.0]),
        "held": np.array([3.0, 2.0, 1.0]),
    }
    peaks = {k: np.array([int(np.argmax(v))]) for k, v in values.items()}
    drawn = figures.plot_scan(
        tmp_path / "scan.png", x, values, peaks=peaks, r={"gan": 0.1, "held": -1.0},
        ylabel="PBS", title="t", yardstick=("train", "held"),
    )  # fmt: skip
    assert list(drawn) == ["held", "gan"]  # the yardstick first; the training scan no row
    assert drawn["held"]["real"].tolist() == [1.0, 2.0, 3.0]  # against the training scan
    assert drawn["held"]["held"].tolist() == [3.0, 2.0, 1.0]
    assert drawn["gan"]["real"].tolist() == [1.0, 3.0, 2.0]


def test_imputation_draws_the_yardstick_panel_and_per_site_means(tmp_path):
    """The `real` yardstick panel with the per-site mean r2 line (a style clash broke it)."""
    scores = pd.DataFrame(
        {
            "panel": ["reference", "real", "gan"],
            "maf_lo": [0.0] * 3,
            "maf_hi": [0.5] * 3,
            "n_sites": [4] * 3,
            "mean_dr2": [0.5, 0.9, 0.6],
            "dosage_r2": [0.4, 0.85, 0.45],
            "mean_site_r2": [0.2, 0.7, 0.25],
            "r2_gain": [0.0, 0.45, 0.05],
            "r2_gain_se": [0.0, 0.01, 0.01],
        }
    )
    drawn = figures.plot_imputation(tmp_path / "imputation.png", scores, title="t")
    assert drawn["dosage_r2"]["real"].tolist() == [0.85]
    assert sorted(drawn["r2_gain"].columns) == ["gan", "real"]
