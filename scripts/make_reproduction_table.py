"""Set the numbers the papers quote beside this run's values."""

from genosynth.logs import script_logging
from genosynth.reproduction import reproduction_table

with script_logging(snakemake.log[0]):
    reproduction_table(
        snakemake.input.summary, snakemake.output.table, paper_data=snakemake.params.paper_data
    )
