#!/usr/bin/env python3
"""Write docs/cost.md from a finished run's benchmark files.

Usage: python tools/build_cost_table.py RESULTS_DIR [--run "DESCRIPTION"] [--output PATH]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from genosynth.cost import benchmark_table, cost_markdown  # noqa: E402


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results_dir", type=Path)
    parser.add_argument("--run", default="a run of config/smoke.yaml on 2 CPU cores")
    parser.add_argument("--output", type=Path, default=REPO / "docs/cost.md")
    args = parser.parse_args(argv)
    args.output.write_text(cost_markdown(benchmark_table(args.results_dir), run=args.run))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
