"""Principal component analysis of haplotypes (Yelmen et al., Fig. 1).

The PCs are fitted on the real haplotypes only; artificial genomes (AGs) are
projected onto them, so that a model that reproduces population structure
puts its AGs where the real super-populations are.

Standardisation follows Patterson et al. (2006): SNP ``j`` with allele-1
frequency ``p_j`` in the real data becomes ``(x - p_j) / sqrt(p_j (1 - p_j))``;
a monomorphic SNP gets scale 1, so its centred value is 0 for every real
haplotype and it contributes nothing to the PCs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse.linalg

from genosynth.errors import GenosynthError

__all__ = ["PCAResult", "explained_variance_ratio", "fit_pca", "pca_metrics", "project"]

#: Number of matrix elements standardised at once (bounds the float64 temporaries).
_CHUNK_ELEMENTS = 1 << 23

#: Largest Gram/covariance matrix decomposed with dense ``eigh``; larger ones use
#: Lanczos (ARPACK ``eigsh``) for the top eigenpairs only, from a fixed start vector.
_DENSE_EIGH_MAX = 1000


@dataclass(frozen=True)
class PCAResult:
    """A PCA fitted on real haplotypes.

    Attributes
    ----------
    mean : numpy.ndarray, float64, (n_sites,)
        Allele-1 frequency of each SNP in the real data.
    scale : numpy.ndarray, float64, (n_sites,)
        ``sqrt(p (1 - p))``, 1 for monomorphic SNPs.
    components : numpy.ndarray, float64, (n_components, n_sites)
        Unit-norm loadings; each has its largest-magnitude entry positive.
    explained_variance : numpy.ndarray, float64, (n_components,)
        Variance (``ddof=1``) of the real scores on each PC, decreasing.
    real_scores : numpy.ndarray, float64, (n_real, n_components)
        ``project(self, real)``.
    """

    mean: np.ndarray
    scale: np.ndarray
    components: np.ndarray
    explained_variance: np.ndarray
    real_scores: np.ndarray

    @property
    def n_components(self) -> int:
        return self.components.shape[0]

    @property
    def n_sites(self) -> int:
        return self.components.shape[1]


def _as_haplotypes(h) -> np.ndarray:
    h = np.asarray(h)
    if h.ndim != 2:
        raise GenosynthError(f"expected a 2-D haplotype matrix, got shape {h.shape}")
    return h


def _standardised_blocks(h: np.ndarray, mean: np.ndarray, scale: np.ndarray, axis: int):
    """Yield ``(slice, standardised block)`` over rows (axis 0) or columns (axis 1)."""
    n, m = h.shape
    if axis == 0:
        step = max(1, _CHUNK_ELEMENTS // max(1, m))
        for a in range(0, n, step):
            s = slice(a, min(n, a + step))
            yield s, (h[s].astype(np.float64) - mean) / scale
    else:
        step = max(1, _CHUNK_ELEMENTS // max(1, n))
        for a in range(0, m, step):
            s = slice(a, min(m, a + step))
            yield s, (h[:, s].astype(np.float64) - mean[s]) / scale[s]


def _top_eigh(a: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` largest eigenpairs of the symmetric PSD matrix ``a`` (any order)."""
    size = a.shape[0]
    if size <= _DENSE_EIGH_MAX or k >= size - 1:
        return scipy.linalg.eigh(a, subset_by_index=[size - k, size - 1])
    # not a constant vector: for the Gram matrix of centred data, 1 is in the null space
    v0 = np.random.default_rng(0).standard_normal(size)
    return scipy.sparse.linalg.eigsh(a, k=k, which="LA", v0=v0, tol=0)


def fit_pca(real, *, n_components: int = 6) -> PCAResult:
    """Fit ``n_components`` PCs on the real haplotypes.

    The top eigenvectors are taken from the smaller of the Gram matrix
    ``X X^T`` (n_real x n_real) and the covariance ``X^T X`` (n_sites x
    n_sites) of the standardised matrix ``X``, both accumulated in blocks so
    the float64 copy of ``X`` never exists whole. Matrices up to
    ``_DENSE_EIGH_MAX`` rows use dense ``eigh``, larger ones Lanczos
    (``eigsh``) started from a fixed pseudo-random vector, so the result is
    deterministic.

    Parameters
    ----------
    real : array_like, (n_real, n_sites), values in {0, 1}
    n_components : int, default 6

    Returns
    -------
    PCAResult
    """
    h = _as_haplotypes(real)
    n, m = h.shape
    if not 1 <= n_components <= min(n - 1, m):
        raise GenosynthError(
            f"n_components must be in [1, {min(n - 1, m)}] for a {n} x {m} matrix, "
            f"got {n_components}"
        )
    mean = h.mean(axis=0, dtype=np.float64)
    var = mean * (1.0 - mean)
    scale = np.where(var > 0, np.sqrt(var), 1.0)

    if n <= m:
        gram = np.zeros((n, n))
        for _, xb in _standardised_blocks(h, mean, scale, axis=1):
            gram += xb @ xb.T
        evals, u = _top_eigh(gram, n_components)
        order = np.argsort(evals)[::-1]
        evals, u = np.clip(evals[order], 0.0, None), u[:, order]
        # right singular vectors: v_k = X^T u_k / s_k
        components = np.zeros((n_components, m))
        for s, xb in _standardised_blocks(h, mean, scale, axis=1):
            components[:, s] = u.T @ xb
        norms = np.linalg.norm(components, axis=1, keepdims=True)
        components /= np.where(norms > 0, norms, 1.0)
    else:
        cov = np.zeros((m, m))
        for _, xb in _standardised_blocks(h, mean, scale, axis=0):
            cov += xb.T @ xb
        evals, v = _top_eigh(cov, n_components)
        order = np.argsort(evals)[::-1]
        components = v[:, order].T.copy()

    # sign convention: the largest-|loading| entry of each component is positive
    pivot = np.argmax(np.abs(components), axis=1)
    signs = np.sign(components[np.arange(n_components), pivot])
    components *= np.where(signs == 0, 1.0, signs)[:, None]

    partial = PCAResult(mean, scale, components, np.zeros(n_components), np.zeros((0, 0)))
    scores = project(partial, h)
    explained = scores.var(axis=0, ddof=1)
    return PCAResult(mean, scale, components, explained, scores)


def project(pca: PCAResult, haplotypes) -> np.ndarray:
    """Scores ``(n, n_components)`` of ``haplotypes`` on the PCs of ``pca``."""
    h = _as_haplotypes(haplotypes)
    if h.shape[1] != pca.n_sites:
        raise GenosynthError(
            f"cannot project {h.shape[1]} sites onto a PCA fitted on {pca.n_sites} sites"
        )
    scores = np.empty((h.shape[0], pca.n_components))
    for s, xb in _standardised_blocks(h, pca.mean, pca.scale, axis=0):
        scores[s] = xb @ pca.components.T
    return scores


def _between_within_ratio(z: np.ndarray, groups: np.ndarray) -> float:
    """Between-group over within-group variance of the points ``z`` (n, d).

    With ``N`` points, overall centroid ``mu``, and group ``g`` of ``n_g``
    points with centroid ``mu_g``::

        between = sum_g n_g * ||mu_g - mu||**2 / N
        within  = sum_g sum_{i in g} ||z_i - mu_g||**2 / N
        ratio   = between / within

    (``between + within`` is the total variance, summed over dimensions.)
    NaN with fewer than two groups; ``inf`` if the groups are points apart.
    """
    labels = np.unique(groups)
    if labels.size < 2:
        return float("nan")
    n_total = z.shape[0]
    mu = z.mean(axis=0)
    between = 0.0
    within = 0.0
    for g in labels:
        zg = z[groups == g]
        mu_g = zg.mean(axis=0)
        between += zg.shape[0] * np.sum((mu_g - mu) ** 2) / n_total
        within += np.sum((zg - mu_g) ** 2) / n_total
    if within == 0:
        return float("inf") if between > 0 else float("nan")
    return float(between / within)


def _variance(x: np.ndarray) -> float:
    return float(np.var(x, ddof=1)) if x.shape[0] > 1 else float("nan")


def explained_variance_ratio(pca: PCAResult) -> np.ndarray:
    """Fraction of the real data's total (standardised) variance on each PC.

    Every polymorphic SNP's standardised column has variance 1 (``ddof=0``),
    ``n / (n - 1)`` with ``ddof=1`` as in ``explained_variance``; a
    monomorphic SNP has none. The total is thus ``n_polymorphic n / (n - 1)``.

    Returns
    -------
    numpy.ndarray, float64, (n_components,)
        NaN when no SNP is polymorphic or there is one real haplotype.
    """
    n = pca.real_scores.shape[0]
    n_poly = int(((pca.mean > 0) & (pca.mean < 1)).sum())
    total = n_poly * n / (n - 1) if n > 1 else 0.0
    if total <= 0:
        return np.full(pca.n_components, np.nan)
    return pca.explained_variance / total


def pca_metrics(pca: PCAResult, real_scores, ag_scores_by_model: dict, real_groups) -> list:
    """Summary numbers of a PCA figure, as ``(model, metric, value)`` rows.

    Rows for ``"real"``:

    * ``pc{k}_variance`` (k = 1..n_components): variance (``ddof=1``) of the
      real scores on PC k.
    * ``pc12_separation``: between-group / within-group variance of the real
      scores on PC1-2, groups = ``real_groups`` (super-populations), points
      whose group is ``"NA"`` (or empty/None) ignored; see
      :func:`_between_within_ratio` for the formula. Left out when fewer than
      two groups remain (one target population, as in ``scan``): a ratio that
      is undefined is no number to report.

    Rows per model (``ag_scores_by_model`` key, in its order):

    * ``pc{k}_variance_ratio``: variance of the AG scores on PC k / variance
      of the real scores on PC k (1 when the AGs spread like the real data,
      near 0 when the model lost the structure PC k captures).
    * ``pc12_centroid_distance``: Euclidean distance between the AG and the
      real centroids on PC1-2 divided by the real PC1-2 standard deviation
      ``sqrt(var(PC1) + var(PC2))``.

    With two or more groups, per group ``g`` (each AG assigned to the group
    whose real centroid on all PCs is nearest): ``share_<g>`` (real and per
    model), per model ``pc12_centroid_distance_<g>`` (as above, between the
    AGs assigned to ``g`` and the real members of ``g``; absent when none is
    assigned) and ``groups_represented`` (groups holding at least 1% of the
    AGs; for ``"real"`` the number of groups).

    Parameters
    ----------
    pca : PCAResult
        Used for the number of components only.
    real_scores : array_like, (n_real, n_components)
    ag_scores_by_model : dict of str -> array_like (n_ag, n_components)
    real_groups : array_like of str, (n_real,)

    Returns
    -------
    list of (str, str, float)
    """
    real = np.asarray(real_scores, dtype=np.float64)
    k_max = min(pca.n_components, real.shape[1])
    groups = np.asarray(real_groups).astype(str)
    if groups.shape[0] != real.shape[0]:
        raise GenosynthError(f"{groups.shape[0]} group labels for {real.shape[0]} real scores")
    rows: list[tuple[str, str, float]] = []
    real_var = [_variance(real[:, k]) for k in range(k_max)]
    for k in range(k_max):
        rows.append(("real", f"pc{k + 1}_variance", real_var[k]))
    keep = ~np.isin(groups, ["NA", "", "None", "nan"])
    if k_max >= 2 and len(np.unique(groups[keep])) >= 2:
        rows.append(
            ("real", "pc12_separation", _between_within_ratio(real[keep, :2], groups[keep]))
        )
    for model, scores in ag_scores_by_model.items():
        ag = np.asarray(scores, dtype=np.float64)
        for k in range(k_max):
            ratio = _variance(ag[:, k]) / real_var[k] if real_var[k] > 0 else float("nan")
            rows.append((model, f"pc{k + 1}_variance_ratio", float(ratio)))
        if k_max >= 2:
            real_sd = np.sqrt(real_var[0] + real_var[1])
            dist = float(np.linalg.norm(ag[:, :2].mean(axis=0) - real[:, :2].mean(axis=0)))
            rows.append(
                (model, "pc12_centroid_distance", dist / real_sd if real_sd > 0 else float("nan"))
            )
    labels = np.unique(groups[keep])
    if k_max >= 2 and labels.size >= 2:
        rows += _group_rows(real[keep], groups[keep], labels, ag_scores_by_model, real_var)
    return rows


#: Share of a model's AGs a group needs to count as represented (``groups_represented``).
MIN_GROUP_SHARE = 0.01


def _group_rows(real, groups, labels, ag_scores_by_model, real_var) -> list:
    """Per-group rows: AGs assigned to the group with the nearest real centroid (all PCs).

    ``share_<g>`` (real and per model), ``pc12_centroid_distance_<g>`` (distance of the
    centroids of the AGs assigned to ``g`` and of the real members of ``g`` on PC1-2 over
    the real PC1-2 standard deviation; left out when no AG is assigned to ``g``) and
    ``groups_represented`` (groups with a share of at least :data:`MIN_GROUP_SHARE`).
    """
    centroids = np.stack([real[groups == g].mean(axis=0) for g in labels])
    real_sd = np.sqrt(real_var[0] + real_var[1])
    rows = [("real", f"share_{g}", float(np.mean(groups == g))) for g in labels]
    rows.append(("real", "groups_represented", float(labels.size)))
    for model, scores in ag_scores_by_model.items():
        ag = np.asarray(scores, dtype=np.float64)[:, : real.shape[1]]
        squared = ((ag[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
        nearest = np.argmin(squared, axis=1)
        shares = np.bincount(nearest, minlength=labels.size) / max(ag.shape[0], 1)
        for i, g in enumerate(labels):
            rows.append((model, f"share_{g}", float(shares[i])))
            if shares[i] > 0 and real_sd > 0:
                gap = ag[nearest == i, :2].mean(axis=0) - centroids[i, :2]
                rows.append(
                    (model, f"pc12_centroid_distance_{g}", float(np.linalg.norm(gap) / real_sd))
                )
        rows.append((model, "groups_represented", float(np.sum(shares >= MIN_GROUP_SHARE))))
    return rows
