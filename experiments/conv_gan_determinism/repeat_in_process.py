"""Fit the contract tests' conv_gan 6 times in one process with seed 11; print, per fit, the
largest absolute weight difference from the first fit (see README.md).

``--jit`` XLA-compiles the training epoch (``jit_compile: true``).
"""

import sys

import numpy as np

from genosynth.models import get_model

rng = np.random.default_rng(20240601)
h = (rng.random((60, 25)) < rng.uniform(0.1, 0.9, 25)).astype(np.int8)
params = {"channels": 2, "depth": 2, "batch_size": 8, "n_critic": 2, "epochs": 2}
states = [
    get_model("conv_gan", **params, jit_compile="--jit" in sys.argv).fit(h, seed=11).get_state()
    for _ in range(6)
]
diffs = [max(float(np.max(np.abs(s[k] - states[0][k]))) for k in s) for s in states[1:]]
print(" ".join(f"{d:.2g}" for d in diffs))
