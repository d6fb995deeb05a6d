"""Bad inputs of issue 37, points 4 and 5: a clear error or a correct result, never silence.

Every case builds its input in ``tmp_path``, runs the library step the workflow runs on it, and
checks the exact message: the file (and line) or the config key, the record, and the fix. Steps
that write files are checked to leave nothing behind.

==  ===========================================  ==============================================
#   case (input)                                  expected
==  ===========================================  ==============================================
1   VCF with lowercase REF/ALT (valid VCF)        6 of 6 SNPs kept, upper-cased; 0 ``indels``
2   legend repeating a chromosome position        ``legend:4: duplicate position 15:300
                                                  (already on line 3) (record 15:300b_G_A).
                                                  Fix: keep one site per position...``
3   legend repeating a position (no chrom ids)    ``duplicate position 300 (already on line 2)``
4   ``epochs: 0`` for the RBM                     ``config key 'rbm.epochs': must be an integer
                                                  >= 1, got 0``
5   ``epochs: 0`` for the GAN                     ``config key 'gan.epochs': must be ... >= 1``
6   ``steps: 0`` for the DNA WGAN                 ``config key 'wgan_dna.steps': must be ... >= 1``
7   genetic map of chromosome 15, SNPs on 1       ``map.txt: genetic map of chromosome 15 at
    (XP-EHH step)                                 20000000-21000000 bp, but the SNPs are on
                                                  chromosome 1 at 1000-80000 bp. Fix: give the
                                                  map of the SNPs' chromosome...``; no output
8   map of the right chromosome, other build      ``... leaves 80 of 80 SNPs outside it (SNPs
    (no SNP inside its range; imputation step)    on chromosome 1 at 1000-80000 bp)``; no output
9   map without chromosome column, other range    the same ``leaves 80 of 80 SNPs outside it``
10  map covering 60 of 80 SNPs (XP-EHH step,     outputs written, the 20 SNPs past the map at
    and the map alone)                            its end value, and a warning ``20 of 80 SNPs
                                                  ... lie outside the genetic map``
11  map with rows of two chromosomes              ``map.txt:4: rows of chromosome 2 after rows
                                                  of chromosome 1. Fix: give one chromosome...``
12  FASTA with ``1`` and ``*`` in a sequence     ``genome.fa:5: characters '1', '*' are not DNA
    line (k-mer step)                             bases or IUPAC codes (record chr2). Fix: a
                                                  sequence line holds only A, C, G, T, N or
                                                  IUPAC codes...``; no output
13  FASTA with a byte that is not UTF-8           ``genome.fa:3: characters '\ufffd' are not DNA
                                                  bases or IUPAC codes (record chr1)``; no output
14  FASTA with IUPAC codes R, Y (k-mer step)      k-mers holding them left out (14 of 16), and a
                                                  warning ``record chr1: 3 IUPAC ambiguity codes
                                                  (R 2, Y 1) read as N, the first on line 3``
15  IUPAC codes in every exon window              ``genome.fa: 0 exons ... of 3 exons of that
                                                  length, ... 3 in windows holding N or IUPAC
                                                  codes (annotation exons.bed). Fix: use a FASTA
                                                  with fewer unknown bases``; no output
16  annotation on a chromosome the FASTA lacks    ``exons.bed: ... 3 are on chromosomes without
                                                  a FASTA record ... Fix: check that annotation
                                                  and FASTA are of the same build...``
17  region with no record (indexed VCF)          ``no record in region 1:1000-2000 (the VCF's
                                                  contigs: 1, 2). Fix: choose a region that
                                                  holds records``; no output (17-26 alike)
18  region on a contig the VCF lacks              ``region 7:1-2000: contig '7' is not in the
                                                  VCF (its contigs: 1, 2). Fix: name one of the
                                                  VCF's contigs in the region``
19  region ``chr1:100-300``, VCF names it ``1``   ``... Fix: the VCF calls it '1': write the
                                                  region as 1:100-300``
20  header-only VCF                               ``the VCF has a header but no records. Fix:
                                                  give a VCF with phased biallelic SNP records``
21  every record of the region dropped            ``no biallelic phased SNP left after filtering
                                                  in region 1:100-300 (records 3, indels 3)``
22  stale index (the VCF changed after tabix)     ``the index snps.vcf.gz.tbi finds no record in
                                                  region 1:100-300, but the VCF holds records
                                                  there: the index is stale. Fix: rebuild the
                                                  index (tabix -f -p vcf snps.vcf.gz)``
23  bgzip VCF cut inside a block                  ``the bgzip file is truncated: it ends without
                                                  its end-of-file block. Fix: download or copy
                                                  the file again (bgzip -t FILE tests...)``
24  bgzip VCF cut at a block end (was: exit 0,     the same
    the records after the cut silently lost)
25  bgzip VCF with a flipped byte                 ``the compressed file is truncated or corrupt:
                                                  decompression fails after <n> lines (<zlib's
                                                  reason>). Fix: download or copy...``
26  plain gzip VCF cut short                      ``... decompression fails after <n> lines
                                                  (Compressed file ended before the
                                                  end-of-stream marker was reached)``
27  ``datasets.wide.source: demoo``               ``config key 'datasets.wide.source': no
                                                  source 'demoo'; the sources are ['demo',
                                                  'real']. Fix: name one of them, or add
                                                  'demoo' under sources``
28  config YAML with an unclosed ``[``            ``config.yaml:5: YAML syntax error, column 1:
                                                  expected ',' or ']', but got '<stream end>'
                                                  (while parsing a flow sequence that starts on
                                                  line 4). Fix: check the indentation...``
29  config YAML indented with a tab               ``config.yaml:3: ... found character '\\t'
                                                  that cannot start any token (record
                                                  epochs: 10)``
30  config YAML with a misaligned key             ``config.yaml:4: ... column 4: expected <block
                                                  end>, but found '<block mapping start>'...``
31  the workflow's own schema with a YAML error   ``config.schema.yaml:4: YAML syntax error...``
32  ``select: differentiated``, one population    ``config key 'datasets.wide.select':
                                                  'differentiated' ranks SNPs by Fst between
                                                  populations (super_pop), but the data has 1:
                                                  ['EUR']. Fix: use select: thinned or region,
                                                  or give the source a panel with two or more
                                                  populations``; no output
33  the same without a panel (every label NA)     ``... but the data has 0: []...``
==  ===========================================  ==============================================
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pysam
import pytest

from genosynth import formats
from genosynth.config import check_references, load_schema, read_yaml
from genosynth.data import SAMPLE_COLUMNS, HaplotypeSet, save_haplotype_set
from genosynth.downstream import selection
from genosynth.errors import ConfigError, InputError
from genosynth.ingest import POLICIES, read_vcf
from genosynth.steps import data, dna, downstream
from genosynth.steps.common import LAYOUT_HAPLOTYPES

VCF_HEADER = (
    "##fileformat=VCFv4.2\n"
    "##contig=<ID=1>\n"
    "##contig=<ID=2>\n"
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\n"
)


def vcf_records(chrom: str, positions, ref: str = "A", alt: str = "G") -> str:
    """One phased biallelic SNP record per position."""
    return "".join(f"{chrom}\t{p}\t.\t{ref}\t{alt}\t.\tPASS\t.\tGT\t0|1\t1|0\n" for p in positions)


def ingest_into(out: Path, inputs: dict, **options) -> None:
    """The ingestion step (``ingest_haplotypes``) writing into ``out``."""
    data.ingest(
        inputs={k: str(v) for k, v in inputs.items()},
        haplotypes=out / "haplotypes.npz",
        report=out / "ingest_report.tsv",
        policies=POLICIES,
        **options,
    )


def expect_error(call, kind=InputError) -> str:
    """The message of the ``kind`` error ``call()`` raises."""
    with pytest.raises(kind) as info:
        call()
    return str(info.value)


def assert_empty(folder: Path) -> None:
    assert not folder.exists() or sorted(p.name for p in folder.iterdir()) == []


# --- 4a: lowercase REF/ALT ------------------------------------------------------------------
def test_lowercase_ref_alt_are_snps(tmp_path):
    path = tmp_path / "lower.vcf"
    body = vcf_records("1", [100, 300, 500]) + vcf_records("1", [200, 400, 600], "c", "t")
    lines = sorted(body.splitlines(keepends=True), key=lambda r: int(r.split("\t")[1]))
    path.write_text(VCF_HEADER + "".join(lines))
    hs, report = read_vcf(path)
    assert report["indels"] == 0 and report["kept_sites"] == 6
    assert hs.sites["id"].tolist()[:2] == ["1:100_A_G", "1:200_C_T"]
    assert hs.sites["a0"].tolist() == ["A", "C"] * 3
    assert hs.sites["a1"].tolist() == ["G", "T"] * 3


# --- 4b: a legend with a duplicate position ------------------------------------------------
HAPT = "Real S1_A 0 1 1 0\nReal S1_B 1 1 0 0\nReal S2_A 0 0 0 1\nReal S2_B 1 0 1 1\n"
LEGEND_FIX = (
    "Fix: keep one site per position: remove the repeated legend line and its allele column "
    "from the .hapt file"
)


@pytest.mark.parametrize(
    ("legend", "message"),
    [
        (
            "id position a0 a1\n15:100_A_G 100 A G\n15:300_C_T 300 C T\n"
            "15:300b_G_A 300 G A\n15:400_T_C 400 T C\n",
            "tiny.legend:4: duplicate position 15:300 (already on line 3) (record 15:300b_G_A)",
        ),
        (
            "id position a0 a1\nrs1 300 A G\nrs2 200 C T\n\nrs3 300 G A\nrs4 400 T C\n",
            "tiny.legend:5: duplicate position 300 (already on line 2) (record rs3)",
        ),
    ],
    ids=["chrom-ids", "rs-ids"],
)
def test_legend_with_duplicate_position_is_refused(tmp_path, legend, message):
    (tmp_path / "tiny.legend").write_text(legend)
    (tmp_path / "tiny.hapt").write_text(HAPT)
    out = tmp_path / "out"
    inputs = {"hapt": tmp_path / "tiny.hapt", "legend": tmp_path / "tiny.legend"}
    msg = expect_error(lambda: ingest_into(out, inputs))
    assert msg == f"{tmp_path}/{message}. {LEGEND_FIX}"
    assert_empty(out)


# --- 4c: zero epochs ----------------------------------------------------------------------
def _model(name: str, **params):
    from genosynth.dna.wgan import SequenceWGAN
    from genosynth.models import get_model

    return SequenceWGAN(**params) if name == "wgan_dna" else get_model(name, **params)


@pytest.mark.parametrize(
    ("model", "key"), [("rbm", "epochs"), ("gan", "epochs"), ("wgan_dna", "steps")]
)
def test_zero_epochs_is_refused(model, key):
    msg = expect_error(lambda: _model(model, **{key: 0}), ConfigError)
    assert msg == f"config key '{model}.{key}': must be an integer >= 1, got 0"


# --- 4d: a genetic map of another chromosome or build ----------------------------------------
MAP_FIX = "Fix: give the map of the SNPs' chromosome in their genome build (downstream.genetic_map)"
N_SITES = 80


def scan_dataset(folder: Path) -> dict:
    """A tiny `scan` dataset (80 SNPs on chromosome 1, 1-80 kb): the inputs of the scans."""
    rng = np.random.default_rng(0)
    folder.mkdir()
    positions = np.arange(1, N_SITES + 1) * 1000
    sites = pd.DataFrame({"chrom": "1", "position": positions, "a0": "A", "a1": "G"})
    sites["id"] = [f"1:{p}_A_G" for p in positions]
    formats.write_legend(folder / "snps.legend", sites)
    files = {"legend": folder / "snps.legend", "info": folder / "dataset.json"}
    files["info"].write_text(json.dumps({"layout": LAYOUT_HAPLOTYPES}))
    rows = []
    for part, n, pops in (("train", 12, ["T"]), ("test", 4, ["T"]), ("others", 24, ["A", "B"])):
        ids = [f"{part}{i // 2}_{'AB'[i % 2]}" for i in range(n)]
        haps = rng.integers(0, 2, (n, N_SITES), dtype=np.int8)
        formats.write_hapt(folder / f"{part}.hapt.gz", haps, ids)
        files[part] = folder / f"{part}.hapt.gz"
        for i, hap in enumerate(ids):
            pop = pops[i * len(pops) // n]
            rows.append((hap, hap[:-2], pop, pop, part.rstrip("s")))
    panel = pd.DataFrame(rows, columns=["hap_id", "sample", "pop", "super_pop", "split"])
    panel.to_csv(folder / "panel.tsv", sep="\t", index=False)
    files["panel"] = folder / "panel.tsv"
    formats.write_hapt(folder / "ags.hapt.gz", rng.integers(0, 2, (16, N_SITES), dtype=np.int8),
                       [f"ag{i // 2}_{'AB'[i % 2]}" for i in range(16)], tag="AG")  # fmt: skip
    return files


def write_map(path: Path, header: str, rows) -> Path:
    path.write_text(header + "\n" + "".join(" ".join(map(str, r)) + "\n" for r in rows))
    return path


def scan_xpehh(files: dict, genetic_map: Path, out: Path) -> None:
    """The XP-EHH step (``scan_selection``, statistic xpehh) writing into ``out``."""
    inputs = {k: v for k, v in files.items() if k != "ags"} | {"genetic_map": genetic_map}
    downstream.scan_xpehh(
        dataset="scan",
        inputs=inputs,
        ags={"bernoulli": files["legend"].parent / "ags.hapt.gz"},
        settings={"seed": 0, "groups": [], "n_peaks": 5, "xpehh": {}},
        clusters={"n_clusters": 0, "label": "NA", "seed": 0},
        table=out / "xpehh.tsv",
        figure=out / "xpehh.png",
        metrics=out / "metrics.tsv",
    )


def test_xpehh_with_a_map_covering_most_snps_runs_and_warns(tmp_path, caplog):
    files = scan_dataset(tmp_path / "data")
    rows = [("chr1", 1000, 1.0, 0.0), ("chr1", 60_000, 1.0, 5.9)]
    genetic_map = write_map(
        tmp_path / "map.txt", "Chromosome Position(bp) Rate(cM/Mb) Map(cM)", rows
    )
    out = tmp_path / "out"
    out.mkdir()
    with caplog.at_level(logging.WARNING, logger="genosynth.downstream.selection"):
        scan_xpehh(files, genetic_map, out)
    table = pd.read_csv(out / "xpehh.tsv", sep="\t", comment="#")
    assert table["position"].tolist() == list(range(1000, 80001, 1000))
    assert {"metrics.tsv", "xpehh.png", "xpehh.tsv"} <= {p.name for p in out.iterdir()}
    assert [r.getMessage() for r in caplog.records if r.name.endswith("selection")] == [
        f"{genetic_map}: 20 of 80 SNPs (chromosome 1 at 1000-80000 bp) lie outside the genetic "
        "map (chromosome 1 at 1000-60000 bp); they take the cM of its ends"
    ]


def test_xpehh_with_a_map_of_another_chromosome_fails(tmp_path):
    files = scan_dataset(tmp_path / "data")
    chr15 = [("chr15", 20_000_000, 1.0, 0.0), ("chr15", 21_000_000, 1.0, 1.0)]
    genetic_map = write_map(
        tmp_path / "map.txt", "Chromosome Position(bp) Rate(cM/Mb) Map(cM)", chr15
    )
    out = tmp_path / "out"
    out.mkdir()
    msg = expect_error(lambda: scan_xpehh(files, genetic_map, out))
    assert msg == (
        f"{genetic_map}: genetic map of chromosome 15 at 20000000-21000000 bp, but the SNPs are "
        f"on chromosome 1 at 1000-80000 bp. {MAP_FIX}"
    )
    assert_empty(out)


@pytest.mark.parametrize(
    ("header", "rows", "mapped"),
    [
        ("chr position rate cM", [(1, 5_000_000, 1, 0.0), (1, 6_000_000, 1, 1.0)], "chromosome 1"),
        ("position rate cM", [(5_000_000, 1, 0.0), (6_000_000, 1, 1.0)], "chromosome (unnamed)"),
    ],
    ids=["chrom-column", "no-chrom-column"],
)
def test_imputation_with_a_map_of_another_build_fails(tmp_path, header, rows, mapped):
    files = scan_dataset(tmp_path / "data")
    genetic_map = write_map(tmp_path / "map.txt", header, rows)
    out = tmp_path / "out"
    names = {"target": "target.vcf.gz", "reference": "reference.vcf.gz", "sites": "sites.tsv"}
    outputs = {k: out / v for k, v in (names | {"map": "beagle.map"}).items()}
    msg = expect_error(
        lambda: downstream.prepare_imputation(
            **{k: files[k] for k in ("train", "test", "others", "legend", "info")},
            genetic_map=genetic_map,
            outputs=outputs,
            array={"fraction": 0.3, "min_maf": 0.0},
        )
    )
    assert msg == (
        f"{genetic_map}: genetic map of {mapped} at 5000000-6000000 bp leaves 80 of 80 SNPs "
        f"outside it (SNPs on chromosome 1 at 1000-80000 bp). {MAP_FIX}"
    )
    assert_empty(out)


def test_map_covering_most_snps_warns_about_the_rest(tmp_path, caplog):
    genetic_map = write_map(tmp_path / "map.txt", "chr position rate cM",
                            [(1, 1000, 1, 0.0), (1, 60_000, 1, 5.9)])  # fmt: skip
    positions = np.arange(1, N_SITES + 1) * 1000
    with caplog.at_level(logging.WARNING, logger="genosynth.downstream.selection"):
        cm = selection.map_positions(genetic_map, ["1"] * N_SITES, positions)
    np.testing.assert_allclose(cm[:60], np.arange(60) * 0.1)
    np.testing.assert_allclose(cm[60:], 5.9)
    assert caplog.messages == [
        f"{genetic_map}: 20 of 80 SNPs (chromosome 1 at 1000-80000 bp) lie outside the genetic "
        "map (chromosome 1 at 1000-60000 bp); they take the cM of its ends"
    ]


def test_map_with_two_chromosomes_names_the_line(tmp_path):
    rows = [(1, 1000, 1, 0.0), (1, 2000, 1, 0.1), (2, 3000, 1, 0.2)]
    genetic_map = write_map(tmp_path / "map.txt", "chr position rate cM", rows)
    msg = expect_error(lambda: selection.read_genetic_map(genetic_map))
    assert msg == (
        f"{genetic_map}:4: rows of chromosome 2 after rows of chromosome 1 (record 2 3000 1 0.2). "
        "Fix: give one chromosome per file"
    )


# --- 4e: a FASTA with IUPAC codes or junk characters ----------------------------------------
FASTA_FIX = (
    "Fix: a sequence line holds only A, C, G, T, N or IUPAC codes (either case): remove the "
    "other characters or export the FASTA again"
)
KMERS = {"length": 4, "seed": 0, "max_sequences": 1000, "split": [0.8, 0.1, 0.1]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            ">chr1 demo\nACGTACGTAC\n>chr2\nACGTACGTAC\nACG1T*ACGT\n",
            "genome.fa:5: characters '1', '*' are not DNA bases or IUPAC codes (record chr2)",
        ),
        (
            b">chr1\nACGTACGTAC\nAC\xe9GT\n",
            "genome.fa:3: characters '\ufffd' are not DNA bases or IUPAC codes (record chr1)",
        ),
    ],
    ids=["junk", "not-utf8"],
)
def test_fasta_with_junk_characters_is_refused(tmp_path, text, message):
    fasta = tmp_path / "genome.fa"
    fasta.write_bytes(text if isinstance(text, bytes) else text.encode())
    out = tmp_path / "out"
    msg = expect_error(lambda: dna.extract_kmers(fasta=fasta, output=out / "k.npz", settings=KMERS))
    assert msg == f"{tmp_path}/{message}. {FASTA_FIX}"
    assert_empty(out)


def test_fasta_iupac_codes_are_read_as_n_and_logged(tmp_path, caplog):
    fasta = tmp_path / "genome.fa"
    fasta.write_text(">chr1\n" + "ACGT" * 10 + "\n" + "ACGR" + "ACGT" * 4 + "ryGT" + "\n")
    with caplog.at_level(logging.WARNING, logger="genosynth.dna.sequences"):
        dna.extract_kmers(fasta=fasta, output=tmp_path / "k.npz", settings=KMERS)
    with np.load(tmp_path / "k.npz") as kmers:
        assert sum(len(kmers[k]) for k in ("train", "valid", "test")) == 14  # 16 less 2 with codes
    assert caplog.messages == [
        f"{fasta}: record chr1: 3 IUPAC ambiguity codes (R 2, Y 1) read as N, the first on line 3"
    ]


WINDOWS = {"annotation_format": "bed", "window": 40, "min_exon": 10, "max_exon": 20, "min_flank": 5}


@pytest.mark.parametrize(
    ("chrom", "blamed", "counts", "other", "fix"),
    [
        (
            "chr1",
            "genome.fa",
            "0 are on chromosomes without a FASTA record, 0 too near a record's end, 0 with a "
            "flank under 5 nt, 3 in windows holding N or IUPAC codes",
            "annotation",
            "use a FASTA with fewer unknown bases (N, IUPAC codes)",
        ),
        (
            "chr7",
            "exons.bed",
            "3 are on chromosomes without a FASTA record, 0 too near a record's end, 0 with a "
            "flank under 5 nt, 0 in windows holding N or IUPAC codes",
            "FASTA",
            "check that annotation and FASTA are of the same build and chromosome names",
        ),
    ],
    ids=["iupac-empties-windows", "other-chromosome"],
)
def test_exon_windows_error_blames_the_right_file(tmp_path, chrom, blamed, counts, other, fix):
    fasta, bed = tmp_path / "genome.fa", tmp_path / "exons.bed"
    seq = ["ACGT" * 10] * 10
    for i in (1, 4, 7):  # an ambiguity code in each exon's window
        seq[i] = seq[i][:20] + "R" + seq[i][21:]
    fasta.write_text(">chr1\n" + "\n".join(seq) + "\n")
    bed.write_text(
        "".join(f"{chrom}\t{40 * i + 12}\t{40 * i + 27}\te{i}\t0\t+\n" for i in (1, 4, 7))
    )
    out = tmp_path / "out"
    msg = expect_error(
        lambda: dna.extract_exon_windows(
            fasta=fasta, annotation=bed, output=out / "w.npz", table=out / "w.tsv", settings=WINDOWS
        )  # fmt: skip
    )
    files = {"genome.fa": fasta, "exons.bed": bed}
    named = files["exons.bed" if blamed == "genome.fa" else "genome.fa"]
    assert msg == (
        f"{files[blamed]}: 0 exons of 10-20 nt fit in an N-free 40-nt window of the genome: of 3 "
        f"exons of that length, {counts} ({other} {named}). Fix: {fix}"
    )
    assert_empty(out)


# --- 5: VCF errors that say what is wrong ---------------------------------------------------
def bgzip(text: str, path: Path, *, index: bool = False) -> Path:
    """``text`` written as a bgzipped VCF at ``path`` (and its tabix index)."""
    plain = path.with_suffix("")
    plain.write_text(text)
    pysam.tabix_compress(str(plain), str(path), force=True)
    plain.unlink()
    if index:
        pysam.tabix_index(str(path), preset="vcf", force=True)
    return path


def vcf_error(path: Path, out: Path, **options) -> str:
    """The message of the ingestion step on ``path``; checks that ``out`` stays empty."""
    msg = expect_error(lambda: ingest_into(out, {"vcf": path}, **options))
    assert_empty(out)
    return msg.removeprefix(f"{path}: ")


SNPS = VCF_HEADER + vcf_records("1", [100, 200, 300]) + vcf_records("2", [50])


@pytest.mark.parametrize(
    ("indexed", "region", "message"),
    [
        (
            True,
            "1:1000-2000",
            "no record in region 1:1000-2000 (the VCF's contigs: 1, 2). Fix: choose a region "
            "that holds records",
        ),
        (
            True,
            "7:1-2000",
            "region 7:1-2000: contig '7' is not in the VCF (its contigs: 1, 2). Fix: name one of "
            "the VCF's contigs in the region",
        ),
        (
            False,
            "chr1:100-300",
            "region chr1:100-300: contig 'chr1' is not in the VCF (its contigs: 1, 2). Fix: the "
            "VCF calls it '1': write the region as 1:100-300",
        ),
    ],
    ids=["empty-region", "missing-contig", "chr-prefix"],
)
def test_empty_region_names_region_and_contigs(tmp_path, indexed, region, message):
    path = bgzip(SNPS, tmp_path / "snps.vcf.gz", index=indexed)
    assert vcf_error(path, tmp_path / "out", region=region) == message


def test_header_only_vcf(tmp_path):
    path = tmp_path / "header.vcf"
    path.write_text(VCF_HEADER)
    assert vcf_error(path, tmp_path / "out") == (
        "the VCF has a header but no records. Fix: give a VCF with phased biallelic SNP records"
    )


def test_everything_filtered_in_a_region_names_the_region(tmp_path):
    path = tmp_path / "indels.vcf"
    path.write_text(VCF_HEADER + vcf_records("1", [100, 200, 300], "AT", "A"))
    assert vcf_error(path, tmp_path / "out", region="1:100-300") == (
        "no biallelic phased SNP left after filtering in region 1:100-300 (records 3, indels 3). "
        "Fix: check the region and the policies"
    )


def test_stale_index_is_named(tmp_path):
    path = bgzip(VCF_HEADER + vcf_records("2", [50, 60]), tmp_path / "snps.vcf.gz", index=True)
    bgzip(SNPS, path)  # the VCF changes; its index does not
    assert vcf_error(path, tmp_path / "out", region="1:100-300") == (
        "the index snps.vcf.gz.tbi finds no record in region 1:100-300, but the VCF holds "
        "records there: the index is stale. Fix: rebuild the index (tabix -f -p vcf snps.vcf.gz)"
    )


CORRUPT_FIX = "Fix: download or copy the file again (bgzip -t FILE tests a bgzip file)"
MANY = VCF_HEADER + vcf_records("1", range(100, 2_000_000, 100))  # 19999 records, 3 blocks


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        (
            lambda data: data[: len(data) // 2],
            "the bgzip file is truncated: it ends without its end-of-file block",
        ),
        (
            lambda data: data[:-28],
            "the bgzip file is truncated: it ends without its end-of-file block",
        ),
        (
            lambda data: data[:24000] + bytes([data[24000] ^ 0xFF]) + data[24001:],
            # the line count and zlib's reason depend on the zlib version
            r"the compressed file is truncated or corrupt: decompression fails after \d+ lines "
            r"\((Error -3 while decompressing data|CRC check failed).*\)",
        ),
    ],
    ids=["cut-in-a-block", "cut-at-a-block-end", "flipped-byte"],
)
def test_truncated_or_corrupt_bgzip_is_named(tmp_path, cut, message):
    path = bgzip(MANY, tmp_path / "many.vcf.gz")
    path.write_bytes(cut(path.read_bytes()))
    assert re.fullmatch(f"{message}. {re.escape(CORRUPT_FIX)}", vcf_error(path, tmp_path / "out"))


def test_truncated_gzip_is_named(tmp_path):
    path = tmp_path / "many.vcf.gz"
    path.write_bytes(gzip.compress(MANY.encode(), mtime=0)[:30000])
    lines = zlib.decompressobj(wbits=31).decompress(path.read_bytes()).count(b"\n")
    assert vcf_error(path, tmp_path / "out") == (
        f"the compressed file is truncated or corrupt: decompression fails after {lines} lines "
        f"(Compressed file ended before the end-of-stream marker was reached). {CORRUPT_FIX}"
    )


# --- 5c: config errors that name the key, the file and the line -----------------------------
def test_dataset_naming_no_source_names_the_key():
    config = {"sources": {"demo": {}, "real": {}}, "datasets": {"wide": {"source": "demoo"}}}
    msg = expect_error(lambda: check_references(config), ConfigError)
    assert msg == (
        "config key 'datasets.wide.source': no source 'demoo'; the sources are ['demo', 'real']. "
        "Fix: name one of them, or add 'demoo' under sources"
    )


YAML_FIX = (
    "Fix: check the indentation (spaces, not tabs), the colons and the brackets there or on the "
    "line before"
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "datasets:\n  wide:\n    source: demo\n    populations: [CEU, YRI\n",
            "config.yaml:5: YAML syntax error, column 1: expected ',' or ']', but got "
            "'<stream end>' (while parsing a flow sequence that starts on line 4)",
        ),
        (
            "models:\n  rbm:\n\tepochs: 10\n",
            "config.yaml:3: YAML syntax error, column 1: found character '\\t' that cannot start "
            "any token (record epochs: 10)",
        ),
        (
            "models:\n  rbm:\n    epochs: 10\n   seed: 1\n",
            "config.yaml:4: YAML syntax error, column 4: expected <block end>, but found "
            "'<block mapping start>' (while parsing a block mapping that starts on line 2) "
            "(record seed: 1)",
        ),
    ],
    ids=["unclosed-bracket", "tab", "indentation"],
)
def test_yaml_syntax_error_names_file_line_and_column(tmp_path, text, message):
    path = tmp_path / "config.yaml"
    path.write_text(text)
    assert expect_error(lambda: read_yaml(path)) == f"{tmp_path}/{message}. {YAML_FIX}"


def test_workflow_schema_syntax_error_names_file_and_line(tmp_path):
    schema = tmp_path / "config.schema.yaml"
    schema.write_text("type: object\nproperties:\n  a: {type: string\n")
    msg = expect_error(lambda: load_schema(schema))
    assert msg.startswith(f"{schema}:4: YAML syntax error, column 1: expected ',' or '}}'")


# --- 5d: differentiated on one population ------------------------------------------------
def one_population_set(pops: list[str]) -> HaplotypeSet:
    """A haplotype set of 4 individuals with population labels ``pops`` (one each)."""
    rng = np.random.default_rng(1)
    sites = pd.DataFrame({"chrom": "1", "position": np.arange(1, 21) * 100, "a0": "A", "a1": "G"})
    sites["id"] = [f"1:{p}_A_G" for p in sites["position"]]
    samples = pd.DataFrame({"sample": np.repeat([f"S{i}" for i in range(4)], 2)})
    samples["hap_id"] = samples["sample"] + np.tile(["_A", "_B"], 4)
    samples["pop"] = samples["super_pop"] = np.repeat(pops, 2)
    hs = HaplotypeSet(rng.integers(0, 2, (8, 20), dtype=np.int8), sites, samples[SAMPLE_COLUMNS])
    return hs


@pytest.mark.parametrize(
    ("pops", "found"), [(["EUR"] * 4, "1: ['EUR']"), (["NA"] * 4, "0: []")], ids=["one", "none"]
)
def test_differentiated_with_one_population_names_the_key(tmp_path, pops, found):
    npz = tmp_path / "haplotypes.npz"
    save_haplotype_set(npz, one_population_set(pops))
    out = tmp_path / "data"
    settings = {"source": "s", "select": "differentiated", "n_snps": 5, "min_maf": 0.0,
                "min_distance": 0, "populations": [], "complement": []}  # fmt: skip
    msg = expect_error(
        lambda: data.build_dataset(
            name="wide",
            haplotypes=npz,
            phenotypes=None,
            outputs={k: out / k for k in ("train", "test", "others", "legend", "panel", "info")},
            dataset=settings,
            split={"test_fraction": 0.25, "seed": 1},
        ),
        ConfigError,
    )
    assert msg == (
        "config key 'datasets.wide.select': 'differentiated' ranks SNPs by Fst between "
        f"populations (super_pop), but the data has {found}. Fix: use select: thinned or region, "
        "or give the source a panel with two or more populations"
    )
    assert_empty(out)
