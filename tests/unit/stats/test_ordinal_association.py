"""Tests for analysis.stats.ordinal_association: gamma on Agresti's published example, tau-b and rho against SciPy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis.stats import ordinal_association as oa
from analysis.stats.agreement import agreement_bounds, tables_of

# Agresti, An Introduction to Categorical Data Analysis, 2nd ed., 2007, section 2.7 (Table 2.13):
# income (rows, lowest first) by job satisfaction (columns, very dissatisfied first), GSS 1996.
JOB_SATISFACTION = np.array([[1, 3, 10, 6], [2, 3, 10, 7], [1, 6, 14, 12], [0, 1, 9, 11]])


def consistent():
    return tables_of(agreement_bounds([27, 6, 0], [10, 17, 6])[1])


def seeded_tables():
    rng = np.random.default_rng(20190210)
    return [rng.integers(0, 9, size=(k, k)) for k in (2, 3, 3, 4, 5)]


def expand(table) -> tuple[np.ndarray, np.ndarray]:
    """Case-level data: each case's row and column position."""
    t = np.asarray(table, dtype=int)
    i, j = np.indices(t.shape)
    return np.repeat(i.ravel(), t.ravel()), np.repeat(j.ravel(), t.ravel())


def all_tables():
    return [*consistent(), *seeded_tables(), JOB_SATISFACTION]


def test_gamma_on_agresti_job_satisfaction():
    p, q = oa.concordance_counts(JOB_SATISFACTION)
    assert (p, q) == (1331, 849)
    assert round(oa.goodman_kruskal_gamma(JOB_SATISFACTION), 3) == 0.221


def test_gamma_hand_checked():
    # P = 2 * 2, Q = 1 * 1
    assert oa.goodman_kruskal_gamma([[2, 1], [1, 2]]) == pytest.approx(3 / 5)
    # one grade kinder with the same ranking: no discordant pair
    kinder = np.array([[10, 17, 0], [0, 0, 6], [0, 0, 0]])
    assert oa.goodman_kruskal_gamma(kinder) == 1.0
    assert oa.goodman_kruskal_gamma(kinder[::-1]) == -1.0


@pytest.mark.parametrize("table", all_tables(), ids=lambda t: "x".join(map(str, np.shape(t))) + ":" + "".join(map(str, np.ravel(t)[:4])))
def test_tau_b_and_rho_match_scipy_on_case_level_data(table):
    x, y = expand(table)
    assert oa.kendall_tau_b(table) == pytest.approx(stats.kendalltau(x, y, variant="b").statistic, abs=1e-12)
    assert oa.spearman_rho(table) == pytest.approx(stats.spearmanr(x, y).statistic, abs=1e-12)


@pytest.mark.slow
def test_stack_equals_table_by_table():
    tabs = consistent()
    for f in (oa.goodman_kruskal_gamma, oa.kendall_tau_b, oa.spearman_rho):
        stacked = f(tabs)
        assert stacked.shape == (len(tabs),)
        np.testing.assert_allclose(stacked, [f(t) for t in tabs], rtol=0, atol=0)


def test_gamma_range_over_consistent_tables_is_minus_one_to_one():
    g = oa.goodman_kruskal_gamma(consistent())
    assert g.min() == -1.0 and g.max() == 1.0


def test_undefined_cases_are_nan():
    one_row = [[3, 2, 1], [0, 0, 0], [0, 0, 0]]
    assert np.isnan(oa.kendall_tau_b(one_row)) and np.isnan(oa.spearman_rho(one_row))
    assert np.isnan(oa.goodman_kruskal_gamma(one_row))  # every pair tied on the rows
    assert np.isnan(oa.goodman_kruskal_gamma(np.zeros((3, 3))))


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        oa.goodman_kruskal_gamma([[1, 2, 3]])
    with pytest.raises(ValueError):
        oa.spearman_rho([[1, -1], [0, 2]])
