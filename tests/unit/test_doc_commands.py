"""Every `snakemake` command documented in README.md, docs/*.md and config/README.md passes a
dry run, so a documented command that fails fails the suite.

Commands come from fenced shell code blocks (backslash continuations joined, `# comments` and
`$ ` prompts dropped); from a line like `bash tools/setup.sh && .venv/bin/snakemake ...` the
snakemake part is taken. Each distinct command runs as `snakemake --snakefile <repo>/Snakefile
--directory <tmp> -n <its arguments>` with the repository root as the current directory, so
relative `--configfile` and `--profile` paths resolve as they do for a user. The temporary
working directory links `config/` (the Snakefile's default config) and `../shared/data` (the
real-data configs' relative paths) to the checkout's. SLURM profiles dry-run offline with the
executor plugin of `.[cluster]`; without conda on PATH, `--sdm conda` and
`--conda-create-envs-only` are dropped (the rest of the command is still checked). Commands
whose config reads files of the shared real data skip where that data is absent.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO, SHARED_DATA

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")), REPO / "config/README.md"]
SHELL_LANGUAGES = {"", "bash", "sh", "shell", "console", "zsh"}
CONTROL_OPERATORS = {"&&", "||", ";", "|", "&"}
SHARED_PREFIX = "../shared/data/"


def shell_blocks(text: str) -> list[list[str]]:
    """Lines of every fenced code block in a shell language (or none)."""
    blocks, current = [], None
    for line in text.splitlines():
        fence = re.match(r"^\s*```+\s*([\w+-]*)", line)
        if fence and current is None:
            current = [] if fence.group(1).lower() in SHELL_LANGUAGES else False
        elif fence:
            if current:
                blocks.append(current)
            current = None
        elif current is not False and current is not None:
            current.append(line)
    return blocks


def shell_commands(lines: list[str]) -> list[str]:
    """Commands of a block: continuations joined, prompts and blank lines dropped."""
    commands, pending = [], ""
    for line in lines:
        line = re.sub(r"^\s*\$\s+", "", line) if not pending else line
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        command = (pending + line).strip()
        pending = ""
        if command and not command.startswith("#"):
            commands.append(command)
    return commands


def snakemake_argv(command: str) -> list[str] | None:
    """The arguments of the snakemake call in a shell command line, or None if it runs none."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    segment: list[str] = []
    for token in [*lexer, ";"]:
        if token not in CONTROL_OPERATORS:
            segment.append(token)
            continue
        if segment and Path(segment[0]).name == "snakemake":
            return segment[1:]
        segment = []
    return None


def documented_commands() -> dict[tuple[str, ...], list[str]]:
    """Distinct snakemake argument lists -> the files documenting them."""
    found: dict[tuple[str, ...], list[str]] = {}
    for doc in DOCS:
        for block in shell_blocks(doc.read_text(encoding="utf-8")):
            for command in shell_commands(block):
                argv = snakemake_argv(command)
                if argv is not None:
                    found.setdefault(tuple(argv), []).append(str(doc.relative_to(REPO)))
    return found


def config_files(argv: list[str]) -> list[str]:
    """The values of --configfile (it takes every argument up to the next option)."""
    files, taking = [], False
    for arg in argv:
        if arg in ("--configfile", "--configfiles"):
            taking = True
        elif arg.startswith("-"):
            taking = False
        elif taking:
            files.append(arg)
    return files


def missing_shared_data(argv: list[str]) -> list[str]:
    """Shared real-data files the command's configs name that are absent here."""
    missing = []
    for name in config_files(argv):
        path = REPO / name
        if not path.is_file():
            continue  # the dry run itself fails on it
        stack = [yaml.safe_load(path.read_text())]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, str) and item.startswith(SHARED_PREFIX):
                if not (SHARED_DATA / item[len(SHARED_PREFIX) :]).exists():
                    missing.append(item)
    return missing


def offline_argv(argv: list[str]) -> list[str]:
    """argv without the conda flags when no conda is on PATH."""
    if shutil.which("conda") or shutil.which("mamba"):
        return argv
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ("--sdm", "--software-deployment-method") and "conda" in argv:
            skip = True  # its value follows
        elif arg != "--conda-create-envs-only":
            out.append(arg)
    return out


def dry_run(argv: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    """`snakemake -n` of argv with the repo's Snakefile in a fresh working directory."""
    workdir = tmp_path / "work"
    workdir.mkdir()
    (workdir / "config").symlink_to(REPO / "config", target_is_directory=True)
    if SHARED_DATA.is_dir():
        (tmp_path / "shared").mkdir()
        (tmp_path / "shared" / "data").symlink_to(SHARED_DATA, target_is_directory=True)
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile")]
    cmd += ["--directory", str(workdir), "-n", *argv]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env=env, timeout=300)


COMMANDS = documented_commands()


def test_commands_are_found():
    """The quickstart, a real-data, a cluster and a conda command at least."""
    joined = [" ".join(argv) for argv in COMMANDS]
    assert "--cores 2 all" in joined
    assert any("config/real_805.yaml" in c for c in joined)
    assert any(c.startswith("--workflow-profile profiles/slurm") for c in joined)
    assert any("--sdm conda" in c for c in joined)


@pytest.mark.parametrize("argv", sorted(COMMANDS), ids=lambda a: " ".join(a)[:70])
def test_documented_command_dry_runs(argv, tmp_path):
    argv = list(argv)
    missing = missing_shared_data(argv)
    if missing:
        pytest.skip(
            f"needs the shared real data ({missing[0]} not under {SHARED_DATA}); set "
            "GENOSYNTH_SHARED_DATA to the shared/data folder"
        )
    proc = dry_run(offline_argv(argv), tmp_path)
    assert proc.returncode == 0, (
        f"documented in {COMMANDS[tuple(argv)]}: snakemake {shlex.join(argv)} failed a dry run "
        f"({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    )
    output = proc.stdout + proc.stderr
    assert "Job stats:" in output or "Nothing to be done" in output


def test_harness_catches_configfile_before_target(tmp_path):
    """Snakemake 9's --configfile takes several values: `all` after it is read as a config file
    and the command fails. The harness must report that form as broken."""
    argv = snakemake_argv("snakemake --cores 2 --configfile config/real_805.yaml all")
    assert argv == ["--cores", "2", "--configfile", "config/real_805.yaml", "all"]
    assert config_files(argv) == ["config/real_805.yaml", "all"]
    proc = dry_run(argv, tmp_path)
    assert proc.returncode != 0
    assert "No such file or directory: 'all'" in proc.stdout + proc.stderr


def test_extraction_of_continuations_prefixes_and_comments():
    text = """
```bash
# set up and run
$ bash tools/setup.sh && .venv/bin/snakemake --cores 2 all   # comment
.venv/bin/snakemake --workflow-profile profiles/slurm \\
    all --configfile config/paper.yaml
.venv/bin/python bench/run.py gan
```

```python
snakemake = "not a shell command"
```

```yaml
run: snakemake --cores 1 all
```
"""
    commands = [c for block in shell_blocks(text) for c in shell_commands(block)]
    argvs = [snakemake_argv(c) for c in commands]
    assert argvs == [
        ["--cores", "2", "all"],
        ["--workflow-profile", "profiles/slurm", "all", "--configfile", "config/paper.yaml"],
        None,
    ]


def test_readme_test_command_is_what_ci_runs():
    """`.ci/run` runs exactly the README's quickstart test command."""
    ci = (REPO / ".ci/run").read_text().strip().splitlines()[-1]
    readme = [
        c for block in shell_blocks((REPO / "README.md").read_text()) for c in shell_commands(block)
    ]
    assert ci == "bash tools/setup.sh && .venv/bin/pytest"
    assert ci in readme
