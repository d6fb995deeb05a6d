"""tools/slurm_local.sh's stale-link check, without root or daemons.

``start`` replaces ``/etc/slurm/slurm.conf`` only when ``stale_link`` says an earlier, killed
run left it; a real cluster's configuration must never count as stale. The function is read
out of the script and run on links in a scratch folder.
"""

import os
import re
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "slurm_local.sh"
HEADER = "# Written by tools/slurm_local.sh: one node, no accounting, no cgroups.\n"


def stale(etc_conf: Path) -> bool:
    """``stale_link`` of the script with ``etc_conf`` as the linked path, run from ``/``."""
    body = re.search(r"^stale_link\(\) \{\n.*?^\}\n", SCRIPT.read_text(), re.S | re.M)
    assert body, "stale_link() not found in tools/slurm_local.sh"
    code = f'etc_conf="{etc_conf}"\n{body.group(0)}stale_link'
    return subprocess.run(["bash", "-c", code], cwd="/").returncode == 0


@pytest.fixture
def etc(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "slurm.conf").write_text(HEADER)
    return tmp_path / "etc" / "slurm.conf"


def test_a_real_configuration_is_never_stale(etc):
    etc.write_text("ClusterName=site\n")
    assert not stale(etc)
    etc.unlink()
    (etc.parent / "site.conf").write_text("ClusterName=site\n")
    etc.symlink_to("site.conf")  # relative: resolved next to the link, not in the cwd
    assert not stale(etc)
    assert not stale(etc.parent / "absent.conf")  # no file at all: nothing to replace


def test_a_dangling_link_is_stale(etc, tmp_path):
    etc.symlink_to(tmp_path / "gone" / "slurm.conf")
    assert stale(etc)


def test_a_local_config_is_stale_only_when_its_slurmctld_is_gone(etc, tmp_path):
    pid = tmp_path / "state" / "slurmctld.pid"
    etc.symlink_to(os.path.relpath(tmp_path / "state" / "slurm.conf", etc.parent))
    assert stale(etc)  # no pid file
    pid.write_text(f"{os.getpid()}\n")
    assert not stale(etc)  # a running local SLURM (this process stands in for its slurmctld)
    proc = subprocess.Popen(["true"])
    proc.wait()
    pid.write_text(f"{proc.pid}\n")
    assert stale(etc)
