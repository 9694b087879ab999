"""Proportional-odds (cumulative logit) comparison of two groups' ordered grades, from grouped counts, and a check of its assumption.

The audit publishes only the number of cases per grade in each group, so the model is fitted to
the equivalent case-level data (one row per case; the likelihood is the same as for the grouped
counts). The model assumes one odds ratio at every cut of the scale; :func:`cumulative_odds_ratios`
gives the odds ratio at each cut and :func:`proportional_odds_test` tests the assumption against a
separate odds ratio per cut.
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


def cumulative_odds_ratios(counts_1, counts_2, confidence: float = 0.95) -> pd.DataFrame:
    """The two groups' odds ratio of a grade above each cut of the ordered scale, with Woolf and exact intervals.

    ``counts_1`` and ``counts_2`` are the groups' counts over the same ordered categories, **best
    first**. Cut ``j`` (``j = 1 .. k - 1``) splits the scale into the best ``j`` categories and the
    rest, giving a 2 x 2 table: ``above_1``/``below_1`` (first group) and ``above_2``/``below_2``.
    ``odds_ratio = (above_1 * below_2) / (below_1 * above_2)``, above 1 when the first group is more
    likely to be above the cut (the orientation of :func:`proportional_odds_two_groups`). Under the
    proportional-odds model all these odds ratios are equal; without it (a separate odds ratio per
    cut, which for two groups is the saturated model) each is estimated by its 2 x 2 table.

    Columns: ``cut``, the four counts, ``odds_ratio`` (0 or inf when a cell is empty, NaN when all
    cases lie on one side of the cut), ``log_odds_ratio``, ``se`` (Woolf: ``sqrt(1/above_1 +
    1/below_1 + 1/above_2 + 1/below_2)``), ``ci_low``/``ci_high`` (``exp(log OR +/- z se)``; NaN when a
    cell is empty), and ``exact_low``/``exact_high``, the exact conditional interval (Fisher's
    noncentral hypergeometric, as R's ``fisher.test``; :func:`scipy.stats.contingency.odds_ratio`),
    which stays defined with an empty cell.

    References: B. Woolf, "On estimating the relation between blood group and disease", *Annals of
    Human Genetics* 19 (1955), 251-253; Agresti, *Categorical Data Analysis*, 3rd ed., 2013,
    sections 3.1 and 16.6 (exact conditional interval); Agresti, *Analysis of Ordinal Categorical
    Data*, 2nd ed., 2010, section 3.6 (cumulative odds ratios and the proportional-odds check).
    """
    from scipy.stats.contingency import odds_ratio as scipy_odds_ratio

    a, b = _counts(counts_1), _counts(counts_2)
    if a.size != b.size or a.size < 2:
        raise ValueError("both groups need counts over the same two or more categories")
    if a.sum() == 0 or b.sum() == 0:
        raise ValueError("both groups need at least one case")
    if not 0 < confidence < 1:
        raise ValueError("confidence must lie strictly between 0 and 1")
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    rows = []
    for j in range(1, a.size):
        cells = np.array([[a[:j].sum(), a[j:].sum()], [b[:j].sum(), b[j:].sum()]], dtype=np.int64)
        (a1, b1), (a2, b2) = cells.tolist()
        one_sided = a1 + a2 == 0 or b1 + b2 == 0
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.nan if one_sided else float(np.float64(a1 * b2) / np.float64(b1 * a2))
            log_ratio = float(np.log(ratio))
        if cells.min() > 0:
            se = float(np.sqrt((1.0 / cells).sum()))
            low, high = float(np.exp(log_ratio - z * se)), float(np.exp(log_ratio + z * se))
        else:
            se = low = high = np.nan
        if one_sided:
            exact_low = exact_high = np.nan
        else:
            ci = scipy_odds_ratio(cells, kind="conditional").confidence_interval(confidence_level=confidence)
            exact_low, exact_high = float(ci.low), float(ci.high)
        rows.append(
            {
                "cut": j,
                "above_1": a1,
                "below_1": b1,
                "above_2": a2,
                "below_2": b2,
                "odds_ratio": ratio,
                "log_odds_ratio": log_ratio,
                "se": se,
                "ci_low": low,
                "ci_high": high,
                "exact_low": exact_low,
                "exact_high": exact_high,
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class ProportionalOddsCheck:
    """Likelihood-ratio test of the proportional-odds model against a separate odds ratio per cut, for two groups.

    ``statistic = 2 (llf_separate - llf_proportional)`` on ``df = k - 2`` (``k`` the categories with
    at least one case), ``p_value`` from the chi-squared distribution; a small p-value says the odds
    ratios differ between cuts more than chance would explain. ``converged`` is the proportional-odds
    fit's flag (see :func:`proportional_odds_two_groups`); without convergence the test should not
    be used.
    """

    statistic: float
    df: int
    p_value: float
    llf_proportional: float
    llf_separate: float
    converged: bool


def separate_cuts_log_likelihood(counts_1, counts_2) -> float:
    """Maximised log-likelihood with a separate odds ratio per cut: each group's own shares, ``sum n_gj log(n_gj / N_g)``.

    With two groups, free cut-points and a free group effect at every cut, each group's cumulative
    logits are unrestricted, so the fit reproduces each group's observed shares (0 log 0 = 0). No
    multinomial constant is included, as in :func:`null_log_likelihood`.
    """
    return null_log_likelihood(counts_1) + null_log_likelihood(counts_2)


def proportional_odds_test(counts_1, counts_2) -> ProportionalOddsCheck:
    """Test the proportional-odds assumption for two groups' ordered counts (best first) by a likelihood ratio.

    The proportional-odds model (:func:`proportional_odds_two_groups`: one odds ratio at every cut)
    is nested in the cumulative logit model with a separate odds ratio per cut (the non-parallel, or
    "nominal effects", model), which for two groups is saturated
    (:func:`separate_cuts_log_likelihood`). The likelihood-ratio statistic has ``k - 2`` degrees of
    freedom, ``k`` being the number of categories that some case received (at least three are
    needed). This is the test of ``ordinal::nominal_test`` and of VGAM's ``cumulative(parallel =
    FALSE)`` against ``parallel = TRUE`` in R, which the tests reproduce.

    References: McCullagh, JRSS B 42 (1980); B. Peterson and F. E. Harrell, "Partial proportional
    odds models for ordinal response variables", *Applied Statistics* 39 (1990), 205-217; Agresti,
    *Analysis of Ordinal Categorical Data*, 2nd ed., 2010, section 3.6; R. H. B. Christensen,
    ``ordinal`` package (``nominal_test``).
    """
    a, b = _counts(counts_1), _counts(counts_2)
    if a.size != b.size:
        raise ValueError("both groups need counts over the same categories")
    used = int(((a + b) > 0).sum())
    if used < 3:
        raise ValueError("the proportional-odds assumption can only be tested with three or more categories in use")
    fit = proportional_odds_two_groups(a, b)
    llf_separate = separate_cuts_log_likelihood(a, b)
    statistic = max(2.0 * (llf_separate - fit.llf), 0.0)
    df = used - 2
    return ProportionalOddsCheck(
        statistic=statistic,
        df=df,
        p_value=float(stats.chi2.sf(statistic, df)),
        llf_proportional=fit.llf,
        llf_separate=llf_separate,
        converged=fit.converged,
    )
