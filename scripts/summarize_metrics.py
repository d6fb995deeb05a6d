"""Every metric of the run in one table, with each model's flags (collapse, gate, non-finite)."""

from genosynth.logs import script_logging
from genosynth.steps import report

with script_logging(snakemake.log[0]):
    report.summarize_metrics(
        [*snakemake.input.metrics, *snakemake.input.dna],
        snakemake.output.summary,
        gates=list(snakemake.input.gates),
    )
