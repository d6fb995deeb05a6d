#!/usr/bin/env python3
"""Print this study's results.tsv from a finished run: metrics.tsv and benchmark files.

Usage, from the repository root, after the run of README.md (RUN_DIR: its working folder):

    python experiments/real10k_wall_budget/collect.py RUN_DIR > results.tsv

Models the run did not train are left out (experiments/real10k_conv_gan uses it too).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

DATASET = "dense"
MODELS = ["gan", "rbm", "conv_gan", "markov", "bernoulli"]
#: column -> metric of metrics.tsv
METRICS = {
    "epochs_run": "epochs_run",
    "aats_train": "aats_train",
    "aats_test": "aats_test",
    "aa_truth_test": "aa_truth_test",
    "aa_syn_test": "aa_syn_test",
    "privacy_loss": "privacy_loss",
    "exact_copies": "exact_copies",
    "ld_decay_mae": "ld_decay_mae",
    "fixed_share": "fixed_fraction_polymorphic_real_fixed_ag",
    "af_r": "allele_frequency_pearson_r",
    "pc12_centroid_distance": "pc12_centroid_distance",
    "real_to_closest_ag_median": "closest_ag_distance_median",
    "real_to_closest_real_median": "closest_real_distance_median",
    "diversity_ratio": "diversity_ratio",
}


def main(run: Path) -> None:
    table = pd.read_csv(run / f"results/{DATASET}/metrics.tsv", sep="\t")
    table = table[table.dataset == DATASET].set_index(["model", "metric"])["value"]
    rows = []
    for model in MODELS:
        row = {"model": model}
        for column, metric in METRICS.items():
            row[column] = table.get((model, metric), float("nan"))
        reasons = [m[len("stop_reason_"):] for (mod, m) in table.index
                   if mod == model and m.startswith("stop_reason_")]  # fmt: skip
        row["stop_reason"] = ",".join(reasons)
        bench = run / f"results/benchmarks/train_network/{DATASET}/{model}.tsv"
        if not bench.exists():
            bench = run / f"results/benchmarks/train_baseline/{DATASET}/{model}.tsv"
        if not bench.exists():  # a model the run's config does not have
            continue
        b = pd.read_csv(bench, sep="\t")
        row["train_min"], row["max_rss_mb"] = b.s[0] / 60, b.max_rss[0]
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame.to_csv(sys.stdout, sep="\t", index=False, float_format="%.4g")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
