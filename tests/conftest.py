"""Shared fixtures: repository paths, the real-data folder, and workflow runners."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("GENOSYNTH_SHARED_DATA", REPO.parent / "shared" / "data"))


def run_snakemake(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the repo's Snakefile in ``workdir`` with ``args``; return the finished process."""
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile")]
    cmd += ["--directory", str(workdir), *args]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"snakemake {' '.join(args)} failed ({proc.returncode}):\n"
            f"{proc.stdout[-4000:]}\n{proc.stderr[-8000:]}"
        )
    return proc


def write_toy_dataset(path: Path, n: int, *, split: str | None = None) -> Path:
    """``train.hapt.gz`` + ``panel.tsv`` in ``path``: ``n`` haplotypes of 30 sites drawn from
    two types with 5 % noise, two per individual, the first half population P1 (``split``:
    the panel's ``split`` column, when given)."""
    import numpy as np
    import pandas as pd

    from genosynth import formats

    rng = np.random.default_rng(0)
    types = rng.integers(0, 2, (2, 30), dtype=np.int8)
    haps = types[rng.integers(0, 2, n)] ^ (rng.random((n, 30)) < 0.05).astype(np.int8)
    ids = [f"S{i // 2:03d}_{'AB'[i % 2]}" for i in range(n)]
    formats.write_hapt(path / "train.hapt.gz", haps, ids)
    pops = np.where(np.arange(n) < n // 2, "P1", "P2")
    panel = pd.DataFrame(
        {"hap_id": ids, "sample": [i[:-2] for i in ids], "pop": pops, "super_pop": pops}
    )
    if split is not None:
        panel = panel.assign(split=split)
    panel.to_csv(path / "panel.tsv", sep="\t", index=False)
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real data folder (../shared/data); tests using it skip where it is absent."""
    if not (SHARED_DATA / "popgen").is_dir():
        pytest.skip(
            f"real data not found at {SHARED_DATA}: set GENOSYNTH_SHARED_DATA to the shared/data "
            "folder to run the real-data tests"
        )
    return SHARED_DATA


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory) -> Path:
    """A finished `snakemake --cores 2 --configfile config/smoke.yaml all`; its workdir.

    ``GENOSYNTH_SMOKE_DIR`` names the workdir of such a run made beforehand (with the same
    code): it is brought up to date (nothing runs when it is) and tested instead of a new run.
    """
    reuse = os.environ.get("GENOSYNTH_SMOKE_DIR")
    workdir = Path(reuse) if reuse else tmp_path_factory.mktemp("smoke")
    # One thread per job: the smoke's networks and Beagle runs are tiny, and two such jobs then
    # run side by side instead of each holding both cores while it imports its libraries.
    one_thread = ["--set-threads"] + [
        f"{rule}=1"
        for rule in ("train_network", "train_window", "impute_genotypes", "scan_selection")
    ]
    run_snakemake(workdir, *one_thread, "--configfile", str(REPO / "config/smoke.yaml"),
                  "--cores", "2", "all")  # fmt: skip
    return workdir
