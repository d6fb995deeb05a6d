"""Standard outputs of released AGs (issue 38.3): the VCF keeps the input's IDs, contig
lengths and reference and carries INFO/AF and the pairing; PLINK 2 files load back to the same
haplotypes; designs are also FASTA with their scores."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess

import numpy as np
import pandas as pd
import pysam
import pytest

from genosynth import formats, plink
from genosynth.dna import sequences as seqs
from genosynth.ingest import POLICIES
from genosynth.steps import data, export
from genosynth.steps import dna as dna_steps
from genosynth.steps import privacy as privacy_step

SAMPLES = ["S1", "S2", "S3", "S4"]
# (POS, ID, REF, ALT, GTs of S1..S4): rsIDs kept, "." replaced by chrom:pos_ref_alt
RECORDS = [
    (1000, "rs11", "A", "G", ["0|1", "1|1", "0|0", "0|1"]),
    (2000, ".", "C", "T", ["1|0", "0|0", "0|1", "1|1"]),
    (3000, "rs33", "G", "A", ["0|0", "0|1", "1|0", "0|0"]),
]
# AGs: 2 individuals; ALT counts per site 1, 2, 4 of 4 haplotypes
AGS = np.array([[1, 0, 1], [0, 1, 1], [0, 1, 1], [0, 0, 1]], dtype=np.int8)


def tiny_vcf(path):
    lines = [
        "##fileformat=VCFv4.2",
        "##reference=GRCh37",
        "##contig=<ID=15,length=102531392>",
        "##contig=<ID=16>",
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"])
        + "\t"
        + "\t".join(SAMPLES),
    ]
    for pos, vid, ref, alt, gts in RECORDS:
        lines.append("\t".join(["15", str(pos), vid, ref, alt, ".", "PASS", ".", "GT", *gts]))
    path.write_text("\n".join(lines) + "\n")
    return path


def released(tmp_path):
    """Ingest the tiny VCF, build a dataset of all its SNPs, release hand-made AGs."""
    src = tmp_path / "src"
    data.ingest(
        inputs={"vcf": str(tiny_vcf(tmp_path / "tiny.vcf"))},
        haplotypes=src / "haplotypes.npz",
        report=src / "report.tsv",
        policies=POLICIES,
    )
    d = tmp_path / "data"
    outputs = {k: d / f"{k}.hapt.gz" for k in ("train", "test", "others")}
    outputs |= {"legend": d / "snps.legend", "panel": d / "panel.tsv", "info": d / "dataset.json"}
    settings = {"source": "s", "select": "all", "populations": [], "complement": []}
    data.build_dataset(
        name="mine",
        haplotypes=src / "haplotypes.npz",
        phenotypes=None,
        outputs=outputs,
        dataset=settings,
        split={"test_fraction": 0.25, "seed": 1},
    )
    ags = tmp_path / "ags.hapt.gz"
    formats.write_hapt(ags, AGS, ["AG1_A", "AG1_B", "AG2_A", "AG2_B"], tag="AG")
    table = tmp_path / "privacy.tsv"
    table.write_text(
        "dataset\tmodel\tmetric\tvalue\nmine\tgan\texact_copies\t0\n"
        "mine\tgan\tprivacy_loss\t0.01\nmine\tgan\tmembership_auc\t0.5\n"
    )
    privacy = {"max_exact_copies": 0, "max_privacy_loss": 0.1, "max_membership_auc": 0.6}
    privacy |= {"z": 2.0, "allow_export": False}
    verdict = privacy_step.judge_privacy_gate(
        privacy=privacy,
        dataset="mine",
        model="gan",
        metrics_table=table,
        ags=ags,
        output=tmp_path / "gate.json",
    )
    assert verdict == "passed"
    out = tmp_path / "ags"
    files = {k: out / f"gan.{k}" for k in ("pgen", "pvar", "psam")}
    files |= {"hapt": out / "gan.hapt.gz", "vcf": out / "gan.vcf.gz", "tbi": out / "gan.vcf.gz.tbi"}
    export.export_ags(
        ags=ags,
        legend=outputs["legend"],
        info=outputs["info"],
        gate=tmp_path / "gate.json",
        **files,
    )
    return outputs, files


def test_ingestion_keeps_vcf_ids_and_header_coordinates(tmp_path):
    outputs, _ = released(tmp_path)
    assert outputs["legend"].read_text().splitlines() == [
        "id position a0 a1 chrom",
        "rs11 1000 A G 15",
        "15:2000_C_T 2000 C T 15",
        "rs33 3000 G A 15",
    ]
    legend = formats.read_legend(outputs["legend"])
    assert legend["chrom"].tolist() == ["15", "15", "15"]
    info = json.loads(outputs["info"].read_text())
    assert (info["contigs"], info["reference"]) == ({"15": 102531392}, "GRCh37")


def test_released_vcf_keeps_ids_contig_reference_af_and_pairing(tmp_path):
    _, files = released(tmp_path)
    with pysam.VariantFile(str(files["vcf"])) as vcf:
        header = vcf.header
        records = list(vcf)
        assert list(header.samples) == ["AG1", "AG2"]
    assert [r.id for r in records] == ["rs11", "15:2000_C_T", "rs33"]
    assert [r.info["AF"] for r in records] == [(0.25,), (0.5,), (1.0,)]
    assert header.contigs["15"].length == 102531392
    meta = {r.key: r.value for r in header.records if r.value is not None}
    assert meta["reference"] == "GRCh37"
    assert meta["genosynth_pairing"].startswith("AG haplotype rows 2k and 2k+1 of the .hapt.gz")
    gts = [[s["GT"] for s in r.samples.values()] for r in records]
    assert gts[0] == [(1, 0), (0, 0)] and gts[2] == [(1, 1), (1, 1)]


@pytest.mark.skipif(shutil.which("bcftools") is None, reason="bcftools is not installed")
def test_released_vcf_passes_bcftools_view(tmp_path):
    _, files = released(tmp_path)
    proc = subprocess.run(
        ["bcftools", "view", "-H", str(files["vcf"])], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    rows = [line.split("\t") for line in proc.stdout.splitlines()]
    assert [r[2] for r in rows] == ["rs11", "15:2000_C_T", "rs33"]
    assert [r[7] for r in rows] == ["AF=0.25", "AF=0.5", "AF=1"]
    assert proc.stderr == ""


def test_released_pgen_loads_back_to_the_same_haplotypes(tmp_path):
    _, files = released(tmp_path)
    np.testing.assert_array_equal(plink.read_pgen(files["pgen"]), AGS.T)
    assert files["psam"].read_text() == "#IID\nAG1\nAG2\n"
    assert files["pvar"].read_text() == (
        "##contig=<ID=15,length=102531392>\n#CHROM\tPOS\tID\tREF\tALT\n"
        "15\t1000\trs11\tA\tG\n15\t2000\t15:2000_C_T\tC\tT\n15\t3000\trs33\tG\tA\n"
    )


def test_pgen_of_genotype_pairs_keeps_dosages_and_phenotype(tmp_path):
    sites = pd.DataFrame(
        {"chrom": ["2", "1"], "position": [50, 10], "id": ["b", "a"], "a0": "A", "a1": "C"}
    )
    pairs = np.array([[1, 0, 1, 1], [0, 0, 0, 1]], dtype=np.int8)  # site b then site a
    files = [tmp_path / f"x.{k}" for k in ("pgen", "pvar", "psam")]
    plink.write_pgen(
        *files, pairs, sites, ["I1", "I2"], genotype_pairs=True, phenotype=np.array([1, 0])
    )
    # sorted by chromosome of first appearance then position: 2:50 (b), then 1:10 (a)
    np.testing.assert_array_equal(plink.read_pgen(files[0]), [[0, 1, 0, 0], [1, 1, 0, 1]])
    assert files[2].read_text() == "#IID\tPHENO1\nI1\t2\nI2\t1\n"
    assert files[1].read_text().splitlines()[-2:] == ["2\t50\tb\tA\tC", "1\t10\ta\tA\tC"]


def test_pgen_leaves_out_an_unpaired_haplotype(tmp_path):
    sites = pd.DataFrame({"chrom": "1", "position": [10, 20], "id": ["a", "b"], "a0": "A"})
    sites["a1"] = "G"
    haps = np.array([[1, 0], [0, 1], [1, 1]], dtype=np.int8)
    files = [tmp_path / f"x.{k}" for k in ("pgen", "pvar", "psam")]
    plink.write_pgen(*files, haps, sites, ["A", "B"])
    np.testing.assert_array_equal(plink.read_pgen(files[0]), [[1, 0], [0, 1]])
    assert files[2].read_text() == "#IID\nA\n"


def test_designs_fasta_parses_with_the_scores_in_each_header(tmp_path):
    table = pd.DataFrame(
        {
            "experiment": "binding_design",
            "design": [0, 1],
            "sequence": ["ACGTAC", "TTGCAA"],
            "oracle": [1.5, -0.25],
            "oracle_start": [0.125, np.nan],
        }
    )
    path = tmp_path / "binding_design.fasta"
    dna_steps.write_designs_fasta(path, table)
    assert path.read_text().splitlines()[::2] == [
        ">binding_design_0 oracle=1.5 oracle_start=0.125",
        ">binding_design_1 oracle=-0.25 oracle_start=nan",
    ]
    records = list(seqs.read_genome(path))
    assert records == [("binding_design_0", 0, "ACGTAC"), ("binding_design_1", 0, "TTGCAA")]
    with pysam.FastxFile(str(path)) as fh:
        comments = [r.comment for r in fh]
    assert comments == ["oracle=1.5 oracle_start=0.125", "oracle=-0.25 oracle_start=nan"]


def test_hapt_written_by_export_is_the_ags(tmp_path):
    _, files = released(tmp_path)
    with gzip.open(files["hapt"], "rt") as fh:
        assert fh.read().splitlines()[0] == "AG AG1_A 1 0 1"
