"""The execution profiles parse and fit together: profiles/default (the workflow profile every run
loads) holds the default job resources; the SLURM workflow profiles repeat them beside their site
values, and the GPU variant is the base + GPU requests."""

from __future__ import annotations

import re

import yaml
from conftest import REPO, run_snakemake

PROFILES = REPO / "profiles"
GAN_ONLY = "'gpu:1' if 'gan' in wildcards.model else ''"  # train_network: the RBM needs no GPU


def load(name: str) -> dict:
    return yaml.safe_load((PROFILES / name / "config.yaml").read_text())


def rule_names() -> set[str]:
    text = "".join(p.read_text() for p in (REPO / "workflow/rules").glob("*.smk"))
    return set(re.findall(r"^(?:rule|checkpoint) (\w+):", text, flags=re.M))


def job_resources(stdout: str, rule: str) -> dict[str, str]:
    """Wildcards ("" when none) -> resources line of every job of ``rule`` in a dry run."""
    found, job = {}, None
    for line in stdout.splitlines():
        header = re.match(r"^(?:local)?(?:rule|checkpoint) (\w+):", line)
        if header:
            job = {} if header.group(1) == rule else None
        elif job is not None and line.strip().startswith(("wildcards: ", "resources: ")):
            key, value = line.strip().split(": ", 1)
            job[key] = value
            if key == "resources":  # printed after the wildcards
                found[job.get("wildcards", "")] = value
    return found


def test_default_profile_holds_the_default_resources():
    profile = load("default")
    assert profile == {"default-resources": {"mem_mb": 4000, "runtime": 30}}
    # a profile's set-resources would be replaced as a whole by any --set-resources given on the
    # command line: rules that need more than the default say so themselves
    assert "set-resources" not in profile


def test_slurm_profile_site_values():
    profile = load("slurm")
    assert profile["executor"] == "slurm"
    assert profile["slurm-status-command"] == "squeue"  # clusters without accounting
    assert profile["retries"] >= 1 and profile["latency-wait"] >= 30 and profile["jobs"] >= 1
    assert {"slurm_partition", "slurm_account"} <= set(profile["default-resources"])
    # it replaces profiles/default (a workflow profile): the same default job resources
    assert load("default")["default-resources"].items() <= profile["default-resources"].items()
    assert "set-resources" not in profile  # per-rule resources live in the rules
    assert "slurm-status-command squeue" in (PROFILES / "slurm/config.yaml").read_text()


def test_gpu_profile_is_the_base_plus_gpu_requests():
    base, gpu = load("slurm"), load("slurm-gpu")
    extra = gpu.pop("set-resources")
    assert gpu == base
    dna_rules = {"train_dna_wgan", "train_dna_predictor", "train_dna_oracle"}
    want = {r: {"gres": GAN_ONLY} for r in ("train_network", "train_window")}
    want |= {r: {"gres": "gpu:1"} for r in dna_rules}
    assert extra == want
    assert set(extra) <= rule_names()  # a renamed rule would silently lose its GPU


TARGETS = [f"results/wide/models/{m}/checkpoint.npz" for m in ("gan", "rbm")]
TARGETS.append("results/wide/ags/bernoulli.hapt.gz")
SMOKE = str(REPO / "config/smoke.yaml")


def test_dry_run_through_the_slurm_gpu_profile(tmp_path):
    profile = str(PROFILES / "slurm-gpu")
    args = ("--workflow-profile", profile, "--configfile", SMOKE, "-n", *TARGETS)
    proc = run_snakemake(tmp_path, *args)
    train = job_resources(proc.stdout, "train_network")
    assert set(train) == {"ds=wide, model=gan", "ds=wide, model=rbm"}, proc.stdout
    gan, rbm = train["ds=wide, model=gan"], train["ds=wide, model=rbm"]
    assert "gres=gpu:1" in gan and "mem_mb=8000" in gan and "runtime=720" in gan, gan
    assert "gres=gpu" not in rbm and "mem_mb=8000" in rbm and "runtime=720" in rbm, rbm
    sample = job_resources(proc.stdout, "sample_ags")["ds=wide, model=bernoulli"]
    assert "mem_mb=4000" in sample and "runtime=30" in sample, sample  # the profile's defaults
    assert "slurm_account=" in sample  # this profile's default-resources, not profiles/default's


WINDOW_TARGETS = [f"results/chrom/models/{m}/ags.hapt.gz" for m in ("gan", "markov")]


def test_windowed_dataset_sends_one_training_job_per_window(tmp_path):
    """config/smoke.yaml's `chrom` (3 windows): each window and model is its own SLURM job."""
    profile = str(PROFILES / "slurm-gpu")
    args = ("--workflow-profile", profile, "--configfile", SMOKE, "-n", *WINDOW_TARGETS)
    proc = run_snakemake(tmp_path, *args)
    train = job_resources(proc.stdout, "train_window")
    want = {f"ds=chrom, window={k}, model={m}" for k in range(3) for m in ("gan", "markov")}
    assert set(train) == want, proc.stdout
    for k in range(3):
        gan, markov = (train[f"ds=chrom, window={k}, model={m}"] for m in ("gan", "markov"))
        assert "gres=gpu:1" in gan and "runtime=720" in gan and "slurm_account=" in gan, gan
        assert "gres=gpu" not in markov and "runtime=30" in markov, markov
    assert set(job_resources(proc.stdout, "join_windows")) == {
        f"ds=chrom, model={m}" for m in ("gan", "markov")
    }
    assert not job_resources(proc.stdout, "train_network")  # no model of the whole chromosome
    assert not job_resources(proc.stdout, "sample_ags")


def test_plain_run_gets_the_default_profile(tmp_path):
    proc = run_snakemake(tmp_path, "--configfile", SMOKE, "-n", *TARGETS)
    assert "workflow specific profile" in proc.stderr and "profiles/default" in proc.stderr
    sample = job_resources(proc.stdout, "sample_ags")["ds=wide, model=bernoulli"]
    assert "mem_mb=4000" in sample and "runtime=30" in sample, sample
    assert "slurm" not in sample
    gan = job_resources(proc.stdout, "train_network")["ds=wide, model=gan"]
    assert "mem_mb=8000" in gan and "runtime=720" in gan, gan  # the rule asks for more
