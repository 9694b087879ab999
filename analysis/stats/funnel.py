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

from analysis import choices
from analysis.stats.proportions import wilson_interval

#: Confidence levels of the two pairs of limits drawn on every funnel: about two and three standard errors.
CONFIDENCE_LEVELS: tuple[float, ...] = choices.FUNNEL_LEVELS  # the analysis's choice (analysis/choices.py)

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


# Over-dispersion (Spiegelhalter 2005, Stat Med section 6; Qual Saf Health Care 14:347-351)

#: Scales on which z-scores and over-dispersed limits are computed: the proportion itself, or the
#: variance-stabilising angle ``arcsin(sqrt(p))`` (whose binomial variance is ``1 / (4 n)``).
OVERDISPERSION_SCALES: tuple[str, ...] = ("identity", "arcsine")

#: Default Winsorisation level: the share of z-scores pulled in at each end (Spiegelhalter's 10%).
WINSOR_LEVEL = choices.WINSOR_LEVEL  # the analysis's choice (analysis/choices.py)


def _scale_check(scale: str) -> None:
    if scale not in OVERDISPERSION_SCALES:
        raise ValueError(f"unknown scale {scale!r}; scales: {', '.join(OVERDISPERSION_SCALES)}")


def _to_scale(share, scale: str) -> np.ndarray:
    share = np.asarray(share, dtype=float)
    return share if scale == "identity" else np.arcsin(np.sqrt(share))


def _from_scale(value: np.ndarray, scale: str) -> np.ndarray:
    if scale == "identity":
        return np.clip(value, 0.0, 1.0)
    return np.sin(np.clip(value, 0.0, np.pi / 2)) ** 2


def _within_se(target: float, sizes: np.ndarray, scale: str) -> np.ndarray:
    """Standard error of one unit's indicator on the scale when its true proportion is ``target``: the binomial one."""
    if scale == "identity":
        return np.sqrt(target * (1 - target) / sizes)
    return 1.0 / (2.0 * np.sqrt(sizes))


def _units(counts, sizes) -> tuple[np.ndarray, np.ndarray]:
    counts = np.asarray(counts)
    sizes = _as_sizes(sizes) if np.size(sizes) else np.asarray(sizes, dtype=np.int64)
    if counts.shape != sizes.shape or counts.size == 0:
        raise ValueError("counts and sizes must be non-empty and of the same length")
    if counts.dtype.kind not in "iu" and not np.array_equal(counts, np.round(counts)):
        raise ValueError("counts must be whole numbers")
    counts = counts.astype(np.int64)
    if (counts < 0).any() or (counts > sizes).any():
        raise ValueError("each count must lie between 0 and its number of cases")
    return counts, sizes


def funnel_z_scores(counts: Sequence[int], sizes: Sequence[int], target: float, scale: str = "identity") -> np.ndarray:
    """Each unit's z-score against ``target``: ``(g(y_i) - g(target)) / s_i``, with ``g`` the ``scale``'s transform.

    ``y_i = counts_i / sizes_i``; on the ``"identity"`` scale ``s_i = sqrt(target (1 - target) / n_i)``,
    on the ``"arcsine"`` scale ``g(p) = arcsin(sqrt(p))`` and ``s_i = 1 / (2 sqrt(n_i))``. These are the
    "naive" z-scores of Spiegelhalter (2005, Stat Med 24:1185-1202, section 6), whose squares add up
    to the Pearson statistic on the identity scale.
    """
    _check(target, 0.5)
    _scale_check(scale)
    counts, sizes = _units(counts, sizes)
    return (_to_scale(counts / sizes, scale) - _to_scale(target, scale)) / _within_se(target, sizes, scale)


def winsorise(values: Sequence[float], level: float = WINSOR_LEVEL) -> np.ndarray:
    """Pull the values below the ``level`` quantile up to it and those above the ``1 - level`` quantile down to it.

    Quantiles by linear interpolation between order statistics (numpy's default, R's ``quantile``
    type 7). ``level = 0`` leaves the values as they are. Spiegelhalter (2005) Winsorises the
    z-scores at 10% (``level = 0.1``) before estimating over-dispersion, so that the units that
    might be genuinely divergent do not inflate the estimate.
    """
    if not 0 <= level < 0.5:
        raise ValueError(f"the Winsorisation level must lie in [0, 0.5), got {level!r}")
    values = np.asarray(values, dtype=float)
    low, high = np.quantile(values, [level, 1 - level])
    return np.clip(values, low, high)


def q_profile_tau2(
    counts: Sequence[int], sizes: Sequence[int], target: float, scale: str = "identity", confidence: float = choices.CONFIDENCE
) -> tuple[float, float]:
    """Viechtbauer's Q-profile confidence interval ``(low, high)`` for the between-unit variance tau^2 on the ``scale``.

    Each unit's indicator ``y_i = g(counts_i / sizes_i)`` has within-unit variance ``v_i = s_i^2``,
    the binomial one at ``target`` (as in :func:`funnel_z_scores`). The generalised Q statistic
    ``Q(tau2) = sum w_i (y_i - mu(tau2))^2`` with ``w_i = 1 / (v_i + tau2)`` and ``mu(tau2)`` the
    ``w``-weighted mean falls as ``tau2`` grows; the interval's ends solve
    ``Q(tau2) = chi2_{k-1}`` quantiles at ``(1 + confidence) / 2`` (lower end) and
    ``(1 - confidence) / 2`` (upper end), and an end is 0 when ``Q(0)`` is already below its
    quantile (as in R's metafor, ``confint.rma.uni``). Un-Winsorised, as the interval is an exact
    pivot only for the raw indicators.

    Reference: W. Viechtbauer, "Confidence intervals for the amount of heterogeneity in
    meta-analysis", *Statistics in Medicine* 26 (2007), 37-52.
    """
    from scipy.optimize import brentq

    _scale_check(scale)
    counts, sizes = _units(counts, sizes)
    if counts.size < 2:
        raise ValueError("a between-unit variance needs two or more units")
    y = _to_scale(counts / sizes, scale)
    v = _within_se(target, sizes, scale) ** 2
    df = counts.size - 1

    def q(tau2: float) -> float:
        w = 1.0 / (v + tau2)
        mu = float((w * y).sum() / w.sum())
        return float((w * (y - mu) ** 2).sum())

    def solve(level: float) -> float:
        crit = float(stats.chi2.ppf(level, df))
        if q(0.0) <= crit:
            return 0.0
        high = max(float(v.max()), 1e-8)
        while q(high) > crit:
            high *= 2.0
        return float(brentq(lambda t: q(t) - crit, 0.0, high, xtol=1e-15, rtol=1e-13))

    return solve((1 + confidence) / 2), solve((1 - confidence) / 2)


@dataclass(frozen=True)
class Dispersion:
    """Over-dispersion of several units' proportions around a target (Spiegelhalter 2005).

    ``phi`` is the mean of the squared Winsorised z-scores (about 1 when units differ by chance
    alone; the multiplicative over-dispersion factor), ``statistic = units * phi`` its test
    statistic, compared with a chi-squared distribution on ``df = units - 1`` (``p_value``), and
    ``tau2`` the between-unit variance on the ``scale`` of the additive random-effects model
    (a DerSimonian-Laird-type moment estimate; 0 when ``statistic <= df``). Winsorising pulls the
    statistic's null mean below ``df``, so ``p_value`` is not a calibrated test: the test is
    ``p_unwinsorised``, the same chi-squared comparison of the raw z-scores' sum of squares
    (Spiegelhalter 2005 Winsorises only to estimate), and ``tau2_low``, ``tau2_high`` are the
    Q-profile 95% interval for tau^2 (:func:`q_profile_tau2`).
    """

    phi: float
    statistic: float
    df: int
    p_value: float
    tau2: float
    units: int
    target: float
    winsor_level: float
    scale: str
    p_unwinsorised: float = float("nan")
    tau2_low: float = float("nan")
    tau2_high: float = float("nan")


def dispersion(
    counts: Sequence[int],
    sizes: Sequence[int],
    target: float | None = None,
    winsor_level: float = WINSOR_LEVEL,
    scale: str = "identity",
) -> Dispersion:
    """Spiegelhalter's dispersion statistic and between-unit variance for ``counts`` out of ``sizes``, around ``target``.

    ``target`` defaults to the pooled share ``sum(counts) / sum(sizes)``. With ``z_i`` the
    z-scores of :func:`funnel_z_scores` Winsorised at ``winsor_level`` (:func:`winsorise`) and ``I``
    units, ``phi = sum(z_i^2) / I``; under no over-dispersion ``I phi`` is approximately chi-squared
    on ``I - 1`` degrees of freedom. The additive random-effects model gives each unit a true value
    ``g(theta_i) ~ N(g(target), tau^2)`` on the scale, with
    ``tau^2 = (I phi - (I - 1)) / (sum w_i - sum w_i^2 / sum w_i)``, ``w_i = 1 / s_i^2``, set to 0 when
    ``I phi <= I - 1``.

    References: D. J. Spiegelhalter, "Funnel plots for comparing institutional performance",
    *Statistics in Medicine* 24 (2005), 1185-1202, section 6; D. J. Spiegelhalter, "Handling
    over-dispersion of performance indicators", *Quality and Safety in Health Care* 14 (2005),
    347-351; R. DerSimonian and N. Laird, "Meta-analysis in clinical trials", *Controlled Clinical
    Trials* 7 (1986), 177-188. Checked against the R package FunnelPlotR (its proportions, arcsine
    scale) and statsmodels' DerSimonian-Laird estimate.
    """
    counts, sizes = _units(counts, sizes)
    if counts.size < 2:
        raise ValueError("over-dispersion needs two or more units")
    if target is None:
        target = float(counts.sum() / sizes.sum())
    raw = funnel_z_scores(counts, sizes, target, scale)
    z = winsorise(raw, winsor_level)
    units = int(counts.size)
    phi = float(np.mean(z**2))
    statistic = units * phi
    df = units - 1
    w = 1.0 / _within_se(target, sizes, scale) ** 2
    tau2 = max(0.0, (statistic - df) / (w.sum() - (w**2).sum() / w.sum())) if statistic > df else 0.0
    tau2_low, tau2_high = q_profile_tau2(counts, sizes, target, scale)
    return Dispersion(
        phi=phi,
        statistic=float(statistic),
        df=df,
        p_value=float(stats.chi2.sf(statistic, df)),
        tau2=float(tau2),
        units=units,
        target=float(target),
        winsor_level=float(winsor_level),
        scale=scale,
        p_unwinsorised=float(stats.chi2.sf(float((raw**2).sum()), df)),
        tau2_low=tau2_low,
        tau2_high=tau2_high,
    )


def overdispersed_limits(
    target: float,
    n: int | Iterable[int],
    confidence: float = 0.95,
    *,
    phi: float | None = None,
    tau2: float | None = None,
    scale: str = "identity",
) -> tuple[np.ndarray, np.ndarray]:
    """Over-dispersed funnel limits (lower, upper) around ``target`` for ``n`` cases: give ``phi`` or ``tau2``, not both.

    Multiplicative (``phi``): ``g(target) +/- z sqrt(phi) s(n)``, the binomial standard error
    inflated by ``sqrt(phi)``. Additive random effects (``tau2``): ``g(target) +/- z sqrt(s(n)^2 +
    tau2)``, so the limits no longer close in on the target as ``n`` grows. ``g`` and ``s`` belong to
    the ``scale`` (see :func:`funnel_z_scores`); the limits are mapped back to proportions and clipped
    to [0, 1]. ``z`` is the normal quantile for two-sided ``confidence``. With ``phi = 1`` or
    ``tau2 = 0`` these are the normal-approximation binomial limits.

    Reference: Spiegelhalter (2005), *Statistics in Medicine* 24:1185-1202, section 6, and *Qual
    Saf Health Care* 14:347-351.
    """
    _check(target, confidence)
    _scale_check(scale)
    if (phi is None) == (tau2 is None):
        raise ValueError("give exactly one of phi (multiplicative) and tau2 (additive)")
    sizes = _as_sizes(n)
    s = _within_se(target, sizes, scale)
    if phi is not None:
        if not phi > 0:
            raise ValueError(f"phi must be positive, got {phi!r}")
        half = stats.norm.ppf((1 + confidence) / 2) * np.sqrt(phi) * s
    else:
        if not tau2 >= 0:
            raise ValueError(f"tau2 must be non-negative, got {tau2!r}")
        half = stats.norm.ppf((1 + confidence) / 2) * np.sqrt(s**2 + tau2)
    centre = _to_scale(target, scale)
    return _from_scale(centre - half, scale), _from_scale(centre + half, scale)


def _place(share: np.ndarray, bounds: dict[float, tuple[np.ndarray, np.ndarray]], inner: float, outer: float) -> list[str]:
    (lo_in, hi_in), (lo_out, hi_out) = bounds[inner], bounds[outer]
    out = []
    for i, y in enumerate(share):
        if y > hi_out[i]:
            out.append("above_99.8")
        elif y < lo_out[i]:
            out.append("below_99.8")
        elif y > hi_in[i]:
            out.append("above_95")
        elif y < lo_in[i]:
            out.append("below_95")
        else:
            out.append("within_95")
    return out


def overdispersed_positions(
    counts: Sequence[int],
    sizes: Sequence[int],
    target: float | None = None,
    winsor_level: float = WINSOR_LEVEL,
    scale: str = "identity",
    estimate_from: Sequence[bool] | None = None,
) -> tuple[Dispersion, pd.DataFrame]:
    """Where each unit falls under the exact binomial limits and under both over-dispersed limits.

    The over-dispersion is estimated by :func:`dispersion` from the units flagged in
    ``estimate_from`` (default: all), around ``target`` (default: their pooled share); every unit is
    then placed. Returns that :class:`Dispersion` and one row per unit (in the input order) with
    ``count``, ``n``, ``share``, ``z`` (:func:`funnel_z_scores`) and three positions, each one of
    :data:`POSITIONS`: ``position_binomial`` (:func:`position`, exact binomial limits),
    ``position_multiplicative`` (limits inflated by ``sqrt(max(phi, 1))``: under-dispersion does not
    narrow them) and ``position_additive`` (random-effects limits with ``tau2``). A share exactly on a
    limit counts as inside. Limits at the two levels of :data:`CONFIDENCE_LEVELS`.

    Reference: Spiegelhalter (2005), *Statistics in Medicine* 24:1185-1202, section 6; *Qual Saf
    Health Care* 14:347-351.
    """
    counts, sizes = _units(counts, sizes)
    chosen = np.ones(counts.size, dtype=bool) if estimate_from is None else np.asarray(estimate_from, dtype=bool)
    if chosen.shape != counts.shape:
        raise ValueError("estimate_from must flag each unit")
    est = dispersion(counts[chosen], sizes[chosen], target, winsor_level, scale)
    share = counts / sizes
    inner, outer = sorted(CONFIDENCE_LEVELS)
    multiplicative = {c: overdispersed_limits(est.target, sizes, c, phi=max(est.phi, 1.0), scale=scale) for c in (inner, outer)}
    additive = {c: overdispersed_limits(est.target, sizes, c, tau2=est.tau2, scale=scale) for c in (inner, outer)}
    table = pd.DataFrame(
        {
            "count": counts,
            "n": sizes,
            "share": share,
            "z": funnel_z_scores(counts, sizes, est.target, scale),
            "position_binomial": [position(int(c), int(m), est.target) for c, m in zip(counts, sizes, strict=True)],
            "position_multiplicative": _place(share, multiplicative, inner, outer),
            "position_additive": _place(share, additive, inner, outer),
        }
    )
    return est, table
