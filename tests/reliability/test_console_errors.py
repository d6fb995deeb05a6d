"""Issue 37, point 6: errors reach the console without Python tracebacks.

A :class:`~genosynth.errors.GenosynthError` in a job is printed as its one message
(``genosynth: <message>``) and the rule log keeps the traceback; an :class:`OSError` writing
an output (read-only directory, disk full, file-size limit) names the output and the cause.

What Snakemake itself prints for a failed script job stays: its ``RuleException`` /
``CalledProcessError`` lines naming the rule file and the script command, and the
``Error in rule`` block naming the log.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run_snakemake

from genosynth import ingest

pytestmark = pytest.mark.workflow

DATA = REPO / "tests/data/ingest"
TRACEBACK = "Traceback (most recent call last)"
UNWRITABLE = Path("/sys/kernel")  # sysfs: no one, root included, can create a file there


def run_ingestion(workdir: Path, source: dict):
    """Ingest one source (`results/sources/src/haplotypes.npz`) with `--cores 1`."""
    config = {
        "sources": {"src": source},
        "datasets": {"wide": {"source": "src", "select": "region", "n_snps": 3}},
        "models": {"bernoulli": {}},
        "dna": {"enabled": False},
    }
    (workdir / "config.yaml").write_text(yaml.safe_dump(config))
    args = ["--configfile", str(workdir / "config.yaml"), "--cores", "1"]
    return run_snakemake(workdir, *args, "results/sources/src/haplotypes.npz", check=False)


def console_lines(proc) -> list[str]:
    return (proc.stdout + proc.stderr).splitlines()


def test_genosynth_error_is_one_line_on_the_console_and_a_traceback_in_the_log(tmp_path):
    vcf = tmp_path / "bad_header.vcf"  # the #CHROM line lacks FORMAT and the samples
    vcf.write_text("##fileformat=VCFv4.2\n##contig=<ID=1>\n#CHROM\tPOS\tID\tREF\tALT\n")
    vcf.write_text(vcf.read_text() + "1\t100\t.\tA\tC\n")
    with pytest.raises(ingest.InputError) as raised:  # the library's own message
        ingest.read_vcf(vcf, DATA / "panel.panel")
    assert str(raised.value).startswith(f"{vcf}: cannot read the VCF header")

    proc = run_ingestion(
        tmp_path, {"format": "vcf", "vcf": str(vcf), "panel": str(DATA / "panel.panel")}
    )

    lines = console_lines(proc)
    assert proc.returncode == 1
    assert [x for x in lines if x.startswith("genosynth:")] == [f"genosynth: {raised.value}"]
    assert TRACEBACK not in proc.stdout + proc.stderr
    log = (tmp_path / "results/logs/ingest_haplotypes/src.log").read_text()
    assert TRACEBACK in log
    assert f"genosynth.errors.InputError: {raised.value}" in log
    assert not (tmp_path / "results/sources/src").exists()  # no output left


def test_unwritable_output_directory_names_the_output_and_the_cause(tmp_path):
    try:
        tempfile.mkstemp(dir=UNWRITABLE)
        pytest.skip(f"{UNWRITABLE} is writable here")
    except PermissionError:
        pass
    (tmp_path / "results/sources").mkdir(parents=True)
    (tmp_path / "results/sources/src").symlink_to(UNWRITABLE)  # chmod 0555 does not stop root
    source = {"format": "hapt", "hapt": str(DATA / "tiny.hapt")}
    proc = run_ingestion(tmp_path, source | {"legend": str(DATA / "tiny.legend")})

    lines = console_lines(proc)
    assert proc.returncode == 1
    assert [x for x in lines if x.startswith("genosynth:")] == [
        "genosynth: cannot write results/sources/src/haplotypes.npz: Permission denied (EACCES). "
        "Fix: make results/sources/src writable, or run the workflow where you can write "
        "(snakemake --directory)"
    ]
    assert TRACEBACK not in proc.stdout + proc.stderr
    log = (tmp_path / "results/logs/ingest_haplotypes/src.log").read_text()
    assert TRACEBACK in log and "PermissionError: [Errno 13] Permission denied: " in log


# A script that writes one output through genosynth.logs.script_logging, as the workflow's
# scripts do, under a file-size limit: the write fails as on a full disk, without a path.
FULL_DISK = """
import resource, sys
import numpy as np, pandas as pd
from genosynth import formats
from genosynth.data import HaplotypeSet, save_haplotype_set
from genosynth.logs import script_logging

log, kind, out = sys.argv[1:]
rng = np.random.default_rng(0)
haps = rng.integers(0, 2, (200, 3000), dtype=np.int8)
sites = pd.DataFrame({"chrom": "1", "position": np.arange(1, 3001) * 10,
                      "id": [f"s{i}" for i in range(3000)], "a0": "A", "a1": "C"})
ids = [f"S{i // 2}_{'AB'[i % 2]}" for i in range(200)]
resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))  # the outputs are larger
with script_logging(log):
    if kind == "vcf":  # as export_ags_vcf
        formats.write_vcf(out, haps, sites, [f"S{i}" for i in range(100)])
    else:  # as ingest_haplotypes
        samples = pd.DataFrame({"hap_id": ids, "sample": [i[:-2] for i in ids], "pop": "P"})
        save_haplotype_set(out, HaplotypeSet(haps, sites, samples.assign(super_pop="P")))
"""


@pytest.mark.parametrize(
    ("kind", "name", "message"),
    [
        (
            "vcf",
            "ags.vcf.gz",
            r"cannot write {d}/ags\.vcf\.gz, {d}/ags\.vcf\.gz\.tbi: BGZFile write failed\. "
            r"Fix: check the space left on the file system of {d} \([0-9.]+ MB free\)",
        ),
        (
            "npz",
            "haplotypes.npz",
            r"cannot write {d}/haplotypes\.npz: File too large \(EFBIG\)\. Fix: lift the "
            r"file-size limit \(ulimit -f\), or write the results elsewhere",
        ),
    ],
)
def test_full_disk_names_the_output_not_a_temporary_file(tmp_path, kind, name, message):
    out = tmp_path / "out"
    out.mkdir()
    log = tmp_path / "job.log"
    env = os.environ | {"PYTHONPATH": str(REPO / "src")}
    proc = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(log), kind, str(out / name)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 1
    ours = [x for x in proc.stderr.splitlines() if x.startswith("genosynth:")]
    assert len(ours) == 1
    assert re.fullmatch("genosynth: " + message.format(d=re.escape(str(out))), ours[0])
    assert TRACEBACK not in proc.stderr
    assert TRACEBACK in log.read_text()
    assert list(out.iterdir()) == []  # no temporary file left
