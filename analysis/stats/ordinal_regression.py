"""Proportional-odds (cumulative logit) comparison of two groups' ordered grades, from grouped counts.

The audit publishes only the number of cases per grade in each group, so the model is fitted to
the equivalent case-level data (one row per case; the likelihood is the same as for the grouped
counts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.miscmodels.ordinal_model import OrderedModel


@dataclass(frozen=True)
class ProportionalOddsResult:
    """A two-group proportional-odds fit: likelihood-ratio test of no group effect and the common odds ratio.

    ``odds_ratio > 1`` means the *first* group's cases tend to get better grades: for every cut
    of the scale, the odds of a grade above the cut are ``odds_ratio`` times as high in the first
    group as in the second. ``ci_low``/``ci_high`` is its Wald interval, ``coef``/``se`` the log odds
    ratio and its standard error, ``thresholds`` the fitted cut-points on the logit scale (worst cut
    first, for the second group), ``llf``/``llf_null`` the log-likelihoods with and without the group
    term, ``statistic`` ``2 (llf - llf_null)`` on ``df = 1``.
    """

    statistic: float
    df: int
    p_value: float
    odds_ratio: float
    ci_low: float
    ci_high: float
    coef: float
    se: float
    thresholds: tuple[float, ...]
    llf: float
    llf_null: float
    n1: int
    n2: int
    converged: bool


def _counts(counts) -> np.ndarray:
    a = np.asarray(counts)
    if a.ndim != 1:
        raise ValueError("give the counts of one group as a one-dimensional sequence")
    if not np.all(np.isfinite(a)) or not np.all(a == np.round(a)) or (a < 0).any():
        raise ValueError("counts must be non-negative whole numbers")
    return a.astype(np.int64)


def null_log_likelihood(counts) -> float:
    """Maximised log-likelihood of the thresholds-only model: ``sum n_j log(n_j / N)`` over the pooled counts (0 log 0 = 0).

    With no covariate, the cut-points are free, so the fitted category probabilities are the
    observed pooled shares (a saturated multinomial); this is the null model of the
    likelihood-ratio test.
    """
    n = _counts(counts).astype(float)
    n = n[n > 0]
    return float((n * np.log(n / n.sum())).sum())


def proportional_odds_two_groups(counts_1, counts_2, confidence: float = 0.95) -> ProportionalOddsResult:
    """Proportional-odds logistic regression of the grade on a two-group indicator, with its likelihood-ratio test.

    ``counts_1`` and ``counts_2`` are the two groups' counts over the same ordered categories,
    **best first** (the order of :data:`analysis.grades.GRADES`). The model (McCullagh 1980) is
    ``logit P(Y <= j) = theta_j - beta * x`` with ``Y`` coded worst = 0 upwards, ``x = 1`` for the
    first group and 0 for the second, so ``beta > 0`` (``odds_ratio = exp(beta) > 1``) means the first
    group tends towards the better grades. This is statsmodels' ``OrderedModel`` parametrisation
    (``F(cut_j - x'beta)``, no intercept) and that of R's ``MASS::polr``. Categories that no case
    of either group received are dropped. The fit is by maximum likelihood (Newton-Raphson from
    statsmodels' start values); ``se`` is from the inverse of the observed information
    (statsmodels' numerical Hessian, good to about 1e-7 relative), and the interval
    ``exp(beta +/- z * se)``. The likelihood-ratio statistic compares with the thresholds-only model
    (:func:`null_log_likelihood`), chi-squared on 1 df. When one group's grades all lie above the
    other's (complete separation) the estimate runs off to infinity: the fit then reports
    ``converged=False`` and should not be used.

    Reference: McCullagh, "Regression models for ordinal data", JRSS B 42, 1980; Agresti,
    *Categorical Data Analysis*, 3rd ed., 2013, section 8.2; Agresti, *Analysis of Ordinal
    Categorical Data*, 2nd ed., 2010, ch. 3; statsmodels ``OrderedModel``.
    """
    a, b = _counts(counts_1), _counts(counts_2)
    if a.size != b.size or a.size < 2:
        raise ValueError("both groups need counts over the same two or more categories")
    n1, n2 = int(a.sum()), int(b.sum())
    if n1 == 0 or n2 == 0:
        raise ValueError("both groups need at least one case")
    keep = (a + b) > 0
    if keep.sum() < 2:
        raise ValueError("the cases fall in a single category; there is nothing to compare")
    # worst category first, so that a higher code is a better grade
    a, b = a[keep][::-1], b[keep][::-1]
    c = a.size
    y = np.concatenate([np.repeat(np.arange(c), a), np.repeat(np.arange(c), b)])
    x = np.concatenate([np.ones(n1), np.zeros(n2)])
    endog = pd.Series(pd.Categorical(y, categories=range(c), ordered=True))
    model = OrderedModel(endog, pd.DataFrame({"first_group": x}), distr="logit")
    fit = model.fit(method="newton", disp=False, maxiter=200, tol=1e-8)
    converged = bool(fit.mle_retvals.get("converged", False))
    beta = float(fit.params["first_group"])
    se = float(fit.bse["first_group"])
    thresholds = tuple(float(v) for v in model.transform_threshold_params(fit.params.to_numpy())[1:-1])
    llf, llf0 = float(fit.llf), null_log_likelihood(a + b)
    statistic = max(2.0 * (llf - llf0), 0.0)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    with np.errstate(over="ignore"):  # a diverging fit (complete separation) gives inf limits, flagged by converged=False
        odds_ratio, ci_low, ci_high = (float(np.exp(v)) for v in (beta, beta - z * se, beta + z * se))
    return ProportionalOddsResult(
        statistic=statistic,
        df=1,
        p_value=float(stats.chi2.sf(statistic, 1)),
        odds_ratio=odds_ratio,
        ci_low=ci_low,
        ci_high=ci_high,
        coef=beta,
        se=se,
        thresholds=thresholds,
        llf=llf,
        llf_null=llf0,
        n1=n1,
        n2=n2,
        converged=converged,
    )
