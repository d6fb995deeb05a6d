"""Imputation benchmark with Beagle 5 (Yelmen et al. Fig 3), scored against the known truth.

* :func:`select_array_sites` - the array-like subset of SNPs the target keeps;
* :func:`split_held_out` - the target population's held-out individuals: imputation targets
  and reference-panel members;
* :func:`write_impute_panel` / :func:`read_impute_panel` - IMPUTE2 ``.hap.gz`` + ``.legend.gz``;
* :func:`run_beagle` - Beagle on a target VCF against one or more phased reference VCFs;
* :func:`read_beagle_output` - DR2 per site and dosage (DS) per individual;
* :func:`maf_bin_edges` / :func:`score_imputation` - mean DR2 and true dosage r² per MAF bin;
* :func:`r2_gain_bootstrap` - a panel's r² gain over another per bin, with its standard error
  over target individuals (paired bootstrap).

The paper could only report Beagle's own accuracy estimate (DR2); here the masked genotypes
are known, so the true dosage r² is reported beside it.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from genosynth import formats
from genosynth import ingest as ingest_lib
from genosynth.errors import GenosynthError, InputError
from genosynth.fileio import atomic_paths, write_gzip

__all__ = [
    "bin_of_sites",
    "maf_bin_edges",
    "r2_gain_bootstrap",
    "read_beagle_output",
    "read_impute_panel",
    "run_beagle",
    "score_imputation",
    "scored_sites",
    "select_array_sites",
    "split_held_out",
    "write_impute_panel",
    "write_plink_map",
]

log = logging.getLogger(__name__)


def select_array_sites(reference: np.ndarray, *, fraction: float, min_maf: float) -> np.ndarray:
    """Sites an array keeps: evenly spaced (by rank) among the common ones.

    Among the ``m`` sites whose minor allele frequency in ``reference`` is at
    least ``min_maf``, ``k = max(1, round(fraction * n_sites))`` are taken at
    ranks ``i * (m - 1) / (k - 1)`` rounded half up (first and last included); with
    ``k >= m`` every common site is kept.

    Parameters
    ----------
    reference : numpy.ndarray, int8, shape (n_haplotypes, n_sites)
        The reference panel's haplotypes (the array design never sees the target).
    fraction : float
        Share of all sites on the array, in (0, 1].
    min_maf : float

    Returns
    -------
    numpy.ndarray, bool, shape (n_sites,)
        True for array sites.
    """
    h = np.asarray(reference)
    n_sites = h.shape[1]
    if not 0 < fraction <= 1:
        raise GenosynthError(f"array fraction must be in (0, 1], got {fraction}")
    p = h.mean(axis=0, dtype=np.float64) if h.shape[0] else np.zeros(n_sites)
    common = np.flatnonzero(np.minimum(p, 1 - p) >= min_maf)
    k = min(max(1, round(fraction * n_sites)), len(common))
    mask = np.zeros(n_sites, dtype=bool)
    if k == 0:
        raise GenosynthError(f"no site has reference MAF >= {min_maf}: no array sites")
    ranks = np.floor(np.linspace(0, len(common) - 1, k) + 0.5).astype(np.int64)  # half up
    mask[common[ranks]] = True
    return mask


def split_held_out(n_individuals: int, reference_share: float) -> np.ndarray:
    """Which held-out individuals of the target population join the reference panel.

    The last ``floor(reference_share * n_individuals)`` individuals go to the reference
    panel (as the paper's 1000 Genomes panel held Europeans for its Estonian targets), the
    others are imputed; at least one individual stays a target. The held-out split is
    already random, so taking them in order needs no seed.

    Parameters
    ----------
    n_individuals : int
        Held-out individuals (haplotype pairs) of the target population.
    reference_share : float
        In [0, 1); 0 leaves every held-out individual a target.

    Returns
    -------
    numpy.ndarray, bool, shape (n_individuals,)
        True for individuals of the reference panel.
    """
    if not 0 <= reference_share < 1:
        raise GenosynthError(f"reference_share must be in [0, 1), got {reference_share}")
    if n_individuals < 1:
        raise GenosynthError("no held-out individual of the target population to impute")
    n_reference = min(int(np.floor(reference_share * n_individuals)), n_individuals - 1)
    mask = np.zeros(n_individuals, dtype=bool)
    mask[n_individuals - n_reference :] = True
    return mask


def scored_sites(truth: np.ndarray, masked: np.ndarray) -> np.ndarray:
    """Sites an imputation is scored on: masked from the targets and polymorphic among them.

    Where every target carries the same genotype there is nothing to impute: Beagle's DR2
    is 0 there by construction and a site's r² undefined; counting such sites would pull
    the mean DR2 of the rare bins towards 0 and push the pooled r² up.

    Parameters
    ----------
    truth : numpy.ndarray, shape (n_targets, n_sites)
        True ALT dosages (0, 1, 2) of the imputed individuals.
    masked : numpy.ndarray, bool, shape (n_sites,)
        Sites off the array.

    Returns
    -------
    numpy.ndarray, bool, shape (n_sites,)
    """
    t = np.asarray(truth)
    varies = (t != t[:1]).any(axis=0) if len(t) else np.zeros(t.shape[1], dtype=bool)
    return np.asarray(masked, dtype=bool) & varies


def write_impute_panel(hap_path, legend_path, haplotypes: np.ndarray, sites: pd.DataFrame):
    """Write an IMPUTE2 reference panel, atomically.

    ``.hap.gz``: one line per site, one space-separated 0/1 allele per
    haplotype (column ``j`` is haplotype ``j``); ``.legend.gz``: header
    ``id position a0 a1`` and one line per site.

    Parameters
    ----------
    hap_path, legend_path : str or os.PathLike
        Destinations ending in ``.gz``.
    haplotypes : numpy.ndarray, int8, shape (n_haplotypes, n_sites)
    sites : pandas.DataFrame, n_sites rows
        Columns ``id``, ``position``, ``a0``, ``a1``.
    """
    h = np.asarray(haplotypes)
    if h.shape[1] != len(sites):
        raise GenosynthError(f"{len(sites)} legend rows for {h.shape[1]} sites")
    body = np.full((h.shape[1], 2 * h.shape[0]), ord(" "), dtype=np.uint8)
    body[:, 0::2] = h.T.astype(np.uint8) + np.uint8(ord("0"))
    body[:, -1] = ord("\n")
    legend = sites[["id", "position", "a0", "a1"]].astype(str).agg(" ".join, axis=1)
    text = "id position a0 a1\n" + "".join(line + "\n" for line in legend)
    with atomic_paths(hap_path, legend_path) as (tmp_hap, tmp_legend):
        write_gzip(tmp_hap, body.tobytes(), compresslevel=3)
        write_gzip(tmp_legend, text.encode(), compresslevel=9)


def read_impute_panel(hap_path, legend_path) -> tuple[np.ndarray, pd.DataFrame]:
    """Read an IMPUTE2 panel written by :func:`write_impute_panel`.

    Returns
    -------
    haplotypes : numpy.ndarray, int8, shape (n_haplotypes, n_sites)
    sites : pandas.DataFrame
        Columns of :func:`genosynth.formats.read_legend`.
    """
    sites = formats.read_legend(legend_path)
    lines = formats.read_text_bytes(hap_path).split(b"\n")
    rows = [np.array(ln.split(), dtype=np.int8) for ln in lines if ln.strip()]
    if len(rows) != len(sites):
        raise InputError(hap_path, f"{len(rows)} site lines for {len(sites)} legend rows")
    return np.stack(rows, axis=1) if rows else np.zeros((0, 0), np.int8), sites


def write_plink_map(path, chrom: str, positions: np.ndarray, cm: np.ndarray) -> None:
    """Write a PLINK ``.map`` (``chrom . cM bp``) as Beagle's ``map=`` wants it."""
    from genosynth.fileio import atomic_path

    lines = [f"{chrom}\t.\t{c:.8f}\t{int(p)}\n" for p, c in zip(positions, cm, strict=True)]
    with atomic_path(path) as tmp:
        tmp.write_text("".join(lines))


def beagle_command(beagle: str) -> list[str]:
    """The command line that starts Beagle: ``beagle`` on PATH or ``java -jar x.jar``."""
    if beagle.endswith(".jar"):
        if not Path(beagle).is_file() or shutil.which("java") is None:
            raise GenosynthError(f"cannot run Beagle jar {beagle}: jar or java missing")
        return ["java", "-jar", beagle]
    if shutil.which(beagle) is None:
        raise GenosynthError(
            f"Beagle executable {beagle!r} not found. Fix: apt-get install beagle (or conda "
            "install -c bioconda beagle), or set downstream.imputation.beagle to its path or jar"
        )
    return [beagle]


def _merge_references(paths: Sequence, output: Path) -> int:
    """Write the union of the haplotypes of phased VCFs over the same sites to ``output``."""
    sets = [ingest_lib.read_vcf(p, None)[0] for p in paths]
    first = sets[0]
    for path, hs in zip(paths[1:], sets[1:], strict=True):
        if not np.array_equal(hs.sites["position"].to_numpy(), first.sites["position"].to_numpy()):
            raise InputError(
                path,
                "its sites differ from the reference panel's",
                fix="build both panels from the same dataset legend",
            )
    samples = [s for hs in sets for s in hs.samples["sample"].to_numpy()[::2]]
    if len(set(samples)) != len(samples):
        raise GenosynthError("sample ids repeat across the merged reference panels")
    haps = np.concatenate([hs.haplotypes for hs in sets])
    formats.write_vcf(output, haps, first.sites, samples)
    return haps.shape[0]


def run_beagle(
    *,
    target,
    references: Sequence,
    output,
    beagle: str = "beagle",
    genetic_map=None,
    threads: int = 1,
    seed: int = 1,
    ne: int | None = None,
    beagle_log=None,
) -> None:
    """Impute ``target`` with Beagle 5 against the union of ``references``.

    Parameters
    ----------
    target : path
        VCF of the individuals to impute (array sites only, phased or not).
    references : sequence of paths
        Phased, bgzipped VCFs over the same sites; more than one are merged
        (the real reference plus a model's AGs).
    output : path
        Destination ``*.vcf.gz``: Beagle's imputed VCF (``DR2``, ``IMP``, ``GT:DS``).
    beagle : str
        Executable on PATH, its path, or a ``.jar``.
    genetic_map : path, optional
        PLINK map in cM (Beagle's ``map=``); Beagle assumes 1 cM/Mb without.
    threads, seed : int
    ne : int, optional
        Beagle's ``ne=`` (effective population size); Beagle's default when None.
    beagle_log : path, optional
        Where Beagle's own log is copied.

    Raises
    ------
    GenosynthError
        Beagle missing or failing (its log's tail in the message); nothing is written.
    """
    command = beagle_command(beagle)
    output = Path(output)
    if not output.name.endswith(".vcf.gz"):
        raise GenosynthError(f"Beagle output must end in .vcf.gz, got {output}")
    with tempfile.TemporaryDirectory(prefix="beagle.", dir=output.parent) as tmp:
        tmp = Path(tmp)
        ref = Path(references[0])
        if len(references) > 1:
            ref = tmp / "reference.vcf.gz"
            n = _merge_references(references, ref)
            log.info("merged %d reference panels: %d haplotypes", len(references), n)
        args = [f"gt={target}", f"ref={ref}", f"out={tmp / 'imputed'}"]
        args += [f"nthreads={int(threads)}", f"seed={int(seed)}"]
        args += [f"map={genetic_map}"] if genetic_map else []
        args += [f"ne={int(ne)}"] if ne else []
        log.info("running %s", " ".join(command + args))
        proc = subprocess.run(command + args, capture_output=True, text=True)
        beagle_text = (tmp / "imputed.log").read_text() if (tmp / "imputed.log").exists() else ""
        if beagle_log is not None:
            Path(beagle_log).write_text(beagle_text + proc.stdout + proc.stderr)
        if proc.returncode != 0 or not (tmp / "imputed.vcf.gz").exists():
            tail = (proc.stdout + proc.stderr)[-2000:]
            raise GenosynthError(f"Beagle failed (exit {proc.returncode}):\n{tail}")
        with atomic_paths(output) as (final,):
            os.replace(tmp / "imputed.vcf.gz", final)


def read_beagle_output(path) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Read Beagle's imputed VCF.

    Returns
    -------
    positions : numpy.ndarray, int64, shape (n_sites,)
    dr2 : numpy.ndarray, float64, shape (n_sites,)
        Beagle's estimated dosage r² (``INFO/DR2``).
    dosage : numpy.ndarray, float64, shape (n_individuals, n_sites)
        Posterior ALT dosage (``FORMAT/DS``) in [0, 2].
    samples : list of str
    """
    from cyvcf2 import VCF

    vcf = VCF(str(path))
    samples = list(vcf.samples)
    positions, dr2, dosage = [], [], []
    for record in vcf:
        value = record.INFO.get("DR2")
        if value is None or record.format("DS") is None:
            raise InputError(
                path, "record without DR2 or DS", record=f"{record.CHROM}:{record.POS}"
            )
        positions.append(record.POS)
        dr2.append(float(value))
        dosage.append(record.format("DS")[:, 0])
    vcf.close()
    if not positions:
        raise InputError(path, "Beagle output has no records", fix="check the Beagle log")
    return (
        np.asarray(positions, dtype=np.int64),
        np.asarray(dr2, dtype=np.float64),
        np.stack(dosage, axis=1).astype(np.float64),
        samples,
    )


def maf_bin_edges(*, rare_maf: float = 0.05, n_bins: int = 10) -> np.ndarray:
    """MAF bin edges: a rare bin ``[0, rare_maf)`` then ``n_bins`` equal bins up to 0.5.

    Returns
    -------
    numpy.ndarray, float64, shape (n_bins + 2,)
        ``[0, rare_maf, ..., 0.5]``; with ``rare_maf == 0`` just ``n_bins`` bins.
    """
    upper = np.round(np.linspace(rare_maf, 0.5, n_bins + 1), 6)
    return upper if rare_maf == 0 else np.concatenate([[0.0], upper])


def score_imputation(
    truth: np.ndarray,
    dosage: np.ndarray,
    dr2: np.ndarray,
    maf: np.ndarray,
    *,
    scored: np.ndarray,
    edges: np.ndarray,
) -> pd.DataFrame:
    """Mean DR2 and true dosage r² per MAF bin over the scored (masked) sites.

    The true dosage r² of a bin is the squared Pearson correlation between
    imputed and true dosages pooled over all (individual, site) pairs of the
    bin's sites (aggregate r², defined even where single sites are
    monomorphic in the target); the per-site mean r² over the sites
    polymorphic in the truth is reported beside it.

    Parameters
    ----------
    truth : numpy.ndarray, shape (n_individuals, n_sites)
        True ALT dosage (0, 1, 2).
    dosage : numpy.ndarray, float64, shape (n_individuals, n_sites)
        Imputed dosage.
    dr2 : numpy.ndarray, float64, shape (n_sites,)
    maf : numpy.ndarray, float64, shape (n_sites,)
        MAF that bins the sites (the target population's).
    scored : numpy.ndarray, bool, shape (n_sites,)
        Sites to score (those masked from the target).
    edges : numpy.ndarray, float64
        Bin edges; a site goes to ``[lo, hi)`` (the last bin includes 0.5).

    Returns
    -------
    pandas.DataFrame
        One row per bin: ``maf_lo maf_hi n_sites mean_dr2 dosage_r2 mean_site_r2``
        (NaN where a bin has no site or no variance).
    """
    t = np.asarray(truth, dtype=np.float64)
    d = np.asarray(dosage, dtype=np.float64)
    if t.shape != d.shape:
        raise GenosynthError(f"truth {t.shape} and dosage {d.shape} differ")
    which = bin_of_sites(maf, edges)
    rows = []
    for b in range(len(edges) - 1):
        sites = np.flatnonzero(scored & (which == b))
        row = {"maf_lo": edges[b], "maf_hi": edges[b + 1], "n_sites": len(sites)}
        row["mean_dr2"] = float(np.mean(dr2[sites])) if len(sites) else np.nan
        row["dosage_r2"] = _r2(t[:, sites].ravel(), d[:, sites].ravel())
        site_r2 = [_r2(t[:, s], d[:, s]) for s in sites]
        site_r2 = [r for r in site_r2 if np.isfinite(r)]
        row["mean_site_r2"] = float(np.mean(site_r2)) if site_r2 else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def bin_of_sites(maf: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Index of each site's MAF bin ``[lo, hi)`` (the last bin includes its upper edge).

    Parameters
    ----------
    maf : numpy.ndarray, float64, shape (n_sites,)
    edges : numpy.ndarray, float64, shape (n_bins + 1,)
        From :func:`maf_bin_edges`.

    Returns
    -------
    numpy.ndarray, int64, shape (n_sites,)
        In ``[0, len(edges) - 2]``.
    """
    which = np.searchsorted(edges, maf, side="right") - 1
    return np.clip(which, 0, len(edges) - 2)


def r2_gain_bootstrap(
    truth: np.ndarray,
    dosage: np.ndarray,
    baseline: np.ndarray,
    bins: np.ndarray,
    *,
    n_bins: int,
    n_resamples: int = 1000,
    seed: int | np.random.Generator = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-bin gain in pooled dosage r² of one panel over another, with a bootstrap SE.

    The gain is ``r²(truth, dosage) - r²(truth, baseline)`` over all
    (individual, site) pairs of a bin's sites, as in :func:`score_imputation`.
    Its standard error comes from a paired bootstrap over the target
    individuals: each resample draws ``n_individuals`` of them with
    replacement and scores both panels on the same draw, so what the two
    panels have in common (which individuals are hard to impute) cancels.
    Differences within about two standard errors are what another sample of
    target individuals could reverse.

    Parameters
    ----------
    truth, dosage, baseline : numpy.ndarray, shape (n_individuals, n_sites)
        True ALT dosage (0, 1, 2) and the two panels' imputed dosages.
    bins : numpy.ndarray, int, shape (n_sites,)
        Bin of each scored site in ``[0, n_bins)``; -1 leaves a site out.
    n_bins : int
    n_resamples : int, default 1000
    seed : int or numpy.random.Generator, default 0

    Returns
    -------
    gain, se : numpy.ndarray, float64, shape (n_bins,)
        NaN where a bin has no site or no variance (in every resample, for
        ``se``: resamples without variance are left out).
    """
    t, d, base = (np.asarray(a, dtype=np.float64) for a in (truth, dosage, baseline))
    if d.shape != t.shape or base.shape != t.shape:
        raise GenosynthError(f"truth {t.shape} and dosages {d.shape}, {base.shape} differ in shape")
    n_ind = len(t)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_ind, size=(n_resamples, n_ind))
    counts = np.zeros((n_resamples, n_ind))
    np.add.at(counts, (np.arange(n_resamples)[:, None], draws), 1.0)
    weights = np.vstack([np.ones(n_ind), counts])  # row 0: the sample itself
    gains = np.full((len(weights), n_bins), np.nan)
    bins = np.asarray(bins)
    for b in range(n_bins):
        sites = np.flatnonzero(bins == b)
        if len(sites):
            gains[:, b] = _weighted_r2(weights, t[:, sites], d[:, sites])
            gains[:, b] -= _weighted_r2(weights, t[:, sites], base[:, sites])
    resampled = gains[1:]
    kept = np.isfinite(resampled).sum(axis=0)
    se = np.full(n_bins, np.nan)
    ok = kept > 1
    se[ok] = np.nanstd(resampled[:, ok], axis=0, ddof=1)
    return gains[0], se


def _weighted_r2(weights: np.ndarray, truth: np.ndarray, dosage: np.ndarray) -> np.ndarray:
    """Pooled r² of ``truth`` and ``dosage`` with each individual counted ``weights`` times.

    ``weights`` is (n_weightings, n_individuals); truth and dosage are
    (n_individuals, n_sites); returns (n_weightings,), NaN without variance.
    Sums are taken per individual first, so each weighting costs one product.
    """
    per_individual = np.stack(
        [
            np.full(len(truth), truth.shape[1], dtype=np.float64),
            truth.sum(axis=1),
            dosage.sum(axis=1),
            (truth * truth).sum(axis=1),
            (dosage * dosage).sum(axis=1),
            (truth * dosage).sum(axis=1),
        ],
        axis=1,
    )
    n, st, sd, stt, sdd, std = (weights @ per_individual).T
    cov = n * std - st * sd
    var_t = n * stt - st * st
    var_d = n * sdd - sd * sd
    varies = (var_t > 1e-12 * n * stt) & (var_d > 1e-12 * n * sdd)  # rounding, not variance
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(varies, cov * cov / (var_t * var_d), np.nan)


def _r2(x: np.ndarray, y: np.ndarray) -> float:
    if x.size < 2 or x.std() == 0 or y.std() == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1] ** 2)
