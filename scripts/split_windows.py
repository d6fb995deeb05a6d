"""Cut a windowed dataset's train, test and others matrices to one window."""

from genosynth.logs import script_logging
from genosynth.steps import windows

names = ("train", "test", "others")
with script_logging(snakemake.log[0]):
    windows.split(
        inputs={k: snakemake.input[k] for k in names},
        plan=snakemake.input.plan,
        window=int(snakemake.wildcards.window),
        outputs={k: snakemake.output[k] for k in names},
    )
