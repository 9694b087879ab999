"""Empirical-Bayes partial pooling of several proportions with a beta-binomial model.

Each group i (a practice area) has ``x_i`` cases of interest (graded inadequate) out of ``n_i``.
The groups' true shares are modelled as draws from one Beta(alpha, beta) distribution;
``alpha`` and ``beta`` are estimated by maximising the beta-binomial marginal likelihood of the
counts, and each group's share is then estimated by its posterior Beta(x_i + alpha, n_i - x_i +
beta). Small groups are pulled towards the overall share more than large ones, by as much as
the spread between the groups' counts (beyond binomial noise) allows.

The hyperparameters are written as the mean ``mu = alpha / (alpha + beta)`` and ``theta = 1 /
(alpha + beta)``; ``theta = 0`` is the limit of no spread between the groups (complete pooling),
where the beta-binomial becomes the binomial. Estimates are deterministic; the Monte Carlo
probability of being the highest uses a fixed seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats
from scipy.special import gammaln

from analysis import choices
from analysis.stats.tables import group_counts

#: Seed of the posterior draws behind ``p_weakest`` (:func:`partial_pooling`).
POOLING_SEED = choices.POOLING_SEED  # the analysis's choice (analysis/choices.py)

#: Number of posterior draws behind ``p_weakest`` by default.
POOLING_DRAWS = choices.POOLING_DRAWS  # the analysis's choice (analysis/choices.py)

#: Largest intra-class correlation ``rho = theta / (1 + theta)`` searched (alpha + beta down to about 1e-6).
RHO_MAX = 1 - 1e-6


@dataclass(frozen=True)
class BetaBinomialFit:
    """Maximum marginal likelihood estimates of the beta-binomial hyperparameters.

    ``alpha``, ``beta`` (``inf`` under complete pooling), their mean ``mu`` and ``theta = 1 /
    (alpha + beta)`` (0 under complete pooling), ``rho = theta / (1 + theta)`` (the intra-class
    correlation of two cases in the same group), the maximised ``log_likelihood``,
    ``complete_pooling`` (True when the maximum is at ``theta = 0``), and ``score_at_zero``, the
    derivative of the log-likelihood in ``theta`` at ``theta = 0`` and ``mu`` = the pooled share:
    positive when the counts vary more between groups than binomial noise would make them.
    """

    alpha: float
    beta: float
    mu: float
    theta: float
    rho: float
    log_likelihood: float
    complete_pooling: bool
    score_at_zero: float


def _counts(counts, nobs) -> tuple[np.ndarray, np.ndarray]:
    x, n = group_counts(counts, nobs)
    if x.sum() == 0 or x.sum() == n.sum():
        raise ValueError("every case is in the same class (all or none counted): the shares cannot be pooled")
    return x, n


def beta_binomial_log_likelihood(counts, nobs, mu: float, theta: float) -> float:
    """Beta-binomial log-likelihood of the counts at mean ``mu`` and ``theta = 1 / (alpha + beta)`` (``theta >= 0``).

    Uses the product form ``P(x) = C(n, x) prod_{k<x} (mu + k theta) prod_{k<n-x} (1 - mu + k
    theta) / prod_{k<n} (1 + k theta)``, which is exact for whole-number counts and continuous at
    ``theta = 0``, where it is the binomial likelihood. For ``theta > 0`` it equals
    :func:`scipy.stats.betabinom` ``.logpmf`` with ``alpha = mu / theta``, ``beta = (1 - mu) / theta``.

    Reference: Skellam, JRSS B 10, 1948; Griffiths, "Maximum likelihood estimation for the
    beta-binomial distribution and an application to the household distribution of the total
    number of cases of a disease", Biometrics 29, 1973.
    """
    x, n = np.asarray(counts, np.int64), np.asarray(nobs, np.int64)
    total = float((gammaln(n + 1) - gammaln(x + 1) - gammaln(n - x + 1)).sum())
    for xi, ni in zip(x, n, strict=True):
        k = np.arange(ni)
        total += float(np.log(mu + k[:xi] * theta).sum() + np.log(1 - mu + k[: ni - xi] * theta).sum() - np.log1p(k * theta).sum())
    return total


def _score_at_zero(x: np.ndarray, n: np.ndarray, mu: float) -> float:
    """d loglik / d theta at theta = 0: sum of x(x-1)/(2 mu) + (n-x)(n-x-1)/(2(1-mu)) - n(n-1)/2."""
    m = n - x
    return float((x * (x - 1) / (2 * mu) + m * (m - 1) / (2 * (1 - mu)) - n * (n - 1) / 2).sum())


def _profile(x: np.ndarray, n: np.ndarray, theta: float) -> tuple[float, float]:
    """Best ``mu`` for a fixed ``theta`` (the log-likelihood is concave in ``mu``) and the log-likelihood there."""
    res = optimize.minimize_scalar(
        lambda m: -beta_binomial_log_likelihood(x, n, m, theta),
        bounds=(1e-12, 1 - 1e-12),
        method="bounded",
        options={"xatol": 1e-13},
    )
    return float(res.x), -float(res.fun)


def _derivatives(x: np.ndarray, n: np.ndarray, mu: float, theta: float) -> tuple[np.ndarray, np.ndarray]:
    """Gradient and Hessian of :func:`beta_binomial_log_likelihood` in ``(mu, theta)``, from its product form."""
    g, h = np.zeros(2), np.zeros((2, 2))
    for xi, ni in zip(x, n, strict=True):
        for k, sign, base in ((np.arange(xi), 1.0, mu), (np.arange(ni - xi), -1.0, 1 - mu)):
            d = base + k * theta
            g += [sign * np.sum(1 / d), np.sum(k / d)]
            h += [[-np.sum(1 / d**2), -sign * np.sum(k / d**2)], [-sign * np.sum(k / d**2), -np.sum(k**2 / d**2)]]
        k = np.arange(ni)
        d = 1 + k * theta
        g[1] -= np.sum(k / d)
        h[1, 1] += np.sum(k**2 / d**2)
    return g, h


def _polish(x: np.ndarray, n: np.ndarray, mu: float, theta: float, steps: int = 50) -> tuple[float, float]:
    """Newton's method on the score equations from a point near the maximum.

    A search on the likelihood's values finds a flat maximum only to about the square root of the
    rounding error (1e-8 here), and where it stops then depends on the CPU's last-bit rounding of
    ``log``; the root of the score is found to near the rounding error itself, so the published
    digits are the same on every machine. Steps that leave the parameter space are halved.
    """
    for _ in range(steps):
        g, h = _derivatives(x, n, mu, theta)
        try:
            step = np.linalg.solve(h, -g)
        except np.linalg.LinAlgError:
            break
        scale = 1.0
        while not (0 < mu + scale * step[0] < 1 and theta + scale * step[1] > 0) and scale > 1e-6:
            scale /= 2
        new_mu, new_theta = mu + scale * step[0], theta + scale * step[1]
        done = abs(new_mu - mu) <= 1e-15 * abs(mu) and abs(new_theta - theta) <= 1e-15 * abs(theta)
        mu, theta = new_mu, new_theta
        if done:
            break
    return mu, theta


#: Significant digits kept of the fitted ``mu`` and ``theta``: far below the statistical error, far above the
#: rounding error left after :func:`_polish`, so every machine publishes the same fit.
FIT_DIGITS = 10


def _round(value: float, digits: int = FIT_DIGITS) -> float:
    return float(f"{value:.{digits - 1}e}")


def fit_beta_binomial(counts, nobs) -> BetaBinomialFit:
    """Maximum marginal likelihood estimates of the beta-binomial ``alpha``, ``beta`` for counts ``x_i`` of ``n_i``.

        The log-likelihood (:func:`beta_binomial_log_likelihood`) is maximised over ``mu`` in (0, 1)
        and ``rho = theta / (1 + theta) = 1 / (alpha + beta + 1)`` in [0, 1): ``mu`` is profiled out
        (the likelihood is concave in it), the profile is evaluated on a grid of ``rho`` and refined by
        bounded Brent search around its best point, then polished by Newton's method on the score
    equations (:func:`_polish`) and rounded to :data:`FIT_DIGITS` significant digits, so that the
    fit is the same on every machine whatever its CPU's rounding of ``log``. Deterministic.

        **Boundary (complete pooling).** The maximum can lie at ``rho = 0``: ``alpha + beta`` runs to
        infinity and the groups' true shares are estimated to be equal (the counts vary no more than
        binomial noise). The score in ``theta`` at ``theta = 0``, ``mu = X / N`` (the pooled share) is
        ``sum_i [x_i (x_i - 1) / (2 mu) + (n_i - x_i)(n_i - x_i - 1) / (2 (1 - mu)) - n_i (n_i - 1) / 2]``
        (``score_at_zero``; its sign is that of Tarone's 1979 statistic for overdispersion). When it is
        not positive, or the search ends at ``rho = 0``, the fit is reported as ``complete_pooling=True``
        with ``theta = 0``, ``alpha = beta = inf`` and ``mu = X / N``.

        Raises ``ValueError`` when no case or every case is counted (then ``mu`` is 0 or 1 and nothing
        can be pooled). Reference: Griffiths, Biometrics 29, 1973; Williams, "The analysis of binary
        responses from toxicological experiments involving reproduction and teratogenicity",
        Biometrics 31, 1975; Tarone, "Testing the goodness of fit of the binomial distribution",
        Biometrika 66, 1979; Efron and Morris, JASA 70, 1975 (empirical Bayes).
    """
    x, n = _counts(counts, nobs)
    pooled = float(x.sum() / n.sum())
    score = _score_at_zero(x, n, pooled)
    ll0 = beta_binomial_log_likelihood(x, n, pooled, 0.0)
    complete = BetaBinomialFit(np.inf, np.inf, pooled, 0.0, 0.0, ll0, True, score)
    if score <= 0:
        return complete

    def neg_profile(rho: float) -> float:
        return -_profile(x, n, rho / (1 - rho))[1]

    grid = np.concatenate([[0.0], np.geomspace(1e-6, RHO_MAX, 121)])
    values = np.array([neg_profile(r) for r in grid])
    best = int(np.argmin(values))
    lo, hi = grid[max(best - 1, 0)], grid[min(best + 1, grid.size - 1)]
    res = optimize.minimize_scalar(neg_profile, bounds=(lo, hi), method="bounded", options={"xatol": 1e-14})
    rho = float(res.x) if res.fun <= values[best] else float(grid[best])
    if rho <= 0 or -neg_profile(rho) <= ll0:
        return complete
    theta = rho / (1 - rho)
    mu, _ = _profile(x, n, theta)
    mu, theta = _polish(x, n, mu, theta)
    mu, theta = _round(mu), _round(theta)
    rho = theta / (1 + theta)
    ll = beta_binomial_log_likelihood(x, n, mu, theta)
    return BetaBinomialFit(mu / theta, (1 - mu) / theta, mu, theta, rho, ll, False, score)


def partial_pooling(
    counts,
    nobs,
    confidence: float = 0.95,
    draws: int = POOLING_DRAWS,
    seed: int = POOLING_SEED,
    fit: BetaBinomialFit | None = None,
) -> pd.DataFrame:
    """Empirical-Bayes pooled share of each group, its equal-tailed interval, and the probability that it is the highest.

    With ``alpha``, ``beta`` from :func:`fit_beta_binomial` (or ``fit``), group i's posterior is
    Beta(x_i + alpha, n_i - x_i + beta). Returns one row per group (in the order given):
    ``pooled_share`` (posterior mean ``(x_i + alpha) / (n_i + alpha + beta)``), ``pooled_low`` and
    ``pooled_high`` (its ``(1 - confidence) / 2`` and ``(1 + confidence) / 2`` quantiles),
    ``p_weakest`` (posterior probability that this group has the highest true share, estimated
    from ``draws`` joint draws of all groups' posteriors, the groups independent given ``alpha``,
    ``beta``, with ``numpy.random.default_rng(seed)``) and ``p_weakest_mcse`` (its Monte Carlo
    standard error ``sqrt(p (1 - p) / draws)``). The interval does not allow for the uncertainty in
    ``alpha`` and ``beta`` (a known limitation of empirical Bayes: it is somewhat too narrow).

    **Complete pooling** (``fit.complete_pooling``): as ``alpha + beta`` grows without bound every
    posterior concentrates at ``mu``, so ``pooled_share = pooled_low = pooled_high = mu``, and the
    posteriors become identical, so ``p_weakest = 1 / m`` for each of the m groups (the limit), with
    ``p_weakest_mcse = 0``; no draws are made.

    Reference: Efron and Morris, "Data analysis using Stein's estimator and its generalizations",
    JASA 70, 1975; Casella, "An introduction to empirical Bayes data analysis", American
    Statistician 39, 1985; Gelman et al., *Bayesian Data Analysis*, 3rd ed., 2013, section 5.3.
    """
    x, n = _counts(counts, nobs)
    if not 0 < confidence < 1:
        raise ValueError("confidence must lie strictly between 0 and 1")
    if draws < 1:
        raise ValueError("draws must be positive")
    fit = fit if fit is not None else fit_beta_binomial(x, n)
    m = x.size
    if fit.complete_pooling:
        share = np.full(m, fit.mu)
        return pd.DataFrame(
            {
                "pooled_share": share,
                "pooled_low": share,
                "pooled_high": share,
                "p_weakest": np.full(m, 1 / m),
                "p_weakest_mcse": np.zeros(m),
            }
        )
    a_post, b_post = x + fit.alpha, n - x + fit.beta
    tail = (1 - confidence) / 2
    rng = np.random.default_rng(seed)
    sample = rng.beta(a_post, b_post, size=(draws, m))
    p = np.bincount(np.argmax(sample, axis=1), minlength=m) / draws
    return pd.DataFrame(
        {
            "pooled_share": a_post / (a_post + b_post),
            "pooled_low": stats.beta.ppf(tail, a_post, b_post),
            "pooled_high": stats.beta.ppf(1 - tail, a_post, b_post),
            "p_weakest": p,
            "p_weakest_mcse": np.sqrt(p * (1 - p) / draws),
        }
    )
