"""Train one WGAN-GP generator (resumable)."""

from genosynth.dna import stages
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    stages.train_generator(
        data=snakemake.input.data,
        kind=snakemake.params.kind,
        checkpoint=snakemake.output.checkpoint,
        training_log=snakemake.output.log_tsv,
        settings=snakemake.params.settings,
        threads=snakemake.threads,
    )
