"""Downstream steps: imputation, selection scans, chromosome painting, phenotype association.

One function per ``scripts/<rule>.py`` of ``workflow/rules/downstream.smk``; the analyses
themselves are in :mod:`genosynth.downstream`. Metric tables have the columns ``dataset
model metric value`` (non-finite values are left out and logged: a scan with no scored site
has no correlation to report).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from genosynth import formats
from genosynth.errors import ConfigError, GenosynthError
from genosynth.provenance import write_table
from genosynth.steps.common import (
    LAYOUT_HAPLOTYPES,
    METRIC_COLUMNS,
    dataset_info,
    write_ag_vcf,
)

# Every step loads only the analysis modules it uses (a smoke run starts ~15 of these steps,
# and matplotlib, scipy.stats and scikit-allel take seconds to import on a busy machine).

__all__ = [
    "association_figure",
    "export_panel",
    "imputation_figure",
    "impute",
    "paint_recipients",
    "prepare_imputation",
    "prepare_painting",
    "scan_pbs",
    "scan_xpehh",
]

log = logging.getLogger(__name__)
DEFAULT_RATE_CM_PER_MB = 1.0


def _write_metrics(path, dataset: str, rows) -> None:
    frame = pd.DataFrame(
        [(dataset, model, metric, float(value)) for model, metric, value in rows],
        columns=METRIC_COLUMNS,
    )
    bad = ~np.isfinite(frame["value"])
    for _, row in frame[bad].iterrows():
        log.warning("%s/%s is not finite; left out of the metrics", row.model, row.metric)
    left_out = frame[bad][["dataset", "model", "metric"]].to_numpy().tolist()
    write_table(path, frame[~bad], provenance={"left_out_non_finite": left_out})


def _require_haplotypes(info, analysis: str) -> None:
    if dataset_info(info)["layout"] != LAYOUT_HAPLOTYPES:
        raise ConfigError(
            f"downstream.{analysis}.datasets",
            f"dataset of {info} holds genotype pairs; {analysis} needs phased haplotypes",
            fix="list a haplotype dataset (e.g. scan)",
        )


def _real(train, test) -> np.ndarray:
    return np.concatenate([formats.read_hapt_matrix(train)[1], formats.read_hapt_matrix(test)[1]])


def _genetic_positions(sites: pd.DataFrame, genetic_map) -> np.ndarray:
    """cM of every site: from the map when given (checked against the sites), else 1 cM/Mb."""
    from genosynth.downstream import selection

    pos = sites["position"].to_numpy(np.int64)
    if genetic_map:
        return selection.map_positions(genetic_map, sites["chrom"].astype(str), pos)
    return pos * DEFAULT_RATE_CM_PER_MB / 1e6


def _other_groups(others, panel, target: np.ndarray, clusters: Mapping):
    """Haplotypes of the complementary populations and the group of each.

    Labels come from ``panel.tsv`` (``pop`` when every label there is a
    ``pop``, else ``super_pop``); with ``clusters.n_clusters > 0`` the
    haplotypes labelled ``clusters.label`` are split by
    :func:`~genosynth.downstream.selection.cluster_unlabelled` into
    ``<label>1`` (most differentiated from the target) ... ``<label>k``.
    """
    from genosynth.downstream import selection

    ids, haps = formats.read_hapt_matrix(others)
    table = pd.read_csv(panel, sep="\t", keep_default_na=False, dtype=str)
    table = table[table["split"] == "other"].set_index("hap_id")
    column = "pop"
    labels = table.loc[ids, column].to_numpy(str).copy()
    if clusters["n_clusters"] > 0:
        unlabelled = labels == clusters["label"]
        if not unlabelled.any():
            raise ConfigError(
                "downstream.unlabelled_clusters.label",
                f"no complementary haplotype is labelled {clusters['label']!r}",
                fix=f"use one of {sorted(set(labels))}",
            )
        labels[unlabelled] = selection.cluster_unlabelled(
            haps[unlabelled],
            target,
            n_clusters=clusters["n_clusters"],
            seed=clusters["seed"],
            prefix=clusters["label"],
        )
        counts = pd.Series(labels[unlabelled]).value_counts().sort_index()
        log.info("unlabelled haplotypes clustered: %s", counts.to_dict())
    return haps, labels


def _groups(haps, labels, wanted, key: str, n: int) -> list[np.ndarray]:
    names = [str(g) for g in (list(wanted) or list(dict.fromkeys(labels))[:n])]
    if len(names) < n:
        raise ConfigError(key, f"needs {n} complementary groups, the dataset has {names}")
    missing = [g for g in names[:n] if g not in set(labels)]
    if missing:
        raise ConfigError(key, f"no complementary haplotypes labelled {missing}",
                          fix=f"use some of {sorted(set(labels))}")  # fmt: skip
    log.info("complementary groups: %s", names[:n])
    return [haps[labels == g] for g in names[:n]]


def _matched_sets(real: np.ndarray, ags: Mapping, seed: int):
    """Real target haplotypes and, per model, as many AGs (random subsets, same size)."""
    rng = np.random.default_rng(seed)
    n = min([len(real)] + [len(a) for a in ags.values()])
    if n < len(real):
        log.warning("only %d AGs for %d real haplotypes: both subsampled to %d", n, len(real), n)
        real = real[np.sort(rng.choice(len(real), n, replace=False))]
    return real, {m: a[np.sort(rng.choice(len(a), n, replace=False))] for m, a in ags.items()}


# --- selection scans ---------------------------------------------------------------------
#: Scan columns of the yardstick: the training and the held-out real haplotypes scanned apart.
#: The held-out scan's correlation with the training one (metric rows of model ``real``) is
#: what a fresh, disjoint real sample of the held-out size reaches.
SCAN_TRAIN, SCAN_HELD_OUT = "real_train", "real_heldout"


def _scan_inputs(*, train, test, others, panel, info, ags, clusters, seed, **_):
    """Target haplotypes (all real, train and test), matched AG sets, the yardstick's two
    real sets (:data:`SCAN_TRAIN`, :data:`SCAN_HELD_OUT`), complementary haplotypes and labels."""
    _require_haplotypes(info, "selection")
    parts = {SCAN_TRAIN: formats.read_hapt_matrix(train)[1],
             SCAN_HELD_OUT: formats.read_hapt_matrix(test)[1]}  # fmt: skip
    target = np.concatenate(list(parts.values()))
    other_haps, labels = _other_groups(others, panel, target, clusters)
    target, ag_sets = _matched_sets(
        target, {m: formats.read_hapt_matrix(p)[1] for m, p in ags.items()}, seed
    )
    return target, ag_sets | parts, other_haps, labels


def scan_xpehh(
    *,
    dataset,
    inputs: Mapping,
    ags: Mapping,
    settings: Mapping,
    clusters,
    table,
    figure,
    metrics,
    threads: int = 1,
):
    """Standardized XP-EHH, target vs the first group, real and AGs of each model (Fig 4a)."""
    from genosynth.downstream import selection

    target, ag_sets, other, labels = _scan_inputs(**inputs, ags=ags, clusters=clusters,
                                                  seed=settings["seed"])  # fmt: skip
    (reference,) = _groups(other, labels, settings["groups"][:1], "downstream.selection.groups", 1)
    sites = formats.read_legend(inputs["legend"])
    pos = sites["position"].to_numpy(np.int64)
    map_pos = (
        _genetic_positions(sites, inputs["genetic_map"]) if inputs.get("genetic_map") else None
    )
    sets = {"real": target, **ag_sets}
    values = selection.xpehh_scans(sets, reference, pos, map_pos=map_pos, threads=threads,
                                   **settings["xpehh"])  # fmt: skip
    _scan_outputs(dataset, "xpehh", sites["id"], pos, values, settings, table, figure, metrics)


def scan_pbs(
    *, dataset, inputs: Mapping, ags: Mapping, settings: Mapping, clusters, table, figure, metrics
):
    """PBS of the target against two groups in SNP windows, real and AGs (Fig 4b)."""
    from genosynth.downstream import selection

    target, ag_sets, other, labels = _scan_inputs(**inputs, ags=ags, clusters=clusters,
                                                  seed=settings["seed"])  # fmt: skip
    second, third = _groups(other, labels, settings["groups"], "downstream.selection.groups", 2)
    sites = formats.read_legend(inputs["legend"])
    pos = sites["position"].to_numpy(np.int64)
    opts = settings["pbs"]
    bounds = selection.window_bounds(len(pos), size=opts["window_size"], step=opts["window_step"])
    if len(bounds) < 3:
        raise ConfigError(
            "downstream.selection.pbs.window_size",
            f"{len(pos)} SNPs make {len(bounds)} windows",
            fix="use smaller windows",
        )
    values = {
        name: selection.pbs_windows(
            haps, second, third, size=opts["window_size"], step=opts["window_step"],
            normed=opts["normed"],
        )
        for name, haps in {"real": target, **ag_sets}.items()
    }  # fmt: skip
    mid = (pos[bounds[:, 0]] + pos[bounds[:, 1] - 1]) // 2
    ids = [f"{sites['id'][a]}..{sites['id'][b - 1]}" for a, b in bounds]
    _scan_outputs(dataset, "pbs", ids, mid, values, settings, table, figure, metrics)


def _scan_outputs(dataset, stat, ids, x, values, settings, table, figure, metrics) -> None:
    """Table, figure and metric rows (Pearson r, compared points, shared top peaks) of a scan."""
    from genosynth.downstream import figures, selection

    n_peaks = settings["n_peaks"]
    peaks = {name: selection.top_peaks(v, n_peaks) for name, v in values.items()}
    rows, r = [("real", f"{stat}_n_scored", np.isfinite(values["real"]).sum())], {}
    frame = selection.scan_table(ids, x, values)
    for name, v in values.items():
        rank = np.zeros(len(v), dtype=np.int64)
        rank[peaks[name]] = np.arange(1, len(peaks[name]) + 1)
        frame[f"{name}_peak"] = rank
        if name in ("real", SCAN_TRAIN):
            continue
        # the held-out scan is compared with the disjoint training scan, each AG scan with
        # the scan of all real target haplotypes
        against = SCAN_TRAIN if name == SCAN_HELD_OUT else "real"
        model = "real" if name == SCAN_HELD_OUT else name
        r[name], n = selection.pearson_r(values[against], v)
        shared = len(np.intersect1d(peaks[against], peaks[name]))
        rows += [(model, f"{stat}_pearson_r", r[name]), (model, f"{stat}_n_compared", n)]
        rows.append((model, f"{stat}_top{n_peaks}_shared", shared))
        log.info("%s %s: Pearson r %.4f over %d points", stat, name, r[name], n)
    write_table(table, frame)
    label = "standardized XP-EHH" if stat == "xpehh" else "PBS"
    title = f"{dataset}: {label}, real target vs AGs (top {n_peaks} peaks marked)"
    figures.plot_scan(figure, np.asarray(x), values, peaks=peaks, r=r, ylabel=label, title=title,
                      yardstick=(SCAN_TRAIN, SCAN_HELD_OUT))  # fmt: skip
    _write_metrics(metrics, dataset, rows)


# --- imputation --------------------------------------------------------------------------
def export_panel(*, vcf, gate, vcf_out, hap_out, legend_out) -> None:
    """A model's released AG VCF as an imputation reference panel: VCF + IMPUTE2 files.

    ``vcf`` exists only once :func:`genosynth.steps.export.export_ags` has passed the
    privacy gate; the gate's verdict ``gate`` is checked again (a failed one raises
    :class:`~genosynth.evaluate.PrivacyGateError`, nothing is written) and recorded in
    the panel VCF's provenance. The panel is rebuilt from ``vcf``, never from the raw AGs.
    """
    from genosynth import ingest as ingest_lib
    from genosynth.downstream import imputation
    from genosynth.steps.privacy import release_verdict

    verdict = release_verdict(gate)
    hs, _ = ingest_lib.read_vcf(vcf, None, duplicates="fail", unphased="fail")
    samples = hs.samples["sample"].to_numpy()[::2]
    made = {"panel_of": str(vcf), "privacy_gate": verdict}
    formats.write_vcf(vcf_out, hs.haplotypes, hs.sites, samples, provenance=made)
    imputation.write_impute_panel(hap_out, legend_out, hs.haplotypes, hs.sites)
    log.info("panel %s: %d haplotypes x %d sites", vcf_out, hs.n_haplotypes, hs.n_sites)


def prepare_imputation(*, train, test, others, legend, info, genetic_map, outputs: Mapping,
                       array: Mapping, reference_share: float = 0.0) -> None:  # fmt: skip
    """Reference VCF (real, no target individual), masked target VCF, site table, Beagle map.

    The held-out (test) individuals of the target population are split
    (:func:`imputation.split_held_out`): a ``reference_share`` of them join the reference
    panel, the others are the targets, unphased, at the array sites only
    (:func:`imputation.select_array_sites` on the reference panel). The reference holds
    every complementary haplotype (``others.hapt.gz``) and those held-out individuals, so
    no training individual of the target population is in it and no target either.
    """
    from genosynth.downstream import imputation

    _require_haplotypes(info, "imputation")
    sites = formats.read_legend(legend)
    cm = _genetic_positions(sites, genetic_map)  # checks the map before anything is written
    ref_ids, reference = formats.read_hapt_matrix(others)
    test_ids, held_out = formats.read_hapt_matrix(test)
    joins = np.repeat(imputation.split_held_out(len(held_out) // 2, reference_share), 2)
    ref_ids = list(ref_ids) + list(np.asarray(test_ids)[joins])
    reference = np.concatenate([reference, held_out[joins]])
    test_ids, truth = np.asarray(test_ids)[~joins], held_out[~joins]
    if len(reference) < 2:
        raise GenosynthError(f"{others}: no complementary haplotypes to make a reference panel")
    on_array = imputation.select_array_sites(
        reference, fraction=array["fraction"], min_maf=array["min_maf"]
    )
    target_maf = _maf(np.concatenate([formats.read_hapt_matrix(train)[1], held_out]))
    pairs = np.sort(np.stack([truth[0::2], truth[1::2]], axis=2), axis=2)[:, on_array]
    formats.write_vcf(
        outputs["target"],
        pairs.reshape(len(pairs), -1),
        sites[on_array].reset_index(drop=True),
        [formats.sample_of_hap_id(h) for h in test_ids[::2]],
        genotype_pairs=True,
    )
    ref_samples = [formats.sample_of_hap_id(h) for h in ref_ids[::2]]
    formats.write_vcf(outputs["reference"], reference, sites, ref_samples)
    table = sites[["id", "position"]].assign(target_maf=target_maf, on_array=on_array)
    write_table(outputs["sites"], table)
    chrom = str(sites["chrom"].iloc[0])
    imputation.write_plink_map(outputs["map"], chrom, sites["position"].to_numpy(), cm)
    counts = (on_array.sum(), len(sites), len(pairs), len(reference), joins.sum())
    log.info("%d of %d sites on the array; %d targets; reference: %d haplotypes (%d of the "
             "target population)", *counts)  # fmt: skip


def _maf(haplotypes: np.ndarray) -> np.ndarray:
    p = haplotypes.mean(axis=0, dtype=np.float64)
    return np.minimum(p, 1 - p)


def impute(*, target, reference, genetic_map, output, beagle: Mapping, threads, log_path,
           ags=None, legend=None, info=None):  # fmt: skip
    """Beagle on the masked target against the reference, plus a model's AGs when given.

    The AGs are the workflow's own (``results/<ds>/models/<model>/ags.hapt.gz``, whatever
    the privacy gate's verdict): they join the reference as a VCF in a temporary folder
    beside ``output`` (:func:`~genosynth.steps.common.write_ag_vcf`), never as a release.
    """
    from genosynth.downstream import imputation

    with tempfile.TemporaryDirectory(prefix=".ag_panel.", dir=Path(output).parent) as tmp:
        references = [reference]
        if ags is not None:
            references.append(Path(tmp) / "ags.vcf.gz")
            write_ag_vcf(ags=ags, legend=legend, info=info, vcf=references[-1])
        imputation.run_beagle(
            target=target,
            references=references,
            output=output,
            beagle=beagle["executable"],
            genetic_map=genetic_map,
            threads=threads,
            seed=beagle["seed"],
            ne=beagle["ne"],
            beagle_log=log_path,
        )


def imputation_figure(*, dataset, imputed: Mapping, test, sites, bins: Mapping, bootstrap: Mapping,
                      table, figure, metrics) -> None:  # fmt: skip
    """Score every panel's imputation per MAF bin (DR2, true r²) against the masked truth.

    The scored sites are the masked ones polymorphic among the targets
    (:func:`~genosynth.downstream.imputation.scored_sites`); bins are by the target
    population's MAF (``target_maf`` of ``sites``).

    Each AG panel's r² gain over the reference alone gets a paired-bootstrap
    standard error over the target individuals
    (:func:`~genosynth.downstream.imputation.r2_gain_bootstrap`, ``bootstrap``:
    ``n_resamples`` and ``seed``).
    """
    from genosynth.downstream import figures, imputation

    site_table = pd.read_csv(sites, sep="\t")
    test_ids, truth_haps = formats.read_hapt_matrix(test)
    truth_of = {
        formats.sample_of_hap_id(h): a.astype(np.int64) + b
        for h, a, b in zip(test_ids[::2], truth_haps[0::2], truth_haps[1::2], strict=True)
    }
    truth = None  # the targets' true dosages, in the order of the imputed VCF's samples
    edges = imputation.maf_bin_edges(rare_maf=bins["rare_maf"], n_bins=bins["n_bins"])
    masked = ~site_table["on_array"].to_numpy(bool)
    which = imputation.bin_of_sites(site_table["target_maf"].to_numpy(), edges)
    if "reference" not in imputed:
        raise GenosynthError("imputation: no 'reference' panel to measure the AG panels' gains by")
    frames, rows, dosages = [], [], {}
    for panel in sorted(imputed, key=lambda name: name != "reference"):  # reference first
        path = imputed[panel]
        positions, dr2, dosage, samples = imputation.read_beagle_output(path)
        if truth is None:
            missing = [s for s in samples if s not in truth_of]
            if missing:
                raise GenosynthError(f"{path}: target {missing[0]} is not a held-out individual")
            truth = np.stack([truth_of[s] for s in samples])
            scored = imputation.scored_sites(truth, masked)
            log.info("%d masked sites, %d of them polymorphic in the %d targets: scored",
                     masked.sum(), scored.sum(), len(truth))  # fmt: skip
        index = pd.Index(positions).get_indexer(site_table["position"])
        if (index < 0).any():
            raise GenosynthError(f"{path}: {int((index < 0).sum())} dataset sites not imputed")
        dosages[panel] = dosage[:, index]
        scores = imputation.score_imputation(
            truth,
            dosages[panel],
            dr2[index],
            site_table["target_maf"].to_numpy(),
            scored=scored,
            edges=edges,
        )
        gain, gain_se = imputation.r2_gain_bootstrap(
            truth,
            dosages[panel],
            dosages["reference"],
            np.where(scored, which, -1),
            n_bins=len(edges) - 1,
            n_resamples=bootstrap["n_resamples"],
            seed=bootstrap["seed"],
        )
        frames.append(scores.assign(panel=panel, r2_gain=gain, r2_gain_se=gain_se))
        for row in scores.itertuples():
            tag = f"maf{row.maf_lo:.3g}-{row.maf_hi:.3g}"
            rows += [(panel, f"imputation_dr2_{tag}", row.mean_dr2)]
            rows += [(panel, f"imputation_r2_{tag}", row.dosage_r2)]
            rows += [(panel, f"imputation_site_r2_{tag}", row.mean_site_r2)]
    result = pd.concat(frames, ignore_index=True)
    columns = ["panel", "maf_lo", "maf_hi", "n_sites", "mean_dr2", "dosage_r2", "mean_site_r2"]
    result = result[columns + ["r2_gain", "r2_gain_se"]]
    write_table(table, result)
    rows += _gains(result)
    title = f"{dataset}: imputation of held-out target individuals (Beagle 5)"
    figures.plot_imputation(figure, result, title=title)
    _write_metrics(metrics, dataset, rows)


def _gains(result: pd.DataFrame) -> list:
    """Per model: r² gain over the reference alone, and its SE, in the rare and worst higher bin;
    over all scored SNPs, the bins' gains weighted by their SNPs."""
    rows = []
    for panel, part in result[result.panel != "reference"].groupby("panel", sort=False):
        gain = part["r2_gain"].to_numpy()
        se = part["r2_gain_se"].to_numpy()
        worst = 1 + np.argmin(np.where(np.isfinite(gain[1:]), gain[1:], np.inf))
        rows.append((panel, "imputation_r2_gain_rare", gain[0]))
        rows.append((panel, "imputation_r2_gain_rare_se", se[0]))
        rows.append((panel, "imputation_r2_gain_min_common", gain[worst]))
        rows.append((panel, "imputation_r2_gain_min_common_se", se[worst]))
        weight = np.where(np.isfinite(gain), part["n_sites"].to_numpy(float), 0.0)
        total = weight.sum()
        overall = np.sum(np.where(weight > 0, gain, 0.0) * weight) / total if total else np.nan
        rows.append((panel, "imputation_r2_gain_all", overall))
    return rows


# --- chromosome painting -----------------------------------------------------------------
def prepare_painting(
    *, dataset, inputs: Mapping, ags: Mapping, settings: Mapping, clusters, outputs: Mapping
) -> None:
    """ChromoPainter v2 inputs: real and AG recipients painted by the complementary groups."""
    from genosynth.downstream import painting

    _require_haplotypes(inputs["info"], "painting")
    rng = np.random.default_rng(settings["seed"])
    sites = formats.read_legend(inputs["legend"])
    target = _real(inputs["train"], inputs["test"])
    other, labels = _other_groups(inputs["others"], inputs["panel"], target, clusters)
    blocks, names, pops = [], [], []

    def add(haps, population, prefix, n_individuals):
        chosen = np.sort(rng.choice(len(haps) // 2, n_individuals, replace=False))
        rows = np.stack([2 * chosen, 2 * chosen + 1], axis=1).ravel()
        blocks.append(haps[rows])
        names.extend(f"{prefix}{i + 1:05d}" for i in chosen)
        pops.extend([population] * n_individuals)

    donors = [str(g) for g in dict.fromkeys(labels)]
    for group in donors:
        haps = other[labels == group]
        add(haps, group, f"{group}_", min(settings["max_donors"], len(haps) // 2))
    n = min(settings["n_recipients"], len(target) // 2, *(len(a) // 2 for a in ags.values()))
    add(target, "real", "real_", n)
    for model, path in ags.items():
        add(formats.read_hapt_matrix(path)[1], model, f"{model}_", n)
    painting.write_painting_inputs(
        outputs,
        haplotypes=np.concatenate(blocks),
        positions=sites["position"].to_numpy(np.int64),
        cm=_genetic_positions(sites, inputs.get("genetic_map")),
        individuals=names,
        populations=pops,
        donors=donors,
    )
    log.info("painting: donors %s, %d recipients per set", donors, n)


def paint_recipients(*, dataset, inputs: Mapping, chromopainter: str, chunkcounts, figure):
    """Run ChromoPainter v2 on the prepared inputs and plot chunk counts real vs AG (S12)."""
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    from genosynth.downstream import figures, painting
    from genosynth.fileio import atomic_path

    with tempfile.TemporaryDirectory(dir=Path(chunkcounts).parent) as tmp:
        prefix = Path(tmp) / "painting"
        command = [chromopainter, "-g", inputs["phase"], "-r", inputs["recomb"]]
        command += ["-t", inputs["ids"], "-f", inputs["poplist"], "0", "0", "-o", str(prefix)]
        log.info("running %s", " ".join(command))
        proc = subprocess.run(command, capture_output=True, text=True)
        log.info("%s", proc.stdout[-4000:])
        out = Path(f"{prefix}.chunkcounts.out")
        if proc.returncode != 0 or not out.exists():
            raise GenosynthError(f"ChromoPainter failed ({proc.returncode}): {proc.stderr[-2000:]}")
        counts = painting.read_chunkcounts(out)
        with atomic_path(chunkcounts) as final:
            shutil.copyfile(out, final)
    ids = pd.read_csv(inputs["ids"], sep=r"\s+", header=None, names=["ind", "pop", "inc"])
    groups = ids.set_index("ind")["pop"]
    figures.plot_chunkcounts(figure, counts, groups, title=f"{dataset}: ChromoPainter chunk counts")


# --- phenotype ---------------------------------------------------------------------------
def association_figure(
    *, dataset, train, test, legend, info, ags: Mapping, table, figure, metrics
) -> None:
    """Genotype x phenotype at the causal SNP for real and each model's AGs."""
    from genosynth.downstream import figures, phenotype

    meta = dataset_info(info)
    if not meta.get("phenotype_column") or not meta.get("causal_site"):
        raise ConfigError(
            "downstream.phenotype.datasets",
            f"{info} has no phenotype column or causal site",
            fix="list a dataset with select: phenotype",
        )
    site = phenotype.find_site(formats.read_legend(legend), meta["causal_site"])
    sets = {"real": _real(train, test)}
    sets |= {m: formats.read_hapt_matrix(p)[1] for m, p in ags.items()}
    tables, stats, frames, rows = {}, {}, [], []
    for name, matrix in sets.items():
        tables[name] = phenotype.contingency(*phenotype.causal_genotypes(matrix, site))
        stats[name] = phenotype.association(tables[name])
        frame = pd.DataFrame(tables[name], columns=["phenotype_0", "phenotype_1"])
        frames.append(frame.assign(set=name, genotype=[0, 1, 2], **stats[name]))
        rows += [(name, f"phenotype_{k}", v) for k, v in stats[name].items() if k != "n"]
    result = pd.concat(frames, ignore_index=True)
    first = ["set", "genotype", "phenotype_0", "phenotype_1"]
    write_table(table, result[first + [c for c in result.columns if c not in first]])
    title = f"{dataset}: causal SNP {meta['causal_site']} x phenotype, real vs AGs"
    figures.plot_phenotype(figure, tables, stats, title=title)
    _write_metrics(metrics, dataset, rows)
