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

#: Relative tolerance (in log-probability) under which a table counts as "as probable as" the
#: observed one, so that tables tied in probability are not lost to rounding. The same order as
#: R's ``fisher.test`` and SciPy's ``fisher_exact`` (``1 + 1e-7``).
LOG_TOLERANCE = 1e-7


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


@dataclass(frozen=True)
class FisherResult:
    """Fisher-Freeman-Halton test of independence for an r x c table."""

    p_value: float
    table_probability: float
    method: str
    samples: int | None = None
    seed: int | None = None


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


class _Network:
    """The network of Mehta & Patel (1983) for an r x c table, with nodes keyed by sorted remaining row totals.

    Stage k holds the possible remaining row totals after the first k columns have been filled;
    an arc fills column k and carries the term -sum(log a_i!) of the counts it puts in that column.
    Because the probability of the rest of a table depends on the remaining row totals only as a
    multiset, nodes are the sorted totals. Arcs are stored per stage in compressed form (for each
    node, a slice of child indices and terms).
    """

    def __init__(self, rows: np.ndarray, cols: np.ndarray, chunk: int = 2_000_000) -> None:
        self.rows, self.cols, self.r = rows, cols, len(rows)
        self.base = int(rows.max()) + 1
        if self.r * math.log(self.base) >= math.log(2**62):
            raise ValueError("table too large for the exact network algorithm; use method='monte_carlo'")
        self.weights = self.base ** np.arange(self.r, dtype=np.int64)
        self.chunk = chunk
        self.nodes: list[np.ndarray] = [np.sort(rows)[None, :]]
        self.keys: list[np.ndarray] = [self.nodes[0] @ self.weights]
        self.arc_start: list[np.ndarray] = []
        self.arc_child: list[np.ndarray] = []
        self.arc_term: list[np.ndarray] = []
        for k, c in enumerate(cols):
            alloc = _compositions(int(c), self.r)
            term = -gammaln(alloc + 1).sum(axis=1)
            parents, child_keys, terms = [], [], []
            x = self.nodes[k]
            step = max(1, chunk // max(1, len(alloc)))
            for lo in range(0, len(x), step):
                diff = x[lo : lo + step, None, :] - alloc[None, :, :]
                p, a = np.nonzero((diff >= 0).all(axis=2))
                parents.append(p + lo)
                child_keys.append(np.sort(diff[p, a], axis=1) @ self.weights)
                terms.append(term[a])
            parent = np.concatenate(parents)
            ckeys = np.concatenate(child_keys)
            keys = np.unique(ckeys)
            self.keys.append(keys)
            self.nodes.append((keys[:, None] // self.weights[None, :]) % self.base)
            self.arc_start.append(np.searchsorted(parent, np.arange(len(x) + 1)))
            self.arc_child.append(np.searchsorted(keys, ckeys))
            self.arc_term.append(np.concatenate(terms))

    def remaining_bounds(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Largest and smallest sum of arc terms over all completions from every node (longest and shortest paths)."""
        K = len(self.cols)
        hi = [np.zeros(1)] * (K + 1)
        lo = [np.zeros(1)] * (K + 1)
        for k in range(K - 1, -1, -1):
            starts = self.arc_start[k][:-1]
            hi[k] = np.maximum.reduceat(self.arc_term[k] + hi[k + 1][self.arc_child[k]], starts)
            lo[k] = np.minimum.reduceat(self.arc_term[k] + lo[k + 1][self.arc_child[k]], starts)
        return hi, lo

    def log_completions(self, k: int) -> np.ndarray:
        """Log of the sum over all completions of exp(sum of arc terms), for each node of stage ``k`` (closed form).

        Summing the multiple hypergeometric probabilities of all tables with given margins gives 1,
        so the sum of prod 1/n_ij! over them is n! / (prod R_i! prod C_j!).
        """
        rest = self.cols[k:]
        return gammaln(int(rest.sum()) + 1) - gammaln(self.nodes[k] + 1).sum(axis=1) - gammaln(rest + 1).sum()


def _ffh_network(arr: np.ndarray) -> float:
    """Exact two-sided Fisher-Freeman-Halton p-value by the network algorithm with exact path bounds."""
    arr = _drop_empty(arr)
    if min(arr.shape) < 2:
        return 1.0
    if arr.shape[0] > arr.shape[1]:
        arr = arr.T  # keep the shorter margin as the node state
    rows, cols = arr.sum(axis=1), np.sort(arr.sum(axis=0))
    n = int(arr.sum())
    const = float(gammaln(rows + 1).sum() + gammaln(cols + 1).sum() - gammaln(n + 1))
    threshold = float(-gammaln(arr + 1).sum()) + LOG_TOLERANCE
    net = _Network(rows, cols)
    hi, lo = net.remaining_bounds()
    grid = 1e10  # past values equal to 1e-10 in log are merged (Mehta & Patel's lists of past probabilities)

    node = np.zeros(1, dtype=np.int64)
    past = np.zeros(1)
    count = np.ones(1)
    total = 0.0
    for k in range(len(cols) + 1):
        # whole sub-networks: every completion at most as probable as the observed table, or none
        all_in = past + hi[k][node] <= threshold
        if all_in.any():
            logc = net.log_completions(k)
            total += float(np.sum(count[all_in] * np.exp(const + past[all_in] + logc[node[all_in]])))
        open_ = ~all_in & (past + lo[k][node] <= threshold)
        if k == len(cols) or not open_.any():
            break
        node, past, count = node[open_], past[open_], count[open_]
        if k > 0:
            # merge equal past values at the same node (one sort on a combined integer key)
            key = np.round(past * grid).astype(np.int64)
            key -= key.min()
            combined = node * (int(key.max()) + 1) + key if len(node) * (int(key.max()) + 1) < 2**62 else None
            order = np.argsort(combined, kind="stable") if combined is not None else np.lexsort((key, node))
            node, past, count, key = node[order], past[order], count[order], key[order]
            head = np.ones(len(node), dtype=bool)
            head[1:] = (node[1:] != node[:-1]) | (key[1:] != key[:-1])
            count = np.bincount(np.cumsum(head) - 1, weights=count)
            node, past = node[head], past[head]
        # follow every arc from each open (node, past value)
        first, last = net.arc_start[k][node], net.arc_start[k][node + 1]
        reps = last - first
        entry = np.repeat(np.arange(len(node)), reps)
        arc = first[entry] + np.arange(len(entry)) - np.repeat(np.cumsum(reps) - reps, reps)
        node = net.arc_child[k][arc]
        past = past[entry] + net.arc_term[k][arc]
        count = count[entry]
    return float(min(1.0, total))


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


def fisher_freeman_halton(
    table, method: str = "exact", *, engine: str = "network", samples: int = 100_000, seed: int | None = None, workspace: int = 10_000_000
) -> FisherResult:
    """Fisher's exact test of independence for an r x c table (the Fisher-Freeman-Halton test).

    The two-sided p-value is the total probability, under independence and given both sets of
    margins, of all tables no more probable than the observed one (Freeman & Halton 1951; Agresti,
    *Categorical Data Analysis*, 3rd ed., section 3.5.3); tables within a relative
    :data:`LOG_TOLERANCE` of the observed probability count as equally probable.

    ``method="exact"`` (default) computes it exactly. ``engine="network"`` uses this module's own
    network algorithm (Mehta & Patel 1983, *JASA* 78, 427-434): columns are filled one at a time,
    nodes are the sorted remaining row totals, the longest and shortest remaining paths are found
    exactly by a backward pass, and past probabilities are merged per node, so whole sub-networks
    are added (or dropped) at once when all their tables fall below (or above) the observed
    probability. ``engine="fexact"`` calls the ``fexact`` package, a port of R's ``fisher.test``
    code (ACM TOMS algorithm 643, Mehta & Patel 1986), with ``workspace`` as in R's ``fisher.test``
    (R's default, 200000, is too small for some tables this project checks). The two agree to about 1e-12 relative on
    the tables in the tests.

    ``method="monte_carlo"`` estimates the p-value as (1 + hits) / (samples + 1) from ``samples``
    random tables with the observed margins (Patefield 1981 via :func:`scipy.stats.random_table`),
    as R's ``simulate.p.value`` does; ``seed`` is required so that the result is reproducible and
    is reported in the result.
    """
    arr = _as_table(table)
    p_obs = math.exp(table_log_probability(arr))
    if method == "exact":
        if engine == "network":
            p = _ffh_network(arr)
        elif engine == "fexact":
            import fexact

            sub = _drop_empty(arr)
            p = 1.0 if min(sub.shape) < 2 else float(fexact.fexact(np.ascontiguousarray(sub, dtype=np.int64), workspace=workspace))
        else:
            raise ValueError(f"unknown engine {engine!r}; use 'network' or 'fexact'")
        return FisherResult(p_value=p, table_probability=p_obs, method=f"exact ({engine})")
    if method == "monte_carlo":
        if seed is None:
            raise ValueError("method='monte_carlo' needs an explicit seed (results must be reproducible)")
        if samples < 1:
            raise ValueError("samples must be at least 1")
        p = _ffh_monte_carlo(arr, samples, seed)
        return FisherResult(p_value=p, table_probability=p_obs, method="monte_carlo", samples=samples, seed=seed)
    raise ValueError(f"unknown method {method!r}; use 'exact' or 'monte_carlo'")


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
