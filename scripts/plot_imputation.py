"""Score every panel's imputation per MAF bin (Beagle DR2, true dosage r², gain SE): paper Fig 3."""

from genosynth.logs import script_logging
from genosynth.steps import downstream

with script_logging(snakemake.log[0]):
    downstream.imputation_figure(
        dataset=snakemake.wildcards.ds,
        imputed={p: snakemake.input[p] for p in snakemake.params.panels},
        test=snakemake.input.test,
        sites=snakemake.input.sites,
        bins=snakemake.params.bins,
        bootstrap=snakemake.params.bootstrap,
        table=snakemake.output.table,
        figure=snakemake.output.figure,
        metrics=snakemake.output.metrics,
    )
