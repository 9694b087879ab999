"""Tests for analysis.stats.proportions.clopper_pearson_lower: statsmodels' exact interval and the binomial tail."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from analysis.stats.proportions import clopper_pearson_lower


@pytest.mark.parametrize(("k", "n"), [(1, 1), (1, 10), (5, 10), (10, 10), (17, 33), (23, 33), (9, 16), (81, 263)])
def test_matches_statsmodels_beta_at_double_alpha(k, n):
    low, _ = proportion_confint(k, n, alpha=0.10, method="beta")
    assert clopper_pearson_lower(k, n) == pytest.approx(low, abs=1e-12)
    low99, _ = proportion_confint(k, n, alpha=0.02, method="beta")
    assert clopper_pearson_lower(k, n, confidence=0.99) == pytest.approx(low99, abs=1e-12)


@pytest.mark.parametrize(("k", "n"), [(3, 10), (17, 33), (40, 41)])
def test_is_where_the_upper_binomial_tail_is_five_percent(k, n):
    low = clopper_pearson_lower(k, n)
    assert stats.binom.sf(k - 1, n, low) == pytest.approx(0.05, abs=1e-10)


def test_zero_count_and_arrays():
    assert clopper_pearson_lower(0, 12) == 0.0
    out = clopper_pearson_lower(np.array([0, 17, 33]), 33)
    assert out.shape == (3,) and out[0] == 0.0 and out[2] == pytest.approx(0.05 ** (1 / 33))


def test_seventeen_of_thirty_three_is_about_36_percent():
    # the "about 36%" for the guaranteed minimum of 17 of 33 cases graded better
    assert round(clopper_pearson_lower(17, 33), 2) == 0.36


@pytest.mark.parametrize(("k", "n", "c"), [(3, 2, 0.95), (-1, 5, 0.95), (1, 0, 0.95), (1, 5, 1.0)])
def test_bad_input_is_refused(k, n, c):
    with pytest.raises(ValueError):
        clopper_pearson_lower(k, n, c)
