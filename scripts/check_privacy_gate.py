"""Judge a model's AGs by the privacy gate; record the verdict, revoke releases it refuses."""

from genosynth.logs import script_logging
from genosynth.steps import privacy

with script_logging(snakemake.log[0]):
    privacy.judge_privacy_gate(
        dataset=snakemake.wildcards.ds,
        model=snakemake.wildcards.model,
        metrics_table=snakemake.input.table,
        ags=snakemake.input.ags,
        privacy=snakemake.params.privacy,
        output=snakemake.output.verdict,
        releases=snakemake.params.releases,
    )
