"""Train one DeepBind-like predictor CNN."""

from genosynth.dna import stages
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    stages.train_predictor(
        data=snakemake.input.data,
        checkpoint=snakemake.output.checkpoint,
        settings=snakemake.params.settings,
        threads=snakemake.threads,
    )
