"""Train conv_gan on a real haplotype set for a time budget; print one results.tsv row.

``python experiments/real805_conv_gan/run.py HAPT LEGEND --output sigmoid --minutes 6``
(run from the repo root with ``PYTHONPATH=src``; ``--epochs N`` stops after N epochs instead,
for comparisons on a loaded machine). The haplotypes are split 80/20 into
training and test rows (seed 0); the model trains until the budget is spent (whole epochs),
then draws as many AGs as there are test rows and scores them against test and training
(``genosynth.evaluate.privacy.privacy_metrics``) and their allele frequencies and fixed sites
against all real rows.
"""

import argparse
import json
import time

import numpy as np

from genosynth.evaluate.diversity import allele_frequency_agreement, fixed_alleles
from genosynth.evaluate.privacy import privacy_metrics
from genosynth.formats import read_hapt
from genosynth.models import get_model

parser = argparse.ArgumentParser()
parser.add_argument("hapt")
parser.add_argument("legend")
parser.add_argument("--minutes", type=float, default=6.0)
parser.add_argument("--epochs", type=int, default=None, help="stop after these epochs instead")
parser.add_argument("--params", default="{}", help="conv_gan parameters (JSON)")
parser.add_argument("--seed", type=int, default=13)
args = parser.parse_args()

h = read_hapt(args.hapt, args.legend).haplotypes
order = np.random.default_rng(0).permutation(len(h))
n_test = len(h) // 5
test, train = h[order[:n_test]], h[order[n_test:]]
params = {"epochs": 100000, "threads": None} | json.loads(args.params)
params.pop("threads")
model = get_model("conv_gan", **params)
model.configure_threads(2)
start, logs = time.perf_counter(), []


def stop(epoch, row):
    logs.append(row)
    if args.epochs is not None:
        return epoch >= args.epochs
    return time.perf_counter() - start > 60 * args.minutes


model.fit(train, seed=args.seed, callback=stop)
train_s = time.perf_counter() - start
ags = model.sample(len(test), seed=7)
p = privacy_metrics(train, test, ags, seed=0)
fixed = fixed_alleles(h, ags)
freq = allele_frequency_agreement(h, ags)
row = {
    "params": json.dumps(json.loads(args.params), sort_keys=True),
    "n_sites": h.shape[1],
    "n_train": len(train),
    "epochs": model.step,
    "train_min": round(train_s / 60, 1),
    "aats_test": round(p["aats_test"], 3),
    "aa_truth_test": round(p["aa_truth_test"], 3),
    "aa_syn_test": round(p["aa_syn_test"], 3),
    "aats_train": round(p["aats_train"], 3),
    "privacy_loss": round(p["privacy_loss"], 3),
    "exact_copies": p["exact_copies"],
    "fraction_polymorphic_real_fixed_ag": round(fixed["fraction_polymorphic_real_fixed_ag"], 3),
    "af_pearson_r": round(freq["pearson_r"], 3),
    "last_d_loss": round(logs[-1]["d_loss"], 3),
    "last_g_loss": round(logs[-1]["g_loss"], 3),
}
print("\t".join(row))
print("\t".join(str(v) for v in row.values()), flush=True)
