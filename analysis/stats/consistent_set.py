"""Every set of counts consistent with a list of published figures: feasibility, exact ranges, and the sets themselves.

A published audit gives, for several *groups* of cases (a sample, graded by one grader, perhaps in
one practice area), figures about how many cases fell in each of ``k`` ordered grades: exact counts,
counts only implied by the total, rounded percentages, inequalities, several grades counted
together. The unknowns are the integer counts ``x[g, i] >= 0`` of each group ``g`` and grade ``i``
with ``sum_i x[g, i] = of_g``. Each figure bounds the sum of its group's counts over its grades
(``low <= sum_{i in S} x[g, i] <= high``); a *link* says that one group is the sum of others, grade
by grade (all cases = the two samples; an area-free total = its areas). Optionally a *pair* of
groups graded by two graders on the same cases carries a ``k x k`` table ``T >= 0`` with row sums
``x[row group]`` and column sums ``x[column group]``, with an optional mask of cells that may be
non-zero.

Everything consistent with the figures is the set of integer points of this polyhedron. Its exact
ranges come from integer linear programming (:func:`scipy.optimize.milp`, HiGHS): the figure rows
break the total unimodularity of the plain transportation polytope, so integrality is imposed
rather than assumed. The module is pure: arrays and numbers in, numbers out; no grade names.

Reference: the linear-programming approach to bounds under partial identification (Manski,
*Partial Identification of Probability Distributions*, 2003; Balke and Pearl, "Bounds on treatment
effects from studies with imperfect compliance", JASA 92, 1997); HiGHS (Huangfu and Hall,
"Parallelizing the dual revised simplex method", Math. Prog. Comp. 10, 2018).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from itertools import product

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from analysis import choices
from analysis.stats.budget import OverBudget

#: Most candidate count vectors :meth:`CountSystem.vectors` builds for one group before it gives up.
MAX_CANDIDATES = choices.MAX_CANDIDATES  # the analysis's choice (analysis/choices.py)

#: Most candidates checked one by one with the integer programme (groups tied to others by links).
MAX_CHECKED = choices.MAX_CHECKED  # the analysis's choice (analysis/choices.py)


class TooManyVectors(OverBudget):
    """The figures allow more count vectors for a group than can be listed; ``count`` is how many (or a lower bound)."""

    def __init__(self, group: Hashable, count: int, limit: int):
        self.group, self.count, self.limit = group, count, limit
        super().__init__(
            "listing every count vector a group's figures allow",
            count,
            limit,
            "vectors",
            f"the figures allow {count:,} or more count vectors for group {group!r}, more than {limit:,} can be listed",
        )


@dataclass(frozen=True)
class Row:
    """One published figure: ``low <= sum of group's counts over grades <= high``; ``tag`` identifies it in messages."""

    group: Hashable
    grades: tuple[int, ...]
    low: int
    high: int
    tag: Hashable = None


@dataclass
class CountSystem:
    """The integer counts of every group, the figures that bound them, the links between groups, and an optional pair.

    ``groups`` maps each group key to its number of cases (``of``); ``k`` is the number of grades.
    ``links`` are ``(whole, parts)``: the counts of ``whole`` equal the sum of the parts' counts,
    grade by grade. ``pair`` is ``(row_group, col_group)``, two gradings of the same cases, and
    ``allowed`` an optional ``k x k`` boolean mask of the pair's cells that may hold cases, and
    ``known`` an optional ``k x k`` table that fixes the pair's cells (case-level data).
    """

    k: int
    groups: dict[Hashable, int]
    rows: list[Row] = field(default_factory=list)
    links: list[tuple[Hashable, tuple[Hashable, ...]]] = field(default_factory=list)
    pair: tuple[Hashable, Hashable] | None = None
    allowed: np.ndarray | None = None
    known: np.ndarray | None = None

    def __post_init__(self) -> None:
        if not self.k >= 2:
            raise ValueError("at least two grades are needed")
        self._index = {g: i for i, g in enumerate(self.groups)}
        self._feasible: bool | None = None
        for row in self.rows:
            self._check_row(row)
        for whole, parts in self.links:
            for g in (whole, *parts):
                if g not in self._index:
                    raise KeyError(f"link names unknown group {g!r}")
        if self.pair is not None:
            a, b = self.pair
            if a not in self._index or b not in self._index:
                raise KeyError(f"pair names unknown groups {self.pair!r}")
            if self.groups[a] != self.groups[b]:
                raise ValueError("the two gradings of a pair must cover the same number of cases")
        if self.allowed is not None:
            self.allowed = np.asarray(self.allowed, bool)
            if self.allowed.shape != (self.k, self.k):
                raise ValueError(f"allowed must be a {self.k} x {self.k} mask")
        if self.known is not None:
            self.known = np.asarray(self.known, np.int64)
            if self.known.shape != (self.k, self.k) or self.pair is None:
                raise ValueError(f"known must be a {self.k} x {self.k} table of a system with a pair")

    def _check_row(self, row: Row) -> None:
        if row.group not in self._index:
            raise KeyError(f"figure names unknown group {row.group!r}")
        if not row.grades or any(not 0 <= i < self.k for i in row.grades) or len(set(row.grades)) != len(row.grades):
            raise ValueError(f"figure's grades {row.grades!r} are not distinct grades 0..{self.k - 1}")

    # ------------------------------------------------------------------ the integer programme

    @property
    def n_count_vars(self) -> int:
        return len(self.groups) * self.k

    @property
    def n_vars(self) -> int:
        return self.n_count_vars + (self.k * self.k if self.pair is not None else 0)

    def var(self, group: Hashable, grade: int) -> int:
        """Index of the variable holding ``group``'s count of ``grade``."""
        return self._index[group] * self.k + grade

    def cell(self, i: int, j: int) -> int:
        """Index of the variable holding the pair's cell ``(i, j)``."""
        if self.pair is None:
            raise ValueError("this system has no pair")
        return self.n_count_vars + i * self.k + j

    def _constraints(self, rows: Sequence[Row] | None = None, extra: Sequence[tuple[dict[int, float], float, float]] = ()):
        k, n = self.k, self.n_vars
        data, ri, ci, lo, hi = [], [], [], [], []
        r = 0

        def add(coefs: dict[int, float], low: float, high: float) -> None:
            nonlocal r
            for c, v in coefs.items():
                data.append(v)
                ri.append(r)
                ci.append(c)
            lo.append(low)
            hi.append(high)
            r += 1

        for g, of in self.groups.items():
            add({self.var(g, i): 1.0 for i in range(k)}, of, of)
        for row in self.rows if rows is None else rows:
            add({self.var(row.group, i): 1.0 for i in row.grades}, row.low, row.high)
        for whole, parts in self.links:
            for i in range(k):
                coefs = {self.var(whole, i): 1.0}
                for p in parts:
                    coefs[self.var(p, i)] = coefs.get(self.var(p, i), 0.0) - 1.0
                add(coefs, 0, 0)
        if self.pair is not None:
            a, b = self.pair
            for i in range(k):
                add({**{self.cell(i, j): 1.0 for j in range(k)}, self.var(a, i): -1.0}, 0, 0)
                add({**{self.cell(j, i): 1.0 for j in range(k)}, self.var(b, i): -1.0}, 0, 0)
        for coefs, low, high in extra:
            add(coefs, low, high)
        matrix = sparse.csr_array((data, (ri, ci)), shape=(r, n))
        return LinearConstraint(matrix, np.array(lo, float), np.array(hi, float))

    def _bounds(self, fixed: dict[int, int] | None = None) -> Bounds:
        lo = np.zeros(self.n_vars)
        hi = np.empty(self.n_vars)
        for g, of in self.groups.items():
            hi[self.var(g, 0) : self.var(g, 0) + self.k] = of
        if self.pair is not None:
            n = self.groups[self.pair[0]]
            cells = np.full(self.k * self.k, float(n))
            if self.allowed is not None:
                cells[~self.allowed.ravel()] = 0.0
            hi[self.n_count_vars :] = cells
            if self.known is not None:
                lo[self.n_count_vars :] = hi[self.n_count_vars :] = self.known.ravel()
        for v, value in (fixed or {}).items():
            lo[v] = hi[v] = value
        return Bounds(lo, hi)

    def _solve(self, objective: np.ndarray, rows=None, extra=(), fixed=None):
        res = milp(
            objective,
            constraints=self._constraints(rows, extra),
            integrality=np.ones(self.n_vars),
            bounds=self._bounds(fixed),
            options={"presolve": True},
        )
        if res.status == 2:  # infeasible
            return None
        if res.status != 0 or res.x is None:
            raise ArithmeticError(f"the integer programme did not finish: {res.message}")
        return np.rint(res.x).astype(np.int64)

    # ------------------------------------------------------------------ questions

    def feasible(self, rows: Sequence[Row] | None = None, fixed: dict[int, int] | None = None) -> bool:
        """Whether some integer counts (and pair table) satisfy every figure (or only ``rows``), with ``fixed`` variables."""
        if not self.n_vars:  # no group at all (every figure a share of a sample of unknown size): nothing to contradict
            return True
        if rows is None and fixed is None:
            if self._feasible is None:
                self._feasible = self._solve(np.zeros(self.n_vars)) is not None
            return self._feasible
        return self._solve(np.zeros(self.n_vars), rows=rows, fixed=fixed) is not None

    def infeasible_core(self) -> list[Row]:
        """A smallest-by-deletion set of figure rows that cannot hold together (empty if all can).

        The deletion filter of Chinneck and Dravnieks ("Locating minimal infeasible constraint
        sets in linear programs", ORSA J. Computing 3, 1991): drop each row in turn and keep it
        dropped if what remains is still infeasible. What is left cannot all hold, and every row of
        it is needed for that (given the groups' sizes, the links and the pair).
        """
        if self.feasible():
            return []
        # A group whose own figures cannot hold is the plainest explanation: look there first.
        system, core = self, list(self.rows)
        for group in self.groups:
            own = [row for row in self.rows if row.group == group]
            alone = CountSystem(self.k, {group: self.groups[group]}, own)
            if own and not alone.feasible():
                system, core = alone, own
                break
        i = 0
        while i < len(core):
            trial = core[:i] + core[i + 1 :]
            if not system.feasible(rows=trial):
                core = trial
            else:
                i += 1
        return core

    def linear_range(self, coefs: dict[int, float]) -> tuple[float, float, np.ndarray, np.ndarray]:
        """Exact minimum and maximum of ``sum coefs[v] * x[v]`` over the consistent set, with a solution attaining each."""
        c = np.zeros(self.n_vars)
        for v, w in coefs.items():
            c[v] += w
        low = self._solve(c)
        high = self._solve(-c)
        if low is None or high is None:
            raise ValueError("the figures cannot all hold")
        return float(c @ low), float(c @ high), low, high

    def count_range(self, group: Hashable, grades: Sequence[int]) -> tuple[int, int]:
        """Fewest and most cases of ``group`` in ``grades`` (together) over the consistent set."""
        lo, hi, _, _ = self.linear_range({self.var(group, i): 1.0 for i in grades})
        return int(round(lo)), int(round(hi))

    def grade_ranges(self, group: Hashable) -> np.ndarray:
        """``(k, 2)`` array: for each grade of ``group``, the fewest and most cases over the consistent set.

        A grade that a figure gives exactly (a count of that grade alone), or the last grade when
        every other one is so given, is read off (the set is known to be non-empty); the others
        are optimised.
        """
        exact = {row.grades[0]: row.low for row in self.rows if row.group == group and len(row.grades) == 1 and row.low == row.high}
        if len(exact) == self.k - 1:
            (last,) = set(range(self.k)) - set(exact)
            exact[last] = self.groups[group] - sum(exact.values())
        if len(exact) == self.k and self.feasible():
            return np.array([(exact[i], exact[i]) for i in range(self.k)], dtype=np.int64)
        return np.array([self.count_range(group, (i,)) for i in range(self.k)], dtype=np.int64)

    def pinned(self, group: Hashable) -> np.ndarray | None:
        """The counts of ``group`` when the figures fix every one of them, else ``None``."""
        ranges = self.grade_ranges(group)
        return ranges[:, 0].copy() if (ranges[:, 0] == ranges[:, 1]).all() else None

    def _tied(self, group: Hashable) -> bool:
        """Whether anything beyond the group's own figures can restrict its counts (a link; a pair with a mask)."""
        if any(group == whole or group in parts for whole, parts in self.links):
            return True
        masked = self.allowed is not None and not self.allowed.all()
        return self.pair is not None and group in self.pair and (masked or self.known is not None)

    def vectors(self, group: Hashable, *, limit: int = MAX_CANDIDATES, checked: int = MAX_CHECKED) -> np.ndarray:
        """Every count vector of ``group`` that some consistent solution takes, shape ``(m, k)``, in lexicographic order.

        Candidates are the vectors within each grade's exact range (:meth:`grade_ranges`) that sum
        to the group's size and satisfy the group's own figures; when other figures can restrict
        the group too (it is linked to other groups, or is one side of a masked pair), each
        candidate is confirmed by the integer programme with the group's counts fixed. Raises
        :class:`TooManyVectors` past ``limit`` candidates or ``checked`` confirmations.
        """
        ranges = self.grade_ranges(group)
        of = self.groups[group]
        count = _count_box_compositions(ranges[:, 0], ranges[:, 1], of, limit)
        if count > limit:
            raise TooManyVectors(group, count, limit)
        cand = _box_compositions(ranges[:, 0], ranges[:, 1], of)
        for row in self.rows:
            if row.group == group:
                s = cand[:, list(row.grades)].sum(axis=1)
                cand = cand[(s >= row.low) & (s <= row.high)]
        if self._tied(group) and len(cand) > 1:
            if len(cand) > checked:
                raise TooManyVectors(group, len(cand), checked)
            keep = [self.feasible(fixed={self.var(group, i): int(v[i]) for i in range(self.k)}) for v in cand]
            cand = cand[np.array(keep, bool)]
        return cand


def _count_box_compositions(low: np.ndarray, high: np.ndarray, total: int, cap: int) -> int:
    """Number of integer vectors with ``low <= v <= high`` summing to ``total`` (stops counting past ``cap``).

    Dynamic programme over the grades on the counts above the lows: ``ways[s]`` is the number of
    partial vectors whose excess over the lows sums to ``s`` (``0 <= s <= total - sum(low)``), and
    each grade is a sliding-window sum of width ``high - low + 1`` (a difference of cumulative
    sums), capped at ``cap + 1``. The work is ``k * (total - sum(low) + 1)`` array entries, whatever
    the widths, so it is known before it starts: a million cases on seven grades is a few
    milliseconds (a dictionary over every value of every grade took minutes there).
    """
    low, high = np.asarray(low, np.int64), np.asarray(high, np.int64)
    target = int(total) - int(low.sum())
    if target < 0 or (high < low).any() or int(high.sum()) < total:
        return 0
    widths = np.minimum(high - low, target)
    ways = np.zeros(target + 1, dtype=np.int64)
    ways[0] = 1
    for w in widths.tolist():
        run = np.concatenate([[0], np.cumsum(ways)])  # run[s] = sum of ways[:s]; entries stay below (target + 1) * (cap + 1)
        s = np.arange(target + 1)
        ways = np.minimum(run[s + 1] - run[np.maximum(s - w, 0)], cap + 1)
    return int(ways[target])


def _box_compositions(low: np.ndarray, high: np.ndarray, total: int) -> np.ndarray:
    """Every integer vector with ``low <= v <= high`` summing to ``total``, in lexicographic order (vectorised)."""
    k = low.size
    rest_low = np.concatenate([np.cumsum(low[::-1])[::-1][1:], [0]])
    rest_high = np.concatenate([np.cumsum(high[::-1])[::-1][1:], [0]])
    parts = np.zeros((1, 0), dtype=np.int64)
    sums = np.zeros(1, dtype=np.int64)
    for i in range(k):
        left = total - sums
        lo = np.maximum(low[i], left - rest_high[i])
        hi = np.minimum(high[i], left - rest_low[i])
        reps = np.maximum(hi - lo + 1, 0)
        base = np.repeat(np.arange(len(parts)), reps)
        offs = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
        values = lo[base] + offs
        parts = np.column_stack([parts[base], values])
        sums = sums[base] + values
    return parts.astype(np.int64)


def brute_force_solutions(system: CountSystem) -> list[dict[Hashable, tuple[int, ...]]]:
    """Every assignment of count vectors to the groups that satisfies every figure and link (pair tables not listed).

    Lists all compositions of each group's size and keeps the combinations that hold: only for
    tiny systems, as an independent check of the integer programme in the tests.
    """
    per = {
        g: [tuple(v) for v in _box_compositions(np.zeros(system.k, np.int64), np.full(system.k, of), of)] for g, of in system.groups.items()
    }
    out = []
    names = list(per)
    for combo in product(*(per[g] for g in names)):
        x = dict(zip(names, combo, strict=True))
        if all(row.low <= sum(x[row.group][i] for i in row.grades) <= row.high for row in system.rows) and all(
            tuple(sum(x[p][i] for p in parts) for i in range(system.k)) == x[whole] for whole, parts in system.links
        ):
            out.append(x)
    return out
