"""Train one haplotype model on a dataset's training haplotypes (resumable)."""

from genosynth.logs import script_logging
from genosynth.steps.train import train_model

with script_logging(snakemake.log[0]):
    train_model(
        model=snakemake.params.model,
        settings=snakemake.params.settings,
        train=snakemake.input.train,
        panel=snakemake.input.panel,
        checkpoint=snakemake.output.checkpoint,
        training_log=snakemake.output.log_tsv,
        threads=snakemake.threads,
        others=snakemake.input.get("others"),
    )
