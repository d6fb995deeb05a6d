"""Simulate the embedded demo data: VCF + tabix index + panel + phenotype table."""

from genosynth.logs import script_logging
from genosynth.steps import data

with script_logging(snakemake.log[0]):
    data.simulate_demo(
        vcf=snakemake.output.vcf,
        tbi=snakemake.output.tbi,
        panel=snakemake.output.panel,
        phenotypes=snakemake.output.phenotypes,
        simulate=snakemake.params.simulate,
        phenotype=snakemake.params.phenotype,
    )
