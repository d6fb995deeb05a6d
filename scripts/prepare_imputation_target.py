"""Masked target (held-out individuals at array sites), real reference panel, Beagle map."""

from genosynth.logs import script_logging
from genosynth.steps import downstream

with script_logging(snakemake.log[0]):
    downstream.prepare_imputation(
        train=snakemake.input.train,
        test=snakemake.input.test,
        others=snakemake.input.others,
        legend=snakemake.input.legend,
        info=snakemake.input.info,
        genetic_map=snakemake.input.get("genetic_map", ""),
        outputs=dict(snakemake.output.items()),
        array=snakemake.params.array,
        reference_share=snakemake.params.reference_share,
    )
