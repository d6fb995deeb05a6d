"""A figure of the 50-mer or exon generator and its metrics (paper Figs 3-6, 10)."""

from genosynth.logs import script_logging
from genosynth.steps import dna

with script_logging(snakemake.log[0]):
    draw = {
        "latent_interpolation": dna.latent_interpolation_figure,
        "latent_complementation": dna.latent_complementation_figure,
        "edit_distance": dna.edit_distance_figure,
        "splice_logos": dna.splice_logos_figure,
    }[snakemake.wildcards.dna_figure]
    draw(
        **dict(snakemake.input.items()),  # the checkpoint, and the data it is compared with
        figure=snakemake.output.figure,
        metrics=snakemake.output.metrics,
        settings=snakemake.params.settings,
    )
