"""Gather the DNA metric tables into results/dna/metrics.tsv."""

from genosynth.logs import script_logging
from genosynth.steps import dna

with script_logging(snakemake.log[0]):
    dna.gather_metrics(fragments=list(snakemake.input), output=snakemake.output.metrics)
