"""Genotype-phenotype association at the causal SNP (Yelmen et al.'s eye-colour result).

Rows are individuals of the ``pheno`` layout: ``2 * n_snps`` columns of sorted genotype
pairs then one phenotype column (0/1). Allele 0 is the legend's ``a0``, the ancestral
allele of the simulated demo (msprime writes the ancestral state as REF); allele 1 the
derived one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency

from genosynth.errors import GenosynthError

__all__ = ["association", "causal_genotypes", "contingency", "find_site"]


def find_site(sites: pd.DataFrame, causal_site: str) -> int:
    """Index of the legend row of ``causal_site`` (``chrom:pos``, or a legend id)."""
    ids = sites["id"].astype(str).to_numpy()
    hits = np.flatnonzero(ids == causal_site)
    if len(hits) == 0 and ":" in causal_site:
        chrom, _, pos = causal_site.rpartition(":")
        hits = np.flatnonzero(
            (sites["chrom"].astype(str).to_numpy() == chrom)
            & (sites["position"].to_numpy() == int(pos))
        )
    if len(hits) != 1:
        raise GenosynthError(f"causal site {causal_site} matches {len(hits)} legend rows")
    return int(hits[0])


def causal_genotypes(matrix: np.ndarray, site: int) -> tuple[np.ndarray, np.ndarray]:
    """Derived-allele count at ``site`` and phenotype of each row.

    Parameters
    ----------
    matrix : numpy.ndarray, int8, shape (n_individuals, 2 * n_snps + 1)
    site : int
        Legend index of the causal SNP.

    Returns
    -------
    genotype : numpy.ndarray, int64, shape (n_individuals,)
        0, 1 or 2 copies of allele 1.
    phenotype : numpy.ndarray, int64, shape (n_individuals,)
    """
    m = np.asarray(matrix)
    if m.ndim != 2 or m.shape[1] % 2 != 1 or not 0 <= 2 * site < m.shape[1] - 1:
        raise GenosynthError(f"no genotype pair {site} in a matrix of shape {m.shape}")
    genotype = m[:, 2 * site].astype(np.int64) + m[:, 2 * site + 1]
    return genotype, m[:, -1].astype(np.int64)


def contingency(genotype: np.ndarray, phenotype: np.ndarray) -> np.ndarray:
    """Counts of individuals per genotype (rows 0, 1, 2) and phenotype (columns 0, 1).

    Returns
    -------
    numpy.ndarray, int64, shape (3, 2)
    """
    g, p = np.asarray(genotype), np.asarray(phenotype)
    if not (np.isin(g, (0, 1, 2)).all() and np.isin(p, (0, 1)).all()):
        raise GenosynthError("genotypes must be 0/1/2 and phenotypes 0/1")
    table = np.zeros((3, 2), dtype=np.int64)
    np.add.at(table, (g, p), 1)
    return table


def association(table: np.ndarray) -> dict[str, float]:
    """Chi-square test and the paper's two conditional shares of a 3 x 2 table.

    Returns
    -------
    dict
        ``chi2``, ``p_value`` (Pearson chi-square on the rows and columns that
        are not empty; NaN below a 2 x 2 table), ``ancestral_carriers_pheno1``
        (share of individuals with at least one ancestral allele, genotype 0 or
        1, whose phenotype is 1), ``pheno0_homozygous_derived`` (share of
        phenotype-0 individuals with genotype 2) and ``n``.
    """
    t = np.asarray(table, dtype=np.int64)
    sub = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
    chi2, p = (np.nan, np.nan)
    if sub.shape[0] >= 2 and sub.shape[1] >= 2:
        chi2, p = chi2_contingency(sub, correction=False)[:2]
    carriers = t[:2].sum()
    pheno0 = t[:, 0].sum()
    return {
        "chi2": float(chi2),
        "p_value": float(p),
        "ancestral_carriers_pheno1": float(t[:2, 1].sum() / carriers) if carriers else np.nan,
        "pheno0_homozygous_derived": float(t[2, 0] / pheno0) if pheno0 else np.nan,
        "n": float(t.sum()),
    }
