"""Draw one evaluation figure of the CONTRACT and write its metric rows."""

from genosynth.logs import script_logging
from genosynth.steps import evaluate

with script_logging(snakemake.log[0]):
    evaluate.run_figure(
        figure=snakemake.params.figure,
        inputs=dict(snakemake.input.items()),
        models=snakemake.params.models,
        dataset=snakemake.wildcards.ds,
        output=snakemake.output.figure,
        metrics=snakemake.output.metrics,
        settings=snakemake.params.settings,
    )
