"""The embedded demo data: OOA simulation, VCF/panel writer, phenotype model."""

from __future__ import annotations

import gzip
import json
import math

import msprime
import numpy as np
import pandas as pd
import pysam
import pytest

from genosynth.errors import ConfigError, GenosynthError
from genosynth.simulate import (
    choose_causal_site,
    haplotype_dosage,
    ooa_demography,
    simulate_haplotypes,
    simulate_phenotype,
    write_phenotypes,
    write_vcf_and_panel,
)
from genosynth.subset import minor_allele_frequency, population_fst


@pytest.fixture(scope="module")
def tiny():
    return simulate_haplotypes(n_per_population=5, sequence_length=1e5, seed=11)


def write(tmp_path, ts, panel, name="demo", **kw):
    vcf = tmp_path / f"{name}.vcf.gz"
    pan = tmp_path / f"{name}.panel"
    n = write_vcf_and_panel(ts, panel, vcf, pan, chrom="1", provenance={"run": "test"}, **kw)
    return vcf, pan, n


# ---------------------------------------------------------------------------- demography


def test_ooa_demography_populations_and_sizes():
    dem = ooa_demography()
    names = [p.name for p in dem.populations]
    assert names[:3] == ["YRI", "CEU", "CHB"]
    assert set(names) == {"YRI", "CEU", "CHB", "OOA", "AMH", "ANC"}
    dem.debug()  # validates
    assert dem["YRI"].initial_size == 12300
    assert dem["ANC"].initial_size == 7300
    assert dem["OOA"].initial_size == 2100
    t_eu_as = 21.2e3 / 25
    assert math.isclose(dem["CEU"].initial_size * math.exp(-0.004 * t_eu_as), 1000)
    assert math.isclose(dem["CHB"].initial_size * math.exp(-0.0055 * t_eu_as), 510)
    assert dem.migration_matrix[0, 1] == 3e-5 and dem.migration_matrix[1, 2] == 9.6e-5
    assert [p.extra_metadata.get("super_population") for p in dem.populations[:3]] == [
        "AFR",
        "EUR",
        "EAS",
    ]


def test_ooa_fst_ordering():
    ts, panel = simulate_haplotypes(n_per_population=10, sequence_length=1e6, seed=3)
    single = np.bincount(ts.tables.mutations.site, minlength=ts.num_sites) == 1
    h = ts.genotype_matrix()[single].T.astype(np.int8)  # sample nodes are in individual order
    pops = np.repeat(panel["pop"].to_numpy(), 2)

    def fst(a, b):
        rows = np.isin(pops, [a, b])
        common = minor_allele_frequency(h[rows]) >= 0.05
        return population_fst(h[rows][:, common], pops[rows]).mean()

    assert fst("YRI", "CHB") > fst("CEU", "CHB")
    assert fst("YRI", "CEU") > fst("CEU", "CHB")


# ---------------------------------------------------------------------------- simulation


def test_simulate_panel(tiny):
    ts, panel = tiny
    assert list(panel.columns) == ["sample", "pop", "super_pop"]
    assert panel["pop"].value_counts().to_dict() == {"YRI": 5, "CEU": 5, "CHB": 5}
    assert panel["sample"].iloc[0] == "YRI_0001" and panel["sample"].iloc[-1] == "CHB_0005"
    assert dict(zip(panel["pop"], panel["super_pop"], strict=True)) == {
        "YRI": "AFR",
        "CEU": "EUR",
        "CHB": "EAS",
    }
    assert ts.num_individuals == 15 and ts.num_samples == 30
    assert ts.metadata["genosynth"]["seed"] == 11


def test_simulate_subset_of_populations():
    ts, panel = simulate_haplotypes(
        n_per_population={"CEU": 2, "YRI": 3}, sequence_length=1e4, seed=1
    )
    assert panel["sample"].tolist() == ["YRI_0001", "YRI_0002", "YRI_0003", "CEU_0001", "CEU_0002"]


def test_simulate_rejects_bad_input():
    with pytest.raises(ConfigError, match="YRI"):
        simulate_haplotypes(n_per_population={"GBR": 3}, sequence_length=1e4, seed=1)
    with pytest.raises(ConfigError, match="sequence_length"):
        simulate_haplotypes(n_per_population=3, sequence_length=0, seed=1)
    with pytest.raises(ConfigError, match="seed"):
        simulate_haplotypes(n_per_population=3, sequence_length=1e4, seed=None)


def test_vcf_is_real_looking(tmp_path, tiny):
    ts, panel = tiny
    vcf, pan, n = write(tmp_path, ts, panel)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "demo.panel",
        "demo.vcf.gz",
        "demo.vcf.gz.tbi",
    ]
    with pysam.VariantFile(str(vcf)) as vf:
        assert list(vf.header.samples) == panel["sample"].tolist()
        prov = [r.value for r in vf.header.records if r.key == "genosynth_provenance"]
        assert len(prov) == 1
        prov = json.loads(prov[0])
        assert prov["run"] == "test" and prov["simulation"]["seed"] == 11
        records = list(vf)
        fetched = list(vf.fetch("1", 0, 50_000))
    assert n == len(records) > 50
    assert 0 < len(fetched) < len(records)
    positions = [r.pos for r in records]
    assert positions[0] >= 1 and np.all(np.diff(positions) > 0)
    for r in records:
        assert r.chrom == "1" and r.id == f"1:{r.pos}_{r.ref}_{r.alts[0]}"
        assert r.ref in set("ACGT") and len(r.alts) == 1 and r.alts[0] in set("ACGT")
        assert r.ref != r.alts[0]
        gts = [s["GT"] for s in r.samples.values()]
        assert all(s.phased for s in r.samples.values())
        assert all(a in (0, 1) and b in (0, 1) for a, b in gts)
        flat = [a for gt in gts for a in gt]
        assert 0 < sum(flat) < len(flat)  # segregating
    panel_back = pd.read_csv(pan, sep="\t", keep_default_na=False)
    assert list(panel_back.columns) == ["sample", "pop", "super_pop", "gender"]
    pd.testing.assert_frame_equal(panel_back[["sample", "pop", "super_pop"]], panel)


def test_vcf_genotypes_match_tree_sequence(tmp_path, tiny):
    ts, panel = tiny
    vcf, _, _ = write(tmp_path, ts, panel)
    single = np.bincount(ts.tables.mutations.site, minlength=ts.num_sites) == 1
    expected = ts.genotype_matrix()[single]
    with pysam.VariantFile(str(vcf)) as vf:
        got = np.array([[a for s in r.samples.values() for a in s["GT"]] for r in vf])
    np.testing.assert_array_equal(got, expected)


def test_same_seed_same_vcf_bytes(tmp_path):
    out = []
    for i, seed in enumerate([5, 5, 6]):
        ts, panel = simulate_haplotypes(n_per_population=3, sequence_length=5e4, seed=seed)
        d = tmp_path / str(i)
        d.mkdir()
        vcf, pan, _ = write(d, ts, panel)
        out.append((gzip.decompress(vcf.read_bytes()), pan.read_bytes()))
    assert out[0] == out[1]
    assert out[0][0] != out[2][0]


def test_writer_validates(tmp_path, tiny):
    ts, panel = tiny
    with pytest.raises(ConfigError, match=r"\.vcf\.gz"):
        write_vcf_and_panel(ts, panel, tmp_path / "x.vcf", tmp_path / "x.panel")
    with pytest.raises(GenosynthError, match="panel has 14 rows"):
        write_vcf_and_panel(ts, panel.iloc[:-1], tmp_path / "x.vcf.gz", tmp_path / "x.panel")
    assert list(tmp_path.iterdir()) == []


def test_multi_mutation_sites_are_dropped(tmp_path):
    ts = msprime.sim_ancestry(4, sequence_length=200, population_size=1e4, random_seed=2)
    ts = msprime.sim_mutations(ts, rate=1e-5, model=msprime.JC69(), random_seed=2)
    n_mut = np.bincount(ts.tables.mutations.site, minlength=ts.num_sites)
    assert (n_mut > 1).any() and (n_mut == 1).any()
    panel = pd.DataFrame({"sample": [f"P{i}" for i in range(4)], "pop": "YRI", "super_pop": "AFR"})
    _, _, n = write(tmp_path, ts, panel)
    assert n == int((n_mut == 1).sum())


# ---------------------------------------------------------------------------- phenotype


def test_phenotype_h2_one_is_function_of_dosage():
    rng = np.random.default_rng(0)
    dosage = rng.binomial(2, 0.4, size=(500, 3)).astype(np.int8)
    p1 = simulate_phenotype(dosage, causal_index=1, heritability=1.0, prevalence=0.3, seed=1)
    p2 = simulate_phenotype(dosage, causal_index=1, heritability=1.0, prevalence=0.3, seed=2)
    np.testing.assert_array_equal(p1, p2)
    for d in (0, 1, 2):
        assert len(set(p1[dosage[:, 1] == d])) == 1
    assert p1[dosage[:, 1] == 2].all() and not p1[dosage[:, 1] == 0].any()


def test_phenotype_prevalence_and_effect():
    rng = np.random.default_rng(1)
    dosage = rng.binomial(2, 0.4, size=2000)
    for prevalence in (0.5, 0.2):
        ph = simulate_phenotype(dosage, causal_index=0, prevalence=prevalence, seed=4)
        assert ph.dtype == np.int8 and set(np.unique(ph)) == {0, 1}
        assert abs(ph.mean() - prevalence) < 0.01
        assert dosage[ph == 1].mean() > dosage[ph == 0].mean() + 0.3
    a = simulate_phenotype(dosage, causal_index=0, seed=np.random.default_rng(9))
    b = simulate_phenotype(dosage, causal_index=0, seed=np.random.default_rng(9))
    np.testing.assert_array_equal(a, b)
    with pytest.raises(GenosynthError, match="monomorphic"):
        simulate_phenotype(np.ones(10), causal_index=0, seed=0)
    with pytest.raises(ConfigError, match="heritability"):
        simulate_phenotype(dosage, causal_index=0, heritability=1.5, seed=0)


def test_haplotype_dosage():
    h = np.array([[0, 1], [1, 1], [0, 0], [0, 1]], dtype=np.int8)
    np.testing.assert_array_equal(haplotype_dosage(h), [[1, 2], [0, 1]])


def test_choose_causal_site():
    rng = np.random.default_rng(2)
    n = 200
    ceu = rng.binomial(2, 0.5, size=(n, 6))
    yri = rng.binomial(2, 0.5, size=(n, 6))
    ceu[:, 3] = rng.binomial(2, 0.9, size=n)
    yri[:, 3] = rng.binomial(2, 0.1, size=n)
    ceu[:, 5] = rng.binomial(2, 0.3, size=n)  # differentiated but rare when pooled
    yri[:, 5] = 0
    dos = {"YRI": yri, "CEU": ceu}
    assert choose_causal_site(dos, n_candidates=1, rng=0) == 3
    picks = {choose_causal_site(dos, n_candidates=2, rng=s) for s in range(20)}
    assert picks <= {0, 1, 2, 3, 4} and 3 in picks and 5 not in picks
    with pytest.raises(ConfigError, match="CHB"):
        choose_causal_site(dos, contrast=("CHB", "YRI"), rng=0)
    rare = {"YRI": np.zeros((5, 3)), "CEU": np.eye(5, 3)}  # pooled MAF 0.05
    with pytest.raises(ConfigError, match="min_maf"):
        choose_causal_site(rare, rng=0)


def test_write_phenotypes(tmp_path):
    path = tmp_path / "pheno.tsv"
    write_phenotypes(path, ["a", "b", "c"], np.array([1, 0, 1]), ("1", 1234))
    assert path.read_text() == "# causal_site=1:1234\nsample\tphenotype\na\t1\nb\t0\nc\t1\n"
    back = pd.read_csv(path, sep="\t", comment="#")
    assert back["phenotype"].tolist() == [1, 0, 1]
    with pytest.raises(GenosynthError):
        write_phenotypes(path, ["a"], np.array([2]), "1:5")
