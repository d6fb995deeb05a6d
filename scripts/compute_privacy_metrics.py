"""Privacy metrics of one model's AGs against the training and held-out haplotypes
(the internal test split, or the external set of `test_source`)."""

from genosynth.logs import script_logging
from genosynth.steps import privacy

with script_logging(snakemake.log[0]):
    privacy.privacy_table(
        dataset=snakemake.wildcards.ds,
        model=snakemake.wildcards.model,
        train=snakemake.input.train,
        test=snakemake.input.test,
        info=snakemake.input.info,
        ags=snakemake.input.ags,
        output=snakemake.output.table,
        settings=snakemake.params.settings,
        test_sites=snakemake.input.get("test_sites"),
    )
