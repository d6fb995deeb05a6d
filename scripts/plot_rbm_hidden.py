"""RBM hidden-layer representation coloured by population (paper Figs S5-S6)."""

from genosynth import evaluation
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    evaluation.rbm_hidden(
        dataset=snakemake.wildcards.ds,
        checkpoint=snakemake.input.checkpoint,
        train=snakemake.input.train,
        test=snakemake.input.test,
        ags=snakemake.input.ags,
        panel=snakemake.input.panel,
        output=snakemake.output.figure,
        metrics=snakemake.output.metrics,
    )
