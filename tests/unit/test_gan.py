"""The Yelmen et al. GAN: architecture, training arithmetic, determinism, resuming, learning."""

import json
import logging
import sys
from pathlib import Path

import numpy as np
import pytest

from genosynth.errors import GenosynthError
from genosynth.models import MODELS, get_model, load_model
from genosynth.models.base import read_checkpoint_meta
from genosynth.models.gan import GANModel, noisy_inputs

BENCH = Path(__file__).resolve().parents[2] / "bench"

#: Tiny, fast settings (no XLA: its compile costs seconds per fit).
TINY = {"latent_size": 16, "jit_compile": False}


def toy(n=96, n_sites=20, seed=0):
    """Two haplotype types, 3:1."""
    rng = np.random.default_rng(seed)
    a = np.arange(n_sites) < n_sites // 2
    b = np.arange(n_sites) >= n_sites // 5
    kind = rng.random(n) < 0.25
    h = np.where(kind[:, None], b, a).astype(np.int8)
    return h


def weights(model):
    return model.get_state() | model.get_optimizer_state()


def test_registered_and_defaults():
    assert MODELS["gan"] is GANModel
    p = get_model("gan").params
    assert p["latent_size"] == 600 and p["batch_size"] == 32 and p["epochs"] == 20000
    assert (p["d_lr"], p["g_lr"]) == (8e-4, 1e-4)
    assert p["g_hidden_divisors"] == [1.2, 1.1] and p["d_hidden_divisors"] == [2.0, 3.0]
    assert (p["l2"], p["adam_beta_1"], p["adam_beta_2"]) == (1e-4, 0.9, 0.999)
    assert p["label_scale"] == 10.0
    json.dumps(p)


def test_architecture_805():
    import keras

    from genosynth.models.gan_network import L2Penalty, build_discriminator, build_generator

    g = build_generator(805, 600)
    d = build_discriminator(805)
    dense = [layer for layer in g.layers if isinstance(layer, keras.layers.Dense)]
    assert [g.input_shape[-1]] + [layer.units for layer in dense] == [600, 671, 732, 805]
    dense_d = [layer for layer in d.layers if isinstance(layer, keras.layers.Dense)]
    assert [d.input_shape[-1]] + [layer.units for layer in dense_d] == [805, 402, 268, 1]
    for net, last in ((g, "tanh"), (d, "sigmoid")):
        layers = net.layers
        dense = [layer for layer in layers if isinstance(layer, keras.layers.Dense)]
        for layer in dense[:-1]:
            assert layer.activation.__name__ == "linear"
            assert isinstance(layer.kernel_regularizer, L2Penalty)
            assert layer.kernel_regularizer.l2 == pytest.approx(1e-4)
            nxt = layers[layers.index(layer) + 1]
            assert isinstance(nxt, keras.layers.LeakyReLU)
            assert nxt.negative_slope == pytest.approx(0.01)
        assert dense[-1].activation.__name__ == last
        assert dense[-1].kernel_regularizer is None


def test_conditional_inputs_widen():
    from genosynth.models.gan_network import build_discriminator, build_generator

    assert build_generator(40, 16, n_classes=3).input_shape[-1] == 19
    assert build_discriminator(40, n_classes=3).input_shape[-1] == 43


def test_bad_parameters():
    with pytest.raises(GenosynthError, match="gan.loss.*must be one of bce, wgan_gp"):
        GANModel(loss="both")
    with pytest.raises(GenosynthError, match="latent_size"):
        GANModel(latent_size=0)
    with pytest.raises(GenosynthError, match="unknown parameter"):
        GANModel(learning_rate=1.0)
    with pytest.raises(GenosynthError, match="label_scale"):
        GANModel(label_scale=0)
    # infinite and NaN settings are refused like any other bad number
    with pytest.raises(GenosynthError, match="gan.d_lr': must be a number > 0"):
        GANModel(d_lr=float("inf"))
    with pytest.raises(GenosynthError, match="gan.l2': must be a number >= 0"):
        GANModel(l2=float("nan"))
    with pytest.raises(GenosynthError, match="g_hidden_divisors"):
        GANModel(g_hidden_divisors=[1.2, float("inf")])


def test_threads_cannot_change_after_tensorflow_started(caplog):
    import tensorflow as tf

    from genosynth.tfutils import configure_threads

    float(tf.constant(1.0) + 1.0)  # TensorFlow is initialised from here on
    assert configure_threads(None)
    wanted = tf.config.threading.get_intra_op_parallelism_threads() + 1
    with caplog.at_level(logging.WARNING, logger="genosynth.tfutils"):
        assert not configure_threads(wanted)
    assert "already initialised" in caplog.text


def test_input_mapping_and_label_smoothing():
    h = toy(n=40)
    x = noisy_inputs(h, 3, 0.1)
    assert x.dtype == np.float32 and x.shape == h.shape
    assert (x[h == 1] > 0.9).all() and (x[h == 1] <= 1).all()
    assert (x[h == 0] > -0.1).all() and (x[h == 0] <= 0).all()
    m = GANModel(**TINY, batch_size=8).fit(h, seed=3, epochs=0)
    noise = m.epoch_noise(40)
    t = noise["real_targets"]
    assert t.shape == (5, 8, 1) and noise["latent"].shape == (5, 8, 16)
    assert (t >= 0.9).all() and (t <= 1.0).all() and t.std() > 0.01
    assert sorted(noise["perm"]) == list(range(40))
    np.testing.assert_array_equal(m.epoch_noise(40)["perm"], noise["perm"])  # not advanced


@pytest.mark.parametrize("jit", [False, True])
def test_l2_penalty_matches_keras_l2(jit):
    """L2Penalty: Keras L2's value (to rounding) and its gradient bit for bit."""
    import keras
    import tensorflow as tf

    from genosynth.models.gan_network import L2Penalty

    kernel = tf.constant(np.random.default_rng(0).standard_normal((37, 23), dtype=np.float32))

    def value_and_grad(reg):
        with tf.GradientTape() as tape:
            tape.watch(kernel)
            value = reg(kernel) * 3.0  # an upstream gradient other than 1
        return value, tape.gradient(value, kernel)

    ours = tf.function(lambda: value_and_grad(L2Penalty(1e-4)), jit_compile=jit)()
    want = tf.function(lambda: value_and_grad(keras.regularizers.L2(1e-4)), jit_compile=jit)()
    hand = 3e-4 * float(np.sum(np.square(kernel.numpy(), dtype=np.float64)))
    assert float(ours[0]) == pytest.approx(hand, rel=1e-6)
    assert float(want[0]) == pytest.approx(hand, rel=1e-6)
    np.testing.assert_array_equal(ours[1].numpy(), want[1].numpy())
    assert L2Penalty(1e-4).get_config() == {"l2": 1e-4}


def test_training_with_l2_penalty_is_bitwise_keras_l2(monkeypatch):
    """Two compiled epochs with L2Penalty and with keras.regularizers.L2: identical weights."""
    import keras

    import genosynth.models.gan_network as gan_network

    h = toy(n=64, n_sites=30)
    kw = TINY | {"batch_size": 16, "jit_compile": True}
    ours = weights(GANModel(**kw).fit(h, seed=3, epochs=2))
    monkeypatch.setattr(gan_network, "L2Penalty", keras.regularizers.L2)
    keras_l2 = GANModel(**kw).fit(h, seed=3, epochs=2)
    net = keras_l2._generator.layers[0]
    assert isinstance(net.kernel.regularizer, keras.regularizers.L2)
    want = weights(keras_l2)
    assert sorted(ours) == sorted(want)
    for key in want:
        np.testing.assert_array_equal(ours[key], want[key], err_msg=key)


@pytest.mark.parametrize("jit", [False, True])
def test_compiled_epoch_matches_paper_loop(jit):
    """Same weights and noise: one compiled epoch == the Keras train_on_batch loop."""
    sys.path.insert(0, str(BENCH))
    try:
        from bench_gan import build_reference, reference_epoch
    finally:
        sys.path.remove(str(BENCH))
    from genosynth.tfutils import named_weights

    h = toy(n=50, n_sites=24)
    kw = TINY | {"batch_size": 16, "jit_compile": jit}
    start = GANModel(**kw).fit(h, seed=5, epochs=0)
    nets = build_reference(24, start.params, start.get_state())
    ref_losses = reference_epoch(
        nets, noisy_inputs(h, 5, 0.1), start.params, noise=start.epoch_noise(50)
    )
    logs = []
    ours = GANModel(**kw).fit(h, seed=5, epochs=1, callback=lambda e, lg: logs.append(lg))
    got = ours.get_state()
    ref = named_weights(nets[0]) | named_weights(nets[1])
    assert sorted(ref) == sorted(got)
    moved = max(np.abs(got[k] - start.get_state()[k]).max() for k in ref)
    assert moved > 1e-3
    for key, w in ref.items():
        np.testing.assert_allclose(got[key], w.numpy(), rtol=0, atol=1e-6, err_msg=key)
    np.testing.assert_allclose([logs[0]["d_loss"], logs[0]["g_loss"]], ref_losses, rtol=1e-5)


def test_same_seed_identical_different_seed_different():
    h = toy()
    kw = TINY | {"jit_compile": True}
    a = GANModel(**kw).fit(h, seed=7, epochs=3)
    b = GANModel(**kw).fit(h, seed=7, epochs=3)
    c = GANModel(**TINY).fit(h, seed=8, epochs=3)
    for key, value in weights(a).items():
        np.testing.assert_array_equal(value, weights(b)[key], err_msg=key)
    np.testing.assert_array_equal(a.sample(50, seed=1), b.sample(50, seed=1))
    assert not np.array_equal(
        a.get_state()["generator/generator_output/kernel"],
        c.get_state()["generator/generator_output/kernel"],
    )
    assert not np.array_equal(a.sample(50, seed=1), a.sample(50, seed=2))


def test_resume_equals_uninterrupted(tmp_path, caplog):
    h = toy()
    full = GANModel(**TINY).fit(h, seed=11, epochs=4)

    ckpt = tmp_path / "gan.npz"
    seen = []
    first = GANModel(**TINY).fit(
        h,
        seed=11,
        epochs=4,
        checkpoint_path=ckpt,
        checkpoint_every=2,
        callback=lambda e, logs: seen.append(e) or e == 2,  # "killed" after epoch 2
    )
    assert seen == [1, 2] and first.step == 2
    assert read_checkpoint_meta(ckpt)["step"] == 2

    with caplog.at_level(logging.INFO, logger="genosynth.training"):
        resumed = GANModel(**TINY).fit(
            h, seed=999, epochs=4, checkpoint_path=ckpt, checkpoint_every=2
        )
    assert "resuming gan" in caplog.text
    assert resumed.step == 4 and read_checkpoint_meta(ckpt)["step"] == 4
    assert resumed.rng_state == full.rng_state
    want, got = weights(full), weights(resumed)
    assert sorted(want) == sorted(got)
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-7, atol=0, err_msg=key)
    np.testing.assert_array_equal(resumed.sample(30, seed=2), full.sample(30, seed=2))

    with pytest.raises(GenosynthError, match="other data"):
        GANModel(**TINY).fit(1 - h, seed=1, epochs=5, checkpoint_path=ckpt)
    with pytest.raises(GenosynthError, match="differ"):
        GANModel(**TINY | {"g_lr": 1e-3}).fit(h, seed=1, epochs=5, checkpoint_path=ckpt)


def test_logging_and_callback_losses(caplog):
    h = toy(n=40)
    logs = []
    with caplog.at_level(logging.INFO, logger="genosynth.training"):
        GANModel(**TINY).fit(h, seed=0, epochs=3, callback=lambda e, lg: logs.append((e, lg)))
    assert [e for e, _ in logs] == [1, 2, 3]
    assert all(
        set(lg) == {"d_loss", "g_loss"} and np.isfinite(list(lg.values())).all() for _, lg in logs
    )
    assert "gan epoch 2/3" in caplog.text and "gan epoch 3/3" in caplog.text


#: Settings that learn the toys in a few hundred steps: wider hidden layers than the
#: paper's ``L / 1.2`` etc. (the toys have only 20 SNPs) and Adam ``beta_1 = 0.5``.
TOY = TINY | {"g_hidden_divisors": [0.5, 0.5], "d_hidden_divisors": [1, 1], "adam_beta_1": 0.5}

#: The two haplotype types of :func:`toy` (20 SNPs): they agree on SNPs 4-9.
TYPE_A, TYPE_B = np.arange(20) < 10, np.arange(20) >= 4


def test_learns_two_haplotype_types():
    """400 steps: AGs are the toy's haplotypes; shared SNPs get their frequencies.

    The unconditional GAN collapses onto one type within a few hundred steps
    (mode collapse: it does not learn the 3:1 mixture), so the frequencies are
    checked on the SNPs where both types agree, and every AG must be a type.
    """
    h = toy(n=128)
    m = GANModel(**TOY | {"g_lr": 3e-4}).fit(h, seed=1, epochs=100)
    ag = m.sample(500, seed=3)
    to_type = np.minimum(np.abs(ag - TYPE_A).sum(1), np.abs(ag - TYPE_B).sum(1))
    assert (to_type <= 1).mean() >= 0.95
    shared = TYPE_A == TYPE_B
    np.testing.assert_array_less(np.abs(ag.mean(0) - h.mean(0))[shared], 0.1)


def test_label_inputs_hand_worked():
    from genosynth.models.gan import label_inputs

    got = label_inputs(np.array([2, 0, 2]), 3, 10.0)
    want = [[0, 0, 10], [10, 0, 0], [0, 0, 10]]
    np.testing.assert_array_equal(got, want)
    assert got.dtype == np.float32 and label_inputs(np.array([], int), 2, 1.0).shape == (0, 2)


def test_conditional_inputs_carry_label_scale():
    """Training and sampling feed ``label_scale`` at the class's column: the label
    columns of every training epoch, and the generator's inputs when sampling."""
    h = toy(n=64)
    y = (h == TYPE_B).all(1).astype(np.int64)
    m = GANModel(**TINY | {"label_scale": 4.0})
    fed = []
    train_epoch = m._train_epoch
    m._train_epoch = lambda x, onehot: fed.append(np.asarray(onehot)) or train_epoch(x, onehot)
    m.fit(h, seed=0, labels=y, epochs=2)
    assert len(fed) == 2
    for onehot in fed:
        np.testing.assert_array_equal(onehot, 4.0 * np.eye(2)[y])
    seen = []
    generator = m._generator
    m._generator = lambda z, training=False: seen.append(np.asarray(z)) or generator(z)
    m.sample(6, seed=0, labels=np.array([1, 0, 1, 1, 0, 0]))
    (z,) = seen
    assert z.shape == (6, 16 + 2)
    np.testing.assert_array_equal(z[:, 16:], 4.0 * np.eye(2)[[1, 0, 1, 1, 0, 0]])


def _drop_saved_param(path: Path, key: str) -> None:
    """Rewrite checkpoint ``path`` as a version that predates parameter ``key``."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays["meta"]))
    del meta["params"][key]
    arrays["meta"] = np.array(json.dumps(meta))
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **arrays)


def test_checkpoint_without_label_scale_keeps_plain_one_hot(tmp_path):
    """A conditional checkpoint written before ``label_scale`` existed was trained on a
    plain one-hot: it loads (and resumes) at scale 1, not at today's default 10."""
    h = toy(n=64)
    y = (h == TYPE_B).all(1).astype(np.int64)
    path = tmp_path / "old.npz"
    old = GANModel(**TINY | {"label_scale": 1.0})
    old.fit(h, seed=0, labels=y, epochs=1)
    old.save(path)
    _drop_saved_param(path, "label_scale")
    assert "label_scale" not in read_checkpoint_meta(path)["params"]
    loaded = load_model(path)
    assert loaded.params["label_scale"] == 1.0
    np.testing.assert_array_equal(
        loaded.sample(8, seed=3, labels=1), old.sample(8, seed=3, labels=1)
    )
    with pytest.raises(GenosynthError, match="label_scale"):
        GANModel(**TINY).fit(h, seed=0, labels=y, epochs=2, checkpoint_path=path)
    resumed = GANModel(**TINY | {"label_scale": 1.0})
    resumed.fit(h, seed=0, labels=y, epochs=2, checkpoint_path=path)
    assert resumed.step == 2
    assert read_checkpoint_meta(path)["params"]["label_scale"] == 1.0


def test_conditional_learns_each_type_and_frequencies(tmp_path):
    """Label = haplotype type: each label yields its type, and labels drawn from the
    training proportions give allele frequencies within 0.1 of the training ones."""
    h = toy(n=128)
    y = (h == TYPE_B).all(1).astype(np.int64)
    # label_scale 2: at the default 10 this 16-latent, 20-SNP toy lost label 0 (1 to 4 all worked)
    m = GANModel(**TOY | {"g_lr": 1e-3, "d_lr": 1e-3, "label_scale": 2.0})
    m.fit(h, seed=2, labels=y, epochs=200)
    assert m.conditional and m.n_classes == 2
    np.testing.assert_allclose(m.label_proportions, np.bincount(y) / len(y))
    a = m.sample(300, seed=1, labels=0)
    b = m.sample(300, seed=1, labels=np.ones(300, dtype=int))
    assert (np.abs(a - TYPE_A).sum(1) <= 1).mean() >= 0.95
    assert (np.abs(b - TYPE_B).sum(1) <= 1).mean() >= 0.95
    ag = m.sample(1000, seed=5)  # classes drawn 3:1 as in training
    np.testing.assert_array_less(np.abs(ag.mean(0) - h.mean(0)), 0.1)

    path = tmp_path / "cgan.npz"
    m.save(path)
    loaded = load_model(path)
    assert loaded.conditional and loaded.n_classes == 2
    np.testing.assert_array_equal(
        loaded.sample(20, seed=1, labels=1), m.sample(20, seed=1, labels=1)
    )
    np.testing.assert_array_equal(loaded.sample(20, seed=4), m.sample(20, seed=4))
    with pytest.raises(GenosynthError):
        m.sample(5, seed=0, labels=2)
    with pytest.raises(GenosynthError):
        GANModel(**TINY).fit(h, seed=0, labels=y[:-1], epochs=0)
    with pytest.raises(GenosynthError, match="not conditional"):
        GANModel(**TINY).fit(h, seed=0, epochs=0).sample(3, seed=0, labels=0)


def test_gpu_bench_restates_the_library_inputs():
    """bench/gan_gpu.py (the JAX twin run on lent GPUs) keeps the library's noise and names.

    The twin needs only numpy and JAX, so it restates ``noisy_inputs`` and the weight
    names; if the library changes either, the GPU run would silently train on other
    inputs or fail to export its weights.
    """
    sys.path.insert(0, str(BENCH))
    try:
        import gan_gpu
    finally:
        sys.path.remove(str(BENCH))
    h = toy(n=30, n_sites=12)
    np.testing.assert_array_equal(gan_gpu.noisy(h, 9, 0.1), noisy_inputs(h, 9, 0.1))
    state = GANModel(**TINY).fit(h, seed=2, labels=np.arange(30) % 2, epochs=0).get_state()
    named = [k for net in gan_gpu.NETS for pair in gan_gpu.weight_keys(net) for k in pair]
    assert named == [k for k in state if k != "label_proportions"]
    # the evaluation inputs: default_rng(seed + epoch) draws the classes, then the latent rows
    runs = [{"seed": 4, "conditional": "super_pop"}, {"seed": 4, "conditional": "none"}]
    params = {"latent_size": 3, "label_scale": 10.0}
    g_in = gan_gpu.eval_inputs(runs, params, np.array([0.25, 0.75]), 6)
    assert g_in.shape == (2, gan_gpu.EVAL_ROWS, 5) and g_in.dtype == np.float32
    rng = np.random.default_rng(10)
    labels = rng.choice(2, size=gan_gpu.EVAL_ROWS, p=[0.25, 0.75])
    np.testing.assert_array_equal(g_in[0, :, :3], rng.standard_normal((1000, 3), np.float32))
    np.testing.assert_array_equal(g_in[0, :, 3:], 10.0 * np.eye(2)[labels])
    assert (g_in[1, :, 3:] == 0).all()


# --- Wasserstein loss and Bernoulli output -------------------------------------------

#: The Wasserstein critic with the Bernoulli (relaxed in training) output.
WGAN = TINY | {"loss": "wgan_gp", "output": "bernoulli"}


def test_new_options_default_to_the_paper_and_bad_values_are_refused():
    p = GANModel().params
    assert (p["loss"], p["output"], p["n_critic"], p["gp_weight"]) == ("bce", "tanh", 5, 10.0)
    for bad, match in (
        ({"loss": "hinge"}, "gan.loss': must be one of"),
        ({"output": "sigmoid"}, "gan.output': must be one of"),
        ({"n_critic": 0}, "gan.n_critic': must be an integer >= 1"),
        ({"gp_weight": -1.0}, "gan.gp_weight': must be a number >= 0"),
        ({"gp_weight": float("nan")}, "gan.gp_weight'"),
    ):
        with pytest.raises(GenosynthError, match=match):
            GANModel(**bad)


def test_output_layers_follow_the_options():
    from genosynth.models.gan_network import build_discriminator, build_generator

    assert build_generator(10, 4, output="logits").layers[-1].activation.__name__ == "linear"
    assert build_discriminator(10, output="linear").layers[-1].activation.__name__ == "linear"
    with pytest.raises(GenosynthError, match="output must be one of"):
        build_generator(10, 4, output="sigmoid")
    m = GANModel(**WGAN).fit(toy(n=40), seed=0, epochs=0)
    assert m._generator.layers[-1].activation.__name__ == "linear"
    assert m._discriminator.layers[-1].activation.__name__ == "linear"


def test_relaxed_bernoulli_hand_worked_and_thresholds_like_the_draw():
    from scipy.special import expit

    from genosynth.models.gan_train import relaxed_bernoulli

    # sigmoid((logit + log(u / (1 - u))) / t): (0 + 0) / 0.5 -> 0.5;
    # (2 + log 0.25) / 0.5 = 1.2274 -> 0.7734; (-1 + log 9) / 0.5 = 2.3944 -> 0.9164
    got = relaxed_bernoulli(np.float32([[0.0, 2.0, -1.0]]), np.float32([[0.5, 0.2, 0.9]]), 0.5)
    np.testing.assert_allclose(np.asarray(got), [[0.5, 0.77340, 0.91641]], atol=1e-4)
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, (200, 50)).astype(np.float32)
    u = rng.uniform(1e-6, 1 - 1e-6, (200, 50)).astype(np.float32)
    for t in (0.05, 0.2, 1.0):
        relaxed = np.asarray(relaxed_bernoulli(logits, u, t))
        near = np.abs(1 - u - expit(logits)) < 1e-5  # float32 ties
        np.testing.assert_array_equal((relaxed > 0.5)[~near], (1 - u < expit(logits))[~near])
    cold = np.asarray(relaxed_bernoulli(logits, u, 0.01))
    assert np.mean((cold < 0.01) | (cold > 0.99)) > 0.95  # near-binary at a low temperature


def test_gradient_penalty_of_a_linear_critic_by_hand():
    """Critic ``w . [x, onehot] + c`` with the labels appended inside the critic, as the
    GAN calls it: the gradient in x is ``w_x`` on every row, so the penalty is
    ``(||w_x|| - 1) ** 2`` = (5 - 1) ** 2 = 16 for w_x = (3, 4); the label weights do
    not count. Over a (batch, 2, 2) input the norm runs over both axes (DNA WGAN)."""
    import keras
    import tensorflow as tf

    from genosynth.tfutils import gradient_penalty

    critic = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    critic.layers[-1].kernel.assign([[3.0], [4.0], [7.0], [-2.0]])
    mixed = tf.constant(np.random.default_rng(1).random((6, 2)), tf.float32)
    onehot = tf.constant(np.eye(2, dtype=np.float32)[[0, 1, 1, 0, 0, 1]])
    with_labels = lambda v: critic(tf.concat([v, onehot], axis=1))  # noqa: E731
    assert float(gradient_penalty(with_labels, mixed)) == pytest.approx(16.0, rel=1e-6)
    plain = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    plain.layers[-1].kernel.assign([[0.6], [0.8]])  # unit norm: no penalty
    assert float(gradient_penalty(plain, mixed)) == pytest.approx(0, abs=1e-6)
    w = tf.constant([[1.0, 2.0], [2.0, 4.0]])  # norm 5 over the (2, 2) input
    grid = tf.constant(np.random.default_rng(2).random((3, 2, 2)), tf.float32)
    score = lambda v: tf.reduce_sum(v * w, axis=[1, 2])[:, None]  # noqa: E731
    assert float(gradient_penalty(score, grid)) == pytest.approx(16.0, rel=1e-6)


def test_bernoulli_output_samples_at_the_generator_probabilities(tmp_path):
    """Zero kernels and output biases logit(p): the AGs' allele frequencies are p."""
    p = np.array([0.02, 0.1, 0.5, 0.75, 0.97])
    m = GANModel(**WGAN).fit(toy(n=40, n_sites=5), seed=0, epochs=0)
    state = {k: np.zeros_like(v) for k, v in m.get_state().items()}
    state["generator/generator_output/bias"] = np.log(p / (1 - p)).astype(np.float32)
    m.set_state(state)
    ag = m.sample(40000, seed=3)
    assert ag.dtype == np.int8 and set(np.unique(ag)) == {0, 1}
    np.testing.assert_allclose(ag.mean(0), p, atol=0.01)
    np.testing.assert_array_equal(m.sample(50, seed=4), m.sample(50, seed=4))
    path = tmp_path / "w.npz"
    m.save(path)
    loaded = load_model(path)
    assert loaded.params["output"] == "bernoulli" and loaded.params["loss"] == "wgan_gp"
    np.testing.assert_array_equal(loaded.sample(50, seed=4), m.sample(50, seed=4))
    # beta 2: sigmoid(2 logit p) = p^2 / (p^2 + (1 - p)^2), e.g. 0.75 -> 0.9
    m.params["beta"] = 2.0
    np.testing.assert_allclose(
        m.sample(40000, seed=3).mean(0), p**2 / (p**2 + (1 - p) ** 2), atol=0.01
    )


def test_quantile_readout_keeps_each_sites_expected_count(monkeypatch):
    """Zero kernels and output biases logit(p): every AG has the same log-odds, so the
    quantile readout gives each site floor(n p + 1/2) carriers, the first rows on ties:
    n 10, p (0.02, 0.1, 0.5, 0.72, 0.97) -> 0, 1, 5, 7, 10; at beta 2 p becomes (0.0004,
    0.012, 0.5, 0.869, 0.999) -> 0, 0, 5, 9, 10. A conditional model rounds each class on
    its own: p 0.5 over two classes of 5 gives 3 + 3 carriers, not 5."""
    from genosynth.models.base import count_preserving_round

    p = np.array([0.02, 0.1, 0.5, 0.72, 0.97])
    m = GANModel(**WGAN | {"readout": "quantile"}).fit(toy(n=40, n_sites=5), seed=0, epochs=0)
    state = {k: np.zeros_like(v) for k, v in m.get_state().items()}
    state["generator/generator_output/bias"] = np.log(p / (1 - p)).astype(np.float32)
    m.set_state(state)
    for beta, counts in ((1.0, [0, 1, 5, 7, 10]), (2.0, [0, 0, 5, 9, 10])):
        m.set_sampling(beta=beta)
        ag = m.sample(10, seed=3)
        assert ag.dtype == np.int8
        np.testing.assert_array_equal(ag, np.arange(10)[:, None] < np.array(counts))
    # with trained weights: the log-odds of the same latent draws, rounded together
    # across sample batches of 7 rows
    import genosynth.models.gan as gan

    monkeypatch.setattr(gan, "SAMPLE_BATCH", 7)
    trained = GANModel(**WGAN | {"readout": "quantile", "beta": 1.5})
    trained.fit(toy(n=40, n_sites=5), seed=0, epochs=3)
    rng = np.random.default_rng(3)
    z = np.concatenate([rng.standard_normal((k, 16), dtype=np.float32) for k in (7, 7, 6)])
    want = count_preserving_round(1.5 * np.asarray(trained._generator(z)))
    np.testing.assert_array_equal(trained.sample(20, seed=3), want)
    y = np.arange(40) % 2
    cond = GANModel(**WGAN | {"readout": "quantile"}).fit(
        toy(n=40, n_sites=5), seed=0, labels=y, epochs=0
    )
    state = {k: np.zeros_like(v) for k, v in cond.get_state().items()}
    state["generator/generator_output/bias"] = np.zeros(5, np.float32)
    cond.set_state(state)
    ag = cond.sample(10, seed=1, labels=np.repeat([0, 1], 5))
    np.testing.assert_array_equal(ag.sum(0), [6] * 5)
    for bad, match in (
        ({"readout": "quantile"}, "'readout' must be 'sample' unless output is bernoulli"),
        (WGAN | {"readout": "mean"}, "gan.readout': must be one of"),
    ):
        with pytest.raises(GenosynthError, match=match):
            GANModel(**bad)


def test_calibrate_beta_needs_the_bernoulli_output():
    from genosynth.errors import ConfigError
    from genosynth.training import calibrate_beta

    h = toy(n=40)
    paper = GANModel(**TINY).fit(h, seed=0, epochs=0)
    assert not paper.samples_at_beta
    with pytest.raises(ConfigError, match="output: bernoulli"):
        calibrate_beta(paper, h, seed=0)
    wgan = GANModel(**WGAN).fit(h, seed=0, epochs=0)
    assert wgan.samples_at_beta
    rows = calibrate_beta(wgan, h, seed=0, steps=1)
    # 1, both ends, up to 3 widenings of the bracket, then 1 bisection step if it holds the balance
    assert [r["beta"] for r in rows[:3]] == [1.0, 0.9, 1.1] and 3 <= len(rows) <= 7
    assert wgan.params["beta"] in [r["beta"] for r in rows]


def _plain_wgan_epoch(m, x, onehot, noise, first_batch):
    """One ``wgan_gp`` epoch written out batch by batch in a Python loop, with the
    model's own networks and Adam optimizers (each step a graph function, no XLA:
    the networks' L2 penalty is a custom gradient, which eager mode refuses on
    variables)."""
    import tensorflow as tf

    from genosynth.models.gan_train import TEMPERATURE, relaxed_bernoulli

    p, G, D = m.params, m._generator, m._discriminator
    b = p["batch_size"]

    def packed_critic(rows, oh):
        return D(tf.concat([rows, oh], 1), training=True)

    def penalty(critic, mixed):
        with tf.GradientTape() as tape:
            tape.watch(mixed)
            score = critic(mixed)
        norms = tf.sqrt(tf.reduce_sum(tf.square(tape.gradient(score, mixed)), axis=1) + 1e-12)
        return tf.reduce_mean(tf.square(norms - 1.0))

    def fake_of(z, oh, seed):
        logits = G(tf.concat([z, oh], 1), training=True)
        u = tf.random.stateless_uniform(tf.shape(logits), seed, 1e-7, 1.0 - 1e-7)
        return relaxed_bernoulli(logits, u, TEMPERATURE)

    @tf.function
    def critic_step(real, oh, z, mix, seed):
        fake = fake_of(z, oh, seed)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(packed_critic(fake, oh))
            loss -= tf.reduce_mean(packed_critic(real, oh))
            critic = lambda v: packed_critic(v, oh)  # noqa: E731
            loss += p["gp_weight"] * penalty(critic, mix * real + (1 - mix) * fake)
            loss += tf.add_n(D.losses)
        dv = D.trainable_variables
        m._d_opt.apply_gradients(zip(tape.gradient(loss, dv), dv, strict=True))

    @tf.function
    def generator_step(oh, z, seed):
        with tf.GradientTape() as tape:
            fake = fake_of(z, oh, seed)
            loss = -tf.reduce_mean(packed_critic(fake, oh))
            loss += tf.add_n(G.losses)
        gv = G.trainable_variables
        m._g_opt.apply_gradients(zip(tape.gradient(loss, gv), gv, strict=True))

    for i in range(len(noise["latent"])):
        idx = noise["perm"][i * b : (i + 1) * b]
        real, oh = tf.gather(x, idx), tf.gather(onehot, idx)
        seeds = noise["relaxation_seeds"][i]
        critic_step(real, oh, noise["latent"][i], noise["interpolation"][i], seeds[0])
        if (first_batch + i + 1) % p["n_critic"] == 0:
            generator_step(oh, noise["generator_latent"][i], seeds[1])


def test_wgan_epoch_matches_a_plain_loop():
    """The compiled critic / generator schedule equals the plain eager loop, with the
    generator step every ``n_critic``-th batch counted across epochs (3 batches an
    epoch, every 2nd: after epoch 1 one generator step, after 2 epochs three)."""
    from genosynth.models.gan import label_inputs

    h = toy(n=50, n_sites=12)
    y = np.arange(50) % 2
    kw = WGAN | {"batch_size": 16, "n_critic": 2, "d_lr": 1e-3, "g_lr": 1e-3}
    ours = GANModel(**kw).fit(h, seed=5, labels=y, epochs=1)
    assert int(ours.get_optimizer_state()["g_optimizer/iterations"]) == 1
    assert int(ours.get_optimizer_state()["d_optimizer/iterations"]) == 3
    noise = ours.epoch_noise(50)
    assert noise["relaxation_seeds"].shape == (3, 2, 2)
    assert noise["interpolation"].shape == (3, 16, 1)
    assert noise["generator_latent"].shape == (3, 16, 16)

    plain = GANModel(**kw).fit(h, seed=5, labels=y, epochs=1)
    x = noisy_inputs(h, 5, 0.0)
    _plain_wgan_epoch(plain, x, label_inputs(y, 2, 10.0), noise, first_batch=3)
    ours.fit(h, seed=5, labels=y, epochs=2)
    assert int(ours.get_optimizer_state()["g_optimizer/iterations"]) == 3
    before, got, want = GANModel(**kw).fit(h, seed=5, labels=y, epochs=1), ours, plain
    moved = 0.0
    for key, value in want.get_state().items():
        np.testing.assert_allclose(got.get_state()[key], value, rtol=0, atol=1e-5, err_msg=key)
        moved = max(moved, np.abs(value - before.get_state()[key]).max())
    assert moved > 1e-4


def test_wgan_learns_independent_site_frequencies():
    """Independent sites at frequencies 0.1-0.9: the Bernoulli-output Wasserstein GAN's
    AGs keep each frequency within 0.12 and the sites independent (mean |r| < 0.05;
    measured 0.079 and 0.021). The paper's GAN, whose rounded tanh outputs must tie
    sites together to vary them, misses frequencies by up to 0.34 with mean |r| 0.14."""
    rng = np.random.default_rng(3)
    freq = np.linspace(0.1, 0.9, 12)
    h = (rng.random((512, 12)) < freq).astype(np.int8)
    off_diagonal = ~np.eye(12, dtype=bool)
    kw = TINY | {"g_hidden_divisors": [0.5], "d_hidden_divisors": [0.5], "adam_beta_1": 0.5}
    wgan = WGAN | kw | {"d_lr": 1e-3, "g_lr": 1e-3, "adam_beta_2": 0.9, "n_critic": 2}
    ag = GANModel(**wgan).fit(h, seed=1, epochs=40).sample(4000, seed=2)
    np.testing.assert_array_less(np.abs(ag.mean(0) - h.mean(0)), 0.12)
    assert np.abs(np.corrcoef(ag.T)[off_diagonal]).mean() < 0.05
    paper = GANModel(**kw | {"g_lr": 1e-3}).fit(h, seed=1, epochs=40).sample(4000, seed=2)
    with np.errstate(invalid="ignore"):  # sites the paper GAN fixed have no correlation
        r_paper = np.corrcoef(paper.T)[off_diagonal]
    assert np.nanmean(np.abs(r_paper)) > 0.08


def test_lr_schedule_hand_worked_and_refusals():
    m = GANModel(**TINY | {"epochs": 5, "lr_final_factor": 0.01, "lr_anneal_start": 1})
    # epochs 1-2 at the full rate, then 0.01 ** (1/3, 2/3, 1), and the last factor after
    got = [m.epoch_lr_factor(e) for e in range(1, 8)]
    np.testing.assert_allclose(got, [1, 1, 0.01 ** (1 / 3), 0.01 ** (2 / 3), 0.01, 0.01, 0.01])
    assert GANModel(**TINY).epoch_lr_factor(3) == 1.0  # None: constant (the paper)
    for bad in (0, 1.5, "x"):
        with pytest.raises(GenosynthError, match="lr_final_factor"):
            GANModel(lr_final_factor=bad)
    with pytest.raises(GenosynthError, match="lr_anneal_start"):
        GANModel(lr_anneal_start=-1)


def test_annealed_training_sets_the_rates_and_resumes_on_schedule(tmp_path):
    h = toy()
    params = TINY | {"lr_final_factor": 0.1, "epochs": 4, "loss": "wgan_gp", "n_critic": 2}
    full = GANModel(**params).fit(h, seed=11)
    assert float(full._d_opt.learning_rate.numpy()) == pytest.approx(full.params["d_lr"] * 0.1)
    assert float(full._g_opt.learning_rate.numpy()) == pytest.approx(full.params["g_lr"] * 0.1)
    plain = TINY | {"epochs": 4, "loss": "wgan_gp", "n_critic": 2}
    first = [GANModel(**p).fit(h, seed=11, epochs=1) for p in (params, plain)]
    for key, value in weights(first[0]).items():  # epoch 1 trains at the full rates
        np.testing.assert_array_equal(value, weights(first[1])[key], err_msg=key)
    constant = weights(GANModel(**plain).fit(h, seed=11))
    assert any(not np.array_equal(v, constant[k]) for k, v in weights(full).items())
    ckpt = tmp_path / "gan.npz"
    GANModel(**params).fit(h, seed=11, checkpoint_path=ckpt, checkpoint_every=2,
                           callback=lambda e, logs: e == 2)  # fmt: skip
    resumed = GANModel(**params).fit(h, seed=11, checkpoint_path=ckpt, checkpoint_every=2)
    want, got = weights(full), weights(resumed)
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-6, atol=0, err_msg=key)
