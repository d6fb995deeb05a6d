"""Write AGs as a bgzipped, tabix-indexed VCF with the real CHROM/POS/REF/ALT."""

from genosynth import stages
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    stages.export_vcf(
        ags=snakemake.input.ags,
        legend=snakemake.input.legend,
        info=snakemake.input.info,
        vcf=snakemake.output.vcf,
        tbi=snakemake.output.tbi,
    )
