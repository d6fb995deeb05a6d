"""Write AGs as a bgzipped, indexed VCF with real CHROM/POS/REF/ALT, through the privacy gate."""

from genosynth import stages
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    stages.export_vcf(
        ags=snakemake.input.ags,
        legend=snakemake.input.legend,
        info=snakemake.input.info,
        model=snakemake.wildcards.model,
        privacy_metrics=snakemake.input.privacy,
        privacy=snakemake.params.privacy,
        vcf=snakemake.output.vcf,
        tbi=snakemake.output.tbi,
    )
