"""Measured vs oracle-predicted binding on held-out sequences (paper Fig 8a)."""

from genosynth.logs import script_logging
from genosynth.steps import dna

with script_logging(snakemake.log[0]):
    dna.oracle_figure(
        predictions=snakemake.input.predictions,
        figure=snakemake.output.figure,
        metrics=snakemake.output.metrics,
        settings=snakemake.params.settings,
    )
