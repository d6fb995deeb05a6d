"""Cut N-free k-mers from the genome and split them 80/10/10."""

from genosynth.logs import script_logging
from genosynth.steps import dna

with script_logging(snakemake.log[0]):
    dna.extract_kmers(
        fasta=snakemake.input.fasta,
        output=snakemake.output.kmers,
        settings=snakemake.params.settings,
    )
