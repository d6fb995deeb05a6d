"""Train one WGAN-GP generator (resumable)."""

from genosynth.logs import script_logging
from genosynth.steps import dna

with script_logging(snakemake.log[0]):
    dna.train_generator(
        data=snakemake.input.data,
        kind=snakemake.params.kind,
        checkpoint=snakemake.output.checkpoint,
        training_log=snakemake.output.log_tsv,
        settings=snakemake.params.settings,
        threads=snakemake.threads,
    )
