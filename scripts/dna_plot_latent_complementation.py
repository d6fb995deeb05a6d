"""latent complementation figure and metrics (paper Figs 3, 4, 10)."""

from genosynth.dna import stages
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    stages.latent_complementation_figure(
        checkpoint=snakemake.input.checkpoint,
        figure=snakemake.output.figure,
        metrics=snakemake.output.metrics,
        settings=snakemake.params.settings,
    )
