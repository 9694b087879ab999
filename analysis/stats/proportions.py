"""Proportions with small-sample confidence intervals (Wilson score and Clopper-Pearson exact), per group and per grade."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

#: Interval methods by the names used in column prefixes, mapped to statsmodels' method names.
METHODS: dict[str, str] = {"wilson": "wilson", "exact": "beta"}


def proportion_interval(count, nobs, method: str = "wilson", alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided ``1 - alpha`` confidence interval for the proportion ``count / nobs``.

    ``method="wilson"`` is the Wilson score interval (Wilson 1927, *JASA* 22, 209-212; Newcombe
    1998, *Statistics in Medicine* 17, 857-872, method 3); ``method="exact"`` is the
    Clopper-Pearson interval from beta quantiles (Clopper & Pearson 1934, *Biometrika* 26,
    404-413; Newcombe's method 5), which never covers less than ``1 - alpha``. Both stay inside
    [0, 1] and behave sensibly at 0 and ``nobs``, unlike the Wald interval. Computed with
    :func:`statsmodels.stats.proportion.proportion_confint`. ``count`` and ``nobs`` may be
    scalars or arrays; returns ``(low, high)`` as float arrays.
    """
    if method not in METHODS:
        raise ValueError(f"unknown interval method {method!r}; use one of {', '.join(METHODS)}")
    count = np.asarray(count)
    nobs = np.asarray(nobs)
    if np.any(nobs <= 0):
        raise ValueError("nobs must be positive")
    if np.any((count < 0) | (count > nobs)):
        raise ValueError("count must lie between 0 and nobs")
    low, high = proportion_confint(count, nobs, alpha=alpha, method=METHODS[method])
    low, high = np.clip(np.asarray(low, dtype=float), 0.0, 1.0), np.clip(np.asarray(high, dtype=float), 0.0, 1.0)
    # statsmodels' beta interval returns nan at the ends; the exact limits there are 0 and 1.
    low = np.where(count == 0, 0.0, low)
    high = np.where(count == nobs, 1.0, high)
    return low, high


def wilson_interval(count: float, nobs: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval ``(low, high)`` for one proportion ``count / nobs`` at ``confidence``.

    Scalar convenience over :func:`proportion_interval` (Wilson 1927, *JASA* 22, 209-212;
    recommended for small samples by Brown, Cai and DasGupta 2001, *Statistical Science* 16,
    101-133). Raises ``ValueError`` when ``nobs`` is not positive.
    """
    low, high = proportion_interval(count, nobs, method="wilson", alpha=1 - confidence)
    return float(low), float(high)


def category_shares(counts: pd.DataFrame, slugs: Sequence[str] | None = None, alpha: float = 0.05) -> pd.DataFrame:
    """Shares of each category within each row of ``counts``, with Wilson and Clopper-Pearson intervals.

    ``counts`` has one row per group and one column of counts per category. ``slugs`` gives
    column-safe names for the categories (default: the column labels). Returns, per row:
    ``n`` (row total), one count column per slug, then for each slug ``share_<slug>``,
    ``wilson_low_<slug>``, ``wilson_high_<slug>``, ``exact_low_<slug>``, ``exact_high_<slug>``.
    Each interval treats the category as "this grade versus any other" (a binomial
    proportion, see :func:`proportion_interval`); they are not simultaneous intervals.
    """
    slugs = list(slugs) if slugs is not None else [str(c) for c in counts.columns]
    if len(slugs) != counts.shape[1]:
        raise ValueError("give one slug per column of counts")
    values = counts.to_numpy()
    if values.size and (values < 0).any():
        raise ValueError("counts must not be negative")
    n = values.sum(axis=1)
    out = pd.DataFrame(index=counts.index)
    out["n"] = n.astype("int64")
    for slug, col in zip(slugs, counts.columns, strict=True):
        out[slug] = counts[col].astype("int64")
    for slug, col in zip(slugs, counts.columns, strict=True):
        k = counts[col].to_numpy()
        out[f"share_{slug}"] = k / n
        for method in METHODS:
            low, high = proportion_interval(k, n, method=method, alpha=alpha)
            out[f"{method}_low_{slug}"] = low
            out[f"{method}_high_{slug}"] = high
    return out


def difference_interval(count1: int, nobs1: int, count2: int, nobs2: int, alpha: float = 0.05) -> tuple[float, float, float]:
    """Difference of two independent proportions, ``count1/nobs1 - count2/nobs2``, with Newcombe's hybrid score interval.

    Returns ``(difference, low, high)``. The interval combines the two Wilson intervals
    (Newcombe 1998, *Statistics in Medicine* 17, 873-890, method 10), and keeps good coverage in
    small samples where the Wald interval does not. Computed with
    :func:`statsmodels.stats.proportion.confint_proportions_2indep` (``method="newcomb"``).
    """
    from statsmodels.stats.proportion import confint_proportions_2indep

    for k, n in ((count1, nobs1), (count2, nobs2)):
        if n <= 0 or not 0 <= k <= n:
            raise ValueError("each count must lie between 0 and its positive nobs")
    low, high = confint_proportions_2indep(count1, nobs1, count2, nobs2, method="newcomb", compare="diff", alpha=alpha)
    return count1 / nobs1 - count2 / nobs2, float(low), float(high)


def newcombe_difference_intervals(count1, nobs1, count2, nobs2, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval for ``count1/nobs1 - count2/nobs2``, vectorised over arrays of counts (and sizes).

    Method 10 of Newcombe 1998 (*Statistics in Medicine* 17, 873-890): with Wilson intervals
    ``(l1, u1)`` and ``(l2, u2)`` of the two proportions, ``d - sqrt((p1 - l1)^2 + (u2 - p2)^2)`` to
    ``d + sqrt((u1 - p1)^2 + (p2 - l2)^2)``. The same numbers as :func:`difference_interval`
    (statsmodels' ``method="newcomb"``), for many counts at once: the union of the intervals over a
    range of counts needs every one of them.
    """
    count1, nobs1, count2, nobs2 = (np.asarray(v, dtype=float) for v in (count1, nobs1, count2, nobs2))
    if np.any(nobs1 <= 0) or np.any(nobs2 <= 0) or np.any((count1 < 0) | (count1 > nobs1)) or np.any((count2 < 0) | (count2 > nobs2)):
        raise ValueError("each count must lie between 0 and its positive nobs")
    l1, u1 = proportion_interval(count1, nobs1, method="wilson", alpha=alpha)
    l2, u2 = proportion_interval(count2, nobs2, method="wilson", alpha=alpha)
    p1, p2 = count1 / nobs1, count2 / nobs2
    d = p1 - p2
    return d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def clopper_pearson_lower(count, nobs, confidence: float = 0.95) -> float | np.ndarray:
    """One-sided Clopper-Pearson lower confidence bound for the proportion ``count / nobs``.

    The largest ``p`` with ``P(X >= count | p) <= 1 - confidence`` for X ~ Binomial(nobs, p), i.e.
    the ``1 - confidence`` quantile of Beta(count, nobs - count + 1); 0 when ``count = 0``. It
    equals the lower limit of the two-sided exact interval at ``alpha = 2 * (1 - confidence)``
    (statsmodels ``proportion_confint(count, nobs, alpha=0.10, method="beta")`` for 95%), and
    never covers less than ``confidence``. ``count`` and ``nobs`` may be scalars or arrays.

    Reference: Clopper & Pearson 1934, *Biometrika* 26, 404-413; Newcombe 1998, *Statistics in
    Medicine* 17, 857-872, method 5.
    """
    if not 0 < confidence < 1:
        raise ValueError("confidence must lie strictly between 0 and 1")
    count = np.asarray(count, dtype=float)
    nobs = np.asarray(nobs, dtype=float)
    if np.any(nobs <= 0):
        raise ValueError("nobs must be positive")
    if np.any((count < 0) | (count > nobs)):
        raise ValueError("count must lie between 0 and nobs")
    low = np.where(count > 0, stats.beta.ppf(1 - confidence, np.maximum(count, 1), nobs - count + 1), 0.0)
    return float(low) if low.ndim == 0 else low
