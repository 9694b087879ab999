"""Tests of association: published examples, SciPy/statsmodels where they overlap, reference p-values from R's fisher.test, brute force."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.special import gammaln

from analysis.stats import fisher_network
from analysis.stats.association import (
    FALLBACK_SEED,
    WorkLimitExceeded,
    chi_squared_power,
    chi_squared_test,
    cramers_v,
    detectable_effect_size,
    fisher_freeman_halton,
    kruskal_wallis,
    mann_whitney,
    table_log_probability,
)
from analysis.stats.fisher_network import exact_p_value

FIXTURES = Path(__file__).parents[2] / "fixtures"

# The audit tables: HMICFRS grades (good, requires improvement, inadequate) by practice area, and of the two samples.
AREAS = np.array([[4, 4, 2], [5, 4, 3], [2, 6, 2], [3, 4, 9], [2, 5, 2], [3, 3, 0], [1, 5, 3], [0, 6, 2]])
SAMPLES = np.array([[10, 17, 6], [10, 20, 17]])

# R's ?fisher.test examples (Agresti 2002, p. 57, job satisfaction by income; Mehta & Patel 1986 "MP6";
# Fisher's tea tasting) with the p-values R prints.
JOB = np.array([[1, 2, 1, 0], [3, 3, 6, 1], [10, 10, 14, 9], [6, 7, 12, 11]])
MP6 = np.array([[1, 2, 2, 1, 1, 0, 1], [2, 0, 0, 2, 3, 0, 0], [0, 1, 1, 1, 2, 7, 3], [1, 1, 2, 0, 0, 0, 1], [0, 1, 1, 1, 1, 0, 0]])
TEA = np.array([[3, 1], [1, 3]])


def _tables_with_margins(rows, cols):
    """Every table of non-negative integers with the given margins (brute force, small tables only)."""
    rows, cols = list(rows), list(cols)
    if len(rows) == 1:
        yield np.array([cols])
        return
    for first in itertools.product(*(range(min(rows[0], c) + 1) for c in cols)):
        if sum(first) != rows[0]:
            continue
        rest = [c - f for c, f in zip(cols, first, strict=True)]
        for sub in _tables_with_margins(rows[1:], rest):
            yield np.vstack([first, sub])


def _ffh_brute_force(table):
    table = np.asarray(table)
    obs = table_log_probability(table)
    return sum(
        math.exp(lp) for t in _tables_with_margins(table.sum(axis=1), table.sum(axis=0)) if (lp := table_log_probability(t)) <= obs + 1e-7
    )


# ----------------------------------------------------------------------------- chi-squared and Cramér's V


def test_chi_squared_agresti_party_identification():
    # Agresti, An Introduction to Categorical Data Analysis (2nd ed.), Table 2.5: X^2 = 30.1 on 2 df.
    res = chi_squared_test([[762, 327, 468], [484, 239, 477]])
    assert res.statistic == pytest.approx(30.07, abs=0.005)
    assert res.df == 2 and res.p_value < 1e-6
    assert res.share_expected_below_5 == 0


def test_chi_squared_matches_scipy_and_reports_small_expected_counts():
    res = chi_squared_test(AREAS)
    ref = stats.chi2_contingency(AREAS, correction=False)
    assert res.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert res.df == ref.dof == 14
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-12)
    expected = np.outer(AREAS.sum(1), AREAS.sum(0)) / AREAS.sum()
    assert res.share_expected_below_5 == pytest.approx((expected < 5).mean())
    assert res.min_expected == pytest.approx(expected.min())
    assert res.share_expected_below_5 > 0.2  # the audit's 8 x 3 table fails Cochran's rule


def test_chi_squared_2x2_has_no_continuity_correction():
    table = [[12, 5], [4, 11]]
    assert chi_squared_test(table).statistic == pytest.approx(stats.chi2_contingency(table, correction=False).statistic)
    assert chi_squared_test(table).statistic > stats.chi2_contingency(table, correction=True).statistic


def test_empty_rows_are_dropped_and_bad_tables_refused():
    assert chi_squared_test([[3, 4, 0], [5, 1, 0]]).df == 1
    for bad in ([[1, -1], [2, 3]], [1, 2, 3], [[0, 0], [0, 0]], [[1.5, 2], [3, 4]]):
        with pytest.raises(ValueError):
            chi_squared_test(bad)


@pytest.mark.parametrize("table", [AREAS, SAMPLES, JOB, [[762, 327, 468], [484, 239, 477]]])
def test_cramers_v_matches_scipy(table):
    assert cramers_v(table) == pytest.approx(stats.contingency.association(np.asarray(table), method="cramer"), rel=1e-12)


def test_bias_corrected_cramers_v_formula_and_properties():
    # Bergsma (2013), written out independently here for the 8 x 3 audit table.
    n, r, k = AREAS.sum(), 8, 3
    phi2 = stats.chi2_contingency(AREAS, correction=False).statistic / n
    phi2_t = max(0, phi2 - (k - 1) * (r - 1) / (n - 1))
    r_t, k_t = r - (r - 1) ** 2 / (n - 1), k - (k - 1) ** 2 / (n - 1)
    assert cramers_v(AREAS, bias_corrected=True) == pytest.approx(math.sqrt(phi2_t / min(r_t - 1, k_t - 1)), rel=1e-12)
    assert cramers_v(AREAS, bias_corrected=True) < cramers_v(AREAS)
    # no association beyond what chance produces: the corrected value is 0, the plain one is not
    assert cramers_v([[5, 5, 6], [5, 6, 5]], bias_corrected=True) == 0
    assert cramers_v([[5, 5, 6], [5, 6, 5]]) > 0
    # perfect association in a large table: both close to 1
    assert cramers_v(np.diag([200, 200, 200]), bias_corrected=True) == pytest.approx(1, abs=1e-12)


def test_power_matches_noncentral_chi_squared_and_inverts():
    df, n = 14, 80
    for w in (0.1, 0.3, 0.5):
        direct = stats.ncx2.sf(stats.chi2.ppf(0.95, df), df, n * w**2)
        assert chi_squared_power(w, n, df) == pytest.approx(direct, rel=1e-8)
    w80 = detectable_effect_size(n, df, power=0.8)
    assert chi_squared_power(w80, n, df) == pytest.approx(0.8, abs=1e-6)
    # Cohen (1988), Table 7.4.6: a medium effect (w = 0.3) at 1 df and alpha 0.05 needs n = 88 for 80% power
    assert chi_squared_power(0.3, 87, 1) < 0.8 <= chi_squared_power(0.3, 88, 1)


# ----------------------------------------------------------------------------- Fisher-Freeman-Halton


@pytest.mark.parametrize(("table", "published"), [(JOB, 0.7827), (MP6, 0.03929), (TEA, 0.4857)])
@pytest.mark.slow
def test_fisher_r_documentation_examples(table, published):
    p = fisher_freeman_halton(table).p_value
    assert round(p, 4 if published > 0.1 else 5) == published


def _r_reference() -> pd.DataFrame:
    path = FIXTURES / "r_fisher_reference.csv"
    header = [line for line in path.read_text().splitlines() if line.startswith("#")]
    assert header[0].startswith("# R version") and "fisher.test(m, workspace = 2e8)" in header[1]
    frame = pd.read_csv(path, comment="#")
    frame["array"] = [np.array([[int(v) for v in row.split()] for row in t.split("/")]) for t in frame["table"]]
    return frame


R_REFERENCE = _r_reference()
#: Tables whose exact p-value takes more than about 0.3 s here: timed in benchmarks/bench_association.py instead.
HEAVY = {"ms_winnipeg_4x4", "scaled_8x3_n139", "random_8x3_n139", "five_by_five_n100", "three_by_eight_n300", "six_by_six_n80"}
#: Tables on which R's FEXACT is not exact (its two orientations disagree by more than 1e-9).
R_INEXACT = {"six_by_six_n80", "seven_by_seven_n37"}


def test_r_reference_fixture_is_complete():
    assert {"audit_areas_8x3", "job_satisfaction_4x4", "fleiss_3x3", "ms_winnipeg_4x4", "scaled_8x3_n139", "tea_2x2"} <= set(
        R_REFERENCE["name"]
    )
    assert {"two_by_nine_n135", "five_by_five_n60", "sparse_ten_by_three_n120", "five_by_five_n100", "three_by_eight_n300"} <= set(
        R_REFERENCE["name"]
    )
    assert (R_REFERENCE["n"] == [a.sum() for a in R_REFERENCE["array"]]).all()
    audit = R_REFERENCE.set_index("name").loc["audit_areas_8x3", "array"]
    assert np.array_equal(audit, AREAS)
    disagree = (R_REFERENCE["p_value"] / R_REFERENCE["p_value_transposed"] - 1).abs() > 1e-9
    assert set(R_REFERENCE.loc[disagree, "name"]) == R_INEXACT


@pytest.mark.parametrize("name", [n for n in R_REFERENCE["name"] if n not in HEAVY | R_INEXACT])
@pytest.mark.slow
def test_exact_p_value_matches_r_fisher_test(name):
    ref = R_REFERENCE.set_index("name").loc[name]
    res = fisher_freeman_halton(ref["array"])
    assert res.method == "exact" and res.mc_standard_error is None and res.approximated is None
    assert res.p_value == pytest.approx(ref["p_value"], rel=1e-9)
    assert fisher_freeman_halton(ref["array"].T).p_value == pytest.approx(ref["p_value_transposed"], rel=1e-9)


@pytest.mark.parametrize("name", [n for n in R_REFERENCE["name"] if n not in HEAVY | R_INEXACT])
@pytest.mark.slow
def test_hybrid_matches_r_hybrid(name):
    # R's fisher.test(hybrid = TRUE): the same sub-tables approximated, the same chi-squared tails (to R's precision)
    ref = R_REFERENCE.set_index("name").loc[name]
    res = fisher_freeman_halton(ref["array"], "hybrid")
    assert res.p_value == pytest.approx(ref["p_value_hybrid"], rel=1e-6)
    assert (res.method == "hybrid") == (res.approximated > 0)
    if res.method == "exact":
        assert res.p_value == pytest.approx(fisher_freeman_halton(ref["array"]).p_value, rel=1e-12)


@pytest.mark.slow
def test_where_r_is_not_exact_simulation_sides_with_the_network():
    # On a 7 x 7 table with n = 37, R's two orientations give 0.241 and 0.211. The exact p-value (0.2707,
    # the same in both orientations) agrees with a seeded Monte Carlo estimate; R's values are > 8 standard
    # errors from it. (benchmarks/bench_association.py does the same for R's 0.435 on six_by_six_n80.)
    ref = R_REFERENCE.set_index("name").loc["seven_by_seven_n37"]
    exact = fisher_freeman_halton(ref["array"])
    assert exact.method == "exact"
    assert fisher_freeman_halton(ref["array"].T).p_value == pytest.approx(exact.p_value, rel=1e-12)
    mc = fisher_freeman_halton(ref["array"], "monte_carlo", seed=37, samples=40_000)
    assert abs(exact.p_value - mc.p_value) < 4 * mc.mc_standard_error
    for r_value in (ref["p_value"], ref["p_value_transposed"]):
        assert abs(r_value - mc.p_value) > 8 * mc.mc_standard_error


@pytest.mark.slow
def test_exact_p_value_is_invariant_to_the_order_of_rows_and_columns():
    rng = np.random.default_rng(3)
    for table in (AREAS, JOB, MP6):
        p = fisher_freeman_halton(table).p_value
        shuffled = table[rng.permutation(table.shape[0])][:, rng.permutation(table.shape[1])]
        assert fisher_freeman_halton(shuffled).p_value == pytest.approx(p, rel=1e-12)
        assert fisher_freeman_halton(shuffled.T).p_value == pytest.approx(p, rel=1e-12)


@pytest.mark.slow
def test_past_the_work_budget_exact_falls_back_to_seeded_monte_carlo_or_raises():
    res = fisher_freeman_halton(AREAS, max_work=1_000, samples=5_000)
    assert res.method == "monte_carlo" and res.seed == FALLBACK_SEED and res.samples == 5_000
    assert "method='monte_carlo'" in res.fallback_reason and "raise max_work" in res.fallback_reason
    assert res.mc_standard_error == pytest.approx(math.sqrt(res.p_value * (1 - res.p_value) / 5_000))
    assert res == fisher_freeman_halton(AREAS, max_work=1_000, samples=5_000)  # deterministic
    exact = fisher_freeman_halton(AREAS).p_value
    assert abs(res.p_value - exact) < 4 * res.mc_standard_error
    hybrid = fisher_freeman_halton(AREAS, "hybrid", max_work=1_000, samples=5_000)
    assert hybrid.method == "monte_carlo" and hybrid.p_value == res.p_value
    with pytest.raises(WorkLimitExceeded, match="method='monte_carlo'"):
        fisher_freeman_halton(AREAS, max_work=1_000, on_limit="raise")
    with pytest.raises(ValueError, match="on_limit"):
        fisher_freeman_halton(AREAS, on_limit="ignore")


def test_a_table_past_the_budget_is_refused_before_its_network_is_built():
    # 5 x 5 with n = 150: the arcs of its path bounds alone are counted past the default budget, so the
    # seeded Monte Carlo p-value comes back without any of them generated
    table = [[6, 6, 9, 7, 5], [9, 6, 6, 7, 5], [8, 6, 6, 9, 6], [2, 7, 5, 3, 10], [5, 4, 6, 3, 4]]
    res = fisher_freeman_halton(table, samples=2_000)
    assert res.method == "monte_carlo" and "arcs for the path bounds" in res.fallback_reason


def test_memory_caps_stop_the_exact_computation(monkeypatch):
    # with a tiny memory for the lists, the audit table needs more values at one stage than fit: Monte Carlo, not a MemoryError
    monkeypatch.setattr(fisher_network, "LIST_BYTES", 50_000)
    with pytest.raises(WorkLimitExceeded, match="bytes for the lists of values"):
        exact_p_value(AREAS)
    res = fisher_freeman_halton(AREAS, samples=2_000)
    assert res.method == "monte_carlo" and "raise max_work" not in res.fallback_reason


@pytest.mark.slow
def test_a_hybrid_search_past_half_its_budget_gives_way_to_the_exact_one():
    # R's orientation makes the hybrid search of this 5 x 5 table cost 20 times the exact search, and no
    # sub-table it would reach can be approximated: the exact p-value answers, within the same budget
    ref = R_REFERENCE.set_index("name").loc["five_by_five_n100"]
    res = fisher_freeman_halton(ref["array"], "hybrid")
    assert res.method == "exact" and res.approximated == 0
    assert res.p_value == pytest.approx(ref["p_value"], rel=1e-9) and res.p_value == pytest.approx(ref["p_value_hybrid"], rel=1e-9)


def test_hybrid_says_which_method_answered():
    big = np.array([[40, 30, 30], [30, 40, 30], [30, 30, 40]])
    res = fisher_freeman_halton(big, "hybrid")
    assert res.method == "hybrid" and res.approximated > 0 and res.mc_standard_error is None
    assert res.p_value != fisher_freeman_halton(big).p_value
    strict = fisher_freeman_halton(big, "hybrid", hybrid_pars=(1e9, 80, 1))  # no sub-table can meet the conditions
    assert strict.method == "exact" and strict.approximated == 0
    assert strict.p_value == pytest.approx(fisher_freeman_halton(big).p_value, rel=1e-12)


@pytest.mark.parametrize(
    "table",
    [[[3, 1], [1, 3]], [[10, 2], [3, 15]], [[0, 5], [7, 1]], [[1, 9], [11, 3]], [[20, 0], [0, 20]], [[2, 7], [8, 2]], [[6, 17], [10, 20]]],
)
def test_fisher_2x2_matches_scipy(table):
    assert fisher_freeman_halton(table).p_value == pytest.approx(stats.fisher_exact(table).pvalue, rel=1e-10)


@pytest.mark.slow
def test_network_matches_brute_force_enumeration():
    rng = np.random.default_rng(7)
    checked = 0
    for shape in [(2, 3), (3, 3), (2, 4), (2, 5)]:
        for _ in range(4):
            table = rng.integers(0, 5, size=shape)
            if (table.sum(0) == 0).any() or (table.sum(1) == 0).any():
                continue
            assert fisher_freeman_halton(table).p_value == pytest.approx(_ffh_brute_force(table), rel=1e-9)
            checked += 1
    assert checked >= 10


def test_table_probability_and_trivial_tables():
    res = fisher_freeman_halton(SAMPLES)
    assert res.table_probability == pytest.approx(math.exp(table_log_probability(SAMPLES)))
    assert math.isclose(
        table_log_probability(TEA), math.log(stats.hypergeom.pmf(3, 8, 4, 4)), rel_tol=1e-12
    )  # 2 x 2: the hypergeometric probability
    assert fisher_freeman_halton([[3, 0, 2]]).p_value == 1.0
    assert fisher_freeman_halton([[3, 0], [2, 0]]).p_value == 1.0
    assert 0 < fisher_freeman_halton(AREAS).p_value <= 1


@pytest.mark.slow
def test_monte_carlo_is_seeded_and_close_to_exact():
    a = fisher_freeman_halton(AREAS, "monte_carlo", seed=11, samples=20_000)
    b = fisher_freeman_halton(AREAS, "monte_carlo", seed=11, samples=20_000)
    c = fisher_freeman_halton(AREAS, "monte_carlo", seed=12, samples=20_000)
    assert a == b and a.seed == 11 and a.samples == 20_000
    assert a.p_value != c.p_value
    exact = fisher_freeman_halton(AREAS).p_value
    se = math.sqrt(exact * (1 - exact) / 20_000)
    assert abs(a.p_value - exact) < 4 * se
    with pytest.raises(ValueError, match="seed"):
        fisher_freeman_halton(AREAS, "monte_carlo")
    with pytest.raises(ValueError):
        fisher_freeman_halton(AREAS, "permutation")


# ----------------------------------------------------------------------------- rank tests


def _expand(table):
    table = np.asarray(table)
    return [np.repeat(np.arange(table.shape[1]), row) for row in table]


@pytest.mark.parametrize("table", [AREAS, SAMPLES, JOB, [[0, 3, 1], [2, 2, 0], [1, 0, 4]]])
def test_kruskal_wallis_matches_scipy(table):
    res = kruskal_wallis(table)
    ref = stats.kruskal(*_expand(table))
    assert res.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    assert res.df == np.asarray(table).shape[0] - 1
    assert res.epsilon_squared == pytest.approx(res.statistic / (np.asarray(table).sum() - 1))


def test_kruskal_wallis_hand_example_with_ties():
    # groups {1, 1, 2} and {2, 3, 3}: mid-ranks 1.5, 1.5, 3.5 | 3.5, 5.5, 5.5; H = 2.5714..., tie factor 1 - 18/210.
    res = kruskal_wallis([[2, 1, 0], [0, 1, 2]])
    h = (12 / 42 * (6.5**2 / 3 + 14.5**2 / 3) - 21) / (1 - 18 / 210)
    assert res.statistic == pytest.approx(h, rel=1e-12)
    with pytest.raises(ValueError):
        kruskal_wallis([[3, 0], [2, 0]])


@pytest.mark.parametrize(("a", "b"), [([6, 17, 10], [17, 20, 10]), ([0, 2, 3], [3, 1, 0]), ([1, 1, 1], [1, 1, 1])])
def test_mann_whitney_matches_scipy_and_pair_counts(a, b):
    res = mann_whitney(a, b)
    x, y = _expand([a, b])
    ref = stats.mannwhitneyu(x, y, method="asymptotic", use_continuity=True)
    assert res.statistic == pytest.approx(ref.statistic)
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-12)
    diff = np.sign(x[:, None] - y[None, :])
    ps = ((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size
    assert res.probability_of_superiority == pytest.approx(ps)
    assert (res.n1, res.n2) == (sum(a), sum(b))


@pytest.mark.slow
def test_mann_whitney_exact_matches_permutation_enumeration():
    a, b = [1, 2, 3], [3, 2, 0]
    x, y = _expand([a, b])
    pooled = np.concatenate([x, y])
    u_obs = mann_whitney(a, b).statistic
    centre = len(x) * len(y) / 2
    us = []
    for idx in itertools.combinations(range(len(pooled)), len(x)):
        mask = np.zeros(len(pooled), bool)
        mask[list(idx)] = True
        us.append(stats.mannwhitneyu(pooled[mask], pooled[~mask], method="asymptotic").statistic)
    us = np.array(us)
    p = np.mean(np.abs(us - centre) >= abs(u_obs - centre) - 1e-9)
    assert mann_whitney(a, b).exact_p_value == pytest.approx(p, rel=1e-12)
    # no difference at all: p-value 1 and probability of superiority one half
    same = mann_whitney([2, 3, 1], [2, 3, 1])
    assert same.exact_p_value == pytest.approx(1.0) and same.probability_of_superiority == 0.5


def test_gammaln_log_probability_sums_to_one():
    tables = list(_tables_with_margins([4, 3], [2, 3, 2]))
    assert sum(math.exp(table_log_probability(t)) for t in tables) == pytest.approx(1.0, rel=1e-12)
    assert table_log_probability([[7]]) == pytest.approx(gammaln(8) * 2 - gammaln(8) - gammaln(8))
