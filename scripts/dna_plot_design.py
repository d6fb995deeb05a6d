"""Figure and metrics of one design experiment (paper Figs 7, 8b, 9)."""

from genosynth.logs import script_logging
from genosynth.steps import dna

with script_logging(snakemake.log[0]):
    dna.plot_design(
        experiment=snakemake.params.experiment,
        designs=snakemake.input.designs,
        inputs=dict(snakemake.input.items()),
        figure=snakemake.output.figure,
        metrics=snakemake.output.metrics,
        settings=snakemake.params.settings,
    )
