"""Funnel-plot limits and pooled estimates, checked against scipy.stats and statsmodels where they overlap."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from analysis.stats import funnel

TARGETS = (0.05, 0.24, 0.354, 0.5, 0.9)
SIZES = np.array([1, 5, 20, 33, 47, 80, 101, 250, 1000])
CONFIDENCE_LEVELS = (0.95, 0.998)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("confidence", CONFIDENCE_LEVELS)
def test_exact_limits_sit_between_the_scipy_binomial_quantile_and_the_count_below(target, confidence):
    tail = (1 - confidence) / 2
    low, high = funnel.exact_binomial_limits(target, SIZES, confidence)
    for p, lim in ((tail, low), (1 - tail, high)):
        r = stats.binom.ppf(p, SIZES, target)  # smallest r with P(R <= r) >= p
        assert np.all(lim <= r / SIZES + 1e-12)
        assert np.all(lim >= np.maximum(r - 1, 0) / SIZES - 1e-12)


@pytest.mark.parametrize("target", TARGETS)
def test_exact_limit_is_where_the_interpolated_binomial_cdf_reaches_p(target):
    """Spiegelhalter (2005, A.1.1): the binomial CDF joined linearly between counts equals p at n * limit."""
    for p in (0.001, 0.025, 0.975, 0.999):
        q = funnel.exact_binomial_quantile(p, SIZES, target)
        x = q * SIZES
        inside = (x > 0) & (x < SIZES)  # clipped ends have no interpolation point
        r = np.ceil(x[inside] - 1e-12)
        cdf_r, cdf_below = stats.binom.cdf(r, SIZES[inside], target), stats.binom.cdf(r - 1, SIZES[inside], target)
        interpolated = cdf_below + (x[inside] - (r - 1)) * (cdf_r - cdf_below)
        np.testing.assert_allclose(interpolated, p, atol=1e-9)


def test_exact_limits_approach_the_normal_limits_for_large_n():
    n = np.array([20_000, 100_000])
    for confidence in CONFIDENCE_LEVELS:
        exact = funnel.exact_binomial_limits(0.3, n, confidence)
        wilson = funnel.wilson_limits(0.3, n, confidence)
        np.testing.assert_allclose(exact, wilson, atol=2e-4)


def test_exact_limits_are_clipped_to_zero_and_one():
    low, high = funnel.exact_binomial_limits(0.02, [5, 10], 0.998)
    assert np.all(low == 0) and np.all(high <= 1)
    low, high = funnel.exact_binomial_limits(0.98, [5, 10], 0.998)
    assert np.all(high <= 1) and np.all(high > np.array([4 / 5, 9 / 10]))


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("confidence", CONFIDENCE_LEVELS)
def test_wilson_limits_invert_the_statsmodels_wilson_interval(target, confidence):
    """At the upper limit the observed share's Wilson interval just reaches down to the target; likewise below."""
    sizes = np.array([20, 33, 80, 101, 400])
    low, high = funnel.wilson_limits(target, sizes, confidence)
    for n, lo, hi in zip(sizes, low, high, strict=True):
        if 0 < hi < 1:
            assert proportion_confint(hi * n, n, alpha=1 - confidence, method="wilson")[0] == pytest.approx(target, abs=1e-9)
        if 0 < lo < 1:
            assert proportion_confint(lo * n, n, alpha=1 - confidence, method="wilson")[1] == pytest.approx(target, abs=1e-9)


def test_wilson_limits_match_the_phe_closed_form():
    """The PHE Fingertips formula (PHEindicatormethods ``sigma_adjustment``), written out independently."""

    def phe(p, n, a, side):
        z2 = stats.norm.ppf(p) ** 2
        first = a * (n / z2 + 1)
        adj = np.sqrt((-8 * a * (n / z2 + 1)) ** 2 - 64 * (1 / z2 + 1 / n) * a * (n * (a * (n / z2 + 2) - 1) + z2 * (a - 1)))
        last = 1 / z2 + 1 / n
        value = ((first - adj / 8) if side == "low" else (first + adj / 8)) / last / n
        return min(max(value, 0.0), 1.0)  # phe_funnels truncates the limits to the 0-100% range

    for n in (5, 20, 80, 101):
        for a in (0.05, 0.24, 0.354):
            for p, cov in ((0.975, 0.95), (0.999, 0.998)):
                low, high = funnel.wilson_limits(a, n, cov)
                assert low[0] == pytest.approx(phe(p, n, a, "low"), abs=1e-9)
                assert high[0] == pytest.approx(phe(p, n, a, "high"), abs=1e-9)


def test_position_agrees_with_the_statsmodels_wilson_interval():
    """With Wilson limits, a share is inside the 95% funnel exactly when its 95% Wilson interval holds the target."""
    target, n = 0.354, 80
    for count in range(n + 1):
        lo, hi = proportion_confint(count, n, alpha=0.05, method="wilson")
        inside = lo <= target <= hi
        assert (funnel.position(count, n, target, "wilson") == "within_95") == inside, count


def test_position_bands_are_ordered():
    target, n = 0.354, 80
    order = {p: i for i, p in enumerate(funnel.POSITIONS)}
    ranks = [order[funnel.position(c, n, target)] for c in range(n + 1)]
    assert ranks == sorted(ranks)
    assert set(ranks) == set(range(len(funnel.POSITIONS)))
    assert funnel.position(round(target * n), n, target) == "within_95"


def test_pooled_estimate_matches_statsmodels_and_scipy():
    counts, sizes = [25, 22, 29, 33], [81, 69, 81, 101]
    est = funnel.pooled_estimate(counts, sizes)
    assert (est.cases, est.n, est.units) == (109, 332, 4)
    assert est.share == pytest.approx(109 / 332)
    assert (est.low, est.high) == pytest.approx(proportion_confint(109, 332, alpha=0.05, method="wilson"))
    table = np.array([counts, np.subtract(sizes, counts)]).T
    chi2, p, dof, _ = stats.chi2_contingency(table, correction=False)
    assert est.chi2 == pytest.approx(chi2)
    assert est.df == dof == 3
    assert est.p_value == pytest.approx(p)
    assert est.dispersion == pytest.approx(chi2 / 3)


def test_funnel_limits_table():
    table = funnel.funnel_limits(0.3, range(20, 31))
    assert list(table.columns) == ["method", "confidence", "n", "target", "lower", "upper"]
    assert len(table) == 11 * len(funnel.METHODS) * len(funnel.CONFIDENCE_LEVELS)
    assert (table["lower"] <= table["target"]).all() and (table["target"] <= table["upper"]).all()
    wide = table.pivot_table(index=["method", "n"], columns="confidence", values=["lower", "upper"])
    assert (wide[("lower", 0.998)] <= wide[("lower", 0.95)]).all()
    assert (wide[("upper", 0.998)] >= wide[("upper", 0.95)]).all()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: funnel.exact_binomial_limits(0, 10), "target"),
        (lambda: funnel.wilson_limits(0.3, 10, confidence=1.0), "confidence"),
        (lambda: funnel.wilson_limits(0.3, [10, 0]), "positive integers"),
        (lambda: funnel.exact_binomial_limits(0.3, [10.5]), "positive integers"),
        (lambda: funnel.limits(0.3, 10, method="normal"), "unknown method"),
        (lambda: funnel.position(11, 10, 0.3), "between 0 and n"),
        (lambda: funnel.pooled_estimate([5, 12], [10, 10]), "between 0"),
        (lambda: funnel.pooled_estimate([], []), "non-empty"),
    ],
)
def test_bad_arguments_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()
