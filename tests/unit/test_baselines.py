"""Hand-worked checks of the Bernoulli and Markov-chain baselines."""

import json

import numpy as np
import pytest

from genosynth.errors import GenosynthError
from genosynth.models import MODELS, get_model
from genosynth.models.baselines import BernoulliModel, MarkovChainModel

TINY = np.array(
    [
        [0, 1, 1],
        [1, 1, 0],
        [1, 0, 1],
        [0, 1, 0],
    ],
    dtype=np.int8,
)


def r2(a, b):
    return float(np.corrcoef(a, b)[0, 1] ** 2)


def test_registered():
    assert MODELS["bernoulli"] is BernoulliModel
    assert MODELS["markov"] is MarkovChainModel
    assert get_model("markov").params == {"window": 5}


def test_bernoulli_frequencies_exact():
    m = BernoulliModel().fit(TINY, seed=0)
    np.testing.assert_array_equal(m.get_state()["frequency"], [0.5, 0.75, 0.5])
    assert m.get_state()["frequency"].dtype == np.float64
    assert m.n_sites == 3 and m.step == 1
    json.dumps(m.rng_state)  # JSON-able


def test_bernoulli_sample_frequencies_converge():
    rng = np.random.default_rng(1)
    freq = np.array([0.0, 0.05, 0.3, 0.5, 0.9, 1.0])
    h = (rng.random((400, freq.size)) < freq).astype(np.int8)
    m = BernoulliModel().fit(h, seed=2)
    s = m.sample(20000, seed=3)
    assert s.dtype == np.int8 and s.shape == (20000, freq.size)
    np.testing.assert_allclose(s.mean(axis=0), h.mean(axis=0), atol=0.02)


def test_markov_counts_window_1_hand_computed():
    m = MarkovChainModel(window=1).fit(TINY, seed=0)
    st = m.get_state()
    # site 0: no context; site 1: context x0; site 2: context x1
    np.testing.assert_array_equal(st["totals"], [[4, 0], [2, 2], [1, 3]])
    np.testing.assert_array_equal(st["ones"], [[2, 0], [2, 1], [1, 1]])


def test_markov_counts_window_2_hand_computed():
    m = MarkovChainModel(window=2).fit(TINY, seed=0)
    st = m.get_state()
    assert st["totals"].shape == (3, 4)
    # site 2 context code = x1 + 2 * x0: haps -> codes 1, 3, 2, 1 with x2 = 1, 0, 1, 0
    np.testing.assert_array_equal(st["totals"], [[4, 0, 0, 0], [2, 2, 0, 0], [0, 2, 1, 1]])
    np.testing.assert_array_equal(st["ones"], [[2, 0, 0, 0], [2, 1, 0, 0], [0, 1, 1, 0]])


def test_markov_window_1_copies_previous_allele():
    rng = np.random.default_rng(4)
    h = (rng.random((200, 6)) < 0.4).astype(np.int8)
    h[:, 1] = h[:, 0]
    s = MarkovChainModel(window=1).fit(h, seed=0).sample(3000, seed=5)
    np.testing.assert_array_equal(s[:, 1], s[:, 0])
    assert 0 < s[:, 0].mean() < 1


def test_markov_window_2_reproduces_deterministic_pattern():
    # x_j = x_{j-1} XOR x_{j-2}: each site is a function of the previous two
    starts = [(0, 0), (0, 1), (1, 0), (1, 1)]
    rows = []
    for a, b in starts:
        row = [a, b]
        while len(row) < 12:
            row.append(row[-1] ^ row[-2])
        rows.append(row)
    h = np.repeat(np.array(rows, dtype=np.int8), [3, 5, 7, 9], axis=0)
    s = MarkovChainModel(window=2).fit(h, seed=0).sample(500, seed=6)
    np.testing.assert_array_equal(s[:, 2:], s[:, 1:-1] ^ s[:, :-2])
    assert {tuple(r) for r in s} == {tuple(r) for r in rows}


def test_markov_preserves_adjacent_ld_bernoulli_destroys_it():
    rng = np.random.default_rng(7)
    n = 2000
    x0 = (rng.random(n) < 0.5).astype(np.int8)
    flip = rng.random(n) < 0.1
    x1 = np.where(flip, 1 - x0, x0).astype(np.int8)
    h = np.column_stack([x0, x1, (rng.random(n) < 0.3).astype(np.int8)])
    real = r2(h[:, 0], h[:, 1])
    assert real > 0.5
    mk = MarkovChainModel(window=3).fit(h, seed=0).sample(20000, seed=1)
    be = BernoulliModel().fit(h, seed=0).sample(20000, seed=1)
    assert abs(r2(mk[:, 0], mk[:, 1]) - real) < 0.03
    assert r2(be[:, 0], be[:, 1]) < 0.01


def test_markov_backoff_to_shorter_context():
    h = np.repeat(np.array([[0, 1, 1], [1, 1, 0], [0, 0, 0]], dtype=np.int8), 5, axis=0)
    m = MarkovChainModel(window=2).fit(h, seed=0)
    s = m.sample(300, seed=1)
    assert (s[s[:, 0] == 1, 2] == 0).all()  # context (1, 1) -> 0
    st = m.get_state()
    st["totals"][2, 3] = st["ones"][2, 3] = 0  # forget context (x0, x1) = (1, 1) at site 2
    m.set_state(st)
    s = m.sample(300, seed=1)
    # backs off to context x1 = 1 alone, now only seen as (0, 1) -> 1
    assert (s[:, 0] == 1).any()
    assert (s[s[:, 0] == 1, 2] == 1).all()
    # no data at all at a site: falls back to the site frequency
    st["totals"][1] = 0
    st["ones"][1] = 0
    st["totals"][1, 0] = 10
    st["ones"][1, 0] = 10
    m.set_state(st)
    s = m.sample(300, seed=2)
    assert (s[:, 1] == 1).all()


@pytest.mark.parametrize("cls", [BernoulliModel, MarkovChainModel])
def test_generator_seed_equals_int_seed(cls):
    m = cls().fit(TINY, seed=np.random.default_rng(0))
    a = m.sample(50, seed=9)
    b = m.sample(50, seed=np.random.default_rng(9))
    np.testing.assert_array_equal(a, b)
    assert m.rng_state == cls().fit(TINY, seed=0).rng_state


def test_markov_window_larger_than_sites_and_zero():
    s = MarkovChainModel(window=8).fit(TINY, seed=0).sample(40, seed=0)
    assert s.shape == (40, 3)
    m0 = MarkovChainModel(window=0).fit(TINY, seed=0)
    np.testing.assert_array_equal(m0.get_state()["ones"][:, 0], [2, 3, 2])


@pytest.mark.parametrize("window", [-1, 1.5, True, 99])
def test_markov_rejects_bad_window(window):
    with pytest.raises(GenosynthError, match="window"):
        MarkovChainModel(window=window)


def test_set_state_round_trip_and_validation():
    m = MarkovChainModel(window=2).fit(TINY, seed=0)
    other = MarkovChainModel(window=2)
    other.set_state(m.get_state())
    assert other.n_sites == 3
    np.testing.assert_array_equal(other.sample(30, seed=3), m.sample(30, seed=3))
    with pytest.raises(GenosynthError):
        MarkovChainModel(window=3).set_state(m.get_state())
    with pytest.raises(GenosynthError):
        BernoulliModel().set_state({"frequency": np.array([0.5, 1.5])})
    with pytest.raises(GenosynthError):
        BernoulliModel().fit(TINY, seed=0).sample(-1, seed=0)
