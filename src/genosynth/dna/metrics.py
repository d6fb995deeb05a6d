"""Summary statistics of the DNA track's figures, without importing scipy."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["spearman"]


def spearman(a, b) -> float:
    """Spearman's rank correlation (average ranks for ties), without importing scipy."""
    ranks = pd.DataFrame({"a": np.asarray(a, float), "b": np.asarray(b, float)}).rank()
    return float(np.corrcoef(ranks["a"], ranks["b"])[0, 1])
