"""genosynth benchmarks: ``python bench/run.py [NAME ...]`` from the repo root.

Each benchmark prints its figures as ``metric<TAB>value`` lines (see the
Benchmarks table of the output contract). Ratios are measured side by side in
one run against the stated baseline; absolute times depend on the machine, so
compare them only between runs on the same one.

Benchmarks live in ``bench/bench_<topic>.py`` modules that register themselves
with ``from run import benchmark`` and ``@benchmark("name")``: a generator
taking the parsed arguments and yielding ``(metric, value)`` pairs.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCHMARKS: dict[str, Callable[[argparse.Namespace], Iterator[tuple[str, float]]]] = {}


def benchmark(name: str):
    """Register a benchmark generator yielding ``(metric, value)`` pairs."""

    def register(func):
        BENCHMARKS[name] = func
        return func

    return register


def _snakemake_all(configfile: Path | None, workdir: Path, cores: int) -> float:
    """Wall time of ``snakemake --cores N all`` in a fresh working directory.

    Snakemake's own output goes to ``<workdir>/snakemake.log``.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "snakemake", "all", "--snakefile", str(REPO / "Snakefile")]
    cmd += ["--directory", str(workdir), "--cores", str(cores)]
    if configfile is not None:  # last: --configfile takes every argument after it
        cmd += ["--configfile", str(configfile)]
    start = time.perf_counter()
    log_path = workdir / "snakemake.log"
    with open(log_path, "w") as log:
        proc = subprocess.run(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        tail = log_path.read_text(errors="replace")[-6000:]
        raise SystemExit(f"snakemake failed ({proc.returncode}) in {workdir}; log tail:\n{tail}")
    return time.perf_counter() - start


@benchmark("workflow")
def bench_workflow(args):
    """Wall time of the whole workflow on the smoke and on the default config."""
    with tempfile.TemporaryDirectory(prefix="genosynth-bench-") as tmp:
        yield "smoke_all_s", _snakemake_all(REPO / "config/smoke.yaml", Path(tmp) / "s", args.cores)
        if not args.smoke_only:
            shutil.copytree(REPO / "config", Path(tmp) / "d" / "config")
            yield "default_all_s", _snakemake_all(None, Path(tmp) / "d", args.cores)


def _load_plugins() -> None:
    """Import ``bench/bench_*.py``: each registers its benchmarks with :func:`benchmark`."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.modules.setdefault("run", sys.modules[__name__])  # one registry when run as a script
    for path in sorted(Path(__file__).resolve().parent.glob("bench_*.py")):
        importlib.import_module(path.stem)


def main(argv=None) -> int:
    _load_plugins()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "names", nargs="*", help=f"benchmarks to run (default all): {sorted(BENCHMARKS)}"
    )
    parser.add_argument("--cores", type=int, default=2, help="cores given to snakemake (default 2)")
    parser.add_argument("--smoke-only", action="store_true", help="workflow: skip the default run")
    parser.add_argument("--quick", action="store_true", help="scale: two small sizes (seconds)")
    parser.add_argument("--tsv", help="scale: also write the table to this file")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s) {sorted(unknown)}; choose from {sorted(BENCHMARKS)}")
    os.environ.setdefault("PYTHONHASHSEED", "0")
    for name in args.names or sorted(BENCHMARKS):
        for metric, value in BENCHMARKS[name](args):
            print(f"{metric}\t{value:.4g}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
