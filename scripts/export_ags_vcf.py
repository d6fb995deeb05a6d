"""Write AGs as a bgzipped, indexed VCF with real CHROM/POS/REF/ALT, through the privacy gate."""

from genosynth.logs import script_logging
from genosynth.steps import export

with script_logging(snakemake.log[0]):
    export.export_vcf(
        ags=snakemake.input.ags,
        legend=snakemake.input.legend,
        info=snakemake.input.info,
        model=snakemake.wildcards.model,
        privacy_metrics=snakemake.input.privacy,
        privacy=snakemake.params.privacy,
        vcf=snakemake.output.vcf,
        tbi=snakemake.output.tbi,
    )
