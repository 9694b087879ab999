"""The full hierarchical beta-binomial model: the grid against adaptive quadrature, and the ranks against their definition."""

import numpy as np
import pytest
from scipy import integrate, special, stats

from analysis.stats import hierarchical as h

#: Each function computes here, never read from the run's shared results (analysis.memo).
pytestmark = pytest.mark.usefixtures("fresh_computation")

X, N = np.array([1, 4, 8]), np.array([10, 12, 12])


def _p_highest_given(mu, m, i):
    """P(theta_i is the largest | mu, M) by adaptive quadrature over theta_i, with scipy's beta distribution."""
    a, b = mu * m + X, (1 - mu) * m + N - X

    def inner(t):
        others = np.prod([stats.beta.cdf(t, a[j], b[j]) for j in range(X.size) if j != i])
        return stats.beta.pdf(t, a[i], b[i]) * others

    return integrate.quad(inner, 0, 1, points=[a[i] / (a[i] + b[i])], limit=200, epsabs=1e-11)[0]


def _density(lu, lm):
    return np.exp(h.log_hyper_posterior(X, N, np.array(lu), np.array(lm)) - PEAK)


PEAK = float(h.log_hyper_posterior(X, N, np.array(-0.7), np.array(2.0)))


@pytest.mark.slow
def test_grid_matches_adaptive_quadrature_over_the_hyperparameters():
    # adaptive quadrature (scipy quad) over log M, and 120-point Gauss-Legendre over logit mu, instead of the grid;
    # the probability given the hyperparameters is checked against adaptive quadrature over the share below
    nodes, weights = np.polynomial.legendre.leggauss(120)
    lu = -1 + 5 * nodes  # logit mu on (-6, 4)

    def inner(lm, with_probability):
        dens = _density(lu, np.full_like(lu, lm))
        if with_probability:
            dens = dens * h.rank_probabilities_given(X, N, special.expit(lu), np.full_like(lu, np.exp(lm)))[:, 2, 0]
        return 5 * float((weights * dens).sum())

    opts = {"epsabs": 1e-12, "epsrel": 1e-8, "limit": 200}
    norm = integrate.quad(inner, -5, 30, args=(False,), **opts)[0]
    top = integrate.quad(inner, -5, 30, args=(True,), **opts)[0]
    grid = h.rank_posterior(X, N)
    assert grid.p_highest[2] == pytest.approx(top / norm, abs=1e-4)
    assert grid.probabilities.sum(axis=1) == pytest.approx(np.ones(3), abs=1e-9)
    assert grid.probabilities[:, 0].sum() == pytest.approx(1.0, abs=1e-6)


def test_rank_probabilities_given_the_hyperparameters_match_simulation():
    rng = np.random.default_rng(5)
    mu, m = 0.3, 7.0
    got = h.rank_probabilities_given(X, N, np.array([mu]), np.array([m]))[0]
    draws = rng.beta(mu * m + X, (1 - mu) * m + N - X, size=(100_000, X.size))
    ranks = (-draws).argsort(axis=1).argsort(axis=1)  # 0 = highest
    sim = np.stack([np.bincount(ranks[:, i], minlength=X.size) / len(draws) for i in range(X.size)])
    assert got == pytest.approx(sim, abs=6e-3)
    assert got[2, 0] == pytest.approx(_p_highest_given(mu, m, 2), abs=1e-8)


@pytest.mark.slow
def test_rank_interval_and_sensitivity():
    post = h.RankPosterior(np.array([[0.9, 0.08, 0.02], [0.05, 0.9, 0.05], [0.05, 0.02, 0.93]]), np.zeros(3), np.zeros(3), np.zeros(3))
    low, high = post.rank_interval()
    assert low.tolist() == [1, 1, 1] and high.tolist() == [2, 3, 3]
    frame = h.profile_set(X, N)
    assert frame["in_set"].any()
    lo, hi = h.p_highest_sensitivity(X, N)
    assert (lo <= hi).all() and (lo >= 0).all() and (hi <= 1).all()
    ranks = h.area_ranks(X, N)
    assert list(ranks.columns[:5]) == ["p_weakest", "p_weakest_low", "p_weakest_high", "rank_low", "rank_high"]
    assert ranks["p_weakest"].idxmax() == 2
    with pytest.raises(ValueError, match="same class"):
        h.area_ranks([0, 0], [3, 4])


@pytest.mark.parametrize("limit", [h.STEP_LIMIT, 0])
def test_upper_tails_by_recurrence_and_directly_match_scipy(monkeypatch, limit):
    """The groups' Beta upper tails, reached by whole steps from one evaluation (or, past the limit, evaluated one by one), equal scipy's."""
    monkeypatch.setattr(h, "STEP_LIMIT", limit)
    rng = np.random.default_rng(11)
    for _ in range(60):
        k = int(rng.integers(2, 9))
        n = rng.integers(1, 25, k)
        x = rng.integers(0, n + 1)
        g = int(rng.integers(1, 20))
        mu, m = rng.uniform(0.001, 0.999, g), np.exp(rng.uniform(np.log(0.05), np.log(h.M_MAX), g))
        t = rng.uniform(1e-6, 1 - 1e-6, (g, 7))
        a, b = mu[:, None] * m[:, None] + x, (1 - mu[:, None]) * m[:, None] + n - x
        want = special.betaincc(a[:, None, :], b[:, None, :], t[:, :, None])
        assert h._upper_tails(mu * m, (1 - mu) * m, x, n - x, t) == pytest.approx(want, abs=1e-10, rel=0)
