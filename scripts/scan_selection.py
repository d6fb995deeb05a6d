"""Selection scan (XP-EHH or PBS) of the real target and of as many AGs per model: paper Fig 4."""

from genosynth.logs import script_logging
from genosynth.steps import downstream

with script_logging(snakemake.log[0]):
    models = snakemake.params.models
    statistic = snakemake.wildcards.statistic
    scan = {"xpehh": downstream.scan_xpehh, "pbs": downstream.scan_pbs}[statistic]
    scan(
        dataset=snakemake.wildcards.ds,
        inputs={k: v for k, v in snakemake.input.items() if k not in models},
        ags={m: snakemake.input[m] for m in models},
        settings=snakemake.params.settings,
        clusters=snakemake.params.clusters,
        table=snakemake.output.table,
        figure=snakemake.output.figure,
        metrics=snakemake.output.metrics,
        **({"threads": snakemake.threads} if statistic == "xpehh" else {}),  # PBS: one thread
    )
