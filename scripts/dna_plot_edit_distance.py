"""edit distance figure and metrics (paper Figs 5, 6)."""

from genosynth.dna import stages
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    stages.edit_distance_figure(
        checkpoint=snakemake.input.checkpoint,
        data=snakemake.input.data,
        figure=snakemake.output.figure,
        metrics=snakemake.output.metrics,
        settings=snakemake.params.settings,
    )
