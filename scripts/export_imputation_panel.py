"""Export a model's privacy-gated AG VCF as an imputation reference panel (VCF + IMPUTE2)."""

from genosynth.downstream import stages
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    stages.export_panel(
        vcf=snakemake.input.vcf,
        vcf_out=snakemake.output.vcf,
        hap_out=snakemake.output.hap,
        legend_out=snakemake.output.legend,
    )
