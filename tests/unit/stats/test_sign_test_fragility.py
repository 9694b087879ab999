"""Tests for analysis.stats.sign_test_fragility: full enumeration of tables and of moves, scipy's binomtest, the 3 x 3 closed form."""

from __future__ import annotations

import functools
import itertools

import numpy as np
import pytest
from scipy import stats

from analysis.stats.contingency import enumerate_tables
from analysis.stats.pairing_extremes import p_value_extremes
from analysis.stats.sign_test_fragility import sign_test_fragility, sign_test_max_p

FORCE, INSPECTORS = (27, 6, 0), (10, 17, 6)  # the published totals of the 33 force-selected cases, best first


def binomtest_p(better: int, worse: int) -> float:
    m = better + worse
    return 1.0 if m == 0 else float(stats.binomtest(better, m, 0.5).pvalue)


def brute_max_p(rows, cols) -> float:
    """Largest sign-test p over every table with the margins, by enumeration and scipy's binomtest."""
    return _brute_max_p(tuple(int(v) for v in rows), tuple(int(v) for v in cols))


@functools.cache
def _brute_max_p(rows, cols) -> float:
    tables = enumerate_tables(rows, cols)
    k = len(rows)
    better = tables[:, np.triu_indices(k, 1)[0], np.triu_indices(k, 1)[1]].sum(axis=1)
    worse = tables[:, np.tril_indices(k, -1)[0], np.tril_indices(k, -1)[1]].sum(axis=1)
    pairs = set(zip(better.tolist(), worse.tolist(), strict=True))
    return max(binomtest_p(b, w) for b, w in pairs)


def brute_fragility(rows, cols, alpha, each_grade_once):
    """Fewest moves towards the better grades, and every moved total attaining it, by trying every set of moves."""
    cols = np.asarray(cols)
    k = cols.size
    caps = cols[1:] if each_grade_once else [int(cols.sum())] * (k - 1)
    best, totals = None, []
    for x in itertools.product(*(range(int(c) + 1) for c in caps)):
        moved = cols.copy()
        moved[:-1] += x
        moved[1:] -= x
        if (moved < 0).any() or brute_max_p(rows, moved) < alpha:
            continue
        if best is None or sum(x) < best:
            best, totals = sum(x), [tuple(int(v) for v in moved)]
        elif sum(x) == best:
            totals.append(tuple(int(v) for v in moved))
    return best, totals


def random_margins(rng, k_max=4, n_max=10, kinder_first=False):
    """Random margins of the same n; with ``kinder_first`` the first grader's totals lean to the better grades."""
    k = int(rng.integers(2, k_max + 1))
    n = int(rng.integers(0, n_max + 1))
    lean = np.arange(k, 0, -1, dtype=float) ** 2 if kinder_first else np.ones(k)
    return rng.multinomial(n, rng.dirichlet(lean)), rng.multinomial(n, rng.dirichlet(lean[::-1]))


@pytest.mark.slow
def test_largest_p_matches_enumeration_on_random_small_margins():
    rng = np.random.default_rng(20240517)
    for _ in range(50):
        rows, cols = random_margins(rng, k_max=5, n_max=11)
        res = sign_test_max_p(rows, cols)
        assert res.p_value == pytest.approx(brute_max_p(rows, cols), rel=1e-12, abs=1e-15), (rows, cols)
        # the table returned has the margins and the p-value reported
        assert (res.table.sum(axis=1) == rows).all() and (res.table.sum(axis=0) == cols).all() and (res.table >= 0).all()
        assert res.p_value == pytest.approx(binomtest_p(res.better, res.worse), rel=1e-12)


@pytest.mark.slow
def test_largest_p_matches_the_three_by_three_closed_form():
    rng = np.random.default_rng(7)
    for _ in range(15):
        n = int(rng.integers(20, 90))
        rows, cols = rng.multinomial(n, rng.dirichlet(np.ones(3))), rng.multinomial(n, rng.dirichlet(np.ones(3)))
        table = p_value_extremes(rows, cols)["sign_test_p"][1]
        k_better, k_worse = table[np.triu_indices(3, 1)].sum(), table[np.tril_indices(3, -1)].sum()
        assert sign_test_max_p(rows, cols).p_value == pytest.approx(binomtest_p(int(k_better), int(k_worse)), rel=1e-12), (rows, cols)


@pytest.mark.parametrize("each_grade_once", [True, False])
@pytest.mark.slow
def test_fragility_matches_trying_every_set_of_moves(each_grade_once):
    rng = np.random.default_rng(11 if each_grade_once else 12)
    seen_moves = set()
    for _ in range(20):
        rows, cols = random_margins(rng, k_max=4, n_max=9 if each_grade_once else 7, kinder_first=True)
        alpha = 0.3  # small n: a high alpha makes moves necessary more often
        res = sign_test_fragility(rows, cols, alpha, each_grade_once=each_grade_once)
        best, totals = brute_fragility(rows, cols, alpha, each_grade_once)
        assert res.moves == best, (rows, cols)
        if best is not None:
            assert res.col_sums in totals
            assert res.p_value >= alpha and res.p_value == pytest.approx(brute_max_p(rows, res.col_sums), rel=1e-12)
            assert sum(res.moves_per_cut) == res.moves
        seen_moves.add(best)
    assert {0, 1, 2} <= seen_moves  # the cases tried include findings that need no, one and several moves


@pytest.mark.slow
def test_gwent_figures_need_seven_kinder_grades():
    res = sign_test_fragility(FORCE, INSPECTORS)
    assert res.p_value_before == pytest.approx(brute_max_p(FORCE, INSPECTORS), rel=1e-12) and res.p_value_before < 0.05
    assert res.moves == 7 and res.moves_per_cut == (7, 0) and res.col_sums == (17, 10, 6)
    assert res.p_value >= 0.05 and res.p_value == pytest.approx(brute_max_p(FORCE, res.col_sums), rel=1e-12)
    # independently: every way of moving six of the inspectors' grades one step kinder leaves p < 0.05 under every pairing
    for x0 in range(0, 7):
        x1 = 6 - x0
        moved = (10 + x0, 17 - x0 + x1, 6 - x1)
        assert brute_max_p(FORCE, moved) < 0.05
    assert sign_test_fragility(FORCE, INSPECTORS, each_grade_once=False).moves == 7


@pytest.mark.slow
def test_moving_towards_the_worse_grades_mirrors_the_scale():
    rows, cols = (10, 17, 6), (27, 6, 0)
    res = sign_test_fragility(rows, cols, towards="worse")
    mirror = sign_test_fragility(rows[::-1], cols[::-1])
    assert res.moves == mirror.moves
    assert res.moves_per_cut == mirror.moves_per_cut[::-1] and res.col_sums == mirror.col_sums[::-1]
    assert res.p_value == pytest.approx(mirror.p_value)


@pytest.mark.slow
def test_no_moves_when_the_finding_is_already_not_significant():
    res = sign_test_fragility((3, 4, 3), (2, 5, 3))
    assert res.p_value_before >= 0.05 and res.moves == 0 and res.col_sums == (2, 5, 3) and res.moves_per_cut == (0, 0)


def test_no_answer_when_moving_every_grade_one_step_is_not_enough():
    # the first grader gives every case the best grade and the second the worst: one step each leaves them all apart
    res = sign_test_fragility((12, 0, 0), (0, 0, 12))
    assert res.moves is None and res.col_sums is None and res.p_value_before < 0.05
    assert sign_test_fragility((12, 0, 0), (0, 0, 12), each_grade_once=False).moves == 14  # seven grades two steps each


@pytest.mark.parametrize(
    ("rows", "cols", "kwargs", "message"),
    [
        ((1, 2), (1, 1, 1), {}, "same grades"),
        ((1, 2, 3), (1, 1, 1), {}, "add up"),
        ((1, -2, 3), (1, 1, -1), {}, "non-negative"),
        ((1.5, 1, 1), (1, 1, 1.5), {}, "whole"),
        ((3,), (3,), {}, "two or more"),
        ((1, 2, 3), (3, 2, 1), {"towards": "kinder"}, "towards"),
        ((1, 2, 3), (3, 2, 1), {"alpha": 1.0}, "alpha"),
    ],
)
def test_bad_input_is_refused(rows, cols, kwargs, message):
    with pytest.raises(ValueError, match=message):
        sign_test_fragility(rows, cols, **kwargs)


@pytest.mark.slow
def test_the_exact_bisection_behind_the_fast_path_agrees_with_enumeration():
    """The slower exact search, used only if the polygon's best point had no table, gives the same largest p."""
    from analysis.stats.sign_test_fragility import _bisect, _p_matrix

    rng = np.random.default_rng(3)
    for _ in range(15):
        rows, cols = random_margins(rng, k_max=4, n_max=10)
        table = _bisect(np.asarray(rows), np.asarray(cols), _p_matrix(int(rows.sum())), 1.0)
        k = len(rows)
        p = binomtest_p(int(table[np.triu_indices(k, 1)].sum()), int(table[np.tril_indices(k, -1)].sum()))
        assert p == pytest.approx(brute_max_p(rows, cols), rel=1e-12), (rows, cols)
