"""Draw one evaluation figure of the CONTRACT and write its metric rows."""

from genosynth import evaluation
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    evaluation.run_figure(
        figure=snakemake.params.figure,
        inputs=dict(snakemake.input.items()),
        models=snakemake.params.models,
        dataset=snakemake.wildcards.ds,
        output=snakemake.output.figure,
        metrics=snakemake.output.metrics,
        settings=snakemake.params.settings,
    )
