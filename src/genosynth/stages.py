"""One entry point per workflow step: what each ``scripts/<step>.py`` calls.

Each function takes plain paths and settings (never the Snakemake config),
computes everything before writing, and writes every output atomically, so a
failing step leaves no output behind.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from genosynth import __version__, formats, subset
from genosynth import ingest as ingest_lib
from genosynth import simulate as simulate_lib
from genosynth.data import HaplotypeSet, load_haplotype_set, save_haplotype_set
from genosynth.errors import ConfigError, GenosynthError
from genosynth.fileio import atomic_path
from genosynth.models import load_model
from genosynth.models.base import read_checkpoint_meta
from genosynth.provenance import record, write_table
from genosynth.training import LABEL_COLUMN, draw_labels, sample_target

__all__ = [
    "build_dataset",
    "concat_metrics",
    "export_vcf",
    "ingest",
    "sample",
    "simulate_demo",
]

log = logging.getLogger(__name__)
METRIC_COLUMNS = ["dataset", "model", "metric", "value"]
LAYOUT_HAPLOTYPES = "haplotypes"
LAYOUT_GENOTYPE_PAIRS = "genotype_pairs"


def _provenance(**params) -> dict:
    return {"genosynth_version": __version__, **params}


# --- simulate ----------------------------------------------------------------
def simulate_demo(*, vcf, tbi, panel, phenotypes, simulate: Mapping, phenotype: Mapping) -> None:
    """Simulate the demo source: VCF + index + panel, and a one-causal-SNP phenotype."""
    ts, panel_frame = simulate_lib.simulate_haplotypes(**simulate)
    n_snps = simulate_lib.write_vcf_and_panel(
        ts, panel_frame, vcf, panel, provenance=_provenance(phenotype=dict(phenotype))
    )
    log.info("simulated %d individuals, %d biallelic SNPs", len(panel_frame), n_snps)
    if f"{vcf}.tbi" != str(tbi):
        raise GenosynthError(f"index must be written beside the VCF, got {tbi}")
    hs, _ = ingest_lib.read_vcf(vcf, panel)
    dosage = simulate_lib.haplotype_dosage(hs.haplotypes)
    individual_pop = hs.samples["pop"].to_numpy()[::2]
    rng = np.random.default_rng(phenotype["seed"])
    by_pop = {p: dosage[individual_pop == p] for p in np.unique(individual_pop)}
    causal = simulate_lib.choose_causal_site(by_pop, min_maf=phenotype["min_maf"], rng=rng)
    values = simulate_lib.simulate_phenotype(
        dosage,
        causal_index=causal,
        heritability=phenotype["heritability"],
        prevalence=phenotype["prevalence"],
        seed=rng,
    )
    site = hs.sites.iloc[causal]
    simulate_lib.write_phenotypes(
        phenotypes, hs.samples["sample"].to_numpy()[::2], values, (site.chrom, site.position)
    )
    log.info("causal SNP %s:%d, %d cases", site.chrom, site.position, values.sum())


# --- ingest ------------------------------------------------------------------
def ingest(*, inputs: Mapping, haplotypes, report, policies: Mapping, region: str = "") -> None:
    """Read a VCF + panel or a .hapt + legend (+ panel) into ``haplotypes.npz``."""
    if "vcf" in inputs:
        hs, counts = ingest_lib.read_vcf(
            inputs["vcf"], inputs.get("panel"), region=region or None, **policies
        )
    else:
        hs, counts = ingest_lib.read_hapt_source(
            inputs["hapt"],
            inputs["legend"],
            inputs.get("panel"),
            unknown_samples=policies["unknown_samples"],
        )
    log.info("ingested %d haplotypes x %d sites; %s", hs.n_haplotypes, hs.n_sites, counts)
    provenance = _provenance(inputs=dict(inputs), policies=dict(policies), region=region)
    save_haplotype_set(haplotypes, hs, provenance=provenance)
    write_table(
        report,
        ingest_lib.ingest_report_to_frame(counts),
        provenance=record(
            "ingest", params={"policies": dict(policies), "region": region}, inputs=inputs
        ),
    )


# --- subset ------------------------------------------------------------------
def _population_column(samples: pd.DataFrame, populations: Sequence[str]) -> str:
    return "pop" if set(populations) <= set(samples["pop"]) else "super_pop"


def _rows(samples: pd.DataFrame, populations: Sequence[str]) -> np.ndarray:
    if not populations:
        return np.arange(len(samples))
    column = _population_column(samples, populations)
    return subset.population_rows(samples, populations, column=column)


def select_sites(hs: HaplotypeSet, dataset: Mapping, *, causal_site: str | None = None):
    """Site indices of a dataset, by its `select` method."""
    method = dataset["select"]
    if method == "all":
        return np.arange(hs.n_sites)
    if method == "differentiated":
        return subset.select_differentiated(
            hs,
            n_snps=dataset["n_snps"],
            min_maf=dataset["min_maf"],
            min_distance=dataset["min_distance"],
        )
    if method == "region":
        return subset.select_region(
            hs,
            n_snps=dataset["n_snps"],
            start=dataset["start"],
            chrom=dataset["chrom"],
            min_maf=dataset["min_maf"],
        )
    if method == "thinned":
        pops = list(dataset["populations"]) or None
        column = _population_column(hs.samples, pops) if pops else "pop"
        return subset.select_thinned(
            hs,
            n_snps=dataset["n_snps"],
            min_maf=dataset["min_maf"],
            populations=pops,
            column=column,
        )
    if method == "phenotype":
        return subset.select_phenotype_window(
            hs, causal_id=causal_site, n_snps=dataset["n_snps"], min_maf=dataset["min_maf"]
        )
    raise ConfigError("select", f"unknown selection {method!r}")


def _matrix(hs: HaplotypeSet, rows: np.ndarray, phenotype: pd.Series | None):
    """(ids, matrix, panel rows) of one side; genotype pairs + phenotype when given."""
    part = hs.take_haplotypes(rows)
    if phenotype is None:
        return part.samples["hap_id"].tolist(), part.haplotypes, part.samples
    individuals = part.samples.iloc[::2].reset_index(drop=True)
    values = phenotype.reindex(individuals["sample"]).to_numpy()
    if np.isnan(values.astype(float)).any():
        missing = individuals["sample"][np.isnan(values.astype(float))].iloc[0]
        raise GenosynthError(f"no phenotype for individual {missing}")
    pairs = subset.genotype_pairs(part.haplotypes)
    matrix = subset.append_phenotype(pairs, values.astype(np.int8))
    return individuals["sample"].tolist(), matrix, individuals.assign(hap_id=individuals["sample"])


def build_dataset(
    *, name: str, haplotypes, phenotypes, outputs: Mapping, dataset: Mapping, split: Mapping
) -> None:
    """Select a dataset's SNPs and rows, split 3:1 by individual, write the CONTRACT files."""
    hs = load_haplotype_set(haplotypes)
    phenotype, causal = None, None
    if dataset["select"] == "phenotype":
        table, causal = simulate_lib.read_phenotypes(phenotypes)
        phenotype = table.set_index("sample")["phenotype"]
    try:
        hs = hs.take_sites(select_sites(hs, dataset, causal_site=causal))
        target = _rows(hs.samples, dataset["populations"])
        complement = dataset["complement"]
        others = (
            _rows(hs.samples, complement)
            if complement
            else np.setdiff1d(np.arange(hs.n_haplotypes), target)
        )
    except ConfigError as err:
        raise ConfigError(f"datasets.{name}.{err.key}", str(err).split(": ", 1)[1]) from err
    train_rows, test_rows = subset.split_individuals(
        hs.take_haplotypes(target).samples, test_fraction=split["test_fraction"], seed=split["seed"]
    )
    sides = {
        "train": _matrix(hs, target[train_rows], phenotype),
        "test": _matrix(hs, target[test_rows], phenotype),
        "others": _matrix(hs, others, phenotype if len(others) else None),
    }
    panel = pd.concat(
        [s[2].assign(split=k.rstrip("s")) for k, s in sides.items()], ignore_index=True
    )
    info = {
        "name": name,
        "layout": LAYOUT_GENOTYPE_PAIRS if phenotype is not None else LAYOUT_HAPLOTYPES,
        "n_snps": hs.n_sites,
        "phenotype_column": phenotype is not None,
        "causal_site": causal,
        "n_rows": {k: len(s[0]) for k, s in sides.items()},
        "settings": dict(dataset),
        "split": dict(split),
        **_provenance(),
    }
    made = record(
        "build_dataset",
        params={"dataset": dict(dataset), "split": dict(split)},
        seed=split["seed"],
        inputs={"haplotypes": haplotypes, "phenotypes": phenotypes},
    )
    for key, (ids, matrix, _) in sides.items():
        formats.write_hapt(outputs[key], matrix, ids, tag="Real", provenance=made)
    formats.write_legend(outputs["legend"], hs.sites)
    panel = panel[["hap_id", "sample", "pop", "super_pop", "split"]]
    write_table(outputs["panel"], panel, provenance=made)
    with atomic_path(outputs["info"]) as tmp:
        tmp.write_text(json.dumps(info, indent=2) + "\n")
    log.info("%s: %s", name, info["n_rows"])


# --- models ------------------------------------------------------------------
def ag_ids(n: int, layout: str) -> list[str]:
    """Row ids of ``n`` AGs: ``AG00001_A``/``_B`` pairs for haplotypes, ``AG00001`` otherwise."""
    if layout == LAYOUT_GENOTYPE_PAIRS:
        return [f"AG{i + 1:05d}" for i in range(n)]
    return [f"AG{i // 2 + 1:05d}_{'AB'[i % 2]}" for i in range(n)]


def sample_with_labels(model, n: int, *, seed) -> np.ndarray:
    """AGs of a label-conditional model with their label appended as the last column.

    Labels are drawn in the training proportions (``model.label_proportions``),
    then each AG is generated for its label.

    Parameters
    ----------
    model : HaplotypeModel
        A conditional GAN or RBM trained with ``conditional: phenotype``.
    n : int
    seed : int or numpy.random.Generator

    Returns
    -------
    numpy.ndarray, int8, shape (n, n_sites + 1)
    """
    rng = np.random.default_rng(seed)
    proportions = np.asarray(model.label_proportions, dtype=np.float64)
    values = np.asarray(getattr(model, "label_values", np.arange(proportions.size)))
    labels = values[draw_labels(proportions, n, seed=rng)]
    alleles = model.sample(n, seed=rng, labels=labels)
    return np.concatenate([alleles, labels[:, None].astype(np.int8)], axis=1)


def sample(
    *,
    checkpoint,
    real: Sequence,
    info,
    ags,
    sampling: Mapping,
    model_settings: Mapping | None = None,
    train=None,
    repair: Mapping | None = None,
) -> None:
    """Draw AGs from a checkpoint: ``sampling.n_ags`` of them, or as many as real rows.

    ``model_settings`` override the checkpoint's sampling-only parameters
    (:meth:`~genosynth.models.base.HaplotypeModel.set_sampling`). A non-empty
    ``repair`` (keywords of :func:`~genosynth.repair.repair_context_alleles`)
    then repairs the AGs against the ``train`` haplotypes.
    """
    layout = json.loads(open(info).read())["layout"]
    n = sampling["n_ags"] or sum(len(formats.read_hapt_matrix(p)[0]) for p in real)
    model = load_model(checkpoint).set_sampling(**dict(model_settings or {}))
    trained = read_checkpoint_meta(checkpoint).get("provenance", {})  # training seed, data...
    conditional = trained.get("conditional")
    if repair and (layout != LAYOUT_HAPLOTYPES or conditional == LABEL_COLUMN):
        raise ConfigError(
            f"models.{model.name}.repair",
            "context repair works on haplotypes, not on genotype pairs or a phenotype column",
            fix="remove `repair` for this dataset (datasets.<name>.model_overrides)",
        )
    if conditional == LABEL_COLUMN:
        haplotypes = sample_with_labels(model, n, seed=sampling["seed"])
    else:  # pool_others models draw the target population's labels only
        target = trained.get("target_proportions")
        haplotypes = sample_target(model, n, seed=sampling["seed"], target_proportions=target)
    flips = None
    if repair:
        from genosynth.repair import repair_context_alleles

        reference = formats.read_hapt_matrix(train)[1]
        haplotypes, flips = repair_context_alleles(reference, haplotypes, **repair)
        log.info("context repair %s: %.2f alleles flipped per AG", dict(repair), flips.mean())
    made = record(
        "sample",
        seed=sampling["seed"],
        params={
            "sampling": dict(sampling),
            "model": model.name,
            "model_params": model.params,
            "model_step": model.step,
            "training": trained,
            "repair": dict(repair or {}),
            "repair_flips_per_ag": None if flips is None else float(flips.mean()),
        },
        inputs={"checkpoint": checkpoint, "real": list(real), "info": info, "train": train},
    )
    formats.write_hapt(ags, haplotypes, ag_ids(n, layout), tag="AG", provenance=made)
    log.info("sampled %d AGs from %s", n, checkpoint)


def check_privacy(metrics_table, model: str, privacy: Mapping) -> list[str]:
    """Run :func:`~genosynth.evaluate.privacy_gate` on a model's rows of an ``aats.tsv`` table."""
    from genosynth.evaluate import privacy_gate

    table = pd.read_csv(metrics_table, sep="\t")
    values = table[table["model"] == model].set_index("metric")["value"].to_dict()
    return privacy_gate(
        values,
        max_exact_copies=privacy["max_exact_copies"],
        max_privacy_loss=privacy["max_privacy_loss"],
        max_membership_auc=privacy["max_membership_auc"],
        z=privacy["z"],
        allow=privacy["allow_export"],
    )


def export_vcf(*, ags, legend, info, model, privacy_metrics, privacy, vcf, tbi) -> None:
    """Write AGs as a bgzipped, indexed VCF with the real CHROM/POS/REF/ALT.

    The AGs first pass the privacy gate on their ``aats.tsv`` metrics: a
    failure raises :class:`~genosynth.evaluate.PrivacyGateError` and nothing
    is written, unless ``privacy["allow_export"]``.
    """
    failures = check_privacy(privacy_metrics, model, privacy)
    for failure in failures:
        log.warning("privacy gate overridden (privacy.allow_export): %s", failure)
    meta = json.loads(open(info).read())
    ids, matrix = formats.read_hapt_matrix(ags)
    sites = formats.read_legend(legend)
    pairs = meta["layout"] == LAYOUT_GENOTYPE_PAIRS
    if pairs:
        matrix = matrix[:, : 2 * meta["n_snps"]]
        samples = ids
    else:
        samples = [i.rsplit("_", 1)[0] for i in ids[::2]]
    written = formats.write_vcf(
        vcf,
        matrix,
        sites,
        samples,
        genotype_pairs=pairs,
        provenance=_provenance(dataset=meta["name"], ags=str(ags), made=_ag_record(ags)),
    )
    if str(written[1]) != str(tbi):
        raise GenosynthError(f"index written to {written[1]}, expected {tbi}")


def _ag_record(ags) -> dict:
    """Seed and params of the AGs' sampling, from their sidecar ({} for older AG files)."""
    from genosynth.provenance import read_provenance

    try:
        made = read_provenance(ags)
    except GenosynthError as err:
        log.warning("%s", err)
        return {}
    return {k: made.get(k) for k in ("step", "seed", "params", "inputs")}


# --- evaluate ----------------------------------------------------------------
def concat_metrics(inputs: Sequence, output) -> None:
    """Concatenate metric tables with the columns ``dataset model metric value``.

    The DNA track's ``experiment metric value`` table (``results/dna/metrics.tsv``) joins
    as ``dataset`` "dna", ``model`` = the experiment.
    """
    frames = [pd.read_csv(p, sep="\t") for p in inputs]
    for i, (path, frame) in enumerate(zip(inputs, frames, strict=True)):
        if list(frame.columns) == ["experiment", "metric", "value"]:
            frames[i] = frame.rename(columns={"experiment": "model"}).assign(dataset="dna")
            frames[i] = frames[i][METRIC_COLUMNS]
        elif list(frame.columns) != METRIC_COLUMNS:
            raise GenosynthError(f"{path}: expected columns {METRIC_COLUMNS}")
    write_table(
        output,
        pd.concat(frames, ignore_index=True),
        provenance=record("concat_metrics", inputs={"tables": [str(p) for p in inputs]}),
    )
