"""Selection scans on real and artificial haplotypes (Yelmen et al. Fig 4).

* :func:`xpehh_standardized` - cross-population extended haplotype homozygosity
  (scikit-allel), standardized to mean 0 and unit variance over the scored sites;
  :func:`xpehh_scans` the same for several targets against one reference;
* :func:`pbs_windows` - population branch statistic in windows of SNPs (scikit-allel);
* :func:`read_genetic_map` / :func:`interpolate_map` - recombination maps in cM;
  :func:`map_positions` the same after checking that the map fits the SNPs;
* :func:`cluster_unlabelled` - groups of unlabelled haplotypes (k-means on PCs of
  individual dosages), named by decreasing differentiation from the target.

Haplotypes are ``int8`` arrays ``(n_haplotypes, n_sites)`` in {0, 1}; scikit-allel takes
their transpose, which happens here and nowhere else.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

import allel
import numpy as np
import pandas as pd

from genosynth.errors import GenosynthError, InputError
from genosynth.formats import read_text_bytes

__all__ = [
    "allele_counts",
    "cluster_unlabelled",
    "hudson_fst",
    "interpolate_map",
    "map_positions",
    "pbs_windows",
    "pearson_r",
    "read_genetic_map",
    "top_peaks",
    "xpehh_scans",
    "xpehh_standardized",
]

log = logging.getLogger(__name__)


def allele_counts(haplotypes: np.ndarray) -> np.ndarray:
    """Allele counts per site, as scikit-allel wants them.

    Parameters
    ----------
    haplotypes : numpy.ndarray, int8, shape (n_haplotypes, n_sites)

    Returns
    -------
    numpy.ndarray, int32, shape (n_sites, 2)
        Column 0 counts allele 0 (a0), column 1 allele 1 (a1).
    """
    h = np.asarray(haplotypes)
    alt = h.sum(axis=0, dtype=np.int32)
    return np.stack([h.shape[0] - alt, alt], axis=1).astype(np.int32)


def xpehh_standardized(
    target: np.ndarray, reference: np.ndarray, positions: np.ndarray, **options
) -> np.ndarray:
    """Standardized XP-EHH of ``target`` against ``reference`` at every site.

    ``allel.xpehh`` (unstandardized log ratio of integrated EHH; positive where
    the target has the longer haplotypes) followed by ``allel.standardize``
    (subtract the mean, divide by the standard deviation over the finite
    values): :func:`xpehh_scans` with one target.

    Parameters
    ----------
    target, reference : numpy.ndarray, int8, shape (n_haplotypes_*, n_sites)
    positions : numpy.ndarray, int64, shape (n_sites,)
        Increasing bp positions.
    **options
        ``map_pos``, ``min_ehh``, ``include_edges``, ``gap_scale``, ``max_gap``,
        ``threads``: as :func:`xpehh_scans`.

    Returns
    -------
    numpy.ndarray, float64, shape (n_sites,)
        NaN where EHH does not decay to ``min_ehh`` before the data's edge
        (unless ``include_edges``) or where a population is monomorphic.
    """
    return xpehh_scans({"target": target}, reference, positions, **options)["target"]


def xpehh_scans(
    targets: Mapping[str, np.ndarray],
    reference: np.ndarray,
    positions: np.ndarray,
    *,
    map_pos: np.ndarray | None = None,
    min_ehh: float = 0.05,
    include_edges: bool = False,
    gap_scale: int = 20000,
    max_gap: int = 200000,
    threads: int = 1,
) -> dict[str, np.ndarray]:
    """Standardized XP-EHH of several targets against one reference.

    The arithmetic of ``allel.xpehh`` (integrated EHH of each population,
    scanned forward and backward with ``allel``'s ``ihh_scan``; score
    ``log(ihh_target / ihh_reference)``) followed by ``allel.standardize``,
    with the reference's integrated EHH computed once instead of once per
    target, and the scans spread over ``threads`` threads (``ihh_scan``
    releases the GIL). Each target's values equal ``allel.xpehh`` then
    ``allel.standardize`` on that target alone, bit for bit.

    Parameters
    ----------
    targets : mapping of str to numpy.ndarray, int8, shape (n_haplotypes_t, n_sites)
    reference : numpy.ndarray, int8, shape (n_haplotypes_r, n_sites)
    positions : numpy.ndarray, int64, shape (n_sites,)
        Increasing bp positions.
    map_pos : numpy.ndarray, float64, shape (n_sites,), optional
        Genetic positions (cM); physical distance is used when None.
    min_ehh, include_edges, gap_scale, max_gap
        As ``allel.xpehh``.
    threads : int
        Scans run at the same time.

    Returns
    -------
    dict of str to numpy.ndarray, float64, shape (n_sites,)
        Keyed as ``targets``. NaN where EHH does not decay to ``min_ehh``
        before the data's edge (unless ``include_edges``) or where a
        population is monomorphic.
    """
    from allel.stats.selection import compute_ihh_gaps, ihh_scan

    pos = np.asarray(positions, dtype=np.int64)
    gaps = compute_ihh_gaps(pos, None if map_pos is None else np.asarray(map_pos, np.float64),
                            gap_scale, max_gap, None)  # fmt: skip
    names = list(targets)
    sites_first = [np.ascontiguousarray(np.asarray(h, dtype=np.int8).T)
                   for h in (reference, *targets.values())]  # fmt: skip

    def ihh(job):  # one direction of one set; index 0 is the reference
        index, step = job
        h = sites_first[index]
        return ihh_scan(h[::step], gaps[::step], min_ehh=min_ehh,
                        include_edges=include_edges)[::step]  # fmt: skip

    jobs = [(index, step) for index in range(len(sites_first)) for step in (1, -1)]
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        halves = list(pool.map(ihh, jobs))
    total = [
        forward + backward for forward, backward in zip(halves[::2], halves[1::2], strict=True)
    ]
    out = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, target_ihh in zip(names, total[1:], strict=True):
            raw = np.log(target_ihh / total[0])
            raw = np.where(np.isfinite(raw), raw, np.nan)
            scored = np.isfinite(raw).any()
            out[name] = np.asarray(allel.standardize(raw), np.float64) if scored else raw
    return out


def window_bounds(n_sites: int, *, size: int, step: int) -> np.ndarray:
    """First and last site index of each window ``allel.pbs`` uses.

    Returns
    -------
    numpy.ndarray, int64, shape (n_windows, 2)
        ``[start, stop)`` site indices: windows start at 0, ``step`` apart,
        and a window that would run past the last site is left out.
    """
    if size < 1 or step < 1:
        raise GenosynthError(f"window size and step must be >= 1, got {size}, {step}")
    return np.asarray(list(allel.index_windows(np.arange(n_sites), size, 0, None, step)))


def pbs_windows(
    target: np.ndarray,
    second: np.ndarray,
    third: np.ndarray,
    *,
    size: int = 10,
    step: int = 5,
    normed: bool = True,
) -> np.ndarray:
    """Population branch statistic of ``target`` in windows of SNPs.

    ``allel.pbs`` on the allele counts: Hudson Fst per pair averaged over the
    window's sites (sum of numerators / sum of denominators), ``T = -log(1 -
    Fst)`` and ``PBS = (T12 + T13 - T23) / 2``, normalized by ``1 + PBS1 +
    PBS2 + PBS3`` when ``normed`` (PBSn1, as in the paper).

    Parameters
    ----------
    target, second, third : numpy.ndarray, int8, shape (n_haplotypes_*, n_sites)
    size, step : int
        SNPs per window and between window starts (paper: 10 and 5).
    normed : bool

    Returns
    -------
    numpy.ndarray, float64, shape (n_windows,)
        One value per row of :func:`window_bounds`.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        value = allel.pbs(
            allele_counts(target),
            allele_counts(second),
            allele_counts(third),
            window_size=size,
            window_step=step,
            normed=normed,
        )
    return np.where(np.isfinite(value), value, np.nan).astype(np.float64)


def hudson_fst(first: np.ndarray, second: np.ndarray) -> float:
    """Hudson Fst of two haplotype sets over all sites (ratio of sums)."""
    num, den = allel.hudson_fst(allele_counts(first), allele_counts(second))
    return float(np.nansum(num) / np.nansum(den)) if np.nansum(den) > 0 else 0.0


def pearson_r(x: np.ndarray, y: np.ndarray) -> tuple[float, int]:
    """Pearson correlation over the positions where both values are finite.

    Returns
    -------
    (float, int)
        r (NaN with fewer than 3 such positions or no variance) and the count.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    ok = np.isfinite(x) & np.isfinite(y)
    n = int(ok.sum())
    if n < 3 or x[ok].std() == 0 or y[ok].std() == 0:
        return float("nan"), n
    return float(np.corrcoef(x[ok], y[ok])[0, 1]), n


def top_peaks(values: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` largest finite values, largest first."""
    v = np.asarray(values, dtype=np.float64)
    finite = np.flatnonzero(np.isfinite(v))
    order = finite[np.argsort(-v[finite], kind="stable")]
    return order[:n]


def read_genetic_map(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """Read a recombination map into positions and cumulative cM.

    Accepted layouts (whitespace separated):

    * a header naming a position column (``Position(bp)``, ``position``,
      ``pos``...) and with the cumulative map in cM as the last column: the
      HapMap/IMPUTE2 ``position COMBINED_rate(cM/Mb) Genetic_Map(cM)``, the
      ``Chromosome Position(bp) Rate(cM/Mb) Map(cM)`` of
      ``genetic_map_GRCh37_chr*.txt.gz``, Eagle's ``chr position rate cM``;
    * a PLINK ``.map`` without header: ``chrom id cM bp``.

    Parameters
    ----------
    path : str or os.PathLike
        Plain or gzipped; one chromosome.

    Returns
    -------
    positions : numpy.ndarray, int64, shape (n_rows,)
        Increasing bp positions.
    cm : numpy.ndarray, float64, shape (n_rows,)
        Non-decreasing cumulative genetic positions.

    Raises
    ------
    InputError
        Unknown layout, non-numeric fields, a decreasing position or map, or
        rows of several chromosomes.
    """
    return _read_map(path)[:2]


def map_positions(path: str | os.PathLike, chroms, positions) -> np.ndarray:
    """Genetic positions (cM) of SNPs from the map at ``path``, once the map fits them.

    The map must be of the SNPs' chromosome (where both name it: a map's
    ``Chromosome``/``chr`` column or PLINK's first column, the SNPs' ``chrom``
    other than ``"NA"``; a leading ``chr`` is ignored) and span at least half
    of the SNPs: a map of another chromosome or build would give every SNP
    the cM of one end of the map (zero genetic distances, NaN XP-EHH). SNPs
    outside a map that spans most of them take its end values, with a warning.

    Parameters
    ----------
    path : str or os.PathLike
        See :func:`read_genetic_map`.
    chroms : sequence of str, shape (n_sites,)
    positions : numpy.ndarray, int64, shape (n_sites,)

    Returns
    -------
    numpy.ndarray, float64, shape (n_sites,)
        :func:`interpolate_map` of ``positions``.

    Raises
    ------
    InputError
        Naming the map's chromosome and range and the SNPs'.
    """
    map_pos, cm, map_chrom = _read_map(path)
    pos = np.asarray(positions, dtype=np.int64)
    names = sorted({_chrom_name(c) for c in chroms} - {"NA"})
    snps = f"chromosome {'/'.join(names) or '(unnamed)'} at {pos.min()}-{pos.max()} bp"
    mapped = f"chromosome {map_chrom or '(unnamed)'} at {map_pos[0]}-{map_pos[-1]} bp"
    fix = "give the map of the SNPs' chromosome in their genome build (downstream.genetic_map)"
    if map_chrom is not None and names and names != [map_chrom]:
        raise InputError(path, f"genetic map of {mapped}, but the SNPs are on {snps}", fix=fix)
    outside = int(((pos < map_pos[0]) | (pos > map_pos[-1])).sum())
    if 2 * outside > len(pos):
        raise InputError(
            path,
            f"genetic map of {mapped} leaves {outside} of {len(pos)} SNPs outside it "
            f"(SNPs on {snps})",
            fix=fix,
        )
    if outside:
        log.warning("%s: %d of %d SNPs (%s) lie outside the genetic map (%s); they take "
                    "the cM of its ends", path, outside, len(pos), snps, mapped)  # fmt: skip
    return interpolate_map(pos, map_pos, cm)


def _chrom_name(name) -> str:
    text = str(name).strip()
    return text[3:] if text.lower().startswith("chr") else text


def _read_map(path) -> tuple[np.ndarray, np.ndarray, str | None]:
    """:func:`read_genetic_map` and the map's chromosome (None where it has no column)."""
    lines = [ln.split() for ln in read_text_bytes(path).decode("utf-8", "replace").splitlines()]
    lines = [ln for ln in lines if ln]
    if not lines:
        raise InputError(path, "genetic map is empty", fix="give a map with bp and cM columns")
    header = [h.lower() for h in lines[0]]
    plink = len(header) == 4 and _is_number(header[2]) and _is_number(header[3])
    if not plink:
        pos_col = next((i for i, h in enumerate(header) if "pos" in h), None)
        if pos_col is None:
            raise InputError(
                path,
                "no position column in the header",
                line=1,
                record=" ".join(lines[0]),
                fix="name the bp column 'position' and put cM last",
            )
        chrom_col = next((i for i, h in enumerate(header) if h.startswith("chr")), None)
        body, cm_col, first_line = lines[1:], len(header) - 1, 2
    else:
        body, pos_col, cm_col, chrom_col, first_line = lines, 3, 2, 0, 1
    try:
        pos = np.array([float(r[pos_col]) for r in body], dtype=np.float64).astype(np.int64)
        cm = np.array([float(r[cm_col]) for r in body], dtype=np.float64)
    except (ValueError, IndexError):
        bad = next(i for i, r in enumerate(body) if len(r) <= cm_col or not _is_number(r[pos_col]))
        raise InputError(
            path,
            "non-numeric or missing position / cM field",
            line=first_line + bad,
            record=" ".join(body[bad])[:80],
            fix="every row needs a bp position and a cumulative cM value",
        ) from None
    _check_increasing(path, body, first_line, pos, cm)
    return pos, cm, _map_chromosome(path, body, first_line, chrom_col)


def _check_increasing(path, body, first_line: int, pos: np.ndarray, cm: np.ndarray) -> None:
    for name, values in (("position", pos), ("cM", cm)):
        bad = np.flatnonzero(np.diff(values) < 0)
        if len(bad):
            raise InputError(
                path,
                f"{name} decreases",
                line=first_line + int(bad[0]) + 1,
                record=" ".join(body[int(bad[0]) + 1])[:80],
                fix="sort the map by position; give one chromosome per file",
            )


def _map_chromosome(path, body, first_line: int, column: int | None) -> str | None:
    """The one chromosome a map's ``column`` names (None without a column or rows)."""
    if column is None or not body:
        return None
    names = [_chrom_name(r[column]) for r in body]
    other = next((i for i, n in enumerate(names) if n != names[0]), None)
    if other is not None:
        raise InputError(
            path,
            f"rows of chromosome {names[other]} after rows of chromosome {names[0]}",
            line=first_line + other,
            record=" ".join(body[other])[:80],
            fix="give one chromosome per file",
        )
    return names[0]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def interpolate_map(positions: np.ndarray, map_positions: np.ndarray, map_cm: np.ndarray):
    """Genetic positions (cM) of ``positions`` by linear interpolation in the map.

    Positions before the first (after the last) map row take its cM value.

    Returns
    -------
    numpy.ndarray, float64, shape (n_sites,)
    """
    return np.interp(np.asarray(positions, dtype=np.float64), map_positions, map_cm)


def cluster_unlabelled(
    haplotypes: np.ndarray, target: np.ndarray, *, n_clusters: int, seed: int, prefix: str
) -> np.ndarray:
    """Split unlabelled haplotypes into groups, named by differentiation from the target.

    Individuals (consecutive haplotype pairs) are clustered by k-means on the
    first 10 principal components of their standardized allele dosages; the
    clusters are then named ``<prefix>1`` (the one with the largest Hudson Fst
    to ``target``) to ``<prefix><n_clusters>`` (the smallest).

    Parameters
    ----------
    haplotypes : numpy.ndarray, int8, shape (2 * n_individuals, n_sites)
    target : numpy.ndarray, int8, shape (n_target_haplotypes, n_sites)
    n_clusters : int
    seed : int
        k-means seed.
    prefix : str

    Returns
    -------
    numpy.ndarray of str, shape (2 * n_individuals,)
        Group name of each haplotype.
    """
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA

    h = np.asarray(haplotypes)
    if h.shape[0] % 2 or h.shape[0] // 2 < n_clusters:
        raise GenosynthError(
            f"{h.shape[0]} unlabelled haplotypes do not make {n_clusters} clusters of "
            "diploid individuals"
        )
    dosage = (h[0::2] + h[1::2]).astype(np.float64)
    spread = dosage.std(axis=0)
    keep = spread > 0
    scaled = (dosage[:, keep] - dosage[:, keep].mean(axis=0)) / spread[keep]
    n_pcs = min(10, *scaled.shape)
    pcs = PCA(n_components=n_pcs, random_state=seed).fit_transform(scaled)
    cluster = KMeans(n_clusters=n_clusters, n_init=10, random_state=seed).fit_predict(pcs)
    fst = [hudson_fst(h[np.repeat(cluster == c, 2)], target) for c in range(n_clusters)]
    rank = np.empty(n_clusters, dtype=np.int64)
    rank[np.argsort(-np.asarray(fst), kind="stable")] = np.arange(n_clusters)
    names = np.array([f"{prefix}{r + 1}" for r in rank])
    return np.repeat(names[cluster], 2)


def scan_table(ids, positions, values: dict[str, np.ndarray], extra: dict | None = None):
    """A wide table: ``id position [extra...] real <model>...`` (helper for the stage)."""
    frame = pd.DataFrame({"id": list(ids), "position": np.asarray(positions, dtype=np.int64)})
    for key, column in (extra or {}).items():
        frame[key] = column
    for key, column in values.items():
        frame[key] = column
    return frame
