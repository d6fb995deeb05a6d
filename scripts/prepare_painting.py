"""ChromoPainter v2 inputs: real and AG recipients, complementary donors (paper Fig S12)."""

from genosynth.logs import script_logging
from genosynth.steps import downstream

with script_logging(snakemake.log[0]):
    models = snakemake.params.models
    downstream.prepare_painting(
        dataset=snakemake.wildcards.ds,
        inputs={k: v for k, v in snakemake.input.items() if k not in models},
        ags={m: snakemake.input[m] for m in models},
        settings=snakemake.params.settings,
        clusters=snakemake.params.clusters,
        outputs=dict(snakemake.output.items()),
    )
