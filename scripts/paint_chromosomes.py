"""Run ChromoPainter v2 on the prepared inputs; chunk counts real vs AG (paper Fig S12)."""

from genosynth.logs import script_logging
from genosynth.steps import downstream

with script_logging(snakemake.log[0]):
    downstream.paint_recipients(
        dataset=snakemake.wildcards.ds,
        inputs=dict(snakemake.input.items()),
        chromopainter=snakemake.params.chromopainter,
        chunkcounts=snakemake.output.chunkcounts,
        figure=snakemake.output.figure,
    )
