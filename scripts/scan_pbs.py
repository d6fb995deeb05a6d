"""Selection scan (pbs) of the real target and of as many AGs per model: paper Fig 4."""

from genosynth.logs import script_logging
from genosynth.steps import downstream

with script_logging(snakemake.log[0]):
    models = snakemake.params.models
    downstream.scan_pbs(
        dataset=snakemake.wildcards.ds,
        inputs={k: v for k, v in snakemake.input.items() if k not in models},
        ags={m: snakemake.input[m] for m in models},
        settings=snakemake.params.settings,
        clusters=snakemake.params.clusters,
        table=snakemake.output.table,
        figure=snakemake.output.figure,
        metrics=snakemake.output.metrics,
    )
