"""A figure of the 50-mer or exon generator and its metrics (paper Figs 3-6, 10)."""

from genosynth.dna import stages
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    draw = {
        "latent_interpolation": stages.latent_interpolation_figure,
        "latent_complementation": stages.latent_complementation_figure,
        "edit_distance": stages.edit_distance_figure,
        "splice_logos": stages.splice_logos_figure,
    }[snakemake.wildcards.dna_figure]
    draw(
        **dict(snakemake.input.items()),  # the checkpoint, and the data it is compared with
        figure=snakemake.output.figure,
        metrics=snakemake.output.metrics,
        settings=snakemake.params.settings,
    )
