"""Numbers the two papers quote, set beside this run's values (the report's reproduction table).

Each entry names where the number stands in its paper and the ``metrics.tsv``
row (dataset, model, metric) that this workflow computes for the same
quantity; rows whose stage has not run (or does not exist yet) show NA.
"""

from __future__ import annotations

import pandas as pd

from genosynth.fileio import atomic_path

__all__ = ["PAPER_VALUES", "reproduction_table"]

#: (paper, where, dataset, model, metric, value quoted)
PAPER_VALUES = [
    (
        "Yelmen 2021",
        "Fig 4a, XP-EHH real vs AG correlation",
        "scan",
        "gan",
        "xpehh_pearson_r",
        0.902,
    ),
    (
        "Yelmen 2021",
        "Fig 4a, XP-EHH real vs AG correlation",
        "scan",
        "rbm",
        "xpehh_pearson_r",
        0.887,
    ),
    ("Yelmen 2021", "Fig 4b, PBS real vs AG correlation", "scan", "gan", "pbs_pearson_r", 0.923),
    ("Yelmen 2021", "Fig 4b, PBS real vs AG correlation", "scan", "rbm", "pbs_pearson_r", 0.755),
    (
        "Yelmen 2021",
        "text, 10K region: share of real polymorphic SNPs fixed in GAN AGs (about half)",
        "dense",
        "gan",
        "fixed_fraction_polymorphic_real_fixed_ag",
        0.5,
    ),
    (
        "Yelmen 2021",
        "Methods, ideal AATS (indistinguishable sets)",
        "wide",
        "gan",
        "aats_test",
        0.5,
    ),
    (
        "Yelmen 2021",
        "Methods, ideal AATS (indistinguishable sets)",
        "wide",
        "rbm",
        "aats_test",
        0.5,
    ),
    (
        "Killoran 2017",
        "Fig 8a, oracle Spearman on held-out PBM probes",
        "dna",
        "oracle",
        "spearman",
        0.97,
    ),
]


def reproduction_table(summary, output) -> pd.DataFrame:
    """Write the paper-vs-run table for a ``summary.tsv`` (``dataset model metric value``)."""
    run = pd.read_csv(summary, sep="\t").set_index(["dataset", "model", "metric"])["value"]
    columns = ["paper", "where", "dataset", "model", "metric", "paper_value"]
    table = pd.DataFrame(PAPER_VALUES, columns=columns)
    keys = list(zip(table.dataset, table.model, table.metric, strict=True))
    table["this_run"] = [run.get(k, float("nan")) for k in keys]
    with atomic_path(output) as tmp:
        table.to_csv(tmp, sep="\t", index=False, na_rep="NA")
    return table
