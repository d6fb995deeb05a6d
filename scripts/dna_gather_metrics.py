"""Gather the DNA metric tables into results/dna/metrics.tsv."""

from genosynth.dna import stages
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    stages.gather_metrics(fragments=list(snakemake.input), output=snakemake.output.metrics)
