"""Outputs get the permissions the umask gives new files, not mkstemp's 0600.

Every output is written through ``genosynth.fileio.atomic_paths``; here one of each kind:
a plain file, a gzipped ``.hapt`` with its provenance sidecar, a TSV table, a checkpoint,
and a bgzipped VCF with its tabix index.
"""

from __future__ import annotations

import os
import stat

import numpy as np
import pandas as pd
import pytest

from genosynth import fileio, formats
from genosynth.models import get_model
from genosynth.provenance import write_table


@pytest.fixture(params=[0o022, 0o002], ids=["umask022", "umask002"])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def write_outputs(folder) -> list:
    haps = np.array([[0, 1, 1], [1, 0, 1], [0, 0, 1], [1, 1, 0]], dtype=np.int8)
    sites = pd.DataFrame({"chrom": "1", "position": [100, 200, 300], "id": ["a", "b", "c"]})
    sites = sites.assign(a0="A", a1="G")
    with fileio.atomic_path(folder / "plain.txt") as tmp:
        tmp.write_text("x\n")
    formats.write_hapt(folder / "ags.hapt.gz", haps, ["h1", "h2", "h3", "h4"], provenance={})
    write_table(folder / "table.tsv", pd.DataFrame({"a": [1]}))
    get_model("bernoulli").fit(haps, seed=0).save(folder / "checkpoint.npz")
    formats.write_vcf(folder / "ags.vcf.gz", haps, sites, ["i1", "i2"])
    names = ["plain.txt", "ags.hapt.gz", "ags.hapt.gz.provenance.json", "table.tsv"]
    names += ["table.tsv.provenance.json", "checkpoint.npz", "ags.vcf.gz", "ags.vcf.gz.tbi"]
    return [folder / n for n in names]


def test_outputs_honour_the_umask(tmp_path, umask):
    files = write_outputs(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in files)
    want = 0o666 & ~umask  # 0644 with umask 022, 0664 with 002
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in files}
    assert modes == dict.fromkeys(modes, want), {k: oct(v) for k, v in modes.items()}


def test_umask_is_read_without_changing_it(umask):
    assert fileio.umask() == umask
    assert fileio.umask() == umask
    assert os.umask(umask) == umask  # still the one set
