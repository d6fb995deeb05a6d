#!/usr/bin/env python3
"""Print the measured rows of a finished run's reproduction table, tagged with its config.

Usage, from the repository root (RUN_DIR: the run's working folder; CONFIG: its config name):

    python experiments/reproduction_real/collect.py RUN_DIR CONFIG >> results.tsv

Rows whose verdict is `not run` are left out; the header is printed only with --header.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

COLUMNS = ["paper", "where", "claim", "data", "paper_value", "tolerance", "this_run", "verdict"]


def main(run: Path, config: str, header: bool) -> None:
    table = pd.read_csv(run / "results/reproduction.tsv", sep="\t", keep_default_na=False)
    table = table[table.verdict != "not run"][COLUMNS]
    table["this_run"] = pd.to_numeric(table.this_run).map(lambda v: f"{v:.4g}")
    table.insert(0, "config", config)
    table.to_csv(sys.stdout, sep="\t", index=False, header=header)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--header"]
    main(Path(args[0]), args[1], "--header" in sys.argv)
