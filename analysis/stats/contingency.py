"""Two-way tables with fixed margins: enumerate every table, and optimise linear functions of the cells exactly.

When only the row and column totals of an r x c table are published, every table of non-negative
integers with those totals is consistent with the publication. This module lists them all
(:func:`enumerate_tables`) and, for measures that are linear in the cells once the margins are
fixed, finds their exact minimum and maximum by linear programming (:func:`linear_bounds`), which
scales to any number of cases.

The set of real tables with given margins is the *transportation polytope*. Its constraint matrix
is totally unimodular, so with integer margins (and integer cell bounds) every vertex is an integer
table; a simplex solver returns a vertex, hence an optimum of a linear objective over the real
polytope is attained by a consistent integer table (Schrijver, *Theory of Linear and Integer
Programming*, 1986, ch. 19; Diaconis and Gangolli, "Rectangular arrays with fixed margins", 1995).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from analysis import choices

#: Default ceiling on the number of tables :func:`enumerate_tables` will build (memory guard).
MAX_TABLES = choices.MAX_TABLES  # the analysis's choice (analysis/choices.py)


def _margins(row_sums: Sequence[int], col_sums: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    rows = np.asarray(row_sums)
    cols = np.asarray(col_sums)
    for name, m in (("row", rows), ("column", cols)):
        if m.ndim != 1 or m.size == 0:
            raise ValueError(f"{name} totals must be a non-empty 1-D sequence, got shape {m.shape}")
        if not np.issubdtype(m.dtype, np.integer):
            as_int = m.astype(np.int64)
            if not np.array_equal(as_int, m):
                raise ValueError(f"{name} totals must be whole numbers, got {m.tolist()}")
            m = as_int
        if (m < 0).any():
            raise ValueError(f"{name} totals must be non-negative, got {m.tolist()}")
    rows, cols = rows.astype(np.int64), cols.astype(np.int64)
    if rows.sum() != cols.sum():
        raise ValueError(f"row totals add up to {rows.sum()} but column totals to {cols.sum()}")
    return rows, cols


def enumerate_tables(row_sums: Sequence[int], col_sums: Sequence[int], *, max_tables: int = MAX_TABLES) -> np.ndarray:
    """Every r x c table of non-negative integers whose rows add up to ``row_sums`` and columns to ``col_sums``.

    Returns an integer array of shape ``(number_of_tables, r, c)``, in lexicographic order of the
    cells read row by row (so the order is deterministic). The (r-1)(c-1) free cells are filled
    one at a time for all partial tables at once (vectorised with NumPy); each cell ranges over
    ``max(0, row remainder - capacity of the later columns) .. min(row remainder, column
    remainder)``, which keeps every partial table completable, so no dead ends are built. The last
    cell of each row and the whole last row are then determined by the margins.

    Raises ``ValueError`` if the margins are negative, not whole, or have different totals, and
    if more than ``max_tables`` partial tables would be built (count them for large margins with
    a smaller case, or use :func:`linear_bounds`, which needs no enumeration).

    Reference: the tables are the integer points of the transportation polytope (Diaconis and
    Gangolli, "Rectangular arrays with fixed margins", 1995).
    """
    rows, cols = _margins(row_sums, col_sums)
    r, c = rows.size, cols.size
    m = 1
    cells: list[list[np.ndarray]] = [[np.empty(0, np.int64)] * c for _ in range(r)]
    col_rem = [np.full(1, cols[j], dtype=np.int64) for j in range(c)]
    for i in range(r - 1):
        row_rem = np.full(m, rows[i], dtype=np.int64)
        for j in range(c - 1):
            tail = np.sum(col_rem[j + 1 :], axis=0)
            lo = np.maximum(0, row_rem - tail)
            hi = np.minimum(row_rem, col_rem[j])
            counts = hi - lo + 1
            total = int(counts.sum())
            if total > max_tables:
                raise ValueError(f"more than {max_tables} partial tables; raise max_tables or use linear_bounds()")
            parent = np.repeat(np.arange(m), counts)
            start = np.cumsum(counts) - counts
            value = lo[parent] + (np.arange(total) - start[parent])
            for ii in range(i):
                cells[ii] = [a[parent] for a in cells[ii]]
            cells[i][:j] = [a[parent] for a in cells[i][:j]]
            cells[i][j] = value
            col_rem = [a[parent] for a in col_rem]
            col_rem[j] = col_rem[j] - value
            row_rem = row_rem[parent] - value
            m = total
        cells[i][c - 1] = row_rem
        col_rem[c - 1] = col_rem[c - 1] - row_rem
    cells[r - 1] = list(col_rem)
    out = np.empty((m, r, c), dtype=np.int64)
    for i in range(r):
        for j in range(c):
            out[:, i, j] = cells[i][j]
    return out


def count_tables(row_sums: Sequence[int], col_sums: Sequence[int], *, max_tables: int = MAX_TABLES) -> int:
    """Number of non-negative integer tables with the given margins (by enumeration; see :func:`enumerate_tables`)."""
    return int(enumerate_tables(row_sums, col_sums, max_tables=max_tables).shape[0])


def expected_table(row_sums: Sequence[int], col_sums: Sequence[int]) -> np.ndarray:
    """The expected-count table under independence, ``E[i, j] = row_i * col_j / n`` (real-valued; zeros if n = 0).

    Reference: the usual independence model for a two-way table (Agresti, *Categorical Data
    Analysis*, 3rd ed., 2013, section 3.2).
    """
    rows, cols = _margins(row_sums, col_sums)
    n = rows.sum()
    if n == 0:
        return np.zeros((rows.size, cols.size))
    return np.outer(rows, cols) / n


def _solve(c: np.ndarray, rows: np.ndarray, cols: np.ndarray, bounds, limits: list[tuple[np.ndarray, float]]) -> np.ndarray | None:
    """A vertex minimising ``c @ x`` over the tables with the margins, the cell ``bounds`` and ``w @ x <= v`` for each limit."""
    r, k = rows.size, cols.size
    a_rows = np.kron(np.eye(r), np.ones(k))
    a_cols = np.kron(np.ones(r), np.eye(k))[:-1]  # one column constraint is implied by the others
    a_eq = np.vstack([a_rows, a_cols])
    b_eq = np.concatenate([rows, cols[:-1]]).astype(float)
    a_ub = np.vstack([w[None, :] for w, _ in limits]) if limits else None
    b_ub = np.array([v for _, v in limits]) if limits else None
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs-ds")
    return res.x if res.status == 0 else None


def _integer_table(x: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray | None:
    table = np.rint(x).astype(np.int64).reshape(rows.size, cols.size)
    ok = np.allclose(x, table.ravel(), atol=1e-6) and np.array_equal(table.sum(1), rows) and np.array_equal(table.sum(0), cols)
    return table if ok else None


def lexicographic_optimum(
    row_sums: Sequence[int],
    col_sums: Sequence[int],
    objectives: Sequence[np.ndarray],
    *,
    maximise: bool = True,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
) -> np.ndarray:
    """The integer table with the given margins that optimises ``objectives`` in turn (ties broken by the next one).

    Each objective is an r x c weight matrix ``W``; the value of a table ``T`` is ``sum(W * T)``.
    The first objective is optimised; the next is then optimised among the tables that keep the
    first at its optimum, and so on. Remaining ties are broken by making the free cells (all but
    the last row and column, which they determine), read row by row, as large as possible
    (``maximise=True``) or as small as possible, one after another, so the table is unique.
    Optional integer ``lower``/``upper`` cell bounds restrict the tables (they keep the constraint
    matrix totally unimodular, so the optimum is still an integer table).

    Each step is a linear programme solved by the HiGHS dual simplex method
    (:func:`scipy.optimize.linprog`, ``method="highs-ds"``), which returns a vertex, i.e. an integer
    table. An optimum is kept as a constraint with a tiny tolerance (objectives are rescaled to a
    largest weight of 1); a step's table is accepted only if, computed exactly on the integer
    table, every earlier objective keeps its optimal value. If a tie-break step fails that check
    (possible only through rounding, with very large weights), tie-breaking stops at the last
    accepted table, which is still optimal for every objective accepted so far. The first
    objective's optimum is always exact.

    Reference: lexicographic (pre-emptive) optimisation of linear programmes, e.g. Isermann,
    "Linear lexicographic optimization", OR Spektrum, 1982.
    """
    rows, cols = _margins(row_sums, col_sums)
    r, k = rows.size, cols.size
    lo = np.zeros(r * k) if lower is None else np.asarray(lower, float).ravel()
    hi = np.full(r * k, np.inf) if upper is None else np.asarray(upper, float).ravel()
    bounds = list(zip(lo, [None if np.isinf(h) else h for h in hi], strict=True))
    sign = -1.0 if maximise else 1.0
    # The free cells (all but the last row and column) determine the rest, so they suffice as tie-breaks.
    tie_breaks = [np.eye(r * k)[i * k + j] for i in range(r - 1) for j in range(k - 1)]
    steps = [np.asarray(w, float).ravel() for w in objectives] + tie_breaks
    steps = [w / np.abs(w).max() if np.abs(w).max() > 0 else w for w in steps]

    x = _solve(np.zeros(r * k), rows, cols, bounds, [])  # any vertex: used as is when nothing is left to choose
    if x is None or (best := _integer_table(x, rows, cols)) is None:
        raise ValueError("no integer table has these margins and cell bounds")
    limits: list[tuple[np.ndarray, float]] = []
    kept: list[np.ndarray] = []
    for i, w in enumerate(steps):
        x = _solve(sign * w, rows, cols, bounds, limits)
        table = None if x is None else _integer_table(x, rows, cols)
        if table is None:
            if i == 0:
                raise ArithmeticError("the simplex solution is not an integer table with the given margins")
            break
        flat = table.ravel()
        if any(not np.isclose(v @ flat, v @ best.ravel(), rtol=1e-12, atol=1e-12) for v in kept):
            break  # rounding let an earlier optimum slip: keep the last exact table
        best = table
        kept.append(w)
        value = float(sign * (w @ flat))
        limits.append((sign * w, value + 1e-9 * max(1.0, abs(value))))
    return best


@dataclass(frozen=True)
class LinearBounds:
    """Minimum and maximum of ``sum(W * T)`` over the tables ``T`` with given margins, with a table attaining each."""

    min: float
    max: float
    min_table: np.ndarray
    max_table: np.ndarray


def linear_bounds(
    row_sums: Sequence[int], col_sums: Sequence[int], weights: np.ndarray, *, tie_breaks: Sequence[np.ndarray] = ()
) -> LinearBounds:
    """Exact minimum and maximum of the linear function ``sum(weights * T)`` over all integer tables ``T`` with the margins.

    Solved by linear programming over the transportation polytope, whose vertices are integer
    tables (see the module docstring), so no enumeration is needed and the cost hardly depends on
    the number of cases. The attaining tables are found by :func:`lexicographic_optimum`: ties are
    broken by ``tie_breaks`` (optimised in the same direction), then by the cells row by row.
    """
    weights = np.asarray(weights, float)
    objectives = [weights, *tie_breaks]
    t_min = lexicographic_optimum(row_sums, col_sums, objectives, maximise=False)
    t_max = lexicographic_optimum(row_sums, col_sums, objectives, maximise=True)
    return LinearBounds(float((weights * t_min).sum()), float((weights * t_max).sum()), t_min, t_max)


def rounded_expected_table(row_sums: Sequence[int], col_sums: Sequence[int]) -> np.ndarray:
    """An integer table with the given margins as close as possible to the independence table (controlled rounding).

    Every cell is the expected count ``E[i, j]`` (see :func:`expected_table`) rounded down or up,
    the margins are kept exactly, and among such tables the one with the smallest total absolute
    difference ``sum |T - E|`` is returned (ties broken as in :func:`lexicographic_optimum`). Such a
    table always exists because ``E`` itself lies in the box-constrained transportation polytope,
    whose vertices are integer. Within the box ``|T - E|`` is linear in ``T``, so this is one
    linear programme.

    Reference: controlled rounding of two-way tables (Cox and Ernst, "Controlled rounding",
    INFOR, 1982).
    """
    rows, cols = _margins(row_sums, col_sums)
    e = expected_table(rows, cols)
    lower = np.floor(e)
    upper = np.ceil(e)
    frac = e - lower
    # On [floor, floor + 1], |T - E| = frac + (T - floor) * (1 - 2 * frac): minimise its linear part.
    return lexicographic_optimum(rows, cols, [1.0 - 2.0 * frac], maximise=False, lower=lower, upper=upper)
