"""DNA track: one-hot coding, PWM scan, exon windows, gradient penalty, edit distance, logos."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from genosynth.dna import logos, motifs, sequences
from genosynth.dna.latent import edit_distance, nearest_edit_distance
from genosynth.errors import InputError


def test_one_hot_round_trip():
    seqs = ["ACGTAC", "ttgcaA"]
    codes = sequences.encode(seqs)
    assert codes.dtype == np.uint8 and codes.shape == (2, 6)
    np.testing.assert_array_equal(codes[0], [0, 1, 2, 3, 0, 1])
    x = sequences.one_hot(codes)
    assert x.shape == (2, 6, 4) and x.dtype == np.float32
    np.testing.assert_array_equal(x.sum(axis=-1), 1.0)
    assert sequences.decode(x.argmax(-1)) == ["ACGTAC", "TTGCAA"]
    assert sequences.decode(sequences.reverse_complement(codes)) == ["GTACGT", "TTGCAA"]


def test_encode_rejects_n_naming_the_record():
    with pytest.raises(InputError, match=r"probes.tsv:2.*'N' is not one of ACGT.*ACNT"):
        sequences.encode(["ACGT", "ACNT"], path="probes.tsv")


def test_pwm_scan_matches_hand_computed_score():
    # width-2 matrix: A then C scores 1 + 2 = 3 on the forward strand.
    w = np.array([[1.0, 0.0, 0.0, -1.0], [0.0, 2.0, 0.0, 0.0]])
    x = sequences.one_hot(sequences.encode(["TTACTT", "GGGGGG", "TTGTTT"]))
    fwd = motifs.pwm_scan(x, w, both_strands=False)
    # TTACTT: placements TT(-1+0) TA(-1+0) AC(1+2)=3 CT(0+0) TT(-1)
    # GGGGGG: every placement 0; TTGTTT: TT -1, TG -1, GT 0, TT -1, TT -1 -> 0
    np.testing.assert_allclose(fwd, [3.0, 0.0, 0.0])
    # reverse complement of w reads "GT" best (T-complement of A last): GT -> w_rc = w[::-1, ::-1]
    both = motifs.pwm_scan(x, w)
    # rc weights: pos0 [0,0,2,0] (G=2), pos1 [-1,0,0,1] (T=1): GT -> 3, GG -> 2 + 0
    np.testing.assert_allclose(both, [3.0, 2.0, 3.0])


def test_log_odds_of_a_certain_column():
    lo = motifs.log_odds(np.array([[10, 0, 0, 0]]), pseudocount=0.0)
    assert lo[0, 0] == pytest.approx(2.0)  # log2(1 / 0.25)
    assert np.isneginf(lo[0, 1:]).all()


def test_read_jaspar_file_and_embedded(tmp_path):
    path = tmp_path / "m.jaspar"
    path.write_text(">MA0001.1\tX\nA [ 1 2 ]\nC [ 3 4 ]\nG [ 5 6 ]\nT [ 7 8 ]\n>MA0001.2\tY\n"
                    "A [ 1 1 1 ]\nC [ 0 0 0 ]\nG [ 0 0 0 ]\nT [ 0 0 0 ]\n")  # fmt: skip
    name, counts = motifs.read_jaspar(path, "MA0001.1")
    assert name == "X"
    np.testing.assert_array_equal(counts, [[1, 3, 5, 7], [2, 4, 6, 8]])
    assert motifs.read_jaspar(path, "MA0001")[0] == "Y"  # highest version
    name, counts = motifs.read_jaspar(None, "MA0058.4")
    assert name == "MAX" and counts.shape == (6, 4)
    assert "".join("ACGT"[i] for i in counts.argmax(1)) == "CACGTG"


def _fasta(tmp_path):
    # chromosome "2" segment starting at 1-based 101: genome position p -> index p - 100.
    seq = "CCCCC" + "AAGG" + "TTTT" + "CCAA" + "GGGGG" + "N" + "ACGT"
    path = tmp_path / "g.fa.gz"
    with gzip.open(path, "wt") as fh:
        fh.write(f">2:101-{100 + len(seq)}\n{seq}\n")
    return path, seq


def test_exon_windows_handle_strand_and_segment_offset(tmp_path):
    fasta, seq = _fasta(tmp_path)
    # GTF (1-based closed): exon TTTT at segment index 9..12 -> chromosome 110..113 (1-based)
    gtf = tmp_path / "a.gtf"
    gtf.write_text(
        'chr2\tt\texon\t110\t113\t.\t+\t.\tgene_id "g";\n'
        'chr2\tt\texon\t110\t113\t.\t-\t.\tgene_id "h";\n'
        'chr2\tt\tCDS\t110\t113\t.\t+\t.\tgene_id "g";\n'
        'chr2\tt\texon\t118\t119\t.\t+\t.\tgene_id "n";\n'  # window would hold the N
    )
    exons = sequences.read_annotation(gtf)
    assert exons[["start", "end"]].values.tolist() == [[109, 113], [109, 113], [117, 119]]
    codes, track, table = sequences.exon_windows(
        sequences.read_genome(fasta), exons, window=12, min_exon=2, max_exon=4, min_flank=4
    )
    assert codes.shape == (2, 12) and track.dtype == np.int8
    by_strand = dict(zip(table.strand, sequences.decode(codes), strict=True))
    assert by_strand["+"] == "AAGGTTTTCCAA"  # segment [5, 17)
    assert by_strand["-"] == "TTGGAAAACCTT"  # its reverse complement
    np.testing.assert_array_equal(track[0], [0] * 4 + [1] * 4 + [0] * 4)


def test_gencode_and_bed_annotations_agree(tmp_path):
    gencode = tmp_path / "ex.txt"
    gencode.write_text("#NAME\tCHROM\tSTRAND\tTX_START\tTX_END\tEXON_START\tEXON_END\n"
                       "G\tchr1\t-\t10\t90\t10,50,\t20,90,\n")  # fmt: skip
    bed = tmp_path / "ex.bed"
    bed.write_text("1\t10\t20\ta\t0\t-\n1\t50\t90\tb\t0\t-\n")
    a, b = sequences.read_annotation(gencode), sequences.read_annotation(bed)
    pd.testing.assert_frame_equal(a, b)
    assert a.values.tolist() == [["1", 10, 20, "-"], ["1", 50, 90, "-"]]


def test_bad_annotation_row_names_line(tmp_path):
    bed = tmp_path / "x.bed"
    bed.write_text("1\t10\t20\ta\t0\t-\n1\tten\t20\ta\t0\t+\n")
    with pytest.raises(InputError, match=r"x.bed:2: not a bed exon record"):
        sequences.read_annotation(bed)


def test_split_indices_partition():
    parts = sequences.split_indices(100, [0.8, 0.1, 0.1], seed=0)
    assert [len(p) for p in parts] == [80, 10, 10]
    assert sorted(np.concatenate(parts).tolist()) == list(range(100))


def test_edit_distance_bit_parallel_equals_dynamic_programming():
    assert edit_distance(sequences.encode(["ACGT"])[0], sequences.encode(["AGT"])[0][:3]) == 1
    rng = np.random.default_rng(1)
    for length in (7, 50, 64, 70):  # Myers up to 64 nt, DP beyond
        q = rng.integers(0, 4, (6, length)).astype(np.uint8)
        r = rng.integers(0, 4, (9, length)).astype(np.uint8)
        r[4] = np.roll(q[2], 1)  # one rotation: distance <= 2
        brute = [min(edit_distance(a, b) for b in r) for a in q]
        np.testing.assert_array_equal(nearest_edit_distance(q, r), brute)


def test_splice_information_of_hand_made_windows():
    # exon at [4, 8) of 12; AG before it, GT after it in every window.
    codes = sequences.encode(["CCAGTTTTGTCC", "TTAGCCCCGTAA"])
    track = np.zeros((2, 12))
    track[:, 4:8] = 0.9
    starts, ends = logos.align_boundaries(codes, track, flank=2)
    assert sequences.decode(starts) == ["AGTT", "AGCC"]
    assert sequences.decode(ends) == ["TTGT", "CCGT"]
    info = logos.splice_site_information(starts, ends, flank=2)
    assert info["acceptor_a_bits"] == info["donor_t_bits"] == pytest.approx(2.0)
    assert info["acceptor_ag_share"] == info["donor_gt_share"] == 1.0
    assert logos.information(starts)[2] == pytest.approx(1.0)  # T/C half and half


def test_dna_metrics_join_the_summary_as_dataset_dna(tmp_path):
    from genosynth.steps.report import concat_metrics

    hap, dna = tmp_path / "wide.tsv", tmp_path / "dna.tsv"
    pd.DataFrame(
        {"dataset": ["wide"], "model": ["gan"], "metric": ["aats"], "value": [0.5]}
    ).to_csv(hap, sep="\t", index=False)
    pd.DataFrame(
        {
            "experiment": ["binding_oracle", "splice_logos"],
            "metric": ["spearman_held_out", "n"],
            "value": [0.97, 3.0],
        }
    ).to_csv(dna, sep="\t", index=False)
    concat_metrics([hap, dna], tmp_path / "summary.tsv")
    out = pd.read_csv(tmp_path / "summary.tsv", sep="\t")
    assert list(out.columns) == ["dataset", "model", "metric", "value"]
    assert out.values.tolist() == [
        ["wide", "gan", "aats", 0.5],
        ["dna", "binding_oracle", "spearman_held_out", 0.97],
        ["dna", "splice_logos", "n", 3.0],
    ]


def test_spearman_uses_average_ranks_for_ties():
    from genosynth.dna.metrics import spearman

    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # ranks [1, 2.5, 2.5, 4] vs [1, 2, 3, 4]; centred: [-1.5, 0, 0, 1.5] and
    # [-1.5, -0.5, 0.5, 1.5]: 4.5 / sqrt(4.5 * 5) = 3 / sqrt(10)
    assert spearman([5, 7, 7, 9], [1, 2, 3, 4]) == pytest.approx(3 / np.sqrt(10))
