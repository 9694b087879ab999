"""A full hierarchical beta-binomial model of several proportions, integrated over its hyperparameters on a grid.

Group i (a practice area) has ``x_i`` cases of interest out of ``n_i``; the true shares
``theta_i`` are drawn from one Beta(alpha, beta). Instead of plugging in fitted hyperparameters
(empirical Bayes, :mod:`analysis.stats.pooling`), the posterior of ``(alpha, beta)`` is computed on
a grid over ``(logit(alpha / (alpha + beta)), log(alpha + beta))`` with the weakly informative
hyperprior ``p(alpha, beta) ∝ (alpha + beta)^(-5/2)`` of Gelman et al., *Bayesian Data Analysis*,
3rd ed. (2013), section 5.3 (the rat-tumour example); on that grid the prior density, with its
Jacobian ``alpha beta``, is ``mu (1 - mu) M^(-1/2)`` with ``mu = alpha / (alpha + beta)`` and
``M = alpha + beta``. Given ``(alpha, beta)`` the shares are independent Beta(alpha + x_i, beta +
n_i - x_i), so each group's probability of every rank (1 = the highest share) is a one-dimensional
integral, computed by Gauss-Legendre quadrature; the grid sums those over the hyperparameters. No
sampler and no random numbers: every output is deterministic.

``M`` is the pooling strength (a prior worth ``M`` cases). Its profile likelihood gives a second,
prior-free view: the range of each group's probability of the highest share over the
profile-likelihood 95% set of ``M`` (with ``mu`` at its best value for each ``M``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from analysis.memo import memoised
from analysis.stats.pooling import beta_binomial_log_likelihood
from analysis.stats.tables import group_counts

#: Grid points per hyperparameter axis (logit of the mean, log of the pooling strength).
GRID_POINTS = 41

#: Gauss-Legendre nodes of the integral over a share.
QUADRATURE_NODES = 48

#: Grid points below this share of the largest posterior weight are dropped (their total is negligible).
NEGLIGIBLE = 1e-10

#: Most whole steps between the groups' Beta parameters for which their upper tails are reached by recurrence from one
#: evaluation (:func:`_upper_tails`); past it each is evaluated directly, which costs about as much as 150 steps.
STEP_LIMIT = 64

#: Decimals kept of every probability :func:`area_ranks` returns: finer grids change them by about 1e-5.
DIGITS = 3

#: Decimals kept of the posterior shares and their interval ends: a posterior near complete pooling is almost a point
#: on each grid value of the mean, so finer grids move an interval end by up to about 1e-3.
SHARE_DIGITS = 2

#: Largest pooling strength M of the sensitivity grid (the profile-likelihood set can reach infinity).
M_MAX = 1e6


def _counts(counts, nobs) -> tuple[np.ndarray, np.ndarray]:
    x, n = group_counts(counts, nobs)
    if x.size < 2:
        raise ValueError("a hierarchical model needs two or more groups")
    if x.sum() == 0 or x.sum() == n.sum():
        raise ValueError("every case is in the same class (all or none counted): the shares cannot be compared")
    return x, n


def log_hyper_posterior(x: np.ndarray, n: np.ndarray, logit_mu: np.ndarray, log_m: np.ndarray) -> np.ndarray:
    """Unnormalised log posterior density of ``(logit mu, log M)`` (arrays of one shape) under the BDA3 section 5.3 hyperprior.

    ``sum_i [log B(alpha + x_i, beta + n_i - x_i) - log B(alpha, beta)] + log mu + log(1 - mu) - log(M) / 2``
    with ``alpha = mu M`` and ``beta = (1 - mu) M`` (binomial coefficients left out: they do not depend on the hyperparameters).
    """
    mu = special.expit(logit_mu)
    m = np.exp(log_m)
    a, b = mu * m, (1 - mu) * m
    out = np.log(mu) + np.log1p(-mu) - 0.5 * log_m
    base = special.betaln(a, b)
    for xi, ni in zip(x, n, strict=True):
        out = out + special.betaln(a + xi, b + ni - xi) - base
    return out


def _grid(x: np.ndarray, n: np.ndarray, points: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The posterior grid: a wide pass finds the box holding all but about 1e-9 of each hyperparameter's posterior, a fine one covers it.

    Returns the cell centres ``(logit mu, log M)`` as flat arrays and their normalised weights.
    """
    axis_u, axis_m = np.linspace(-12, 12, 481), np.linspace(-6, 30, 721)
    lu, lm = np.meshgrid(axis_u, axis_m, indexing="ij")
    logp = log_hyper_posterior(x, n, lu, lm)
    coarse = np.exp(logp - logp.max())
    coarse /= coarse.sum()

    def box(marginal: np.ndarray, axis: np.ndarray) -> tuple[float, float]:
        cum = np.cumsum(marginal)
        lo = axis[max(int(np.searchsorted(cum, 1e-9)) - 1, 0)]
        hi = axis[min(int(np.searchsorted(cum, 1 - 1e-9)) + 1, axis.size - 1)]
        return float(lo), float(hi)

    lu_lo, lu_hi = box(coarse.sum(axis=1), axis_u)
    lm_lo, lm_hi = box(coarse.sum(axis=0), axis_m)
    fu, fm = np.meshgrid(np.linspace(lu_lo, lu_hi, points), np.linspace(lm_lo, lm_hi, points), indexing="ij")
    logp = log_hyper_posterior(x, n, fu, fm).ravel()
    w = np.exp(logp - logp.max())
    w /= w.sum()
    return fu.ravel(), fm.ravel(), w


def _upper_tails(c: np.ndarray, d: np.ndarray, x: np.ndarray, y: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``out[g, q, j]``: P(theta > t[g, q]) for theta ~ Beta(c[g] + x[j], d[g] + y[j]), with ``x`` and ``y`` whole numbers.

    The groups' parameters differ from one another by whole steps, so one regularised incomplete
    beta function per point is enough: from ``(c + min x, d + min y)`` the recurrences
    ``I_t(a, b + 1) = I_t(a, b) + t^a (1 - t)^b / (b B(a, b))`` and
    ``1 - I_t(a + 1, b) = 1 - I_t(a, b) + t^a (1 - t)^b / (a B(a, b))`` (DLMF 8.17.20-21) reach every
    group by adding positive terms, so the absolute error stays near rounding. Past
    :data:`STEP_LIMIT` steps each group's function is evaluated directly instead (``scipy.special.betaincc``).
    """
    x0, y0 = int(x.min()), int(y.min())
    if int(x.max()) - x0 + int(y.max()) - y0 > STEP_LIMIT:
        return special.betaincc((c[:, None] + x[None, :])[:, None, :], (d[:, None] + y[None, :])[:, None, :], t[:, :, None])
    log_t, log_s = np.log(t), np.log1p(-t)
    a0 = (c + x0)[:, None]

    def term(a: np.ndarray, b: np.ndarray) -> np.ndarray:  # t^a (1 - t)^b / B(a, b), for (G, 1) parameters
        return np.exp(a * log_t + b * log_s - special.betaln(a, b))

    # I_t(c + min x, d + v) for v = min y, ..., max y
    lower = [special.betainc(a0, (d + y0)[:, None], t)]
    for v in range(y0, int(y.max())):
        b = (d + v)[:, None]
        lower.append(lower[-1] + term(a0, b) / b)
    out = np.empty((*t.shape, x.size))
    for j in range(x.size):
        b = (d + y[j])[:, None]
        upper = 1.0 - lower[int(y[j]) - y0]
        for u in range(x0, int(x[j])):
            a = (c + u)[:, None]
            upper = upper + term(a, b) / a
        out[..., j] = upper
    return out


def rank_probabilities_given(x: np.ndarray, n: np.ndarray, mu: np.ndarray, m: np.ndarray, nodes: int = QUADRATURE_NODES) -> np.ndarray:
    """``P[g, i, r]``: the probability that group i has rank r + 1 (1 = highest share) when the hyperparameters are ``(mu[g], m[g])``.

    The shares are independent Beta(mu M + x_i, (1 - mu) M + n_i - x_i). For group i and a value t of
    its share, the number of other groups with a higher share is Poisson-binomial (computed exactly
    by recursion); integrating over t with Gauss-Legendre quadrature, on a range holding all but
    1e-13 of every group's posterior, gives each rank's probability.
    """
    mu, m = np.atleast_1d(mu).astype(float), np.atleast_1d(m).astype(float)
    c, d = mu * m, (1 - mu) * m
    a = c[:, None] + x[None, :]
    b = d[:, None] + (n - x)[None, :]
    lo = special.betaincinv(a, b, 1e-13).min(axis=1)
    hi = special.betaincinv(a, b, 1 - 1e-13).max(axis=1)
    u, wq = np.polynomial.legendre.leggauss(nodes)
    t = lo[:, None] + (hi - lo)[:, None] * (u[None, :] + 1) / 2  # (G, Q)
    wt = wq[None, :] * (hi - lo)[:, None] / 2
    k = x.size
    pdf = np.exp(
        (a[:, None, :] - 1) * np.log(t[:, :, None]) + (b[:, None, :] - 1) * np.log1p(-t[:, :, None]) - special.betaln(a, b)[:, None, :]
    )  # (G, Q, K)
    above = _upper_tails(c, d, x, n - x, t)  # P(theta_j > t)
    out = np.zeros((mu.size, k, k))
    for i in range(k):
        dist = np.zeros((*t.shape, k))
        dist[..., 0] = 1.0
        for j in range(k):
            if j == i:
                continue
            q = above[..., j][..., None]
            shifted = np.concatenate([np.zeros((*t.shape, 1)), dist[..., :-1]], axis=-1)
            dist = dist * (1 - q) + shifted * q
        out[:, i, :] = np.einsum("gq,gq,gqr->gr", wt, pdf[..., i], dist)
    return out


@dataclass(frozen=True)
class RankPosterior:
    """Each group's posterior probability of every rank (``probabilities[i, r]``, rank r + 1, 1 = highest share)."""

    probabilities: np.ndarray
    posterior_mean: np.ndarray
    low: np.ndarray
    high: np.ndarray

    @property
    def p_highest(self) -> np.ndarray:
        """Each group's probability of having the highest true share."""
        return self.probabilities[:, 0]

    def rank_interval(self, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """Equal-tailed ``confidence`` interval of each group's rank: the ranks at cumulative probability ``(1 - c)/2`` and ``(1 + c)/2``."""
        cum = np.cumsum(self.probabilities, axis=1)
        tail = (1 - confidence) / 2
        low = (cum < tail - 1e-12).sum(axis=1) + 1
        high = (cum < 1 - tail - 1e-12).sum(axis=1) + 1
        return low, np.minimum(high, self.probabilities.shape[1])


def _mixture_quantile(a: np.ndarray, b: np.ndarray, w: np.ndarray, q: float) -> float:
    """The ``q`` quantile of the mixture ``sum_g w_g Beta(a_g, b_g)``, by bisection on its distribution function."""
    return float(optimize.brentq(lambda t: float((w * special.betainc(a, b, t)).sum()) - q, 0.0, 1.0, xtol=1e-8))


def rank_posterior(counts, nobs, points: int = GRID_POINTS, nodes: int = QUADRATURE_NODES, confidence: float = 0.95) -> RankPosterior:
    """The full hierarchical posterior of the groups' ranks and shares, integrated over the hyperparameters on a grid.

    Returns each group's probability of every rank (:func:`rank_probabilities_given` averaged over
    the grid's posterior weights), its posterior mean share and an equal-tailed ``confidence``
    interval for it (quantiles of the mixture of Beta posteriors). Reference: Gelman, Carlin, Stern,
    Dunson, Vehtari and Rubin, *Bayesian Data Analysis*, 3rd ed. (2013), section 5.3.
    """
    x, n = _counts(counts, nobs)
    lu, lm, w = _grid(x, n, points)
    keep = w > NEGLIGIBLE * w.max()
    lu, lm, w = lu[keep], lm[keep], w[keep] / w[keep].sum()
    mu, m = special.expit(lu), np.exp(lm)
    probs = np.zeros((x.size, x.size))
    for start in range(0, w.size, 512):
        part = slice(start, start + 512)
        probs += np.einsum("g,gir->ir", w[part], rank_probabilities_given(x, n, mu[part], m[part], nodes))
    a = mu[:, None] * m[:, None] + x[None, :]
    b = (1 - mu[:, None]) * m[:, None] + (n - x)[None, :]
    mean = (w[:, None] * a / (a + b)).sum(axis=0)
    tail = (1 - confidence) / 2
    low = np.array([_mixture_quantile(a[:, i], b[:, i], w, tail) for i in range(x.size)])
    high = np.array([_mixture_quantile(a[:, i], b[:, i], w, 1 - tail) for i in range(x.size)])
    return RankPosterior(probs / probs.sum(axis=1, keepdims=True), mean, low, high)


def profile_set(counts, nobs, confidence: float = 0.95, m_max: float = M_MAX, points: int = 121) -> pd.DataFrame:
    """The pooling strengths M in the profile-likelihood ``confidence`` set, on a log grid up to ``m_max``, with the best mean at each.

    ``loglik(M) = max_mu`` of the beta-binomial log-likelihood; the set is every M with
    ``2 (max loglik - loglik(M)) <= chi2_1 quantile``, the maximum taken over the grid and complete
    pooling (M infinite, the binomial likelihood). Columns ``m``, ``mu``, ``loglik``, ``in_set``.
    """
    x, n = _counts(counts, nobs)
    ms = np.exp(np.linspace(np.log(0.1), np.log(m_max), points))
    rows = []
    for m in ms:
        res = optimize.minimize_scalar(
            lambda u, m=m: -beta_binomial_log_likelihood(x, n, float(special.expit(u)), 1.0 / m),
            bounds=(-12, 12),
            method="bounded",
            options={"xatol": 1e-10},
        )
        rows.append((m, float(special.expit(res.x)), -float(res.fun)))
    frame = pd.DataFrame(rows, columns=["m", "mu", "loglik"])
    pooled = x.sum() / n.sum()
    best = max(frame["loglik"].max(), beta_binomial_log_likelihood(x, n, pooled, 0.0))
    frame["in_set"] = 2 * (best - frame["loglik"]) <= stats.chi2.ppf(confidence, 1)
    return frame


def p_highest_sensitivity(counts, nobs, confidence: float = 0.95, m_max: float = M_MAX) -> tuple[np.ndarray, np.ndarray]:
    """Each group's smallest and largest probability of the highest share over the profile-likelihood set of M (``mu`` at its best for each M)."""
    x, n = _counts(counts, nobs)
    frame = profile_set(x, n, confidence, m_max)
    inside = frame.loc[frame["in_set"]]
    p = rank_probabilities_given(x, n, inside["mu"].to_numpy(), inside["m"].to_numpy())[:, :, 0]
    return p.min(axis=0), p.max(axis=0)


@memoised
def area_ranks(counts, nobs, confidence: float = 0.95) -> pd.DataFrame:
    """One row per group: ``p_weakest`` (full hierarchical posterior), ``p_weakest_low``/``_high`` (over the profile set of M), ``rank_low``/``rank_high``.

    Also ``posterior_mean``, ``posterior_low`` and ``posterior_high`` of each share. Probabilities
    are rounded to :data:`DIGITS` decimals and shares to :data:`SHARE_DIGITS`, the accuracy of the grid.

    "Weakest" is the highest true share (of the worst grade, as the caller counts it); rank 1 is the
    weakest. Rank intervals are equal-tailed at ``confidence``. See :func:`rank_posterior` and
    :func:`p_highest_sensitivity`.
    """
    post = rank_posterior(counts, nobs, confidence=confidence)
    low, high = p_highest_sensitivity(counts, nobs, confidence)
    r_low, r_high = post.rank_interval(confidence)
    return pd.DataFrame(
        {
            "p_weakest": np.round(post.p_highest, DIGITS),
            "p_weakest_low": np.round(low, DIGITS),
            "p_weakest_high": np.round(high, DIGITS),
            "rank_low": r_low.astype(np.int64),
            "rank_high": r_high.astype(np.int64),
            "posterior_mean": np.round(post.posterior_mean, SHARE_DIGITS),
            "posterior_low": np.round(post.low, SHARE_DIGITS),
            "posterior_high": np.round(post.high, SHARE_DIGITS),
        }
    )
