"""The workflow steps (genosynth.steps) as the scripts call them: errors name the config key
or file, and a failing step leaves no output behind."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genosynth.data import HaplotypeSet, save_haplotype_set
from genosynth.errors import ConfigError, InputError
from genosynth.ingest import POLICIES
from genosynth.steps import data, export, report, sample

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"
OUTPUTS = ("train", "test", "others", "legend", "panel", "info")


def small_set(n_individuals=8, n_sites=12) -> HaplotypeSet:
    rng = np.random.default_rng(0)
    haps = rng.integers(0, 2, (2 * n_individuals, n_sites), dtype=np.int8)
    sites = pd.DataFrame(
        {
            "chrom": "1",
            "position": np.arange(1, n_sites + 1) * 100,
            "id": [f"1:{100 * (i + 1)}_A_G" for i in range(n_sites)],
            "a0": "A",
            "a1": "G",
        }
    )
    samples = [f"S{i:02d}" for i in range(n_individuals)]
    pops = ["P1" if i % 2 else "P2" for i in range(n_individuals)]
    frame = pd.DataFrame(
        {
            "hap_id": [f"{s}_{x}" for s in samples for x in "AB"],
            "sample": np.repeat(samples, 2),
            "pop": np.repeat(pops, 2),
            "super_pop": np.repeat(pops, 2),
        }
    )
    return HaplotypeSet(haps, sites, frame)


def dataset(**settings):
    base = {
        "source": "s",
        "select": "region",
        "n_snps": 5,
        "min_maf": 0.0,
        "min_distance": 0,
        "start": None,
        "chrom": None,
        "populations": [],
        "complement": [],
        "model_overrides": {},
    }
    return base | settings


def build(tmp_path, **settings):
    npz = tmp_path / "haplotypes.npz"
    save_haplotype_set(npz, small_set())
    out = tmp_path / "data"
    outputs = {k: out / f"{k}.out" for k in OUTPUTS}
    data.build_dataset(
        name="dense",
        haplotypes=npz,
        phenotypes=None,
        outputs=outputs,
        dataset=dataset(**settings),
        split={"test_fraction": 0.25, "seed": 1},
    )
    return outputs


def test_build_dataset_region_exact(tmp_path):
    outputs = build(tmp_path, start=300)
    legend = pd.read_csv(outputs["legend"], sep=" ")
    assert legend.position.tolist() == [300, 400, 500, 600, 700]
    rows = [line.split() for line in outputs["train"].read_text().splitlines()]  # not .gz
    assert len(rows) == 12 and all(len(r) == 2 + 5 for r in rows)  # 6 of 8 individuals
    panel = pd.read_csv(outputs["panel"], sep="\t")
    assert panel.split.value_counts().to_dict() == {"train": 12, "test": 4}


def test_empty_region_names_the_key_and_writes_nothing(tmp_path):
    with pytest.raises(ConfigError) as err:
        build(tmp_path, start=10_000)
    assert err.value.key == "datasets.dense.start"
    assert "empty region" in str(err.value)
    assert not (tmp_path / "data").exists() or not list((tmp_path / "data").iterdir())


def test_unknown_population_names_the_key(tmp_path):
    with pytest.raises(ConfigError) as err:
        build(tmp_path, populations=["XYZ"])
    assert err.value.key.startswith("datasets.dense.")
    assert "XYZ" in str(err.value)


def test_ingest_stage_failure_leaves_nothing(tmp_path):
    bad = DATA / "missing.vcf"
    out = tmp_path / "src"
    with pytest.raises(InputError) as err:
        data.ingest(
            inputs={"vcf": str(bad), "panel": str(DATA / "panel.panel")},
            haplotypes=out / "haplotypes.npz",
            report=out / "ingest_report.tsv",
            policies=POLICIES | {"missing": "fail"},
        )
    assert "missing.vcf:" in str(err.value)
    assert not out.exists() or not list(out.iterdir())


def test_concat_metrics_rejects_wrong_columns(tmp_path):
    good = tmp_path / "a.tsv"
    bad = tmp_path / "b.tsv"
    good.write_text("dataset\tmodel\tmetric\tvalue\nwide\treal\tx\t1.5\n")
    bad.write_text("dataset\tmetric\tvalue\nwide\tx\t1\n")
    report.concat_metrics([good, good], tmp_path / "out.tsv")
    assert pd.read_csv(tmp_path / "out.tsv", sep="\t").value.tolist() == [1.5, 1.5]
    with pytest.raises(Exception, match="expected columns"):
        report.concat_metrics([good, bad], tmp_path / "out2.tsv")
    assert not (tmp_path / "out2.tsv").exists()


def test_export_blocked_by_privacy_gate_writes_nothing(tmp_path):
    import json

    from genosynth import formats
    from genosynth.evaluate import PrivacyGateError
    from genosynth.steps import privacy as privacy_step

    hs = small_set()
    formats.write_legend(tmp_path / "snps.legend", hs.sites)
    formats.write_hapt(tmp_path / "ags.hapt.gz", hs.haplotypes, [f"AG{i}" for i in range(16)])
    (tmp_path / "dataset.json").write_text('{"name": "wide", "layout": "haplotypes", "n_snps": 12}')
    table = "dataset\tmodel\tmetric\tvalue\n"
    table += "wide\tgan\texact_copies\t3\nwide\tgan\tprivacy_loss\t0.01\n"
    table += "wide\tgan\tmembership_auc\t0.5\n"
    (tmp_path / "aats.tsv").write_text(table)
    privacy = {"max_exact_copies": 0, "max_privacy_loss": 0.1, "max_membership_auc": 0.6}
    privacy |= {"z": 2.0, "allow_export": False}
    out = tmp_path / "out"
    gate = dict(dataset="wide", model="gan", metrics_table=tmp_path / "aats.tsv")
    gate |= dict(ags=tmp_path / "ags.hapt.gz", output=tmp_path / "gate.json")
    kwargs = dict(
        ags=tmp_path / "ags.hapt.gz",
        legend=tmp_path / "snps.legend",
        info=tmp_path / "dataset.json",
        gate=tmp_path / "gate.json",
        hapt=out / "gan.hapt.gz",
        vcf=out / "gan.vcf.gz",
        tbi=out / "gan.vcf.gz.tbi",
        pgen=out / "gan.pgen",
        pvar=out / "gan.pvar",
        psam=out / "gan.psam",
    )
    assert privacy_step.judge_privacy_gate(privacy=privacy, **gate) == "failed"
    with pytest.raises(PrivacyGateError, match="exact_copies .* = 3 exceeds the maximum 0"):
        export.export_ags(**kwargs)
    assert not out.exists() or not list(out.iterdir())
    failure = "exact_copies (AGs identical to a training haplotype) = 3 exceeds the maximum 0"
    verdict = json.loads((tmp_path / "gate.json").read_text())
    assert (verdict["verdict"], verdict["failures"]) == ("failed", [failure])
    assert verdict["fix"].endswith("copies less of its training haplotypes: fewer `epochs`")
    assert privacy_step.judge_privacy_gate(privacy=privacy | {"allow_export": True}, **gate) == (
        "overridden"
    )
    export.export_ags(**kwargs)
    assert sorted(p.name for p in out.iterdir()) == [
        "gan.hapt.gz", "gan.hapt.gz.provenance.json", "gan.pgen", "gan.psam", "gan.pvar",
        "gan.vcf.gz", "gan.vcf.gz.tbi",
    ]  # fmt: skip
    assert (out / "gan.hapt.gz").read_bytes() == (tmp_path / "ags.hapt.gz").read_bytes()


def test_sample_repairs_ags_against_training_haplotypes(tmp_path):
    from genosynth import formats
    from genosynth.models import get_model
    from genosynth.provenance import read_provenance
    from genosynth.repair import repair_context_alleles

    founders = np.random.default_rng(2).integers(0, 2, size=(3, 20), dtype=np.int8)
    train = np.repeat(founders, 10, axis=0)
    formats.write_hapt(tmp_path / "train.hapt.gz", train, [f"H{i}" for i in range(30)])
    checkpoint = tmp_path / "bernoulli.npz"
    get_model("bernoulli").fit(train, seed=0).save(checkpoint)
    info = tmp_path / "dataset.json"
    info.write_text('{"name": "wide", "layout": "haplotypes", "n_snps": 20}')
    common = dict(
        checkpoint=checkpoint,
        real=[tmp_path / "train.hapt.gz"],
        train=tmp_path / "train.hapt.gz",
        info=info,
        sampling={"n_ags": 40, "seed": 3},
    )
    sample.sample(ags=tmp_path / "raw.hapt.gz", **common)
    repair = {"flank": 2, "min_support": 2, "max_passes": 3}
    sample.sample(ags=tmp_path / "repaired.hapt.gz", repair=repair, **common)
    raw = formats.read_hapt_matrix(tmp_path / "raw.hapt.gz")[1]
    repaired = formats.read_hapt_matrix(tmp_path / "repaired.hapt.gz")[1]
    expected, flips = repair_context_alleles(train, raw, **repair)
    np.testing.assert_array_equal(repaired, expected)
    assert flips.mean() > 1  # independent sites on 3 founders: many unseen alleles
    made = read_provenance(tmp_path / "repaired.hapt.gz")
    assert made["params"]["repair"] == repair
    assert made["params"]["repair_flips_per_ag"] == pytest.approx(flips.mean())
    assert read_provenance(tmp_path / "raw.hapt.gz")["params"]["repair_flips_per_ag"] is None

    info.write_text('{"name": "pheno", "layout": "genotype_pairs", "n_snps": 10}')
    with pytest.raises(ConfigError, match=r"models.bernoulli.repair.*model_overrides"):
        sample.sample(ags=tmp_path / "pairs.hapt.gz", repair=repair, **common)
    assert not (tmp_path / "pairs.hapt.gz").exists()
