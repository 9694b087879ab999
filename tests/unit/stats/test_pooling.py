"""Tests for analysis.stats.pooling: SciPy's beta-binomial, R's VGAM, an independent optimisation, numerical integration."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, optimize, stats

from analysis.data.load import load_audit
from analysis.sections.areas import area_counts
from analysis.stats import pooling as po

FIXTURES = Path(__file__).parents[2] / "fixtures"


@pytest.fixture(scope="module")
def areas():
    counts = area_counts(load_audit())
    return counts["inadequate"].to_numpy(), counts.sum(axis=1).to_numpy()


@pytest.fixture(scope="module")
def area_fit(areas):
    return po.fit_beta_binomial(*areas)


def vgam_rows():
    ref = pd.read_csv(FIXTURES / "vgam_betabinomial.csv")
    for row in ref.itertuples(index=False):
        yield pytest.param(np.array(row.x.split(), int), np.array(row.n.split(), int), row, id=row.name)


@pytest.mark.parametrize(("mu", "theta"), [(0.3, 0.05), (0.1, 1.0), (0.7, 0.002), (0.5, 20.0)])
def test_log_likelihood_matches_scipy_betabinom(areas, mu, theta):
    x, n = areas
    ref = stats.betabinom.logpmf(x, n, mu / theta, (1 - mu) / theta).sum()
    assert po.beta_binomial_log_likelihood(x, n, mu, theta) == pytest.approx(ref, abs=1e-10)


def test_log_likelihood_at_zero_theta_is_binomial(areas):
    x, n = areas
    assert po.beta_binomial_log_likelihood(x, n, 0.3, 0.0) == pytest.approx(stats.binom.logpmf(x, n, 0.3).sum(), abs=1e-12)


@pytest.mark.parametrize(("x", "n", "ref"), list(vgam_rows()))
@pytest.mark.slow
def test_fit_matches_r_vgam(x, n, ref):
    # tests/fixtures/vgam_betabinomial.csv: R 4.2.2, VGAM 1.1-7, vglm(cbind(x, n - x) ~ 1, betabinomialff).
    fit = po.fit_beta_binomial(x, n)
    assert not fit.complete_pooling
    # the likelihood is flat along alpha + beta, so compare the maximum tightly and the location loosely
    assert fit.log_likelihood == pytest.approx(ref.loglik, abs=1e-9)
    assert fit.log_likelihood >= ref.loglik - 1e-12
    assert fit.alpha == pytest.approx(ref.alpha, rel=1e-4)
    assert fit.beta == pytest.approx(ref.beta, rel=1e-4)
    assert fit.mu == pytest.approx(ref.mu, abs=1e-6)
    assert fit.rho == pytest.approx(ref.rho, abs=1e-6)
    # the pooled intervals hardly move between the two fits
    ours = po.partial_pooling(x, n, fit=fit, draws=1)
    a, b = x + ref.alpha, n - x + ref.beta
    np.testing.assert_allclose(ours["pooled_share"], a / (a + b), atol=1e-6)
    np.testing.assert_allclose(ours["pooled_low"], stats.beta.ppf(0.025, a, b), atol=1e-6)
    np.testing.assert_allclose(ours["pooled_high"], stats.beta.ppf(0.975, a, b), atol=1e-6)


def test_fit_is_at_least_as_good_as_an_independent_optimisation(areas, area_fit):
    x, n = areas

    def nll(p):
        return -stats.betabinom.logpmf(x, n, np.exp(p[0]), np.exp(p[1])).sum()

    # an independent optimiser on scipy's own beta-binomial, from a plain start (log alpha = log beta = 1); a tolerance well below
    # the 1e-4 compared keeps it quick
    res = optimize.minimize(nll, [1.0, 1.0], method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-12, "maxiter": 20_000})
    assert area_fit.log_likelihood >= -res.fun - 1e-10
    assert area_fit.alpha == pytest.approx(np.exp(res.x[0]), rel=1e-4)
    assert area_fit.beta == pytest.approx(np.exp(res.x[1]), rel=1e-4)


def test_complete_pooling_boundary():
    # four groups of 5 of 10: less spread than binomial noise, so the likelihood rises towards alpha + beta = inf
    x, n = np.array([5, 5, 5, 5]), np.array([10, 10, 10, 10])
    size = np.geomspace(1, 1e6, 50)
    ll = [stats.betabinom.logpmf(x, n, 0.5 * s, 0.5 * s).sum() for s in size]
    assert np.all(np.diff(ll) > 0)
    assert ll[-1] == pytest.approx(stats.binom.logpmf(x, n, 0.5).sum(), abs=1e-4)
    fit = po.fit_beta_binomial(x, n)
    assert fit.complete_pooling and fit.theta == 0 and np.isinf(fit.alpha) and fit.mu == 0.5
    assert fit.score_at_zero < 0
    assert fit.log_likelihood == pytest.approx(stats.binom.logpmf(x, n, 0.5).sum(), abs=1e-12)
    out = po.partial_pooling(x, n)
    assert (out["pooled_share"] == 0.5).all() and (out["pooled_low"] == 0.5).all() and (out["pooled_high"] == 0.5).all()
    assert (out["p_weakest"] == 0.25).all() and (out["p_weakest_mcse"] == 0).all()


def test_score_at_zero_is_the_derivative(areas, area_fit):
    # forward differences of SciPy's beta-binomial at theta = h and 2h, Richardson-extrapolated
    x, n = areas
    mu = x.sum() / n.sum()
    f0 = stats.binom.logpmf(x, n, mu).sum()

    def slope(h):
        return (stats.betabinom.logpmf(x, n, mu / h, (1 - mu) / h).sum() - f0) / h

    h = 1e-4
    assert area_fit.score_at_zero == pytest.approx(2 * slope(h) - slope(2 * h), rel=1e-4)


def p_highest_by_integration(a, b):
    out = []
    for i in range(len(a)):
        others = [j for j in range(len(a)) if j != i]

        def integrand(t, i=i, others=others):
            return stats.beta.pdf(t, a[i], b[i]) * np.prod([stats.beta.cdf(t, a[j], b[j]) for j in others])

        out.append(integrate.quad(integrand, 0, 1, epsabs=1e-11, limit=200)[0])
    return np.array(out)


@pytest.mark.slow
def test_p_weakest_against_numerical_integration(areas, area_fit):
    x, n = areas
    out = po.partial_pooling(x, n, fit=area_fit)
    exact = p_highest_by_integration(x + area_fit.alpha, n - x + area_fit.beta)
    assert exact.sum() == pytest.approx(1.0, abs=1e-8)
    assert out["p_weakest"].sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(np.abs(out["p_weakest"] - exact) <= 4 * out["p_weakest_mcse"])
    np.testing.assert_allclose(out["p_weakest_mcse"], np.sqrt(out["p_weakest"] * (1 - out["p_weakest"]) / po.POOLING_DRAWS))


def test_deterministic_and_seeded(areas, area_fit):
    x, n = areas
    first = po.partial_pooling(x, n, fit=area_fit, draws=20_000)
    again = po.partial_pooling(x, n, fit=area_fit, draws=20_000)
    other = po.partial_pooling(x, n, fit=area_fit, draws=20_000, seed=1)
    pd.testing.assert_frame_equal(first, again)
    assert not first["p_weakest"].equals(other["p_weakest"])
    assert po.POOLING_DRAWS >= 200_000


def test_pooling_shrinks_towards_the_mean(areas, area_fit):
    x, n = areas
    out = po.partial_pooling(x, n, fit=area_fit, draws=1)
    raw = x / n
    assert np.all(np.abs(out["pooled_share"] - area_fit.mu) <= np.abs(raw - area_fit.mu) + 1e-12)
    assert np.all((out["pooled_low"] < out["pooled_share"]) & (out["pooled_share"] < out["pooled_high"]))


@pytest.mark.parametrize(("x", "n"), [([0, 0], [3, 4]), ([3, 4], [3, 4]), ([1], [2]), ([1, 3], [2, 2]), ([1, 1], [0, 2])])
def test_bad_input_is_refused(x, n):
    with pytest.raises(ValueError):
        po.fit_beta_binomial(x, n)


@pytest.mark.parametrize("nudge", [1e-7, -1e-7, 3e-6, -1e-4, 1e-3])
def test_the_fit_does_not_depend_on_where_the_search_stopped(areas, area_fit, nudge):
    # A search on likelihood values stops about 1e-8 from a flat maximum, at a point that depends on the
    # CPU's last-bit rounding of log; the published fit must not. Newton on the score from a nudged start
    # lands on the same root, and the rounded fit is the same.
    x, n = areas
    mu, theta = po._polish(x, n, area_fit.mu * (1 + nudge), area_fit.theta * (1 - nudge))
    assert (po._round(mu), po._round(theta)) == (area_fit.mu, area_fit.theta)
    grad, _ = po._derivatives(x, n, mu, theta)
    assert np.abs(grad).max() < 1e-9


def test_the_score_and_hessian_match_finite_differences(areas):
    x, n = areas
    mu, theta, h = 0.3, 0.05, 1e-5
    grad, hess = po._derivatives(x, n, mu, theta)

    def ll(m, t):
        return po.beta_binomial_log_likelihood(x, n, m, t)

    num = [(ll(mu + h, theta) - ll(mu - h, theta)) / (2 * h), (ll(mu, theta + h) - ll(mu, theta - h)) / (2 * h)]
    assert grad == pytest.approx(num, rel=1e-6)
    num_h = [
        (po._derivatives(x, n, mu + h, theta)[0] - po._derivatives(x, n, mu - h, theta)[0]) / (2 * h),
        (po._derivatives(x, n, mu, theta + h)[0] - po._derivatives(x, n, mu, theta - h)[0]) / (2 * h),
    ]
    assert hess == pytest.approx(np.array(num_h).T, rel=1e-5)
