"""LD across window borders vs inside windows, per model, against the real haplotypes."""

from genosynth.logs import script_logging
from genosynth.steps import windows

with script_logging(snakemake.log[0]):
    windows.join_metrics(
        dataset=snakemake.wildcards.ds,
        train=snakemake.input.train,
        test=snakemake.input.test,
        legend=snakemake.input.legend,
        plan=snakemake.input.plan,
        ags={m: snakemake.input[f"ags_{m}"] for m in snakemake.params.models},
        reports={m: snakemake.input[f"report_{m}"] for m in snakemake.params.models},
        settings=snakemake.params.settings,
        output=snakemake.output.metrics,
    )
