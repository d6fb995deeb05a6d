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
    "POPULATION_COLUMNS",
    "ag_individuals",
    "ag_pairing",
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
#: Panel columns a model can be conditional on (``conditional``), besides the phenotype.
POPULATION_COLUMNS = ("pop", "super_pop")


def version_record(**params) -> dict:
    """``{"genosynth_version": ..., **params}``: the provenance of a VCF or ``dataset.json``."""
    return {"genosynth_version": __version__, **params}


def dataset_info(info) -> dict:
    """The ``dataset.json`` of a dataset (name, layout, n_snps, causal site...)."""
    return json.loads(open(info).read())


def drop_phenotype(matrix: np.ndarray, layout: str) -> np.ndarray:
    """The allele columns of a dataset's rows: the phenotype column of genotype pairs removed."""
    return matrix[:, :-1] if layout == LAYOUT_GENOTYPE_PAIRS else matrix


def ag_individuals(ags, meta: dict) -> tuple[list[str], np.ndarray, bool]:
    """Individuals of an AG file: (names, allele matrix, whether rows are genotype pairs).

    Haplotype layout: names ``<id>`` of the row pairs ``<id>_A``, ``<id>_B`` and the
    (n_haplotypes, n_snps) matrix; genotype pairs: the row ids and the
    (n_individuals, 2 * n_snps) matrix without the phenotype column.
    """
    from genosynth import formats

    ids, matrix = formats.read_hapt_matrix(ags)
    if meta["layout"] == LAYOUT_GENOTYPE_PAIRS:
        return ids, matrix[:, : 2 * meta["n_snps"]], True
    return [i.rsplit("_", 1)[0] for i in ids[::2]], matrix, False


def ag_pairing(genotype_pairs: bool) -> str:
    """The ``##genosynth_pairing`` text: which AG rows form one individual."""
    if genotype_pairs:
        return (
            "each AG row is one individual; its allele columns 2i and 2i+1 are the "
            "unphased genotype at site i"
        )
    return (
        "AG haplotype rows 2k and 2k+1 of the .hapt.gz (<id>_A and <id>_B) form individual "
        "<id> as the phased genotype A|B, in row order; an odd last row is a haploid individual"
    )


def write_ag_vcf(*, ags, legend, info, vcf, tbi=None, provenance=None) -> None:
    """AGs (``.hapt.gz``) as a bgzipped, indexed VCF with the real CHROM/POS/ID/REF/ALT.

    Haplotype rows ``<id>_A``/``<id>_B`` pair into phased diploids named ``<id>``;
    genotype-pair rows (the phenotype column dropped) are unphased individuals
    (:func:`ag_pairing` says which, in the ``##genosynth_pairing`` line). The
    dataset's contig lengths and reference build (``dataset.json``) go into the
    header, the AGs' ALT allele frequency into ``INFO/AF``.
    """
    from genosynth import formats  # pysam: only the steps that write a VCF load it

    meta = dataset_info(info)
    samples, matrix, pairs = ag_individuals(ags, meta)
    written = formats.write_vcf(
        vcf,
        matrix,
        formats.read_legend(legend),
        samples,
        genotype_pairs=pairs,
        provenance=provenance,
        contigs=meta.get("contigs"),
        reference=meta.get("reference"),
        allele_frequency=True,
        pairing=ag_pairing(pairs),
    )
    if tbi is not None and str(written[1]) != str(tbi):
        raise GenosynthError(f"index written to {written[1]}, expected {tbi}")
