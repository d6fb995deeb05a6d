"""Draw artificial genomes from a trained model checkpoint."""

from genosynth.logs import script_logging
from genosynth.steps import sample

with script_logging(snakemake.log[0]):
    sample.sample(
        checkpoint=snakemake.input.checkpoint,
        real=[snakemake.input.train, snakemake.input.test],
        train=snakemake.input.train,
        info=snakemake.input.info,
        ags=snakemake.output.ags,
        sampling=snakemake.params.sampling,
        model_settings=snakemake.params.model_settings,
        repair=snakemake.params.repair,
    )
