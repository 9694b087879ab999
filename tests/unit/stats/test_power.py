"""analysis.stats.power: the smallest detectable difference, checked against the closed form, statsmodels' power function and exact enumeration."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

from analysis.choices import ALPHA, POWER
from analysis.stats.power import detectable_difference


def test_detectable_difference_matches_the_normal_approximation():
    p1, n1, n2 = 0.3, 47, 33
    h = (stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) * math.sqrt(1 / n1 + 1 / n2)
    expected = math.sin(math.asin(math.sqrt(p1)) + h / 2) ** 2 - p1
    assert detectable_difference(p1, n1, n2) == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize(("p1", "n1", "n2"), [(0.3, 47, 33), (0.1, 20, 60), (0.5, 80, 80)])
def test_the_difference_found_has_the_asked_power_in_statsmodels(p1, n1, n2):
    d = detectable_difference(p1, n1, n2)
    h = proportion_effectsize(p1 + d, p1)
    assert NormalIndPower().power(h, nobs1=n1, alpha=ALPHA, ratio=n2 / n1, alternative="two-sided") == pytest.approx(POWER, abs=1e-4)
    assert detectable_difference(p1, n1, n2, power=0.9) > d > detectable_difference(p1, 4 * n1, 4 * n2)


def exact_power(p1: float, p2: float, n1: int, n2: int, alpha: float) -> float:
    """Power of the two-sided arcsine test of two shares by enumerating every pair of binomial outcomes (no approximation in the sum)."""
    x1, x2 = np.arange(n1 + 1), np.arange(n2 + 1)
    a1, a2 = 2 * np.arcsin(np.sqrt(x1 / n1)), 2 * np.arcsin(np.sqrt(x2 / n2))
    z = (a2[None, :] - a1[:, None]) / math.sqrt(1 / n1 + 1 / n2)
    reject = np.abs(z) > stats.norm.ppf(1 - alpha / 2)
    weights = stats.binom.pmf(x1, n1, p1)[:, None] * stats.binom.pmf(x2, n2, p2)[None, :]
    return float((weights * reject).sum())


def test_brute_force_power_at_the_detectable_difference_is_near_the_target():
    """The normal approximation on audit-sized samples: the exact power of the test it describes is within a few points of 80%."""
    p1, n1, n2 = 0.3, 47, 33
    d = detectable_difference(p1, n1, n2)
    assert exact_power(p1, p1 + d, n1, n2, ALPHA) == pytest.approx(POWER, abs=0.03)
    assert exact_power(p1, p1 + d / 2, n1, n2, ALPHA) < POWER - 0.2, "half the difference is clearly under-powered"


def test_a_share_near_one_is_capped():
    assert 0 < detectable_difference(0.98, 10, 10) <= 0.02 + 1e-12
