"""Generative haplotype models behind one interface (see :mod:`genosynth.models.base`)."""

from genosynth.models import baselines  # noqa: F401  (registers "bernoulli", "markov")
from genosynth.models.base import (
    MODELS,
    HaplotypeModel,
    check_haplotypes,
    get_model,
    load_model,
    register_model,
)

__all__ = [
    "MODELS",
    "HaplotypeModel",
    "check_haplotypes",
    "get_model",
    "load_model",
    "register_model",
]
