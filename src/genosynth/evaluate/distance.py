"""Exact Hamming distances between haplotypes, fast and in bounded memory.

Every evaluation that compares haplotypes (AATS, closest distances, pairwise
differences, membership inference) reduces to the number of sites at which
two rows of int8 {0, 1} matrices differ. Two exact kernels compute it:

``"numba"`` (default when numba is importable)
    Rows are bit-packed into ``uint64`` words (64 sites per word) and the
    distance of two rows is ``sum_k popcount(a_k XOR b_k)``. A numba kernel,
    parallel over tiles of rows and tiled over the other set so both tiles
    stay in cache, evaluates it; LLVM vectorises the popcount loop (AVX-512
    ``VPOPCNTQ`` where the CPU has it). 512 sites per instruction: about ten
    times faster than the best BLAS route on the same CPU.
``"gemm"`` (fallback)
    With ``|x|`` the number of 1s of row ``x``,
    ``d(a, b) = |a| + |b| - 2 a.b``: one float32 matrix product per block.
    Every partial sum is a non-negative integer below ``2**24`` (sites are
    processed in chunks of at most ``2**23``), so float32 arithmetic is exact.

Both are checked against plain references kept here
(:func:`hamming_reference`, :func:`nearest_neighbor_reference`).
"""

from __future__ import annotations

import numpy as np

from genosynth.errors import GenosynthError

try:  # numba comes with umap-learn; without it the BLAS kernel is used
    import numba
    from numba import types as _nbtypes
    from numba.extending import intrinsic as _intrinsic
except ImportError:  # pragma: no cover - exercised only where numba is absent
    numba = None

__all__ = [
    "BACKENDS",
    "MEMORY_BUDGET",
    "hamming",
    "hamming_reference",
    "nearest_neighbor",
    "nearest_neighbor_reference",
    "pack_bits",
    "pair_distances",
]

#: Kernels accepted by the ``backend`` arguments ("auto" picks numba when available).
BACKENDS = ("auto", "numba", "gemm")

#: Bytes of temporaries (float32 blocks, packed rows) one call may hold besides its output.
MEMORY_BUDGET = 256 * 2**20

#: Rows per tile of the popcount kernel: 64 rows x 157 words (10k sites) = 80 KB per tile.
_TILE = 64

#: Sites per float32 product in the GEMM kernel: keeps every partial sum below 2**24.
_GEMM_MAX_SITES = 2**23

#: Distance reported before any candidate is seen (never returned: inputs are non-empty).
_INT32_MAX = np.iinfo(np.int32).max


# --------------------------------------------------------------------------- validation


def _as_haplotypes(x, name: str) -> np.ndarray:
    """``x`` as a C-contiguous int8 (n, n_sites) array with values in {0, 1}."""
    h = np.asarray(x)
    if h.ndim != 2:
        raise GenosynthError(f"{name}: expected a 2-D haplotype matrix, got shape {h.shape}")
    if h.dtype != np.int8:
        if h.dtype == bool or np.issubdtype(h.dtype, np.integer):
            h = h.astype(np.int8)
        else:
            raise GenosynthError(f"{name}: expected an integer 0/1 matrix, got dtype {h.dtype}")
    if h.size and (h.min() < 0 or h.max() > 1):
        raise GenosynthError(f"{name}: haplotype values must be 0 or 1")
    return np.ascontiguousarray(h)


def _check_pair(a, b, *, exclude_self: bool = False):
    a = _as_haplotypes(a, "a")
    b = a if b is None else _as_haplotypes(b, "b")
    if a.shape[1] != b.shape[1]:
        raise GenosynthError(f"a has {a.shape[1]} sites but b has {b.shape[1]}")
    if exclude_self and a.shape[0] != b.shape[0]:
        raise GenosynthError(
            f"exclude_self needs a and b to be the same set, got {a.shape[0]} and {b.shape[0]} rows"
        )
    return a, b


def _resolve_backend(backend: str) -> str:
    if backend not in BACKENDS:
        raise GenosynthError(f"unknown distance backend {backend!r}; choose from {BACKENDS}")
    if backend == "auto":
        return "numba" if numba is not None else "gemm"
    if backend == "numba" and numba is None:
        raise GenosynthError("backend 'numba' requested but numba is not installed")
    return backend


# --------------------------------------------------------------------------- bit packing


def pack_bits(h) -> np.ndarray:
    """Pack each haplotype into 64-site words.

    Parameters
    ----------
    h : array_like, int8, (n, n_sites), values in {0, 1}

    Returns
    -------
    numpy.ndarray, uint64, (n, ceil(n_sites / 64))
        Site ``j`` of a row is bit ``7 - j % 8`` of byte ``j // 8`` (``numpy.packbits``
        order); the padding bits past ``n_sites`` are 0, so they never add to a distance.
    """
    h = _as_haplotypes(h, "h")
    packed = np.packbits(h.view(np.uint8), axis=1)
    pad = (-packed.shape[1]) % 8
    if pad or packed.shape[1] == 0:
        pad = pad if packed.shape[1] else 8
        packed = np.concatenate([packed, np.zeros((h.shape[0], pad), np.uint8)], axis=1)
    return np.ascontiguousarray(packed).view(np.uint64)


def _popcount_rows(words: np.ndarray) -> np.ndarray:
    """Number of set bits per row of a uint64 (n, n_words) array, int32 (n,)."""
    if hasattr(np, "bitwise_count"):  # numpy >= 2.0
        return np.bitwise_count(words).sum(axis=1, dtype=np.int32)
    as_bytes = words.view(np.uint8)  # pragma: no cover - numpy 1.x
    return np.unpackbits(as_bytes, axis=1).sum(axis=1, dtype=np.int32)  # pragma: no cover


# --------------------------------------------------------------------------- numba kernels

if numba is not None:

    @_intrinsic
    def _popcnt64(typingctx, x):
        """``llvm.ctpop.i64``: vectorisable population count of one uint64."""
        sig = _nbtypes.uint64(_nbtypes.uint64)

        def codegen(context, builder, signature, args):
            return builder.ctpop(args[0])

        return sig, codegen

    @numba.njit(parallel=True, cache=True, nogil=True)
    def _nb_hamming(pa, pb, out, tile):  # pragma: no cover - compiled
        n_a, n_words = pa.shape
        n_b = pb.shape[0]
        n_tiles = (n_a + tile - 1) // tile
        for t in numba.prange(n_tiles):
            i0 = t * tile
            i1 = min(n_a, i0 + tile)
            for j0 in range(0, n_b, tile):
                j1 = min(n_b, j0 + tile)
                for i in range(i0, i1):
                    for j in range(j0, j1):
                        s = 0
                        for k in range(n_words):
                            s += _popcnt64(pa[i, k] ^ pb[j, k])
                        out[i, j] = s

    @numba.njit(parallel=True, cache=True, nogil=True)
    def _nb_nearest(pa, pb, exclude_self, out_d, out_i, tile):  # pragma: no cover - compiled
        n_a, n_words = pa.shape
        n_b = pb.shape[0]
        n_tiles = (n_a + tile - 1) // tile
        for t in numba.prange(n_tiles):
            i0 = t * tile
            i1 = min(n_a, i0 + tile)
            for i in range(i0, i1):
                out_d[i] = 2147483647
                out_i[i] = -1
            for j0 in range(0, n_b, tile):
                j1 = min(n_b, j0 + tile)
                for i in range(i0, i1):
                    best = out_d[i]
                    best_j = out_i[i]
                    for j in range(j0, j1):
                        if exclude_self and j == i:
                            continue
                        s = 0
                        for k in range(n_words):
                            s += _popcnt64(pa[i, k] ^ pb[j, k])
                        if s < best:  # strict: the lowest index wins ties, as argmin
                            best = s
                            best_j = j
                    out_d[i] = best
                    out_i[i] = best_j


# --------------------------------------------------------------------------- GEMM kernel


def _default_gemm_block(n_sites: int) -> int:
    """Rows per block so two float32 row blocks and one block product fit the budget.

    Memory of one step with ``r`` rows per block: ``4 * (2 r n_sites + 2 r**2)`` bytes
    (the two float32 copies, the product and the distance block).
    """
    m = min(n_sites, _GEMM_MAX_SITES)
    r = 1
    while 4 * (2 * (2 * r) * m + 2 * (2 * r) ** 2) <= MEMORY_BUDGET and r < 8192:
        r *= 2
    return r


def _gemm_distance_block(a_blk: np.ndarray, b_blk: np.ndarray) -> np.ndarray:
    """Exact Hamming distances int32 (len(a_blk), len(b_blk)) by float32 products."""
    out = np.zeros((a_blk.shape[0], b_blk.shape[0]), dtype=np.int32)
    for c0 in range(0, a_blk.shape[1], _GEMM_MAX_SITES):
        xa = a_blk[:, c0 : c0 + _GEMM_MAX_SITES].astype(np.float32)
        xb = b_blk[:, c0 : c0 + _GEMM_MAX_SITES].astype(np.float32)
        ones_a = xa.sum(axis=1, dtype=np.float32)
        ones_b = xb.sum(axis=1, dtype=np.float32)
        shared = xa @ xb.T
        shared *= 2.0
        d = np.add.outer(ones_a, ones_b)  # |a| + |b|
        d -= shared  # - 2 a.b
        out += d.astype(np.int32)
    return out


def _gemm_blocks(a: np.ndarray, b: np.ndarray, block: int):
    """Yield ``(row slice of a, row slice of b, int32 distance block)``."""
    for i0 in range(0, a.shape[0], block):
        sa = slice(i0, min(a.shape[0], i0 + block))
        for j0 in range(0, b.shape[0], block):
            sb = slice(j0, min(b.shape[0], j0 + block))
            yield sa, sb, _gemm_distance_block(a[sa], b[sb])


# --------------------------------------------------------------------------- public API


def hamming(a, b=None, *, block: int | None = None, backend: str = "auto") -> np.ndarray:
    """All pairwise Hamming distances between the rows of two haplotype matrices.

    Parameters
    ----------
    a : array_like, int8, (n_a, n_sites), values in {0, 1}
    b : array_like, int8, (n_b, n_sites), optional
        Defaults to ``a``.
    block : int, optional
        Rows per tile (numba kernel) or per float32 block (GEMM kernel); any
        positive value gives the same result. Default: 64 for numba, the
        largest power of two whose temporaries fit :data:`MEMORY_BUDGET` for GEMM.
    backend : {"auto", "numba", "gemm"}

    Returns
    -------
    numpy.ndarray, int32, (n_a, n_b)
        ``out[i, j]`` = number of sites where ``a[i]`` and ``b[j]`` differ.
    """
    a, b = _check_pair(a, b)
    kernel = _resolve_backend(backend)
    out = np.zeros((a.shape[0], b.shape[0]), dtype=np.int32)
    if out.size == 0 or a.shape[1] == 0:
        return out
    if block is not None and block < 1:
        raise GenosynthError(f"block must be a positive number of rows, got {block}")
    if kernel == "numba":
        pa = pack_bits(a)
        pb = pa if b is a else pack_bits(b)
        _nb_hamming(pa, pb, out, block or _TILE)
        return out
    for sa, sb, d in _gemm_blocks(a, b, block or _default_gemm_block(a.shape[1])):
        out[sa, sb] = d
    return out


def nearest_neighbor(
    a, b=None, *, exclude_self: bool = False, block: int | None = None, backend: str = "auto"
) -> tuple[np.ndarray, np.ndarray]:
    """Distance from every row of ``a`` to its closest row of ``b``.

    The full distance matrix is never held: the numba kernel keeps a running
    minimum per row, the GEMM kernel one ``block x block`` block at a time.

    Parameters
    ----------
    a : array_like, int8, (n_a, n_sites), values in {0, 1}
    b : array_like, int8, (n_b, n_sites), optional
        Defaults to ``a``.
    exclude_self : bool, default False
        Leave-one-out for ``b`` the same set as ``a``: row ``i`` of ``a`` is
        never matched with row ``i`` of ``b`` (a duplicate at another index
        still counts, at distance 0). Needs ``n_a == n_b >= 2``.
    block : int, optional
        As in :func:`hamming`.
    backend : {"auto", "numba", "gemm"}

    Returns
    -------
    distances : numpy.ndarray, int32, (n_a,)
    indices : numpy.ndarray, int64, (n_a,)
        Row of ``b`` at that distance; the lowest such index on ties
        (``numpy.argmin`` semantics).
    """
    a, b = _check_pair(a, b, exclude_self=exclude_self)
    kernel = _resolve_backend(backend)
    n_b_candidates = b.shape[0] - (1 if exclude_self else 0)
    if n_b_candidates < 1:
        raise GenosynthError(
            f"nearest_neighbor needs at least one candidate row in b, got {b.shape[0]} rows"
            + (" with exclude_self" if exclude_self else "")
        )
    if block is not None and block < 1:
        raise GenosynthError(f"block must be a positive number of rows, got {block}")
    n_a = a.shape[0]
    dist = np.full(n_a, _INT32_MAX, dtype=np.int32)
    index = np.full(n_a, -1, dtype=np.int64)
    if n_a == 0:
        return dist, index
    if kernel == "numba":
        pa = pack_bits(a)
        pb = pa if b is a else pack_bits(b)
        _nb_nearest(pa, pb, bool(exclude_self), dist, index, block or _TILE)
        return dist, index
    for sa, sb, d in _gemm_blocks(a, b, block or _default_gemm_block(a.shape[1])):
        if exclude_self:
            rows = np.arange(sa.start, sa.stop)
            own = (rows >= sb.start) & (rows < sb.stop)
            d[np.flatnonzero(own), rows[own] - sb.start] = _INT32_MAX
        j = np.argmin(d, axis=1)
        best = d[np.arange(d.shape[0]), j]
        better = best < dist[sa]  # strict: earlier blocks (lower indices) win ties
        dist[sa] = np.where(better, best, dist[sa])
        index[sa] = np.where(better, j + sb.start, index[sa])
    return dist, index


def pair_distances(a, b, rows_a, rows_b) -> np.ndarray:
    """Hamming distances of chosen row pairs ``(a[rows_a[k]], b[rows_b[k]])``.

    Parameters
    ----------
    a : array_like, int8, (n_a, n_sites)
    b : array_like, int8, (n_b, n_sites)
    rows_a, rows_b : array_like of int, (n_pairs,)

    Returns
    -------
    numpy.ndarray, int32, (n_pairs,)
    """
    a, b = _check_pair(a, b)
    rows_a = np.asarray(rows_a, dtype=np.int64)
    rows_b = np.asarray(rows_b, dtype=np.int64)
    if rows_a.shape != rows_b.shape or rows_a.ndim != 1:
        raise GenosynthError("rows_a and rows_b must be 1-D and of equal length")
    pa = pack_bits(a)
    pb = pa if b is a else pack_bits(b)
    out = np.empty(rows_a.shape[0], dtype=np.int32)
    step = max(1, MEMORY_BUDGET // (32 * pa.shape[1]))  # 3 arrays of step x words x 8 B
    for k0 in range(0, rows_a.shape[0], step):
        k = slice(k0, k0 + step)
        out[k] = _popcount_rows(pa[rows_a[k]] ^ pb[rows_b[k]])
    return out


# --------------------------------------------------------------------------- references


def hamming_reference(a, b=None) -> np.ndarray:
    """Plain reference for :func:`hamming`: SciPy's ``cdist(a, b, "hamming") * n_sites``.

    ``cdist`` returns the fraction of differing sites in float64; multiplied
    back by ``n_sites`` and rounded, it is the exact count.

    Returns
    -------
    numpy.ndarray, int32, (n_a, n_b)
    """
    from scipy.spatial.distance import cdist  # deferred: a test reference, slow to import

    a, b = _check_pair(a, b)
    if a.shape[1] == 0:
        return np.zeros((a.shape[0], b.shape[0]), dtype=np.int32)
    fraction = cdist(a, b, "hamming")
    return np.rint(fraction * a.shape[1]).astype(np.int32)


def nearest_neighbor_reference(a, b=None, *, exclude_self: bool = False):
    """Plain reference for :func:`nearest_neighbor`: argmin of the full reference matrix."""
    a, b = _check_pair(a, b, exclude_self=exclude_self)
    d = hamming_reference(a, b).astype(np.int64)
    if exclude_self:
        np.fill_diagonal(d, np.iinfo(np.int64).max)
    index = np.argmin(d, axis=1)
    return d[np.arange(d.shape[0]), index].astype(np.int32), index.astype(np.int64)
