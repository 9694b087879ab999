"""Funnel-plot control limits for a proportion, a pooled proportion with its interval, and where a unit falls.

A funnel plot compares units of different sizes (here: police forces, by the number of cases
audited) against one target proportion. Around the target, control limits show where an observed
proportion would fall by chance alone if the unit's true proportion were the target; they narrow
as the number of cases grows. Two kinds of limit are provided:

- exact binomial limits with the interpolation of Spiegelhalter (2005), Appendix A.1.1, as used in
  the Association of Public Health Observatories / Public Health England funnel-plot guidance;
- Wilson-score limits as in the PHE Fingertips technical guidance (R package PHEindicatormethods,
  ``phe_funnels``): the observed proportions whose Wilson score interval just reaches the target.
  These equal the score-test acceptance region ``target ± z * sqrt(target * (1 - target) / n)``.

References: D. J. Spiegelhalter (2005), "Funnel plots for comparing institutional performance",
*Statistics in Medicine* 24, 1185-1202; E. B. Wilson (1927), "Probable inference, the law of
succession, and statistical inference", *JASA* 22, 209-212; Public Health England, *Technical
guide: confidence intervals* and *funnel plots* (Fingertips guidance).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats.proportions import wilson_interval

#: Confidence levels of the two pairs of limits drawn on every funnel: about two and three standard errors.
CONFIDENCE_LEVELS: tuple[float, ...] = (0.95, 0.998)

#: Methods for the limits, in the order they are tabulated.
METHODS: tuple[str, ...] = ("exact_binomial", "wilson")

#: Where a unit can fall relative to the limits, from lowest to highest.
POSITIONS: tuple[str, ...] = ("below_99.8", "below_95", "within_95", "above_95", "above_99.8")


def _check(target: float, confidence: float) -> None:
    if not 0 < target < 1:
        raise ValueError(f"target proportion must lie strictly between 0 and 1, got {target!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")


def _as_sizes(n: int | Iterable[int]) -> np.ndarray:
    sizes = np.atleast_1d(np.asarray(n))
    if sizes.dtype.kind not in "iu" or (sizes < 1).any():
        raise ValueError("numbers of cases must be positive integers")
    return sizes.astype(np.int64)


def exact_binomial_quantile(p: float, n: int | Iterable[int], target: float) -> np.ndarray:
    """Interpolated ``p``-quantile of the proportion ``R / n`` with ``R ~ Binomial(n, target)``.

    With ``r`` the smallest count such that ``P(R <= r) >= p`` (``scipy.stats.binom.ppf``), the
    interpolation of Spiegelhalter (2005, Appendix A.1.1) gives
    ``(r - a) / n`` with ``a = (P(R <= r) - p) / (P(R <= r) - P(R <= r - 1))``: the point where the
    binomial distribution function, joined linearly between consecutive counts, reaches ``p``.
    This turns the step-shaped exact limits into a smooth funnel. Results are clipped to [0, 1].
    """
    sizes = _as_sizes(n)
    r = stats.binom.ppf(p, sizes, target)
    upper_cdf = stats.binom.cdf(r, sizes, target)
    lower_cdf = stats.binom.cdf(r - 1, sizes, target)
    alpha = (upper_cdf - p) / (upper_cdf - lower_cdf)
    return np.clip((r - alpha) / sizes, 0.0, 1.0)


def exact_binomial_limits(target: float, n: int | Iterable[int], confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact binomial funnel limits (lower, upper) around ``target`` for ``n`` cases, at two-sided ``confidence``.

    The limits are the interpolated ``(1 - confidence) / 2`` and ``(1 + confidence) / 2`` quantiles of
    the observed proportion under ``Binomial(n, target)``; see :func:`exact_binomial_quantile`.
    Reference: Spiegelhalter (2005), *Statistics in Medicine* 24:1185-1202, Appendix A.1.1.
    """
    _check(target, confidence)
    tail = (1 - confidence) / 2
    return exact_binomial_quantile(tail, n, target), exact_binomial_quantile(1 - tail, n, target)


def wilson_limits(target: float, n: int | Iterable[int], confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson-score funnel limits (lower, upper) around ``target`` for ``n`` cases, at two-sided ``confidence``.

    An observed proportion lies inside these limits exactly when its Wilson score interval (same
    ``n`` and confidence) contains ``target``; the limits are therefore
    ``target ± z * sqrt(target * (1 - target) / n)`` with ``z`` the normal quantile, clipped to
    [0, 1]. This is the method of PHE Fingertips (PHEindicatormethods ``phe_funnels``).
    Reference: Wilson (1927), *JASA* 22:209-212; Public Health England Fingertips technical guidance.
    """
    _check(target, confidence)
    sizes = _as_sizes(n)
    z = stats.norm.ppf((1 + confidence) / 2)
    half = z * np.sqrt(target * (1 - target) / sizes)
    return np.clip(target - half, 0.0, 1.0), np.clip(target + half, 0.0, 1.0)


def limits(
    target: float, n: int | Iterable[int], confidence: float = 0.95, method: str = "exact_binomial"
) -> tuple[np.ndarray, np.ndarray]:
    """Funnel limits (lower, upper) by ``method``: ``"exact_binomial"`` or ``"wilson"`` (see those functions)."""
    if method == "exact_binomial":
        return exact_binomial_limits(target, n, confidence)
    if method == "wilson":
        return wilson_limits(target, n, confidence)
    raise ValueError(f"unknown method {method!r}; methods: {', '.join(METHODS)}")


def funnel_limits(
    target: float,
    n_values: Iterable[int],
    confidence_levels: Sequence[float] = CONFIDENCE_LEVELS,
    methods: Sequence[str] = METHODS,
) -> pd.DataFrame:
    """Table of funnel limits around ``target``: one row per method, confidence and number of cases.

    Columns: ``method``, ``confidence``, ``n``, ``target``, ``lower``, ``upper``. Both methods are
    described in the module docstring (Spiegelhalter 2005; PHE Fingertips guidance).
    """
    sizes = _as_sizes(list(n_values))
    parts = []
    for method in methods:
        for confidence in confidence_levels:
            low, high = limits(target, sizes, confidence, method)
            parts.append(
                pd.DataFrame({"method": method, "confidence": confidence, "n": sizes, "target": target, "lower": low, "upper": high})
            )
    return pd.concat(parts, ignore_index=True)


def position(
    count: int, n: int, target: float, method: str = "exact_binomial", confidence_levels: Sequence[float] = CONFIDENCE_LEVELS
) -> str:
    """Where the proportion ``count / n`` falls against the funnel limits around ``target``.

    Returns one of :data:`POSITIONS`: ``within_95`` inside the inner (95%) limits; ``above_95`` /
    ``below_95`` outside the inner but inside the outer (99.8%) limits; ``above_99.8`` /
    ``below_99.8`` outside the outer limits. A proportion exactly on a limit counts as inside.
    Limits as in :func:`limits` (Spiegelhalter 2005).
    """
    if not 0 <= count <= n:
        raise ValueError(f"count must lie between 0 and n, got {count} of {n}")
    inner, outer = sorted(confidence_levels)
    share = count / n
    (lo_in,), (hi_in,) = limits(target, n, inner, method)
    (lo_out,), (hi_out,) = limits(target, n, outer, method)
    if share > hi_out:
        return "above_99.8"
    if share < lo_out:
        return "below_99.8"
    if share > hi_in:
        return "above_95"
    if share < lo_in:
        return "below_95"
    return "within_95"


@dataclass(frozen=True)
class PooledEstimate:
    """A pooled proportion over several units, its Wilson interval and a check of over-dispersion."""

    cases: int
    n: int
    units: int
    share: float
    low: float
    high: float
    confidence: float
    chi2: float
    df: int
    p_value: float

    @property
    def dispersion(self) -> float:
        """Pearson chi-square divided by its degrees of freedom (about 1 when units differ only by chance)."""
        return self.chi2 / self.df if self.df > 0 else float("nan")


def pooled_estimate(counts: Sequence[int], sizes: Sequence[int], confidence: float = 0.95) -> PooledEstimate:
    """Pool ``counts`` out of ``sizes`` over units: total share, its Wilson interval and a dispersion test.

    The pooled share is ``sum(counts) / sum(sizes)`` (the funnel's target, as in PHE guidance). Its
    Wilson interval treats all cases as independent draws with one common proportion, so it is
    too narrow if units truly differ. The Pearson statistic ``sum((y - n p)^2 / (n p (1 - p)))``
    over units, compared with a chi-square on ``units - 1`` degrees of freedom, tests whether the
    units vary more than chance allows (over-dispersion; Spiegelhalter 2005, section 6).
    """
    counts = np.asarray(counts, dtype=np.int64)
    sizes = np.asarray(sizes, dtype=np.int64)
    if counts.shape != sizes.shape or counts.size == 0:
        raise ValueError("counts and sizes must be non-empty and of the same length")
    if (counts < 0).any() or (counts > sizes).any():
        raise ValueError("each count must lie between 0 and its number of cases")
    total, n = int(counts.sum()), int(sizes.sum())
    share = total / n
    low, high = wilson_interval(total, n, confidence)
    chi2 = float((((counts - sizes * share) ** 2) / (sizes * share * (1 - share))).sum()) if 0 < share < 1 else float("nan")
    df = int(counts.size - 1)
    p_value = float(stats.chi2.sf(chi2, df)) if df > 0 else float("nan")
    return PooledEstimate(total, n, int(counts.size), share, low, high, confidence, chi2, df, p_value)
