"""Build one dataset (wide, dense, scan, pheno): SNP selection and 3:1 split."""

from genosynth import stages
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    stages.build_dataset(
        name=snakemake.wildcards.ds,
        haplotypes=snakemake.input.haplotypes,
        phenotypes=snakemake.input.get("phenotypes"),
        outputs=dict(snakemake.output.items()),
        dataset=snakemake.params.dataset,
        split=snakemake.params.split,
    )
