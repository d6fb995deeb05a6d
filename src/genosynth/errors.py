"""The one exception hierarchy of genosynth.

Every error raised on purpose by the library subclasses :class:`GenosynthError`.
Errors about user input carry the file, the line (1-based, where there is one),
the offending record and how to fix it, so that a user reading one line of a
log knows what to change.
"""

from __future__ import annotations

import os

__all__ = ["ConfigError", "CorruptFileError", "GenosynthError", "InputError", "TrainingError"]


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
