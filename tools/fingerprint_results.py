#!/usr/bin/env python3
"""Fingerprint a finished workflow run: one row per AG file and per metric value.

Usage: python tools/fingerprint_results.py RESULTS_DIR > fingerprint.tsv
       python tools/fingerprint_results.py --compare BEFORE.tsv AFTER.tsv

Rows are ``kind<TAB>name<TAB>value``:
- ``hapt``: sha256 of each decompressed ``ags/*.hapt.gz``;
- ``vcf``: sha256 of each AG VCF's body (the lines after the header, decompressed);
- ``metric``: every row of every ``metrics.tsv`` (its key columns joined by ``|``) and
  its value, printed with ``repr`` so that the last float bit counts.

Two runs whose fingerprints are equal made the same AGs and the same metrics. ``--compare``
prints, per kind, the rows equal and different (a table) and then each differing row.
"""

from __future__ import annotations

import gzip
import hashlib
import sys
from pathlib import Path

import pandas as pd


def _sha(lines) -> str:
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line)
    return digest.hexdigest()


def fingerprint(results: Path) -> list[tuple[str, str, str]]:
    rows = []
    for path in sorted(results.glob("*/ags/*.hapt.gz")):
        with gzip.open(path, "rb") as fh:
            rows.append(("hapt", str(path.relative_to(results)), _sha(fh)))
    for path in sorted(results.glob("*/ags/*.vcf.gz")):
        with gzip.open(path, "rb") as fh:
            rows.append(
                ("vcf", str(path.relative_to(results)), _sha(ln for ln in fh if ln[:1] != b"#"))
            )
    for path in sorted(results.glob("*/metrics.tsv")):
        table = pd.read_csv(path, sep="\t", comment="#")
        keys = [c for c in table.columns if c != "value"]
        for _, row in table.iterrows():
            name = f"{path.parent.name}|" + "|".join(str(row[k]) for k in keys)
            rows.append(("metric", name, repr(row["value"])))
    return rows


def compare(before: Path, after: Path) -> int:
    """Print the rows per kind that are equal, different or on one side only; 1 if any differ."""
    read = lambda p: {(k, n): v for k, n, v in (ln.rstrip("\n").split("\t") for ln in open(p))}  # noqa: E731
    old, new = read(before), read(after)
    print("kind\tequal\tdifferent\tonly_before\tonly_after")
    differ = []
    for kind in sorted({k for k, _ in old | new}):
        keys_old = {n for k, n in old if k == kind}
        keys_new = {n for k, n in new if k == kind}
        both = keys_old & keys_new
        diff = sorted(n for n in both if old[kind, n] != new[kind, n])
        differ += [(kind, n) for n in diff]
        counts = (
            len(both) - len(diff),
            len(diff),
            len(keys_old - keys_new),
            len(keys_new - keys_old),
        )
        print(kind, *counts, sep="\t")
        differ += [(kind, n) for n in sorted(keys_old ^ keys_new)]
    for kind, name in differ:
        print(f"# {kind} {name}: {old.get((kind, name))} -> {new.get((kind, name))}")
    return 1 if differ else 0


def main(argv: list[str]) -> int:
    if len(argv) == 4 and argv[1] == "--compare":
        return compare(Path(argv[2]), Path(argv[3]))
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    for row in fingerprint(Path(argv[1])):
        print("\t".join(row))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
