"""Writing the same content twice gives the same bytes: no time or temporary name inside.

gzip headers carry a modification time and a file name (``gzip.open`` wrote the time and
the temporary file's name); provenance sidecars carried their creation time. ``.npz``
checkpoints are deterministic already (numpy gives every zip entry the date 1980-01-01);
a test keeps them so.
"""

from __future__ import annotations

import gzip
import time

import numpy as np
import pandas as pd
import pytest

from genosynth import formats
from genosynth.downstream.imputation import write_impute_panel
from genosynth.models import get_model
from genosynth.provenance import record, write_table

FNAME = 0x08  # gzip header flag: an original file name follows


def ags() -> tuple[np.ndarray, list[str], pd.DataFrame]:
    rng = np.random.default_rng(5)
    haps = (rng.random((6, 40)) < 0.3).astype(np.int8)
    ids = [f"AG{i // 2 + 1:05d}_{'AB'[i % 2]}" for i in range(6)]
    sites = pd.DataFrame({"chrom": "1", "position": np.arange(1, 41) * 100})
    sites = sites.assign(id=[f"1:{p}" for p in sites.position], a0="A", a1="C")
    return haps, ids, sites


def write_all(folder) -> None:
    """Every kind of AG file and table, as the workflow writes them."""
    haps, ids, sites = ags()
    made = record("sample", seed=7, params={"model": "bernoulli"}, inputs={"checkpoint": "c"})
    formats.write_hapt(folder / "ags.hapt.gz", haps, ids, tag="AG", provenance=made)
    formats.write_legend(folder / "snps.legend.gz", sites)
    write_impute_panel(folder / "panel.hap.gz", folder / "panel.legend.gz", haps, sites)
    formats.write_vcf(folder / "ags.vcf.gz", haps, sites, ids[::2], provenance=made)
    write_table(folder / "table.tsv", pd.DataFrame({"a": [1.5]}), provenance=made)
    get_model("bernoulli").fit(haps, seed=0).save(folder / "checkpoint.npz")


def test_same_content_gives_same_bytes(tmp_path):
    write_all(tmp_path / "first")
    time.sleep(1.1)  # a later second in the gzip header, were a time written
    write_all(tmp_path / "second")
    names = ["ags.hapt.gz", "ags.hapt.gz.provenance.json", "ags.vcf.gz", "ags.vcf.gz.tbi"]
    names += ["checkpoint.npz", "panel.hap.gz", "panel.legend.gz", "snps.legend.gz"]
    names += ["table.tsv", "table.tsv.provenance.json"]
    for folder in ("first", "second"):
        assert sorted(p.name for p in (tmp_path / folder).iterdir()) == names
    for name in names:
        first, second = (tmp_path / d / name for d in ("first", "second"))
        assert first.read_bytes() == second.read_bytes(), name


@pytest.mark.parametrize(
    "name", ["ags.hapt.gz", "snps.legend.gz", "panel.hap.gz", "panel.legend.gz"]
)
def test_gzip_headers_have_no_time_and_no_name(tmp_path, name):
    write_all(tmp_path)
    header = (tmp_path / name).read_bytes()[:10]
    assert header[:3] == b"\x1f\x8b\x08"  # gzip, deflate
    assert header[3] & FNAME == 0, header  # no file name
    assert header[4:8] == b"\x00\x00\x00\x00", header  # modification time 0
    haps, ids, _ = ags()
    if name == "ags.hapt.gz":  # and the content is unchanged
        got_ids, got = formats.read_hapt_matrix(tmp_path / name)
        assert got_ids == ids and np.array_equal(got, haps)
    if name == "panel.legend.gz":
        assert gzip.decompress((tmp_path / name).read_bytes()).startswith(
            b"id position a0 a1\n1:100"
        )
