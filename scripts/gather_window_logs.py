"""Average the windows' training logs of one model per epoch."""

from genosynth.logs import script_logging
from genosynth.steps import windows

with script_logging(snakemake.log[0]):
    windows.gather_logs(logs=list(snakemake.input), output=snakemake.output.log_tsv)
