"""RBM hidden-layer representation coloured by population (paper Figs S5-S6)."""

from genosynth.logs import script_logging
from genosynth.steps import evaluate

with script_logging(snakemake.log[0]):
    evaluate.rbm_hidden(
        dataset=snakemake.wildcards.ds,
        checkpoint=snakemake.input.checkpoint,
        train=snakemake.input.train,
        test=snakemake.input.test,
        ags=snakemake.input.ags,
        panel=snakemake.input.panel,
        output=snakemake.output.figure,
        metrics=snakemake.output.metrics,
    )
