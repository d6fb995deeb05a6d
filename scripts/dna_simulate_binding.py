"""Simulate the demo binding table scored by a known PWM-occupancy model."""

from genosynth.logs import script_logging
from genosynth.steps import dna

with script_logging(snakemake.log[0]):
    dna.simulate_binding(table=snakemake.output.table, settings=snakemake.params.settings)
