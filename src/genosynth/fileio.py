"""Atomic file writing: an output either appears complete or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from genosynth.errors import OutputError

__all__ = ["atomic_path", "atomic_paths"]


@contextlib.contextmanager
def atomic_paths(*paths: str | os.PathLike) -> Iterator[list[Path]]:
    """Yield temporary paths that replace ``paths`` only if the block succeeds.

    The temporary files sit in the destination directories (so the final
    ``os.replace`` is atomic) and keep the destination suffixes (so tools
    that look at the extension, such as bgzip/tabix, behave). On any
    exception every temporary file is removed and no destination is touched.

    An :class:`OSError` writing a destination (its directory read-only, the disk
    full; one that names a temporary file, a destination or its directory, or no
    path at all, as pysam's and gzip's write errors) becomes an
    :class:`~genosynth.errors.OutputError` naming the destination and the cause.

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
    except OSError as err:
        failed = _failed_output(err, finals)
        if failed is None:
            raise
        raise OutputError(failed[0], _first_cause(err), where=failed[1]) from err
    finally:
        for tmp in temps:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def _first_cause(err: OSError) -> OSError:
    """The error that says most: the first with an errno along the chain of errors raised
    while handling one another (closing a file after a failed write), else the first raised."""
    chain = [err]
    while isinstance(chain[-1].__context__, OSError):
        chain.append(chain[-1].__context__)
    return next((e for e in chain if e.errno is not None), chain[-1])


def _failed_output(err: OSError, finals: list[Path]) -> tuple[str | list[str], str | None] | None:
    """``(destination, where)`` of an OSError writing ``finals``, or None (another file's).

    ``where`` is the path the error names when it is a directory above the destination
    (one that could not be made), else None.
    """
    named = [os.fspath(p) for p in (err.filename, err.filename2) if p is not None]
    if not named:  # a writer that names no file (pysam, gzip): the block writes the destinations
        return [str(f) for f in finals] if len(finals) > 1 else str(finals[0]), None
    for final in finals:
        target = os.path.abspath(final)
        for name in named:
            path = os.path.abspath(name)
            own = os.path.dirname(path) == os.path.dirname(target) and (
                path == target or os.path.basename(path).startswith(f".{final.name}.")
            )  # the destination or one of its temporary files
            if own:
                return str(final), None
            if target.startswith(path + os.sep):
                return str(final), name
    return None


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Single-file form of :func:`atomic_paths`."""
    with atomic_paths(path) as (tmp,):
        yield tmp
