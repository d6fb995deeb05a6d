"""Demo acceptance of the DNA track, on the embedded simulated data at test scale.

* Binding design (paper Fig 8b): sequences designed against a predictor that saw only the
  weakest 40 % of the probes beat the best of those probes under the *true* scoring
  function of the simulation (:func:`genosynth.dna.simulate.binding_truth`), not only
  under the oracle.
* Splice logos (paper Fig 6): a WGAN trained on exon windows of the demo genome generates
  windows whose exon track is aligned with AG before and GT after the exon: >= 1 bit of
  information at each of the four positions (the planted signal has 2 bits).

Both run the library functions the workflow's steps call, at sizes that train in well
under a minute on 2 cores; the default config runs the same recipe at full demo scale.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("tensorflow")

from genosynth.dna import logos  # noqa: E402
from genosynth.dna import sequences as seqs  # noqa: E402
from genosynth.dna import simulate as sim  # noqa: E402
from genosynth.dna.motifs import read_jaspar  # noqa: E402
from genosynth.dna.wgan import SequenceWGAN  # noqa: E402
from genosynth.steps import dna as dna_steps  # noqa: E402

SIMULATION = {
    "n_sequences": 4000,
    "length": 36,
    "motifs": {"max": "MA0058.4"},
    "motif_rate": 0.3,
    "concentration": 1.0,
    "noise": 0.3,
    "seed": 3,
}
CNN = {"filters": 16, "kernel_size": 12, "hidden": 16, "epochs": 10, "batch_size": 64, "lr": 1e-3}


def test_designs_beat_the_restricted_training_maximum_under_the_truth(tmp_path):
    dna_steps.simulate_binding(table=tmp_path / "binding.tsv", settings=SIMULATION)
    dna_steps.prepare_binding(
        inputs={"table": tmp_path / "binding.tsv"},
        output=tmp_path / "max.npz",
        settings={"format": "simulate", "column": "max", "negatives": "none"},
        split={"test_fraction": 0.1, "seed": 4},
    )
    dna_steps.train_oracle(data=tmp_path / "max.npz", checkpoint=tmp_path / "oracle.npz",
                        predictions=tmp_path / "oracle.tsv", settings=CNN | {"seed": 7},
                        threads=1)  # fmt: skip
    dna_steps.restrict_binding(predictions=tmp_path / "oracle.tsv",
                            output=tmp_path / "restricted.npz", percentile=40)  # fmt: skip
    dna_steps.train_predictor(data=tmp_path / "restricted.npz", checkpoint=tmp_path / "pred.npz",
                           settings=CNN | {"seed": 6}, threads=1)  # fmt: skip
    inputs = {
        "restricted": tmp_path / "restricted.npz",
        "predictor": tmp_path / "pred.npz",
        "oracle": tmp_path / "oracle.npz",
        "predictions": tmp_path / "oracle.tsv",
    }
    design = {"set": "max", "percentile": 40, "method": "activation", "n_designs": 16,
              "steps": 100, "lr": 0.1, "prior_weight": 0.0, "noise": 0.0, "seed": 13}  # fmt: skip
    dna_steps.design(experiment="binding_design", inputs=inputs, output=tmp_path / "designs.tsv",
                  settings=design)  # fmt: skip
    truth_settings = {"simulation": SIMULATION, "columns": ["max"], "core": {"motif": "MA0058.4"}}
    dna_steps.plot_design(experiment="binding_design", designs=tmp_path / "designs.tsv",
                       inputs=inputs, figure=tmp_path / "fig.png", metrics=tmp_path / "m.tsv",
                       settings=design | truth_settings)  # fmt: skip
    m = pd.read_csv(tmp_path / "m.tsv", sep="\t").set_index("metric")["value"]
    # the restricted probes carry no strong site: their best true score is far below a
    # consensus CACGTG (log2(0.5 + 0.5) = 0 for the palindrome at concentration 1)
    assert m["truth_training_max"] < -3
    assert m["truth_share_above_training_max"] >= 0.9
    assert m["share_above_training_max"] >= 0.9  # and under the oracle, as the paper reports
    designs = pd.read_csv(tmp_path / "designs.tsv", sep="\t")
    counts = read_jaspar(None, "MA0058.4")[1]
    truth = sim.binding_truth(seqs.encode(designs.sequence), counts, concentration=1.0)
    assert (truth > m["truth_training_max"]).mean() == m["truth_share_above_training_max"]
    assert designs.sequence.str.contains("CACGTG").mean() >= 0.5  # most carry the MAX E-box


def test_exon_wgan_generates_ag_and_gt_at_its_exon_boundaries():
    genome, exons = sim.simulate_genome(length=90000, n_exons=300, exon_min=10, exon_max=16,
                                        seed=1)  # fmt: skip
    codes, track, _ = seqs.exon_windows([("sim", 0, genome)], exons, window=40, min_exon=10,
                                        max_exon=16, min_flank=12)  # fmt: skip
    assert codes.shape == (300, 40)
    x = np.concatenate([seqs.one_hot(codes), track[..., None].astype(np.float32)], axis=-1)
    model = SequenceWGAN(latent_size=16, dim=32, n_blocks=1, batch_size=32, lr=1e-3,
                         steps=700)  # fmt: skip
    model.fit(x, seed=5)
    generated = model.sample(500, seed=0)
    starts, ends = logos.align_boundaries(generated[..., :4].argmax(-1).astype(np.uint8),
                                          generated[..., 4], flank=10)  # fmt: skip
    info = logos.splice_site_information(starts, ends, flank=10)
    assert info["n_windows"] >= 450  # nearly every generated window has an exon in frame
    for key in ("acceptor_a_bits", "acceptor_g_bits", "donor_g_bits", "donor_t_bits"):
        assert info[key] >= 1.0, info
    assert info["acceptor_ag_share"] >= 0.7 and info["donor_gt_share"] >= 0.7, info
