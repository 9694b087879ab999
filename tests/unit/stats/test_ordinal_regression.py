"""Tests for analysis.stats.ordinal_regression: R's MASS::polr and an independent maximum-likelihood fit with SciPy."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special, stats

from analysis.stats.ordinal_regression import (
    cumulative_odds_ratios,
    null_log_likelihood,
    proportional_odds_test,
    proportional_odds_two_groups,
    separate_cuts_log_likelihood,
)

FIXTURES = Path(__file__).parents[2] / "fixtures"


def polr_rows():
    ref = pd.read_csv(FIXTURES / "polr_two_groups.csv")
    for row in ref.itertuples(index=False):
        a = [int(v) for v in row.counts_1.split()]
        b = [int(v) for v in row.counts_2.split()]
        zeta = [float(v) for v in row.zeta.split()]
        yield pytest.param(a, b, row, zeta, id=f"{row.counts_1}|{row.counts_2}")


@pytest.mark.parametrize(("a", "b", "ref", "zeta"), list(polr_rows()))
@pytest.mark.slow
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
@pytest.mark.slow
def test_matches_an_independent_scipy_fit(a, b):
    beta, llf = grouped_mle(a, b)
    res = proportional_odds_two_groups(a, b)
    assert res.odds_ratio == pytest.approx(np.exp(beta), abs=1e-5)
    assert res.llf == pytest.approx(llf, abs=1e-9)


@pytest.mark.slow
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


@pytest.mark.slow
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


def cumulative_rows():
    ref = pd.read_csv(FIXTURES / "cumulative_logit_two_groups.csv")
    for row in ref.itertuples(index=False):
        a = [int(v) for v in row.counts_1.split()]
        b = [int(v) for v in row.counts_2.split()]
        yield pytest.param(a, b, row, id=f"{row.counts_1}|{row.counts_2}")


def floats(text: str) -> list[float]:
    return [float(v) for v in text.split()]


@pytest.mark.parametrize(("a", "b", "ref"), list(cumulative_rows()))
@pytest.mark.slow
def test_cumulative_odds_ratios_match_r_vgam_and_fisher_test(a, b, ref):
    # tests/fixtures/cumulative_logit_two_groups.csv: R 4.2.2, VGAM 1.1-7 vglm(cumulative(parallel = FALSE)),
    # fisher.test per cut (see the .R file beside it)
    table = cumulative_odds_ratios(a, b)
    assert table["log_odds_ratio"].tolist() == pytest.approx(floats(ref.log_or), abs=1e-8)
    assert table["se"].tolist() == pytest.approx(floats(ref.se), rel=1e-6)
    # fisher.test finds a limit with uniroot at its default tolerance (1.2e-4), on the odds ratio when the limit is
    # below 1 and on its inverse when above, so compare on that scale; the tail equations below check them tightly
    for ours, theirs in zip(
        table[["exact_low", "exact_high"]].to_numpy().ravel(order="F"), floats(ref.exact_low) + floats(ref.exact_high), strict=True
    ):
        assert (ours if theirs <= 1 else 1 / ours) == pytest.approx(theirs if theirs <= 1 else 1 / theirs, abs=2e-4)


@pytest.mark.parametrize(("a", "b", "ref"), list(cumulative_rows()))
@pytest.mark.slow
def test_proportional_odds_test_matches_r_vgam_and_ordinal(a, b, ref):
    res = proportional_odds_test(a, b)
    assert res.converged
    assert res.llf_proportional == pytest.approx(ref.loglik_po, abs=1e-7)
    assert res.llf_separate == pytest.approx(ref.loglik_npo, abs=1e-7)
    assert res.df == ref.df == ref.nominal_df
    assert res.statistic == pytest.approx(ref.lr, abs=1e-6) and res.statistic == pytest.approx(ref.nominal_lr, abs=1e-6)
    assert res.p_value == pytest.approx(ref.p, rel=1e-5, abs=1e-9)


@pytest.mark.parametrize(("a", "b", "ref"), list(cumulative_rows()))
@pytest.mark.slow
def test_exact_limits_solve_the_noncentral_hypergeometric_tail_equations(a, b, ref):
    """At the exact limits the conditional tail probabilities equal alpha / 2 (Cornfield's definition), by scipy's nchypergeom_fisher."""
    table = cumulative_odds_ratios(a, b)
    for row in table.itertuples(index=False):
        m1, n1 = row.above_1 + row.below_1, row.above_2 + row.below_2
        t = row.above_1 + row.above_2
        low = stats.nchypergeom_fisher(m1 + n1, m1, t, row.exact_low).sf(row.above_1 - 1)
        high = stats.nchypergeom_fisher(m1 + n1, m1, t, row.exact_high).cdf(row.above_1)
        assert (low, high) == pytest.approx((0.025, 0.025), abs=1e-7)


def test_woolf_interval_and_empty_cells():
    table = cumulative_odds_ratios([27, 6, 0], [10, 17, 6])
    first = table.iloc[0]
    assert first["odds_ratio"] == pytest.approx(27 * 23 / (6 * 10))
    z = stats.norm.ppf(0.975)
    se = np.sqrt(1 / 27 + 1 / 6 + 1 / 10 + 1 / 23)
    assert (first["ci_low"], first["ci_high"]) == pytest.approx((27 * 23 / 60 * np.exp(-z * se), 27 * 23 / 60 * np.exp(z * se)))
    second = table.iloc[1]  # no case of the first group below the cut: infinite odds ratio, no Woolf interval
    assert np.isinf(second["odds_ratio"]) and np.isnan(second["ci_low"]) and np.isnan(second["se"])
    assert second["exact_low"] > 1 and np.isinf(second["exact_high"])
    empty_cut = cumulative_odds_ratios([0, 3, 4], [0, 5, 2]).iloc[0]  # nobody in the best category: nothing above the cut
    assert np.isnan(empty_cut["odds_ratio"]) and np.isnan(empty_cut["exact_low"])


def test_odds_ratios_are_equal_when_the_groups_have_the_same_shape_and_the_test_is_then_zero():
    res = proportional_odds_test([3, 5, 2], [6, 10, 4])
    assert res.statistic == pytest.approx(0.0, abs=1e-8) and res.p_value == pytest.approx(1.0, abs=1e-4)
    assert cumulative_odds_ratios([3, 5, 2], [6, 10, 4])["odds_ratio"].tolist() == pytest.approx([1.0, 1.0])


def test_separate_cuts_log_likelihood_is_each_groups_multinomial_maximum():
    a, b = np.array([10, 17, 6]), np.array([10, 20, 17])
    expected = sum(
        stats.multinomial.logpmf(c, c.sum(), c / c.sum()) - special.gammaln(c.sum() + 1) + special.gammaln(c + 1).sum() for c in (a, b)
    )
    assert separate_cuts_log_likelihood(a, b) == pytest.approx(expected, abs=1e-10)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: proportional_odds_test([1, 2], [2, 1]), "three or more"),
        (lambda: proportional_odds_test([1, 0, 2], [2, 0, 1]), "three or more"),
        (lambda: proportional_odds_test([1, 2, 3], [1, 2]), "same categories"),
        (lambda: cumulative_odds_ratios([1, 2, 3], [0, 0, 0]), "at least one case"),
        (lambda: cumulative_odds_ratios([1, 2, 3], [1, 2, 3], confidence=1.5), "confidence"),
    ],
)
def test_bad_input_to_the_proportional_odds_check_is_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()
