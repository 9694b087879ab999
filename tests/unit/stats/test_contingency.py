"""Tests for analysis.stats.contingency: enumeration of tables with fixed margins and exact linear bounds."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from analysis.stats.contingency import (
    count_tables,
    enumerate_tables,
    expected_table,
    lexicographic_optimum,
    linear_bounds,
    rounded_expected_table,
)


def brute_force(rows, cols):
    """All tables with the margins, sorted lexicographically: try every value of the free cells (all but the
    last row and column), fill in the rest from the margins and keep the non-negative results."""
    r, c = len(rows), len(cols)
    top = max([*rows, *cols, 0])
    found = []
    for cells in itertools.product(range(top + 1), repeat=(r - 1) * (c - 1)):
        t = np.zeros((r, c), dtype=np.int64)
        t[: r - 1, : c - 1] = np.array(cells).reshape(r - 1, c - 1)
        t[: r - 1, c - 1] = np.asarray(rows[: r - 1]) - t[: r - 1, : c - 1].sum(1)
        t[r - 1, :] = np.asarray(cols) - t[: r - 1, :].sum(0)
        if (t >= 0).all() and (t.sum(1) == rows).all():
            found.append(t.tolist())
    return np.array(sorted(found)).reshape(len(found), r, c)


def random_margins(rng, r, c, n):
    rows = rng.multinomial(n, np.ones(r) / r)
    cols = rng.multinomial(n, np.ones(c) / c)
    return rows, cols


def test_small_case_listed_by_hand():
    # Rows (2, 1), columns (1, 1, 1): the single case of row 2 sits in one of three columns.
    tables = enumerate_tables([2, 1], [1, 1, 1])
    expected = [
        [[0, 1, 1], [1, 0, 0]],
        [[1, 0, 1], [0, 1, 0]],
        [[1, 1, 0], [0, 0, 1]],
    ]
    assert tables.tolist() == expected


@pytest.mark.parametrize(("r", "c", "n"), [(2, 2, 5), (2, 3, 5), (3, 2, 4), (3, 3, 4), (3, 3, 5), (2, 4, 4), (4, 2, 3)])
def test_matches_brute_force_in_lexicographic_order(r, c, n):
    rng = np.random.default_rng(1000 * r + 10 * c + n)
    for _ in range(3):
        rows, cols = random_margins(rng, r, c, n)
        got = enumerate_tables(rows, cols)
        want = brute_force(rows, cols)
        assert got.shape == want.shape
        assert np.array_equal(got, want)


def test_every_table_is_consistent_and_distinct():
    tables = enumerate_tables([27, 6, 0], [10, 17, 6])
    assert tables.dtype == np.int64
    assert (tables >= 0).all()
    assert (tables.sum(axis=2) == [27, 6, 0]).all()
    assert (tables.sum(axis=1) == [10, 17, 6]).all()
    assert len({t.tobytes() for t in tables}) == len(tables)


@pytest.mark.parametrize("n", range(0, 9))
def test_count_of_3x3_tables_with_equal_margins(n):
    # MacMahon: 3 x 3 tables with every row and column total n number (n+1)(n+2)(n^2+3n+4)/8 (OEIS A002817).
    assert count_tables([n] * 3, [n] * 3) == (n + 1) * (n + 2) * (n * n + 3 * n + 4) // 8


@pytest.mark.parametrize(("a", "b", "c", "d"), [(5, 3, 4, 4), (0, 3, 1, 2), (7, 0, 7, 0), (2, 9, 6, 5)])
def test_count_of_2x2_tables(a, b, c, d):
    # One free cell x = T[0, 0] with max(0, a - d) <= x <= min(a, c).
    assert count_tables([a, b], [c, d]) == min(a, c) - max(0, a - d) + 1


def test_degenerate_shapes():
    assert enumerate_tables([0, 0], [0, 0, 0]).tolist() == [[[0, 0, 0], [0, 0, 0]]]
    assert enumerate_tables([4], [1, 3]).tolist() == [[[1, 3]]]
    assert enumerate_tables([1, 3], [4]).tolist() == [[[1], [3]]]
    assert enumerate_tables([1], [1]).tolist() == [[[1]]]


@pytest.mark.parametrize(
    ("rows", "cols", "message"),
    [([3, 1], [2, 1], "add up"), ([-1, 2], [1, 0], "non-negative"), ([1.5, 0.5], [1, 1], "whole"), ([], [], "non-empty")],
)
def test_bad_margins_raise(rows, cols, message):
    with pytest.raises(ValueError, match=message):
        enumerate_tables(rows, cols)


def test_max_tables_guard():
    with pytest.raises(ValueError, match="max_tables"):
        enumerate_tables([10, 10, 10], [10, 10, 10], max_tables=100)


def test_expected_table():
    e = expected_table([27, 6, 0], [10, 17, 6])
    assert np.allclose(e.sum(1), [27, 6, 0]) and np.allclose(e.sum(0), [10, 17, 6])
    assert e[0, 0] == pytest.approx(27 * 10 / 33)
    assert np.array_equal(expected_table([0, 0], [0, 0]), np.zeros((2, 2)))


@pytest.mark.parametrize(("r", "c", "n"), [(3, 3, 12), (2, 3, 9), (3, 4, 10), (4, 4, 8)])
@pytest.mark.slow
def test_linear_bounds_equal_enumeration(r, c, n):
    rng = np.random.default_rng(r * 100 + c * 10 + n)
    for _ in range(4):
        rows, cols = random_margins(rng, r, c, n)
        tables = enumerate_tables(rows, cols)
        weights = rng.normal(size=(r, c))
        values = (tables * weights).sum(axis=(1, 2))
        lb = linear_bounds(rows, cols, weights)
        assert lb.min == pytest.approx(values.min(), abs=1e-9)
        assert lb.max == pytest.approx(values.max(), abs=1e-9)
        for t in (lb.min_table, lb.max_table):
            assert t.dtype == np.int64
            assert (t.sum(1) == rows).all() and (t.sum(0) == cols).all()
        assert (lb.min_table * weights).sum() == pytest.approx(lb.min)
        assert (lb.max_table * weights).sum() == pytest.approx(lb.max)


def test_linear_bounds_large_n_are_integer_tables():
    rows, cols = [6200, 3100, 700], [2900, 5200, 1900]
    lb = linear_bounds(rows, cols, np.eye(3))
    # Most cases on the diagonal: the sum of min(row_i, col_i) (attainable here); fewest: none, e.g.
    # [[0, 5200, 1000], [2200, 0, 900], [700, 0, 0]] has these margins and an empty diagonal.
    assert lb.max == 2900 + 3100 + 700
    assert lb.min == 0
    assert (lb.max_table.sum(1) == rows).all() and (lb.max_table.sum(0) == cols).all()


def test_lexicographic_tie_breaks_are_deterministic():
    # Every 2 x 2 table with margins (1, 1), (1, 1) has the same zero objective: the cells decide.
    assert lexicographic_optimum([1, 1], [1, 1], [np.zeros((2, 2))], maximise=True).tolist() == [[1, 0], [0, 1]]
    assert lexicographic_optimum([1, 1], [1, 1], [np.zeros((2, 2))], maximise=False).tolist() == [[0, 1], [1, 0]]
    # The first objective wins over the tie-break.
    assert lexicographic_optimum([1, 1], [1, 1], [np.array([[0, 1], [0, 0]])], maximise=True).tolist() == [[0, 1], [1, 0]]


@pytest.mark.parametrize(("rows", "cols"), [([27, 6, 0], [10, 17, 6]), ([5, 4, 3], [2, 6, 4]), ([7, 1, 2, 3], [4, 4, 4, 1])])
@pytest.mark.slow
def test_rounded_expected_table_is_closest_controlled_rounding(rows, cols):
    e = expected_table(rows, cols)
    t = rounded_expected_table(rows, cols)
    assert (t.sum(1) == rows).all() and (t.sum(0) == cols).all()
    assert ((t == np.floor(e)) | (t == np.ceil(e))).all()
    tables = enumerate_tables(rows, cols)
    in_box = ((tables >= np.floor(e)) & (tables <= np.ceil(e))).all(axis=(1, 2))
    distances = np.abs(tables[in_box] - e).sum(axis=(1, 2))
    assert np.abs(t - e).sum() == pytest.approx(distances.min())
