"""Privacy metrics of one model's AGs against the training and held-out haplotypes."""

from genosynth import evaluation
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    evaluation.privacy_table(
        dataset=snakemake.wildcards.ds,
        model=snakemake.wildcards.model,
        train=snakemake.input.train,
        test=snakemake.input.test,
        info=snakemake.input.info,
        ags=snakemake.input.ags,
        output=snakemake.output.table,
        settings=snakemake.params.settings,
    )
