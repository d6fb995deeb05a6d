#!/usr/bin/env bash
# Set up genosynth on a fresh Debian/Ubuntu machine with Python >= 3.11:
#   - a virtual environment in .venv with every Python dependency (pip install -e .[dev]),
#   - the Debian tools the workflow and tests call (bcftools, tabix; beagle for imputation),
#     installed with apt-get when run as root or with passwordless sudo; otherwise each
#     missing tool is named together with its conda alternative.
# Usage: bash tools/setup.sh            (idempotent; rerun after pulling)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
"$PYTHON" - <<'PY' || { echo "genosynth needs Python >= 3.11 (set PYTHON=/path/to/python3.11)" >&2; exit 1; }
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY

if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"

# Debian tools: command name -> Debian package -> conda package.
tools=("bcftools:bcftools:bioconda::bcftools" "tabix:tabix:bioconda::htslib" "bgzip:tabix:bioconda::htslib" "beagle:beagle:bioconda::beagle")
# A local SLURM for tests/cluster (tools/slurm_local.sh); there is no conda package for it.
tools+=("slurmctld:slurm-wlm:" "slurmd:slurm-wlm:" "munged:munge:")
missing_pkgs=()
for entry in "${tools[@]}"; do
    IFS=: read -r cmd pkg _ <<<"$entry"
    command -v "$cmd" >/dev/null 2>&1 || missing_pkgs+=("$pkg")
done
if [ ${#missing_pkgs[@]} -gt 0 ]; then
    mapfile -t missing_pkgs < <(printf '%s\n' "${missing_pkgs[@]}" | sort -u)
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo"; else SUDO="none"; fi
    if [ "$SUDO" != "none" ]; then
        export DEBIAN_FRONTEND=noninteractive
        # A fresh cloud machine often runs its own apt updates at boot: wait for the dpkg and
        # apt lists locks (at most APT_LOCK_TIMEOUT seconds, default 5 minutes), then fail.
        apt=($SUDO apt-get -o "DPkg::Lock::Timeout=${APT_LOCK_TIMEOUT:-300}")
        "${apt[@]}" update -qq
        "${apt[@]}" install -y -qq "${missing_pkgs[@]}" >/dev/null
    else
        echo "Not root and no sudo: install these yourself, then rerun:" >&2
        for entry in "${tools[@]}"; do
            IFS=: read -r cmd pkg conda <<<"$entry"
            command -v "$cmd" >/dev/null 2>&1 || echo "  $cmd: apt-get install $pkg${conda:+   (or: conda install -c ${conda%%::*} ${conda##*::})}" >&2
        done
    fi
fi
echo "genosynth set up: $(.venv/bin/python -c 'import genosynth; print(genosynth.__version__)') in .venv"
