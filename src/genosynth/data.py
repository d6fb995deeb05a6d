"""The in-memory haplotype data set shared by every stage.

Conventions
-----------
* Haplotypes are ``int8`` arrays of shape ``(n_haplotypes, n_sites)`` with
  values in {0, 1}; 0 is the legend's ``a0`` (REF) allele, 1 is ``a1`` (ALT).
  scikit-allel uses the transpose; adapt at that boundary only.
* ``sites`` is a :class:`pandas.DataFrame` with one row per column of the
  haplotype matrix: ``chrom`` (str), ``position`` (int64), ``id`` (str),
  ``a0`` (str), ``a1`` (str).
* ``samples`` is a :class:`pandas.DataFrame` with one row per haplotype:
  ``hap_id`` (e.g. ``HG00096_A``), ``sample`` (the individual), ``pop`` and
  ``super_pop``. The two haplotypes of one individual are adjacent rows.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from genosynth.errors import GenosynthError
from genosynth.fileio import atomic_path

__all__ = [
    "SAMPLE_COLUMNS",
    "SITE_COLUMNS",
    "HaplotypeSet",
    "load_haplotype_set",
    "save_haplotype_set",
]

SITE_COLUMNS = ["chrom", "position", "id", "a0", "a1"]
SAMPLE_COLUMNS = ["hap_id", "sample", "pop", "super_pop"]


@dataclass(frozen=True)
class HaplotypeSet:
    """Phased haplotypes with their site and sample annotations.

    Attributes
    ----------
    haplotypes : numpy.ndarray, int8, shape (n_haplotypes, n_sites)
        Alleles in {0, 1}.
    sites : pandas.DataFrame, n_sites rows
        Columns :data:`SITE_COLUMNS`.
    samples : pandas.DataFrame, n_haplotypes rows
        Columns :data:`SAMPLE_COLUMNS`.
    header : dict
        What the source file says about its coordinates: ``contigs`` (name ->
        length in bp, where known) and ``reference`` (the build, where known).
    """

    haplotypes: np.ndarray
    sites: pd.DataFrame
    samples: pd.DataFrame
    header: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        h = self.haplotypes
        if h.dtype != np.int8 or h.ndim != 2:
            raise GenosynthError(f"haplotypes must be a 2-D int8 array, got {h.dtype} {h.shape}")
        if len(self.sites) != h.shape[1]:
            raise GenosynthError(f"{len(self.sites)} site rows for {h.shape[1]} columns")
        if len(self.samples) != h.shape[0]:
            raise GenosynthError(f"{len(self.samples)} sample rows for {h.shape[0]} haplotypes")
        missing = [c for c in SITE_COLUMNS if c not in self.sites]
        missing += [c for c in SAMPLE_COLUMNS if c not in self.samples]
        if missing:
            raise GenosynthError(f"missing annotation columns: {missing}")

    @property
    def n_haplotypes(self) -> int:
        return self.haplotypes.shape[0]

    @property
    def n_sites(self) -> int:
        return self.haplotypes.shape[1]

    def take_sites(self, index) -> HaplotypeSet:
        """Return the set restricted to the sites selected by ``index``."""
        index = np.asarray(index)
        return HaplotypeSet(
            np.ascontiguousarray(self.haplotypes[:, index]),
            self.sites.iloc[index].reset_index(drop=True),
            self.samples,
            self.header,
        )

    def take_haplotypes(self, index) -> HaplotypeSet:
        """Return the set restricted to the haplotypes (rows) selected by ``index``."""
        index = np.asarray(index)
        return HaplotypeSet(
            np.ascontiguousarray(self.haplotypes[index]),
            self.sites,
            self.samples.iloc[index].reset_index(drop=True),
            self.header,
        )


def save_haplotype_set(path: str | os.PathLike, hs: HaplotypeSet, *, provenance=None) -> None:
    """Write ``hs`` atomically to one compressed ``.npz`` file.

    Parameters
    ----------
    path : str or os.PathLike
        Destination, conventionally ``*.npz``.
    hs : HaplotypeSet
    provenance : dict, optional
        JSON-serialisable record of how the set was made.
    """
    arrays = {"haplotypes": hs.haplotypes}
    for col in SITE_COLUMNS:
        arrays[f"sites/{col}"] = hs.sites[col].to_numpy(
            dtype=np.int64 if col == "position" else str
        )
    for col in SAMPLE_COLUMNS:
        arrays[f"samples/{col}"] = hs.samples[col].to_numpy(dtype=str)
    arrays["provenance"] = np.array(json.dumps(provenance or {}))
    arrays["header"] = np.array(json.dumps(hs.header, sort_keys=True))
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, **arrays)


def load_haplotype_set(path: str | os.PathLike) -> HaplotypeSet:
    """Read a set written by :func:`save_haplotype_set`."""
    with np.load(path, allow_pickle=False) as z:
        sites = pd.DataFrame({c: z[f"sites/{c}"] for c in SITE_COLUMNS})
        samples = pd.DataFrame({c: z[f"samples/{c}"] for c in SAMPLE_COLUMNS})
        header = json.loads(str(z["header"])) if "header" in z.files else {}
        haps = z["haplotypes"].astype(np.int8, copy=False)
        return HaplotypeSet(haps, sites, samples, header)
