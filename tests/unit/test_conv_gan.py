"""The convolutional WGAN (``conv_gan``): network sizes against hand-written formulas,
linear growth in the SNP count, conditional sampling and the epoch's step counts."""

import math

import numpy as np
import pytest

from genosynth.errors import GenosynthError
from genosynth.models import get_model

pytest.importorskip("tensorflow")

SHAPE = {"channels": 3, "depth": 4, "noise_dim": 2}


def by_hand(n_sites, channels, depth, noise_dim, pack_m, n_classes):
    """Trainable weights (generator, critic), written out layer by layer (kernel 3)."""
    base = math.ceil(n_sites / 2**depth)
    lengths = [base * 2**k for k in range(depth + 1)]  # positions of each level
    w = [channels * (depth + 1 - k) for k in range(depth + 1)]  # channels of each level
    maps = sum(lengths)  # one learned value per position and level, in each network
    g = maps + 3 * (noise_dim + 1 + n_classes) * w[0] + w[0] + 2 * w[0]  # first conv + LN
    for k in range(1, depth + 1):
        g += 3 * w[k - 1] * w[k] + w[k] + 2 * w[k]  # transposed conv (upsampling) + LN
        g += 3 * (w[k] + 1 + noise_dim) * w[k] + w[k] + 2 * w[k]  # conv on [x, map, noise] + LN
    g += 3 * w[depth] + 1 + n_sites  # output conv to 1 channel, a bias per site
    c = maps + 3 * (pack_m * (1 + n_classes) + 1) * w[depth] + w[depth] + 2 * w[depth]
    for k in range(depth - 1, -1, -1):
        c += 3 * w[k + 1] * w[k] + w[k] + 2 * w[k]  # stride-2 conv + LN
        c += 3 * (w[k] + 1) * w[k] + w[k] + 2 * w[k]  # conv on [x, map] + LN
    c += 3 * w[0] + 1 + base + 1  # conv to 1 channel, Dense(base -> 1)
    return g, c


@pytest.mark.parametrize("n_sites", [1000, 4096])
@pytest.mark.parametrize(("pack_m", "n_classes"), [(1, 0), (3, 2)])
def test_network_sizes_match_the_formula(n_sites, pack_m, n_classes):
    from genosynth.models.conv_gan_network import build_critic, build_generator, parameter_count

    g = build_generator(n_sites, n_classes=n_classes, **SHAPE)
    c = build_critic(n_sites, pack_m=pack_m, n_classes=n_classes, channels=3, depth=4)
    want = by_hand(n_sites, 3, 4, 2, pack_m, n_classes)
    assert (g.count_params(), c.count_params()) == want
    assert parameter_count(n_sites, pack_m=pack_m, n_classes=n_classes, **SHAPE) == want
    assert g.output_shape == (None, n_sites)
    assert c.output_shape == (None, 1)
    if n_sites == 1000:  # ceil(1000 / 16) = 63 positions at the coarsest level
        assert [tuple(i.shape) for i in g.inputs][:2] == [(None, 63, 2), (None, 126, 2)]


def test_weights_grow_linearly_with_the_snp_count():
    from genosynth.models.conv_gan_network import parameter_count

    sizes = [4096, 16384, 65536]
    counts = [sum(parameter_count(n, channels=8, depth=6, noise_dim=2, pack_m=1)) for n in sizes]
    per_snp = [(counts[i + 1] - counts[i]) / (sizes[i + 1] - sizes[i]) for i in range(2)]
    # maps of (1 + 2 + ... + 64) L / 64 values in each network, the critic's Dense(L / 64)
    # and the generator's bias per site
    assert per_snp == [2 * 127 / 64 + 1 / 64 + 1] * 2


def toy(n=48, n_sites=40, seed=3):
    rng = np.random.default_rng(seed)
    return (rng.random((n, n_sites)) < 0.3).astype(np.int8)


TINY = {"channels": 2, "depth": 2, "batch_size": 8, "n_critic": 2, "epochs": 2}


def test_generated_length_and_epoch_steps():
    h = toy()
    model = get_model("conv_gan", **TINY | {"pack_m": 2}).fit(h, seed=0)
    assert model.sample(5, seed=0).shape == (5, 40)
    assert model.level_lengths() == [10, 20, 40]
    from genosynth.models.conv_gan import _Epoch

    epoch = _Epoch(model, len(h))
    assert (epoch.b, epoch.n_steps) == (8, 3)  # 48 rows // (8 packs x 2)
    assert model._d_opt.iterations.numpy() == 2 * 3  # a critic step per pack batch
    assert model._g_opt.iterations.numpy() == 3  # every 2nd of the 6 critic steps


def test_sampling_calls_are_bounded_by_width_and_channels(monkeypatch):
    from genosynth.models import conv_gan

    model = get_model("conv_gan", **TINY).fit(toy(), seed=0)  # 40 sites, channels 2
    assert model.sample_rows() == conv_gan.SAMPLE_BATCH  # 2**23 // (40 * 2) is more
    monkeypatch.setattr(conv_gan, "SAMPLE_UNITS", 3 * 40 * 2 + 1)
    assert model.sample_rows() == 3
    a = model.sample(7, seed=1)  # calls of 3, 3 and 1 rows
    assert a.shape == (7, 40) and a.dtype == np.int8 and set(np.unique(a)) <= {0, 1}
    monkeypatch.setattr(conv_gan, "SAMPLE_UNITS", 1)
    assert model.sample_rows() == 1  # never fewer than one row per call


def test_conditional_sampling_follows_the_labels():
    h = toy()
    labels = np.repeat([0, 1], 24)
    model = get_model("conv_gan", **TINY).fit(h, seed=0, labels=labels)
    assert model.n_classes == 2
    np.testing.assert_allclose(model.label_proportions, [0.5, 0.5])
    a = model.sample(6, seed=1, labels=0)
    assert a.shape == (6, 40)
    assert not np.array_equal(a, model.sample(6, seed=1, labels=1))
    with pytest.raises(GenosynthError):
        model.sample(2, seed=0, labels=2)


def test_fewer_haplotypes_than_a_pack_is_refused():
    with pytest.raises(GenosynthError, match="pack_m"):
        get_model("conv_gan", **TINY | {"pack_m": 4}).fit(toy(n=3), seed=0)


def test_site_logits_by_hand():
    from genosynth.models.conv_gan import site_logits

    data = np.array([[1, 0], [1, 0], [0, 0]], dtype=np.int8)
    # (2 + 1/2) / 4 = 0.625 and (0 + 1/2) / 4 = 0.125
    want = [np.log(0.625 / 0.375), np.log(0.125 / 0.875)]
    np.testing.assert_allclose(site_logits(data), want, rtol=1e-6)


def test_training_starts_from_the_allele_frequencies():
    from genosynth.models.conv_gan import site_logits

    h = toy(n=64, n_sites=40)
    h[:, 5] = 0  # a fixed site
    model = get_model("conv_gan", **TINY | {"output": "bernoulli"})
    model.init_training(h, labels=None, seed=0)
    bias = np.asarray(model._generator.get_layer("logits").bias)
    np.testing.assert_array_equal(bias, site_logits(h))
    assert bias[5] == pytest.approx(np.log(0.5 / 64.5), rel=1e-5)  # p = 0.5 / 65
