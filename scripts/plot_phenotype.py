"""Genotype x phenotype at the causal SNP, real vs each model's AGs (paper text, Table S1)."""

from genosynth.logs import script_logging
from genosynth.steps import downstream

with script_logging(snakemake.log[0]):
    downstream.association_figure(
        dataset=snakemake.wildcards.ds,
        train=snakemake.input.train,
        test=snakemake.input.test,
        legend=snakemake.input.legend,
        info=snakemake.input.info,
        ags={m: snakemake.input[m] for m in snakemake.params.models},
        table=snakemake.output.table,
        figure=snakemake.output.figure,
        metrics=snakemake.output.metrics,
    )
