"""Impute the masked target with Beagle 5 from the reference (plus one model's AG panel)."""

from genosynth.logs import script_logging
from genosynth.steps import downstream

with script_logging(snakemake.log.rule):
    references = [snakemake.input.reference]
    if "panel" in snakemake.input.keys():
        references.append(snakemake.input.panel)
    downstream.impute(
        target=snakemake.input.target,
        references=references,
        genetic_map=snakemake.input.map,
        output=snakemake.output.vcf,
        beagle=snakemake.params.beagle,
        threads=snakemake.threads,
        log_path=snakemake.log.beagle,
    )
