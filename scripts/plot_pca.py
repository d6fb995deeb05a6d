"""PCA of real haplotypes with each model's AGs projected (paper Fig 1) and its metrics."""

from genosynth import stages
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    stages.pca_figure(
        dataset=snakemake.wildcards.ds,
        real=[snakemake.input.train, snakemake.input.test],
        panel=snakemake.input.panel,
        info=snakemake.input.info,
        ags={m: snakemake.input[m] for m in snakemake.params.models},
        figure=snakemake.output.figure,
        metrics=snakemake.output.metrics,
        n_components=snakemake.params.pca["n_components"],
    )
