"""Measured vs oracle-predicted binding on held-out sequences (paper Fig 8a)."""

from genosynth.dna import stages
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    stages.oracle_figure(
        predictions=snakemake.input.predictions,
        figure=snakemake.output.figure,
        metrics=snakemake.output.metrics,
    )
