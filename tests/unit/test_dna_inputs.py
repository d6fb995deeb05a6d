"""DNA inputs in published layouts: SELEX pairs, scored FASTA, peak regions, TSV, transforms,
MEME/HOMER/JASPAR motifs, and the DNA-only config (issue 38 item 4)."""

from __future__ import annotations

import gzip
import re

import numpy as np
import pytest
from conftest import REPO, run_snakemake

from genosynth.config import check_references
from genosynth.dna import binding, motifs, sequences
from genosynth.errors import ConfigError, InputError
from genosynth.steps import dna as dna_steps

GENOME = "ACGTTGCAAC" * 4  # 40 nt; g[10:20] = ACGTTGCAAC


def _write(path, text):
    path.write_text(text)
    return path


# --- SELEX (two files) -------------------------------------------------------------------
def test_selex_by_line_skips_headers(tmp_path):
    seq = _write(tmp_path / "seq.txt", "seq\nACGT\nTTGA\n")
    val = _write(tmp_path / "relKa.txt", "relKa\n0.5\n2\n")
    codes, values = binding.read_selex(seq, val)
    np.testing.assert_array_equal(codes, [[0, 1, 2, 3], [3, 3, 2, 0]])
    np.testing.assert_array_equal(values, [0.5, 2.0])


def test_selex_by_id_in_any_order_gzipped(tmp_path):
    seq = _write(tmp_path / "seq.txt", "s1 ACGT\ns2 TTGA\n")
    val = tmp_path / "values.txt.gz"
    with gzip.open(val, "wt") as fh:
        fh.write("id\tvalue\ns2\t4\ns1\t1\n")
    codes, values = binding.read_selex(seq, val, match="id")
    assert sequences.decode(codes) == ["ACGT", "TTGA"]
    np.testing.assert_array_equal(values, [1.0, 4.0])


def test_selex_unequal_files_name_the_extra_line_and_the_fix(tmp_path):
    seq = _write(tmp_path / "seq.txt", "seq\nACGT\nTTGA\n")
    val = _write(tmp_path / "relKa.txt", "relKa\n0.5\n2\n3\n")
    with pytest.raises(
        InputError,
        match=r"relKa.txt:4: 3 data lines, but .*seq.txt has 2.*"
        r"Fix: give files of equal length, or match: id",
    ):
        binding.read_selex(seq, val)


def test_selex_bad_value_and_missing_id_name_file_line_fix(tmp_path):
    seq = _write(tmp_path / "seq.txt", "s1 ACGT\ns2 TTGA\n")
    val = _write(tmp_path / "relKa.txt", "relKa\n0.5\nhigh\n")
    with pytest.raises(
        InputError,
        match=r"relKa.txt:3: value 'high' is not a number.*"
        r"Fix: each line ends with a number",
    ):
        binding.read_selex(seq, val)
    _write(val, "s1 0.5\n")
    with pytest.raises(
        InputError,
        match=r"seq.txt:2: id 's2' has no value in .*relKa.txt.*"
        r"Fix: add its value",
    ):
        binding.read_selex(seq, val, match="id")


# --- FASTA with scores -------------------------------------------------------------------
def test_scored_fasta_both_header_forms(tmp_path):
    fa = _write(tmp_path / "probes.fa", ">a score=1.5 src=x\nACGT\n>b 2.25\nTT\nGA\n")
    codes, values = binding.read_scored_fasta(fa)
    assert sequences.decode(codes) == ["ACGT", "TTGA"]
    np.testing.assert_array_equal(values, [1.5, 2.25])


def test_scored_fasta_errors_name_header_line_and_fix(tmp_path):
    fa = _write(tmp_path / "probes.fa", ">a 1\nACGT\n>b\nTTGA\n")
    with pytest.raises(
        InputError,
        match=r"probes.fa:3: no score in the header \(record >b\)\. "
        r"Fix: write the score after the id: `>id score=1.23` or `>id 1.23`",
    ):
        binding.read_scored_fasta(fa)
    _write(fa, ">a 1\nACGT\n>b 2\nACNT\n")
    with pytest.raises(InputError, match=r"probes.fa:3: character 'N' is not one of ACGT"):
        binding.read_scored_fasta(fa)


# --- BED / narrowPeak regions ------------------------------------------------------------
def _genome(tmp_path):
    return _write(tmp_path / "genome.fa", f">chr1\n{GENOME}\n")


def test_bed_windows_centred_on_the_middle_with_flank_negatives(tmp_path):
    bed = _write(tmp_path / "peaks.bed", "chr1\t10\t20\tp1\t0\t+\nchr1\t10\t20\tp2\t0\t-\n")
    regions = binding.read_regions(bed, "bed")
    assert regions["centre"].tolist() == [15, 15] and regions["line"].tolist() == [1, 2]
    genome = sequences.read_genome(_genome(tmp_path))
    pos, neg = binding.region_windows(genome, regions, length=4, path=bed, flank=True)
    # centre 15 -> g[13:17] = TTGC (+), its reverse complement GCAA (-)
    assert sequences.decode(pos) == ["TTGC", "GCAA"]
    # flank: one probe length before the start, g[2:6] = GTTG (and CAAC on -)
    assert sequences.decode(neg) == ["GTTG", "CAAC"]


def test_narrowpeak_summit_centres_the_window(tmp_path):
    peak = _write(tmp_path / "p.narrowPeak", "1\t10\t30\tp\t0\t.\t5.0\t-1\t-1\t2\n")
    regions = binding.read_regions(peak, "narrowpeak")
    assert regions["centre"].tolist() == [12]
    pos, neg = binding.region_windows(
        sequences.read_genome(_genome(tmp_path)), regions, length=4, path=peak
    )
    assert sequences.decode(pos) == ["ACGT"] and neg.shape == (0, 4)  # g[10:14]


def test_region_errors_name_file_line_and_fix(tmp_path):
    peak = _write(tmp_path / "p.narrowPeak", "# peaks\nchr1\t10\t30\tp\t0\t.\n")
    with pytest.raises(
        InputError,
        match=r"p.narrowPeak:2: not a narrowpeak record .*"
        r"Fix: give 10 tab-separated columns",
    ):
        binding.read_regions(peak, "narrowpeak")
    bed = _write(tmp_path / "x.bed", "chrX\t10\t20\n")
    with pytest.raises(
        InputError,
        match=r"x.bed:1: none of 1 regions has an N-free 4-nt window"
        r".*Fix: check that regions and genome are of one build",
    ):
        binding.region_windows(
            sequences.read_genome(_genome(tmp_path)),
            binding.read_regions(bed, "bed"),
            length=4,
            path=bed,
        )


# --- TSV layout and transforms ------------------------------------------------------------
def test_tsv_error_names_the_columns_found(tmp_path):
    table = _write(tmp_path / "selex.tsv", "seq\trelKa\nACGT\t0.5\n")
    with pytest.raises(
        InputError,
        match=r"selex.tsv:1: no column 'sequence' or 'score' in the "
        r"header; columns found: 'seq', 'relKa'.*Fix: set "
        r"dna.binding_sets.<set>.column",
    ):
        sequences.read_binding_table(table, "tsv")
    _write(table, "sequence\trelKa\nACGT\t0.5\n")
    codes, values = sequences.read_binding_table(table, "tsv", column="relKa")
    assert sequences.decode(codes) == ["ACGT"] and values.tolist() == [0.5]


def test_transforms_and_their_domain_error():
    np.testing.assert_allclose(
        binding.transform_values([1, 4, 0.5], "log2", path="v"), [0.0, 2.0, -1.0]
    )
    np.testing.assert_allclose(
        binding.transform_values([0, np.e - 1], "log1p", path="v"), [0.0, 1.0]
    )
    assert binding.transform_values([-3.0], "none", path="v").tolist() == [-3.0]
    with pytest.raises(
        InputError,
        match=r"^v: 1 values <= 0 have no log2 \(the first is record "
        r"2: 0\).*Fix: use transform: none",
    ):
        binding.transform_values([1.0, 0.0], "log2", path="v")


def test_prepare_binding_selex_log2_with_held_out_pair(tmp_path):
    files = {
        "table": _write(tmp_path / "seq_train.txt", "seq\nACGT\nTTGA\n"),
        "values": _write(tmp_path / "val_train.txt", "relKa\n1\n8\n"),
        "test": _write(tmp_path / "seq_val.txt", "seq\nGGGG\n"),
        "test_values": _write(tmp_path / "val_val.txt", "relKa\n0.25\n"),
    }
    settings = {
        "format": "selex",
        "match": "line",
        "transform": "log2",
        "negatives": "none",
        "column": "score",
        "length": 101,
    }
    out = tmp_path / "binding.npz"
    dna_steps.prepare_binding(
        inputs=files, output=out, settings=settings, split={"seed": 0, "test_fraction": 0.5}
    )
    with np.load(out) as z:
        assert sequences.decode(z["codes"]) == ["ACGT", "TTGA", "GGGG"]
        np.testing.assert_array_equal(z["y"], [0.0, 3.0, -2.0])
        np.testing.assert_array_equal(z["test"], [False, False, True])


def test_prepare_binding_bed_flank_labels(tmp_path):
    files = {"table": _write(tmp_path / "p.bed", "chr1\t10\t20\n"), "genome": _genome(tmp_path)}
    settings = {
        "format": "bed",
        "transform": "none",
        "negatives": "flank",
        "length": 4,
        "column": "score",
        "match": "line",
    }
    out = tmp_path / "binding.npz"
    dna_steps.prepare_binding(
        inputs=files, output=out, settings=settings, split={"seed": 0, "test_fraction": 0.5}
    )
    with np.load(out) as z:
        assert sequences.decode(z["codes"]) == ["TTGC", "GTTG"]
        np.testing.assert_array_equal(z["y"], [1.0, 0.0])
    with pytest.raises(ConfigError, match=r"flank needs regions .*not fasta"):
        dna_steps.prepare_binding(
            inputs=files,
            output=out,
            split={"seed": 0, "test_fraction": 0.5},
            settings=settings | {"format": "fasta"},
        )


# --- motifs: MEME, HOMER, JASPAR ----------------------------------------------------------
MEME = """MEME version 4

ALPHABET= ACGT

MOTIF M1 MAX
letter-probability matrix: alength= 4 w= 2 nsites= 10 E= 0
 0.7 0.1 0.1 0.1
 0.0 1.0 0.0 0.0

MOTIF M2
letter-probability matrix: alength= 4 w= 1
 0.25 0.25 0.25 0.25
"""


def test_meme_by_id_and_by_name(tmp_path):
    path = _write(tmp_path / "m.meme", MEME)
    name, probs = motifs.read_motif(path, "M1")
    assert name == "MAX"
    np.testing.assert_array_equal(probs, [[0.7, 0.1, 0.1, 0.1], [0.0, 1.0, 0.0, 0.0]])
    assert motifs.read_motif(path, "MAX")[1].shape == (2, 4)
    assert motifs.read_motif(path, "M2", fmt="meme")[0] == "M2"


def test_meme_errors_name_file_line_and_fix(tmp_path):
    path = _write(tmp_path / "m.txt", MEME.replace(" 0.0 1.0 0.0 0.0", " 0.0 1.0 0.0"))
    with pytest.raises(
        InputError,
        match=r"m.txt:8: not a meme matrix row of 4 numbers .*"
        r"Fix: check the file is meme",
    ):
        motifs.read_motif(path, "M1")
    good = _write(tmp_path / "m.meme", MEME)
    with pytest.raises(
        InputError,
        match=r"m.meme: no motif 'MYC' among 2 meme motifs.*"
        r"Fix: set dna.design.motif_design.motif .*e.g. M1, M2",
    ):
        motifs.read_motif(good, "MYC")


def test_homer_gzipped_by_name(tmp_path):
    path = tmp_path / "h.motif.gz"
    with gzip.open(path, "wt") as fh:
        fh.write(
            ">CACGTG\tMAX_HUMAN\t4.0\n0.1\t0.7\t0.1\t0.1\n0.9\t0\t0\t0.1\n"
            ">TTT\tOTHER\t3\n0\t0\t0\t1\n"
        )
    name, probs = motifs.read_motif(path, "MAX_HUMAN")
    assert name == "MAX_HUMAN"
    np.testing.assert_array_equal(probs, [[0.1, 0.7, 0.1, 0.1], [0.9, 0, 0, 0.1]])
    assert motifs.read_motif(path, "TTT")[0] == "OTHER"  # by consensus


def test_homer_error_names_file_line_and_fix(tmp_path):
    path = _write(tmp_path / "h.motif", ">CA\tX\t4\n0.1 0.7 0.1 0.1\nA 0.9 0 0\n")
    with pytest.raises(
        InputError,
        match=r"h.motif:3: not a homer matrix row of 4 numbers "
        r"\(A C G T\) \(record A 0.9 0 0\)\. Fix: check the file is homer",
    ):
        motifs.read_motif(path, "X")


def test_jaspar_through_read_motif_and_its_error(tmp_path):
    path = _write(
        tmp_path / "m.jaspar", ">MA0001.1\tX\nA [ 1 2 ]\nC [ 3 4 ]\nG [ 5 6 ]\nT [ 7 8 ]\n"
    )
    name, counts = motifs.read_motif(path, "MA0001")
    assert name == "X"
    np.testing.assert_array_equal(counts, [[1, 3, 5, 7], [2, 4, 6, 8]])
    _write(path, ">MA0001.1\tX\nA [ 1 2 ]\nC [ 3 x ]\n")
    with pytest.raises(InputError, match=r"m.jaspar:3: not a JASPAR count row .*Fix: rows read"):
        motifs.read_motif(path, "MA0001.1")


def test_motif_design_reads_motif_file(tmp_path):
    path = _write(tmp_path / "m.meme", MEME)
    name, counts = dna_steps._motif(
        {"motif_file": str(path), "jaspar": "", "motif": "M1", "motif_format": "auto"}
    )
    assert name == "MAX" and counts.shape == (2, 4)
    assert dna_steps._motif({"jaspar": "", "motif": "MA0058.4"})[0] == "MAX"  # embedded


def test_shared_motif_and_selex_files_parse(shared_data):
    dna = shared_data / "dna"
    hocomoco = dna / "motifs/HOCOMOCOv10_HUMAN_mono_homer_format_0.001.motif.gz"
    if not hocomoco.exists():
        pytest.skip(f"{hocomoco} absent")
    assert motifs.read_motif(hocomoco, "MAX_HUMAN.H10MO.A")[1].shape == (11, 4)
    jaspar = dna / "motifs/JASPAR2024_CORE_latest_pfms.jaspar"
    assert motifs.read_motif(jaspar, "MA0058")[0] == "MAX"
    sel = dna / "binding/selex_seq/r0_r1_max_selex_seq_10mer_150_onestrand_{}_val.txt.gz"
    codes, values = binding.read_selex(str(sel).format("seq"), str(sel).format("relKa"))
    assert codes.shape == (6877, 10) and values[0] == pytest.approx(0.0146926269779011)


# --- DNA-only config ---------------------------------------------------------------------
def test_config_without_datasets_needs_the_dna_track():
    with pytest.raises(ConfigError, match=r"'datasets': no dataset and dna.enabled is false"):
        check_references({"sources": {}, "datasets": {}, "dna": {"enabled": False}})
    check_references({"sources": {}, "datasets": {}, "dna": {"enabled": True}})


def test_dna_only_config_schedules_no_haplotype_job(tmp_path):
    proc = run_snakemake(tmp_path, "-n", "all", "--configfile", str(REPO / "config/dna_only.yaml"))
    stats = proc.stdout[proc.stdout.index("Job stats:") :]
    counts = dict(re.findall(r"^(\w+)\s+(\d+)$", stats, flags=re.M))
    assert counts.pop("total") == "28" and counts.pop("all") == "1"
    dna_rules = {
        "extract_dna_exon_windows",
        "extract_dna_kmers",
        "plot_binding_oracle",
        "plot_dna_figure",
        "plot_dna_design",
        "restrict_dna_binding",
    }
    assert all("dna" in rule or rule in dna_rules for rule in counts), counts
    assert counts["train_dna_wgan"] == "4" and counts["prepare_dna_binding"] == "2"


def test_multi_property_generator_sees_both_sets_training_probes_once():
    """Set a: probes 0, 1 (test), 2; set b: 2 again (same library) and 3; 4 (test).
    The multi generator trains on 0, 2, 3: no test probe, the shared probe once."""
    from genosynth.steps.dna import multi_property_codes

    probe = np.arange(5, dtype=np.int8)[:, None] % 4 + np.zeros((5, 6), dtype=np.int8)
    probe[4, 0] = 1  # distinct from probe 0
    a = {"codes": probe[[0, 1, 2]], "test": np.array([False, True, False])}
    b = {"codes": probe[[2, 3, 4]], "test": np.array([False, False, True])}
    np.testing.assert_array_equal(multi_property_codes([a, b]), probe[[0, 2, 3]])
