"""Masked target (held-out individuals at array sites), real reference panel, Beagle map."""

from genosynth.downstream import stages
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    stages.prepare_imputation(
        train=snakemake.input.train,
        test=snakemake.input.test,
        others=snakemake.input.others,
        legend=snakemake.input.legend,
        info=snakemake.input.info,
        genetic_map=snakemake.input.get("genetic_map", ""),
        outputs=dict(snakemake.output.items()),
        array=snakemake.params.array,
    )
