"""Evaluation of artificial genomes against real haplotypes (Yelmen et al.).

* :mod:`~genosynth.evaluate.distance`: exact, fast Hamming distances and nearest neighbours.
* :mod:`~genosynth.evaluate.privacy`: AATS, privacy loss, exact copies, membership
  inference and the export gate.
* :mod:`~genosynth.evaluate.diversity`: allele frequencies, fixed alleles, pairwise
  differences and the AG/real diversity ratio, closest distances, haplostrip ordering,
  local-haplotype spectra.
* :mod:`~genosynth.evaluate.ld`: r² matrices and LD decay (also split into pairs inside
  windows and across their borders).
* :mod:`~genosynth.evaluate.figures`: one function per figure of the output contract
  (imported on its own, so that computing metrics does not load matplotlib).
"""

from genosynth.evaluate.distance import (
    hamming,
    hamming_reference,
    nearest_neighbor,
    nearest_neighbor_reference,
    pack_bits,
    pair_distances,
)
from genosynth.evaluate.diversity import (
    allele_frequency,
    allele_frequency_agreement,
    closest_distance,
    diversity_ratio,
    fixed_alleles,
    haplostrip_order,
    local_haplotype_spectrum,
    mean_pairwise_difference,
    pairwise_differences,
)
from genosynth.evaluate.ld import ld_decay, ld_decay_by_class, ld_decay_mae, r2_matrix
from genosynth.evaluate.privacy import (
    PrivacyGateError,
    aats,
    aats_sensitivity,
    exact_copies,
    fold_aats,
    gate_failures,
    membership_auc,
    privacy_gate,
    privacy_loss,
    privacy_metrics,
)

__all__ = [
    "PrivacyGateError",
    "aats",
    "aats_sensitivity",
    "allele_frequency",
    "allele_frequency_agreement",
    "closest_distance",
    "diversity_ratio",
    "exact_copies",
    "fixed_alleles",
    "fold_aats",
    "gate_failures",
    "hamming",
    "hamming_reference",
    "haplostrip_order",
    "ld_decay",
    "ld_decay_by_class",
    "ld_decay_mae",
    "local_haplotype_spectrum",
    "mean_pairwise_difference",
    "membership_auc",
    "nearest_neighbor",
    "nearest_neighbor_reference",
    "pack_bits",
    "pair_distances",
    "pairwise_differences",
    "privacy_gate",
    "privacy_loss",
    "privacy_metrics",
    "r2_matrix",
]
