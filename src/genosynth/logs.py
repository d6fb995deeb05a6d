"""Logging set-up for workflow scripts: everything, tracebacks included, goes to the rule's log."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator

from genosynth.errors import GenosynthError, os_error_message

__all__ = ["console_message", "script_logging"]

#: Exit status of a script stopped by a :class:`GenosynthError` or an :class:`OSError`.
EXIT_FAILURE = 1


def console_message(err: BaseException) -> str:
    """``genosynth: <message>``: what the console shows of an error a script stops on.

    A :class:`GenosynthError` gives its message, an :class:`OSError` its path(s) and
    cause (:func:`~genosynth.errors.os_error_message`).
    """
    text = os_error_message(err) if isinstance(err, OSError) else str(err)
    return f"genosynth: {text}"


@contextlib.contextmanager
def script_logging(path: str | os.PathLike) -> Iterator[logging.Logger]:
    """Send log records to ``path`` for the duration of a Snakemake script.

    An exception escaping the block is written to the log with its traceback. A
    :class:`GenosynthError` or an :class:`OSError` then reaches the console as one
    message (:func:`console_message`, on stderr) and ends the script with exit
    status 1, so that Snakemake fails the job without printing a Python traceback;
    any other exception (a bug) is re-raised, traceback and all.
    """
    handler = logging.FileHandler(path, mode="w")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logger = logging.getLogger("genosynth")
    try:
        yield logger
    except (GenosynthError, OSError) as err:
        logger.exception("failed")
        print(console_message(err), file=sys.stderr, flush=True)
        raise SystemExit(EXIT_FAILURE) from None
    except Exception:
        logger.exception("failed")
        raise
    finally:
        root.removeHandler(handler)
        handler.close()
