"""The contract every registered haplotype model honours.

Parametrised over :data:`genosynth.models.MODELS`, so a model registered
later is covered automatically; give slow models small settings in
:data:`FAST_PARAMS`.
"""

import numpy as np
import pytest

from genosynth.errors import GenosynthError
from genosynth.models import MODELS, get_model, load_model

#: Small per-model parameters that keep this contract fast.
FAST_PARAMS: dict[str, dict] = {
    "markov": {"window": 3},
    "gan": {"latent_size": 8, "epochs": 2, "jit_compile": False},
    "rbm": {"n_hidden": 8, "n_chains": 10, "k": 2, "epochs": 3, "burn_in": 20},
    # XLA: without it TensorFlow's CPU convolutions differ in the last bits between same-seed
    # fits now and then (experiments/conv_gan_determinism), and the contract is bit-exact
    "conv_gan": {
        "channels": 2, "depth": 1, "batch_size": 8, "n_critic": 2, "epochs": 2, "jit_compile": True
    },
}  # fmt: skip

#: Further parameter sets of a registered model held to the same contract:
#: case id -> (model name, parameters beyond FAST_PARAMS).
VARIANTS: dict[str, tuple[str, dict]] = {
    "gan-wgan_gp-bernoulli": ("gan", {"loss": "wgan_gp", "output": "bernoulli", "n_critic": 2}),
    "conv_gan-bernoulli-packed": ("conv_gan", {"output": "bernoulli", "pack_m": 2}),
}

#: A valid non-default value of every sampling-only parameter of a registered model
#: (``sampling_params``), for the test that fitting ignores them.
SAMPLING_VALUES: dict[str, object] = {
    "beta": 1.5,
    "burn_in": 7,
    "sample_start": "chains",
    "segment_sites": 3.0,
    "mismatch": 0.1,
}

#: Sampling values that depend on the case (its valid choices differ between models and
#: outputs); None: the case has no other valid value (the parameter keeps its default).
SAMPLING_VALUES_BY_CASE: dict[str, dict[str, object]] = {
    "rbm": {"readout": "mean"},
    "gan": {"readout": None},  # tanh output: only "sample"
    "gan-wgan_gp-bernoulli": {"readout": "quantile"},
}

N_HAP, N_SITES = 60, 25


def make(name, **params):
    model, extra = VARIANTS.get(name, (name, {}))
    return get_model(model, **FAST_PARAMS.get(model, {}) | extra | params)


@pytest.fixture(scope="module")
def training():
    """Two populations with different allele frequencies, plus adjacent-SNP LD."""
    rng = np.random.default_rng(20240601)
    freq = np.stack([rng.uniform(0.1, 0.9, N_SITES), rng.uniform(0.1, 0.9, N_SITES)])
    pop = np.repeat([0, 1], N_HAP // 2)
    h = (rng.random((N_HAP, N_SITES)) < freq[pop]).astype(np.int8)
    copy = rng.random((N_HAP, N_SITES)) < 0.5
    for j in range(1, N_SITES):
        h[copy[:, j], j] = h[copy[:, j], j - 1]
    return h


@pytest.fixture(scope="class")
def fitted(name, training):
    """One fit per case, shared by the tests of :class:`TestModelContract`: none may change it.

    A module function, not a method: pytest 9 deprecates class-scoped fixtures defined on the
    instance."""
    return make(name).fit(training, seed=11)


@pytest.mark.parametrize("name", sorted(MODELS) + sorted(VARIANTS), scope="class")
class TestModelContract:
    def test_sample_shape_dtype_values(self, fitted):
        s = fitted.sample(17, seed=1)
        assert s.shape == (17, N_SITES)
        assert s.dtype == np.int8
        assert set(np.unique(s)) <= {0, 1}
        assert fitted.n_sites == N_SITES
        assert fitted.step >= 1

    def test_same_seed_identical_different_seed_different(self, fitted):
        a = fitted.sample(17, seed=1)
        np.testing.assert_array_equal(a, fitted.sample(17, seed=1))
        assert not np.array_equal(a, fitted.sample(17, seed=2))

    def test_generator_seed_accepted(self, fitted):
        s = fitted.sample(5, seed=np.random.default_rng(3))
        assert s.shape == (5, N_SITES) and s.dtype == np.int8

    def test_fit_is_reproducible(self, name, training, fitted):
        if type(fitted).is_trainable():
            pytest.skip(f"{name}: test_resume_equals_uninterrupted refits it from scratch")
        again = make(name).fit(training, seed=11)
        np.testing.assert_array_equal(again.sample(17, seed=4), fitted.sample(17, seed=4))

    def test_save_load_round_trip(self, name, fitted, tmp_path):
        path = tmp_path / f"{name}.npz"
        fitted.save(path, provenance={"test": True})
        assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left
        loaded = load_model(path)
        assert type(loaded) is type(fitted)
        assert loaded.params == fitted.params
        assert loaded.step == fitted.step
        assert loaded.n_sites == fitted.n_sites
        assert loaded.rng_state == fitted.rng_state
        want, got = fitted.get_state(), loaded.get_state()
        assert sorted(want) == sorted(got)
        for key in want:
            assert got[key].dtype == np.asarray(want[key]).dtype, key
            np.testing.assert_array_equal(got[key], want[key], err_msg=key)
        want_opt, got_opt = fitted.get_optimizer_state(), loaded.get_optimizer_state()
        assert sorted(want_opt) == sorted(got_opt)
        for key in want_opt:
            np.testing.assert_array_equal(got_opt[key], want_opt[key], err_msg=key)
        np.testing.assert_array_equal(loaded.sample(17, seed=7), fitted.sample(17, seed=7))

    def test_sample_before_fit_raises(self, name):
        with pytest.raises(GenosynthError):
            make(name).sample(3, seed=0)

    def test_fit_rejects_non_binary(self, name, training):
        bad = training.copy()
        bad[3, 4] = 2
        with pytest.raises(GenosynthError):
            make(name).fit(bad, seed=0)

    def test_sampling_params_change_draws_not_training(self, name, training, fitted, tmp_path):
        sampling = type(fitted).sampling_params
        assert sampling <= set(fitted.defaults)
        values = SAMPLING_VALUES | SAMPLING_VALUES_BY_CASE.get(name, {})
        missing = sampling - set(values)
        assert not missing, f"give {sorted(missing)} a test value in SAMPLING_VALUES"
        changed = {k: values[k] for k in sampling if values[k] is not None}
        other = make(name, **changed).fit(training, seed=11)
        want, got = fitted.get_state(), other.get_state()
        assert sorted(want) == sorted(got)
        for key in want:
            np.testing.assert_array_equal(got[key], want[key], err_msg=key)
        fitted.save(tmp_path / "fitted.npz")
        mine = load_model(tmp_path / "fitted.npz")  # set_sampling changes it: not the shared fit
        assert mine.set_sampling(**changed) is mine
        assert mine.params == other.params
        np.testing.assert_array_equal(mine.sample(17, seed=5), other.sample(17, seed=5))

    def test_set_sampling_refuses_training_params(self, name, fitted):
        training_keys = sorted(set(fitted.defaults) - type(fitted).sampling_params)
        if not training_keys:
            pytest.skip(f"{name} has no training parameter")
        key = training_keys[0]
        with pytest.raises(GenosynthError, match=f"{key}.*retrain"):
            fitted.set_sampling(**{key: fitted.params[key]})

    def test_resume_equals_uninterrupted(self, name, training, fitted, tmp_path):
        if not type(fitted).is_trainable():
            pytest.skip(f"{name} is fitted in one pass")
        ckpt = tmp_path / "resume.npz"
        first = make(name).fit(
            training, seed=11, checkpoint_path=ckpt, checkpoint_every=1,
            callback=lambda epoch, logs: epoch == 1,  # "killed" after epoch 1
        )  # fmt: skip
        assert first.step == 1 < fitted.step
        resumed = make(name).fit(training, seed=999, checkpoint_path=ckpt, checkpoint_every=1)
        assert resumed.step == fitted.step
        assert resumed.rng_state == fitted.rng_state
        want, got = fitted.get_state(), resumed.get_state()
        for key in want:
            np.testing.assert_array_equal(got[key], want[key], err_msg=key)
        np.testing.assert_array_equal(resumed.sample(17, seed=3), fitted.sample(17, seed=3))
