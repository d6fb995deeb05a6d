"""NumPy forward passes equal the Keras networks they stand in for."""

from __future__ import annotations

import numpy as np
import pytest

from genosynth.dna.inference import conv1d, load_generator, load_predictor
from genosynth.dna.sequences import one_hot


def test_conv1d_against_hand_worked_values():
    x = np.array([[[1.0], [2.0], [3.0]]], np.float32)  # (1, 3, 1)
    kernel = np.array([1.0, 10.0, 100.0], np.float32)[:, None, None]  # (3, 1, 1)
    valid = conv1d(x, kernel, np.zeros(1, np.float32), same=False)
    assert valid[0, :, 0].tolist() == [321.0]
    same = conv1d(x, kernel, np.ones(1, np.float32), same=True)  # pads one zero each side
    assert same[0, :, 0].tolist() == [1 + 0 + 10 + 200, 1 + 1 + 20 + 300, 1 + 2 + 30 + 0]
    even = conv1d(x, kernel[:2], np.zeros(1, np.float32), same=True)  # Keras: pad 0 before, 1 after
    assert even[0, :, 0].tolist() == [21.0, 32.0, 3.0]


@pytest.mark.parametrize("channels, kernel_size", [(4, 5), (5, 4)])
def test_generator_forward_equals_keras(tmp_path, channels, kernel_size):
    pytest.importorskip("tensorflow")
    from genosynth.dna.wgan import SequenceWGAN

    rng = np.random.default_rng(0)
    x = one_hot(rng.integers(0, 4, (32, 12)).astype(np.uint8))
    if channels == 5:
        x = np.concatenate([x, (rng.random((32, 12, 1)) < 0.5).astype(np.float32)], -1)
    model = SequenceWGAN(latent_size=6, dim=8, n_blocks=2, kernel_size=kernel_size, batch_size=8,
                         steps=3)  # fmt: skip
    model.fit(x, seed=1)
    model.save(tmp_path / "g.npz")
    forward = load_generator(tmp_path / "g.npz")
    assert (forward.length, forward.channels) == (12, channels)
    np.testing.assert_allclose(forward.sample(7, seed=3), model.sample(7, seed=3), atol=2e-5)


def test_predictor_forward_equals_keras(tmp_path):
    pytest.importorskip("tensorflow")
    from genosynth.dna.predictors import BindingCNN

    rng = np.random.default_rng(0)
    x = one_hot(rng.integers(0, 4, (64, 20)).astype(np.uint8))
    y = x[:, :, 2].sum(axis=1) * 3.0 + 5.0
    model = BindingCNN(filters=4, kernel_size=6, hidden=5, epochs=2, threads=1).fit(x, y, seed=2)
    model.save(tmp_path / "p.npz")
    scores = load_predictor(tmp_path / "p.npz").predict(x)
    assert scores.dtype == np.float64 and scores.shape == (64,)
    np.testing.assert_allclose(scores, model.predict(x), rtol=1e-5, atol=1e-4)


def test_wrong_checkpoint_kind_is_refused(tmp_path):
    from genosynth.errors import GenosynthError

    path = tmp_path / "c.npz"
    np.savez(path, meta=np.array('{"model": "gan", "params": {}}'))
    with pytest.raises(GenosynthError, match="not 'wgan_dna'"):
        load_generator(path)


def test_predictor_is_no_haplotype_model_and_keeps_the_checkpoint_layout(tmp_path):
    pytest.importorskip("tensorflow")
    from genosynth.dna.predictors import BindingCNN
    from genosynth.dna.predictors import load_predictor as load_cnn
    from genosynth.errors import GenosynthError
    from genosynth.models.base import HaplotypeModel, read_checkpoint_meta

    with pytest.raises(GenosynthError, match=r"unknown parameter\(s\) \['latent_size'\]"):
        BindingCNN(latent_size=4)
    model = BindingCNN(filters=2, kernel_size=3, hidden=2, epochs=2, threads=1)
    assert not isinstance(model, HaplotypeModel) and not hasattr(model, "sample")
    with pytest.raises(GenosynthError, match="must be fitted"):
        model.predict(np.zeros((1, 8, 4), np.float32))
    x = one_hot(np.random.default_rng(0).integers(0, 4, (16, 8)).astype(np.uint8))
    model.fit(x, x[:, :, 0].sum(axis=1), seed=1).save(tmp_path / "p.npz", provenance={"seed": 1})
    meta = read_checkpoint_meta(tmp_path / "p.npz")
    keys = ["model", "params", "step", "n_sites", "rng_state", "data_sha256"]
    keys += ["genosynth_version", "provenance"]
    assert list(meta) == keys
    assert (meta["model"], meta["step"], meta["n_sites"]) == ("binding_cnn", 2, 8)
    assert meta["rng_state"] is None and meta["provenance"] == {"seed": 1}
    with np.load(tmp_path / "p.npz") as z:
        assert sorted(z.files) == ["meta"] + sorted(f"state/{k}" for k in model.get_state())
    loaded = load_cnn(tmp_path / "p.npz")
    assert (loaded.step, loaded.n_sites, loaded.params) == (2, 8, model.params)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
