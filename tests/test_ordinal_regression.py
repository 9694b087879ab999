"""Tests for analysis.stats.ordinal_regression: R's MASS::polr and an independent maximum-likelihood fit with SciPy."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special, stats

from analysis.stats.ordinal_regression import null_log_likelihood, proportional_odds_two_groups

FIXTURES = Path(__file__).parent / "fixtures"


def polr_rows():
    ref = pd.read_csv(FIXTURES / "polr_two_groups.csv")
    for row in ref.itertuples(index=False):
        a = [int(v) for v in row.counts_1.split()]
        b = [int(v) for v in row.counts_2.split()]
        zeta = [float(v) for v in row.zeta.split()]
        yield pytest.param(a, b, row, zeta, id=f"{row.counts_1}|{row.counts_2}")


@pytest.mark.parametrize(("a", "b", "ref", "zeta"), list(polr_rows()))
def test_matches_r_polr(a, b, ref, zeta):
    # tests/fixtures/polr_two_groups.csv: R 4.2.2, MASS 7.3-58.2, polr(grade ~ x, control = list(reltol = 1e-14)).
    res = proportional_odds_two_groups(a, b)
    assert res.converged
    assert res.odds_ratio == pytest.approx(np.exp(ref.coef), rel=1e-6)
    assert res.coef == pytest.approx(ref.coef, abs=1e-6)
    assert res.se == pytest.approx(ref.se, rel=1e-5)
    assert res.thresholds == pytest.approx(tuple(zeta), abs=1e-6)
    assert res.llf == pytest.approx(ref.loglik, abs=1e-9)
    assert res.llf_null == pytest.approx(ref.loglik_null, abs=1e-9)
    assert res.statistic == pytest.approx(ref.lr, abs=1e-8)
    assert res.p_value == pytest.approx(ref.p, rel=1e-7)
    z = stats.norm.ppf(0.975)
    assert (res.ci_low, res.ci_high) == pytest.approx((np.exp(ref.coef - z * ref.se), np.exp(ref.coef + z * ref.se)), rel=1e-5)


def grouped_mle(a, b):
    """Maximise the grouped-count likelihood directly (categories best first in, worst first inside)."""
    a, b = np.asarray(a, float)[::-1], np.asarray(b, float)[::-1]
    c = a.size

    def nll(p):
        th = np.cumsum(np.concatenate([[p[0]], np.exp(p[1 : c - 1])]))
        beta = p[-1]

        def probs(eta):
            return np.diff(np.concatenate([[0.0], special.expit(th - eta), [1.0]]))

        return -(a * np.log(probs(beta))).sum() - (b * np.log(probs(0.0))).sum()

    x0 = np.zeros(c)
    r = optimize.minimize(nll, x0, method="Nelder-Mead", options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 50_000})
    r = optimize.minimize(nll, r.x, method="BFGS", options={"gtol": 1e-10})
    return r.x[-1], -r.fun


@pytest.mark.parametrize(("a", "b"), [([10, 17, 6], [10, 20, 17]), ([2, 9, 4], [6, 6, 6]), ([4, 6, 7, 2], [9, 5, 3, 1])])
def test_matches_an_independent_scipy_fit(a, b):
    beta, llf = grouped_mle(a, b)
    res = proportional_odds_two_groups(a, b)
    assert res.odds_ratio == pytest.approx(np.exp(beta), abs=1e-5)
    assert res.llf == pytest.approx(llf, abs=1e-9)


def test_orientation_and_symmetry():
    better_first = proportional_odds_two_groups([10, 3, 1], [2, 5, 8])
    assert better_first.odds_ratio > 1 and better_first.coef > 0
    swapped = proportional_odds_two_groups([2, 5, 8], [10, 3, 1])
    assert swapped.odds_ratio == pytest.approx(1 / better_first.odds_ratio, rel=1e-6)
    assert swapped.statistic == pytest.approx(better_first.statistic, abs=1e-9)
    assert (swapped.ci_low, swapped.ci_high) == pytest.approx((1 / better_first.ci_high, 1 / better_first.ci_low), rel=1e-5)


def test_no_difference_gives_odds_ratio_one():
    res = proportional_odds_two_groups([3, 5, 2], [6, 10, 4])
    assert res.odds_ratio == pytest.approx(1.0, abs=1e-6)
    assert res.statistic == pytest.approx(0.0, abs=1e-9) and res.p_value == pytest.approx(1.0, abs=1e-4)


def test_null_log_likelihood_is_the_multinomial_maximum():
    # log of the multinomial probability at the observed shares, without its combinatorial constant
    counts = np.array([20, 37, 23])
    constant = special.gammaln(81) - special.gammaln(counts + 1).sum()
    assert null_log_likelihood(counts) == pytest.approx(stats.multinomial.logpmf(counts, 80, counts / 80) - constant, abs=1e-10)
    assert null_log_likelihood([0, 4, 4]) == pytest.approx(8 * np.log(0.5))


def test_separation_is_flagged():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = proportional_odds_two_groups([5, 0, 0], [0, 3, 4])
    assert not res.converged


@pytest.mark.parametrize(
    ("a", "b"), [([1, 2], [1, 2, 3]), ([0, 0, 0], [1, 2, 3]), ([1, -1, 2], [1, 1, 1]), ([3, 0, 0], [4, 0, 0]), ([1.5, 1, 1], [1, 1, 1])]
)
def test_bad_input_is_refused(a, b):
    with pytest.raises(ValueError):
        proportional_odds_two_groups(a, b)
