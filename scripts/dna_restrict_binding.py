"""Keep the training sequences below a percentile of oracle scores."""

from genosynth.logs import script_logging
from genosynth.steps import dna

with script_logging(snakemake.log[0]):
    dna.restrict_binding(
        predictions=snakemake.input.predictions,
        output=snakemake.output.data,
        percentile=snakemake.params.percentile,
    )
