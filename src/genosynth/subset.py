"""Site and individual selections that make the four datasets of the output contract.

Pure functions on :class:`~genosynth.data.HaplotypeSet` (or its arrays and
tables): each ``select_*`` returns an ``int64`` array of site (column)
indices in genomic order, to pass to :meth:`HaplotypeSet.take_sites`.

* :func:`select_differentiated` - the most population-differentiated SNPs (Fst);
* :func:`select_region` - a run of consecutive SNPs;
* :func:`select_thinned` - SNPs evenly spaced along the chromosome;
* :func:`select_phenotype_window` - consecutive SNPs around a causal SNP.

Plus the encodings and splits around them: :func:`genotype_pairs`,
:func:`append_phenotype`, :func:`split_individuals` and
:func:`population_rows`.

Minor allele frequencies (MAF) are computed over all the haplotypes of the
set unless stated otherwise.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

import numpy as np
import pandas as pd

from genosynth.data import HaplotypeSet
from genosynth.errors import ConfigError, GenosynthError

__all__ = [
    "MISSING_POP",
    "append_phenotype",
    "genotype_pairs",
    "minor_allele_frequency",
    "population_fst",
    "population_rows",
    "select_differentiated",
    "select_phenotype_window",
    "select_region",
    "select_thinned",
    "split_individuals",
]

#: Population label of haplotypes whose population is unknown; ignored by Fst.
MISSING_POP = "NA"


def _check_n(n_snps) -> int:
    if isinstance(n_snps, bool) or not isinstance(n_snps, int | np.integer) or n_snps < 1:
        raise ConfigError("n_snps", f"must be a positive integer, got {n_snps!r}")
    return int(n_snps)


def _check_maf(min_maf: float, key: str = "min_maf") -> float:
    if not 0.0 <= min_maf <= 0.5:
        raise ConfigError(key, f"must be in [0, 0.5], got {min_maf!r}")
    return float(min_maf)


def minor_allele_frequency(haplotypes: np.ndarray) -> np.ndarray:
    """Minor allele frequency of each site.

    Parameters
    ----------
    haplotypes : numpy.ndarray, shape (n_haplotypes, n_sites)
        Values in {0, 1}.

    Returns
    -------
    numpy.ndarray, float64, shape (n_sites,)
        ``min(p, 1 - p)`` with ``p`` the ALT frequency (0 where there are
        no haplotypes).
    """
    h = np.asarray(haplotypes)
    if h.shape[0] == 0:
        return np.zeros(h.shape[1])
    p = h.mean(axis=0, dtype=np.float64)
    return np.minimum(p, 1.0 - p)


def population_fst(haplotypes: np.ndarray, labels: Iterable) -> np.ndarray:
    """Per-site Fst between the populations named by ``labels``.

    ``Fst = var_k(p_k) / (pbar * (1 - pbar))``, with ``p_k`` the ALT
    frequency in population ``k``, ``var`` the population variance
    (``ddof=0``) over populations and ``pbar`` the unweighted mean of the
    ``p_k``. Two fixed opposite populations give 1; identical frequencies
    give 0; sites with ``pbar`` in {0, 1} get 0. Haplotypes labelled
    ``"NA"`` (or missing) are ignored.

    Parameters
    ----------
    haplotypes : numpy.ndarray, shape (n_haplotypes, n_sites)
    labels : sequence, length n_haplotypes
        Population of each haplotype.

    Returns
    -------
    numpy.ndarray, float64, shape (n_sites,)
    """
    h = np.asarray(haplotypes)
    lab = pd.Series(list(labels), dtype=object)
    if len(lab) != h.shape[0]:
        raise GenosynthError(f"{len(lab)} labels for {h.shape[0]} haplotypes")
    known = lab.notna().to_numpy() & (lab.astype(str) != MISSING_POP).to_numpy()
    codes, groups = pd.factorize(lab[known])
    if len(groups) < 2:
        raise GenosynthError(
            f"Fst needs at least two populations, found {list(groups)}; "
            "check the population labels of the samples"
        )
    rows = np.flatnonzero(known)
    # (n_groups, n_sites) ALT frequencies; one pass per group, no float copy of h
    freq = np.stack(
        [h[rows[codes == g]].mean(axis=0, dtype=np.float64) for g in range(len(groups))]
    )
    pbar = freq.mean(axis=0)
    denom = pbar * (1.0 - pbar)
    var = freq.var(axis=0)
    out = np.zeros(h.shape[1])
    ok = denom > 0
    out[ok] = var[ok] / denom[ok]
    return out


def _genomic_order(sites: pd.DataFrame, index: np.ndarray) -> np.ndarray:
    """Sort site indices by (chromosome in order of first appearance, position)."""
    index = np.asarray(index, dtype=np.int64)
    chrom_rank, _ = pd.factorize(sites["chrom"].astype(str))
    pos = sites["position"].to_numpy(dtype=np.int64)
    order = np.lexsort((index, pos[index], chrom_rank[index]))
    return index[order]


def select_differentiated(
    hs: HaplotypeSet,
    *,
    n_snps: int,
    min_maf: float = 0.01,
    min_distance: int = 0,
    group: str = "super_pop",
) -> np.ndarray:
    """The ``n_snps`` most population-differentiated SNPs.

    SNPs with pooled MAF >= ``min_maf`` are ranked by :func:`population_fst`
    between the groups of ``hs.samples[group]`` (``"NA"`` ignored), and taken
    greedily in decreasing Fst (ties: earlier site first), skipping any SNP
    closer than ``min_distance`` bp to an already chosen SNP on the same
    chromosome (so chosen SNPs are at least ``min_distance`` bp apart). Data of fewer than
    two populations raise a :class:`ConfigError` on ``select``, too few SNPs one on ``n_snps``.

    Parameters
    ----------
    hs : HaplotypeSet
        ``n_haplotypes x n_sites``.
    n_snps : int
    min_maf : float
    min_distance : int
        bp; 0 disables the spacing rule.
    group : str
        Sample column defining the populations (``"super_pop"`` or ``"pop"``).

    Returns
    -------
    numpy.ndarray, int64, shape (n_snps,)
        Site indices sorted by (chrom, position).
    """
    n = _check_n(n_snps)
    min_maf = _check_maf(min_maf)
    if min_distance < 0:
        raise ConfigError("min_distance", f"must be >= 0 bp, got {min_distance!r}")
    if group not in hs.samples:
        raise ConfigError("group", f"no sample column '{group}'", fix="use 'super_pop' or 'pop'")
    _require_populations(hs.samples[group], group)
    maf = minor_allele_frequency(hs.haplotypes)
    candidates = np.flatnonzero(maf >= min_maf)
    if len(candidates) < n:
        raise ConfigError(
            "n_snps",
            f"asked for {n} differentiated SNPs but only {len(candidates)} of "
            f"{hs.n_sites} SNPs have MAF >= {min_maf}",
            fix=f"lower n_snps to <= {len(candidates)} or lower min_maf",
        )
    fst = population_fst(hs.haplotypes[:, candidates], hs.samples[group].to_numpy())
    ranked = candidates[np.argsort(-fst, kind="stable")]
    if min_distance == 0:
        chosen = ranked[:n]
    else:
        chroms = hs.sites["chrom"].astype(str).to_numpy()
        pos = hs.sites["position"].to_numpy(dtype=np.int64)
        taken: dict[str, list[int]] = {}
        picked: list[int] = []
        for i in ranked:
            lst = taken.setdefault(chroms[i], [])
            p = int(pos[i])
            k = bisect.bisect_left(lst, p)
            if (k < len(lst) and lst[k] - p < min_distance) or (
                k > 0 and p - lst[k - 1] < min_distance
            ):
                continue
            lst.insert(k, p)
            picked.append(int(i))
            if len(picked) == n:
                break
        if len(picked) < n:
            raise ConfigError(
                "n_snps",
                f"only {len(picked)} SNPs with MAF >= {min_maf} are at least "
                f"{min_distance} bp apart, {n} asked",
                fix="lower n_snps or min_distance",
            )
        chosen = np.array(picked, dtype=np.int64)
    return _genomic_order(hs.sites, chosen)


def _require_populations(labels: pd.Series, group: str) -> None:
    """Refuse ``differentiated`` on data of fewer than two populations (``"NA"`` aside)."""
    named = labels.dropna().astype(str)
    found = list(dict.fromkeys(named[named != MISSING_POP]))
    if len(found) < 2:
        raise ConfigError(
            "select",
            f"'differentiated' ranks SNPs by Fst between populations ({group}), but the data "
            f"has {len(found)}: {found}",
            fix="use select: thinned or region, or give the source a panel with two or more "
            "populations",
        )


def _resolve_chrom(hs: HaplotypeSet, chrom) -> str:
    chroms = list(pd.unique(hs.sites["chrom"].astype(str)))
    if not chroms:
        raise ConfigError("chrom", "the haplotype set has no sites")
    if chrom is None:
        if len(chroms) > 1:
            raise ConfigError("chrom", f"the data has several chromosomes {chroms}", fix="name one")
        return chroms[0]
    if str(chrom) not in chroms:
        raise ConfigError(
            "chrom", f"chromosome '{chrom}' is not in the data", fix=f"use one of {chroms}"
        )
    return str(chrom)


def _eligible_on_chrom(
    hs: HaplotypeSet, chrom: str, min_maf: float, populations=None, column: str = "pop"
) -> np.ndarray:
    on = hs.sites["chrom"].astype(str).to_numpy() == chrom
    h = hs.haplotypes
    if populations is not None:
        h = h[population_rows(hs.samples, populations, column=column)]
    maf = minor_allele_frequency(h)
    idx = np.flatnonzero(on & (maf >= min_maf))
    return _genomic_order(hs.sites, idx)


def select_region(
    hs: HaplotypeSet,
    *,
    n_snps: int,
    start: int | None = None,
    chrom: str | None = None,
    min_maf: float = 0.0,
    populations: Iterable[str] | str | None = None,
    column: str = "pop",
) -> np.ndarray:
    """``n_snps`` consecutive SNPs (after the MAF filter) on one chromosome.

    The run starts at the first SNP with MAF >= ``min_maf`` and position
    >= ``start``; with ``start=None`` it is centred on the middle such SNP
    of the chromosome.

    Parameters
    ----------
    hs : HaplotypeSet
    n_snps : int
    start : int, optional
        1-based bp position where the region begins.
    chrom : str, optional
        Needed only when the data has several chromosomes.
    min_maf : float
    populations : str or list of str, optional
        Values of ``hs.samples[column]`` whose haplotypes set the MAF (as in
        :func:`select_thinned`); all haplotypes if None.
    column : str
        Sample column ``populations`` refers to.

    Returns
    -------
    numpy.ndarray, int64, shape (n_snps,)
        Consecutive eligible site indices in genomic order.
    """
    n = _check_n(n_snps)
    min_maf = _check_maf(min_maf)
    chrom = _resolve_chrom(hs, chrom)
    elig = _eligible_on_chrom(hs, chrom, min_maf, populations, column)
    pos = hs.sites["position"].to_numpy(dtype=np.int64)[elig]
    if start is None:
        if len(elig) < n:
            raise ConfigError(
                "n_snps",
                f"chromosome {chrom} has only {len(elig)} SNPs with MAF >= {min_maf}, {n} asked",
                fix=f"lower n_snps to <= {len(elig)} or lower min_maf",
            )
        first = min(max(len(elig) // 2 - n // 2, 0), len(elig) - n)
        return elig[first : first + n]
    first = int(np.searchsorted(pos, start, side="left"))
    available = len(elig) - first
    if available == 0:
        last = f"the last is at {int(pos[-1])}" if len(pos) else "there are none"
        raise ConfigError(
            "start",
            f"empty region: no SNP with MAF >= {min_maf} at or after position {start} on "
            f"chromosome {chrom} ({last})",
            fix="choose a smaller start" if len(pos) else "lower min_maf",
        )
    if available < n:
        hint = f"a start <= {int(pos[-n])}" if len(elig) >= n else f"n_snps <= {len(elig)}"
        raise ConfigError(
            "n_snps",
            f"the region from position {start} on chromosome {chrom} has only {available} "
            f"SNPs with MAF >= {min_maf}, {n} asked",
            fix=f"use {hint}, or lower n_snps to <= {available}",
        )
    return elig[first : first + n]


def select_thinned(
    hs: HaplotypeSet,
    *,
    n_snps: int,
    min_maf: float = 0.05,
    populations: Iterable[str] | str | None = None,
    column: str = "pop",
) -> np.ndarray:
    """``n_snps`` SNPs evenly spaced by rank over the whole set.

    Among the ``m`` SNPs whose MAF in the haplotypes of ``populations`` is
    >= ``min_maf``, take ranks ``round(i * (m - 1) / (n_snps - 1))`` for
    ``i = 0..n_snps-1`` (so the first and last are always included; one
    SNP is the middle one).

    Parameters
    ----------
    hs : HaplotypeSet
    n_snps : int
    min_maf : float
    populations : str or list of str, optional
        Values of ``hs.samples[column]`` whose haplotypes set the MAF; all
        haplotypes if None.
    column : str
        Sample column ``populations`` refers to.

    Returns
    -------
    numpy.ndarray, int64, shape (n_snps,)
        Site indices in genomic order.
    """
    n = _check_n(n_snps)
    min_maf = _check_maf(min_maf)
    h = hs.haplotypes
    if populations is not None:
        h = h[population_rows(hs.samples, populations, column=column)]
    maf = minor_allele_frequency(h)
    elig = _genomic_order(hs.sites, np.flatnonzero(maf >= min_maf))
    m = len(elig)
    if m < n:
        who = "all haplotypes" if populations is None else f"populations {populations}"
        raise ConfigError(
            "n_snps",
            f"only {m} SNPs have MAF >= {min_maf} in {who}, {n} asked",
            fix=f"lower n_snps to <= {m} or lower min_maf",
        )
    if n == 1:
        return elig[[(m - 1) // 2]]
    i = np.arange(n, dtype=np.int64)
    ranks = (2 * i * (m - 1) + (n - 1)) // (2 * (n - 1))  # round half up, exact
    return elig[ranks]


def _find_site(hs: HaplotypeSet, causal_id: str) -> int:
    ids = hs.sites["id"].astype(str).to_numpy()
    hits = np.flatnonzero(ids == str(causal_id))
    if len(hits) == 0 and ":" in str(causal_id):
        c, _, p = str(causal_id).rpartition(":")
        if p.isdigit():
            hits = np.flatnonzero(
                (hs.sites["chrom"].astype(str).to_numpy() == c)
                & (hs.sites["position"].to_numpy(dtype=np.int64) == int(p))
            )
    if len(hits) == 0:
        raise ConfigError(
            "causal_id",
            f"SNP '{causal_id}' is not among the {hs.n_sites} sites",
            fix="give a site id present in the data, or <chrom>:<pos>",
        )
    if len(hits) > 1:
        raise ConfigError("causal_id", f"SNP '{causal_id}' matches {len(hits)} sites")
    return int(hits[0])


def select_phenotype_window(
    hs: HaplotypeSet,
    *,
    causal_id: str,
    n_snps: int,
    min_maf: float = 0.0,
) -> np.ndarray:
    """``n_snps`` consecutive SNPs centred on the causal SNP.

    The window runs over the SNPs of the causal SNP's chromosome with MAF >=
    ``min_maf`` plus the causal SNP itself (always included), with the
    causal SNP at offset ``n_snps // 2`` unless the chromosome end is
    nearer, in which case the window is shifted inwards.

    Parameters
    ----------
    hs : HaplotypeSet
    causal_id : str
        Site id, or ``<chrom>:<pos>`` when no id matches.
    n_snps : int
    min_maf : float

    Returns
    -------
    numpy.ndarray, int64, shape (n_snps,)
        Site indices in genomic order, containing the causal site.
    """
    n = _check_n(n_snps)
    min_maf = _check_maf(min_maf)
    causal = _find_site(hs, causal_id)
    chrom = str(hs.sites["chrom"].iloc[causal])
    elig = _eligible_on_chrom(hs, chrom, min_maf)
    if causal not in set(elig.tolist()):
        elig = _genomic_order(hs.sites, np.append(elig, causal))
    m = len(elig)
    if m < n:
        raise ConfigError(
            "n_snps",
            f"chromosome {chrom} has only {m} SNPs with MAF >= {min_maf} around "
            f"'{causal_id}', {n} asked",
            fix=f"lower n_snps to <= {m} or lower min_maf",
        )
    k = int(np.flatnonzero(elig == causal)[0])
    first = min(max(k - n // 2, 0), m - n)
    return elig[first : first + n]


def genotype_pairs(haplotypes: np.ndarray) -> np.ndarray:
    """Unphased genotypes with two canonical columns per SNP.

    Individual ``i`` is haplotype rows ``2i`` and ``2i + 1``; for SNP ``j``
    column ``2j`` holds ``min(a, b)`` and column ``2j + 1`` holds
    ``max(a, b)``, so 0/0 -> (0, 0), het -> (0, 1), 1/1 -> (1, 1) whatever
    the phase.

    Parameters
    ----------
    haplotypes : numpy.ndarray, shape (2 * n_individuals, n_sites)

    Returns
    -------
    numpy.ndarray, int8, shape (n_individuals, 2 * n_sites)
    """
    h = np.asarray(haplotypes)
    if h.ndim != 2 or h.shape[0] % 2:
        raise GenosynthError(
            f"need a 2-D haplotype matrix with an even number of rows, got shape {h.shape}"
        )
    a, b = h[0::2], h[1::2]
    out = np.empty((a.shape[0], 2 * h.shape[1]), dtype=np.int8)
    out[:, 0::2] = np.minimum(a, b)
    out[:, 1::2] = np.maximum(a, b)
    return out


def append_phenotype(matrix: np.ndarray, phenotype: np.ndarray) -> np.ndarray:
    """Append a 0/1 phenotype as the last column.

    Parameters
    ----------
    matrix : numpy.ndarray, shape (n, 2L)
        E.g. from :func:`genotype_pairs`.
    phenotype : numpy.ndarray, shape (n,)

    Returns
    -------
    numpy.ndarray, int8, shape (n, 2L + 1)
    """
    m = np.asarray(matrix)
    ph = np.asarray(phenotype)
    if m.ndim != 2 or ph.shape != (m.shape[0],):
        raise GenosynthError(
            f"phenotype of shape {ph.shape} does not match matrix of shape {m.shape}"
        )
    if not np.isin(ph, (0, 1)).all():
        raise GenosynthError("phenotype values must be 0 or 1")
    return np.concatenate([m.astype(np.int8), ph.astype(np.int8)[:, None]], axis=1)


def _individual_rows(samples: pd.DataFrame) -> np.ndarray:
    """Check the adjacent-pair layout; return each individual's first row."""
    n = len(samples)
    if n % 2:
        raise GenosynthError(f"{n} haplotype rows: every individual needs two adjacent rows")
    s = samples["sample"].astype(str).to_numpy()
    bad = np.flatnonzero(s[0::2] != s[1::2])
    if len(bad):
        raise GenosynthError(
            f"haplotype rows {2 * bad[0]} and {2 * bad[0] + 1} belong to different samples "
            f"('{s[2 * bad[0]]}', '{s[2 * bad[0] + 1]}'); the two haplotypes of an "
            "individual must be adjacent"
        )
    return np.arange(0, n, 2)


def split_individuals(
    samples: pd.DataFrame,
    *,
    test_fraction: float = 0.25,
    seed: int | np.random.Generator,
    stratify: str = "pop",
) -> tuple[np.ndarray, np.ndarray]:
    """Split individuals into train and test, stratified by population.

    In each population (sorted by name) ``round(n * test_fraction)`` (half
    up) individuals, chosen at random, go to test and the rest to train;
    both haplotypes of a person land on the same side.

    Parameters
    ----------
    samples : pandas.DataFrame, n_haplotypes rows
        ``HaplotypeSet.samples`` (adjacent pairs per individual).
    test_fraction : float
        In (0, 1).
    seed : int or numpy.random.Generator
    stratify : str
        Sample column to stratify on.

    Returns
    -------
    train_idx, test_idx : numpy.ndarray, int64
        Sorted haplotype row indices.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ConfigError("test_fraction", f"must be in (0, 1), got {test_fraction!r}")
    if stratify not in samples:
        raise ConfigError("stratify", f"no sample column '{stratify}'")
    first = _individual_rows(samples)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    pops = samples[stratify].astype(str).to_numpy()[first]
    test_first = []
    for pop in sorted(set(pops)):
        members = first[pops == pop]
        n_test = int(np.floor(len(members) * test_fraction + 0.5))
        test_first.append(rng.permutation(members)[:n_test])
    test_first = np.sort(np.concatenate(test_first)) if test_first else np.zeros(0, np.int64)
    train_first = np.setdiff1d(first, test_first)
    if len(test_first) == 0 or len(train_first) == 0:
        raise GenosynthError(
            f"splitting {len(first)} individuals with test_fraction={test_fraction} leaves "
            f"{len(train_first)} for training and {len(test_first)} for testing; use more "
            "individuals or a test_fraction nearer 0.5"
        )

    def rows(f):
        return np.sort(np.concatenate([f, f + 1])).astype(np.int64)

    return rows(train_first), rows(test_first)


def population_rows(
    samples: pd.DataFrame,
    populations: Iterable[str] | str,
    *,
    column: str = "pop",
) -> np.ndarray:
    """Haplotype rows whose ``column`` value is one of ``populations``.

    For the scan dataset: ``population_rows(samples, ["CEU"])`` are the
    target haplotypes; the complementary rows are
    ``np.setdiff1d(np.arange(len(samples)), rows)``.

    Parameters
    ----------
    samples : pandas.DataFrame, n_haplotypes rows
    populations : str or list of str
    column : str
        ``"pop"`` or ``"super_pop"``.

    Returns
    -------
    numpy.ndarray, int64
        Sorted row indices.
    """
    if column not in samples:
        raise ConfigError("column", f"no sample column '{column}'", fix="use 'pop' or 'super_pop'")
    wanted = [populations] if isinstance(populations, str) else [str(p) for p in populations]
    if not wanted:
        raise ConfigError("populations", "empty population list")
    values = samples[column].astype(str).to_numpy()
    available = sorted(set(values))
    unknown = [p for p in wanted if p not in available]
    if unknown:
        raise ConfigError(
            "populations",
            f"unknown {column} value(s) {unknown}",
            fix=f"use some of the available {column} values {available}",
        )
    return np.flatnonzero(np.isin(values, wanted)).astype(np.int64)
