"""Writing outputs: atomically (complete or not at all), with the umask's permissions, and
with the same bytes for the same content (gzip without a time or a file name)."""

from __future__ import annotations

import contextlib
import glob
import gzip
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from genosynth.errors import OutputError

__all__ = [
    "atomic_path",
    "atomic_paths",
    "open_text",
    "remove_stale_temporaries",
    "umask",
    "write_gzip",
]

_UMASK_LOCK = threading.Lock()


@contextlib.contextmanager
def atomic_paths(*paths: str | os.PathLike) -> Iterator[list[Path]]:
    """Yield temporary paths that replace ``paths`` only if the block succeeds.

    The temporary files sit in the destination directories (so the final
    ``os.replace`` is atomic) and keep the destination suffixes (so tools
    that look at the extension, such as bgzip/tabix, behave). On any
    exception every temporary file is removed and no destination is touched;
    temporary files of the same destinations that a killed process left are
    removed first (:func:`remove_stale_temporaries`). The outputs get the
    permissions of any new file, ``0o666`` less the process's umask (not the
    0600 of :func:`tempfile.mkstemp`).

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
            remove_stale_temporaries(final.parent / glob.escape(final.name))
            suffix = "".join(final.suffixes)
            fd, tmp = tempfile.mkstemp(
                prefix=f".{final.name}.", suffix=f".tmp{suffix}", dir=final.parent
            )
            os.close(fd)
            temps.append(Path(tmp))
        yield temps
        mode = 0o666 & ~umask()
        for tmp, final in zip(temps, finals, strict=True):
            os.chmod(tmp, mode)
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


def umask() -> int:
    """The process's umask, read without changing it.

    From ``/proc/self/status`` (Linux). Elsewhere ``os.umask``, which has no read-only
    form, sets it to the strict ``0o077`` and back at once, so a file another thread
    creates in between is never more open than asked.
    """
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    with _UMASK_LOCK:
        mask = os.umask(0o077)
        os.umask(mask)
    return mask


def remove_stale_temporaries(*paths: str | os.PathLike) -> list[Path]:
    """Remove what :func:`atomic_paths` left for ``paths`` in a process killed mid-write.

    Only for destinations no other process writes now (a job's own outputs). A path may
    be a glob pattern of names (``resume-*.npz``). Returns the removed files.
    """
    removed = []
    for path in map(Path, paths):
        for tmp in path.parent.glob(f".{path.name}.*.tmp*"):
            with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                tmp.unlink()
                removed.append(tmp)
    return removed


def write_gzip(path: str | os.PathLike, data, *, compresslevel: int = 6) -> None:
    """Write ``data`` gzip-compressed to ``path``, the same bytes for the same ``data``.

    ``data`` is bytes or an iterable of bytes chunks (written one by one, so a large file
    never exists whole in memory; the compressed bytes do not depend on the chunking).
    The gzip header gets modification time 0 and no file name (:func:`gzip.open` writes
    the time and the file's name, a temporary one under :func:`atomic_path`).
    """
    chunks = [data] if isinstance(data, bytes | bytearray | memoryview) else data
    with open(path, "wb") as raw:
        with gzip.GzipFile(
            filename="", mode="wb", fileobj=raw, compresslevel=compresslevel, mtime=0
        ) as fh:
            for chunk in chunks:
                fh.write(chunk)


def open_text(path: str | os.PathLike, **kwargs):
    """Open ``path`` for reading text, gzip-compressed or not (told by its first two bytes).

    ``kwargs`` (``encoding``, ``errors``) go to :func:`open` or :func:`gzip.open`.
    """
    with open(path, "rb") as fh:
        compressed = fh.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rt", **kwargs) if compressed else open(path, **kwargs)
