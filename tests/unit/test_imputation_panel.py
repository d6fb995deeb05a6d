"""The imputation benchmark's reference panel: complementary populations plus a share of the
target population's held-out individuals, never a target or a training individual."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from genosynth import formats
from genosynth import ingest as ingest_lib
from genosynth.steps import downstream

N_SITES = 20


def write_part(folder, part, n_individuals, rng):
    ids = [f"{part}{i}_{ab}" for i in range(n_individuals) for ab in "AB"]
    haps = rng.integers(0, 2, (2 * n_individuals, N_SITES), dtype=np.int8)
    formats.write_hapt(folder / f"{part}.hapt.gz", haps, ids)
    return haps


@pytest.fixture
def dataset(tmp_path):
    rng = np.random.default_rng(1)
    positions = np.arange(1, N_SITES + 1) * 1000
    sites = pd.DataFrame({"chrom": "1", "position": positions, "a0": "A", "a1": "G"})
    sites["id"] = [f"1:{p}_A_G" for p in positions]
    formats.write_legend(tmp_path / "snps.legend", sites)
    (tmp_path / "dataset.json").write_text(json.dumps({"layout": "haplotypes"}))
    haps = {part: write_part(tmp_path, part, n, rng)
            for part, n in (("train", 6), ("test", 5), ("others", 4))}  # fmt: skip
    return tmp_path, haps


def prepare(folder, share):
    out = folder / f"out{share}"
    out.mkdir()
    names = {"target": "target.vcf.gz", "reference": "reference.vcf.gz", "sites": "sites.tsv"}
    outputs = {k: out / v for k, v in (names | {"map": "beagle.map"}).items()}
    downstream.prepare_imputation(
        **{k: folder / f"{k}.hapt.gz" for k in ("train", "test", "others")},
        legend=folder / "snps.legend",
        info=folder / "dataset.json",
        genetic_map="",
        outputs=outputs,
        array={"fraction": 0.5, "min_maf": 0.0},
        reference_share=share,
    )
    reference = ingest_lib.read_vcf(outputs["reference"], None)[0]
    from cyvcf2 import VCF

    targets = list(VCF(str(outputs["target"])).samples)
    return reference, targets


def test_reference_holds_the_other_held_out_individuals(dataset):
    folder, haps = dataset
    reference, targets = prepare(folder, 0.5)
    # 5 held-out individuals: floor(2.5) = 2 (the last two) join the 4 complementary ones
    assert targets == ["test0", "test1", "test2"]
    samples = reference.samples["sample"].to_numpy()[::2].tolist()
    assert samples == ["others0", "others1", "others2", "others3", "test3", "test4"]
    want = np.concatenate([haps["others"], haps["test"][6:]])
    np.testing.assert_array_equal(reference.haplotypes, want)


def test_share_zero_keeps_the_complementary_reference(dataset):
    folder, haps = dataset
    reference, targets = prepare(folder, 0.0)
    assert targets == [f"test{i}" for i in range(5)]
    np.testing.assert_array_equal(reference.haplotypes, haps["others"])
