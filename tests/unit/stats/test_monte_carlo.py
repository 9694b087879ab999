"""Tests for analysis.stats.monte_carlo: SciPy's binomial distribution and a simulation of the estimator itself."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis.stats.association import fisher_freeman_halton
from analysis.stats.monte_carlo import monte_carlo_se


@pytest.mark.parametrize(("hits", "draws"), [(0, 1000), (1, 1000), (204, 1000), (20_413, 100_000), (999, 999)])
def test_matches_the_binomial_standard_deviation(hits, draws):
    q = hits / draws
    p_plus = (hits + 1) / (draws + 1)
    assert monte_carlo_se(p_plus, draws) == pytest.approx(stats.binom.std(draws, q) / (draws + 1), abs=1e-15)
    assert monte_carlo_se(q, draws, plus_one=False) == pytest.approx(stats.binom.std(draws, q) / draws, abs=1e-15)


def test_matches_the_spread_of_repeated_estimates():
    rng = np.random.default_rng(20190206)
    p, draws = 0.2, 1000
    estimates = (rng.binomial(draws, p, size=40_000) + 1) / (draws + 1)
    expected = monte_carlo_se((p * draws + 1) / (draws + 1), draws)
    assert np.std(estimates) == pytest.approx(expected, rel=0.02)


def test_on_a_monte_carlo_fisher_p_value():
    table = np.array([[10, 17, 6], [10, 20, 17]])
    res = fisher_freeman_halton(table, method="monte_carlo", samples=2000, seed=7)
    se = monte_carlo_se(res.p_value, res.samples)
    hits = round(res.p_value * (res.samples + 1) - 1)
    assert se == pytest.approx(np.sqrt(res.samples * (hits / res.samples) * (1 - hits / res.samples)) / (res.samples + 1))
    assert 0 < se < 0.02


def test_arrays_and_bad_input():
    out = monte_carlo_se(np.array([0.5, 0.1]), 100, plus_one=False)
    np.testing.assert_allclose(out, [0.05, 0.03])
    for args in [(0.5, 0), (1.5, 10), (0.123456, 10)]:
        with pytest.raises(ValueError):
            monte_carlo_se(*args)
