"""Tests of association for small contingency tables of ordinal grades: chi-squared, exact Fisher-Freeman-Halton, rank tests, effect sizes.

Every function takes a table of counts (rows: groups, columns: categories, in the ordinal order
the caller chooses) rather than case-level data, because the audit publishes only counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import numpy as np
from scipy import stats
from scipy.special import gammaln

from analysis import choices
from analysis.stats.fisher_network import COCHRAN, DEFAULT_MAX_WORK, LOG_TOLERANCE, WorkLimitExceeded, exact_p_value, hybrid_p_value


def _as_table(table) -> np.ndarray:
    arr = np.asarray(table)
    if arr.ndim != 2:
        raise ValueError(f"a contingency table must be two-dimensional, got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.integer):
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise ValueError("a contingency table must hold whole-number counts")
        arr = arr.astype(np.int64)
    if (arr < 0).any():
        raise ValueError("a contingency table must not hold negative counts")
    if arr.sum() == 0:
        raise ValueError("a contingency table must hold at least one count")
    return arr.astype(np.int64)


def _drop_empty(arr: np.ndarray) -> np.ndarray:
    return arr[arr.sum(axis=1) > 0][:, arr.sum(axis=0) > 0]


# --------------------------------------------------------------------------- chi-squared


@dataclass(frozen=True)
class ChiSquaredResult:
    """Pearson's chi-squared test of independence, with the checks of its large-sample approximation."""

    statistic: float
    df: int
    p_value: float
    expected: np.ndarray
    share_expected_below_5: float
    min_expected: float
    n: int


def chi_squared_test(table) -> ChiSquaredResult:
    """Pearson's chi-squared test of independence (or homogeneity) for an r x c table of counts.

    No continuity correction is applied (not even to 2 x 2 tables), so the statistic is
    Pearson's X^2 = sum (O - E)^2 / E. Beside the p-value the result reports the share of cells
    whose expected count is below 5 and the smallest expected count: Cochran's rule (Cochran 1954;
    Agresti, *Categorical Data Analysis*, 3rd ed., 2013, section 3.5) asks for no more than 20% of
    expected counts below 5 and none below 1 before the chi-squared approximation is trusted.

    Computed with :func:`scipy.stats.chi2_contingency` (``correction=False``); rows or columns
    with no counts are dropped first.
    """
    arr = _drop_empty(_as_table(table))
    if min(arr.shape) < 2:
        raise ValueError("the chi-squared test needs at least two non-empty rows and columns")
    res = stats.chi2_contingency(arr, correction=False)
    expected = np.asarray(res.expected_freq, dtype=float)
    return ChiSquaredResult(
        statistic=float(res.statistic),
        df=int(res.dof),
        p_value=float(res.pvalue),
        expected=expected,
        share_expected_below_5=float((expected < 5).mean()),
        min_expected=float(expected.min()),
        n=int(arr.sum()),
    )


def cramers_v(table, bias_corrected: bool = False) -> float:
    """Cramér's V for an r x c table of counts, optionally with Bergsma's bias correction.

    V = sqrt(X^2 / (n (min(r, c) - 1))), with X^2 Pearson's statistic (Cramér 1946). V is biased
    upwards in small samples; ``bias_corrected=True`` returns Bergsma's estimator (Bergsma 2013,
    *Journal of the Korean Statistical Society* 42, 323-328):
    phi2~ = max(0, X^2/n - (r-1)(c-1)/(n-1)), r~ = r - (r-1)^2/(n-1), c~ = c - (c-1)^2/(n-1),
    V~ = sqrt(phi2~ / min(r~ - 1, c~ - 1)). Rows or columns with no counts are dropped first.
    The uncorrected value equals :func:`scipy.stats.contingency.association` (``method="cramer"``).
    """
    arr = _drop_empty(_as_table(table))
    r, c = arr.shape
    if min(r, c) < 2:
        raise ValueError("Cramér's V needs at least two non-empty rows and columns")
    n = int(arr.sum())
    chi2 = stats.chi2_contingency(arr, correction=False).statistic
    phi2 = chi2 / n
    if not bias_corrected:
        return float(math.sqrt(phi2 / (min(r, c) - 1)))
    if n < 2:
        raise ValueError("the bias-corrected Cramér's V needs n >= 2")
    phi2_t = max(0.0, phi2 - (r - 1) * (c - 1) / (n - 1))
    r_t = r - (r - 1) ** 2 / (n - 1)
    c_t = c - (c - 1) ** 2 / (n - 1)
    denom = min(r_t - 1, c_t - 1)
    return float(math.sqrt(phi2_t / denom)) if denom > 0 else float("nan")


def chi_squared_power(effect_size: float, n: int, df: int, alpha: float = 0.05) -> float:
    """Approximate power of Pearson's chi-squared test with ``df`` degrees of freedom at sample size ``n``.

    ``effect_size`` is Cohen's w (Cohen, *Statistical Power Analysis for the Behavioral Sciences*,
    2nd ed., 1988, chapter 7: 0.1 small, 0.3 medium, 0.5 large); for an r x c table w equals
    Cramér's V times sqrt(min(r, c) - 1). Power = P(X > chi2_{1-alpha, df}) with X noncentral
    chi-squared, noncentrality n w^2. Computed with statsmodels' ``GofChisquarePower`` (whose
    ``n_bins`` is ``df + 1``).
    """
    from statsmodels.stats.power import GofChisquarePower

    return float(GofChisquarePower().power(effect_size=effect_size, nobs=n, alpha=alpha, n_bins=df + 1))


def detectable_effect_size(n: int, df: int, power: float = 0.8, alpha: float = 0.05) -> float:
    """Smallest Cohen's w that Pearson's chi-squared test detects with the given ``power`` at sample size ``n``.

    The inverse of :func:`chi_squared_power` in w (Cohen 1988, chapter 7), found by Brent's method
    to 1e-12 (statsmodels' ``solve_power`` stops at a looser tolerance).
    """
    from scipy.optimize import brentq

    if not alpha < power < 1:
        raise ValueError("power must lie between alpha and 1")
    return float(brentq(lambda w: chi_squared_power(w, n, df, alpha) - power, 1e-9, 100.0, xtol=1e-12))


# --------------------------------------------------------------------------- Fisher-Freeman-Halton

#: Seed of the Monte Carlo test used when an exact p-value would exceed its work budget (so that the fallback is reproducible).
FALLBACK_SEED = choices.FALLBACK_SEED  # the analysis's choice (analysis/choices.py)


@dataclass(frozen=True)
class FisherResult:
    """Fisher-Freeman-Halton test of independence for an r x c table.

    ``method`` says which method answered: ``"exact"``, ``"hybrid"`` (some sub-tables answered with
    the chi-squared approximation; ``approximated`` says how many partial tables were) or
    ``"monte_carlo"``. For Monte Carlo, ``samples`` and ``seed`` say how the p-value was drawn and
    ``mc_standard_error`` is its standard error, sqrt(p (1 - p) / samples); ``fallback_reason`` is
    set when an exact or hybrid p-value was asked for but would have exceeded its work budget (or
    the network its size caps), so Monte Carlo was used instead.
    """

    p_value: float
    table_probability: float
    method: str
    samples: int | None = None
    seed: int | None = None
    mc_standard_error: float | None = None
    fallback_reason: str | None = None
    approximated: int | None = None


def table_log_probability(table) -> float:
    """Log of the probability of ``table`` under independence, given its row and column totals.

    The multiple hypergeometric probability prod(R_i!) prod(C_j!) / (n! prod(n_ij!))
    (Freeman & Halton 1951, *Biometrika* 38, 141-149), computed with ``gammaln``.
    """
    arr = _as_table(table)
    rows, cols, n = arr.sum(axis=1), arr.sum(axis=0), arr.sum()
    return float(gammaln(rows + 1).sum() + gammaln(cols + 1).sum() - gammaln(n + 1) - gammaln(arr + 1).sum())


@lru_cache(maxsize=256)
def _compositions(total: int, parts: int) -> np.ndarray:
    """All vectors of ``parts`` non-negative integers adding up to ``total`` (stars and bars)."""
    if parts == 1:
        return np.array([[total]], dtype=np.int64)
    bars = np.array(list(combinations(range(total + parts - 1), parts - 1)), dtype=np.int64).reshape(-1, parts - 1)
    edges = np.hstack([np.full((len(bars), 1), -1), bars, np.full((len(bars), 1), total + parts - 1)])
    out = np.diff(edges, axis=1) - 1
    out.setflags(write=False)
    return out


def _ffh_monte_carlo(arr: np.ndarray, samples: int, seed: int) -> float:
    """Monte Carlo Fisher-Freeman-Halton p-value, (1 + hits) / (samples + 1), with tables drawn given both margins."""
    arr = _drop_empty(arr)
    if min(arr.shape) < 2:
        return 1.0
    rng = np.random.default_rng(seed)
    dist = stats.random_table(arr.sum(axis=1), arr.sum(axis=0), seed=rng)
    observed = -gammaln(arr + 1).sum()
    hits = 0
    for start in range(0, samples, 10_000):
        draws = dist.rvs(size=min(10_000, samples - start))
        hits += int(np.count_nonzero(-gammaln(draws + 1).sum(axis=(1, 2)) <= observed + LOG_TOLERANCE))
    return (1 + hits) / (samples + 1)


def _monte_carlo_result(arr: np.ndarray, p_obs: float, samples: int, seed: int, reason: str | None = None) -> FisherResult:
    p = _ffh_monte_carlo(arr, samples, seed)
    se = math.sqrt(p * (1 - p) / samples)
    return FisherResult(p, p_obs, "monte_carlo", samples=samples, seed=seed, mc_standard_error=se, fallback_reason=reason)


def _hybrid(arr: np.ndarray, hybrid_pars: tuple[float, float, float], max_work: float) -> tuple[float, int]:
    """The hybrid p-value within half the budget, or else the exact one with what is left of it (0 approximated).

    The hybrid search runs forward through every stage where a sub-table could be approximated (as
    R's does), so it can cost more than the exact search, even when no sub-table it reaches can be
    approximated. The work of both together stays within ``max_work``.
    """
    expect, percent, emin = hybrid_pars
    spent: dict = {}
    try:
        return hybrid_p_value(arr, expect=expect, percent=percent, emin=emin, max_work=max_work / 2, report=spent)
    except WorkLimitExceeded:
        return exact_p_value(arr, max_work=max(0.0, max_work - spent.get("work", 0))), 0


def fisher_freeman_halton(
    table,
    method: str = "exact",
    *,
    samples: int = 100_000,
    seed: int | None = None,
    max_work: float = DEFAULT_MAX_WORK,
    on_limit: str = "monte_carlo",
    hybrid_pars: tuple[float, float, float] = COCHRAN,
) -> FisherResult:
    """Fisher's exact test of independence for an r x c table (the Fisher-Freeman-Halton test).

    The two-sided p-value is the total probability, under independence and given both sets of
    margins, of all tables no more probable than the observed one (Freeman & Halton 1951; Agresti,
    *Categorical Data Analysis*, 3rd ed., section 3.5.3); a table counts when its probability is at
    most ``p_obs * (1 + 1e-7)`` (:data:`LOG_TOLERANCE`), the rule of R's ``fisher.test``.

    ``method="exact"`` (default) computes it exactly with this project's network algorithm
    (:func:`analysis.stats.fisher_network.exact_p_value`: Mehta & Patel 1983, *JASA* 78, 427-434,
    with exact longest and shortest path bounds, merged past values and a meet-in-the-middle
    search, in bounded memory; 2 x 2 tables directly from the hypergeometric distribution). Its
    cost is counted before the work is done, so it never runs out of memory or runs for long: past
    the budget ``max_work``, ``on_limit="monte_carlo"`` (default) returns at once the Monte Carlo
    p-value instead, with ``samples`` tables and ``seed`` (:data:`FALLBACK_SEED` if not given),
    ``method="monte_carlo"``, its standard error and the reason; ``on_limit="raise"`` raises
    :class:`~analysis.stats.fisher_network.WorkLimitExceeded`, whose message suggests
    ``method="monte_carlo"``. The test suite checks the exact p-values against R's ``fisher.test``
    (tests/fixtures/r_fisher_reference.csv), against full enumeration and against exact rational
    arithmetic.

    ``method="hybrid"`` is R's ``fisher.test(hybrid = TRUE)`` (Mehta & Patel 1986,
    :func:`analysis.stats.fisher_network.hybrid_p_value`): sub-tables whose expected counts meet
    Cochran's conditions ``hybrid_pars`` = (expect, percent, Emin), by default R's (5, 80, 1), are
    answered with the chi-squared approximation of the Freeman-Halton statistic, the rest exactly.
    The result's ``method`` is ``"hybrid"`` when at least one sub-table was approximated (their
    number in ``approximated``) and ``"exact"`` when none was. The hybrid search runs forward (as
    R's), which can cost more than the exact search: if it would exceed half of ``max_work``, the
    exact search gets what is left of the budget, and past that ``on_limit`` applies as for
    ``"exact"``.

    ``method="monte_carlo"`` estimates the p-value as (1 + hits) / (samples + 1) from ``samples``
    random tables with the observed margins (Patefield 1981 via :func:`scipy.stats.random_table`),
    as R's ``simulate.p.value`` does; ``seed`` is required so that the result is reproducible and
    is reported in the result, with the standard error sqrt(p (1 - p) / samples).
    """
    arr = _as_table(table)
    p_obs = math.exp(table_log_probability(arr))
    if samples < 1:
        raise ValueError("samples must be at least 1")
    if method in ("exact", "hybrid"):
        if on_limit not in ("monte_carlo", "raise"):
            raise ValueError(f"unknown on_limit {on_limit!r}; use 'monte_carlo' or 'raise'")
        try:
            if method == "exact":
                p, approximated = exact_p_value(arr, max_work=max_work), None
            else:
                p, approximated = _hybrid(arr, hybrid_pars, max_work)
        except WorkLimitExceeded as err:
            if on_limit == "raise":
                raise
            return _monte_carlo_result(arr, p_obs, samples, FALLBACK_SEED if seed is None else seed, reason=str(err))
        answered = "hybrid" if approximated else "exact"
        return FisherResult(p_value=p, table_probability=p_obs, method=answered, approximated=approximated)
    if method == "monte_carlo":
        if seed is None:
            raise ValueError("method='monte_carlo' needs an explicit seed (results must be reproducible)")
        return _monte_carlo_result(arr, p_obs, samples, seed)
    raise ValueError(f"unknown method {method!r}; use 'exact', 'hybrid' or 'monte_carlo'")


# --------------------------------------------------------------------------- rank tests on ordinal grades


def _midrank_scores(counts: np.ndarray) -> np.ndarray:
    """Mid-rank of each ordered category given the pooled counts per category."""
    cum = np.cumsum(counts)
    return cum - (counts - 1) / 2.0


@dataclass(frozen=True)
class KruskalWallisResult:
    """Kruskal-Wallis H test on grouped ordinal counts, with the tie correction."""

    statistic: float
    df: int
    p_value: float
    epsilon_squared: float
    n: int


def kruskal_wallis(table) -> KruskalWallisResult:
    """Kruskal-Wallis H test for an ordered-category table (rows: groups, columns: ordered categories).

    All cases in a category share its mid-rank; H = 12 / (n (n + 1)) sum_i R_i^2 / n_i - 3 (n + 1)
    is divided by the tie correction 1 - sum_j (t_j^3 - t_j) / (n^3 - n), with t_j the column
    totals, and referred to chi-squared with (groups - 1) degrees of freedom (Kruskal & Wallis 1952;
    Hollander, Wolfe & Chicken, *Nonparametric Statistical Methods*, 3rd ed., section 6.1). Equal to
    :func:`scipy.stats.kruskal` on the expanded data. The effect size is epsilon-squared,
    H / (n - 1) (Tomczak & Tomczak 2014, *Trends in Sport Sciences* 21, 19-25). Rows or columns
    with no counts are dropped. The direction of the columns does not affect H.
    """
    arr = _drop_empty(_as_table(table)).astype(float)
    g = arr.shape[0]
    if g < 2:
        raise ValueError("the Kruskal-Wallis test needs at least two non-empty groups")
    n = arr.sum()
    ties = arr.sum(axis=0)
    ranks = _midrank_scores(ties)
    rank_sums = arr @ ranks
    sizes = arr.sum(axis=1)
    h = 12.0 / (n * (n + 1)) * np.sum(rank_sums**2 / sizes) - 3 * (n + 1)
    correction = 1 - np.sum(ties**3 - ties) / (n**3 - n)
    if correction <= 0:
        raise ValueError("all observations are tied; the Kruskal-Wallis test is undefined")
    h = float(h / correction)
    return KruskalWallisResult(statistic=h, df=g - 1, p_value=float(stats.chi2.sf(h, g - 1)), epsilon_squared=h / (n - 1), n=int(n))


@dataclass(frozen=True)
class MannWhitneyResult:
    """Mann-Whitney U test for two groups of ordered-category counts."""

    statistic: float
    p_value: float
    exact_p_value: float
    probability_of_superiority: float
    n1: int
    n2: int


def mann_whitney(counts_1, counts_2) -> MannWhitneyResult:
    """Mann-Whitney U test of two groups given their counts over the same ordered categories (lowest first).

    ``statistic`` is U for group 1: the number of (group-1, group-2) pairs in which the group-1
    case lies in a higher category, plus half the tied pairs. ``p_value`` is the two-sided normal
    approximation with the tie-corrected variance and a continuity correction, as
    :func:`scipy.stats.mannwhitneyu` (``method="asymptotic"``) gives on the expanded data (Lehmann,
    *Nonparametrics*, 1975, chapter 1). ``exact_p_value`` is the exact conditional (permutation)
    p-value given the tied categories: the probability, over all 2 x c tables with the observed
    margins (hypergeometric), of a U at least as far from n1 n2 / 2 as the observed one (Mehta,
    Patel & Tsiatis 1984 for the 2 x c case). ``probability_of_superiority`` is U / (n1 n2) =
    P(X1 > X2) + P(X1 = X2) / 2 for random cases from each group (McGraw & Wong 1992; Vargha &
    Delaney's A, 2000): 0.5 means no tendency either way.
    """
    a = np.asarray(counts_1, dtype=np.int64)
    b = np.asarray(counts_2, dtype=np.int64)
    arr = _as_table(np.vstack([a, b]))
    arr = arr[:, arr.sum(axis=0) > 0]
    n1, n2 = int(arr[0].sum()), int(arr[1].sum())
    if n1 == 0 or n2 == 0:
        raise ValueError("both groups need at least one case")
    c = arr.shape[1]
    x = np.repeat(np.arange(c), arr[0])
    y = np.repeat(np.arange(c), arr[1])
    res = stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic", use_continuity=True)
    u = float(res.statistic)
    return MannWhitneyResult(
        statistic=u,
        p_value=float(res.pvalue),
        exact_p_value=_mann_whitney_exact(arr, u),
        probability_of_superiority=u / (n1 * n2),
        n1=n1,
        n2=n2,
    )


def _u_statistic(first_row: np.ndarray, col_totals: np.ndarray) -> np.ndarray:
    """U of the first row for each 2 x c table given by its first row (rows of ``first_row``)."""
    second = col_totals - first_row
    below = np.cumsum(second, axis=-1) - second  # group-2 cases in lower categories
    return (first_row * (below + second / 2.0)).sum(axis=-1)


def _mann_whitney_exact(arr: np.ndarray, u_obs: float) -> float:
    """Exact conditional two-sided p-value of U for a 2 x c table, by enumerating every table with its margins."""
    n1 = int(arr[0].sum())
    cols = arr.sum(axis=0)
    first = _compositions(n1, len(cols))
    first = first[(first <= cols).all(axis=1)]
    second = cols - first
    logp = (
        gammaln(n1 + 1)
        + gammaln(cols.sum() - n1 + 1)
        + gammaln(cols + 1).sum()
        - gammaln(cols.sum() + 1)
        - gammaln(first + 1).sum(axis=1)
        - gammaln(second + 1).sum(axis=1)
    )
    u = _u_statistic(first, cols)
    centre = n1 * (cols.sum() - n1) / 2.0
    extreme = np.abs(u - centre) >= abs(u_obs - centre) - 1e-9
    return float(min(1.0, np.exp(logp[extreme]).sum()))
