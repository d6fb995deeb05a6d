"""AATS, AA_truth, AA_syn and privacy loss of every model (paper Fig S13)."""

from genosynth import evaluation
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    evaluation.aats_figure(
        dataset=snakemake.wildcards.ds,
        tables={m: snakemake.input[m] for m in snakemake.params.models},
        output=snakemake.output.figure,
        metrics=snakemake.output.metrics,
    )
