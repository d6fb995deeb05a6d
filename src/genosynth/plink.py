"""PLINK 2 binary genotype files (``.pgen``, ``.pvar``, ``.psam``) through ``pgenlib``.

* ``.pgen``: hard calls, phased (``a|b``) for haplotype pairs, unphased for genotype pairs;
* ``.pvar``: ``##contig`` lines (with lengths where known), then ``#CHROM POS ID REF ALT``;
  sites sorted as in the VCF (:func:`genosynth.formats.site_order`);
* ``.psam``: ``#IID`` (and ``PHENO1``, 1 control / 2 case, where a phenotype is given).

REF is the legend's ``a0`` (allele 0), ALT its ``a1`` (allele 1). PLINK 2 has no haploid
autosomal call: an unpaired last haplotype (an odd count) is left out, with a warning.
"""

from __future__ import annotations

import logging
import os

import numpy as np
import pandas as pd

from genosynth.errors import GenosynthError
from genosynth.fileio import atomic_paths
from genosynth.formats import site_columns, site_order

__all__ = ["read_pgen", "write_pgen"]

log = logging.getLogger(__name__)


def write_pgen(
    pgen: str | os.PathLike,
    pvar: str | os.PathLike,
    psam: str | os.PathLike,
    haplotypes: np.ndarray,
    sites: pd.DataFrame,
    sample_ids,
    *,
    genotype_pairs: bool = False,
    phenotype: np.ndarray | None = None,
    contigs: dict | None = None,
) -> None:
    """Write the three PLINK 2 files of a genotype matrix, atomically.

    Parameters
    ----------
    pgen, pvar, psam : str or os.PathLike
        Destinations.
    haplotypes : numpy.ndarray of {0, 1}
        As :func:`genosynth.formats.write_vcf`: (n_haplotypes, n_sites) where rows 2k and
        2k+1 are individual k (phased), or with ``genotype_pairs`` (n_individuals,
        2 * n_sites) where columns 2i and 2i+1 are the unphased genotype at site i.
    sites : pandas.DataFrame, n_sites rows
        Columns ``chrom``, ``position``, ``id``, ``a0`` (REF), ``a1`` (ALT).
    sample_ids : sequence of str, one per individual (an unpaired haplotype's included)
    genotype_pairs : bool
    phenotype : numpy.ndarray of {0, 1}, shape (n_individuals,), optional
        Written as ``PHENO1`` (0 -> 1 control, 1 -> 2 case).
    contigs : dict of str to int, optional
        Contig lengths for the ``##contig`` lines.

    Raises
    ------
    GenosynthError
        A shape that does not fit ``sites`` and ``sample_ids``, or values other than 0/1.
    """
    import pgenlib

    alleles, samples = _allele_codes(np.asarray(haplotypes), len(sites), sample_ids, genotype_pairs)
    order = site_order(sites)
    alleles, sites = np.ascontiguousarray(alleles[order]), sites.iloc[order]
    with atomic_paths(pgen, pvar, psam) as (tmp_pgen, tmp_pvar, tmp_psam):
        writer = pgenlib.PgenWriter(
            filename=os.fsencode(tmp_pgen),
            sample_ct=len(samples),
            variant_ct=len(sites),
            nonref_flags=False,
            hardcall_phase_present=not genotype_pairs,
        )
        writer.append_alleles_batch(alleles, all_phased=not genotype_pairs)
        writer.close()
        tmp_pvar.write_text(_pvar_text(sites, contigs or {}))
        tmp_psam.write_text(_psam_text(samples, phenotype))


def _allele_codes(haps: np.ndarray, n_sites: int, sample_ids, genotype_pairs: bool):
    """(int32 (n_sites, 2 * n_individuals) allele codes, the individuals' ids)."""
    samples = [str(s) for s in sample_ids]
    if haps.ndim != 2 or (haps.size and (haps.min() < 0 or haps.max() > 1)):
        raise GenosynthError(f"alleles must be a 2-D array of 0/1, got shape {haps.shape}")
    if genotype_pairs:
        if haps.shape != (len(samples), 2 * n_sites):
            raise GenosynthError(f"genotype pairs of shape {haps.shape} for {n_sites} sites")
        codes = haps.reshape(len(samples), n_sites, 2).transpose(1, 0, 2)
        return codes.reshape(n_sites, 2 * len(samples)).astype(np.int32), samples
    if haps.shape[1] != n_sites or (haps.shape[0] + 1) // 2 != len(samples) or not samples:
        raise GenosynthError(f"{len(samples)} samples do not fit haplotypes of {haps.shape}")
    pairs = haps.shape[0] // 2
    if haps.shape[0] % 2:
        log.warning("PLINK 2: left out the unpaired last haplotype (%s)", samples[-1])
    return haps[: 2 * pairs].T.astype(np.int32), samples[:pairs]


def _pvar_text(sites: pd.DataFrame, contigs: dict) -> str:
    lines = []
    for c in pd.unique(sites["chrom"].astype(str)):
        length = contigs.get(c)
        lines.append(
            f"##contig=<ID={c}>" if length is None else f"##contig=<ID={c},length={length}>"
        )
    lines.append("#CHROM\tPOS\tID\tREF\tALT")
    body = site_columns(sites)
    return "\n".join(lines + body.tolist()) + "\n"


def _psam_text(samples: list[str], phenotype) -> str:
    if phenotype is None:
        return "#IID\n" + "".join(f"{s}\n" for s in samples)
    codes = np.asarray(phenotype).astype(np.int64)[: len(samples)] + 1
    rows = "".join(f"{s}\t{c}\n" for s, c in zip(samples, codes, strict=True))
    return "#IID\tPHENO1\n" + rows


def read_pgen(pgen: str | os.PathLike) -> np.ndarray:
    """The allele codes of a ``.pgen``: int32, shape (n_variants, 2 * n_samples), -9 missing.

    Columns 2k and 2k+1 are sample k's two alleles (in phase order where phased; sorted
    where unphased).
    """
    import pgenlib

    reader = pgenlib.PgenReader(os.fsencode(pgen))
    try:
        n_variants, n_samples = reader.get_variant_ct(), reader.get_raw_sample_ct()
        out = np.empty((n_variants, 2 * n_samples), dtype=np.int32)
        if n_variants:
            reader.read_alleles_range(0, n_variants, out)
    finally:
        reader.close()
    return out
