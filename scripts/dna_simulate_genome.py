"""Simulate the demo genome with planted exons (FASTA + BED)."""

from genosynth.dna import stages
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    stages.simulate_genome(
        fasta=snakemake.output.fasta,
        annotation=snakemake.output.annotation,
        settings=snakemake.params.settings,
    )
