"""latent interpolation figure and metrics (paper Figs 3, 4, 10)."""

from genosynth.logs import script_logging
from genosynth.steps import dna

with script_logging(snakemake.log[0]):
    dna.latent_interpolation_figure(
        checkpoint=snakemake.input.checkpoint,
        figure=snakemake.output.figure,
        metrics=snakemake.output.metrics,
        settings=snakemake.params.settings,
    )
