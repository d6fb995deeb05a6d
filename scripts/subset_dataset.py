"""Build one dataset (wide, dense, scan, pheno): SNP selection and 3:1 split."""

from genosynth.logs import script_logging
from genosynth.steps import data

with script_logging(snakemake.log[0]):
    data.build_dataset(
        name=snakemake.wildcards.ds,
        haplotypes=snakemake.input.haplotypes,
        phenotypes=snakemake.input.get("phenotypes"),
        outputs=dict(snakemake.output.items()),
        dataset=snakemake.params.dataset,
        split=snakemake.params.split,
    )
