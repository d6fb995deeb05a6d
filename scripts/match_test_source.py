"""A dataset's external held-out set: its test_source on the dataset's SNPs."""

from genosynth.logs import script_logging
from genosynth.steps import data

with script_logging(snakemake.log[0]):
    data.match_test_source(
        name=snakemake.wildcards.ds,
        source=snakemake.params.source,
        haplotypes=snakemake.input.haplotypes,
        legend=snakemake.input.legend,
        panel=snakemake.input.panel,
        outputs=dict(snakemake.output.items()),
        min_matched=snakemake.params.min_matched,
    )
