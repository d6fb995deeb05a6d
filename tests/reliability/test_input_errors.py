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
6   ``steps: 0`` for the DNA WGAN                 ``config key 'wgan.steps': must be ... >= 1``
==  ===========================================  ==============================================
"""

from __future__ import annotations

from pathlib import Path

import pytest

from genosynth.errors import ConfigError, InputError
from genosynth.ingest import POLICIES, read_vcf
from genosynth.steps import data

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
