"""Issue 37, point 3: the privacy gate guards every AG file, not only the VCF.

A copying model with ``segment_sites: 100000`` copies whole training haplotypes, so its AGs fail
all three checks of the strict gate (schema defaults). Then no AG file of any format (``.hapt.gz``,
VCF, imputation panel, IMPUTE2 files) may exist outside the model's own folder
(``results/<ds>/models/<model>/ags.hapt.gz``, which the evaluations read), unless
``privacy.allow_export`` is set; the gate's verdict is recorded with the AGs' provenance, and a
verdict that turns to failed removes an earlier release. An explicit request for the release
fails with the gate's message; `all` (issue 40) asks only for the releases the verdicts let
through, so a failed model's release is withheld and the run goes on.

The config is config/smoke.yaml cut to the ``wide`` dataset (60 SNPs, 120 haplotypes), the
Bernoulli baseline (which passes the gate) and that copying model. The module fixture samples
both models' AGs and computes their privacy metrics once (about 20 s); each test copies that
folder and runs only the gate and the releases (a few seconds).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pysam
import pytest
import yaml
from conftest import REPO, run_snakemake

from genosynth.provenance import read_provenance, sha256sum

pytestmark = pytest.mark.workflow

SMOKE = yaml.safe_load((REPO / "config/smoke.yaml").read_text())
FAILURES = [
    "exact_copies (AGs identical to a training haplotype) = 106 exceeds the maximum 0",
    "privacy_loss (AATS_test - AATS_train) = 0.5056 (standard error 0.0645) exceeds the "
    "maximum 0.1",
    "membership_auc (AUC of distance-based membership inference) = 0.8209 (standard error "
    "0.0388) exceeds the maximum 0.6",
]
FIX = (
    "change `models.copying` (or `datasets.wide.model_overrides.copying`) so that the model "
    "copies less of its training haplotypes: a smaller `segment_sites` or a larger `mismatch`"
)
MESSAGE = (
    "genosynth: privacy gate failed (3 of its checks): the AGs of model 'copying' (dataset "
    f"'wide') are not exported: {'; '.join(FAILURES)}. Fix: set `privacy.allow_export: true` in "
    f"the config to export them anyway, or {FIX}"
)
RELEASES = [
    "results/wide/ags/copying.hapt.gz",
    "results/wide/ags/copying.vcf.gz",
    "results/wide/ags/copying.vcf.gz.tbi",
    "results/wide/imputation/panel_copying.vcf.gz",
    "results/wide/imputation/panel_copying.vcf.gz.tbi",
    "results/wide/imputation/panel_copying.hap.gz",
    "results/wide/imputation/panel_copying.legend.gz",
]
TARGETS = ["results/wide/ags/copying.vcf.gz", "results/wide/imputation/panel_copying.vcf.gz"]
INTERNAL = "results/wide/models/copying/ags.hapt.gz"


def write_config(path: Path, **privacy) -> Path:
    config = {
        "sources": SMOKE["sources"],
        "datasets": {"wide": SMOKE["datasets"]["wide"]},
        "models": {"bernoulli": SMOKE["models"]["bernoulli"], "copying": {"segment_sites": 1e5}},
        "privacy": privacy,  # {}: the strict schema defaults
        "dna": {"enabled": False},
    }
    path.write_text(yaml.safe_dump(config))
    return path


def snakemake(workdir: Path, config: str, *targets: str):
    """`snakemake --cores 1 --keep-going TARGETS` with workdir/<config>.yaml; the process."""
    configfile = str(workdir / f"{config}.yaml")
    return run_snakemake(
        workdir, "--configfile", configfile, "--cores", "1", "--keep-going", *targets, check=False
    )


def jobs(proc) -> list[str]:
    text = proc.stdout + proc.stderr
    return re.findall(r"^(?:local)?(?:rule|checkpoint) (\w+):", text, flags=re.M)


def files_of_copying(workdir: Path) -> list[str]:
    """Every file of the copying model under results/, logs and benchmarks aside."""
    results = workdir / "results"
    found = [p.relative_to(results).as_posix() for p in results.rglob("*") if p.is_file()]
    return sorted(p for p in found if "copying" in p and not p.startswith(("logs/", "bench")))


def vcf_gate(path: Path) -> dict:
    with pysam.VariantFile(str(path)) as vcf:
        line = next(r for r in vcf.header.records if r.key == "genosynth_provenance")
    return json.loads(line.value)["privacy_gate"]


@pytest.fixture(scope="module")
def sampled(tmp_path_factory) -> Path:
    """Both models' AGs sampled and their privacy metrics computed; nothing judged or released."""
    workdir = tmp_path_factory.mktemp("gate")
    write_config(workdir / "strict.yaml")
    write_config(workdir / "allow.yaml", allow_export=True)
    proc = snakemake(
        workdir, "strict", *(f"results/wide/privacy/{m}.tsv" for m in ("bernoulli", "copying"))
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return workdir


@pytest.fixture
def workdir(sampled, tmp_path) -> Path:
    """A copy of `sampled` (mtimes and Snakemake's records kept: nothing upstream reruns)."""
    return Path(shutil.copytree(sampled, tmp_path / "run", symlinks=True))


#: The files of a withheld model: its training, the AGs the evaluations read, the gate's verdict.
EVALUATIONS_OWN = [
    "wide/models/copying/ags.hapt.gz",
    "wide/models/copying/ags.hapt.gz.provenance.json",
    "wide/models/copying/checkpoint.npz",
    "wide/models/copying/training_log.tsv",
    "wide/models/copying/training_log.tsv.provenance.json",
    "wide/privacy/copying.gate.json",
    "wide/privacy/copying.tsv",
    "wide/privacy/copying.tsv.provenance.json",
]


def test_failed_gate_leaves_no_ag_file_but_the_evaluations_own(workdir):
    proc = snakemake(workdir, "strict", *TARGETS)
    assert files_of_copying(workdir) == EVALUATIONS_OWN  # no results/wide/ags/, no imputation panel
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1
    assert MESSAGE in out.splitlines()
    assert "Traceback (most recent call last)" not in out
    assert jobs(proc).count("export_ags_vcf") == 1 and "export_imputation_panel" not in jobs(proc)
    verdict = json.loads((workdir / "results/wide/privacy/copying.gate.json").read_text())
    assert (verdict["verdict"], verdict["failures"], verdict["fix"]) == ("failed", FAILURES, FIX)
    assert verdict["ags_sha256"] == sha256sum(workdir / INTERNAL)
    assert verdict["metrics"]["exact_copies"] == 106
    table = read_provenance(workdir / "results/wide/privacy/copying.tsv")  # evaluations read
    assert table["inputs"]["ags"] == INTERNAL  # the AGs in the model's folder


def test_allow_export_releases_every_format_with_the_verdict(workdir):
    proc = snakemake(workdir, "allow", *TARGETS)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert sorted(jobs(proc)) == ["check_privacy_gate", "export_ags_vcf", "export_imputation_panel"]
    assert all((workdir / f).is_file() for f in RELEASES)
    released = workdir / "results/wide/ags/copying.hapt.gz"
    assert released.read_bytes() == (workdir / INTERNAL).read_bytes()
    made = read_provenance(released)
    assert made["step"] == "sample" and made["released_from"] == INTERNAL
    gate = made["privacy_gate"]
    assert (gate["verdict"], gate["failures"]) == ("overridden", FAILURES)
    assert gate["settings"]["allow_export"] is True
    assert gate["record"] == "results/wide/privacy/copying.gate.json"
    assert vcf_gate(workdir / "results/wide/ags/copying.vcf.gz") == gate
    assert vcf_gate(workdir / "results/wide/imputation/panel_copying.vcf.gz") == gate


def test_a_failed_verdict_removes_an_earlier_release(workdir):
    assert snakemake(workdir, "allow", *TARGETS).returncode == 0
    proc = snakemake(workdir, "strict", *TARGETS)
    left = [f for f in RELEASES if (workdir / f).exists()]
    assert left == []
    assert proc.returncode == 1
    assert MESSAGE in (proc.stdout + proc.stderr).splitlines()
    assert not (workdir / "results/wide/ags/copying.hapt.gz.provenance.json").exists()
    log = (workdir / "results/logs/check_privacy_gate/wide/copying.log").read_text()
    assert "removed results/wide/imputation/panel_copying.hap.gz, released by an earlier run" in log


def test_passed_gate_is_recorded_in_the_release(workdir):
    proc = snakemake(workdir, "strict", "results/wide/ags/bernoulli.vcf.gz")
    assert proc.returncode == 0, proc.stderr[-4000:]
    gate = read_provenance(workdir / "results/wide/ags/bernoulli.hapt.gz")["privacy_gate"]
    assert (gate["verdict"], gate["failures"]) == ("passed", [])
    assert gate["settings"] == {
        "allow_export": False,
        "max_exact_copies": 0,
        "max_membership_auc": 0.6,
        "max_privacy_loss": 0.1,
        "z": 2.0,
    }
    assert gate["metrics"]["exact_copies"] == 0
    assert vcf_gate(workdir / "results/wide/ags/bernoulli.vcf.gz") == gate


def test_all_withholds_a_failed_release_and_goes_on(workdir):
    gates = [f"results/wide/privacy/{m}.gate.json" for m in ("bernoulli", "copying")]
    proc = snakemake(workdir, "strict", *gates)
    assert proc.returncode == 0, proc.stderr[-4000:]  # judging does not stop the run
    dry = run_snakemake(
        workdir, "--configfile", str(workdir / "strict.yaml"), "--cores", "1", "-n", "all"
    )
    out = dry.stdout + dry.stderr
    assert jobs(dry).count("export_ags_vcf") == 1
    assert "results/wide/ags/bernoulli.vcf.gz" in out
    assert "results/wide/ags/copying" not in out and "export_imputation_panel" not in out
    assert "results/wide/privacy/copying.gate.json" in out  # what `all` asks for instead
    assert files_of_copying(workdir) == EVALUATIONS_OWN
