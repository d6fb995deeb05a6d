"""Logging set-up for workflow scripts: everything, tracebacks included, goes to the rule's log."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator

__all__ = ["script_logging"]


@contextlib.contextmanager
def script_logging(path: str | os.PathLike) -> Iterator[logging.Logger]:
    """Send log records to ``path`` for the duration of a Snakemake script.

    An exception escaping the block is written to the log (with traceback) and
    re-raised, so the rule fails and its log says why.
    """
    handler = logging.FileHandler(path, mode="w")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logger = logging.getLogger("genosynth")
    try:
        yield logger
    except Exception:
        logger.exception("failed")
        raise
    finally:
        root.removeHandler(handler)
        handler.close()
