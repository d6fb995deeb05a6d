"""``bench/run.py scale``: the table's ratios, the fitted exponent and a quick run."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))


def test_slope_and_table_ratios():
    import run  # noqa: F401  (the registry bench_scale registers with)
    from bench_scale import dense_weights, slope, table

    sizes = [1000, 4000, 16000]
    assert slope(sizes, [2.0 * s**1.5 for s in sizes]) == pytest.approx(1.5)
    rows = [
        {"model": "m", "n_sites": 1000, "n_haplotypes": 10, "epoch_s": 2.0, "peak_mb": 100.0,
         "sample_s": 0.5, "sample_peak_mb": 120.0},
        {"model": "m", "n_sites": 4000, "n_haplotypes": 10, "epoch_s": 6.0, "peak_mb": 150.0,
         "sample_s": 2.5, "sample_peak_mb": 400.0},
        {"model": "d", "n_sites": 4000, "n_haplotypes": 10, "note": "skipped"},
    ]  # fmt: skip
    lines = [line.split("\t") for line in table(rows).splitlines()]
    assert lines[0][4:8] == ["epoch_s", "peak_mb", "sample_s", "sample_peak_mb"]
    assert lines[0][8:12] == ["epoch_ratio", "peak_ratio", "sample_ratio", "sites_ratio"]
    assert lines[2][4:12] == ["6", "150", "2.5", "400", "3", "1.5", "5", "4"]
    assert lines[3][-1] == "skipped" and lines[3][4:12] == [""] * 8
    # 805 SNPs: 600-671-732-805 and 805-402-268-1 dense layers, with biases
    want = 600 * 671 + 671 * 732 + 732 * 805 + 671 + 732 + 805 + 805 * 402 + 402 * 268 + 268
    assert dense_weights(805) == want + 402 + 268 + 1


def test_quick_run_prints_the_table_and_exponents(tmp_path):
    tsv = tmp_path / "scale.tsv"
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench/run.py"), "scale", "--quick", "--tsv", str(tsv)],
        capture_output=True, text=True, cwd=REPO, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    metrics = dict(line.split("\t") for line in lines if line.startswith("scale_"))
    for what in ("time", "sample_time"):
        exponent = float(metrics[f"scale_conv_gan_{what}_exponent"])
        assert np.isfinite(exponent) and 0 < exponent < 2
    rows = tsv.read_text().splitlines()
    assert rows[0].startswith("model\tn_sites") and len(rows) == 3
    # the table's sampling cells are the child's measurements of 64 AGs of 2,048 sites
    sample_s, sample_peak = rows[2].split("\t")[6:8]
    assert sample_s == f"{float(metrics['scale_conv_gan_2048_sample_s']):.4g}"
    assert sample_peak == f"{float(metrics['scale_conv_gan_2048_sample_peak_mb']):.0f}"
    assert rows[1].split("\t")[8:11] == ["1", "1", "1"]  # the baseline's own ratios
    assert rows[2].split("\t")[-1].endswith("64 AGs drawn")
