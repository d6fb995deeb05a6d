"""Release a model's AGs (.hapt.gz, indexed VCF, PLINK 2) if the privacy gate's verdict lets it."""

from genosynth.logs import script_logging
from genosynth.steps import export

with script_logging(snakemake.log[0]):
    export.export_ags(
        ags=snakemake.input.ags,
        legend=snakemake.input.legend,
        info=snakemake.input.info,
        gate=snakemake.input.gate,
        hapt=snakemake.output.hapt,
        vcf=snakemake.output.vcf,
        tbi=snakemake.output.tbi,
        pgen=snakemake.output.pgen,
        pvar=snakemake.output.pvar,
        psam=snakemake.output.psam,
    )
