"""What the workflow steps share: metric table columns, dataset layouts, ``dataset.json``.

Light on purpose (no plotting, no models): every step module imports it.
"""

from __future__ import annotations

import json

import numpy as np

from genosynth import __version__

__all__ = [
    "LAYOUT_GENOTYPE_PAIRS",
    "LAYOUT_HAPLOTYPES",
    "METRIC_COLUMNS",
    "dataset_info",
    "drop_phenotype",
    "version_record",
]

#: Columns of every metric table of the haplotype track.
METRIC_COLUMNS = ["dataset", "model", "metric", "value"]
#: ``layout`` of a dataset (``dataset.json``) whose rows are phased haplotypes.
LAYOUT_HAPLOTYPES = "haplotypes"
#: ``layout`` of a dataset whose rows are individuals: allele pairs (+ a phenotype column).
LAYOUT_GENOTYPE_PAIRS = "genotype_pairs"


def version_record(**params) -> dict:
    """``{"genosynth_version": ..., **params}``: the provenance of a VCF or ``dataset.json``."""
    return {"genosynth_version": __version__, **params}


def dataset_info(info) -> dict:
    """The ``dataset.json`` of a dataset (name, layout, n_snps, causal site...)."""
    return json.loads(open(info).read())


def drop_phenotype(matrix: np.ndarray, layout: str) -> np.ndarray:
    """The allele columns of a dataset's rows: the phenotype column of genotype pairs removed."""
    return matrix[:, :-1] if layout == LAYOUT_GENOTYPE_PAIRS else matrix
