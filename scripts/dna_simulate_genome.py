"""Simulate the demo genome with planted exons (FASTA + BED)."""

from genosynth.logs import script_logging
from genosynth.steps import dna

with script_logging(snakemake.log[0]):
    dna.simulate_genome(
        fasta=snakemake.output.fasta,
        annotation=snakemake.output.annotation,
        settings=snakemake.params.settings,
    )
