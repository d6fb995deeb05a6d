"""The cost table built from benchmark files (genosynth.cost, tools/build_cost_table.py)."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO

from genosynth.cost import SCALING, benchmark_table, cost_markdown

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def _bench(path, seconds, rss):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + f"{seconds}\t0:00:01\t{rss}\t1\t1\t1\t0\t0\t50\t1\n")


def _results(tmp_path):
    _bench(tmp_path / "benchmarks/train_network/wide/rbm.tsv", 3.0, 100.0)
    _bench(tmp_path / "benchmarks/train_network/wide/gan.tsv", 5.0, 400.0)
    _bench(tmp_path / "benchmarks/summarize_metrics.tsv", 0.5, 50.0)
    return tmp_path


def test_benchmark_table_per_rule(tmp_path):
    table = benchmark_table(_results(tmp_path))
    assert table.to_dict("list") == {
        "rule": ["train_network", "summarize_metrics"],
        "jobs": [2, 1],
        "total_s": [8.0, 0.5],
        "max_s": [5.0, 0.5],
        "max_rss_mb": [400.0, 50.0],
        "scaling": [SCALING["train_network"], "small: tables or summaries"],
    }


def test_tool_writes_the_markdown(tmp_path):
    out = tmp_path / "cost.md"
    cmd = [sys.executable, str(REPO / "tools/build_cost_table.py"), str(_results(tmp_path))]
    subprocess.run([*cmd, "--run", "a test", "--output", str(out)], check=True)
    text = out.read_text()
    assert text == cost_markdown(benchmark_table(tmp_path), run="a test")
    assert "| train_network | 2 | 8.0 | 5.0 | 400 | RBM: E x H x L x N x (k + 1);" in text


def test_docs_cost_covers_the_costly_rules():
    text = (REPO / "docs/cost.md").read_text()
    for rule in ("train_network", "sample_ags", "compute_privacy_metrics", "plot_figure"):
        assert f"| {rule} | " in text
