"""Exon-centred windows with their 0/1 exon track."""

from genosynth.logs import script_logging
from genosynth.steps import dna

with script_logging(snakemake.log[0]):
    dna.extract_exon_windows(
        fasta=snakemake.input.fasta,
        annotation=snakemake.input.annotation,
        output=snakemake.output.windows,
        table=snakemake.output.table,
        settings=snakemake.params.settings,
    )
