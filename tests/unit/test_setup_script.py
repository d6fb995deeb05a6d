"""Static checks of tools/setup.sh (the apt lock cannot be held safely in a test)."""

from __future__ import annotations

import re
import subprocess

from conftest import REPO

SETUP = REPO / "tools/setup.sh"


def test_setup_script_parses():
    assert subprocess.run(["bash", "-n", str(SETUP)], capture_output=True).returncode == 0


def test_apt_waits_for_the_lock_at_most_five_minutes():
    text = SETUP.read_text()
    calls = [line.strip() for line in text.splitlines() if re.search(r"\bapt-get\b", line)]
    runs = [c for c in calls if not c.startswith("#") and "echo" not in c]
    assert runs == [
        'apt=($SUDO apt-get -o "DPkg::Lock::Timeout=${APT_LOCK_TIMEOUT:-300}")',
    ]
    assert '"${apt[@]}" update -qq' in text
    assert '"${apt[@]}" install -y -qq "${missing_pkgs[@]}" >/dev/null' in text
