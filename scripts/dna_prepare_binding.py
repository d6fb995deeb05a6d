"""One binding set: sequences, measurements, held-out flags."""

from genosynth.logs import script_logging
from genosynth.steps import dna

with script_logging(snakemake.log[0]):
    dna.prepare_binding(
        inputs=dict(snakemake.input.items()),
        output=snakemake.output.data,
        settings=snakemake.params.settings,
        split=snakemake.params.split,
    )
