"""Atomic file writing: an output either appears complete or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "atomic_paths"]


@contextlib.contextmanager
def atomic_paths(*paths: str | os.PathLike) -> Iterator[list[Path]]:
    """Yield temporary paths that replace ``paths`` only if the block succeeds.

    The temporary files sit in the destination directories (so the final
    ``os.replace`` is atomic) and keep the destination suffixes (so tools
    that look at the extension, such as bgzip/tabix, behave). On any
    exception every temporary file is removed and no destination is touched.

    Parameters
    ----------
    *paths : str or os.PathLike
        Final destinations.

    Yields
    ------
    list of pathlib.Path
        One temporary path per destination, in the same order.
    """
    finals = [Path(p) for p in paths]
    temps = []
    try:
        for final in finals:
            final.parent.mkdir(parents=True, exist_ok=True)
            suffix = "".join(final.suffixes)
            fd, tmp = tempfile.mkstemp(
                prefix=f".{final.name}.", suffix=f".tmp{suffix}", dir=final.parent
            )
            os.close(fd)
            temps.append(Path(tmp))
        yield temps
        for tmp, final in zip(temps, finals, strict=True):
            os.replace(tmp, final)
    finally:
        for tmp in temps:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Single-file form of :func:`atomic_paths`."""
    with atomic_paths(path) as (tmp,):
        yield tmp
