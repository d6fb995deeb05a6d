"""Concatenate metric tables (dataset model metric value) into one."""

from genosynth.logs import script_logging
from genosynth.steps import report

with script_logging(snakemake.log[0]):
    report.concat_metrics(list(snakemake.input), snakemake.output[0])
