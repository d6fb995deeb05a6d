"""Concatenate metric tables (dataset model metric value) into one."""

from genosynth import stages
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    stages.concat_metrics(list(snakemake.input), snakemake.output[0])
