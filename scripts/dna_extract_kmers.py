"""Cut N-free k-mers from the genome and split them 80/10/10."""

from genosynth.dna import stages
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    stages.extract_kmers(
        fasta=snakemake.input.fasta,
        output=snakemake.output.kmers,
        settings=snakemake.params.settings,
    )
