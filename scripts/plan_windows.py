"""Plan the overlapping windows of a windowed dataset (windows/plan.tsv)."""

from genosynth.logs import script_logging
from genosynth.steps import windows

with script_logging(snakemake.log[0]):
    windows.plan(
        legend=snakemake.input.legend,
        info=snakemake.input.info,
        settings=snakemake.params.windows,
        n_windows=snakemake.params.n_windows,
        output=snakemake.output.plan,
    )
