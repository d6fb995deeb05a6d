#!/usr/bin/env python3
"""Fingerprint a finished workflow run: one row per AG file and per metric value.

Usage: python tools/fingerprint_results.py RESULTS_DIR > fingerprint.tsv

Rows are ``kind<TAB>name<TAB>value``:
- ``hapt``: sha256 of each decompressed ``ags/*.hapt.gz``;
- ``vcf``: sha256 of each AG VCF's body (the lines after the header, decompressed);
- ``metric``: every row of every ``metrics.tsv`` (its key columns joined by ``|``) and
  its value, printed with ``repr`` so that the last float bit counts.

Two runs whose fingerprints are equal made the same AGs and the same metrics; ``diff``
of two fingerprints names what changed.
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
            rows.append(("vcf", str(path.relative_to(results)), _sha(ln for ln in fh if ln[:1] != b"#")))
    for path in sorted(results.glob("*/metrics.tsv")):
        table = pd.read_csv(path, sep="\t", comment="#")
        keys = [c for c in table.columns if c != "value"]
        for _, row in table.iterrows():
            name = f"{path.parent.name}|" + "|".join(str(row[k]) for k in keys)
            rows.append(("metric", name, repr(row["value"])))
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    for row in fingerprint(Path(argv[1])):
        print("\t".join(row))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
