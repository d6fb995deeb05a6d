"""Keep the training sequences below a percentile of oracle scores."""

from genosynth.dna import stages
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    stages.restrict_binding(
        predictions=snakemake.input.predictions,
        output=snakemake.output.data,
        percentile=snakemake.params.percentile,
    )
