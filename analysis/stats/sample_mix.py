"""Exact bounds on an area x sample x grade table of whole cases that only its two-way margins constrain, by integer programming.

The practice areas are published by grade over all cases (an area x grade table) and the samples
by grade (a sample x grade table), but not the areas by sample. Every three-way table of whole
cases ``x[a, s, g]`` with those two margins (and within any per-cell ranges the figures give) could
be the true one. Over all of them this module gives each cell's fewest and most cases and the range
of each area's share of a grade within each sample, of its sample-standardised share (the two
within-sample shares weighted by the samples' sizes) and of that standardised share's excess over
the other areas'. Shares are ratios of cases, so each is bounded by fixing the area's number of
cases in a sample (``d``) and solving one integer program per value of ``d`` for the (then linear)
quantity, with scipy's ``milp`` (HiGHS); the results are exact rationals of whole numbers.

References: the bounds are Manski-type (worst-case) bounds over the set the figures identify
(C. F. Manski, *Partial Identification of Probability Distributions*, 2003); the integer programs
follow the transportation-polytope view of tables with fixed margins (G. B. Dantzig, *Linear
Programming and Extensions*, 1963). The standardisation is direct standardisation to the samples'
split (e.g. Fleiss, Levin and Paik, *Statistical Methods for Rates and Proportions*, 3rd ed., 2003, ch. 19).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from analysis.memo import memoised


@dataclass(frozen=True)
class MixProblem:
    """The margins of an area x sample x grade table: ``area_grade`` (A x G), ``sample_grade`` (S x G) and optional per-cell bounds (A x S x G)."""

    area_grade: np.ndarray
    sample_grade: np.ndarray
    cell_low: np.ndarray
    cell_high: np.ndarray

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.area_grade.shape[0], self.sample_grade.shape[0], self.area_grade.shape[1]


def mix_problem(area_grade, sample_grade, cell_low=None, cell_high=None) -> MixProblem:
    """Check and bundle the margins; the grade totals of the two tables must agree."""
    ag = np.asarray(area_grade, dtype=np.int64)
    sg = np.asarray(sample_grade, dtype=np.int64)
    if ag.ndim != 2 or sg.ndim != 2 or ag.shape[1] != sg.shape[1]:
        raise ValueError("area_grade and sample_grade must be tables with one column per grade")
    if (ag < 0).any() or (sg < 0).any():
        raise ValueError("counts must not be negative")
    if not np.array_equal(ag.sum(axis=0), sg.sum(axis=0)):
        raise ValueError(f"the areas' grade totals {ag.sum(axis=0).tolist()} differ from the samples' {sg.sum(axis=0).tolist()}")
    a, s, g = ag.shape[0], sg.shape[0], ag.shape[1]
    low = np.zeros((a, s, g), np.int64) if cell_low is None else np.asarray(cell_low, np.int64)
    high = np.minimum(ag[:, None, :], sg[None, :, :]) if cell_high is None else np.asarray(cell_high, np.int64)
    return MixProblem(ag, sg, low, high)


def _index(p: MixProblem, a: int, s: int, g: int) -> int:
    _, ns, ng = p.shape
    return (a * ns + s) * ng + g


@functools.lru_cache(maxsize=8)
def _margin_rows(shape: tuple[int, int, int]) -> sparse.csr_array:
    """The rows summing a table of ``shape`` to its area x grade and its sample x grade totals (variables in :func:`_index` order)."""
    na, ns, ng = shape
    cells = np.eye(na * ns * ng).reshape(na, ns, ng, -1)  # cells[a, s, g] picks variable _index(p, a, s, g)
    return sparse.csr_array(np.vstack([cells.sum(axis=1).reshape(na * ng, -1), cells.sum(axis=0).reshape(ns * ng, -1)]))


def _solve(p: MixProblem, objective: np.ndarray, fixed: list[tuple[int, int, int]], sense: int) -> np.ndarray | None:
    """A table (A x S x G whole numbers) minimising (``sense = 1``) or maximising (``sense = -1``) ``objective @ x``; None when none fits.

    Every area x grade and every sample x grade total of the table equals the published one, and
    for each ``(a, s, d)`` in ``fixed`` area ``a`` has ``d`` cases in sample ``s``. The constraints
    go to ``milp`` as one sparse matrix (its checks of a list of dense ones cost more than the solve).
    The caller evaluates its quantity on the returned table in exact arithmetic, so the value does
    not carry the solver's floating-point tolerance.
    """
    na, ns, ng = p.shape
    rows = [_margin_rows(p.shape)]
    rhs = [np.ravel(p.area_grade), np.ravel(p.sample_grade)]
    for a, s, d in fixed:
        rows.append(sparse.csr_array((np.ones(ng), (np.zeros(ng, int), [_index(p, a, s, g) for g in range(ng)])), shape=(1, na * ns * ng)))
        rhs.append(np.array([d]))
    matrix = rows[0] if len(rows) == 1 else sparse.vstack(rows, format="csr")
    bound = np.concatenate(rhs).astype(float)
    res = milp(
        sense * objective,
        constraints=LinearConstraint(matrix, bound, bound),
        integrality=np.ones(objective.size),
        bounds=Bounds(p.cell_low.ravel().astype(float), p.cell_high.ravel().astype(float)),
        options={"presolve": True},
    )
    if res.status != 0:
        return None
    return np.rint(res.x).astype(np.int64).reshape(p.shape)


def feasible(p: MixProblem) -> bool:
    """Whether any table of whole cases has the margins (and fits the cell ranges)."""
    return _solve(p, np.zeros(int(np.prod(p.shape))), [], 1) is not None


@memoised
def cell_bounds(p: MixProblem) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's fewest and most cases over every consistent table (arrays A x S x G of whole numbers)."""
    nv = int(np.prod(p.shape))
    low, high = np.zeros(nv, np.int64), np.zeros(nv, np.int64)
    for i in range(nv):
        c = np.zeros(nv)
        c[i] = 1
        lo, hi = _solve(p, c, [], 1), _solve(p, c, [], -1)
        if lo is None or hi is None:
            raise ValueError("no table of whole cases fits the margins")
        low[i], high[i] = lo.ravel()[i], hi.ravel()[i]
    return low.reshape(p.shape), high.reshape(p.shape)


def _area_sizes(p: MixProblem, a: int, s: int) -> range:
    lo, hi = p.cell_low[a, s].sum(), min(p.cell_high[a, s].sum(), p.area_grade[a].sum(), p.sample_grade[s].sum())
    return range(int(lo), int(hi) + 1)


def _range(values: list[Fraction]) -> tuple[float, float]:
    return (float(min(values)), float(max(values))) if values else (np.nan, np.nan)


@memoised
def share_range(p: MixProblem, a: int, s: int, g: int) -> tuple[float, float]:
    """Range of area ``a``'s share of grade ``g`` among its cases in sample ``s``, over the tables where it has any (NaN, NaN if none)."""
    nv = int(np.prod(p.shape))
    c = np.zeros(nv)
    c[_index(p, a, s, g)] = 1
    values = []
    for d in _area_sizes(p, a, s):
        if d == 0:
            continue
        fix = [(a, s, d)]
        for sense in (1, -1):
            x = _solve(p, c, fix, sense)
            if x is not None:
                values.append(Fraction(int(x[a, s, g]), d))
    return _range(values)


def standardised_value(p: MixProblem, x: np.ndarray, a: int, g: int, excess: bool = False) -> Fraction:
    """Area ``a``'s share of ``g`` standardised to the samples' split on table ``x`` (minus the other areas', with ``excess``), exactly."""
    totals = p.sample_grade.sum(axis=1)
    n = int(totals.sum())
    value = Fraction(0)
    for s in range(p.shape[1]):
        d = int(x[a, s].sum())
        value += Fraction(int(totals[s]), n) * Fraction(int(x[a, s, g]), d)
        if excess:
            value -= Fraction(int(totals[s]), n) * Fraction(int(p.sample_grade[s, g] - x[a, s, g]), int(totals[s]) - d)
    return value


def _standardised_objective(p: MixProblem, a: int, g: int, sizes: tuple[int, ...], excess: bool) -> np.ndarray:
    """Coefficients of area ``a``'s standardised share of ``g`` (minus the other areas', with ``excess``) once its size in each sample is fixed."""
    nv = int(np.prod(p.shape))
    c = np.zeros(nv)
    totals = p.sample_grade.sum(axis=1)
    weights = totals / totals.sum()
    for s, d in enumerate(sizes):
        c[_index(p, a, s, g)] += weights[s] / d + (weights[s] / (totals[s] - d) if excess else 0.0)
    return c


@memoised
def standardised_range(p: MixProblem, a: int, g: int, excess: bool = False) -> tuple[float, float]:
    """Range of area ``a``'s share of ``g`` standardised to the samples' split (sum over samples of ``N_s / N`` times its share in ``s``).

    With ``excess`` the other areas' standardised share is subtracted (the area's excess over the
    rest once each sample is compared with itself). Over the tables in which the area (and, with
    ``excess``, the rest) has cases in every sample; two samples only.
    """
    _, ns, _ = p.shape
    if ns != 2:
        raise ValueError("standardisation is written for two samples")
    totals = p.sample_grade.sum(axis=1)
    n_a = int(p.area_grade[a].sum())
    values = []
    for d0 in _area_sizes(p, a, 0):
        sizes = (d0, n_a - d0)
        if min(sizes) <= 0 or (excess and min(totals[s] - sizes[s] for s in range(2)) <= 0):
            continue
        fix = [(a, s, sizes[s]) for s in range(2)]
        c = _standardised_objective(p, a, g, sizes, excess)
        for sense in (1, -1):
            x = _solve(p, c, fix, sense)
            if x is not None:
                values.append(standardised_value(p, x, a, g, excess))
    return _range(values)
