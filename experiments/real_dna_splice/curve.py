"""Splice-site information of an exon WGAN vs training steps, on config/real_dna.yaml's data.

Usage (from the repository root; one row per evaluation appended to ``--out``):
    PYTHONPATH=src .venv/bin/python experiments/real_dna_splice/curve.py --label A \
        --window 200 --min-exon 20 --max-exon 160 --min-flank 20 \
        --dim 16 --blocks 1 --lr 1e-3 --steps 3000 --every 250 --out /tmp/curve.tsv
"""

import argparse
import time

import numpy as np
import pandas as pd

from genosynth.dna import logos
from genosynth.dna import sequences as seqs
from genosynth.dna.wgan import SequenceWGAN

DATA = "../shared/data/dna"
FASTA = f"{DATA}/genome/GRCh37_chr22_20000001-21000000.fa.gz"
ANNOTATION = f"{DATA}/annotation/gencode_v24_canonical_exons_grch37.spliceai.txt.gz"

ap = argparse.ArgumentParser()
for name, kind, default in [
    ("label", str, "run"), ("window", int, 500), ("min-exon", int, 50), ("max-exon", int, 400),
    ("min-flank", int, 50), ("dim", int, 16), ("blocks", int, 1), ("latent", int, 16),
    ("lr", float, 1e-3), ("batch", int, 32), ("steps", int, 600), ("every", int, 100),
    ("flank", int, 10), ("n-samples", int, 1000), ("seed", int, 1), ("threads", int, 2),
    ("out", str, "curve.tsv"),
]:  # fmt: skip
    ap.add_argument(f"--{name}", type=kind, default=default)
a = ap.parse_args()

exons = seqs.read_annotation(ANNOTATION, "gencode")
codes, track, _ = seqs.exon_windows(seqs.read_genome(FASTA), exons, window=a.window,
                                    min_exon=a.min_exon, max_exon=a.max_exon,
                                    min_flank=a.min_flank)  # fmt: skip
x = np.concatenate([seqs.one_hot(codes), track[..., None]], axis=-1).astype(np.float32)
real = logos.splice_site_information(*logos.align_boundaries(codes, track, flank=a.flank),
                                     flank=a.flank)  # fmt: skip
model = SequenceWGAN(latent_size=a.latent, dim=a.dim, n_blocks=a.blocks, lr=a.lr,
                     batch_size=a.batch, steps=a.steps)  # fmt: skip
model.configure_threads(a.threads)
rows, t0 = [], time.perf_counter()
keys = ["acceptor_ag_bits", "donor_gt_bits", "acceptor_ag_share", "donor_gt_share", "n_windows"]


def evaluate(step, logs):
    if step % a.every:
        return False
    gen = model.sample(a.n_samples, seed=a.seed)
    blocks = logos.align_boundaries(gen[..., :4].argmax(-1), gen[..., 4], flank=a.flank)
    info = logos.splice_site_information(*blocks, flank=a.flank)
    row = {"label": a.label, "window": a.window, "n_real_windows": len(codes), "dim": a.dim,
           "n_blocks": a.blocks, "lr": a.lr, "step": step,
           "seconds": round(time.perf_counter() - t0, 1)}  # fmt: skip
    row |= {f"{k}_generated": round(info[k], 3) for k in keys}
    row |= {f"{k}_real": round(real[k], 3) for k in keys}
    rows.append(row)
    print(row, flush=True)
    pd.DataFrame(rows).to_csv(a.out, sep="\t", index=False)
    return False


model.fit(x, seed=a.seed, callback=evaluate)
