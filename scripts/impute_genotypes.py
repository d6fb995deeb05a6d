"""Impute the masked target with Beagle 5 from the reference (plus one model's AGs)."""

from genosynth.logs import script_logging
from genosynth.steps import downstream

with script_logging(snakemake.log.rule):
    downstream.impute(
        target=snakemake.input.target,
        reference=snakemake.input.reference,
        ags=snakemake.input.get("ags"),
        legend=snakemake.input.get("legend"),
        info=snakemake.input.get("info"),
        genetic_map=snakemake.input.map,
        output=snakemake.output.vcf,
        beagle=snakemake.params.beagle,
        threads=snakemake.threads,
        log_path=snakemake.log.beagle,
    )
