"""The execution profiles parse, hold only site values, and the GPU variant is the base + GPUs."""

from __future__ import annotations

import re

import yaml
from conftest import REPO, run_snakemake

PROFILES = REPO / "profiles"


def load(name: str) -> dict:
    return yaml.safe_load((PROFILES / name / "config.yaml").read_text())


def rule_names() -> set[str]:
    text = "".join(p.read_text() for p in (REPO / "workflow/rules").glob("*.smk"))
    return set(re.findall(r"^rule (\w+):", text, flags=re.M))


def test_slurm_profile_site_values():
    profile = load("slurm")
    assert profile["executor"] == "slurm"
    assert profile["slurm-status-command"] == "squeue"  # clusters without accounting
    assert profile["retries"] >= 1 and profile["latency-wait"] >= 30 and profile["jobs"] >= 1
    assert {"slurm_partition", "slurm_account"} <= set(profile["default-resources"])
    assert "set-resources" not in profile  # per-rule resources live in the rules
    assert "slurm-status-command squeue" in (PROFILES / "slurm/config.yaml").read_text()


GAN_ONLY = "'gpu:1' if wildcards.model == 'gan' else ''"  # train_network: the RBM needs no GPU


def test_gpu_profile_is_the_base_plus_gpu_requests():
    base, gpu = load("slurm"), load("slurm-gpu")
    extra = gpu.pop("set-resources")
    assert gpu == base
    dna_rules = {"train_dna_wgan", "train_dna_predictor", "train_dna_oracle"}
    want = {"train_network": {"gres": GAN_ONLY}} | {r: {"gres": "gpu:1"} for r in dna_rules}
    assert extra == want
    assert set(extra) <= rule_names()  # a renamed rule would silently lose its GPU


def test_dry_run_through_the_slurm_profile(tmp_path):
    proc = run_snakemake(
        tmp_path,
        "--profile",
        str(PROFILES / "slurm-gpu"),
        "--configfile",
        str(REPO / "config/smoke.yaml"),
        "-n",
        "results/wide/models/gan/checkpoint.npz",
        "results/wide/models/rbm/checkpoint.npz",
    )
    jobs = re.findall(r"rule train_network:\n(.*?)\n\n", proc.stdout, re.S)
    resources = {
        re.search(r"model=(\w+)", job).group(1): re.search(r"resources: ([^\n]+)", job).group(1)
        for job in jobs
    }
    assert set(resources) == {"gan", "rbm"}, proc.stdout
    assert "gres=gpu:1" in resources["gan"] and "mem_mb=8000" in resources["gan"], resources
    assert "gres=gpu" not in resources["rbm"] and "mem_mb=8000" in resources["rbm"], resources
