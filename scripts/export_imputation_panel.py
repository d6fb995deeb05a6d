"""Export a model's released AG VCF as an imputation reference panel (VCF + IMPUTE2)."""

from genosynth.logs import script_logging
from genosynth.steps import downstream

with script_logging(snakemake.log[0]):
    downstream.export_panel(
        vcf=snakemake.input.vcf,
        gate=snakemake.input.gate,
        vcf_out=snakemake.output.vcf,
        hap_out=snakemake.output.hap,
        legend_out=snakemake.output.legend,
    )
