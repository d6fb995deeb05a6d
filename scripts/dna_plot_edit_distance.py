"""edit distance figure and metrics (paper Figs 5, 6)."""

from genosynth.logs import script_logging
from genosynth.steps import dna

with script_logging(snakemake.log[0]):
    dna.edit_distance_figure(
        checkpoint=snakemake.input.checkpoint,
        data=snakemake.input.data,
        figure=snakemake.output.figure,
        metrics=snakemake.output.metrics,
        settings=snakemake.params.settings,
    )
