"""The one exception hierarchy of genosynth.

Every error raised on purpose by the library subclasses :class:`GenosynthError`.
Errors about user input carry the file, the line (1-based, where there is one),
the offending record and how to fix it, so that a user reading one line of a
log knows what to change.
"""

from __future__ import annotations

import errno
import os
import shutil

__all__ = [
    "ConfigError",
    "CorruptFileError",
    "GenosynthError",
    "InputError",
    "OutputError",
    "TrainingError",
    "os_error_message",
]


class GenosynthError(Exception):
    """Base class of every error genosynth raises on purpose."""


class InputError(GenosynthError):
    """A problem with an input file.

    Parameters
    ----------
    path : str or os.PathLike
        The file the problem was found in.
    problem : str
        What is wrong, in one sentence.
    line : int, optional
        1-based line number in the (decompressed) file.
    record : str, optional
        The offending record (a VCF ``CHROM:POS``, a sample id, a column...).
    fix : str, optional
        What the user can do about it.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        problem: str,
        *,
        line: int | None = None,
        record: str | None = None,
        fix: str | None = None,
    ):
        self.path = os.fspath(path)
        self.problem = problem
        self.line = line
        self.record = record
        self.fix = fix
        where = self.path if line is None else f"{self.path}:{line}"
        msg = f"{where}: {problem}"
        if record is not None:
            msg += f" (record {record})"
        if fix:
            msg += f". Fix: {fix}"
        super().__init__(msg)


class CorruptFileError(InputError):
    """A file genosynth wrote that no longer reads back: truncated, or its bytes changed."""


class ConfigError(GenosynthError):
    """An invalid setting, named by its key path (e.g. ``datasets.wide.n_snps``)."""

    def __init__(self, key: str, problem: str, *, fix: str | None = None):
        self.key = key
        msg = f"config key '{key}': {problem}"
        if fix:
            msg += f". Fix: {fix}"
        super().__init__(msg)


class TrainingError(GenosynthError):
    """Training failed in a way more epochs will not mend (e.g. the parameters ran away)."""


def os_error_cause(err: OSError) -> str:
    """The cause of an :class:`OSError` without its paths: ``Permission denied (EACCES)``.

    An error without errno (pysam's ``BGZFile write failed``) gives its text.
    """
    if err.errno is None or not err.strerror:
        return str(err) or type(err).__name__
    return f"{err.strerror} ({errno.errorcode.get(err.errno, err.errno)})"


def os_error_message(err: OSError) -> str:
    """One line for an :class:`OSError`: the path(s) it names, then its cause.

    ``[Errno 2] No such file or directory: 'a'`` gives ``a: No such file or directory (ENOENT)``.
    """
    paths = [os.fspath(p) for p in (err.filename, err.filename2) if p is not None]
    cause = os_error_cause(err)
    return f"{' -> '.join(paths)}: {cause}" if paths else cause


#: What to do about an output that cannot be written, by errno (``{dir}``: its directory).
_WRITABLE = "make {dir} writable, or run the workflow where you can write (snakemake --directory)"
_SPACE = "free space on the file system of {dir}, or run the workflow on a larger disk"
_NOT_DIR = "move away the file that stands where a directory is needed"
_OUTPUT_FIXES = {
    errno.EACCES: _WRITABLE,
    errno.EPERM: _WRITABLE,
    errno.EROFS: _WRITABLE,
    errno.ENOSPC: _SPACE,
    errno.EDQUOT: _SPACE,
    errno.EFBIG: "lift the file-size limit (ulimit -f), or write the results elsewhere",
    errno.ENOTDIR: _NOT_DIR,
    errno.EEXIST: _NOT_DIR,
    None: "check the space left on the file system of {dir}{free}",
}


class OutputError(GenosynthError):
    """An output file could not be written: read-only directory, disk full, file-size limit.

    Parameters
    ----------
    path : str or os.PathLike, or a list of them
        The output, by its final name (not the temporary file it was written to); a list
        where the error does not say which of several outputs it concerns.
    cause : OSError
        The operating system's error.
    where : str or os.PathLike, optional
        The path the error is about when it is not the output itself (a directory that
        could not be made).
    """

    def __init__(self, path, cause: OSError, *, where=None):
        paths = [path] if isinstance(path, str | os.PathLike) else list(path)
        self.path = os.fspath(paths[0])
        self.cause = cause
        reason = os_error_cause(cause)
        if where is not None:
            reason = f"{os.fspath(where)}: {reason}"
        msg = f"cannot write {', '.join(map(os.fspath, paths))}: {reason}"
        fix = _OUTPUT_FIXES.get(cause.errno)
        if fix:
            directory = os.path.dirname(self.path) or "."
            msg += ". Fix: " + fix.format(dir=directory, free=_free_space(directory))
        super().__init__(msg)


def _free_space(directory: str) -> str:
    """`` (12.3 MB free)`` on the file system of ``directory``; "" where unknown."""
    try:
        return f" ({shutil.disk_usage(directory).free / 1e6:.1f} MB free)"
    except OSError:
        return ""
