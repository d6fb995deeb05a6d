"""Steps that make the data: simulate the demo source, ingest a source, build a dataset.

``simulate_genotypes``, ``ingest_haplotypes`` and ``subset_dataset`` call these (see
:mod:`genosynth.steps` for what every step promises).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from genosynth import formats, heldout, subset
from genosynth import ingest as ingest_lib
from genosynth import simulate as simulate_lib
from genosynth.data import HaplotypeSet, load_haplotype_set, save_haplotype_set
from genosynth.errors import ConfigError, GenosynthError, InputError
from genosynth.fileio import atomic_path
from genosynth.provenance import record, write_table
from genosynth.steps.common import LAYOUT_GENOTYPE_PAIRS, LAYOUT_HAPLOTYPES, version_record

__all__ = ["build_dataset", "ingest", "match_test_source", "select_sites", "simulate_demo"]

log = logging.getLogger(__name__)


# --- simulate ----------------------------------------------------------------
def simulate_demo(*, vcf, tbi, panel, phenotypes, simulate: Mapping, phenotype: Mapping) -> None:
    """Simulate the demo source: VCF + index + panel, and a one-causal-SNP phenotype."""
    ts, panel_frame = simulate_lib.simulate_haplotypes(**simulate)
    n_snps = simulate_lib.write_vcf_and_panel(
        ts, panel_frame, vcf, panel, provenance=version_record(phenotype=dict(phenotype))
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
def ingest(
    *, inputs: Mapping, haplotypes, report, policies: Mapping, region: str = "", label: str = "NA"
) -> None:
    """Read a VCF or a .hapt + legend (each + panel, optionally) into ``haplotypes.npz``.

    Without a panel every sample's ``pop`` and ``super_pop`` are ``label`` (the workflow
    passes the source's name).
    """
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
    if "panel" not in inputs:
        samples = hs.samples.assign(pop=label, super_pop=label)
        hs = HaplotypeSet(hs.haplotypes, hs.sites, samples, header=hs.header)
    log.info("ingested %d haplotypes x %d sites; %s", hs.n_haplotypes, hs.n_sites, counts)
    provenance = version_record(inputs=dict(inputs), policies=dict(policies), region=region)
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
    pops = list(dataset["populations"]) or None  # their haplotypes set the MAF
    column = _population_column(hs.samples, pops) if pops else "pop"
    if method == "region":
        return subset.select_region(
            hs,
            n_snps=dataset["n_snps"],
            start=dataset["start"],
            chrom=dataset["chrom"],
            min_maf=dataset["min_maf"],
            populations=pops,
            column=column,
        )
    if method == "thinned":
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


def _coordinates(hs: HaplotypeSet) -> dict:
    """``contigs`` (length of each chromosome of the sites, where the source gave it) and
    ``reference`` (the build, or None) of a dataset: what its VCFs' headers carry."""
    lengths = hs.header.get("contigs", {})
    chroms = pd.unique(hs.sites["chrom"].astype(str))
    return {
        "contigs": {c: int(lengths[c]) for c in chroms if c in lengths},
        "reference": hs.header.get("reference"),
    }


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
        **_coordinates(hs),
        "settings": dict(dataset),
        "split": dict(split),
        **version_record(),
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


# --- external held-out set ---------------------------------------------------
def match_test_source(
    *, name: str, source: str, haplotypes, legend, panel, outputs: Mapping, min_matched: float
) -> None:
    """A dataset's held-out set from another source (``datasets.<name>.test_source``).

    Writes ``outputs["test"]`` (the held-out haplotypes on the matched SNPs, ``.hapt``) and
    ``outputs["sites"]`` (every dataset SNP with its status, :func:`genosynth.heldout.match_sites`).

    Raises
    ------
    InputError
        A held-out individual in the training split, or fewer than ``min_matched`` (a share)
        of the dataset's SNPs matched (none matched always fails).
    """
    hs = load_haplotype_set(haplotypes)
    split = pd.read_csv(panel, sep="\t", dtype=str)
    training = split.loc[split["split"] == "train", "sample"]
    heldout.check_sample_clash(hs.samples["sample"], training, path=haplotypes)
    matrix, table = heldout.match_sites(formats.read_legend(legend), hs)
    counts = table["status"].value_counts().reindex(["matched", "swapped", "alleles", "missing"])
    counts = counts.fillna(0).astype(int).to_dict()
    n_used = counts["matched"] + counts["swapped"]
    log.info("%s: held-out source %s: %d of %d SNPs used; %s", name, source, n_used, len(table),
             counts)  # fmt: skip
    if n_used == 0 or n_used < min_matched * len(table):
        first = table.loc[~table["status"].isin(heldout.MATCHED)].iloc[0]
        raise InputError(
            haplotypes,
            f"held-out source {source!r} matches {n_used} of the {len(table)} SNPs of dataset "
            f"{name!r} by position and alleles ({counts['missing']} missing, "
            f"{counts['alleles']} with other alleles; at least {min_matched:.0%} needed)",
            record=f"{first['id']} ({first['status']})",
            fix=f"give sources.{source} a file with the same SNPs (positions, REF/ALT, "
            f"chromosome names), or lower datasets.{name}.test_min_matched",
        )
    made = record(
        "match_test_source",
        params={"dataset": name, "source": source, "min_matched": min_matched},
        inputs={"haplotypes": haplotypes, "legend": legend, "panel": panel},
    )
    formats.write_hapt(outputs["test"], matrix, hs.samples["hap_id"], tag="Real", provenance=made)
    write_table(outputs["sites"], table, provenance=made)
