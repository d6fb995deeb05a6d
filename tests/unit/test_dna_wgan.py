"""DNA WGAN-GP: gradient-penalty math, shapes, checkpoint resume; simulate; design."""

from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from genosynth.dna import design, simulate  # noqa: E402
from genosynth.dna.motifs import log_odds, pwm_scan, read_jaspar  # noqa: E402
from genosynth.dna.predictors import pwm_score_tf  # noqa: E402
from genosynth.dna.sequences import one_hot  # noqa: E402
from genosynth.dna.wgan import SequenceWGAN, interpolates, load_wgan  # noqa: E402
from genosynth.tfutils import gradient_penalty  # noqa: E402


def test_penalty_is_zero_for_a_unit_norm_linear_critic():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(5, 4)).astype(np.float32)
    w /= np.linalg.norm(w)  # gradient norm exactly 1 everywhere

    def critic(x):
        return tf.reduce_sum(x * w, axis=[1, 2])[:, None]

    x_hat = tf.constant(rng.normal(size=(8, 5, 4)).astype(np.float32))
    assert float(gradient_penalty(critic, x_hat)) == pytest.approx(0.0, abs=1e-10)
    # norm 3 -> (3 - 1)^2 = 4 for every sample
    assert float(gradient_penalty(lambda x: 3 * critic(x), x_hat)) == pytest.approx(4.0, rel=1e-5)


def test_interpolates_lie_on_the_segment_with_uniform_weights():
    gen = tf.random.Generator.from_seed(0)
    eps = gen.uniform([20000, 1, 1]).numpy()  # how the training step draws them
    assert 0.0 <= eps.min() and eps.max() < 1.0
    assert eps.mean() == pytest.approx(0.5, abs=0.01)
    assert eps.var() == pytest.approx(1 / 12, abs=0.003)
    real, fake = np.ones((2, 3, 4), np.float32), np.zeros((2, 3, 4), np.float32)
    out = interpolates(real, fake, np.array([0.25, 1.0], np.float32)[:, None, None])
    np.testing.assert_allclose(np.asarray(out)[:, 0, 0], [0.25, 1.0])


def _toy(n=64, length=8, track=False):
    rng = np.random.default_rng(0)
    x = one_hot(rng.integers(0, 4, (n, length)).astype(np.uint8))
    if track:
        x = np.concatenate([x, (rng.random((n, length, 1)) < 0.5).astype(np.float32)], -1)
    return x


def test_generator_output_is_softmax_plus_sigmoid_track():
    model = SequenceWGAN(latent_size=4, dim=4, n_blocks=1, batch_size=8, steps=1)
    model.fit(_toy(track=True), seed=1)
    x = model.sample(5, seed=0)
    assert x.shape == (5, 8, 5) and x.dtype == np.float32
    np.testing.assert_allclose(x[..., :4].sum(-1), 1.0, rtol=1e-5)
    assert ((x[..., 4] > 0) & (x[..., 4] < 1)).all()


def test_resume_equals_uninterrupted(tmp_path):
    x = _toy()
    settings = dict(latent_size=4, dim=4, n_blocks=1, batch_size=8)
    full = SequenceWGAN(**settings, steps=4).fit(x, seed=3)
    ckpt = tmp_path / "c.npz"
    SequenceWGAN(**settings, steps=2).fit(x, seed=3, checkpoint_path=ckpt)
    resumed = SequenceWGAN(**settings, steps=4).fit(x, seed=3, checkpoint_path=ckpt)
    assert load_wgan(ckpt).step == 4 and resumed.step == 4
    for key, value in full.get_state().items():
        np.testing.assert_allclose(resumed.get_state()[key], value, rtol=1e-5, atol=1e-6)


def test_train_wgan_resumes_a_killed_run_with_its_log(tmp_path, monkeypatch):
    import pandas as pd

    from genosynth import training
    from genosynth.steps.train import train_wgan

    x = _toy(track=True)
    settings = dict(latent_size=4, dim=4, n_blocks=1, batch_size=8, steps=4, seed=3)
    settings["checkpoint_every"] = 2
    ref = train_wgan(x, settings=settings, checkpoint=tmp_path / "ref/c.npz",
                          training_log=tmp_path / "ref/log.tsv")  # fmt: skip
    record = training.Evaluation.__call__

    def killed_at_step_3(self, step, logs):
        record(self, step, logs)
        if step == 3:
            raise KeyboardInterrupt  # after the step-2 resume file, before step 4

    out = tmp_path / "run"
    monkeypatch.setattr(training.Evaluation, "__call__", killed_at_step_3)
    with pytest.raises(KeyboardInterrupt):
        train_wgan(x, settings=settings, checkpoint=out / "c.npz", training_log=out / "l.tsv")
    assert [p.name[:7] for p in sorted(out.glob("resume-*"))] == ["resume-"]
    assert not (out / "c.npz").exists() and not (out / "l.tsv").exists()
    monkeypatch.setattr(training.Evaluation, "__call__", record)
    resumed = train_wgan(x, settings=settings, checkpoint=out / "c.npz",
                         training_log=out / "l.tsv")  # fmt: skip
    table = pd.read_csv(out / "l.tsv", sep="\t")
    assert table.step.tolist() == [1, 2, 3, 4]
    pd.testing.assert_frame_equal(table, pd.read_csv(tmp_path / "ref/log.tsv", sep="\t"),
                                  rtol=1e-4)  # fmt: skip
    for key, value in ref.get_state().items():
        np.testing.assert_allclose(resumed.get_state()[key], value, rtol=1e-5, atol=1e-6)
    assert sorted(p.name for p in out.iterdir()) == ["c.npz", "l.tsv"]  # side files removed


def test_simulated_genome_has_splice_signals_on_both_strands():
    genome, exons = simulate.simulate_genome(
        length=20000, n_exons=20, exon_min=20, exon_max=40, seed=4
    )
    assert len(genome) == 20000 and set(genome) <= set("ACGT")
    comp = str.maketrans("ACGT", "TGCA")
    for e in exons.itertuples():
        if e.strand == "+":
            assert genome[e.start - 2 : e.start] == "AG" and genome[e.end : e.end + 2] == "GT"
        else:  # transcript reads the reverse complement
            assert genome[e.end : e.end + 2].translate(comp)[::-1] == "AG"
            assert genome[e.start - 2 : e.start].translate(comp)[::-1] == "GT"
    assert set(exons.strand) == {"+", "-"}


def test_binding_truth_ranks_consensus_first():
    counts = read_jaspar(None, "MA0058.4")[1]
    codes = np.array([[0] * 4 + [1, 0, 1, 2, 3, 2] + [0] * 4, [0] * 14], dtype=np.uint8)
    truth = simulate.binding_truth(codes, counts, concentration=1.0)
    assert truth[0] == pytest.approx(np.log2(0.5 + 0.5), abs=0.05)  # CACGTG is palindromic
    assert truth[1] < -15


def test_activation_maximization_finds_the_pwm_consensus():
    weights = log_odds(read_jaspar(None, "MA0058.4")[1])
    score = pwm_score_tf(weights)
    x = one_hot(np.random.default_rng(0).integers(0, 4, (3, 12)).astype(np.uint8))
    np.testing.assert_allclose(score(tf.constant(x)).numpy(), pwm_scan(x, weights), rtol=1e-5)
    _, codes, trace = design.activation_maximization(score, n=4, length=12, steps=100, seed=0)
    assert trace[-1] > trace[0]
    best = weights.max(axis=1).sum()
    np.testing.assert_allclose(pwm_scan(one_hot(codes), weights), best, rtol=1e-5)
