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
