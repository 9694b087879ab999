"""Shared checks for the statistics layer: square tables of counts (one or a stack), group counts, and safe ratios."""

from __future__ import annotations

import numpy as np


def as_square_tables(table) -> np.ndarray:
    """``table`` as a float array of shape ``(k, k)`` or ``(m, k, k)``; ``ValueError`` if not square or if a count is negative."""
    t = np.asarray(table, dtype=float)
    if t.ndim < 2 or t.shape[-1] != t.shape[-2]:
        raise ValueError(f"expected a square table or a stack of square tables, got shape {t.shape}")
    if (t < 0).any():
        raise ValueError("cell counts must be non-negative")
    return t


def scalar_or_array(values) -> float | np.ndarray:
    """A 0-d result as a Python float, anything else as a float array (one value per table of a stack)."""
    values = np.asarray(values, dtype=float)
    return float(values) if values.ndim == 0 else values


def ratio(num, den) -> np.ndarray:
    """``num / den`` elementwise, NaN where ``den`` is zero (no warnings)."""
    num, den = np.broadcast_arrays(np.asarray(num, float), np.asarray(den, float))
    out = np.full(num.shape, np.nan)
    ok = den != 0
    out[ok] = num[ok] / den[ok]
    return out


def group_counts(counts, nobs) -> tuple[np.ndarray, np.ndarray]:
    """Counts ``x`` out of ``n`` for two or more groups, checked: whole numbers, ``0 <= x <= n``, ``n > 0``; as int64 arrays."""
    x = np.asarray(counts)
    n = np.asarray(nobs)
    if x.ndim != 1 or x.shape != n.shape or x.size < 2:
        raise ValueError("give counts and nobs as one-dimensional arrays of the same length, at least two groups")
    for a in (x, n):
        if not np.all(np.isfinite(a)) or not np.all(a == np.round(a)):
            raise ValueError("counts and nobs must be whole numbers")
    x, n = x.astype(np.int64), n.astype(np.int64)
    if (n <= 0).any() or (x < 0).any() or (x > n).any():
        raise ValueError("each count must lie between 0 and its positive nobs")
    return x, n
