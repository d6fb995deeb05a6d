"""The embedded demo data of the DNA track: a genome with planted exons, and a binding set.

Genome
    A first-order Markov chain with human-like dinucleotide statistics (CpG depleted, 41 %
    GC) into which exons are planted on either strand with the canonical splice signals:
    a polypyrimidine tract and ``YAG`` before the exon (acceptor, the exon starts after
    ``AG``), ``MAG`` ending the exon and ``GTRAGT`` after it (donor). The ``AG``/``GT``
    dinucleotides are always present (as in ~99 % of human introns); the surrounding positions
    are drawn from position-specific frequencies close to the human consensus.

Binding
    Random sequences, a share of which carry a motif instance drawn from a PWM's base
    frequencies, scored by a known model: the expected number of bound sites
    ``theta = sum_j c K_j / (1 + c K_j)`` over positions and strands, with
    ``K_j = 2 ** (s_j - s_max)`` (``s_j`` the site's log2-odds, ``s_max`` the consensus
    score) and concentration ``c``; the score is ``log2(theta)`` (:func:`binding_truth`),
    measured with Gaussian noise. Design success is checked against this truth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from genosynth.dna.motifs import log_odds, pwm_positions, read_jaspar
from genosynth.dna.sequences import ALPHABET, one_hot, reverse_complement

__all__ = ["binding_truth", "simulate_binding", "simulate_genome"]

#: Transition probabilities ``P(next | previous)`` (rows and columns A, C, G, T).
_TRANSITIONS = np.array(
    [
        [0.33, 0.17, 0.24, 0.26],
        [0.35, 0.26, 0.05, 0.34],
        [0.29, 0.21, 0.26, 0.24],
        [0.22, 0.20, 0.25, 0.33],
    ]
)
#: Acceptor: 14 nt of polypyrimidine tract, N, then C/T, A, G (the exon starts after).
_ACCEPTOR = np.array(
    [[0.08, 0.42, 0.08, 0.42]] * 14
    + [[0.25, 0.25, 0.25, 0.25], [0.05, 0.70, 0.02, 0.23], [1, 0, 0, 0], [0, 0, 1, 0]]
)
#: Exon start (G after the acceptor AG, as often in human exons).
_EXON_START = np.array([[0.25, 0.15, 0.50, 0.10]])
#: Last three exon bases (MAG) and the donor GTRAGT.
_EXON_END = np.array([[0.35, 0.35, 0.15, 0.15], [0.65, 0.10, 0.12, 0.13], [0.10, 0.05, 0.80, 0.05]])
_DONOR = np.array(
    [
        [0, 0, 1, 0],
        [0, 0, 0, 1],
        [0.60, 0.03, 0.35, 0.02],
        [0.70, 0.08, 0.12, 0.10],
        [0.08, 0.05, 0.80, 0.07],
        [0.15, 0.15, 0.20, 0.50],
    ]
)


def _markov(rng: np.random.Generator, n: int) -> np.ndarray:
    """``uint8 (n,)`` codes of the background chain."""
    cum = np.cumsum(_TRANSITIONS, axis=1)[:, :3].tolist()
    out = bytearray(n)
    state = 0
    for i, u in enumerate(rng.random(n).tolist()):  # a Markov chain is a sequential scan
        row = cum[state]
        state = 0 if u < row[0] else 1 if u < row[1] else 2 if u < row[2] else 3
        out[i] = state
    return np.frombuffer(bytes(out), dtype=np.uint8).copy()


def _draw(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One base per row of ``probs (k, 4)``: ``uint8 (k,)``."""
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    return (rng.random((len(probs), 1)) > cum).sum(axis=1).clip(0, 3).astype(np.uint8)


def simulate_genome(
    *,
    length: int,
    n_exons: int,
    exon_min: int,
    exon_max: int,
    chrom: str = "sim",
    seed,
) -> tuple[str, pd.DataFrame]:
    """A genome with planted exons.

    Parameters
    ----------
    length : int
        Genome length in nt.
    n_exons : int
        Exons to plant; they are spread evenly (random jitter) and never overlap.
    exon_min, exon_max : int
        Exon lengths are uniform on ``[exon_min, exon_max]``.
    chrom : str
        Record name.
    seed : int or numpy.random.Generator

    Returns
    -------
    sequence : str
        ``length`` upper-case bases.
    exons : pandas.DataFrame
        ``chrom start end strand`` (0-based half-open), sorted by start.
    """
    rng = np.random.default_rng(seed)
    genome = _markov(rng, length)
    slot = length // max(n_exons, 1)
    flank = len(_ACCEPTOR) + len(_DONOR)
    if slot < exon_max + 2 * flank:
        raise ValueError(f"{n_exons} exons of up to {exon_max} nt do not fit in {length} nt")
    rows = []
    for k in range(n_exons):
        m = int(rng.integers(exon_min, exon_max + 1))
        body = _markov(rng, m)
        body[:1] = _draw(rng, _EXON_START)
        body[-3:] = _draw(rng, _EXON_END)
        unit = np.concatenate([_draw(rng, _ACCEPTOR), body, _draw(rng, _DONOR)])
        start = k * slot + int(rng.integers(flank, slot - len(unit) - flank + 1))
        strand = "+" if rng.random() < 0.5 else "-"
        genome[start : start + len(unit)] = unit if strand == "+" else reverse_complement(unit)
        lead = len(_ACCEPTOR) if strand == "+" else len(_DONOR)
        rows.append((chrom, start + lead, start + lead + m, strand))
    exons = pd.DataFrame(rows, columns=["chrom", "start", "end", "strand"])
    return "".join(np.array(list(ALPHABET))[genome]), exons


def binding_truth(codes: np.ndarray, counts: np.ndarray, *, concentration: float) -> np.ndarray:
    """The demo's true binding score ``log2(theta)`` of each sequence (module notes).

    Parameters
    ----------
    codes : numpy.ndarray, uint8, shape (n, length)
    counts : numpy.ndarray, shape (width, 4)
        PFM counts.
    concentration : float
        ``c``: the occupancy of a consensus site is ``c / (1 + c)``.

    Returns
    -------
    numpy.ndarray, float64, shape (n,)
    """
    weights = log_odds(counts)
    s_max = weights.max(axis=1).sum()
    scores = pwm_positions(one_hot(codes), weights)  # (n, positions, 2)
    k = np.exp2(scores - s_max) * concentration
    theta = (k / (1.0 + k)).sum(axis=(1, 2))
    return np.log2(theta)


def simulate_binding(
    *,
    n_sequences: int,
    length: int,
    motifs: dict[str, str],
    motif_rate: float,
    concentration: float,
    noise: float,
    seed,
) -> pd.DataFrame:
    """Random probes with planted motif instances, measured under :func:`binding_truth`.

    Parameters
    ----------
    n_sequences, length : int
    motifs : dict of str to str
        Protein name to embedded JASPAR id (:data:`~genosynth.dna.motifs.EMBEDDED_PFMS`).
    motif_rate : float
        Chance that a probe carries an instance of each motif (independently).
    concentration : float
    noise : float
        Standard deviation of the Gaussian measurement noise.
    seed : int or numpy.random.Generator

    Returns
    -------
    pandas.DataFrame
        ``sequence``, then per protein ``p`` the measured ``p`` and the truth ``true_p``.
    """
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 4, size=(n_sequences, length)).astype(np.uint8)
    pfms = {name: read_jaspar(None, mid)[1] for name, mid in motifs.items()}
    for counts in pfms.values():
        width = len(counts)
        for row in np.flatnonzero(rng.random(n_sequences) < motif_rate):
            site = _draw(rng, counts)
            site = site if rng.random() < 0.5 else reverse_complement(site)
            at = int(rng.integers(0, length - width + 1))
            codes[row, at : at + width] = site
    frame = pd.DataFrame({"sequence": ["".join(ALPHABET[b] for b in row) for row in codes]})
    for name, counts in pfms.items():
        truth = binding_truth(codes, counts, concentration=concentration)
        frame[name] = truth + rng.normal(0.0, noise, size=n_sequences)
        frame[f"true_{name}"] = truth
    return frame
