"""Config errors of issue 37, point 5, as the workflow reports them (dry runs, a few seconds each).

Each case writes a tiny config into ``tmp_path`` and runs Snakemake on it; the exact message must
be in Snakemake's output, and nothing may be built. The library-level cases are in
``test_input_errors.py``.

==  ============================================  =============================================
#   case (config)                                  expected
==  ============================================  =============================================
W1  ``datasets.wide.source: demoo`` (no such       ``config key 'datasets.wide.source': no
    source; was: MissingInputException)            source 'demoo'; the sources are ['demo'].
                                                   Fix: name one of them, or add 'demoo' under
                                                   sources``, before the DAG is built
W2  ``models.rbm.epochs: 0``                       ``config key 'models.rbm.epochs': 0 is less
                                                   than the minimum of 1``
W3  a YAML syntax error in ``--configfile``        Snakemake parses the file before the workflow
                                                   runs, and says only "Config file is not valid
                                                   JSON or YAML"; ``tools/check_config.py``
                                                   names ``bad.yaml:9``, the column and the fix
W4  ``select: differentiated`` on a source whose   ``config key 'datasets.wide.select':
    panel has one population (ingest + subset      'differentiated' ranks SNPs by Fst between
    jobs)                                          populations (super_pop), but the data has 1:
                                                   ['EUR']. Fix: use select: thinned or region,
                                                   or give the source a panel with two or more
                                                   populations``; no dataset file left
==  ============================================  =============================================
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO, run_snakemake

BASE = """\
sources:
  demo: {format: simulate}
datasets:
  wide: {source: demo, select: differentiated, n_snps: 20}
models:
  bernoulli: {}
dna:
  enabled: false
"""


def snakemake_error(tmp_path: Path, config: str, *targets: str, dry_run: bool = True) -> str:
    """Snakemake's output for ``config``; it must fail, and build nothing."""
    path = tmp_path / "config.yaml"
    path.write_text(config)
    args = ["--configfile", str(path), "--cores", "1", *(["-n"] if dry_run else []), *targets]
    proc = run_snakemake(tmp_path, *args, check=False)
    assert proc.returncode != 0
    assert not (tmp_path / "results" / "wide").exists()
    out = proc.stdout + proc.stderr
    assert "Traceback (most recent call last)" not in out
    assert not re.search(r'^\s+File "', out, re.M), out[-2000:]  # no traceback frames either
    return out


def test_dataset_naming_no_source_fails_before_the_dag(tmp_path):
    out = snakemake_error(tmp_path, BASE.replace("source: demo", "source: demoo"))
    assert (
        "config key 'datasets.wide.source': no source 'demoo'; the sources are ['demo']. "
        "Fix: name one of them, or add 'demoo' under sources" in out
    )
    assert "MissingInputException" not in out and "Building DAG" not in out
    line = "genosynth: config key 'datasets.wide.source': no source 'demoo'"
    assert any(ln.startswith(line) for ln in out.splitlines())  # one line, no traceback


def test_zero_epochs_fails_naming_the_key(tmp_path):
    out = snakemake_error(tmp_path, BASE.replace("bernoulli: {}", "rbm: {epochs: 0}"))
    assert "config key 'models.rbm.epochs': 0 is less than the minimum of 1" in out


def test_yaml_syntax_error_is_located_by_check_config(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASE.replace("  enabled: false", "  enabled: [false"))
    out = snakemake_error(tmp_path, bad.read_text())
    assert "Config file is not valid JSON or YAML" in out  # Snakemake's own words: no file, no line
    check = [sys.executable, str(REPO / "tools/check_config.py"), str(bad)]
    proc = subprocess.run(check, capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr == (
        f"{bad}:9: YAML syntax error, column 1: expected ',' or ']', but got '<stream end>' "
        "(while parsing a flow sequence that starts on line 8). Fix: check the indentation "
        "(spaces, not tabs), the colons and the brackets there or on the line before\n"
    )


def test_differentiated_on_one_population_names_the_dataset(tmp_path):
    header = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\tS3\tS4\n"
    calls = ["0|1\t1|0\t1|1\t0|0", "1|1\t0|1\t0|0\t1|0"]
    records = "".join(f"1\t{p * 1000}\t.\tA\tG\t.\tPASS\t.\tGT\t{calls[p % 2]}\n"
                      for p in range(1, 21))  # fmt: skip
    (tmp_path / "one.vcf").write_text("##fileformat=VCFv4.2\n" + header + records)
    panel = "".join(f"S{i}\t{pop}\tEUR\n" for i, pop in enumerate(["CEU", "CEU", "TSI", "TSI"], 1))
    (tmp_path / "one.panel").write_text("sample\tpop\tsuper_pop\n" + panel)
    config = BASE.replace(
        "demo: {format: simulate}",
        f"mine: {{format: vcf, vcf: {tmp_path}/one.vcf, panel: {tmp_path}/one.panel}}",
    ).replace("source: demo", "source: mine")
    out = snakemake_error(tmp_path, config, "results/wide/data/dataset.json", dry_run=False)
    assert (
        "config key 'datasets.wide.select': 'differentiated' ranks SNPs by Fst between "
        "populations (super_pop), but the data has 1: ['EUR']. Fix: use select: thinned or "
        "region, or give the source a panel with two or more populations" in out
    )
