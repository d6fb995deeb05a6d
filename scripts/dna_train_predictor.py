"""Train one DeepBind-like predictor CNN."""

from genosynth.logs import script_logging
from genosynth.steps import dna

with script_logging(snakemake.log[0]):
    dna.train_predictor(
        data=snakemake.input.data,
        checkpoint=snakemake.output.checkpoint,
        settings=snakemake.params.settings,
        threads=snakemake.threads,
    )
