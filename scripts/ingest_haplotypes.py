"""Ingest one source (VCF or .hapt + legend, panel optional) into haplotypes.npz."""

from genosynth.logs import script_logging
from genosynth.steps import data

with script_logging(snakemake.log[0]):
    data.ingest(
        inputs=dict(snakemake.input.items()),
        haplotypes=snakemake.output.haplotypes,
        report=snakemake.output.report,
        policies=snakemake.params.policies,
        region=snakemake.params.region,
        label=snakemake.wildcards.source,
    )
