"""Simulate the embedded demo data: VCF + tabix index + panel + phenotype table."""

from genosynth import stages
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    stages.simulate_demo(
        vcf=snakemake.output.vcf,
        tbi=snakemake.output.tbi,
        panel=snakemake.output.panel,
        phenotypes=snakemake.output.phenotypes,
        simulate=snakemake.params.simulate,
        phenotype=snakemake.params.phenotype,
    )
