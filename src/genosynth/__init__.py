"""genosynth: artificial genomes and generative DNA design, as a reproducible workflow.

The library layer of the workflow: all logic lives here, is importable and
unit-tested, and never reads the Snakemake config.
"""

from genosynth.errors import ConfigError, GenosynthError, InputError

__version__ = "0.1.0"

__all__ = ["ConfigError", "GenosynthError", "InputError", "__version__"]
