"""Hand-worked and behavioural checks of the RBM (genosynth.models.rbm, rbm_core)."""

import json
import logging

import numpy as np
import pytest
from scipy import integrate, stats

from genosynth.errors import ConfigError, GenosynthError, TrainingError
from genosynth.models import MODELS, get_model, load_model, rbm_sampling
from genosynth.models import base as base_module
from genosynth.models import rbm as rbm_module
from genosynth.models.base import count_preserving_round, one_hot, read_checkpoint_meta
from genosynth.models.rbm import RBMModel
from genosynth.models.rbm_core import (
    RBM,
    GibbsSampler,
    _xoshiro_fill,
    bernoulli_below,
    box_muller_normal,
    relu_log_partition,
    uniform_pm1,
    xoshiro_state,
)
from genosynth.models.rbm_pcd import centred_step

#: Small, fast settings for the behavioural tests.
SMALL = {"n_hidden": 12, "n_chains": 40, "k": 5, "batch_size": 16, "burn_in": 200}


def tiny_rbm(weights, visible_bias, hidden_bias, n_sites=None):
    w = np.asarray(weights, dtype=np.float32)
    return RBM(
        w,
        np.asarray(visible_bias, dtype=np.float32),
        np.asarray(hidden_bias, dtype=np.float32),
        w.shape[0] if n_sites is None else n_sites,
    )


def two_types(n_sites=20, n_each=60):
    """Two haplotype types (complementary halves), ``n_each`` copies of each."""
    a = np.zeros(n_sites, dtype=np.int8)
    a[: n_sites // 2] = 1
    b = 1 - a
    return a, b, np.vstack([np.tile(a, (n_each, 1)), np.tile(b, (n_each, 1))])


# --- model definition (rbm_core) ------------------------------------------------
def test_visible_conditional_hand_computed():
    w = [[1.0, 0.0], [0.0, 2.0], [-1.0, 1.0]]
    rbm = tiny_rbm(w, [0.0, -1.0, 0.5], [0.0, 0.0])
    h = np.array([[1.0, 0.5]], dtype=np.float32)
    # a = W h + b = [1, 2 * 0.5 - 1, -1 + 0.5 + 0.5] = [1, 0, 0]
    np.testing.assert_allclose(rbm.visible_input(h), [[1.0, 0.0, 0.0]], atol=1e-7)
    p = rbm.visible_mean(rbm.visible_input(h))
    np.testing.assert_allclose(p, [[1 / (1 + np.exp(-1.0)), 0.5, 0.5]], rtol=1e-6)


def test_gibbs_visible_draws_follow_sigmoid():
    # hidden input -60: noise sd sqrt(sigmoid(-60)) is 0 in float32, so h = 0 and
    # v ~ Bernoulli(sigmoid(b)) whatever the weights
    w = np.array([[0.5, 0.5], [-1.0, -1.5], [2.0, 1.0], [0.0, 0.0]], dtype=np.float32)
    b = np.array([0.0, 0.5, -1.0, -3.0], dtype=np.float32)
    rbm = tiny_rbm(w, b, [-60.0, -60.0])
    n = 40000
    v = np.ones((n, 4), dtype=np.float32)
    GibbsSampler(rbm, n).run(v, np.random.default_rng(0), 1)
    p = 1 / (1 + np.exp(-b.astype(np.float64)))  # 0.5, 0.622, 0.269, 0.047
    np.testing.assert_allclose(v.mean(axis=0), p, atol=0.01)


def test_uniform_pm1_range_and_moments():
    u = uniform_pm1(np.random.default_rng(1), np.empty(200001, dtype=np.float32))
    assert u.dtype == np.float32 and u.min() >= -1 and u.max() <= 1
    assert abs(u.mean()) < 0.01 and abs(u.var() - 1 / 3) < 0.01


MASK64 = (1 << 64) - 1


def plain_xoshiro256pp(state, n):
    """xoshiro256++ (Blackman & Vigna 2018) in Python integers: ``n`` outputs, new state."""
    s0, s1, s2, s3 = (int(x) for x in state)

    def rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & MASK64

    out = []
    for _ in range(n):
        out.append((rotl((s0 + s3) & MASK64, 23) + s0) & MASK64)
        t = (s1 << 17) & MASK64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
    return out, [s0, s1, s2, s3]


def test_xoshiro_first_outputs_hand_worked():
    # state (1, 2, 3, 4): rotl(1 + 4, 23) + 1 = 5 * 2^23 + 1; then the state is
    # (7, 0, 2 ^ 2^18, rotl(6, 45)) and rotl(7 + 6 * 2^45, 23) + 7 = 7 * 2^23 + 96 + 7
    state = np.array([1, 2, 3, 4], dtype=np.uint64)
    out = np.empty(2, dtype=np.uint64)
    _xoshiro_fill(state, out)
    assert out.tolist() == [41943041, 58720359]
    assert plain_xoshiro256pp([1, 2, 3, 4], 2)[0] == [41943041, 58720359]


def test_xoshiro_fill_matches_plain_version():
    state = xoshiro_state(np.random.default_rng(5))
    want, want_state = plain_xoshiro256pp(state, 1001)
    out = np.empty(1001, dtype=np.uint64)
    _xoshiro_fill(state, out)
    assert out.tolist() == want
    assert state.tolist() == want_state  # advanced in place


def test_bernoulli_below_hand_worked():
    # first draw 41943041 = 5 * 2^23 + 1: low half 41943041 -> float32 41943040 -> U = 0.01953125,
    # high half 0 -> U = 0; second draw 58720359 -> U = 58720360 / 2^31 = 0.027343...
    def draw(threshold):
        out = np.full((1, 3), 7.0, dtype=np.float32)
        bernoulli_below(np.array([threshold], np.float32), np.array([1, 2, 3, 4], np.uint64), out)
        return out[0].tolist()

    assert draw([0.0195, 0.0, 0.0273]) == [0.0, 0.0, 0.0]
    assert draw([0.0196, 1e-9, 0.0274]) == [1.0, 1.0, 1.0]


def test_bernoulli_below_matches_plain_uniforms_and_sigmoid():
    rng = np.random.default_rng(6)
    a = rng.normal(0, 2, size=(7, 9)).astype(np.float32)
    threshold = np.tanh(a / 2)
    state = xoshiro_state(rng)
    words, _ = plain_xoshiro256pp(state, 32)  # ceil(63 / 2) draws, the last high half unused
    signed = np.array(words, dtype=np.uint64).view(np.int32)[: a.size].reshape(a.shape)
    want = (signed.astype(np.float32) * np.float32(2.0**-31) < threshold).astype(np.float32)
    v = np.zeros((7, 12), dtype=np.float32)  # strided output: the first 9 of 12 columns
    bernoulli_below(threshold, state, v[:, :9])
    np.testing.assert_array_equal(v[:, :9], want)
    assert not v[:, 9:].any()
    # P(on) = sigmoid(a)
    p = np.array([-4.0, -1.0, 0.0, 0.3, 2.5], dtype=np.float32)
    n = 100000
    out = np.empty((n, p.size), dtype=np.float32)
    bernoulli_below(np.tile(np.tanh(p / 2), (n, 1)), xoshiro_state(rng), out)
    want_p = 1 / (1 + np.exp(-p.astype(np.float64)))
    sem = np.sqrt(want_p * (1 - want_p) / n)
    assert (np.abs(out.mean(axis=0) - want_p) < 5 * sem).all()
    with pytest.raises(ValueError, match="shape"):
        bernoulli_below(threshold, state, v)
    with pytest.raises(ValueError, match="31 draws, 32 needed"):
        bernoulli_below(threshold, state, v[:, :9], np.empty(31, dtype=np.uint64))


def test_box_muller_normal_is_normal():
    z = box_muller_normal(np.random.default_rng(3), np.empty(200001, dtype=np.float32), scale=2.0)
    assert z.dtype == np.float32 and np.isfinite(z).all()
    assert abs(z.mean()) < 0.02 and abs(z.std() - 2.0) < 0.02
    assert stats.kstest(z / 2.0, "norm").pvalue > 1e-3
    with pytest.raises(ValueError):
        box_muller_normal(np.random.default_rng(3), np.empty((4, 4), dtype=np.float32)[:, ::2])


def test_relu_hidden_samples_rectified_gaussian():
    x = np.array([-3.0, -1.0, -0.2, 0.0, 0.5, 1.0, 3.0], dtype=np.float32)
    rbm = tiny_rbm(np.zeros((2, x.size)), [0.0, 0.0], x)
    n = 60000
    xs = np.tile(x, (n, 1))
    out, scratch = np.empty_like(xs), np.empty_like(xs)
    h = rbm.sample_hidden(xs, np.random.default_rng(2), out, scratch)
    assert (h >= 0).all()
    np.testing.assert_array_equal(xs, np.tile(x, (n, 1)))  # input untouched
    # E[max(0, x + s Z)] = x Phi(x / s) + s phi(x / s), s^2 = sigmoid(x)
    s = np.sqrt(1 / (1 + np.exp(-x.astype(np.float64))))
    mean = x * stats.norm.cdf(x / s) + s * stats.norm.pdf(x / s)
    np.testing.assert_allclose(rbm.hidden_mean(x[None, :])[0], mean, rtol=1e-5, atol=1e-6)
    sem = h.std(axis=0) / np.sqrt(n) + 1e-6
    assert (np.abs(h.mean(axis=0) - mean) < 5 * sem).all()
    np.testing.assert_allclose((h == 0).mean(axis=0), stats.norm.cdf(-x / s), atol=0.01)


def test_relu_free_energy_term():
    x = np.array([-30.0, -5.0, -1.0, 0.0, 0.7, 4.0, 30.0])
    g = relu_log_partition(x)
    assert g.dtype == np.float64
    np.testing.assert_allclose(relu_log_partition(0.0), np.pi**2 / 12)
    # integral of softplus from -inf to x
    want = [integrate.quad(lambda t: np.logaddexp(0, t), -60, xi)[0] for xi in x]
    np.testing.assert_allclose(g, want, rtol=1e-7, atol=1e-9)
    # derivative is softplus
    d = (relu_log_partition(x + 1e-5) - relu_log_partition(x - 1e-5)) / 2e-5
    np.testing.assert_allclose(d, np.logaddexp(0, x), rtol=1e-4, atol=1e-8)
    # midpoint sum of the stepped sigmoid unit it stands for
    steps = np.logaddexp(0, x[:, None] - np.arange(1, 400) + 0.5).sum(axis=1)
    np.testing.assert_allclose(g, steps, atol=0.05)
    rbm = tiny_rbm([[1.0], [-2.0]], [0.5, -1.0], [0.3])
    np.testing.assert_allclose(
        rbm.free_energy(np.array([[1, 1]])), 0.5 - relu_log_partition(0.3 + 1.0 - 2.0)
    )


# --- the model ---------------------------------------------------------------
def test_registered_and_defaults():
    assert MODELS["rbm"] is RBMModel
    m = get_model("rbm")
    assert m.params["n_hidden"] == 100 and m.params["k"] == 10
    assert m.params["epochs"] == 2000 and m.params["learning_rate_final"] is None
    assert m.params["learning_rate"] == 1e-3 and m.params["burn_in"] == 1000
    assert RBMModel.sampling_params == {"burn_in", "sample_start", "beta", "readout"}
    assert RBMModel.is_trainable()
    roles = {p.name: p.role for p in RBMModel.spec}
    assert roles["epochs"] == "run" and roles["centering"] == roles["n_hidden"] == "model"


@pytest.mark.parametrize(
    "bad",
    [
        {"n_hidden": 0},
        {"learning_rate": -1.0},
        {"learning_rate": 0.0},
        {"n_chains": 1},
        {"k": 1.5},
        {"epochs": -1},
        {"l2": -0.1},
        {"centering": "yes"},
        {"learning_rate_final": 0.0},
        {"beta": 0.0},
        {"beta": float("inf")},
        {"sample_start": "data"},
        {"readout": "argmax"},
    ],
)
def test_bad_params(bad):
    with pytest.raises(ConfigError, match=f"rbm.{next(iter(bad))}"):
        get_model("rbm", **bad)


@pytest.mark.parametrize(
    "removed",
    ["hidden_activation", "momentum", "init_std", "chain_init", "persistent", "offset_rate",
     "samples_per_chain", "thin"],
)  # fmt: skip
def test_removed_options_are_unknown(removed):
    with pytest.raises(ConfigError, match="unknown parameter"):
        get_model("rbm", **{removed: RBMModel.defaults.get(removed, 1)})


def test_checkpoints_with_removed_options(tmp_path):
    """An older checkpoint names the removed options: at the values now fixed (and any
    samples_per_chain / thin, sampling only) it loads; trained otherwise it is refused."""
    h = (np.random.default_rng(0).random((20, 6)) < 0.5).astype(np.int8)
    m = get_model("rbm", n_hidden=3, n_chains=4, k=1, epochs=1, burn_in=2).fit(h, seed=1)
    path = tmp_path / "old.npz"
    m.save(path)

    def with_params(**old):
        with np.load(path) as z:
            arrays = dict(z)
        meta = json.loads(str(arrays["meta"]))
        meta["params"] |= old
        arrays["meta"] = np.array(json.dumps(meta))
        np.savez(tmp_path / "edited.npz", **arrays)
        return tmp_path / "edited.npz"

    fixed = {
        "hidden_activation": "relu", "momentum": 0.0, "init_std": 0.01, "chain_init": "data",
        "persistent": True, "offset_rate": 0.01, "samples_per_chain": 3, "thin": 2,
    }  # fmt: skip
    loaded = load_model(with_params(**fixed))
    assert loaded.params == m.params
    np.testing.assert_array_equal(loaded.sample(9, seed=2), m.sample(9, seed=2))
    for key, value in {
        "hidden_activation": "sigmoid",
        "momentum": 0.5,
        "persistent": False,
    }.items():
        with pytest.raises(GenosynthError, match=f"{key}={value!r}.*train the model again"):
            load_model(with_params(**{key: value}))


@pytest.mark.parametrize("centering", [False, True])
def test_learns_two_haplotype_types(centering):
    a, b, h = two_types()
    m = get_model(
        "rbm", **SMALL, centering=centering, learning_rate=0.02, epochs=60, sample_start="chains"
    ).fit(h, seed=3)
    s = m.sample(400, seed=4)
    assert s.dtype == np.int8 and s.shape == (400, 20)
    np.testing.assert_allclose(s.mean(axis=0), h.mean(axis=0), atol=0.1)
    is_type = (s == a).all(axis=1) | (s == b).all(axis=1)
    assert is_type.mean() > 0.8
    # chains from random starts also end in one of the two types (in proportions
    # set by the basins of attraction, so their frequencies are not checked)
    m.params["sample_start"] = "random"
    s = m.sample(400, seed=4)
    assert ((s == a).all(axis=1) | (s == b).all(axis=1)).mean() > 0.8


def test_mean_readout_rounds_the_visible_probabilities_of_the_chain_states():
    """readout "mean": each AG is 1 where p(v = 1 | E[h | v]) > 1/2 for the state that
    readout "sample" returns with the same seed (the readout draws nothing, so the chains
    and their random streams are the same)."""
    _, _, h = two_types()
    m = get_model("rbm", **SMALL, epochs=3).fit(h, seed=1)
    states = m.sample(51, seed=9)
    m.params["readout"] = "mean"
    ags = m.sample(51, seed=9)
    w, b, c = (a.astype(np.float64) for a in m.rbm.parameters())
    x = states @ w + c
    s = np.sqrt(1 / (1 + np.exp(-x)))
    hidden = x * stats.norm.cdf(x / s) + s * stats.norm.pdf(x / s)  # E[h | v], rectified Gaussian
    visible_input = hidden @ w.T + b
    assert ags.dtype == np.int8 and ags.shape == (51, 20)
    clear = np.abs(visible_input) > 1e-4  # float32 in the model: leave near-ties out
    assert clear.mean() > 0.99
    np.testing.assert_array_equal(ags[clear], (visible_input > 0)[clear])
    assert not np.array_equal(ags, states)
    # no weights: every AG is the sign of the visible biases, whatever the chain state
    weights, visible_bias, _ = m.rbm.parameters()
    weights[:] = 0
    visible_bias[:] = np.where(np.arange(20) % 3 == 0, 0.7, -0.2)
    m.rbm.update_derived()
    np.testing.assert_array_equal(m.sample(5, seed=1), np.tile(np.arange(20) % 3 == 0, (5, 1)))


def logit(p):
    p = np.asarray(p, dtype=np.float64)
    return np.log(p) - np.log1p(-p)


def test_count_preserving_round_by_hand():
    """Site 0: p sums to 1.9, so the 2 likeliest rows carry the allele; site 1: 0.5 rounds
    up to 1 and the tie goes to the first row; site 2: 0.45 rounds to 0; site 3: 3.6 to 4."""
    p = np.array(
        [
            [0.9, 0.2, 0.15, 0.9],
            [0.6, 0.2, 0.1, 0.9],
            [0.3, 0.05, 0.1, 0.9],
            [0.1, 0.05, 0.1, 0.9],
        ]
    )
    want = np.array([[1, 1, 0, 1], [1, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 1]], dtype=np.int8)
    got = count_preserving_round(logit(p))
    assert got.dtype == np.int8
    np.testing.assert_array_equal(got, want)
    # groups are rounded on their own: rows 0 and 2 (p 0.9, 0.3 at site 0: 1.2 -> 1) and
    # rows 1 and 3 (0.6, 0.1: 0.7 -> 1)
    grouped = count_preserving_round(logit(p), groups=[5, 7, 5, 7])
    np.testing.assert_array_equal(grouped[:, 0], [1, 1, 0, 0])
    np.testing.assert_array_equal(grouped[:, 1], [0, 0, 0, 0])  # 0.25 in each group -> 0
    with pytest.raises(GenosynthError, match="groups must have shape"):
        count_preserving_round(logit(p), groups=[0, 1])
    with pytest.raises(GenosynthError, match="2-dimensional"):
        count_preserving_round(np.zeros(3))


@pytest.mark.parametrize("block", [7, 512])
def test_count_preserving_round_keeps_counts_and_order(monkeypatch, block):
    """Against a plain per-site loop: column sums are the rounded expected counts, and a
    row gets the allele exactly when its probability is among the site's top k (sites
    rounded in blocks of 7, which do not divide the 40 sites, or all at once)."""
    monkeypatch.setattr(base_module, "_ROUND_BLOCK_SITES", block)
    rng = np.random.default_rng(0)
    logits = rng.normal(-2.0, 2.0, size=(300, 40))
    groups = rng.integers(0, 3, size=300)
    got = count_preserving_round(logits, groups=groups)
    for g in range(3):
        rows = np.flatnonzero(groups == g)
        for s in range(40):
            column = logits[rows, s]
            k = int(np.floor((1 / (1 + np.exp(-column))).sum() + 0.5))
            top = rows[np.argsort(-column, kind="stable")[:k]]
            want = np.zeros(300, dtype=np.int8)
            want[top] = 1
            np.testing.assert_array_equal(got[rows, s], want[rows], err_msg=f"{g} {s}")


def test_quantile_readout_keeps_rare_alleles_that_mean_loses():
    """Two types plus an allele in 10 of the 200 rows (every 10th type-a row, tied to no
    other site): the "mean" readout never reaches p > 1/2 there and fixes the site;
    "quantile" gives it about its training frequency and rounds the same chain states as
    "mean" (same seed) elsewhere."""
    a, b, h = two_types(n_each=100)
    rare = np.zeros((200, 1), dtype=np.int8)
    rare[0:100:10] = 1  # site 20: allele 1 in 10 of 200 rows
    h = np.hstack([h, rare])
    m = get_model(
        "rbm", **SMALL, learning_rate=0.02, epochs=60, readout="mean", sample_start="chains"
    ).fit(h, seed=1)
    mean_ags = m.sample(400, seed=9)
    assert mean_ags[:, -1].sum() == 0  # the rare allele is lost
    m.params["readout"] = "quantile"
    ags = m.sample(400, seed=9)
    assert ags.dtype == np.int8 and ags.shape == (400, 21)
    assert 0.02 <= ags[:, -1].mean() <= 0.09  # training: 0.05
    np.testing.assert_allclose(ags.mean(axis=0), h.mean(axis=0), atol=0.06)
    # the two types: the quantile AGs agree with the mean ones almost everywhere
    assert (ags[:, :-1] == mean_ags[:, :-1]).mean() > 0.95
    np.testing.assert_array_equal(ags, m.sample(400, seed=9))


def test_quantile_readout_rounds_each_class_on_its_own():
    """A site tied to nothing but the label (allele 1 in 30 % of class-3 rows, 70 % of
    class-8 rows): rounded over all AGs at once, the class-8 AGs (higher p) would take
    nearly all the copies; rounded per class, each class keeps its share."""
    a, b, h = two_types(n_each=100)
    labelled = np.zeros((200, 1), dtype=np.int8)
    labelled[np.r_[0:100:10, 1:100:10, 2:100:10]] = 1  # 30 of the 100 class-3 rows
    labelled[100:170] = 1  # 70 of the 100 class-8 rows
    h = np.hstack([h, labelled])
    labels = np.repeat([3, 8], 100)
    m = get_model(
        "rbm", **SMALL, learning_rate=0.02, epochs=60, readout="quantile",
        sample_start="frequencies",
    ).fit(h, seed=1, labels=labels)  # fmt: skip
    ags = m.sample(200, seed=3, labels=np.repeat([3, 8], 100))
    np.testing.assert_allclose(ags[:100, :-1].mean(axis=0), a, atol=0.05)
    np.testing.assert_allclose(ags[100:, :-1].mean(axis=0), b, atol=0.05)
    assert 0.2 <= ags[:100, -1].mean() <= 0.4
    assert 0.6 <= ags[100:, -1].mean() <= 0.8


def test_same_seed_identical_ags():
    _, _, h = two_types()
    m = get_model("rbm", **SMALL, epochs=3).fit(h, seed=1)
    again = get_model("rbm", **SMALL, epochs=3).fit(h, seed=1)
    np.testing.assert_array_equal(m.sample(50, seed=9), again.sample(50, seed=9))
    assert not np.array_equal(m.sample(50, seed=9), m.sample(50, seed=10))
    assert m.sample(0, seed=1).shape == (0, 20)


def test_results_do_not_depend_on_threads(monkeypatch):
    _, _, h = two_types()
    threaded = get_model("rbm", **SMALL, epochs=2).fit(h, seed=1)
    monkeypatch.setattr(rbm_sampling, "usable_cores", lambda: 1)
    serial = get_model("rbm", **SMALL, epochs=2).fit(h, seed=1)
    for key, value in threaded.get_state().items():
        np.testing.assert_array_equal(serial.get_state()[key], value, err_msg=key)
    np.testing.assert_array_equal(serial.sample(2500, seed=3), threaded.sample(2500, seed=3))


@pytest.mark.parametrize("centering", [False, True])
def test_resume_is_bit_identical(tmp_path, centering):
    rng = np.random.default_rng(5)
    h = (rng.random((70, 30)) < rng.uniform(0.1, 0.9, 30)).astype(np.int8)
    params = {**SMALL, "l2": 1e-3, "centering": centering}
    if centering:  # with the annealed rate too: the schedule follows the step, not the process
        params |= {"learning_rate_final": 1e-4, "epochs": 5}
    full = get_model("rbm", **params).fit(h, seed=8, epochs=5)
    ckpt = tmp_path / "rbm.npz"
    first = get_model("rbm", **params).fit(h, seed=8, epochs=2, checkpoint_path=ckpt)
    assert first.step == 2 and read_checkpoint_meta(ckpt)["step"] == 2
    resumed = get_model("rbm", **params).fit(h, seed=999, epochs=5, checkpoint_path=ckpt)
    assert resumed.step == full.step == 5
    assert resumed.rng_state == full.rng_state
    json.dumps(resumed.rng_state)
    for key, value in full.get_state().items():
        np.testing.assert_array_equal(resumed.get_state()[key], value, err_msg=key)
    for key, value in full.get_optimizer_state().items():
        np.testing.assert_array_equal(resumed.get_optimizer_state()[key], value, err_msg=key)
    assert sorted(full.get_optimizer_state()) == sorted(resumed.get_optimizer_state())
    assert sorted(full.get_optimizer_state()) == (
        ["hidden_offset", "visible_offset"] if centering else []
    )
    np.testing.assert_array_equal(resumed.sample(20, seed=1), full.sample(20, seed=1))
    assert load_model(ckpt).step == 5  # the checkpoint follows the resumed run


def test_resume_refuses_other_data_or_params(tmp_path):
    _, _, h = two_types()
    ckpt = tmp_path / "rbm.npz"
    get_model("rbm", **SMALL).fit(h, seed=1, epochs=1, checkpoint_path=ckpt)
    with pytest.raises(GenosynthError, match="other data"):
        get_model("rbm", **SMALL).fit(h[::-1], seed=1, epochs=2, checkpoint_path=ckpt)
    with pytest.raises(GenosynthError, match="parameters"):
        get_model("rbm", **{**SMALL, "n_hidden": 5}).fit(h, seed=1, checkpoint_path=ckpt)
    m = get_model("rbm", **SMALL).fit(h, seed=1, epochs=2, checkpoint_path=ckpt, resume=False)
    assert m.step == 2


def test_callback_logs_stop_and_periodic_checkpoint(tmp_path, caplog):
    _, _, h = two_types()
    seen = []

    def callback(epoch, logs):
        seen.append((epoch, logs))
        return epoch == 3

    ckpt = tmp_path / "rbm.npz"
    with caplog.at_level(logging.INFO, logger="genosynth.training"):
        m = get_model("rbm", **SMALL).fit(
            h, seed=1, epochs=10, callback=callback, checkpoint_path=ckpt, checkpoint_every=2
        )
    assert m.step == 3 and [e for e, _ in seen] == [1, 2, 3]
    logs = seen[-1][1]
    assert {"reconstruction_error", "free_energy_train", "free_energy_gap", "epoch_s"} <= set(logs)
    assert 0 <= logs["reconstruction_error"] <= 1 and np.isfinite(logs["free_energy_gap"])
    assert read_checkpoint_meta(ckpt)["step"] == 3
    assert any("rbm epoch 2/10" in r.message for r in caplog.records)  # every 10 // 20 -> 1


def test_hidden_representation():
    _, _, h = two_types()
    m = get_model("rbm", **SMALL, epochs=2).fit(h, seed=1)
    r = m.hidden_representation(h[:7])
    assert r.dtype == np.float32 and r.shape == (7, SMALL["n_hidden"])
    assert (r >= 0).all()
    want = m.rbm.hidden_mean(m.rbm.hidden_input(h[:7].astype(np.float32)))
    np.testing.assert_allclose(r, want, rtol=1e-6)
    with pytest.raises(GenosynthError):
        m.hidden_representation(h[:, :5])


def labelled_blocks(n_per_class=60, n_sites=24, seed=0):
    """Label 0: sites 0-7 all 1, label 1: all 0; sites 8+ random (same for both)."""
    rng = np.random.default_rng(seed)
    labels = np.repeat([0, 1], n_per_class)
    h = (rng.random((labels.size, n_sites)) < 0.5).astype(np.int8)
    h[:, :8] = (labels == 0)[:, None]
    return h, labels


def test_l2_decays_allele_rows_not_label_rows():
    # one batch (16 rows, batch 16): decay is applied before the step, which is computed
    # from the initial weights, so W(l2) - W(0) = (decay - 1) W_init on allele rows, 0 on labels
    h, labels = labelled_blocks(n_per_class=8)
    weights = {}
    for l2 in (0.0, 0.5):
        m = get_model("rbm", n_hidden=4, n_chains=4, k=1, batch_size=16, learning_rate=0.1, l2=l2)
        m.fit(h, seed=3, labels=labels, epochs=1)
        weights[l2] = m.get_state()["weights"]
    diff = weights[0.5] - weights[0.0]
    np.testing.assert_array_equal(diff[24:], 0.0)  # the two label rows
    init = diff[:24] / np.float32(1.0 - 0.1 * 0.5 - 1.0)  # W_init, std INIT_STD = 0.01
    assert 0.005 < init.std() < 0.015 and np.abs(diff[:24]).max() > 0


@pytest.mark.parametrize("centering", [False, True])
def test_conditional_sampling_clamps_labels(centering):
    h, labels = labelled_blocks()
    params = {"n_hidden": 8, "n_chains": 60, "k": 10, "batch_size": 20, "burn_in": 200}
    m = get_model("rbm", **params, learning_rate=0.02, epochs=60, centering=centering)
    m.fit(h, seed=1, labels=labels * 7 + 3)  # label values 3 and 10
    assert m.is_conditional and m.get_state()["label_values"].tolist() == [3, 10]
    # the label fixes the block; this tiny model (8 hidden units, 60 epochs) leaves up to ~15 % of
    # random-start chains in the other label's mode (0.13-0.16 over sampling seeds 0-7)
    block0 = m.sample(200, seed=1, labels=3)[:, :8].mean()
    block1 = m.sample(200, seed=1, labels=10)[:, :8].mean()
    assert block0 > 0.8 and block1 < 0.2
    mixed = m.sample(100, seed=1, labels=np.repeat([3, 10], 50))
    assert mixed[:50, :8].mean() > 0.8 and mixed[50:, :8].mean() < 0.2
    free = m.sample(400, seed=3)[:, :8].mean(axis=1)  # labels from the training proportions
    assert 0.3 < (free > 0.5).mean() < 0.7
    with pytest.raises(GenosynthError, match="unknown label"):
        m.sample(5, seed=1, labels=4)
    r = m.hidden_representation(h[:4], labels=[3, 3, 10, 10])
    assert r.shape == (4, params["n_hidden"])
    plain = get_model("rbm", **SMALL, epochs=1).fit(h, seed=2)
    with pytest.raises(GenosynthError, match="without labels"):
        plain.sample(5, seed=1, labels=0)


def test_frequency_start_keeps_conditional_chains_in_their_class():
    """sample_start="frequencies": chains start from alleles at their class's training
    frequencies, so they start, and stay, in their class's mode, where after 10 sweeps from
    random starts 22-29 % of the class-10 chains are still in the other mode (seeds 0-7)."""
    h, labels = labelled_blocks()
    params = {"n_hidden": 8, "n_chains": 60, "k": 10, "batch_size": 20, "burn_in": 10}
    m = get_model("rbm", **params, learning_rate=0.02, epochs=60, sample_start="frequencies")
    m.fit(h, seed=1, labels=labels * 7 + 3)  # label values 3 and 10
    want = np.stack([h[labels == 0].mean(axis=0), h[labels == 1].mean(axis=0)])
    np.testing.assert_allclose(m.start_frequencies, want, atol=1e-7)  # rows in label order
    np.testing.assert_array_equal(m.start_frequencies[:, :8], [[1] * 8, [0] * 8])

    def off_mode(start, seed):  # shares of class-3 and class-10 AGs in the other class's block
        m.params["sample_start"] = start
        ones = [m.sample(200, seed=seed, labels=k)[:, :8].mean(axis=1) for k in (3, 10)]
        return (ones[0] < 0.5).mean(), (ones[1] > 0.5).mean()

    for seed in range(4):
        assert max(off_mode("frequencies", seed)) <= 0.02
        assert off_mode("random", seed)[1] > 0.15
    m.params["sample_start"] = "frequencies"
    # with no sweeps an AG is its start: the class frequencies, site by site
    m.params["burn_in"] = 0
    start = m.sample(4000, seed=2, labels=10)
    np.testing.assert_array_equal(start[:, :8], 0)  # frequency 0 in class 10
    assert np.abs(start.mean(axis=0) - want[1]).max() < 0.03
    free = m.sample(4000, seed=2)  # classes from the training proportions (1:1)
    assert abs(free[:, 0].mean() - 0.5) < 0.03


def test_frequency_start_unconditional_and_checkpoints(tmp_path):
    h = np.array([[1, 0, 1], [1, 0, 0], [1, 1, 0], [1, 0, 0]], dtype=np.int8)
    m = get_model("rbm", **SMALL, epochs=1, sample_start="frequencies").fit(h, seed=1)
    np.testing.assert_allclose(m.start_frequencies, [[1.0, 0.25, 0.25]])
    m.params["burn_in"] = 0
    start = m.sample(4000, seed=3)
    np.testing.assert_array_equal(start[:, 0], 1)
    np.testing.assert_allclose(start[:, 1:].mean(axis=0), [0.25, 0.25], atol=0.02)
    m.save(tmp_path / "f.npz")
    loaded = load_model(tmp_path / "f.npz")
    np.testing.assert_array_equal(loaded.start_frequencies, m.start_frequencies)
    np.testing.assert_array_equal(loaded.sample(50, seed=4), m.sample(50, seed=4))
    # a checkpoint written before sample_start "frequencies" existed has no frequencies
    old = RBMModel(**m.params)
    old.set_state({k: v for k, v in m.get_state().items() if k != "start_frequencies"})
    with pytest.raises(GenosynthError, match="predates.*fit the model again"):
        old.sample(5, seed=1)
    old.params["sample_start"] = "random"
    assert old.sample(5, seed=1).shape == (5, 3)
    with pytest.raises(GenosynthError, match="start_frequencies"):
        old.set_state(m.get_state() | {"start_frequencies": np.full((1, 3), 1.5, np.float32)})
    with pytest.raises(GenosynthError, match="start_frequencies"):
        old.set_state(m.get_state() | {"start_frequencies": np.zeros((2, 3), np.float32)})


def test_conditional_save_load(tmp_path):
    h, labels = labelled_blocks(n_per_class=20)
    m = get_model("rbm", **SMALL, epochs=2).fit(h, seed=2, labels=labels)
    m.save(tmp_path / "c.npz")
    loaded = load_model(tmp_path / "c.npz")
    assert loaded.is_conditional and loaded.n_sites == 24
    np.testing.assert_array_equal(
        loaded.sample(30, seed=5, labels=1), m.sample(30, seed=5, labels=1)
    )


def test_fit_rejects_bad_labels():
    h, labels = labelled_blocks(n_per_class=10)
    with pytest.raises(GenosynthError):
        get_model("rbm", **SMALL, epochs=1).fit(h, seed=1, labels=labels[:-1])
    with pytest.raises(GenosynthError):
        get_model("rbm", **SMALL, epochs=1).fit(h, seed=1, labels=labels + 0.5)


def test_chains_start_on_training_rows():
    _, _, h = two_types()
    rows = {r.tobytes() for r in h}
    m = get_model("rbm", **SMALL, epochs=1).fit(h, seed=1, epochs=0)
    assert m.step == 0 and m.chains.shape == (SMALL["n_chains"], 20) and m.chains.dtype == np.int8
    assert all(c.tobytes() in rows for c in m.chains)
    assert 0 < m.chains[:, 0].mean() < 1  # rows of both types


def test_centred_step_is_the_centred_gradient_in_ordinary_parameters():
    """Hand-built batch: the step equals updating the centred parameters, then converting back."""
    from types import SimpleNamespace

    rng = np.random.default_rng(0)
    n_vis, n_hid, lr = 4, 3, 0.1
    v_data = rng.integers(0, 2, (5, n_vis)).astype(np.float64)
    v_model = rng.integers(0, 2, (7, n_vis)).astype(np.float64)
    h_data = rng.random((5, n_hid))
    h_model = rng.random((7, n_hid))
    mu = np.array([0.2, 0.5, 0.7, 0.4])
    lam = np.array([0.3, 0.1, 0.6])
    # two shards, as the trainer leaves them: lr-scaled sums with data weight lr / 5
    # and model weight -lr / 7; shard 0 holds data rows 0-2 and model rows 0-3
    shards = []
    for d_rows, m_rows in ((slice(0, 3), slice(0, 4)), (slice(3, 5), slice(4, 7))):
        vd, vm, hd, hm = v_data[d_rows], v_model[m_rows], h_data[d_rows], h_model[m_rows]
        grad_w = lr / 5 * vd.T @ hd - lr / 7 * vm.T @ hm
        grad_b = lr / 5 * vd.sum(0) - lr / 7 * vm.sum(0)
        grad_c = lr / 5 * hd.sum(0) - lr / 7 * hm.sum(0)
        shards.append(
            SimpleNamespace(
                grad_w=grad_w.astype(np.float32),
                grad_b=grad_b.astype(np.float32),
                grad_c=grad_c.astype(np.float32),
                data_hidden=(lr / 5 * hd.sum(0)).astype(np.float32),
            )
        )
    hidden_offset = lam.astype(np.float32)
    step_w, step_b, step_c = centred_step(shards, mu.astype(np.float32), hidden_offset, lr, 0.25)
    # by definition: centred gradient, centred biases b_c = b + W lam, c_c = c + W' mu
    w, b, c = rng.normal(size=(n_vis, n_hid)), rng.normal(size=n_vis), rng.normal(size=n_hid)
    centred_w = lr * ((v_data - mu).T @ (h_data - lam) / 5 - (v_model - mu).T @ (h_model - lam) / 7)
    new_w = w + centred_w
    new_b = (b + w @ lam + lr * (v_data.mean(0) - v_model.mean(0))) - new_w @ lam
    new_c = (c + w.T @ mu + lr * (h_data.mean(0) - h_model.mean(0))) - new_w.T @ mu
    np.testing.assert_allclose(step_w, new_w - w, atol=1e-6)
    np.testing.assert_allclose(step_b, new_b - b, atol=1e-6)
    np.testing.assert_allclose(step_c, new_c - c, atol=1e-6)
    # the hidden offset moves a quarter of the way to the batch's <h>_data
    np.testing.assert_allclose(hidden_offset, 0.75 * lam + 0.25 * h_data.mean(0), atol=1e-6)


def test_learning_rate_schedule_is_geometric():
    m = get_model("rbm", learning_rate=1e-3, learning_rate_final=1e-4, epochs=3)
    got = [m.epoch_learning_rate(e) for e in (1, 2, 3, 4)]
    np.testing.assert_allclose(got, [1e-3, 10**-3.5, 1e-4, 1e-4], rtol=1e-12)
    assert get_model("rbm").epoch_learning_rate(7) == 1e-3
    assert get_model("rbm", learning_rate_final=1e-4, epochs=1).epoch_learning_rate(1) == 1e-3


def test_runaway_training_stops_with_clear_error_before_checkpointing(tmp_path):
    """A centred step at learning rate 5 runs away on a 20-SNP toy: training stops at
    the epoch a parameter passes DIVERGENCE_BOUND, naming it and the fixes, and the
    checkpoint on disk is the last sane epoch's. At learning rate 1 it trains on."""
    rng = np.random.default_rng(0)
    h = (rng.random((64, 20)) < 0.3).astype(np.int8)
    small = {"n_hidden": 8, "n_chains": 10, "centering": True}
    path = tmp_path / "rbm.npz"
    m = get_model("rbm", **small, learning_rate=5.0)
    with pytest.raises(TrainingError, match=r"diverged at epoch 7: max \|weights\| is 1\.91e\+03"):
        m.fit(h, seed=0, epochs=30, checkpoint_path=path, checkpoint_every=1)
    with pytest.raises(TrainingError, match="lower the rbm learning_rate.*centering: false"):
        get_model("rbm", **small, learning_rate=5.0).fit(h, seed=0, epochs=30)
    saved = load_model(path)
    assert saved.step == 6
    state = saved.get_state()
    for name in ("weights", "visible_bias", "hidden_bias"):
        assert np.abs(state[name]).max() <= rbm_module.DIVERGENCE_BOUND
    sane = get_model("rbm", **small, learning_rate=1.0).fit(h, seed=0, epochs=30)
    assert sane.step == 30


def test_one_hot_hand_worked():
    """Codes [2, 0, 1] of 3 classes; the value and dtype are the caller's."""
    np.testing.assert_array_equal(
        one_hot(np.array([2, 0, 1]), 3), [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
    )
    assert one_hot(np.array([2, 0, 1]), 3).dtype == np.int8
    scaled = one_hot(np.array([1]), 2, value=2.5, dtype=np.float32)
    assert scaled.dtype == np.float32 and scaled.tolist() == [[0.0, 2.5]]
    assert one_hot(np.array([], dtype=int), 4).shape == (0, 4)


def test_beta_scales_the_sampling_chains():
    a, b, h = two_types()
    m = get_model("rbm", **SMALL, epochs=60, learning_rate=0.02, sample_start="chains")
    m.fit(h, seed=3)
    state = m.get_state()
    cooled = RBMModel(**(m.params | {"beta": 1.5}))
    cooled.set_state(state)
    scaled = RBMModel(**m.params)
    scaled.set_state(
        state | {k: state[k] * np.float32(1.5) for k in ("weights", "visible_bias", "hidden_bias")}
    )
    np.testing.assert_array_equal(cooled.sample(300, seed=4), scaled.sample(300, seed=4))
    assert not np.array_equal(cooled.sample(300, seed=4), m.sample(300, seed=4))
    # training is untouched: the model's own parameters are not scaled
    np.testing.assert_array_equal(cooled.get_state()["weights"], state["weights"])

    # near beta = 0 every allele is a fair coin whatever the model learned
    def typed(s):
        return ((s == a).all(axis=1) | (s == b).all(axis=1)).mean()

    assert typed(m.sample(400, seed=5)) > 0.8
    m.params["beta"] = 1e-6
    s = m.sample(4000, seed=5)
    assert typed(s) < 0.001 and np.abs(s.mean(axis=0) - 0.5).max() < 0.04
    assert abs(np.corrcoef(s[:, 0], s[:, 1])[0, 1]) < 0.05


def test_set_sampling_checks_values_and_keeps_the_old_ones():
    h = (np.random.default_rng(0).random((20, 6)) < 0.5).astype(np.int8)
    model = RBMModel(n_hidden=3, n_chains=4, k=1, epochs=1, burn_in=2).fit(h, seed=1)
    with pytest.raises(GenosynthError, match="readout"):
        model.set_sampling(readout="bogus")
    assert model.params["readout"] == "sample"
    model.set_sampling(readout="quantile", burn_in=5)
    assert (model.params["readout"], model.params["burn_in"]) == ("quantile", 5)
