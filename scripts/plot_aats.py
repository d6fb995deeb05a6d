"""AATS, AA_truth, AA_syn and privacy loss per model (paper Fig S13), gate verdicts in labels."""

from genosynth.logs import script_logging
from genosynth.steps import privacy

with script_logging(snakemake.log[0]):
    privacy.aats_figure(
        dataset=snakemake.wildcards.ds,
        tables={m: snakemake.input[m] for m in snakemake.params.models},
        train=snakemake.input.real_train,
        test=snakemake.input.real_test,
        info=snakemake.input.real_info,
        output=snakemake.output.figure,
        metrics=snakemake.output.metrics,
        gates=dict(zip(snakemake.params.models, snakemake.input.gates, strict=True)),
    )
