"""Generative haplotype models behind one interface (see :mod:`genosynth.models.base`).

Importing this package registers every model in :data:`MODELS`; TensorFlow is
imported only when a GAN is built.
"""

from genosynth.models import baselines, conv_gan, copying, gan, rbm  # noqa: F401 (register)
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
