"""Join one model's window AGs into the dataset-wide AGs the evaluations read."""

from genosynth.logs import script_logging
from genosynth.steps import windows

with script_logging(snakemake.log[0]):
    windows.join(
        ags=list(snakemake.input.ags),
        plan=snakemake.input.plan,
        info=snakemake.input.info,
        output=snakemake.output.ags,
        report=snakemake.output.report,
        matching=snakemake.params.matching,
    )
