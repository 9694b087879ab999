"""Exact ranges of the agreement quantities over every table consistent with *sets* of possible margins, listing tables only where they are few.

When the force's and the inspectors' grade totals are published only in part (rounded percentages,
inequalities, "the remainder"), the totals themselves are unknown: the force's could be any row of
a set ``F`` (shape ``(m1, k)``) and the inspectors' any row of ``G`` (shape ``(m2, k)``), every row
summing to the same n, any pair ``(r, c)`` of ``F x G`` possible. A *consistent table* is a k x k
table of non-negative integers whose row sums are some ``r`` in ``F`` and column sums some ``c`` in
``G`` (rows: the force's grade, columns: the inspectors', best grade first, as in
:mod:`analysis.stats.agreement`); an *assumption* (``allowed``, a k x k boolean mask) keeps only the
tables that are zero outside the mask. :func:`pair_bounds` gives each quantity of
:data:`analysis.stats.identification.IDENTIFIED_QUANTITIES` as its exact minimum and maximum over
all consistent tables, and its sampling interval where one is exact over the set:

- **listing**, when the consistent tables number at most ``max_listed`` (default
  :data:`LISTING_LIMIT`) in all: every table is built (:func:`enumerate_tables`) and summarised
  exactly as :func:`analysis.stats.identification.identified_summary` does, kappa intervals
  included;
- **closed forms**, without a mask, for any n. For fixed margins the *comonotone* (north-west corner)
  table, with no discordant pair of cases, and the *countermonotone* table, with no concordant
  pair (:func:`frechet_tables`), are the largest and smallest in the concordance order; every
  measure that increases in that order, ``sum phi(i, j) T[i, j]`` with ``phi`` supermodular (the
  rank covariance of Spearman's rho; minus ``(i - j)^2`` or ``|i - j|``, the weighted kappas'
  disagreement weights, convex in ``i - j``) and Kendall's ``P - Q``, is largest on the first and
  smallest on the second (Tchen, "Inequalities for distributions with given marginals", Annals of
  Probability 8, 1980; Cambanis, Simons and Stout, Z. Wahrscheinlichkeitstheorie 36, 1976). Gamma
  is +1 on the comonotone table and -1 on the countermonotone one unless a grader used one grade
  only (then it is undefined on every table). Cohen's kappa needs the fewest and most cases on the
  diagonal: ``max(0, max_i r_i + c_i - n)`` and ``sum_i min(r_i, c_i)``; the cases the force graded
  better number ``max(0, max_m R_m - C_m)`` to ``min_m (R_{<m} + n - C_m)`` (``R_m``, ``C_m``
  cumulative totals to grade m); both are max-flow/min-cut values of the transportation problem
  (Ford and Fulkerson, *Flows in Networks*, 1962; Gale, "A theorem on flows in networks", Pacific
  J. Math. 7, 1957). The paired Wald interval of ``good_gap`` is widest where fewest cases are in
  the best grade for both graders, ``max(0, r_0 + c_0 - n)``, and the paired t interval of
  ``mean_score_gap`` where ``sum i j T[i, j]`` is smallest: both on the countermonotone table;
- **linear programming**, with a mask: the Fréchet arguments fail, but once the margins are fixed
  the cases graded better, Spearman's rho and the kappas are linear in the cells, and the masked
  transportation polytope still has whole-table vertices (its constraint matrix is totally
  unimodular), so HiGHS' dual simplex (:func:`scipy.optimize.linprog`) finds exact optima for each
  pair of margins. Where an objective is the same for every pair (all but rho's), a dual solution
  found for one pair certifies the optimum of every other pair that has a table on its tight cells
  (complementary slackness), so a few programmes serve thousands of pairs. Where a Fréchet table
  meets the mask it is optimal under the mask too. Gamma and tau-b (not linear) come from a
  Fréchet table that meets the mask, else from listing that pair's tables, else from showing that
  the pair cannot change the bound; otherwise they are left empty and ``method`` says why.

Every value is computed from a whole attaining table with the same floating-point operations as
the per-table functions (or, for the counts and kappas, from the same exact integer sums), and
``tests/test_pair_bounds.py`` checks every result for exact equality with brute-force enumeration.
:func:`count_tables` counts the tables by dynamic programming (never listing them) and
:func:`count_tables_over` over a whole set of pairs.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

from analysis import choices
from analysis.stats.agreement import cohen_kappa, direction_counts, weighted_kappa
from analysis.stats.budget import OverBudget
from analysis.stats.contingency import lexicographic_optimum
from analysis.stats.identification import (
    AGREEMENT_METHOD,
    IDENTIFIED_QUANTITIES,
    agreement_interval,
    best_grade_text,
    score_text,
    tables_summary,
    undefined_text,
)
from analysis.stats.ordinal_association import goodman_kruskal_gamma, kendall_tau_b, spearman_rho
from analysis.stats.paired_intervals import mean_score_gap, paired_proportion_difference
from analysis.stats.proportions import clopper_pearson_lower

#: Columns of :func:`pair_bounds`, in order (those of ``identified.csv``).
COLUMNS: tuple[str, ...] = ("quantity", "low", "high", "ci_low", "ci_high", "method")

#: Smallest and largest number of grades handled.
MIN_GRADES, MAX_GRADES = 2, 7

#: Most consistent tables :func:`pair_bounds` lists (over all pairs of margins together). Listing costs
#: about 15 microseconds a table (every per-table interval), so this keeps a call well under a second;
#: past it every range is still exact (closed forms, linear programming), only the kappas' intervals
#: (which need every table) are not given. :data:`analysis.stats.agreement.ENUMERATION_LIMIT` is higher.
LISTING_LIMIT = choices.LISTING_LIMIT  # the analysis's choice (analysis/choices.py)

#: Most pairs of margins :func:`pair_bounds` takes without a mask (closed forms, vectorised).
MAX_PAIRS = choices.MAX_PAIRS  # the analysis's choice (analysis/choices.py)

#: Most pairs of margins :func:`pair_bounds` takes with a mask (a few linear programmes per pair).
MAX_LP_PAIRS = choices.MAX_LP_PAIRS  # the analysis's choice (analysis/choices.py)

#: Largest array (cells) :func:`count_tables` builds for its dynamic programme.
MAX_COUNT_CELLS = choices.MAX_COUNT_CELLS  # the analysis's choice (analysis/choices.py)

_CHUNK = 20_000  # pairs per vectorised block
_LP_CHUNK = 200  # pairs per block-diagonal linear programme


class TooManyMarginPairs(OverBudget):
    """More pairs of possible margins than the limit: ``n_pairs`` (``n_force`` x ``n_inspectorate``) against ``limit``."""

    def __init__(self, n_force: int, n_inspectorate: int, limit: int, masked: bool):
        self.n_force, self.n_inspectorate, self.limit, self.masked = n_force, n_inspectorate, limit, masked
        self.n_pairs = n_force * n_inspectorate
        how = "with an assumption on the cells (linear programmes for each pair)" if masked else "(closed forms, vectorised)"
        super().__init__(
            "bounding every pairing measure",
            self.n_pairs,
            limit,
            "pairs of possible totals",
            f"{self.n_pairs:,} pairs of possible totals ({n_force:,} for the force x {n_inspectorate:,} for the inspectors) "
            f"exceed the limit of {limit:,} {how}; narrow the published figures' ranges or raise the limit",
        )


class TooManyTables(OverBudget):
    """More consistent tables than the listing limit (``limit``); raised by :func:`enumerate_tables`."""

    def __init__(self, limit: int):
        self.limit = limit
        super().__init__("listing the consistent tables", None, limit, "tables", f"more than {limit:,} consistent tables: too many to list")


class CountTooLarge(OverBudget):
    """The dynamic programme of :func:`count_tables` would need more than ``limit`` cells (``cells``)."""

    def __init__(self, cells: int, limit: int):
        self.cells, self.limit = cells, limit
        super().__init__(
            "counting the consistent tables",
            cells,
            limit,
            "array cells",
            f"counting these tables needs an array of {cells:,} cells, more than the limit of {limit:,}",
        )


# --- inputs -----------------------------------------------------------------------------------------


def _margin_set(margins, who: str) -> np.ndarray:
    m = np.asarray(margins)
    if m.ndim == 1:
        m = m[None, :]
    if m.ndim != 2 or m.shape[0] == 0:
        raise ValueError(f"the {who} totals must be one row of k counts or a non-empty (m, k) array, got shape {m.shape}")
    if not MIN_GRADES <= m.shape[1] <= MAX_GRADES:
        raise ValueError(f"the {who} totals have {m.shape[1]} grades; {MIN_GRADES} to {MAX_GRADES} are handled")
    if m.dtype == bool or not (np.issubdtype(m.dtype, np.integer) or np.issubdtype(m.dtype, np.floating)):
        raise ValueError(f"the {who} totals must be whole numbers")
    if np.issubdtype(m.dtype, np.floating) and not (np.isfinite(m).all() and np.array_equal(m, np.rint(m))):
        raise ValueError(f"the {who} totals must be whole numbers")
    m = m.astype(np.int64)
    if (m < 0).any():
        raise ValueError(f"the {who} totals must be non-negative")
    n = m.sum(axis=1)
    if not (n == n[0]).all():
        raise ValueError(f"every possible set of {who} totals must add up to the same number of cases; got {sorted(set(n.tolist()))}")
    return np.unique(m, axis=0)


def _margin_sets(force_margins, inspectorate_margins) -> tuple[np.ndarray, np.ndarray, int, int]:
    f = _margin_set(force_margins, "force")
    g = _margin_set(inspectorate_margins, "inspectors'")
    if f.shape[1] != g.shape[1]:
        raise ValueError(f"the force's totals have {f.shape[1]} grades but the inspectors' {g.shape[1]}")
    nf, ng = int(f[0].sum()), int(g[0].sum())
    if nf != ng:
        raise ValueError(f"the force's totals add up to {nf} cases but the inspectors' to {ng}")
    return f, g, nf, f.shape[1]


def _mask(allowed, k: int) -> np.ndarray | None:
    """``allowed`` as a k x k boolean array, or None when every cell is allowed."""
    if allowed is None:
        return None
    a = np.asarray(allowed)
    if a.shape != (k, k):
        raise ValueError(f"allowed must be a {k} x {k} boolean mask, got shape {a.shape}")
    if a.dtype != bool:
        if not np.isin(a, (0, 1)).all():
            raise ValueError("allowed must hold booleans (True where a cell may be non-zero)")
        a = a.astype(bool)
    return None if a.all() else a


def _pairs(rows, cols) -> tuple[np.ndarray, np.ndarray]:
    """Margins of matching pairs, broadcast to a common leading shape, as int64, checked."""
    r = np.asarray(rows)
    c = np.asarray(cols)
    if r.shape[-1:] != c.shape[-1:] or r.ndim == 0:
        raise ValueError(f"row and column totals must have the same number of grades, got shapes {r.shape} and {c.shape}")
    for name, m in (("row", r), ("column", c)):
        if not np.array_equal(m, np.rint(m)) or (m < 0).any():
            raise ValueError(f"{name} totals must be non-negative whole numbers")
    r, c = np.broadcast_arrays(r.astype(np.int64), c.astype(np.int64))
    if not np.array_equal(r.sum(axis=-1), c.sum(axis=-1)):
        raise ValueError("row and column totals must add up to the same number of cases")
    return r, c


# --- Fréchet tables and feasibility -------------------------------------------------------------------


def frechet_tables(rows, cols) -> tuple[np.ndarray, np.ndarray]:
    """The comonotone (north-west corner) and countermonotone integer tables with the given margins.

    ``rows`` and ``cols`` have shape ``(..., k)`` (one pair, or many pairs broadcast together). The
    comonotone table pairs the cases in grade order for both graders:
    ``T[i, j] = max(0, min(R_i, C_j) - max(R_{i-1}, C_{j-1}))`` with ``R``, ``C`` cumulative totals
    (the discrete upper Fréchet-Hoeffding bound; no discordant pair of cases). The countermonotone
    table pairs them in opposite orders (the lower bound; no concordant pair): the same formula with
    the columns taken in reverse. Each is the unique table with its margins and no discordant (resp.
    concordant) pair. Returns ``(comonotone, countermonotone)``, each of shape ``(..., k, k)``.

    Reference: Fréchet, "Sur les tableaux de corrélation dont les marges sont données", 1951;
    Hoeffding, 1940; for tables, the north-west corner rule (Dantzig, *Linear Programming and
    Extensions*, 1963, section 14.2).
    """
    r, c = _pairs(rows, cols)

    def corner(r, c):
        hi_r, hi_c = np.cumsum(r, axis=-1), np.cumsum(c, axis=-1)
        lo_r, lo_c = hi_r - r, hi_c - c
        top = np.minimum(hi_r[..., :, None], hi_c[..., None, :])
        bottom = np.maximum(lo_r[..., :, None], lo_c[..., None, :])
        return np.maximum(top - bottom, 0)

    return corner(r, c), corner(r, c[..., ::-1])[..., ::-1]


@cache
def _subsets(k: int) -> np.ndarray:
    """Every non-empty subset of k items as a boolean row, shape ``(2**k - 1, k)``."""
    codes = np.arange(1, 2**k)
    return ((codes[:, None] >> np.arange(k)) & 1).astype(bool)


def has_table(rows, cols, allowed=None) -> np.ndarray | bool:
    """Whether any table with these margins is zero outside ``allowed`` (broadcast over pairs of margins).

    By Gale's supply-demand theorem: a table exists exactly when, for every set ``S`` of columns, the
    columns' totals add up to no more than the totals of the rows with an allowed cell in ``S``
    (Gale, "A theorem on flows in networks", Pacific J. Math. 7, 1957). Without a mask every pair
    with equal sums has a table.
    """
    r, c = _pairs(rows, cols)
    k = r.shape[-1]
    mask = _mask(allowed, k)
    if mask is None:
        out = np.ones(r.shape[:-1], dtype=bool)
    else:
        s = _subsets(k)
        reach = (s[:, None, :] & mask[None, :, :]).any(axis=-1)  # [S, i]: row i has an allowed cell in S
        out = (c @ s.T.astype(np.int64) <= r @ reach.T.astype(np.int64)).all(axis=-1)
    return bool(out) if out.ndim == 0 else out


def _in_mask(tables: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    if mask is None:
        return np.ones(tables.shape[:-2], dtype=bool)
    return (tables[..., ~mask] == 0).all(axis=-1)


# --- listing ------------------------------------------------------------------------------------------


def _closed_sets(k: int, mask: np.ndarray, i: int, j: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hall sets to check after choosing cell ``(i, j)``: the columns, whether the row's later cells reach them, which later rows do.

    The suppliers are the rest of row i (its allowed cells after column j) and the rows after i. It
    is enough to check the sets of columns *closed* under "every column whose suppliers are among
    theirs" (a set and its closure have the same suppliers), usually far fewer than all subsets.
    """
    later = np.arange(i + 1, k)
    cur = np.zeros(k, dtype=bool)
    cur[j + 1 :] = mask[i, j + 1 :]
    suppliers = np.column_stack([cur, mask[later].T]) if later.size else cur[:, None]  # [column, supplier]
    m = suppliers.shape[1]
    sets = []
    for code in range(2**m):
        u = ((code >> np.arange(m)) & 1).astype(bool)
        s = ~(suppliers & ~u[None, :]).any(axis=1)  # columns all of whose suppliers are in u
        if s.any():
            sets.append(s)
    s = np.unique(np.array(sets), axis=0)
    reach = (suppliers[None, :, :] & s[:, :, None]).any(axis=1)  # [S, supplier]
    return s, reach[:, 0], reach[:, 1:]


def _enumerate_pairs(
    rows: np.ndarray, cols: np.ndarray, mask: np.ndarray | None, max_tables: int, *, first: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Every table of every pair ``(rows[p], cols[p])`` that is zero outside ``mask``, with the pair of each: ``(tables, pair)``.

    Cells are filled one at a time, row by row, for all partial tables of all pairs at once; each
    cell ranges over the values that keep the rest completable (Hall's condition on the closed sets
    of :func:`_closed_sets`, linear in the cell's value), so no dead end is built and the partial
    tables never outnumber the complete ones. Tables come in lexicographic order of their cells
    within each pair. Raises :class:`TooManyTables` past ``max_tables``. With ``first``, only the
    first table of each pair in that order (the smallest value of every cell in turn).
    """
    m, k = rows.shape
    mask = np.ones((k, k), dtype=bool) if mask is None else mask
    feasible = has_table(rows, cols, mask) if m else np.zeros(0, bool)
    pair = np.flatnonzero(feasible)
    col_rem = cols[pair].copy()
    cells = np.zeros((pair.size, k * k), dtype=np.int64)
    for i in range(k - 1):
        rho = rows[pair, i].copy()
        for j in range(k):
            s, cur, later = _closed_sets(k, mask, i, j)
            s64 = s.T.astype(np.int64)
            supply_later = rows[pair][:, i + 1 :] @ later.T.astype(np.int64)
            rhs = rho[:, None] * cur[None, :] + supply_later - col_rem @ s64  # the cell's value v must keep coef * v <= rhs
            coef = cur.astype(np.int64) - s[:, j]
            hi = np.minimum(rho, col_rem[:, j]) if mask[i, j] else np.zeros_like(rho)
            lo = np.zeros_like(rho)
            if (coef == 1).any():
                hi = np.minimum(hi, rhs[:, coef == 1].min(axis=1))
            if (coef == -1).any():
                lo = np.maximum(lo, (-rhs[:, coef == -1]).max(axis=1))
            if (coef == 0).any():
                hi = np.where((rhs[:, coef == 0] >= 0).all(axis=1), hi, -1)
            counts = np.maximum(hi - lo + 1, 0)
            if first:
                counts = np.minimum(counts, 1)
            total = int(counts.sum())
            if total > max_tables:
                raise TooManyTables(max_tables)
            parent = np.repeat(np.arange(pair.size), counts)
            value = lo[parent] + (np.arange(total) - (np.cumsum(counts) - counts)[parent])
            pair, col_rem, rho, cells = pair[parent], col_rem[parent], rho[parent] - value, cells[parent]
            col_rem[:, j] -= value
            cells[:, i * k + j] = value
    cells[:, (k - 1) * k :] = col_rem
    return cells.reshape(-1, k, k), pair


def enumerate_tables(rows, cols, allowed=None, *, max_tables: int = LISTING_LIMIT) -> np.ndarray:
    """Every k x k table of non-negative integers with these margins that is zero outside ``allowed``.

    Shape ``(number, k, k)``, in lexicographic order of the cells read row by row (without a mask,
    the same tables in the same order as :func:`analysis.stats.contingency.enumerate_tables`).
    Raises :class:`TooManyTables` when there are more than ``max_tables``. See
    :func:`_enumerate_pairs` for the method.
    """
    r, c = _pairs(rows, cols)
    if r.ndim != 1:
        raise ValueError("give one pair of margins (1-D row and column totals)")
    tables, _ = _enumerate_pairs(r[None], c[None], _mask(allowed, r.size), max_tables)
    return tables


# --- counting -----------------------------------------------------------------------------------------


def _is_prime(p: int) -> bool:
    if p < 2:
        return False
    for q in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if p % q == 0:
            return p == q
    d, s = p - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):  # deterministic below 3.3e24
        x = pow(a, d, p)
        if x in (1, p - 1):
            continue
        for _ in range(s - 1):
            x = x * x % p
            if x == p - 1:
                break
        else:
            return False
    return True


@cache
def _primes(count: int) -> tuple[int, ...]:
    """The ``count`` largest primes below 2**40 (moduli for exact counting: sums of up to 2**23 of them fit in int64)."""
    out, p = [], 2**40 - 1
    while len(out) < count:
        if _is_prime(p):
            out.append(p)
        p -= 2
    return tuple(out)


def _count_bound(margins: np.ndarray) -> int:
    """An upper bound on the number of tables with these row totals: each row is a composition of its total into k cells."""
    k = margins.shape[-1]
    return max(math.prod(math.comb(int(x) + k - 1, k - 1) for x in row) for row in np.atleast_2d(margins))


def _prefix_sum(a: np.ndarray, axis: int) -> None:
    """Cumulative sum of ``a`` along ``axis``, in place: block by block when the blocks are long (faster than ``np.cumsum`` there)."""
    if math.prod(a.shape[axis + 1 :]) < 32:
        np.cumsum(a, axis=axis, out=a)
        return
    view = np.moveaxis(a, axis, 0)
    for i in range(1, view.shape[0]):
        np.add(view[i], view[i - 1], out=view[i])


def _dense_counts(rows: np.ndarray, top: np.ndarray, mask: np.ndarray, prime: int | None) -> np.ndarray:
    """``A[y]`` = number of tables with row totals ``rows``, column totals ``y`` (every ``y <= top``), zero outside ``mask``.

    Row by row: after rows 0..i, ``A[y]`` counts the partial tables whose columns add up to ``y``.
    Adding row i adds any vector of its allowed cells; summed over all such vectors that is a
    cumulative sum along each allowed axis, and keeping only the ``y`` with ``|y| = R_i`` fixes the
    row's total (the previous entries all have ``|y| = R_{i-1}``). Every entry is at most the number
    of partial tables, so without ``prime`` the caller must know the count fits in int64; with it,
    everything is modulo ``prime`` (< 2**40, so a sum along an axis of up to 2**23 entries fits).
    """
    k = rows.size
    shape = tuple(int(t) + 1 for t in top)
    level = np.zeros(shape, dtype=np.int64)
    for axis, size in enumerate(shape):
        level = level + np.arange(size).reshape([-1 if a == axis else 1 for a in range(k)])
    a = np.zeros(shape, dtype=np.int64)
    a[(0,) * k] = 1
    total, cap = 0, 1  # cap: no entry exceeds it (reduced modulo prime only when a sum could pass 2**63)
    for i in range(k):
        for j in np.flatnonzero(mask[i]):
            if prime is not None and cap * shape[j] >= 2**63:
                a %= prime
                cap = prime - 1
            _prefix_sum(a, int(j))
            cap *= shape[j]
        total += int(rows[i])
        a[level != total] = 0
    if prime is not None:
        a %= prime
    return a


def _crt(residues: Sequence[int], primes: Sequence[int]) -> int:
    x, modulus = 0, 1
    for r, p in zip(residues, primes, strict=True):
        t = ((int(r) - x) * pow(modulus, -1, p)) % p
        x += modulus * t
        modulus *= p
    return x


def _counts(f: np.ndarray, g: np.ndarray, mask: np.ndarray | None, max_cells: int) -> np.ndarray:
    """Exact table counts for every pair of ``f x g`` (object array of Python ints, shape ``(len(f), len(g))``)."""
    k = f.shape[1]
    mask = np.ones((k, k), dtype=bool) if mask is None else mask
    transpose = len(g) * math.prod(int(x) + 1 for x in f.max(axis=0)) < len(f) * math.prod(int(x) + 1 for x in g.max(axis=0))
    if transpose:  # run the programme over the inspectors' totals instead (the table transposed)
        return _counts(g, f, mask.T, max_cells).T
    top = g.max(axis=0)
    cells = math.prod(int(x) + 1 for x in top)
    if cells > max_cells:
        raise CountTooLarge(cells, max_cells)
    bound = min(_count_bound(f), _count_bound(g))
    if max(int(x) for x in top) + 1 > 2**23:
        raise CountTooLarge(cells, max_cells)
    primes = (None,) if bound < 2**63 else _primes(bound.bit_length() // 39 + 1)
    idx = tuple(g.T)
    out = np.empty((len(f), len(g)), dtype=object)
    for a, r in enumerate(f):
        residues = [_dense_counts(r, top, mask, p)[idx] for p in primes]
        for b in range(len(g)):
            out[a, b] = int(residues[0][b]) if primes == (None,) else _crt([res[b] for res in residues], primes)
    return out


def count_tables(rows, cols, allowed=None, *, max_cells: int | None = None) -> int:
    """Exact number of k x k tables of non-negative integers with these margins that are zero outside ``allowed``.

    A Python int of any size, by dynamic programming over the rows (see :func:`_dense_counts`),
    never listing the tables: the programme keeps one array entry per vector of partial column
    totals (up to ``prod(c_j + 1)`` of them, on the smaller side of the table) and works modulo a
    few primes near 2**40, recombined by the Chinese remainder theorem (exact: the primes' product
    exceeds a bound on the count). Raises :class:`CountTooLarge` past ``max_cells`` entries. Checked
    against enumeration in the tests.

    Reference: counting contingency tables with fixed margins by dynamic programming over rows, e.g.
    Gail and Mantel, "Counting the number of r x c contingency tables with fixed margins", JASA 72,
    1977.
    """
    r, c = _pairs(rows, cols)
    if r.ndim != 1:
        raise ValueError("give one pair of margins (1-D row and column totals)")
    if not MIN_GRADES <= r.size <= MAX_GRADES:
        raise ValueError(f"{r.size} grades; {MIN_GRADES} to {MAX_GRADES} are handled")
    mask = _mask(allowed, r.size)
    if not has_table(r, c, mask):
        return 0
    return int(_counts(r[None], c[None], mask, MAX_COUNT_CELLS if max_cells is None else max_cells)[0, 0])


def count_tables_over(force_margins, inspectorate_margins, allowed=None, *, max_cells: int | None = None) -> int:
    """Exact number of consistent tables over every pair of ``F x G`` (row sums in ``F``, column sums in ``G``), zero outside ``allowed``.

    Distinct rows of ``F`` and ``G`` count once. One dynamic programme per force margin gives the
    counts for every inspectors' margin at once (or the other way round, whichever is smaller).
    """
    f, g, _, k = _margin_sets(force_margins, inspectorate_margins)
    mask = _mask(allowed, k)
    return int(sum(_counts(f, g, mask, MAX_COUNT_CELLS if max_cells is None else max_cells).ravel().tolist()))


# --- optimisation under a mask --------------------------------------------------------------------------


def _lp_tables(rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, mask: np.ndarray, maximise: bool) -> tuple[np.ndarray, np.ndarray]:
    """For each pair ``(rows[p], cols[p])``, a whole table zero outside ``mask`` minimising (or maximising) ``sum(weights[p] * T)``.

    One linear programme per block of pairs, block-diagonal (the pairs are independent, so its
    optimum is optimal for each pair), solved by HiGHS' dual simplex, which returns a vertex; the
    masked transportation polytope has whole-table vertices, so the solution is rounded only to
    remove floating-point noise and checked. A pair whose solution is not a whole table (not seen
    in the tests) is solved again by :func:`analysis.stats.contingency.lexicographic_optimum`.
    Every pair must have a table (see :func:`has_table`). Returns the tables, shape ``(m, k, k)``,
    and the dual values of the row and column constraints for the objective ``+-weights`` that is
    minimised, shape ``(m, 2k)``.
    """
    m, k = rows.shape
    weights = np.broadcast_to(weights, (m, k, k)).reshape(m, k * k)
    cells = np.flatnonzero(mask.ravel())
    one = np.zeros((2 * k, cells.size))
    one[cells // k, np.arange(cells.size)] = 1
    one[k + cells % k, np.arange(cells.size)] = 1
    one = sparse.csr_matrix(one)
    sign = -1.0 if maximise else 1.0
    out = np.zeros((m, k * k), dtype=np.int64)
    duals = np.zeros((m, 2 * k))
    for start in range(0, m, _LP_CHUNK):
        sl = slice(start, min(start + _LP_CHUNK, m))
        size = sl.stop - sl.start
        w = weights[sl][:, cells]
        scale = np.abs(w).max(axis=1, keepdims=True)
        scale = np.where(scale > 0, scale, 1.0)
        res = linprog(
            (sign * w / scale).ravel(),
            A_eq=sparse.kron(sparse.identity(size, format="csr"), one, format="csr"),
            b_eq=np.concatenate([rows[sl], cols[sl]], axis=1).ravel().astype(float),
            bounds=(0, None),
            method="highs-ds",
        )
        if res.status != 0:
            raise ArithmeticError(f"the linear programme failed: {res.message}")
        duals[sl] = res.eqlin.marginals.reshape(size, 2 * k) * scale
        x = res.x.reshape(size, cells.size)
        t = np.rint(x).astype(np.int64)
        block = np.zeros((size, k * k), dtype=np.int64)
        block[:, cells] = t
        tables = block.reshape(size, k, k)
        ok = (
            (np.abs(x - t) < 1e-7).all(axis=1) & (tables.sum(axis=2) == rows[sl]).all(axis=1) & (tables.sum(axis=1) == cols[sl]).all(axis=1)
        )
        for p in np.flatnonzero(~ok):
            upper = np.where(mask, np.inf, 0.0)
            block[p] = lexicographic_optimum(
                rows[sl][p], cols[sl][p], [weights[sl][p].reshape(k, k)], maximise=maximise, upper=upper
            ).ravel()
            duals[start + p] = np.nan
        out[sl] = block
    return out.reshape(m, k, k), duals


#: Pairs whose linear programmes are solved together before their dual solutions are tried on the rest.
_DUAL_BATCH = 8


def _fixed_tables(rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, mask: np.ndarray, maximise: bool) -> np.ndarray:
    """:func:`_lp_tables` for integer weights shared by every pair, solving few programmes: dual solutions certify the rest.

    A dual solution ``(u, v)`` (``u_i + v_j <= w_ij`` on every allowed cell) does not depend on the
    margins. For any pair, a table that uses only the cells where ``u_i + v_j = w_ij`` is optimal
    (complementary slackness; e.g. Schrijver, *Theory of Linear and Integer Programming*, 1986,
    section 7.9), and whether one exists is Hall's condition on those cells (:func:`has_table`).
    So a programme is solved for a few pairs at a time; each integral dual solution found is tried
    on every pair left, and a pair it certifies gets the first such table in lexicographic order.
    """
    m, k = rows.shape
    cost = np.rint(-weights if maximise else weights).astype(np.int64)
    out = np.zeros((m, k, k), dtype=np.int64)
    done = np.zeros(m, dtype=bool)
    solved = np.zeros(m, dtype=bool)
    seen: set[bytes] = set()
    fresh: list[np.ndarray] = []
    while True:
        pending = np.flatnonzero(~done)
        for dual in fresh:
            if pending.size == 0:
                break
            tight = mask & (dual[:k, None] + dual[None, k:] == cost)
            ok = has_table(rows[pending], cols[pending], tight)
            if ok.any():
                chosen = pending[ok]
                out[chosen] = _enumerate_pairs(rows[chosen], cols[chosen], tight, chosen.size, first=True)[0]
                done[chosen] = True
                pending = pending[~ok]
        fresh = []
        if pending.size == 0:
            return out
        batch = pending[:_DUAL_BATCH]
        tables, duals = _lp_tables(rows[batch], cols[batch], cost.astype(float), mask, False)
        again = solved[batch]  # solved before, yet no dual certified it (cannot happen in exact arithmetic): keep the table
        out[batch[again]], done[batch[again]] = tables[again], True
        solved[batch] = True
        for p, table, y in zip(batch[~again], tables[~again], duals[~again], strict=True):
            dual = np.rint(y).astype(np.int64) if np.isfinite(y).all() else None
            feasible_dual = (
                dual is not None
                and np.allclose(y, dual, atol=1e-6)
                and (dual[:k, None] + dual[None, k:] <= cost)[mask].all()
                and rows[p] @ dual[:k] + cols[p] @ dual[k:] == (cost * table).sum()
            )
            if feasible_dual and dual.tobytes() not in seen:
                seen.add(dual.tobytes())
                fresh.append(dual)
            elif not feasible_dual:  # no certificate: keep the programme's own optimal table
                out[p] = table
                done[p] = True


def _optimum(rows, cols, weights, mask, maximise, frechet=None) -> np.ndarray:
    """A table per pair optimising ``sum(weights * T)`` under ``mask``; a Fréchet table (``frechet``, per pair) where it meets ``mask``.

    ``frechet`` is given only where that Fréchet table is optimal over every table with the pair's
    margins; lying in the mask, it is then optimal over the masked tables too. Integer weights
    shared by all pairs go to :func:`_fixed_tables`, others to :func:`_lp_tables`.
    """
    todo = np.ones(len(rows), dtype=bool) if frechet is None else ~_in_mask(frechet, mask)
    out = np.zeros((len(rows), *mask.shape), dtype=np.int64) if frechet is None else frechet.copy()
    if todo.any():
        if weights.ndim == 2 and np.array_equal(weights, np.rint(weights)):
            out[todo] = _fixed_tables(rows[todo], cols[todo], weights, mask, maximise)
        else:
            w = np.broadcast_to(weights, (len(rows), *weights.shape[-2:]))
            out[todo] = _lp_tables(rows[todo], cols[todo], w[todo], mask, maximise)[0]
    return out


def _rank_weights(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``W[i, j] = (a_i - mean)(b_j - mean)`` with mid-ranks ``a``, ``b``: Spearman's rho is increasing in ``sum(W * T)`` for fixed margins."""
    n = rows.sum(axis=1, keepdims=True)
    a = np.cumsum(rows, axis=1) - rows + (rows + 1) / 2 - (n + 1) / 2
    b = np.cumsum(cols, axis=1) - cols + (cols + 1) / 2 - (n + 1) / 2
    return a[:, :, None] * b[:, None, :]


# --- the bounds ---------------------------------------------------------------------------------------------


def _degenerate(margins: np.ndarray) -> np.ndarray:
    """Margins with every case in one grade (ordinal association is then undefined on every table)."""
    return (margins > 0).sum(axis=-1) <= 1


class _Extremes:
    """Running minimum of lows and maximum of highs (and of the interval ends) of each quantity over chunks of pairs."""

    def __init__(self):
        self.values: dict[str, list[float]] = {}

    def add(self, key: str, values, lowest: bool) -> None:
        v = np.asarray(values, dtype=float).ravel()
        v = v[~np.isnan(v)]
        if v.size:
            self.values.setdefault(key, []).append(float(v.min() if lowest else v.max()))

    def get(self, key: str, lowest: bool) -> float:
        v = self.values.get(key)
        if not v:
            return np.nan
        return min(v) if lowest else max(v)


_KAPPA_KINDS = {"cohen_kappa": "identity", "weighted_kappa_linear": "linear", "weighted_kappa_quadratic": "quadratic"}


def _kappa_on(tables: np.ndarray, d: np.ndarray, r: np.ndarray, c: np.ndarray, n: int) -> np.ndarray:
    """Weighted kappa with integer disagreement weights ``d`` on integer tables, with the float operations of :func:`weighted_kappa`."""
    observed = (tables * d).sum(axis=(1, 2)).astype(float)
    expected = ((r @ d) * c).sum(axis=1).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected != 0, 1.0 - float(n) * observed / expected, np.nan)


def _tau_b_frechet(table: np.ndarray, r: np.ndarray, c: np.ndarray, n: int, sign: float) -> np.ndarray:
    """Kendall's tau-b on a comonotone (``sign`` +1) or countermonotone (-1) table, as :func:`kendall_tau_b` computes it.

    Such a table has no discordant (resp. concordant) pair, so ``|P - Q| = P + Q`` = the pairs of
    cases tied by neither grader, ``n0 - n1 - n2 + n12`` (``n12``: pairs tied by both).
    """
    pairs = lambda x: (x * (x - 1) // 2).astype(float)  # noqa: E731
    n0 = n * (n - 1) / 2
    n1, n2 = pairs(r).sum(axis=1), pairs(c).sum(axis=1)
    untied = n0 - n1 - n2 + pairs(table).sum(axis=(1, 2))
    den = np.sqrt(np.maximum(n0 - n1, 0) * np.maximum(n0 - n2, 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den != 0, sign * untied / den, np.nan)


def _closed_form_chunk(r: np.ndarray, c: np.ndarray, n: int, confidence: float, acc: _Extremes) -> None:
    """Every bound of one chunk of pairs of margins, without a mask (see the module docstring).

    Each value is computed with the same floating-point operations as the per-table functions use
    (on the attaining table), so that it equals the listed tables' minimum or maximum to the last bit.
    """
    up, down = frechet_tables(r, c)
    i, j = np.indices(up.shape[-2:])
    cum_r, cum_c = np.cumsum(r, axis=1), np.cumsum(c, axis=1)
    acc.add("n_force_better_low", np.maximum((cum_r - cum_c).max(axis=1), 0), True)
    acc.add("n_force_better_high", (cum_r - r + n - cum_c).min(axis=1), False)
    both_best = down[:, 0, 0]  # the fewest cases in the best grade for both: the 2 x 2 collapse of the table
    collapsed = np.stack([both_best, r[:, 0] - both_best, c[:, 0] - both_best, n - r[:, 0] - c[:, 0] + both_best], axis=1)
    gap = paired_proportion_difference(collapsed.reshape(-1, 2, 2), 0, confidence)
    acc.add("good_gap_low", gap.estimate, True)
    acc.add("good_gap_high", gap.estimate, False)
    acc.add("good_gap_ci_low", gap.low, True)
    acc.add("good_gap_ci_high", gap.high, False)
    msg = mean_score_gap(down, confidence)
    acc.add("mean_score_gap_low", msg.estimate, True)
    acc.add("mean_score_gap_high", msg.estimate, False)
    acc.add("mean_score_gap_ci_low", msg.low, True)
    acc.add("mean_score_gap_ci_high", msg.high, False)
    defined = ~(_degenerate(r) | _degenerate(c))  # else gamma, tau-b and rho are undefined on every table of the pair
    if defined.any():
        acc.add("goodman_kruskal_gamma_low", -1.0, True)
        acc.add("goodman_kruskal_gamma_high", 1.0, False)
    acc.add("kendall_tau_b_low", _tau_b_frechet(down, r, c, n, -1.0), True)
    acc.add("kendall_tau_b_high", _tau_b_frechet(up, r, c, n, 1.0), False)
    acc.add("spearman_rho_low", spearman_rho(down), True)
    acc.add("spearman_rho_high", spearman_rho(up), False)
    # Cohen's kappa: 1 - n * (cases off the diagonal) / (expected off the diagonal), as weighted_kappa computes it
    expected = ((r.sum(axis=1) ** 2) - (r * c).sum(axis=1)).astype(float)
    most_same = np.minimum(r, c).sum(axis=1)
    fewest_same = np.maximum((r + c).max(axis=1) - n, 0)
    acc.add("n_same_low", fewest_same, True)
    acc.add("n_same_high", most_same, False)
    with np.errstate(divide="ignore", invalid="ignore"):
        acc.add("cohen_kappa_low", np.where(expected > 0, 1.0 - float(n) * (n - fewest_same).astype(float) / expected, np.nan), True)
        acc.add("cohen_kappa_high", np.where(expected > 0, 1.0 - float(n) * (n - most_same).astype(float) / expected, np.nan), False)
    for name, d in (("weighted_kappa_linear", np.abs(i - j)), ("weighted_kappa_quadratic", (i - j) ** 2)):
        acc.add(f"{name}_low", _kappa_on(down, d, r, c, n), True)
        acc.add(f"{name}_high", _kappa_on(up, d, r, c, n), False)


def _masked_chunk(r, c, n, confidence, mask, acc: _Extremes, unresolved: dict[str, list[np.ndarray]], offset: int) -> None:
    """Every bound of one chunk of pairs under ``mask``: linear programmes, Fréchet tables where they meet the mask."""
    k = r.shape[1]
    i, j = np.indices((k, k))
    up, down = frechet_tables(r, c)
    better = (i < j).astype(float)
    t = _optimum(r, c, better, mask, False)
    acc.add("n_force_better_low", direction_counts(t)[0], True)
    t = _optimum(r, c, better, mask, True)
    acc.add("n_force_better_high", direction_counts(t)[0], False)
    t = _optimum(r, c, ((i == 0) & (j == 0)).astype(float), mask, False, down)  # fewest cases best for both: widest Wald interval
    gap = paired_proportion_difference(t, 0, confidence)
    acc.add("good_gap_low", gap.estimate, True)
    acc.add("good_gap_high", gap.estimate, False)
    acc.add("good_gap_ci_low", gap.low, True)
    acc.add("good_gap_ci_high", gap.high, False)
    t = _optimum(r, c, (i == j).astype(float), mask, True)  # most cases on the diagonal: also the highest kappa of the pair
    acc.add("cohen_kappa_high", cohen_kappa(t), False)
    acc.add("n_same_high", np.trace(t, axis1=-2, axis2=-1), False)
    t = _optimum(r, c, (i == j).astype(float), mask, False)
    acc.add("cohen_kappa_low", cohen_kappa(t), True)
    acc.add("n_same_low", np.trace(t, axis1=-2, axis2=-1), True)
    for name, d in (("weighted_kappa_linear", np.abs(i - j)), ("weighted_kappa_quadratic", (i - j) ** 2)):
        d = d.astype(float)
        t = _optimum(r, c, d, mask, False, up)
        acc.add(f"{name}_high", weighted_kappa(t, _KAPPA_KINDS[name]), False)
        t = _optimum(r, c, d, mask, True, down)
        acc.add(f"{name}_low", weighted_kappa(t, _KAPPA_KINDS[name]), True)
        if name == "weighted_kappa_quadratic":  # most spread in the score differences: widest paired t interval
            msg = mean_score_gap(t, confidence)
            acc.add("mean_score_gap_low", msg.estimate, True)
            acc.add("mean_score_gap_high", msg.estimate, False)
            acc.add("mean_score_gap_ci_low", msg.low, True)
            acc.add("mean_score_gap_ci_high", msg.high, False)
    defined = ~(_degenerate(r) | _degenerate(c))
    if defined.any():
        w = _rank_weights(r[defined], c[defined])
        acc.add("spearman_rho_high", spearman_rho(_optimum(r[defined], c[defined], w, mask, True, up[defined])), False)
        acc.add("spearman_rho_low", spearman_rho(_optimum(r[defined], c[defined], w, mask, False, down[defined])), True)
    # gamma and tau-b: the Fréchet table where it meets the mask; the other pairs are settled later
    for side, table, lowest in (("high", up, False), ("low", down, True)):
        ok = _in_mask(table, mask) & defined
        for name, f in (("goodman_kruskal_gamma", goodman_kruskal_gamma), ("kendall_tau_b", kendall_tau_b)):
            if ok.any():
                acc.add(f"{name}_{side}", f(table[ok]), lowest)
        unresolved[side].append(offset + np.flatnonzero(defined & ~ok))


def _settle_ordinal(f, g, feasible, mask, unresolved, acc: _Extremes, max_listed: int, tried_all: bool) -> dict[str, str]:
    """Gamma and tau-b for the pairs whose Fréchet table breaks the mask: list their tables, or show the rest cannot matter.

    Returns, for each ``<quantity>_<side>`` left unknown, why. An unlisted pair cannot change a
    high (low) when the value already found is at least (at most) that pair's Fréchet value
    without the mask, which bounds it under the mask.
    """
    ng = len(g)
    todo = {side: np.unique(np.concatenate(idx)) if idx else np.zeros(0, np.int64) for side, idx in unresolved.items()}
    union = np.union1d(todo["high"], todo["low"])
    if union.size == 0:
        return {}
    pairs = feasible[union]
    r, c = f[pairs // ng], g[pairs % ng]
    funcs = {"goodman_kruskal_gamma": goodman_kruskal_gamma, "kendall_tau_b": kendall_tau_b}
    tables = owner = None
    if not (tried_all and union.size == feasible.size):  # listing every pair was already found too long
        with contextlib.suppress(TooManyTables):
            tables, owner = _enumerate_pairs(r, c, mask, max_listed)
    missing = {}
    for side, lowest in (("high", False), ("low", True)):
        idx = np.searchsorted(union, todo[side])
        if idx.size == 0:
            continue
        if tables is not None:
            keep = np.isin(owner, idx)
            for name, fn in funcs.items():
                acc.add(f"{name}_{side}", fn(tables[keep]), lowest)
            continue
        up, down = frechet_tables(r[idx], c[idx])
        for name, fn in funcs.items():
            bound = np.asarray(fn(up if side == "high" else down), dtype=float)
            found = acc.get(f"{name}_{side}", lowest)
            if np.isnan(found) or (found < np.nanmax(bound) if side == "high" else found > np.nanmin(bound)):
                missing[f"{name}_{side}"] = (
                    f"{side} not found: for some totals the {'comonotone' if side == 'high' else 'countermonotone'} table breaks "
                    f"the assumptions and their tables are too many to list (more than {max_listed:,})"
                )
    return missing


def _methods(confidence: float, labels, scores: str, masked: bool, why: str) -> dict[str, tuple[str, bool]]:
    """``method`` text of each quantity when the tables are not listed, and whether it has an interval."""
    pct = f"{100 * confidence:g}%"
    best = best_grade_text(labels)
    no_ci = f"no interval: {why}, and the widest per-table interval has no closed form"
    fewest_best = f"the fewest cases {best} for both"
    if not masked:
        frechet = "largest on the comonotone (north-west corner) table and smallest on the countermonotone one (Tchen 1980)"
        return {
            "n_force_better": (
                f"fewest and most cases the force graded better: closed form for each pair of totals (max-flow/min-cut of the transportation problem); {why}",
                False,
            ),
            "n_same": (
                f"fewest and most cases graded the same by both: closed form for each pair of totals, max(0, max_i force_i + inspectors_i - n) "
                f"and sum_i min(force_i, inspectors_i) (Fréchet bounds on the diagonal); {why}",
                False,
            ),
            "percent_agreement": (f"{AGREEMENT_METHOD.format(pct=pct)} (closed form; {why})", True),
            "share_force_better": (
                f"those counts over n; ci_low: one-sided {pct} Clopper-Pearson lower bound at the fewest (closed form; {why})",
                True,
            ),
            "good_gap": (
                f"force share {best} minus inspectors' share {best}, same cases; span of paired Wald {pct} intervals over the tables, in closed form: "
                f"widest with {fewest_best}, max(0, force + inspectors - n) (Fréchet lower bound); {why}",
                True,
            ),
            "mean_score_gap": (
                f"mean of force minus inspectors' score ({scores}); span of paired t {pct} intervals over the tables, in closed form: "
                f"widest on the countermonotone table (most spread in the score differences); {why}",
                True,
            ),
            "goodman_kruskal_gamma": (
                f"closed form: +1 on the comonotone (north-west corner) table and -1 on the countermonotone one "
                f"(no discordant, resp. concordant, pair of cases); no interval; {why}",
                False,
            ),
            "kendall_tau_b": (f"closed form: {frechet}; no interval; {why}", False),
            "spearman_rho": (f"closed form: {frechet}; no interval; {why}", False),
            "cohen_kappa": (
                f"closed form: most cases graded the same sum_i min(force_i, inspectors_i), fewest max(0, max_i force_i + inspectors_i - n); {no_ci}",
                False,
            ),
            "weighted_kappa_linear": (f"closed form: {frechet}, disagreement weights convex in the grade difference; {no_ci}", False),
            "weighted_kappa_quadratic": (f"closed form: {frechet}, disagreement weights convex in the grade difference; {no_ci}", False),
        }
    lp = "linear programming for each pair of totals under the assumptions (HiGHS dual simplex; every vertex is a whole table)"
    or_frechet = "or the comonotone (north-west corner) or countermonotone table where it meets them"
    return {
        "n_force_better": (f"fewest and most cases the force graded better: {lp}; {why}", False),
        "n_same": (f"fewest and most cases graded the same by both: {lp}; {why}", False),
        "percent_agreement": (f"{AGREEMENT_METHOD.format(pct=pct)} (linear programming; {why})", True),
        "share_force_better": (
            f"those counts over n; ci_low: one-sided {pct} Clopper-Pearson lower bound at the fewest (linear programming; {why})",
            True,
        ),
        "good_gap": (
            f"force share {best} minus inspectors' share {best}, same cases; span of paired Wald {pct} intervals over the tables: "
            f"widest with {fewest_best}, by {lp}, {or_frechet}; {why}",
            True,
        ),
        "mean_score_gap": (
            f"mean of force minus inspectors' score ({scores}); span of paired t {pct} intervals over the tables: "
            f"widest with the most spread in the score differences, by {lp}, {or_frechet}; {why}",
            True,
        ),
        "goodman_kruskal_gamma": (
            "the comonotone (north-west corner) and countermonotone tables where they meet the assumptions; for other totals every "
            f"table listed, or their value without the assumptions shown not to pass the bound; no interval; {why}",
            False,
        ),
        "kendall_tau_b": (
            "the comonotone (north-west corner) and countermonotone tables where they meet the assumptions; for other totals every "
            f"table listed, or their value without the assumptions shown not to pass the bound; no interval; {why}",
            False,
        ),
        "spearman_rho": (f"{lp}, {or_frechet}; no interval; {why}", False),
        "cohen_kappa": (f"{lp}; {no_ci}", False),
        "weighted_kappa_linear": (f"{lp}, {or_frechet}; {no_ci}", False),
        "weighted_kappa_quadratic": (f"{lp}, {or_frechet}; {no_ci}", False),
    }


def pair_bounds(
    force_margins,
    inspectorate_margins,
    *,
    allowed=None,
    confidence: float = 0.95,
    labels: Sequence[str] | None = None,
    scores: str | None = None,
    max_listed: int = LISTING_LIMIT,
    listing: bool | None = None,
    max_pairs: int | None = None,
) -> pd.DataFrame:
    """Exact range of each agreement quantity over every table with row sums in ``F`` and column sums in ``G``, with its interval where exact.

    ``force_margins`` (``F``, shape ``(m1, k)`` or one row of k) and ``inspectorate_margins``
    (``G``, shape ``(m2, k)``) are the possible totals per grade, best first, every row summing to
    the same n > 0; every pair of ``F x G`` is possible. ``allowed`` (k x k booleans) keeps only the
    tables that are zero outside it (an assumption, e.g. ``i <= j``: the force never graded a case
    worse). Returns one row per quantity of
    :data:`analysis.stats.identification.IDENTIFIED_QUANTITIES`, in that order, with the columns
    of :data:`COLUMNS` (those of ``identified.csv``): ``low``/``high`` the exact minimum and maximum
    over the consistent tables (NaN where a quantity is undefined on every table, which ``method``
    says), ``ci_low``/``ci_high`` the interval spanning every table's interval where that is exact
    (NaN where not, and ``method`` says why), ``method`` how the row was computed.

    - When the consistent tables number at most ``max_listed`` in all (and ``listing`` is not
      False), they are listed
      (:func:`enumerate_tables`) and summarised as
      :func:`analysis.stats.identification.identified_summary` does (the same ``method`` texts;
      on Gwent's published totals the result is ``identified.csv`` exactly);
    - otherwise, without ``allowed``: closed forms for every pair, vectorised; with it: linear
      programmes per pair (see the module docstring), and gamma and tau-b from Fréchet tables or
      listing where those settle them. ``listing=False`` takes this road even when the tables are
      few (to compare the two); ``listing=True`` insists on listing and raises
      :class:`TooManyTables` when they are too many.

    ``labels`` (grade names, best first) and ``scores`` (the score scale in words, default
    :func:`analysis.stats.identification.score_text`) only word the ``method`` texts. The frame's
    ``attrs`` hold ``n_pairs`` (pairs of distinct totals), ``n_pairs_with_tables`` and ``n_tables``
    (the number of consistent tables when listed or none, else None). With no consistent table
    (the totals rule the assumption out) every value is NaN and ``method`` says so. Raises
    :class:`TooManyMarginPairs` beyond ``max_pairs`` pairs (default :data:`MAX_PAIRS`, or
    :data:`MAX_LP_PAIRS` with ``allowed``).
    """
    if not 0 < confidence < 1:
        raise ValueError("confidence must lie strictly between 0 and 1")
    f, g, n, k = _margin_sets(force_margins, inspectorate_margins)
    if n == 0:
        raise ValueError("the totals hold no cases")
    mask = _mask(allowed, k)
    limit = (MAX_PAIRS if mask is None else MAX_LP_PAIRS) if max_pairs is None else max_pairs
    if len(f) * len(g) > limit:
        raise TooManyMarginPairs(len(f), len(g), limit, mask is not None)
    scores = score_text(k, labels) if scores is None else scores
    ng = len(g)
    flat = np.arange(len(f) * ng)
    if mask is None:
        feasible = flat
    else:
        feasible = np.concatenate(
            [chunk[has_table(f[chunk // ng], g[chunk % ng], mask)] for chunk in np.array_split(flat, max(1, flat.size // _CHUNK))]
        )
    attrs = {"n_pairs": int(flat.size), "n_pairs_with_tables": int(feasible.size), "n_tables": None}
    if feasible.size == 0:
        out = pd.DataFrame(
            {
                "quantity": list(IDENTIFIED_QUANTITIES),
                "low": np.nan,
                "high": np.nan,
                "ci_low": np.nan,
                "ci_high": np.nan,
                "method": "no table is consistent with the totals and the assumptions",
            },
            columns=list(COLUMNS),
        )
        out.attrs = {**attrs, "n_tables": 0}
        return out
    if listing and feasible.size > max_listed:
        raise TooManyTables(max_listed)
    tried_all = listing is not False and feasible.size <= max_listed
    if tried_all:
        try:
            tables, _ = _enumerate_pairs(f[feasible // ng], g[feasible % ng], mask, max_listed)
        except TooManyTables:
            if listing:
                raise
            tables = None
        if tables is not None:
            out = tables_summary(tables, confidence, labels=labels, scores=scores)
            out.attrs = {**attrs, "n_tables": len(tables)}
            return out

    acc = _Extremes()
    unresolved: dict[str, list[np.ndarray]] = {"high": [], "low": []}
    step = _CHUNK if mask is None else _LP_CHUNK * 5
    for start in range(0, feasible.size, step):
        idx = feasible[start : start + step]
        r, c = f[idx // ng], g[idx % ng]
        if mask is None:
            _closed_form_chunk(r, c, n, confidence, acc)
        else:
            _masked_chunk(r, c, n, confidence, mask, acc, unresolved, start)
    missing = {} if mask is None else _settle_ordinal(f, g, feasible, mask, unresolved, acc, max_listed, tried_all)
    why = "tables not listed, on request" if listing is False else f"more than {max_listed:,} consistent tables, none listed"
    methods = _methods(confidence, labels, scores, mask is not None, why)
    records = []
    for q in IDENTIFIED_QUANTITIES:
        source = {"share_force_better": "n_force_better", "percent_agreement": "n_same"}.get(q, q)
        low, high = acc.get(f"{source}_low", True), acc.get(f"{source}_high", False)
        method, has_ci = methods[q]
        ci_low = ci_high = np.nan
        if q == "share_force_better":
            low, high = low / n, high / n
            ci_low = clopper_pearson_lower(acc.get("n_force_better_low", True), n, confidence)
        elif q == "percent_agreement":
            ci_low, ci_high = agreement_interval(low, high, n, confidence)
            low, high = low / n, high / n
        elif has_ci:
            ci_low, ci_high = acc.get(f"{q}_ci_low", True), acc.get(f"{q}_ci_high", False)
        gaps = [missing[f"{q}_{side}"] for side in ("low", "high") if f"{q}_{side}" in missing]
        if gaps:
            low = np.nan if f"{q}_low" in missing else low
            high = np.nan if f"{q}_high" in missing else high
            method = f"{method}; " + "; ".join(gaps)
        elif np.isnan(low) and np.isnan(high):
            method, ci_low, ci_high = undefined_text(q), np.nan, np.nan
        records.append({"quantity": q, "low": low, "high": high, "ci_low": ci_low, "ci_high": ci_high, "method": method})
    out = pd.DataFrame.from_records(records, columns=list(COLUMNS)).astype({c: float for c in ("low", "high", "ci_low", "ci_high")})
    out.attrs = attrs
    return out


# --- too many totals to list: the linear quantities over the whole consistent set ---------------------------------

#: The quantities :func:`system_bounds` gives (linear in the counts and cells, so integer programming bounds them exactly).
LINEAR_QUANTITIES: tuple[str, ...] = ("n_force_better", "share_force_better", "n_same", "percent_agreement", "good_gap", "mean_score_gap")


def system_bounds(system, *, confidence: float = 0.95, labels: Sequence[str] | None = None, why: str = "") -> pd.DataFrame:
    """The rows of :func:`pair_bounds` for a pair whose possible totals are too many to list, from the integer programme of the figures.

    ``system`` is the :class:`analysis.stats.consistent_set.CountSystem` of the published figures,
    with the pair's cells as variables. The quantities of :data:`LINEAR_QUANTITIES` are linear in
    the cells and counts (cases the force graded better, cases graded the same, the gap in the share
    in the best grade, the mean score gap), so their exact smallest and largest values over every
    consistent table of every possible pair of totals are two integer programmes each (HiGHS via
    :meth:`~analysis.stats.consistent_set.CountSystem.linear_range`): no total and no table is
    listed, and the cost does not grow with the number of cases. The share graded better and the
    share graded the same keep their exact (Clopper-Pearson) intervals, which need only the counts;
    the others (the gaps' intervals, the ordinal measures and the kappas, which are not linear once
    the totals vary) are left empty and ``method`` says why (``why``).
    """
    if system.pair is None:
        raise ValueError("the figures give no pair of gradings of the same cases")
    force, insp = system.pair
    k, n = system.k, system.groups[force]
    if n == 0:
        raise ValueError("the totals hold no cases")
    pct = f"{100 * confidence:g}%"
    best = best_grade_text(labels)
    ip = f"integer programming over every table of every pair of totals the figures allow; {why}"

    def span(coefs: dict[int, float]) -> tuple[float, float]:
        lo, hi, _, _ = system.linear_range(coefs)
        return round(lo), round(hi)

    better = span({system.cell(i, j): 1.0 for i in range(k) for j in range(k) if i < j})
    same = span({system.cell(i, i): 1.0 for i in range(k)})
    gap = span({system.var(force, 0): 1.0, system.var(insp, 0): -1.0})
    score = span({**{system.var(force, i): float(k - i) for i in range(k)}, **{system.var(insp, i): -float(k - i) for i in range(k)}})
    rows = {
        "n_force_better": (*better, np.nan, np.nan, f"fewest and most cases the force graded better: {ip}"),
        "share_force_better": (
            better[0] / n,
            better[1] / n,
            clopper_pearson_lower(better[0], n, confidence),
            np.nan,
            f"those counts over n; ci_low: one-sided {pct} Clopper-Pearson lower bound at the fewest",
        ),
        "n_same": (*same, np.nan, np.nan, f"fewest and most cases graded the same by both: {ip}"),
        "percent_agreement": (same[0] / n, same[1] / n, *agreement_interval(*same, n, confidence), AGREEMENT_METHOD.format(pct=pct)),
        "good_gap": (
            gap[0] / n,
            gap[1] / n,
            np.nan,
            np.nan,
            f"force share {best} minus inspectors' share {best}, same cases: {ip}; no interval (the widest needs the totals listed)",
        ),
        "mean_score_gap": (
            score[0] / n,
            score[1] / n,
            np.nan,
            np.nan,
            f"mean of force minus inspectors' score ({score_text(k, labels)}): {ip}; no interval (the widest needs the totals listed)",
        ),
    }
    records = []
    for q in IDENTIFIED_QUANTITIES:
        if q in rows:
            low, high, ci_low, ci_high, method = rows[q]
        else:
            low = high = ci_low = ci_high = np.nan
            method = f"not computed: {why}; its range needs every pair of totals, and it is not linear in the cells once the totals vary"
        records.append({"quantity": q, "low": low, "high": high, "ci_low": ci_low, "ci_high": ci_high, "method": method})
    return pd.DataFrame.from_records(records, columns=list(COLUMNS)).astype({c: float for c in ("low", "high", "ci_low", "ci_high")})
