"""Tests on one paired table of grades: marginal homogeneity (Stuart-Maxwell), symmetry (Bowker) and the sign test.

Tables follow :mod:`analysis.stats.agreement` (rows: the first grader, columns: the second, the
same categories in the same order). Every function accepts one table (shape ``(k, k)``) or a stack
(shape ``(m, k, k)``), any k, and returns a :class:`TestResult` (or, for the sign test, p-values).
:mod:`analysis.stats.agreement` re-exports them; :mod:`analysis.stats.pairing_extremes` optimises
them over the tables with given margins.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from analysis.stats.tables import as_square_tables as _tables
from analysis.stats.tables import ratio as _ratio
from analysis.stats.tables import scalar_or_array as _out


def _margins(t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return t.sum(axis=-1), t.sum(axis=-2), t.sum(axis=(-2, -1))


@dataclass(frozen=True)
class TestResult:
    """A chi-squared test result: ``statistic``, degrees of freedom ``df`` and ``pvalue`` (floats or arrays)."""

    statistic: float | np.ndarray
    df: float | np.ndarray
    pvalue: float | np.ndarray


def _linked(t: np.ndarray) -> np.ndarray:
    """``R[i, j] = 1`` when categories i and j are joined by a chain of discordant cases (and ``R[i, i] = 1``)."""
    k = t.shape[-1]
    reach = (((t + np.swapaxes(t, -1, -2)) > 0) | np.eye(k, dtype=bool)).astype(np.int64)
    for _ in range(max(k - 1, 1).bit_length()):
        reach = (reach @ reach > 0).astype(np.int64)
    return reach


def _chi2_p(statistic: np.ndarray, df: np.ndarray) -> np.ndarray:
    return np.where(df > 0, stats.chi2.sf(statistic, np.maximum(df, 1)), 1.0)


def stuart_maxwell(table) -> TestResult:
    """Stuart-Maxwell test that the two graders' grade distributions (the margins) are the same.

    ``statistic = d' S^+ d`` with ``d = rows - cols`` and ``S`` the covariance matrix of ``d`` under
    the hypothesis (``S[i, i] = rows_i + cols_i - 2 T[i, i]``, ``S[i, j] = -(T[i, j] + T[j, i])``),
    ``S^+`` its Moore-Penrose inverse (computed exactly, see below); chi-squared with ``df = rank(S)``.

    Handling of empty categories and zero margins: ``S`` has the form of a graph Laplacian in which
    categories are linked by discordant cases, so ``rank(S) = k - (number of groups of linked
    categories)``. With every category linked this is the usual statistic on k - 1 categories with
    ``df = k - 1`` (as in statsmodels' ``SquareTable(...).homogeneity()``). A category with zero
    cases in *one* margin only (e.g. a grade the first rater never gave) is always linked, because all its
    cases are discordant, and needs nothing special. A category with no cases at all, or only
    concordant ones, carries no information about the difference in margins: it is dropped and
    ``df`` falls by one (statsmodels instead fails with a singular matrix unless it is the last
    category). With no discordant case at all, ``df = 0`` and the p-value is 1 (the margins are
    identical). The statistic is computed on the counts, so it equals ``n * d_p' V_p^{-1} d_p`` on
    proportions.

    Reference: Stuart, Biometrika 42, 1955; Maxwell, British Journal of Psychiatry 116, 1970;
    Agresti, *Categorical Data Analysis*, 3rd ed., 2013, section 11.2.
    """
    t = _tables(table)
    k = t.shape[-1]
    rows, cols, _ = _margins(t)
    d = rows - cols
    s = -(t + np.swapaxes(t, -1, -2))
    diag = rows + cols - 2 * np.diagonal(t, axis1=-2, axis2=-1)
    s = s * (1 - np.eye(k)) + diag[..., None] * np.eye(k)
    # S is singular, with one null direction per group of linked categories (its indicator vector u),
    # and d sums to zero within each group. Adding u u' for every group (the matrix R) makes S
    # invertible without changing d' S^+ d, so the statistic is computed exactly by one solve.
    reach = _linked(t)
    statistic = np.einsum("...i,...i->...", d, np.linalg.solve(s + reach, d[..., None])[..., 0])
    statistic = np.where(np.abs(statistic) < 1e-9, 0.0, statistic)
    df = k - np.rint((1.0 / reach.sum(axis=-1)).sum(axis=-1))
    return TestResult(_out(statistic), _out(df), _out(_chi2_p(statistic, df)))


def bowker(table, df_convention: str = "informative") -> TestResult:
    """Bowker's test of symmetry, ``sum over i < j of (T[i, j] - T[j, i])**2 / (T[i, j] + T[j, i])``.

    Chi-squared with one degree of freedom per *informative* pair of categories. Handling of empty
    pairs: a pair with ``T[i, j] + T[j, i] = 0`` is left out of the sum and of ``df``; the statistic
    is a sum of McNemar statistics, each conditional on the pair's total, and a pair with total zero
    has a degenerate conditional distribution, so it carries no information. (statsmodels'
    ``SquareTable(...).symmetry()`` keeps ``df = k(k-1)/2`` in that case.) With no discordant case,
    ``df = 0`` and the p-value is 1.

    ``df_convention`` chooses between the two: ``"informative"`` (the default, described above) or
    ``"all_pairs"``, ``df = k(k-1)/2`` whatever the counts (as Bowker states it, and as statsmodels'
    ``SquareTable(..., shift_zeros=False).symmetry()`` computes it). The statistic is the same under
    both; with empty pairs ``"all_pairs"`` gives the larger p-value.

    Reference: Bowker, "A test for symmetry in contingency tables", JASA 43, 1948.
    """
    if df_convention not in ("informative", "all_pairs"):
        raise ValueError(f"unknown df_convention {df_convention!r}; use 'informative' or 'all_pairs'")
    t = _tables(table)
    k = t.shape[-1]
    iu = np.triu_indices(k, 1)
    upper = t[..., iu[0], iu[1]]
    lower = t[..., iu[1], iu[0]]
    total = upper + lower
    statistic = _ratio((upper - lower) ** 2, total)
    statistic = np.where(total > 0, statistic, 0.0).sum(axis=-1)
    df = (total > 0).sum(axis=-1).astype(float)
    if df_convention == "all_pairs":
        df = np.full_like(df, k * (k - 1) / 2)
    return TestResult(_out(statistic), _out(df), _out(_chi2_p(statistic, df)))


def sign_test(better, worse) -> float | np.ndarray:
    """Exact two-sided sign test of "better" against "worse" (ties, i.e. same grades, are set aside).

    Under the hypothesis that a discordant case is equally likely to go either way, ``better`` is
    Binomial(m, 1/2) with ``m = better + worse``. The two-sided p-value is the value of
    :func:`scipy.stats.binomtest` ``(better, m, 0.5, alternative="two-sided")``; because that
    distribution is symmetric it equals ``min(1, 2 * P(X <= min(better, worse)))``, which is computed
    here with :func:`scipy.stats.binom.cdf` for a whole stack of tables at once (the tests check
    the two agree for every pair with m up to 40). With no discordant case the p-value is 1 (the
    only possible outcome is the observed one). Non-integer counts give NaN.

    Reference: Conover, *Practical Nonparametric Statistics*, 3rd ed., 1999, section 3.4.
    """
    b, w = np.broadcast_arrays(np.asarray(better, float), np.asarray(worse, float))
    whole = (b == np.rint(b)) & (w == np.rint(w)) & (b >= 0) & (w >= 0)
    m = np.where(whole, b + w, 0)
    low = np.where(whole, np.minimum(b, w), 0)
    p = np.minimum(1.0, 2.0 * stats.binom.cdf(low, m, 0.5))
    p = np.where(m == 0, 1.0, p)
    return _out(np.where(whole, p, np.nan))
