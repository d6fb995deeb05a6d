"""Fit a small conv_gan with seed 0; print a SHA-1 prefix of all its weights (see README.md)."""

import hashlib

import numpy as np

from genosynth.models import get_model

rng = np.random.default_rng(3)
h = (rng.random((96, 200)) < 0.3).astype(np.int8)
model = get_model("conv_gan", channels=4, depth=3, batch_size=8, n_critic=2, epochs=3)
model.configure_threads(2)
model.fit(h, seed=0)
state = model.get_state()
weights = b"".join(np.ascontiguousarray(state[k]).tobytes() for k in sorted(state))
print(hashlib.sha1(weights).hexdigest()[:12])
