#!/usr/bin/env python3
"""Print this study's results.tsv from a finished run: metrics.tsv and benchmark files.

Usage, from the repository root, after the run of README.md (RUN_DIR: its working folder):

    python experiments/scale_conv_gan/collect.py RUN_DIR > experiments/scale_conv_gan/results.tsv

Rows `metric` (model and metric of results/region64k/metrics.tsv) and `job` (a job's
benchmark file: seconds and peak resident MB).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

DATASET = "region64k"
MODELS = ["conv_gan", "markov"]
METRICS = [
    "epochs_run",
    "aats_test",
    "aa_truth_test",
    "aa_syn_test",
    "privacy_loss",
    "exact_copies",
    "allele_frequency_pearson_r",
    "fixed_fraction_polymorphic_real_fixed_ag",
    "ld_decay_mae",
    "closest_ag_distance_median",
    "closest_real_distance_median",
    "diversity_ratio",
]


def main(run: Path) -> None:
    table = pd.read_csv(run / f"results/{DATASET}/metrics.tsv", sep="\t")
    table = table[table.dataset == DATASET].set_index(["model", "metric"])["value"]
    rows = []
    for model in MODELS:
        names = METRICS + [m for (mod, m) in table.index
                           if mod == model and m.startswith("stop_reason_")]  # fmt: skip
        for metric in names:
            if (model, metric) in table.index:
                rows.append(("metric", f"{model} {metric}", table[(model, metric)], None))
    benchmarks = run / "results/benchmarks"
    for bench in sorted(
        [*benchmarks.glob(f"*/{DATASET}.tsv"), *benchmarks.glob(f"*/{DATASET}/*.tsv")]
    ):
        b = pd.read_csv(bench, sep="\t")
        name = bench.relative_to(benchmarks).with_suffix("").as_posix().replace(f"/{DATASET}", "")
        rows.append(("job", name.replace("/", " "), b.s[0], b.max_rss[0]))
    frame = pd.DataFrame(rows, columns=["kind", "name", "value", "max_rss_mb"])
    frame.to_csv(sys.stdout, sep="\t", index=False, float_format="%.4g")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
