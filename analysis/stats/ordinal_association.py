"""Ordinal association between two graders of the same cases, from their paired table: gamma, Kendall's tau-b, Spearman's rho.

Tables follow :mod:`analysis.stats.agreement`: rows are the force's grade, columns the inspectors',
both in the same category order (best first). A pair of cases is *concordant* when the two graders
order them the same way (one case strictly above the other for both) and *discordant* when they
order them oppositely; pairs tied by either grader are neither. Every function accepts one table
(shape ``(k, k)``) or a stack (shape ``(m, k, k)``) and returns a float or an array of ``m`` floats,
NaN where the measure is undefined.
"""

from __future__ import annotations

import numpy as np

from analysis.stats.tables import as_square_tables as _tables
from analysis.stats.tables import ratio as _ratio
from analysis.stats.tables import scalar_or_array as _out


def concordance_counts(table) -> tuple[float | np.ndarray, float | np.ndarray]:
    """Numbers of concordant and discordant pairs of cases, ``(P, Q)``.

    ``P = sum over i < i', j < j' of T[i, j] T[i', j']`` and ``Q = sum over i < i', j > j'`` of the
    same product (Agresti, *Categorical Data Analysis*, 3rd ed., 2013, section 2.4.4; Goodman and
    Kruskal, JASA 49, 1954). Computed with sums over the later rows and columns (products with triangular
    matrices; exact for counts), in O(k^3) per table.
    """
    t = _tables(table)
    k = t.shape[-1]
    later = np.triu(np.ones((k, k)), 1)  # later[a, b] = 1 when b comes after a
    below = later @ t  # below[..., i, j]: cases in column j and a row after i
    after = below @ later.T  # ... and a column after j
    before = below @ later  # ... and a column before j
    p = (t * after).sum(axis=(-2, -1))
    q = (t * before).sum(axis=(-2, -1))
    return _out(p), _out(q)


def goodman_kruskal_gamma(table) -> float | np.ndarray:
    """Goodman and Kruskal's gamma, ``(P - Q) / (P + Q)`` over concordant and discordant pairs; NaN when ``P + Q = 0``.

    +1 when no pair of cases is ordered oppositely by the two graders (however many ties), -1 when
    none is ordered the same way. Ties are ignored, so a grader who is uniformly more lenient can
    still reach +1. Reference: Goodman and Kruskal, "Measures of association for cross
    classifications", JASA 49, 1954; Agresti, *Categorical Data Analysis*, 3rd ed., 2013, section
    2.4.4 (job satisfaction by income: P = 1331, Q = 849, gamma = 0.221, in Agresti, *An
    Introduction to Categorical Data Analysis*, 2nd ed., 2007, section 2.7).
    """
    p, q = concordance_counts(table)
    return _out(_ratio(np.asarray(p) - np.asarray(q), np.asarray(p) + np.asarray(q)))


def kendall_tau_b(table) -> float | np.ndarray:
    """Kendall's tau-b, ``(P - Q) / sqrt((n0 - n1) (n0 - n2))`` with ``n0 = n(n-1)/2`` and ``n1``, ``n2`` the pairs tied by rows, by columns.

    Equals :func:`scipy.stats.kendalltau` (variant ``"b"``) on the case-level data. NaN when either
    grader puts every case in one category. Reference: Kendall, *Rank Correlation Methods*, 1948
    (4th ed. 1970, ch. 3); Agresti, *Analysis of Ordinal Categorical Data*, 2nd ed., 2010, section 7.1.
    """
    t = _tables(table)
    p, q = concordance_counts(t)
    rows, cols = t.sum(axis=-1), t.sum(axis=-2)
    n = t.sum(axis=(-2, -1))
    n0 = n * (n - 1) / 2
    n1 = (rows * (rows - 1) / 2).sum(axis=-1)
    n2 = (cols * (cols - 1) / 2).sum(axis=-1)
    return _out(_ratio(np.asarray(p) - np.asarray(q), np.sqrt(np.maximum(n0 - n1, 0) * np.maximum(n0 - n2, 0))))


def _midranks(margin: np.ndarray) -> np.ndarray:
    """Mid-rank of each category given its counts (ranks 1..n in category order; ties share their mean rank)."""
    before = np.cumsum(margin, axis=-1) - margin
    return before + (margin + 1) / 2


def spearman_rho(table) -> float | np.ndarray:
    """Spearman's rho: Pearson's correlation of the two graders' mid-ranks over the cases.

    Each case gets, for each grader, the mean rank of its category (ties share their mid-rank), and
    rho is the case-weighted correlation of the two. Equals :func:`scipy.stats.spearmanr` on the
    case-level data. NaN when either grader puts every case in one category. Reference: Spearman,
    American Journal of Psychology 15, 1904; Agresti, *Analysis of Ordinal Categorical Data*, 2nd
    ed., 2010, section 7.1.
    """
    t = _tables(table)
    rows, cols = t.sum(axis=-1), t.sum(axis=-2)
    n = t.sum(axis=(-2, -1))
    nn = np.where(n > 0, n, 1.0)
    a, b = _midranks(rows), _midranks(cols)
    mean = (n + 1) / 2  # the mean mid-rank is (n + 1) / 2 for either grader
    da, db = a - mean[..., None], b - mean[..., None]
    cov = np.einsum("...ij,...i,...j->...", t, da, db) / nn
    var_a = (rows * da**2).sum(axis=-1) / nn
    var_b = (cols * db**2).sum(axis=-1) / nn
    return _out(_ratio(cov, np.sqrt(var_a * var_b)))
