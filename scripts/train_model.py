"""Train one haplotype model on a dataset's training haplotypes."""

from genosynth import stages
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    stages.train(
        model=snakemake.params.model,
        settings=snakemake.params.settings,
        train=snakemake.input.train,
        checkpoint=snakemake.output.checkpoint,
        training_log=snakemake.output.log_tsv,
        threads=snakemake.threads,
    )
