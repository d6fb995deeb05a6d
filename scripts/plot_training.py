"""Losses and AATS over training epochs of every model (paper Fig S16)."""

from genosynth.logs import script_logging
from genosynth.steps import evaluate

with script_logging(snakemake.log[0]):
    evaluate.training_figure(
        dataset=snakemake.wildcards.ds,
        logs={m: snakemake.input[m] for m in snakemake.params.models},
        output=snakemake.output.figure,
        metrics=snakemake.output.metrics,
    )
