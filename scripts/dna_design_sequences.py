"""Design sequences for one experiment and score them (results/dna/designs/: TSV, FASTA)."""

from genosynth.logs import script_logging
from genosynth.steps import dna

with script_logging(snakemake.log[0]):
    dna.design(
        experiment=snakemake.params.experiment,
        inputs=dict(snakemake.input.items()),
        output=snakemake.output.designs,
        fasta=snakemake.output.fasta,
        settings=snakemake.params.settings,
        threads=snakemake.threads,
    )
