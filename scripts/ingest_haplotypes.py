"""Ingest one source (VCF + panel, or .hapt + legend) into haplotypes.npz."""

from genosynth import stages
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    stages.ingest(
        inputs=dict(snakemake.input.items()),
        haplotypes=snakemake.output.haplotypes,
        report=snakemake.output.report,
        policies=snakemake.params.policies,
        region=snakemake.params.region,
    )
