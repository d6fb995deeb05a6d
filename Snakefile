# genosynth: artificial genomes (Yelmen et al.) and generative DNA design (Killoran et al.).
# Run: snakemake --cores 2 all  (embedded demo data; see README.md and config/README.md)
import os

from snakemake.utils import min_version

min_version("9.0")


# The default config applies only when no --configfile is given: configs are complete
# on their own (the schema fills what they leave out), never merged with the default.
if not config:

    configfile: "config/config.yaml"


# Jobs import the genosynth library from this checkout, also inside --sdm conda envs
# (an optional addition to PYTHONPATH, not a required variable: no envvars directive).
os.environ.update(
    PYTHONPATH=os.pathsep.join(
        filter(None, [os.path.join(workflow.current_basedir, "src"), os.environ.get("PYTHONPATH")])
    )
)


include: "workflow/rules/common.smk"
include: "workflow/rules/simulate.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/download.smk"
include: "workflow/rules/subset.smk"
include: "workflow/rules/models.smk"
include: "workflow/rules/windows.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/privacy.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/downstream.smk"
include: "workflow/rules/dna.smk"


onsuccess:  # flagged models (collapse, privacy gate, non-finite metrics) on the console
    print_flag_summary("results/summary.tsv")


rule all:
    default_target: True
    input:
        get_all_outputs(),
        **get_release_functions(),
