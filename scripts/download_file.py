"""Download one configured public file into the cache, verified by its SHA-256."""

from genosynth.download import fetch
from genosynth.logs import script_logging

with script_logging(snakemake.log[0]):
    entry = snakemake.params.entry
    fetch(
        entry["url"],
        snakemake.output.file,
        sha256=entry["sha256"],
        extract=entry["extract"],
    )
