"""Tests of the exact Fisher-Freeman-Halton network: exact rational arithmetic, brute force, the path bounds, the 2 x c pass, the caps and the hybrid."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from scipy.special import gammaln

from analysis.stats import _fisher_kernels as kern
from analysis.stats import fisher_network
from analysis.stats.contingency import enumerate_tables
from analysis.stats.fisher_network import DEFAULT_MAX_WORK, WorkLimitExceeded, _Network, exact_p_value, hybrid_p_value, orient

JOB = np.array([[1, 2, 1, 0], [3, 3, 6, 1], [10, 10, 14, 9], [6, 7, 12, 11]])
AREAS = np.array([[4, 4, 2], [5, 4, 3], [2, 6, 2], [3, 4, 9], [2, 5, 2], [3, 3, 0], [1, 5, 3], [0, 6, 2]])


def _rational_p_value(table) -> Fraction:
    """The p-value in exact rational arithmetic, over every table with the margins (R's rule: P <= P_obs (1 + 1e-7)).

    With D(T) = prod x_ij!, P(T) = prod R_i! prod C_j! / (n! D(T)), and P(T) <= P_obs (1 + 10^-7)
    exactly when D_obs 10^7 <= D(T) (10^7 + 1): integers throughout.
    """
    table = np.asarray(table)
    rows, cols, n = table.sum(axis=1), table.sum(axis=0), int(table.sum())

    def d(t) -> int:
        return math.prod(math.factorial(int(v)) for v in np.ravel(t))

    d_obs = d(table)
    numerator = math.prod(math.factorial(int(v)) for v in (*rows, *cols))
    total = Fraction(0)
    for t in enumerate_tables(rows, cols):
        dt = d(t)
        if d_obs * 10**7 <= dt * (10**7 + 1):
            total += Fraction(1, dt)
    return total * Fraction(numerator, math.factorial(n))


def _random_tables(seed: int, shapes, count: int, high: int = 5):
    rng = np.random.default_rng(seed)
    for shape in shapes:
        made = 0
        while made < count:
            table = rng.integers(0, high, size=shape)
            if (table.sum(0) == 0).any() or (table.sum(1) == 0).any():
                continue
            made += 1
            yield table


# ----------------------------------------------------------------------------- exact values


@pytest.mark.parametrize(
    "table",
    [
        [[3, 1], [1, 3]],
        [[10, 2], [3, 15]],
        [[5, 1, 5], [1, 1, 5]],
        [[0, 3, 1], [2, 2, 0], [1, 0, 4]],
        [[5, 0, 0], [0, 5, 0], [0, 0, 5]],
        [[4, 4, 4], [4, 4, 4], [4, 4, 4]],
        [[2, 3, 1], [4, 1, 2]],
        [[3, 1, 0, 2], [0, 2, 3, 1], [1, 1, 1, 1]],
        [[2, 2, 2, 2], [2, 2, 2, 2], [1, 3, 1, 3]],
        [[4, 0, 1], [0, 3, 1], [1, 1, 2], [2, 0, 0]],
    ],
)
@pytest.mark.slow
def test_exact_p_value_equals_exact_rational_arithmetic(table):
    exact = _rational_p_value(table)
    assert exact_p_value(table) == pytest.approx(float(exact), rel=1e-12)


@pytest.mark.slow
def test_network_matches_brute_force_on_random_tables_of_many_shapes():
    shapes = [(2, 3), (3, 2), (2, 5), (5, 2), (3, 3), (3, 4), (4, 3), (2, 6)]
    tables = [*_random_tables(7, shapes, 3, high=4), *_random_tables(8, [(4, 4), (3, 5)], 2, high=3)]
    for table in tables:
        assert exact_p_value(table) == pytest.approx(float(_rational_p_value(table)), rel=1e-10)
    assert len(tables) == 3 * len(shapes) + 4


@pytest.mark.slow
def test_tables_with_equal_margins_where_one_ordering_stands_for_many():
    # rows filled among equal column totals are generated once with their number of orderings
    for table in (
        [[2, 2, 2, 2], [2, 2, 2, 2], [2, 2, 2, 2]],
        [[1, 1, 1, 1, 1], [1, 1, 1, 1, 1], [2, 0, 1, 1, 1]],
        [[3, 3, 3], [3, 3, 3], [3, 3, 3]],
    ):
        assert exact_p_value(table) == pytest.approx(float(_rational_p_value(table)), rel=1e-12)


def test_invariant_to_transposing_and_permuting_a_hard_table():
    rng = np.random.default_rng(3)
    p = exact_p_value(JOB)
    for _ in range(3):
        shuffled = JOB[rng.permutation(4)][:, rng.permutation(4)]
        assert exact_p_value(shuffled) == pytest.approx(p, rel=1e-12)
        assert exact_p_value(shuffled.T) == pytest.approx(p, rel=1e-12)


def test_three_by_three_with_three_hundred_cases_in_every_orientation():
    table = np.array([[40, 30, 30], [30, 40, 30], [30, 30, 40]]) + np.array([[0, 1, 0], [0, 0, 2], [1, 0, 0]])
    p = exact_p_value(table)
    assert 0 < p < 1
    for other in (table.T, table[::-1], table[:, [2, 0, 1]]):
        assert exact_p_value(other) == pytest.approx(p, rel=1e-12)


def test_two_by_c_pass_agrees_with_the_general_network():
    tables = list(_random_tables(19, [(2, 3), (2, 4), (2, 7), (3, 2), (6, 2)], 4, high=9))
    one_pass = [exact_p_value(t) for t in tables]

    def general(table):
        arr, lf, log_k, thr = fisher_network._prepare(table, fisher_network.LOG_TOLERANCE)
        rows, cols = orient(arr)
        return _Network(rows, cols, lf, 1e9).p_value(log_k, thr)

    for table, p in zip(tables, one_pass, strict=True):
        assert general(table) == pytest.approx(p, rel=1e-12)


def test_two_by_two_is_the_hypergeometric_sum():
    for table in ([[3, 1], [1, 3]], [[0, 5], [7, 1]], [[20, 0], [0, 20]], [[6, 17], [10, 20]]):
        assert exact_p_value(table) == pytest.approx(stats.fisher_exact(table).pvalue, rel=1e-12)


# ----------------------------------------------------------------------------- path bounds


def _extremes(at: np.ndarray, values: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    low, high = np.full(m, np.inf), np.full(m, -np.inf)
    np.minimum.at(low, at, values)
    np.maximum.at(high, at, values)
    return low, high


@pytest.mark.slow
def test_path_bounds_are_the_extreme_partial_and_remaining_paths():
    # for every node of every stage: the smallest and largest value before it and after it, over all tables through it
    for table in _random_tables(11, [(3, 3), (4, 3), (3, 4)], 2, high=4):
        rows, cols = orient(table)
        lf = gammaln(np.arange(table.sum() + 1) + 1.0)
        net = _Network(rows, cols, lf, 1e9)
        tables = enumerate_tables(rows, cols)
        logs = gammaln(tables + 1.0).sum(axis=2)  # per table and row
        for k in range(len(rows) + 1):
            nodes = np.sort(cols - tables[:, :k].sum(axis=1), axis=1)
            found, which = np.unique(nodes, axis=0, return_inverse=True)
            assert {tuple(u) for u in found} == {tuple(u) for u in net.nodes[k]}  # the listed nodes are those tables pass through
            index = {tuple(u): i for i, u in enumerate(net.nodes[k])}
            at = np.array([index[tuple(u)] for u in found])[which.ravel()]
            lo, hi = _extremes(at, logs[:, k:].sum(axis=1), len(net.nodes[k]))
            np.testing.assert_allclose(net.lo[k], lo, rtol=0, atol=2e-9)
            np.testing.assert_allclose(net.hi[k], hi, rtol=0, atol=2e-9)
            if 0 < k <= len(rows) - 2:  # bounds on the path so far, from the root (every path undecided)
                net._ensure_past(k, 0, fisher_network._List.single(1))
                lo, hi = _extremes(at, logs[:, :k].sum(axis=1), len(net.nodes[k]))
                np.testing.assert_allclose(net.past_lo[k], lo, rtol=0, atol=1e-9)
                np.testing.assert_allclose(net.past_hi[k], hi, rtol=0, atol=1e-9)


def test_two_row_bounds_are_the_extreme_completions():
    rng = np.random.default_rng(17)
    lf = gammaln(np.arange(80) + 1.0)
    for _ in range(40):
        u = np.sort(rng.integers(0, 12, size=(1, int(rng.integers(2, 6)))), axis=1)
        first = int(rng.integers(0, u.sum() + 1))
        low, high = kern.two_row_bounds(u, first, lf)
        values = [
            lf[list(x)].sum() + lf[u[0] - np.array(x)].sum() for x in itertools.product(*(range(v + 1) for v in u[0])) if sum(x) == first
        ]
        assert low[0] == pytest.approx(min(values), abs=1e-9) and high[0] == pytest.approx(max(values), abs=1e-9)


def test_arcs_fold_orderings_of_equal_columns_with_their_multiplicity():
    # every filling of a row among columns (3, 3, 3, 5) is generated once up to orderings of the equal columns
    lf = gammaln(np.arange(20) + 1.0)
    u = np.array([3, 3, 3, 5])
    net_nodes = kern.enumerate_nodes(np.array([3, 3, 3, 5]), 14 - 4, 10**6)[0]
    radix = np.array([1, 4, 16])
    keys = kern.node_keys(net_nodes, radix)
    slots = kern.node_table(keys)
    child, term, mult = np.zeros(1000, np.int64), np.zeros(1000), np.zeros(1000)
    na = kern.arcs_of(u, 4, lf, np.array([math.factorial(i) for i in range(5)], float), radix, slots, keys, child, term, mult)
    fillings = [x for x in itertools.product(*(range(v + 1) for v in u)) if sum(x) == 4]
    assert mult[:na].sum() == len(fillings)
    assert na < len(fillings)
    by_child: dict = {}
    for x in fillings:
        node = tuple(np.sort(u - np.array(x)))
        by_child[node] = by_child.get(node, 0) + 1
    got: dict = {}
    for a in range(na):
        node = tuple(net_nodes[child[a]])
        got[node] = got.get(node, 0) + mult[a]
    assert got == by_child


def test_nodes_are_every_sorted_vector_under_the_column_totals():
    cap = np.array([1, 2, 2, 4])
    nodes, m = kern.enumerate_nodes(cap, 5, 10**6)
    brute = {tuple(sorted(w)) for w in itertools.product(*(range(c + 1) for c in cap)) if sum(w) == 5}
    assert m == len(brute) and {tuple(w) for w in nodes} == brute


# ----------------------------------------------------------------------------- cost known before the work


@pytest.mark.slow
def test_large_tables_are_refused_before_their_costly_work():
    # 3 x 3 with n = 1,000: two cheap steps, then the third is counted and refused
    big = [[300, 50, 20], [100, 200, 30], [50, 50, 200]]
    report: dict = {}
    with pytest.raises(WorkLimitExceeded, match=f"needs more than {DEFAULT_MAX_WORK:,} arcs and list entries"):
        exact_p_value(big, report=report)
    assert report["work"] <= DEFAULT_MAX_WORK and len(report["steps"]) <= 2
    # 5 x 5 with n = 150: refused on the arcs of the path bounds alone, before any of them is generated
    with pytest.raises(WorkLimitExceeded, match="arcs for the path bounds"):
        exact_p_value([[6, 6, 9, 7, 5], [9, 6, 6, 7, 5], [8, 6, 6, 9, 6], [2, 7, 5, 3, 10], [5, 4, 6, 3, 4]], report=report)
    assert report["steps"] == [] and report["work"] == 0


def test_steps_are_counted_and_refused_before_they_are_taken():
    report: dict = {}
    full = exact_p_value(JOB, report=report)
    needed = report["work"]
    for budget in (needed * 0.9, needed * 0.5):
        partial: dict = {}
        with pytest.raises(WorkLimitExceeded):
            exact_p_value(JOB, max_work=budget, report=partial)
        assert partial["work"] <= budget  # what was spent never exceeds the budget
    assert exact_p_value(JOB, max_work=needed) == full


def test_size_caps_stop_the_exact_computation(monkeypatch):
    monkeypatch.setattr(fisher_network, "LIST_BYTES", 100_000)
    with pytest.raises(WorkLimitExceeded, match="bytes for the lists of values"):
        exact_p_value(AREAS)
    monkeypatch.setattr(fisher_network, "LIST_BYTES", 2**30)
    monkeypatch.setattr(fisher_network, "MAX_NODES", 100)
    with pytest.raises(WorkLimitExceeded, match="nodes in the network"):
        exact_p_value(AREAS)


def test_two_by_c_pass_refuses_past_its_budget():
    long = np.array([[12, 9, 11, 8, 10, 13, 7, 10, 9, 11], [8, 11, 9, 12, 10, 7, 13, 10, 11, 9]])
    report: dict = {}
    p = exact_p_value(long, report=report)
    with pytest.raises(WorkLimitExceeded):
        exact_p_value(long, max_work=report["work"] / 2)
    assert exact_p_value(long, max_work=report["work"]) == p


# ----------------------------------------------------------------------------- hybrid


def test_chi_squared_tail_matches_scipy():
    for df in (1, 2, 3, 7, 12, 35):
        for x in (0.0, 0.01, 0.5, 1.0, 3.0, df, 2 * df + 5, 60.0, 200.0):
            assert kern.chi2_sf(x, float(df)) == pytest.approx(stats.chi2.sf(x, df), rel=1e-12, abs=1e-300)


def test_hybrid_without_any_sub_table_meeting_the_conditions_is_exact():
    p, approximated = hybrid_p_value(JOB, expect=1e9)
    assert approximated == 0 and p == pytest.approx(exact_p_value(JOB), rel=1e-12)


def test_hybrid_approximates_large_sub_tables_and_stays_close_to_exact():
    table = np.array([[40, 30, 30], [30, 40, 30], [30, 30, 40]])
    p, approximated = hybrid_p_value(table)
    exact = exact_p_value(table)
    assert approximated > 0 and p != exact and abs(p / exact - 1) < 0.05


def test_the_warm_up_compiles_every_loop_the_search_calls():
    import re

    from analysis.stats.fisher_network import kernels_cached, warm_up

    source = Path(fisher_network.__file__).read_text(encoding="utf-8")
    called = set(re.findall(r"\b(?:kern|self\.k)\.(\w+)\(", source)) | set(
        re.findall(r"from analysis.stats._fisher_kernels import (\w+)", source)
    )
    assert len(called) >= 10 and called <= set(vars(kern))
    assert warm_up() >= len(called)
    assert sorted(name for name in called if not getattr(kern, name).signatures) == []
    assert kernels_cached()
