"""A user's own data: a phased VCF without a panel, and an external held-out set (issue 38).

Both run the workflow on tiny inputs written here: a one-population simulated VCF whose
panel is thrown away, and the smoke config's demo source with a second VCF of other
individuals as `test_source`.
"""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import REPO, run_snakemake

from genosynth import evaluate, formats, heldout
from genosynth import simulate as simulate_lib
from genosynth.config import load_schema, validate_config
from genosynth.ingest import read_vcf

pytestmark = pytest.mark.workflow

N_INDIVIDUALS = 16  # one population: 32 haplotypes


def _no_panel_config(vcf, select="region") -> dict:
    return {
        "sources": {"mine": {"format": "vcf", "vcf": str(vcf)}},
        "datasets": {"gene": {"source": "mine", "select": select, "n_snps": 40}},
        "models": {"bernoulli": {"seed": 11}, "markov": {"window": 3, "seed": 12}},
        "privacy": {"allow_export": True},
        "downstream": {
            a: {"datasets": []} for a in ("imputation", "selection", "painting", "phenotype")
        },  # fmt: skip
        "dna": {"enabled": False},
    }


@pytest.fixture(scope="module")
def no_panel_vcf(tmp_path_factory):
    """A phased bgzipped VCF of one simulated population, without its panel."""
    folder = tmp_path_factory.mktemp("own_vcf")
    ts, panel = simulate_lib.simulate_haplotypes(
        n_per_population={"CEU": N_INDIVIDUALS}, sequence_length=300_000, seed=3
    )
    vcf = folder / "gene.vcf.gz"
    simulate_lib.write_vcf_and_panel(ts, panel, vcf, folder / "gene.panel")
    (folder / "gene.panel").unlink()
    return vcf


def _write_config(folder, config) -> str:
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return str(path)


def test_vcf_without_panel_runs_all(no_panel_vcf, tmp_path):
    config = _write_config(tmp_path, _no_panel_config(no_panel_vcf))
    run_snakemake(tmp_path, "--configfile", config, "--cores", "2", "all")
    panel = pd.read_csv(tmp_path / "results/gene/data/panel.tsv", sep="\t", comment="#")
    assert len(panel) == 2 * N_INDIVIDUALS
    assert set(panel["pop"]) == set(panel["super_pop"]) == {"mine"}
    assert panel["split"].value_counts().to_dict() == {"train": 24, "test": 8}
    report = pd.read_csv(tmp_path / "results/sources/mine/ingest_report.tsv", sep="\t",
                         comment="#").set_index("item")["count"]  # fmt: skip
    assert report["kept_samples"] == N_INDIVIDUALS
    assert report["unknown_samples"] == 0
    for model in ("bernoulli", "markov"):
        assert (tmp_path / f"results/gene/ags/{model}.vcf.gz").stat().st_size > 0
        table = pd.read_csv(tmp_path / f"results/gene/privacy/{model}.tsv", sep="\t", comment="#")
        assert set(table["dataset"]) == {"gene"}
    metrics = pd.read_csv(tmp_path / "results/gene/metrics.tsv", sep="\t", comment="#")
    assert {"bernoulli", "markov"} <= set(metrics["model"])


def test_differentiated_without_panel_fails_before_any_job(no_panel_vcf, tmp_path):
    config = _write_config(tmp_path, _no_panel_config(no_panel_vcf, select="differentiated"))
    proc = run_snakemake(tmp_path, "--configfile", config, "-n", "all", check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert (
        "genosynth: config key 'datasets.gene.select': 'differentiated' ranks SNPs by Fst "
        "between populations, but source 'mine' has no population panel" in out
    )
    assert "Fix: give sources.mine.panel, or use no labels (select: thinned or region" in out
    assert "Job stats" not in out
    assert not (tmp_path / "results").exists()


def _smoke_config() -> dict:
    config = yaml.safe_load((REPO / "config/smoke.yaml").read_text())
    schema = load_schema(REPO / "workflow/schemas/config.schema.yaml")
    return validate_config(config, schema)


def _write_heldout_vcf(folder, simulate: dict, populations) -> str:
    """The smoke demo's VCF (same simulation) keeping only the individuals of ``populations``."""
    ts, panel = simulate_lib.simulate_haplotypes(**simulate)
    simulate_lib.write_vcf_and_panel(ts, panel, folder / "demo.vcf.gz", folder / "demo.panel")
    keep = set(panel.loc[panel["pop"].isin(populations), "sample"])
    out = folder / "heldout.vcf"
    with gzip.open(folder / "demo.vcf.gz", "rt") as src, open(out, "w") as dst:
        for line in src:
            if line.startswith("##"):
                dst.write(line)
                continue
            fields = line.rstrip("\n").split("\t")
            if line.startswith("#CHROM"):
                chosen = [9 + i for i, s in enumerate(fields[9:]) if s in keep]
            dst.write("\t".join(fields[:9] + [fields[i] for i in chosen]) + "\n")
    return str(out)


def _table(path) -> dict:
    frame = pd.read_csv(path, sep="\t", comment="#")
    return dict(zip(frame["metric"], frame["value"], strict=True))


def test_test_source_replaces_the_internal_split_in_privacy_metrics(tmp_path):
    config = _smoke_config()
    # scan trains on CEU: YRI and CHB individuals are held out of its training split.
    vcf = _write_heldout_vcf(tmp_path, config["sources"]["demo"]["simulate"], ["YRI", "CHB"])
    config["sources"]["heldout"] = {"format": "vcf", "vcf": vcf}
    config["datasets"]["scan"]["test_source"] = "heldout"
    target = "results/scan/privacy/bernoulli.tsv"
    run_snakemake(tmp_path, "--configfile", _write_config(tmp_path, config), "--cores", "2",
                  target)  # fmt: skip
    data = tmp_path / "results/scan/data"
    sites = pd.read_csv(data / "external_test_sites.tsv", sep="\t", comment="#")
    assert sites["status"].value_counts().to_dict() == {"matched": 80}
    train = formats.read_hapt_matrix(data / "train.hapt.gz")[1]
    ags = formats.read_hapt_matrix(tmp_path / "results/scan/models/bernoulli/ags.hapt.gz")[1]
    external, _ = read_vcf(vcf)
    external_m, _ = heldout.match_sites(formats.read_legend(data / "snps.legend"), external)
    assert external_m.shape == (2 * 2 * 20, 80)  # YRI + CHB: 40 individuals, 80 haplotypes
    settings = config["evaluate"]["aats"]
    expected = evaluate.privacy_metrics(train, external_m, ags, **settings)
    got = _table(tmp_path / target)
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-15)
    internal = formats.read_hapt_matrix(data / "test.hapt.gz")[1]
    before = evaluate.privacy_metrics(train, internal, ags, **settings)
    assert not np.isclose(got["aats_test"], before["aats_test"])
    assert not np.isclose(got["privacy_loss"], before["privacy_loss"])
    assert got["aats_train"] == pytest.approx(before["aats_train"])
    print(f"privacy_loss internal {before['privacy_loss']:.4f} external {got['privacy_loss']:.4f}")
