"""Comparing several groups' proportions without over-reading one of them: Bonferroni-adjusted Wilson intervals, each group against the rest, Holm's adjustment.

Written for the eight practice areas (cases graded inadequate out of each area's cases) but
general: ``counts`` and ``nobs`` are arrays with one entry per group.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats.proportions import proportion_interval
from analysis.stats.tables import group_counts as _counts


def bonferroni_wilson(counts, nobs, family_alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score intervals for each of m proportions at confidence ``1 - family_alpha / m`` (Bonferroni).

    All m intervals cover their true proportions together with probability at least
    ``1 - family_alpha`` (under the binomial model; the Wilson interval's own coverage is
    approximate). Returns ``(low, high)`` arrays. Computed with
    :func:`analysis.stats.proportions.proportion_interval` (statsmodels ``proportion_confint``,
    ``method="wilson"``).

    Reference: Wilson, JASA 22, 1927; Dunn, "Multiple comparisons among means", JASA 56, 1961
    (the Bonferroni adjustment).
    """
    x, n = _counts(counts, nobs)
    if not 0 < family_alpha < 1:
        raise ValueError("family_alpha must lie strictly between 0 and 1")
    low, high = proportion_interval(x, n, method="wilson", alpha=family_alpha / x.size)
    return np.asarray(low, float), np.asarray(high, float)


def fisher_vs_rest(counts, nobs) -> np.ndarray:
    """Two-sided Fisher exact p-value of each group's proportion against all the other groups pooled.

    For group i the 2 x 2 table is ``[[x_i, n_i - x_i], [X - x_i, (N - n_i) - (X - x_i)]]`` with
    ``X``, ``N`` the totals over all groups; the p-value is :func:`scipy.stats.fisher_exact`
    (two-sided: the total probability of the tables, given both margins, no more probable than the
    observed one). Comparing with the *other* groups, rather than with an overall share that
    includes the group itself, keeps the group from being compared with itself. Not adjusted for
    multiplicity: see :func:`holm`.

    Reference: Fisher, *Statistical Methods for Research Workers*, 1934, section 21.02; Agresti,
    *Categorical Data Analysis*, 3rd ed., 2013, section 3.5.
    """
    x, n = _counts(counts, nobs)
    big_x, big_n = x.sum(), n.sum()
    out = np.empty(x.size)
    for i in range(x.size):
        table = [[x[i], n[i] - x[i]], [big_x - x[i], (big_n - n[i]) - (big_x - x[i])]]
        out[i] = stats.fisher_exact(table, alternative="two-sided").pvalue
    return out


def holm(pvalues) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error rate), in the order given.

    With the m p-values sorted ascending, ``p_(i)`` is adjusted to ``max over j <= i of min(1, (m - j
    + 1) p_(j))``; reject at level alpha where the adjusted value is at most alpha. Valid under any
    dependence between the tests. Same as statsmodels ``multipletests(p, method="holm")``.

    Reference: Holm, "A simple sequentially rejective multiple test procedure", Scandinavian
    Journal of Statistics 6, 1979.
    """
    p = np.asarray(pvalues, dtype=float)
    if p.ndim != 1 or p.size == 0 or np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError("give a one-dimensional array of p-values between 0 and 1")
    m = p.size
    order = np.argsort(p, kind="stable")
    stepped = np.maximum.accumulate(np.minimum(1.0, (m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = stepped
    return out


def group_comparison(counts, nobs, family_alpha: float = 0.05) -> pd.DataFrame:
    """One row per group: ``count``, ``nobs``, ``share``, Bonferroni-adjusted Wilson ``adjusted_low``/``adjusted_high``, ``vs_rest_p`` and ``vs_rest_p_holm``.

    See :func:`bonferroni_wilson`, :func:`fisher_vs_rest` and :func:`holm`. The caller names the
    rows (e.g. by setting the index to the practice areas) and the columns (e.g. adding the
    ``_inadequate`` suffix of ``area_summary.csv``).
    """
    x, n = _counts(counts, nobs)
    low, high = bonferroni_wilson(x, n, family_alpha)
    p = fisher_vs_rest(x, n)
    return pd.DataFrame(
        {"count": x, "nobs": n, "share": x / n, "adjusted_low": low, "adjusted_high": high, "vs_rest_p": p, "vs_rest_p_holm": holm(p)}
    )
