"""How robust a paired sign test is when only the two graders' totals are known: its largest p-value, and how many grades would have to change.

Two graders grade the same ``n`` cases on ``k`` ordered grades (best first), and only each grader's
totals per grade are published. Every ``k x k`` table of non-negative integers with those margins
(rows: the first grader, columns: the second) is a possible pairing. The exact two-sided sign test
of "first grader better" against "first grader worse" (ties set aside,
:func:`analysis.stats.agreement.sign_test`) depends on a table only through ``better`` (cells above
the diagonal) and ``worse`` (below it), and its p-value differs from table to table.

- :func:`sign_test_max_p` finds the largest p-value over the consistent tables (the pairing least
  favourable to a finding of a difference), for any ``k``.
- :func:`sign_test_fragility` finds the smallest number of the second grader's grades that would
  have to move one step (towards the better grades, by default) for that largest p-value to reach
  ``alpha``: a fragility index in the sense of Walsh et al. (2014), for a finding that must hold
  under every pairing. Moving a grade changes the second grader's totals, and so the set of
  consistent tables.

**Method.** For ``m`` discordant cases the two-sided p-value is a non-increasing function of
``|better - m / 2|`` (the Binomial(m, 1/2) distribution is symmetric and unimodal), so
``p >= t`` holds exactly when ``better`` lies in an interval ``[lo_m(t), hi_m(t)]``. Whether some
table reaches ``p >= t`` is then a small mixed-integer programme: the ``k^2`` cells (and, for the
fragility, the ``k - 1`` numbers of moves across each cut) with the margins as equality
constraints, and one binary variable per possible ``m`` selecting its interval. It is solved exactly
with HiGHS (:func:`scipy.optimize.milp`); the fewest moves minimise the number of moves in this
programme at ``t = alpha``. For the largest p-value, every table's ``(better, worse)`` lies in the
projection of the transportation polytope, a convex polygon whose vertices are attained by integer
tables (found with a few linear programmes); the integer point of the polygon with the largest
p-value is an upper bound, and it is the answer once a small integer programme finds a table with
exactly that ``(better, worse)`` (in every case tried it does; the 0/1 matrix of the margins with
``better`` and ``worse`` added is not totally unimodular, so this is checked, not assumed). If it
were not attained, bisection over the attainable p-values with the feasibility programme gives
the answer. Every answer is re-checked on the integer table the solver returns. The tests compare both functions with
full enumeration of the tables (and of every set of moves) on small margins, and the largest
p-value with the closed form for 3 x 3 tables in :mod:`analysis.stats.pairing_extremes`.

References: Conover, *Practical Nonparametric Statistics*, 3rd ed., 1999, section 3.4 (the sign
test); M. Walsh et al., "The statistical significance of randomized controlled trial results is
frequently fragile: a case for a Fragility Index", *Journal of Clinical Epidemiology* 67 (2014),
622-628 (the idea of counting the changes that undo significance); Schrijver, *Theory of Linear and
Integer Programming*, 1986 (integer programming); Huangfu and Hall, "Parallelizing the dual revised
simplex method", *Mathematical Programming Computation* 10 (2018) (HiGHS).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from analysis import choices
from analysis.stats.agreement import direction_counts, sign_test
from analysis.stats.budget import check

#: Largest p-value matrix (entries, ``(n + 1)^2`` for n cases) the sign-test programmes build: about 1,400 cases; each
#: programme also has one binary variable per possible number of discordant cases, so their cost grows with n too.
MAX_WORK = choices.MAX_SIGN_TEST_WORK  # the analysis's choice (analysis/choices.py)

#: Directions in which the second grader's grades may be moved.
DIRECTIONS: tuple[str, ...] = ("better", "worse")


@dataclass(frozen=True)
class SignTestExtreme:
    """The largest sign-test p-value over the tables with given margins, and a table that attains it."""

    p_value: float
    better: int
    worse: int
    table: np.ndarray


@dataclass(frozen=True)
class SignTestFragility:
    """The fewest one-step moves of the second grader's grades after which the largest sign-test p-value reaches ``alpha``.

    ``moves`` is that number (0 when the largest p-value already reaches ``alpha``; ``None`` when no
    allowed set of moves does, and then the fields after ``p_value_before`` are ``None``).
    ``moves_per_cut[j]`` is the number of grades moved across cut ``j`` (between grade ``j`` and grade
    ``j + 1``, best first), ``col_sums`` the second grader's totals after the moves, ``p_value`` the
    largest sign-test p-value over the tables with the moved totals and ``table`` one attaining it;
    ``p_value_before`` is the largest p-value with the published totals.
    """

    moves: int | None
    moves_per_cut: tuple[int, ...] | None
    col_sums: tuple[int, ...] | None
    p_value: float | None
    table: np.ndarray | None
    p_value_before: float
    alpha: float
    towards: str
    each_grade_once: bool


def _margins(row_sums: Sequence[int], col_sums: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = np.asarray(row_sums), np.asarray(col_sums)
    for name, m in (("row", rows), ("column", cols)):
        if m.ndim != 1 or m.size < 2:
            raise ValueError(f"{name} totals must be a sequence of two or more counts, got {m.tolist()}")
        if not np.all(np.isfinite(m)) or not np.array_equal(m, np.round(m)) or (m < 0).any():
            raise ValueError(f"{name} totals must be non-negative whole numbers, got {m.tolist()}")
    if rows.size != cols.size:
        raise ValueError(f"both graders need totals over the same grades, got {rows.size} and {cols.size}")
    rows, cols = rows.astype(np.int64), cols.astype(np.int64)
    if rows.sum() != cols.sum():
        raise ValueError(f"row totals add up to {rows.sum()} but column totals to {cols.sum()}")
    return rows, cols


def _p_matrix(n: int, max_work: float | None = None) -> np.ndarray:
    """``P[m, b]``: the two-sided sign-test p-value with ``b`` better of ``m`` discordant cases (NaN where ``b > m``).

    Raises :class:`analysis.stats.budget.OverBudget` past ``max_work`` entries, before building it.
    """
    check(f"the sign test's table of p-values for {n:,} cases", (n + 1) ** 2, MAX_WORK if max_work is None else max_work, "entries")
    m = np.arange(n + 1)[:, None]
    b = np.arange(n + 1)[None, :]
    p = sign_test(b, m - b)
    return np.asarray(p, dtype=float).reshape(n + 1, n + 1)


def _intervals(p: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """For each ``m``, the smallest and largest ``better`` with ``p >= threshold`` (``lo > hi`` when there is none)."""
    ok = np.nan_to_num(p, nan=-1.0) >= threshold
    any_ok = ok.any(axis=1)
    lo = np.where(any_ok, ok.argmax(axis=1), 1)
    hi = np.where(any_ok, ok.shape[1] - 1 - ok[:, ::-1].argmax(axis=1), 0)
    return lo, hi


def _solve(
    rows: np.ndarray, cols: np.ndarray, lo: np.ndarray, hi: np.ndarray, move_caps: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray] | None:
    """A table (and moves across each cut) with ``better`` in ``[lo_m, hi_m]`` for its ``m``; fewest moves first.

    Variables: the ``k^2`` cells row by row, then ``k - 1`` moves ``x_j`` (grades of the second
    grader moved from grade ``j + 1`` to grade ``j``; fixed at 0 when ``move_caps`` is None), then one
    binary ``z_m`` per number ``m = 0..n`` of discordant cases. Returns None when infeasible.
    """
    k, n = rows.size, int(rows.sum())
    n_cells, n_moves, n_z = k * k, k - 1, n + 1
    size = n_cells + n_moves + n_z
    cells = np.arange(n_cells).reshape(k, k)
    moves = n_cells + np.arange(n_moves)
    zs = n_cells + n_moves + np.arange(n_z)
    upper = np.zeros(size)
    upper[cells[np.triu_indices(k, 1)]] = 1
    lower = np.zeros(size)
    lower[cells[np.tril_indices(k, -1)]] = 1

    a, lb, ub = [], [], []

    def add(row: np.ndarray, low: float, high: float) -> None:
        a.append(row)
        lb.append(low)
        ub.append(high)

    for i in range(k):  # first grader's totals
        r = np.zeros(size)
        r[cells[i]] = 1
        add(r, rows[i], rows[i])
    for j in range(k):  # second grader's totals after the moves: cols_j + x_j - x_{j-1}
        r = np.zeros(size)
        r[cells[:, j]] = 1
        if j < k - 1:
            r[moves[j]] -= 1
        if j > 0:
            r[moves[j - 1]] += 1
        add(r, cols[j], cols[j])
    r = np.zeros(size)
    r[zs] = 1
    add(r, 1, 1)  # exactly one number of discordant cases is chosen ...
    r = upper + lower
    r[zs] = -np.arange(n_z)
    add(r, 0, 0)  # ... it is better + worse ...
    r = upper.copy()
    r[zs] = -lo
    add(r, 0, np.inf)  # ... and better lies in its interval
    r = upper.copy()
    r[zs] = -hi
    add(r, -np.inf, 0)

    upper_bounds = np.full(size, np.inf)
    upper_bounds[zs] = 1
    upper_bounds[zs[lo > hi]] = 0  # a number of discordant cases with no allowed split
    upper_bounds[moves] = 0 if move_caps is None else move_caps
    cost = np.zeros(size)
    # fewest moves; among those, moves across the better cuts first (a fixed tie-break, exact in integers)
    weight = float(k * (n + 1) + 1)
    cost[moves] = weight + np.arange(n_moves)
    res = milp(
        cost,
        constraints=LinearConstraint(np.array(a), lb, ub),
        integrality=np.ones(size),
        bounds=Bounds(np.zeros(size), upper_bounds),
    )
    if res.status != 0 or res.x is None:
        if res.status == 2:  # infeasible
            return None
        raise ArithmeticError(f"the integer programme did not solve: {res.message}")
    x = np.rint(res.x).astype(np.int64)
    return x[cells], x[moves]


def _check(table: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> None:
    if (table < 0).any() or not np.array_equal(table.sum(axis=1), rows) or not np.array_equal(table.sum(axis=0), cols):
        raise ArithmeticError("the solver returned a table that does not have the margins")  # not expected: HiGHS is exact here


def _table_p(table: np.ndarray) -> tuple[float, int, int]:
    better, worse, _ = direction_counts(table)
    return float(sign_test(better, worse)), int(better), int(worse)


@functools.lru_cache(maxsize=16)
def _forms(k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The margins' constraint matrix over the cells (row by row), and 0/1 vectors picking ``better`` and ``worse``."""
    margins = np.vstack([np.kron(np.eye(k), np.ones(k)), np.kron(np.ones(k), np.eye(k))])
    upper = np.triu(np.ones((k, k)), 1).ravel()
    lower = np.tril(np.ones((k, k)), -1).ravel()
    for a in (margins, upper, lower):
        a.flags.writeable = False
    return margins, upper, lower


def _support(rows: np.ndarray, cols: np.ndarray, direction: tuple[int, int]) -> tuple[int, int]:
    """The point ``(better, worse)`` of a table maximising ``direction . (better, worse)`` over the real tables with the margins.

    The transportation polytope's vertices are integer tables (its constraint matrix is totally
    unimodular), and the dual simplex method returns a vertex, so the point is attained by a
    consistent table; the rounded table is checked.
    """
    k = rows.size
    a_eq, upper, lower = _forms(k)
    res = linprog(
        -(direction[0] * upper + direction[1] * lower),
        A_eq=a_eq,
        b_eq=np.concatenate([rows, cols]).astype(float),
        bounds=(0, None),
        method="highs-ds",
    )
    if res.status != 0:  # pragma: no cover - the margins always admit a table
        raise ArithmeticError(f"linear programme failed: {res.message}")
    table = np.rint(res.x).astype(np.int64).reshape(k, k)
    _check(table, rows, cols)
    return int(upper @ table.ravel()), int(lower @ table.ravel())


def _polygon(rows: np.ndarray, cols: np.ndarray) -> list[tuple[int, int]]:
    """Vertices (anticlockwise, possibly with points on edges) of the set of ``(better, worse)`` of the real tables.

    That set is the projection of the transportation polytope, a convex polygon whose vertices are
    attained by integer tables (:func:`_support`). Each edge is pushed outwards along its normal
    until no table lies beyond it (the usual support-function construction of a projection).
    """
    start = [_support(rows, cols, d) for d in ((1, 0), (0, 1), (-1, 0), (0, -1))]
    hull: list[tuple[int, int]] = []
    for point in start:
        if point not in hull:
            hull.append(point)
    if len(hull) == 1:
        return hull
    out: list[tuple[int, int]] = []
    stack = [(hull[i], hull[(i + 1) % len(hull)]) for i in range(len(hull))][::-1]
    if len(hull) == 2:
        stack = [(hull[0], hull[1]), (hull[1], hull[0])][::-1]
    while stack:
        p, q = stack.pop()
        normal = (q[1] - p[1], p[0] - q[0])  # outward for an anticlockwise boundary
        s = _support(rows, cols, normal)
        if normal[0] * (s[0] - p[0]) + normal[1] * (s[1] - p[1]) > 0:
            stack.append((s, q))
            stack.append((p, s))
        else:
            out.append(p)
    return out


def _lattice_candidates(rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every integer ``(better, worse)`` inside the polygon of :func:`_polygon` (a superset of the attained pairs)."""
    n = int(rows.sum())
    vertices = np.array(_polygon(rows, cols), dtype=np.int64)
    b, w = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
    b, w = b.ravel(), w.ravel()
    inside = (b + w <= n) & (b >= vertices[:, 0].min()) & (b <= vertices[:, 0].max())
    inside &= (w >= vertices[:, 1].min()) & (w <= vertices[:, 1].max())
    if len(vertices) >= 2:
        edges = list(zip(vertices, np.roll(vertices, -1, axis=0), strict=True))
        if len(vertices) == 2:
            edges = [(vertices[0], vertices[1]), (vertices[1], vertices[0])]
        for p, q in edges:  # integer cross products: exact
            inside &= (q[0] - p[0]) * (w - p[1]) - (q[1] - p[1]) * (b - p[0]) >= 0
    return b[inside], w[inside]


def _table_with(rows: np.ndarray, cols: np.ndarray, better: int, worse: int) -> np.ndarray | None:
    """An integer table with the margins and exactly ``better`` and ``worse`` off-diagonal cases, or None."""
    k = rows.size
    margins, upper, lower = _forms(k)
    a = np.vstack([margins, upper, lower])
    rhs = np.concatenate([rows, cols, [better, worse]]).astype(float)
    res = milp(np.zeros(k * k), constraints=LinearConstraint(a, rhs, rhs), integrality=np.ones(k * k), bounds=Bounds(0, np.inf))
    if res.status != 0 or res.x is None:
        return None
    table = np.rint(res.x).astype(np.int64).reshape(k, k)
    _check(table, rows, cols)
    return table


def _max_p(rows: np.ndarray, cols: np.ndarray, p: np.ndarray) -> SignTestExtreme:
    # Fast path: the best integer point of the projected polygon, if a table attains it (in every case
    # tried it does), is the answer, since no table lies outside the polygon.
    b, w = _lattice_candidates(rows, cols)
    values = p[b + w, b]
    top = int(np.lexsort((w, b, -values))[0])  # largest p; ties by fewest better, then fewest worse
    table = _table_with(rows, cols, int(b[top]), int(w[top]))
    if table is None:  # a lattice point of the polygon without a table (never met in the tests): bisect exactly
        table = _bisect(rows, cols, p, float(values[top]))
    p_value, better, worse = _table_p(table)
    return SignTestExtreme(p_value=p_value, better=better, worse=worse, table=table)


def _bisect(rows: np.ndarray, cols: np.ndarray, p: np.ndarray, ceiling: float) -> np.ndarray:
    """A table with the largest p-value, by bisection over the attainable values up to ``ceiling`` (exact, slower)."""
    values = np.unique(p[np.isfinite(p)])
    values = values[values <= ceiling]
    found = _solve(rows, cols, *_intervals(p, values[0]), None)
    if found is None:  # pragma: no cover - every table satisfies the lowest threshold
        raise ArithmeticError("no table with the margins")
    best = found[0]
    low = int(np.searchsorted(values, _table_p(best)[0]))  # values[low] is attained
    high = values.size - 1
    while low < high:  # invariant: values[low] attained, nothing above values[high] attainable
        mid = (low + high + 1) // 2
        found = _solve(rows, cols, *_intervals(p, values[mid]), None)
        if found is None:
            high = mid - 1
        else:
            best = found[0]
            low = int(np.searchsorted(values, _table_p(best)[0]))
    _check(best, rows, cols)
    return best


def sign_test_max_p(row_sums: Sequence[int], col_sums: Sequence[int], *, max_work: float | None = None) -> SignTestExtreme:
    """Largest two-sided sign-test p-value over every ``k x k`` table with the given margins, with a table attaining it.

    Rows are the first grader's grades and columns the second's, best first, so ``better`` counts
    the cases the first grader graded better (above the diagonal). The p-value is
    :func:`analysis.stats.agreement.sign_test` (scipy's ``binomtest``, two-sided, ties set aside).
    Exact for any ``k``: the best integer point of the projected polygon of ``(better, worse)``,
    confirmed by an integer programme, with bisection over the attainable p-values as the exact
    fallback (see the module docstring). For 3 x 3 margins it agrees with the closed form of
    :func:`analysis.stats.pairing_extremes.p_value_extremes`.

    References: Conover, *Practical Nonparametric Statistics*, 3rd ed., 1999, section 3.4; HiGHS
    via :func:`scipy.optimize.milp`.
    """
    rows, cols = _margins(row_sums, col_sums)
    return _max_p(rows, cols, _p_matrix(int(rows.sum()), max_work))


def sign_test_fragility(
    row_sums: Sequence[int],
    col_sums: Sequence[int],
    alpha: float = 0.05,
    *,
    towards: str = "better",
    each_grade_once: bool = True,
    max_work: float | None = None,
) -> SignTestFragility:
    """Fewest of the second grader's grades that must move one step for the sign test to lose significance under every pairing.

    Rows (``row_sums``) are the first grader's totals per grade and columns (``col_sums``) the
    second grader's totals of the same cases, both best first. A *move* changes one of the second
    grader's grades by one step ``towards`` the better grades (``"better"``, the default: a kinder
    grade, closer to a more lenient first grader) or the worse. After the moves the consistent
    tables are those with the first grader's totals and the moved totals; the finding "loses
    significance" when the largest two-sided sign-test p-value over them
    (:func:`sign_test_max_p`, the pairing least favourable to the finding) is at least ``alpha``.
    This returns the smallest number of moves that achieves it, the moved totals and a table with
    that largest p-value.

    With ``each_grade_once=True`` (default) each moved grade moves exactly one step, so at most
    ``col_sums[j + 1]`` grades cross cut ``j`` towards the better grades and the number of moves is
    the number of grades changed; with ``False`` a grade may move several steps, each step counted.
    When several sets of moves are equally few, the one moving grades across the better cuts is
    returned (a fixed rule, so the answer is reproducible). If no allowed set of moves reaches
    ``alpha`` (possible when every grade is moved and the difference remains), ``moves`` is None.

    Exact: one mixed-integer programme (see the module docstring), checked in the tests against
    enumeration of every set of moves and every table on small margins. Both functions raise
    :class:`analysis.stats.budget.OverBudget` before any work when the p-value matrix would pass
    ``max_work`` entries (:data:`MAX_WORK`).

    References: Walsh et al., *J. Clin. Epidemiol.* 67 (2014) 622-628 (fragility index); Conover
    (1999), section 3.4 (sign test).
    """
    if towards not in DIRECTIONS:
        raise ValueError(f"towards must be one of {', '.join(DIRECTIONS)}, got {towards!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
    rows, cols = _margins(row_sums, col_sums)
    flip = towards == "worse"
    if flip:  # moving towards the worse grades is moving towards the better ones on the reversed scale
        rows, cols = rows[::-1].copy(), cols[::-1].copy()
    p = _p_matrix(int(rows.sum()), max_work)
    before = _max_p(rows, cols, p).p_value
    common = {"p_value_before": before, "alpha": alpha, "towards": towards, "each_grade_once": each_grade_once}
    caps = cols[1:].copy() if each_grade_once else np.full(cols.size - 1, int(cols.sum()))
    found = _solve(rows, cols, *_intervals(p, alpha), caps)
    if found is None:
        return SignTestFragility(moves=None, moves_per_cut=None, col_sums=None, p_value=None, table=None, **common)
    _, x = found
    moved = cols.copy()
    moved[:-1] += x
    moved[1:] -= x
    extreme = _max_p(rows, moved, p)
    if extreme.p_value < alpha:  # pragma: no cover - the programme guarantees a table with p >= alpha
        raise ArithmeticError("the moved totals do not reach alpha")
    table = extreme.table
    if flip:
        x, moved, table = x[::-1], moved[::-1], table[::-1, ::-1]
    return SignTestFragility(
        moves=int(x.sum()),
        moves_per_cut=tuple(int(v) for v in x),
        col_sums=tuple(int(v) for v in moved),
        p_value=extreme.p_value,
        table=table,
        **common,
    )
