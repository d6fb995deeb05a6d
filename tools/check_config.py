#!/usr/bin/env python3
"""Check workflow config files as the workflow will, naming the file and line of a problem.

Usage, from the repository root:

    .venv/bin/python tools/check_config.py config/my.yaml [more.yaml ...]

Snakemake parses `--configfile` itself, before the workflow runs, and reports a YAML syntax
error as "Config file is not valid JSON or YAML" without the file or the line. This reads each
file with `genosynth.config.read_yaml` (file, line and column of a syntax error), merges them
in order as Snakemake does (later files override earlier keys), then validates the result
against the schema and checks its references. Exit 0 when the config is valid, 1 otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from genosynth.config import check_references, load_schema, read_yaml, validate_config  # noqa: E402
from genosynth.errors import GenosynthError  # noqa: E402


def merge(base: dict, update: dict) -> dict:
    """``update`` merged into ``base`` key by key, recursively (Snakemake's update_config)."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = value
    return base


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.split("\n\n")[1].strip(), file=sys.stderr)
        return 2
    try:
        config: dict = {}
        for path in argv:
            content = read_yaml(path)
            if not isinstance(content, dict):
                print(f"{path}: a config holds keys at its top level", file=sys.stderr)
                return 1
            merge(config, content)
        validate_config(config, load_schema(REPO / "workflow/schemas/config.schema.yaml"))
        check_references(config)
    except (GenosynthError, OSError) as err:
        print(err, file=sys.stderr)
        return 1
    print(f"valid: {' '.join(argv)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
