"""Tests for analysis.stats.probit_shift: every pairing by brute force, a numerical delta method, scipy's exact intervals, seeded coverage."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis.stats.probit_shift import probit_shift


def delta_variance(cells: np.ndarray) -> float:
    """Delta-method variance of Phi^-1(p_1.) - Phi^-1(p_.1) for one 2 x 2 table, by a numerical gradient and the multinomial covariance."""
    n = cells.sum()
    pi = cells.ravel() / n  # (in both, first only, second only, neither)

    def g(q):
        return stats.norm.ppf(q[0] + q[1]) - stats.norm.ppf(q[0] + q[2])

    h = 1e-6
    grad = np.array([(g(pi + h * e) - g(pi - h * e)) / (2 * h) for e in np.eye(4)])
    cov = (np.diag(pi) - np.outer(pi, pi)) / n
    return float(grad @ cov @ grad)


@pytest.mark.parametrize(("a", "b", "n"), [(27, 10, 33), (10, 27, 33), (5, 9, 20), (20, 20, 40), (60, 45, 80), (3, 2, 12)])
@pytest.mark.slow
def test_the_delta_interval_uses_the_widest_of_every_consistent_pairing(a, b, n):
    res = probit_shift(a, b, n)
    widest = 0.0
    for both in range(max(0, a + b - n), min(a, b) + 1):  # every 2 x 2 table with the two counts
        cells = np.array([[both, a - both], [b - both, n - a - b + both]], dtype=float)
        widest = max(widest, delta_variance(cells))
    assert res.se**2 == pytest.approx(widest, rel=1e-6)
    assert res.both_least_favourable == max(0, a + b - n)
    z = stats.norm.ppf(0.975)
    assert res.estimate == pytest.approx(stats.norm.ppf(a / n) - stats.norm.ppf(b / n), abs=1e-12)
    assert (res.ci_low, res.ci_high) == pytest.approx((res.estimate - z * res.se, res.estimate + z * res.se), abs=1e-12)


def test_the_bonferroni_interval_combines_scipy_exact_intervals():
    a, b, n = 27, 10, 33
    res = probit_shift(a, b, n, method="bonferroni_exact")
    ci1 = stats.binomtest(a, n).proportion_ci(confidence_level=0.975, method="exact")
    ci2 = stats.binomtest(b, n).proportion_ci(confidence_level=0.975, method="exact")
    assert res.ci_low == pytest.approx(stats.norm.ppf(ci1.low) - stats.norm.ppf(ci2.high), abs=1e-9)
    assert res.ci_high == pytest.approx(stats.norm.ppf(ci1.high) - stats.norm.ppf(ci2.low), abs=1e-9)
    delta = probit_shift(a, b, n)
    assert res.estimate == delta.estimate and res.ci_low < delta.ci_low and res.ci_high > delta.ci_high


def test_swapping_the_graders_negates_the_shift():
    one, other = probit_shift(27, 10, 33), probit_shift(10, 27, 33)
    assert other.estimate == pytest.approx(-one.estimate)
    assert (other.ci_low, other.ci_high) == pytest.approx((-one.ci_high, -one.ci_low))


def test_gwent_figures():
    # 27 of 33 graded good by the force, 10 of the same 33 by the inspectors
    res = probit_shift(27, 10, 33)
    assert res.estimate == pytest.approx(1.424163, abs=1e-6)
    assert res.both_least_favourable == 4
    assert res.ci_low > 0  # the shift is positive whatever the pairing


@pytest.mark.slow
def test_coverage_by_seeded_simulation_holds_at_every_correlation():
    """Coverage of the true shift, pairs of gradings drawn with the least, no and the most correlation the shares allow."""
    rng = np.random.default_rng(17)
    reps = 4000
    for n, p1, p2 in [(33, 0.8, 0.3), (50, 0.6, 0.4), (100, 0.3, 0.15)]:
        true = stats.norm.ppf(p1) - stats.norm.ppf(p2)
        for label, p11 in (("least", max(0.0, p1 + p2 - 1)), ("none", p1 * p2), ("most", min(p1, p2))):
            probs = np.clip([p11, p1 - p11, p2 - p11, 1 - p1 - p2 + p11], 0, 1)
            draws = rng.multinomial(n, probs / probs.sum(), size=reps)
            a, b = draws[:, 0] + draws[:, 1], draws[:, 0] + draws[:, 2]
            defined = (a > 0) & (a < n) & (b > 0) & (b < n)
            assert defined.mean() > 0.99
            for method, floor in (("delta", 0.93 if label == "least" else 0.95), ("bonferroni_exact", 0.95)):
                res = probit_shift(a[defined], b[defined], n, method=method)
                coverage = np.mean((res.ci_low <= true) & (true <= res.ci_high))
                assert coverage >= floor, (n, p1, p2, label, method, coverage)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((0, 10, 33), {}, "strictly between 0 and 1"),
        ((33, 10, 33), {}, "strictly between 0 and 1"),
        ((27, 0, 33), {}, "strictly between 0 and 1"),
        ((27.5, 10, 33), {}, "whole numbers"),
        ((27, 10, 33), {"method": "mover"}, "unknown method"),
        ((27, 10, 33), {"confidence": 95}, "confidence"),
        ((40, 10, 33), {}, "strictly between 0 and 1"),
    ],
)
def test_bad_input_is_refused(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        probit_shift(*args, **kwargs)
