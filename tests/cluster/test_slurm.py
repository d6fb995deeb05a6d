"""The SLURM profile on a real (single-node, localhost) SLURM started by tools/slurm_local.sh.

Runs a subset of config/smoke.yaml through `--workflow-profile profiles/slurm` (executor `slurm`,
status via `squeue`): the `wide` dataset with the two baselines, targets `figures/pca.png` and the
Markov AGs' VCF (simulate, ingest, subset, 2 x train, 2 x sample, privacy, gate, export, PCA: 11
jobs), and in the same run the Markov AGs of the windowed `chrom` dataset (3 windows, 12 jobs);
about 3 minutes on 2 cores; the full smoke run is tested in tests/workflow. Checks the outputs,
that every job went through sbatch with its resources, that each window trains in its own job,
and that a job failing once is retried and reported (tests/cluster/retry_workflow, a test-only
Snakefile).

A fake GPU (SLURM_LOCAL_GPUS of tools/slurm_local.sh) shows that profiles/slurm-gpu asks SLURM
for a GPU for GAN training jobs only (tests/cluster/gpu_workflow).

Needs root and Debian's slurm-wlm + munge (`bash tools/setup.sh` installs them as root); skips
with the reason otherwise.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys

import matplotlib.image
import numpy as np
import pysam
import pytest
import yaml
from conftest import REPO

pytestmark = pytest.mark.slurm

SBIN = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
DAEMONS = ("munged", "slurmctld", "slurmd")
SUBMITTED = re.compile(r"Job (\d+) has been submitted with SLURM jobid (\d+) \(log: ([^)]+)\)")
TARGETS = ["results/wide/figures/pca.png", "results/wide/ags/markov.vcf.gz"]
WINDOWED = "results/chrom/models/markov/ags.hapt.gz"  # `chrom` trained in 3 windows
# rule (its slurm log folder) -> (mem_mb, runtime in minutes, threads): the profile's defaults, or
# the rule's own where it asks for more (plot_figure)
RESOURCES = {
    "simulate_genotypes": (4000, 30, 1),
    "subset_dataset": (8000, 30, 1),
    "train_baseline": (4000, 30, 1),
    "sample_ags": (4000, 30, 1),
    "plot_figure": (8000, 60, 1),
}


@pytest.fixture(scope="module")
def slurm(tmp_path_factory):
    """A running single-node SLURM; the environment to reach it. Stopped afterwards."""
    if os.geteuid() != 0:
        pytest.skip("a local SLURM needs root (slurmd runs jobs as their submitter)")
    missing = [c for c in (*DAEMONS, "sbatch", "scontrol") if not shutil.which(c, path=SBIN)]
    if missing:
        pytest.skip(f"{missing} not installed: apt-get install slurm-wlm munge (tools/setup.sh)")
    if os.path.exists("/etc/slurm/slurm.conf") and not os.path.islink("/etc/slurm/slurm.conf"):
        pytest.skip("/etc/slurm/slurm.conf exists: a real SLURM is configured here")
    state = tmp_path_factory.mktemp("slurm")
    env = os.environ | {"PATH": SBIN, "SLURM_CONF": str(state / "slurm.conf")}
    env["SLURM_LOCAL_GPUS"] = "1"  # a fake GPU (gres gpu, /dev/null) for profiles/slurm-gpu
    script = ["bash", str(REPO / "tools/slurm_local.sh")]
    proc = subprocess.run([*script, "start", str(state)], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pids = {d: int((state / f"{d}.pid").read_text()) for d in DAEMONS}
    yield env
    subprocess.run([*script, "stop", str(state)], check=True, env=env)
    alive = [d for d, pid in pids.items() if _alive(pid)]
    assert not alive, f"still running after stop: {alive}"
    assert not os.path.islink("/etc/slurm/slurm.conf")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def run_profile(workdir, env, snakefile, *args, profile="slurm") -> str:
    """Run snakemake through profiles/<profile> in ``workdir``; its output (asserted to succeed).

    The SLURM profiles are workflow profiles: they replace profiles/default (whose
    default-resources would otherwise replace theirs, site values included)."""
    cmd = [sys.executable, "-m", "snakemake", *args, "--snakefile", str(snakefile)]
    cmd += ["--workflow-profile", str(REPO / "profiles" / profile), "--directory", str(workdir)]
    # poll every 2 s, not 10: a test's jobs take seconds (the profile's site values stand)
    cmd += [
        "--slurm-init-seconds-before-status-checks",
        "2",
        "--seconds-between-status-checks",
        "2",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=workdir)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-6000:]
    return out


def job_record(env, jobid: str) -> dict:
    """``scontrol show job`` of a job as a dict (finished jobs stay for MinJobAge)."""
    proc = subprocess.run(
        ["scontrol", "-o", "show", "job", jobid], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0, proc.stderr
    return dict(field.split("=", 1) for field in proc.stdout.split() if "=" in field)


@pytest.fixture(scope="module")
def smoke_slurm(slurm, tmp_path_factory):
    """The smoke subset run through profiles/slurm: (workdir, snakemake output, config).

    `wide` with the two baselines (TARGETS), and `chrom` with the Markov model in 3 windows
    (WINDOWED): one run, so the windows' jobs queue beside the others."""
    workdir = tmp_path_factory.mktemp("smoke_slurm")
    config = yaml.safe_load((REPO / "config/smoke.yaml").read_text())
    config["datasets"] = {ds: config["datasets"][ds] for ds in ("wide", "chrom")}
    config["models"] = {m: config["models"][m] for m in ("bernoulli", "markov")}
    config["privacy"] = {"allow_export": True}  # markov's AGs may fail the gate on 60 SNPs
    (workdir / "smoke_subset.yaml").write_text(yaml.safe_dump(config))
    out = run_profile(
        workdir, slurm, REPO / "Snakefile", *TARGETS, WINDOWED, "--configfile", "smoke_subset.yaml"
    )
    return workdir, out, config


def submitted_jobs(out: str) -> dict[str, list[str]]:
    """Rule -> the SLURM job ids Snakemake reported submitting for it."""
    jobs = {}
    for _, jobid, log in SUBMITTED.findall(out):
        jobs.setdefault(re.search(r"slurm_logs/rule_(\w+)/", log).group(1), []).append(jobid)
    return jobs


def test_smoke_outputs_have_the_right_content(smoke_slurm):
    workdir, _, config = smoke_slurm
    n_snps = config["datasets"]["wide"]["n_snps"]
    image = matplotlib.image.imread(workdir / TARGETS[0])
    assert image.shape[0] > 200 and image[..., :3].std() > 0.05
    with gzip.open(workdir / "results/wide/ags/markov.hapt.gz", "rt") as fh:
        rows = [line.split() for line in fh if not line.startswith("#")]
    ags = np.array([r[2:] for r in rows], dtype=np.int8)
    assert ags.shape[1] == n_snps and set(np.unique(ags)) <= {0, 1}
    with pysam.VariantFile(str(workdir / TARGETS[1])) as vcf:
        records = list(vcf)
        assert len(vcf.header.samples) == ags.shape[0] // 2
    assert len(records) == n_snps
    first = np.array([s["GT"] for s in records[0].samples.values()])
    np.testing.assert_array_equal(first[:, 0], ags[0::2, 0])


def test_every_job_went_through_sbatch(smoke_slurm, slurm):
    _, out, _ = smoke_slurm
    done = re.search(r"(\d+) of (\d+) steps \(100%\) done", out)
    # wide: 11 jobs; chrom: subset, plan, 3 x (split, train, sample), join (simulate shared)
    assert done and len(SUBMITTED.findall(out)) == int(done.group(2)) == 23, out[-3000:]
    for rule, jobids in submitted_jobs(out).items():
        for jobid in jobids:
            record = job_record(slurm, jobid)
            assert record["JobState"] == "COMPLETED", (rule, record)
            assert record["BatchFlag"] == "1"  # a batch job: sbatch, not srun/salloc
            if rule in RESOURCES:  # per-job resources come from the rule
                mem_mb, runtime, threads = RESOURCES[rule]
                assert record["MinMemoryNode"] == f"{mem_mb}M", (rule, record["MinMemoryNode"])
                limit = f"{runtime // 60:02d}:{runtime % 60:02d}:00"
                assert record["TimeLimit"] == limit, (rule, record["TimeLimit"])
                assert record["NumCPUs"] == str(threads), (rule, record["NumCPUs"])
    assert set(RESOURCES) | {"ingest_haplotypes", "export_ags_vcf"} <= set(submitted_jobs(out))


def test_windows_train_as_separate_sbatch_jobs(smoke_slurm):
    """Each window of `chrom` trains and samples in its own SLURM job; one job joins the AGs."""
    workdir, out, config = smoke_slurm
    jobs = submitted_jobs(out)
    assert len(jobs["train_window"]) == len(jobs["sample_window"]) == 3, out[-3000:]
    assert len(set(jobs["train_window"])) == 3 and len(jobs["join_windows"]) == 1
    with gzip.open(workdir / WINDOWED, "rt") as fh:
        widths = {len(line.split()) - 2 for line in fh}
    assert widths == {config["datasets"]["chrom"]["n_snps"]}


def test_failed_job_is_retried_and_reported(slurm, tmp_path):
    out = run_profile(tmp_path, slurm, REPO / "tests/cluster/retry_workflow/Snakefile")
    submitted = [jobid for _, jobid, _ in SUBMITTED.findall(out)]
    assert len(submitted) == 2, out[-3000:]  # the first attempt and one retry (`retries: 1`)
    first, second = submitted
    assert f"SLURM-job '{first}' failed, SLURM status is: 'FAILED'" in out
    assert "Trying to restart job" in out
    assert job_record(slurm, first)["JobState"] == "FAILED"
    assert job_record(slurm, second)["JobState"] == "COMPLETED"
    attempts = (tmp_path / "attempts.txt").read_text().split("\n")
    assert attempts[:2] == [f"SLURM job {first}", f"SLURM job {second}"]
    assert (tmp_path / "done.txt").read_text() == f"SLURM job {second}\n"


def test_gpu_profile_gives_gan_training_jobs_a_gpu(slurm, tmp_path):
    snakefile = REPO / "tests/cluster/gpu_workflow/Snakefile"
    out = run_profile(tmp_path, slurm, snakefile, profile="slurm-gpu")
    jobs = {}  # model (train_network) or rule -> SLURM job id
    for _, jobid, log in SUBMITTED.findall(out):
        rule, model = re.search(r"rule_(\w+)/(?:(\w+)/)?[^/]+\.log$", log).groups()
        jobs[model or rule] = jobid
    assert set(jobs) == {"gan", "rbm", "plot_figure"}, out[-3000:]
    assert job_record(slurm, jobs["gan"]).get("TresPerNode") == "gres:gpu:1"
    for name in ("rbm", "plot_figure"):  # the RBM is NumPy code: a GPU would stay idle
        assert "gpu" not in job_record(slurm, jobs[name]).get("TresPerNode", ""), name
    assert (tmp_path / "train_gan.txt").read_text() == "gpus=0\n"  # SLURM assigned GPU 0
    assert (tmp_path / "train_rbm.txt").read_text() == "gpus=none\n"
    assert (tmp_path / "plot_pca.txt").read_text() == "gpus=none\n"
