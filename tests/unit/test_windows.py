"""Overlapping windows of a chromosome: plan, split, join the AGs (genosynth.windows)."""

import numpy as np
import pytest

from genosynth.errors import ConfigError, GenosynthError
from genosynth.windows import join_windows, plan_windows, site_sources, split_windows


def H(*rows):
    return np.array([[int(c) for c in r] for r in rows], dtype=np.int8)


@pytest.mark.parametrize(
    ("n", "size", "overlap", "expected"),
    [
        (6, 4, 2, [(0, 4), (2, 6)]),
        (10, 4, 1, [(0, 4), (3, 7), (6, 10)]),
        (10, 4, 2, [(0, 4), (2, 6), (4, 8), (6, 10)]),
        (9, 4, 2, [(0, 4), (2, 6), (4, 8), (5, 9)]),  # the last one overlaps by 3
        (3, 4, 2, [(0, 3)]),
    ],
)
def test_plan_windows(n, size, overlap, expected):
    assert plan_windows(n, size, overlap) == expected


@pytest.mark.parametrize(("size", "overlap"), [(4, 4), (4, 0), (1, 0), (5, 7)])
def test_plan_refuses_overlaps_outside_the_window(size, overlap):
    with pytest.raises(ConfigError, match="windows"):
        plan_windows(100, size, overlap)


# Worked by hand: sites 0-5, windows [0, 4) and [2, 6), overlap = sites 2 and 3.
WINDOW_0 = H("0000", "1111", "0101")
# overlaps: "11" -> joined row 1, "01" -> row 2, "00" -> row 0 (each unique, distance 0)
WINDOW_1 = H("1110", "0100", "0011")
JOINED = H("000011", "111110", "010100")


@pytest.mark.parametrize("matching", ["optimal", "greedy"])
def test_join_by_hand(matching):
    joined, partners, distances = join_windows(
        [WINDOW_0, WINDOW_1], [(0, 4), (2, 6)], matching=matching
    )
    np.testing.assert_array_equal(joined, JOINED)
    assert partners[0].tolist() == [2, 0, 1]
    assert distances == [0.0]
    assert site_sources([(0, 4), (2, 6)]).tolist() == [0, 0, 0, 0, 1, 1]


def test_join_recovers_shuffled_windows_of_real_rows():
    # windows cut from one matrix, each window's rows shuffled: the joined rows are the
    # original rows again (12 random overlap sites identify every row)
    rng = np.random.default_rng(0)
    h = (rng.random((30, 70)) < 0.5).astype(np.int8)
    windows = plan_windows(70, 25, 12)
    assert len(windows) == 5
    parts = split_windows(h, windows)
    order = [np.arange(30)] + [rng.permutation(30) for _ in windows[1:]]
    shuffled = [p[o] for p, o in zip(parts, order, strict=True)]
    joined, partners, distances = join_windows(shuffled, windows)
    np.testing.assert_array_equal(joined, h)
    assert distances == [0.0] * 4
    for k, partner in enumerate(partners, start=1):
        np.testing.assert_array_equal(order[k][partner], np.arange(30))


def test_greedy_is_a_permutation_never_better_than_optimal():
    rng = np.random.default_rng(1)
    parts = [(rng.random((40, 10)) < 0.5).astype(np.int8) for _ in range(2)]
    windows = [(0, 10), (5, 15)]
    _, (opt,), (d_opt,) = join_windows(parts, windows)
    _, (greedy,), (d_greedy,) = join_windows(parts, windows, matching="greedy")
    assert sorted(greedy) == list(range(40)) and sorted(opt) == list(range(40))
    assert d_greedy >= d_opt > 0


def test_join_refuses_mismatched_shapes():
    with pytest.raises(GenosynthError, match="expected"):
        join_windows([WINDOW_0, WINDOW_1[:2]], [(0, 4), (2, 6)])
    with pytest.raises(GenosynthError, match="do not overlap"):
        join_windows([WINDOW_0, WINDOW_1], [(0, 4), (4, 8)])
    with pytest.raises(ConfigError, match="matching"):
        join_windows([WINDOW_0, WINDOW_1], [(0, 4), (2, 6)], matching="best")


def test_workflow_steps_split_join_and_measure(tmp_path):
    """The windowed-dataset steps on a hand-made dataset: plan, split, join, metrics."""
    import pandas as pd

    from genosynth import formats
    from genosynth.steps import windows as steps

    rng = np.random.default_rng(4)
    train = (rng.random((24, 10)) < 0.5).astype(np.int8)
    test = (rng.random((8, 10)) < 0.5).astype(np.int8)
    sites = pd.DataFrame({"id": [f"s{i}" for i in range(10)], "position": np.arange(10) * 100})
    formats.write_legend(tmp_path / "snps.legend", sites.assign(a0="A", a1="C"))
    (tmp_path / "dataset.json").write_text('{"name": "chrom", "layout": "haplotypes"}')
    data = {"train": train, "test": test}
    for name, h in data.items():
        formats.write_hapt(tmp_path / f"{name}.hapt.gz", h, [f"{name}{i}" for i in range(len(h))])
    (tmp_path / "others.hapt.gz").write_bytes(b"")
    settings = {"size": 6, "overlap": 2}
    common = dict(legend=tmp_path / "snps.legend", info=tmp_path / "dataset.json")
    with pytest.raises(ConfigError, match="n_snps"):
        steps.plan(**common, settings=settings, n_windows=3, output=tmp_path / "plan.tsv")
    steps.plan(**common, settings=settings, n_windows=2, output=tmp_path / "plan.tsv")
    assert steps.read_plan(tmp_path / "plan.tsv") == [(0, 6), (4, 10)]
    names = ("train", "test", "others")
    for k in range(2):
        steps.split(
            inputs={n: tmp_path / f"{n}.hapt.gz" for n in names},
            plan=tmp_path / "plan.tsv",
            window=k,
            outputs={n: tmp_path / f"w{k}_{n}.hapt.gz" for n in names},
        )
    _, part = formats.read_hapt_matrix(tmp_path / "w1_train.hapt.gz")
    np.testing.assert_array_equal(part, train[:, 4:])
    assert formats.read_hapt_matrix(tmp_path / "w1_others.hapt.gz")[0] == []
    # the real rows of each window as "AGs", window 1 reversed: every joined row continues
    # with a row of window 1 of the same overlap (2 sites cannot tell all 32 rows apart)
    real = np.concatenate([train, test])
    formats.write_hapt(tmp_path / "ags0.hapt.gz", real[:, :6], [f"a{i}" for i in range(32)])
    formats.write_hapt(tmp_path / "ags1.hapt.gz", real[::-1, 4:], [f"a{i}" for i in range(32)])
    steps.join(
        ags=[tmp_path / "ags0.hapt.gz", tmp_path / "ags1.hapt.gz"],
        plan=tmp_path / "plan.tsv",
        info=tmp_path / "dataset.json",
        output=tmp_path / "joined.hapt.gz",
        report=tmp_path / "join.tsv",
    )
    ids, joined = formats.read_hapt_matrix(tmp_path / "joined.hapt.gz")
    assert ids[:2] == ["AG00001_A", "AG00001_B"]
    report = pd.read_csv(tmp_path / "join.tsv", sep="\t")
    assert report.window.tolist() == [1] and report.overlap_sites.tolist() == [2]
    assert report.distance_per_site.tolist() == [0.0]  # every row finds an equal overlap
    np.testing.assert_array_equal(joined[:, :6], real[:, :6])
    steps.join_metrics(
        dataset="chrom",
        train=tmp_path / "train.hapt.gz",
        test=tmp_path / "test.hapt.gz",
        legend=tmp_path / "snps.legend",
        plan=tmp_path / "plan.tsv",
        ags={"copy": tmp_path / "train.hapt.gz"},  # AGs = the training rows: LD close to real
        reports={"copy": tmp_path / "join.tsv"},
        settings={"n_bins": 3},
        output=tmp_path / "window_join.tsv",
    )
    rows = pd.read_csv(tmp_path / "window_join.tsv", sep="\t").set_index("metric")["value"]
    assert rows["windows_joined"] == 2 and rows["window_overlap_distance"] == 0
    assert rows["ld_decay_mae_border_excess"] == pytest.approx(
        rows["ld_decay_mae_border"] - rows["ld_decay_mae_inside"]
    )
    assert 0 <= rows["ld_decay_mae_inside"] < 0.2 and 0 <= rows["ld_decay_mae_border"] < 0.2
    logs = []
    for k, loss in enumerate([1.0, 3.0]):
        logs.append(tmp_path / f"log{k}.tsv")
        logs[-1].write_text(f"epoch\tloss\n1\t{loss}\n2\t{loss / 2}\n")
    steps.gather_logs(logs=logs, output=tmp_path / "log.tsv")
    mean = pd.read_csv(tmp_path / "log.tsv", sep="\t")
    assert mean.epoch.tolist() == [1, 2] and mean.loss.tolist() == [2.0, 1.0]
