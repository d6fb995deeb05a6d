"""Simulate the demo binding table scored by a known PWM-occupancy model."""

from genosynth.dna import stages
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    stages.simulate_binding(table=snakemake.output.table, settings=snakemake.params.settings)
