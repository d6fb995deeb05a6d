"""Train the oracle CNN and score every sequence of its binding set."""

from genosynth.logs import script_logging
from genosynth.steps import dna

with script_logging(snakemake.log[0]):
    dna.train_oracle(
        data=snakemake.input.data,
        checkpoint=snakemake.output.checkpoint,
        predictions=snakemake.output.predictions,
        settings=snakemake.params.settings,
        threads=snakemake.threads,
    )
