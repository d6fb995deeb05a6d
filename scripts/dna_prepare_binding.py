"""One binding set: sequences, measurements, held-out flags."""

from genosynth.dna import stages
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    stages.prepare_binding(
        inputs=dict(snakemake.input.items()),
        output=snakemake.output.data,
        settings=snakemake.params.settings,
        split=snakemake.params.split,
    )
