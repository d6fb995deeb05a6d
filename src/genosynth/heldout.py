"""An external held-out set: another source's haplotypes on a dataset's SNPs.

A dataset's ``test_source`` replaces its internal test split in the privacy metrics.
:func:`match_sites` finds each of the dataset's SNPs in the held-out haplotypes by
position (and chromosome, where the legend names one) and alleles; :func:`check_sample_clash`
refuses held-out individuals that also trained the models (their AATS would not be held-out).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from genosynth.data import HaplotypeSet
from genosynth.errors import InputError

__all__ = ["MATCHED", "check_sample_clash", "match_sites"]

#: Statuses of a dataset SNP in the held-out set whose alleles are used (``swapped``:
#: REF and ALT exchanged, the held-out alleles flipped to the dataset's coding).
MATCHED = ("matched", "swapped")


def match_sites(sites: pd.DataFrame, external: HaplotypeSet) -> tuple[np.ndarray, pd.DataFrame]:
    """The held-out haplotypes on the dataset's SNPs, and the status of every SNP.

    Parameters
    ----------
    sites : pandas.DataFrame, n_sites rows
        The dataset's legend (:func:`genosynth.formats.read_legend`): ``chrom`` (``"NA"``
        when the id does not name one: then the position alone locates the SNP),
        ``position``, ``id``, ``a0``, ``a1``.
    external : HaplotypeSet
        The held-out source.

    Returns
    -------
    haplotypes : numpy.ndarray, int8, shape (external.n_haplotypes, n_matched)
        Alleles of the matched SNPs in dataset order, coded 0 = the dataset's ``a0``.
    table : pandas.DataFrame, n_sites rows
        ``id``, ``position``, ``a0``, ``a1`` and ``status``: ``matched``, ``swapped``
        (REF/ALT exchanged), ``alleles`` (a record at the position with other alleles) or
        ``missing`` (no record there).
    """
    ext = external.sites.reset_index(drop=True)
    by_position = pd.Series(ext.index, index=ext["position"].to_numpy())
    status, column, flip = [], [], []
    for site in sites.itertuples(index=False):
        hits = by_position[by_position.index == site.position].to_numpy()
        if site.chrom != "NA":
            hits = hits[ext["chrom"].to_numpy()[hits].astype(str) == str(site.chrom)]
        pairs = [(ext.at[h, "a0"], ext.at[h, "a1"]) for h in hits]
        kind, hit = _site_status(pairs, (site.a0, site.a1))
        status.append(kind)
        if kind in MATCHED:
            column.append(int(hits[hit]))
            flip.append(kind == "swapped")
    haps = external.haplotypes[:, column].astype(np.int8)
    haps[:, np.asarray(flip, bool)] = 1 - haps[:, np.asarray(flip, bool)]
    table = sites[["id", "position", "a0", "a1"]].assign(status=status).reset_index(drop=True)
    return haps, table


def _site_status(pairs: list[tuple[str, str]], alleles: tuple[str, str]) -> tuple[str, int]:
    """(status, index into ``pairs``) of one SNP among the held-out records at its position."""
    if not pairs:
        return "missing", -1
    if alleles in pairs:
        return "matched", pairs.index(alleles)
    swapped = alleles[::-1]
    if swapped in pairs:
        return "swapped", pairs.index(swapped)
    return "alleles", -1


def check_sample_clash(external_samples, training_samples, *, path: str | os.PathLike) -> None:
    """Refuse held-out individuals whose names are also in the training split.

    An individual of the training split in the held-out set would measure training
    resemblance as held-out resemblance (privacy loss biased towards 0), so a name
    clash is refused rather than renamed: the same name is taken as the same person.

    Raises
    ------
    InputError
        Naming ``path``, the first clashing individual, how many clash and the fix.
    """
    clash = pd.Index(pd.unique(np.asarray(external_samples, dtype=object)))
    clash = clash[clash.isin(list(training_samples))]
    if len(clash):
        raise InputError(
            path,
            f"{len(clash)} held-out individual(s) also in the dataset's training split",
            record=str(clash[0]),
            fix="remove the training individuals from the held-out file (bcftools view -s "
            "^NAME,...), or rename them if they are other people",
        )
