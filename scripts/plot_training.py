"""Losses and AATS over training epochs of every model (paper Fig S16)."""

from genosynth import evaluation
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    evaluation.training(
        dataset=snakemake.wildcards.ds,
        logs={m: snakemake.input[m] for m in snakemake.params.models},
        output=snakemake.output.figure,
        metrics=snakemake.output.metrics,
    )
