"""Numbers the two papers quote, set beside this run's values (the report's reproduction table).

Each entry names where the number stands in its paper and the ``metrics.tsv``
row (dataset, model, metric) that this workflow computes for the same
quantity; rows whose stage has not run (or does not exist yet) show NA. The ``data``
column says whether the run's dataset is the paper's data (``paper``) or a stand-in
(``stand-in``: simulated data, another region, a user's own VCF): only ``paper`` rows
compare with the paper's value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from genosynth.fileio import atomic_path

__all__ = ["PAPER_FILES", "PAPER_REGION", "PAPER_VALUES", "paper_datasets", "reproduction_table"]

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
        "binding_oracle",
        "spearman_held_out",
        0.97,
    ),
]


#: Base names of the files Yelmen et al. published (1000 Genomes phase 3 haplotypes).
PAPER_FILES = (
    "805_SNP_1000G_real",
    "10K_SNP_1000G_real",
    "ALL.chr15.phase3_shapeit2_mvncall_integrated_v5b.20130502.genotypes",
)
#: The paper's 10K region (GRCh37): a chr15 VCF restricted to a region is the paper's data
#: only inside it.
PAPER_REGION = ("15", 27379578, 29625035)


def _is_paper_source(source: Mapping) -> bool:
    path = source.get("hapt") or source.get("vcf") or ""
    if not any(Path(str(path)).name.startswith(name) for name in PAPER_FILES):
        return False
    if source.get("format") != "vcf" or not source.get("region"):
        return True
    match = re.fullmatch(r"(?:chr)?(\w+):(\d+)-(\d+)", str(source.get("region") or ""))
    chrom, start, end = PAPER_REGION
    return bool(match) and match[1] == chrom and start <= int(match[2]) <= int(match[3]) <= end


def paper_datasets(sources: Mapping, datasets: Mapping) -> list[str]:
    """The datasets read from the papers' published data (sorted); all others are stand-ins.

    A source is the paper's data when it reads a file named in :data:`PAPER_FILES`; the
    chr15 VCF restricted to a ``region`` only when it lies inside :data:`PAPER_REGION`.
    The DNA track is always a stand-in: no shipped config reads the PBM data of Killoran
    et al.
    """
    return sorted(ds for ds, d in datasets.items() if _is_paper_source(sources[d["source"]]))


def reproduction_table(summary, output, *, paper_data: Sequence = ()) -> pd.DataFrame:
    """Write the paper-vs-run table for a ``summary.tsv`` (``dataset model metric value``).

    ``paper_data`` names the datasets that are the paper's data (:func:`paper_datasets`);
    the rows of every other dataset say ``stand-in`` in the ``data`` column.
    """
    run = pd.read_csv(summary, sep="\t").set_index(["dataset", "model", "metric"])["value"]
    columns = ["paper", "where", "dataset", "model", "metric", "paper_value"]
    table = pd.DataFrame(PAPER_VALUES, columns=columns)
    is_paper = table.dataset.isin(list(paper_data))
    table.insert(5, "data", is_paper.map({True: "paper", False: "stand-in"}))
    keys = list(zip(table.dataset, table.model, table.metric, strict=True))
    table["this_run"] = [run.get(k, float("nan")) for k in keys]
    with atomic_path(output) as tmp:
        table.to_csv(tmp, sep="\t", index=False, na_rep="NA")
    return table
