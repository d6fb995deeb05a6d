"""What the workflow steps share: metric table columns, dataset layouts, ``dataset.json``.

Light on purpose (no plotting, no models): every step module imports it.
"""

from __future__ import annotations

import json

import numpy as np

from genosynth import __version__
from genosynth.errors import GenosynthError

__all__ = [
    "LAYOUT_GENOTYPE_PAIRS",
    "LAYOUT_HAPLOTYPES",
    "METRIC_COLUMNS",
    "dataset_info",
    "drop_phenotype",
    "version_record",
    "write_ag_vcf",
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


def write_ag_vcf(*, ags, legend, info, vcf, tbi=None, provenance=None) -> None:
    """AGs (``.hapt.gz``) as a bgzipped, indexed VCF with the real CHROM/POS/REF/ALT.

    Haplotype rows ``<id>_A``/``<id>_B`` pair into phased diploids named ``<id>``;
    genotype-pair rows (the phenotype column dropped) are unphased individuals.
    """
    from genosynth import formats  # pysam: only the steps that write a VCF load it

    meta = dataset_info(info)
    ids, matrix = formats.read_hapt_matrix(ags)
    sites = formats.read_legend(legend)
    pairs = meta["layout"] == LAYOUT_GENOTYPE_PAIRS
    if pairs:
        matrix = matrix[:, : 2 * meta["n_snps"]]
        samples = ids
    else:
        samples = [i.rsplit("_", 1)[0] for i in ids[::2]]
    written = formats.write_vcf(
        vcf, matrix, sites, samples, genotype_pairs=pairs, provenance=provenance
    )
    if tbi is not None and str(written[1]) != str(tbi):
        raise GenosynthError(f"index written to {written[1]}, expected {tbi}")
