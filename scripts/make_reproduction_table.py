"""Set every quantitative claim of the papers beside this run's value, with a verdict."""

from genosynth.logs import script_logging
from genosynth.reproduction import reproduction_table

with script_logging(snakemake.log[0]):
    reproduction_table(
        snakemake.input.summary,
        snakemake.output.table,
        data=snakemake.params.data,
        markdown=snakemake.output.markdown,
    )
