"""This workflow imported as a Snakemake `module` by another workflow (issue 38 item 7).

A Snakefile in a temporary folder imports the repository's Snakefile with the smoke config and
dry-runs `all`: the same jobs as running the repository's Snakefile itself, and the jobs'
PYTHONPATH names this checkout's `src` (not the importing workflow's folder).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from conftest import REPO, run_snakemake

pytestmark = pytest.mark.workflow

SMOKE = REPO / "config/smoke.yaml"
IMPORTER = f"""\
module genosynth:
    snakefile: "{REPO / "Snakefile"}"
    config: config

use rule * from genosynth
"""


def job_counts(stdout: str) -> dict[str, int]:
    """The `job count` table of a dry run, as rule -> count."""
    rows = re.findall(r"^(\w+)\s+(\d+)$", stdout, flags=re.MULTILINE)
    return {rule: int(n) for rule, n in rows}


def dry_run_importer(folder, snakefile_text: str) -> subprocess.CompletedProcess:
    (folder / "Snakefile").write_text(snakefile_text)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    cmd = [sys.executable, "-m", "snakemake", "--configfile", str(SMOKE), "-n", "all"]
    proc = subprocess.run(cmd, cwd=folder, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def test_module_import_dry_runs_all(tmp_path):
    imported = dry_run_importer(tmp_path, IMPORTER)
    direct = run_snakemake(tmp_path / "direct", "--configfile", str(SMOKE), "-n", "all")
    counts = job_counts(imported.stdout)
    assert counts == job_counts(direct.stdout)
    assert counts["all"] == 1
    assert counts["total"] == sum(n for rule, n in counts.items() if rule != "total")
    assert counts["train_network"] == 8  # gan and rbm on each of the 4 smoke datasets


def test_module_jobs_import_this_checkouts_library(tmp_path):
    shown = IMPORTER + '\nimport os\nprint("PYTHONPATH=" + os.environ["PYTHONPATH"])\n'
    proc = dry_run_importer(tmp_path, shown)
    assert f"PYTHONPATH={REPO / 'src'}\n" in proc.stdout
