"""Exact range of the paired tests' p-values over all 3 x 3 tables with given margins, and their number, without listing the tables.

For two graders and three ordered grades, the tables consistent with published margins can number
in the trillions (n = 10,000), too many to list. The tests of :mod:`analysis.stats.paired_tests` depend
on a table only through a few summaries, which this module optimises directly.

**Parametrisation.** With ``P_i = rows_i + cols_i`` and ``d_i = rows_i - cols_i`` fixed by the
margins, a 3 x 3 table is determined by the three *pair sums* ``s_ij = T[i, j] + T[j, i]``
(``i < j``) and the *circulation* ``t = T[0, 1] - T[1, 0]``: then ``T[0, 2] - T[2, 0] = d_0 - t``,
``T[1, 2] - T[2, 1] = d_1 + t`` and ``T[i, i] = (P_i - sum of the pair sums at i) / 2``. The table
is valid exactly when ``s_01 >= |t|``, ``s_02 >= |d_0 - t|``, ``s_12 >= |d_1 + t|`` (with the same
parity), and ``s_01 + s_02 <= P_0``, ``s_01 + s_12 <= P_1``, ``s_02 + s_12 <= P_2``.

**The statistics.** The sign test depends on the number of discordant cases ``m = s_01 + s_02 + s_12``
and on ``better - worse = d_0 + d_1 + t``; its p-value grows with ``m`` and falls with
``|better - worse|``. Bowker's statistic is ``t^2 / s_01 + (d_0 - t)^2 / s_02 + (d_1 + t)^2 / s_12``
(empty pairs left out), with one degree of freedom per non-empty pair; its p-value falls as the
statistic grows and rises with the degrees of freedom. The Stuart-Maxwell statistic depends on the
pair sums only: ``(s_12 d_0^2 + s_02 d_1^2 + s_01 d_2^2) / (s_01 s_02 + s_01 s_12 + s_02 s_12)``
with 2 degrees of freedom when at least two pairs are non-empty, ``d_i^2 / s_ij`` with 1 when one
pair is (the others' categories are then unlinked), and p = 1 with none (as in
:func:`analysis.stats.paired_tests.stuart_maxwell`). From these:

- the smallest sign-test and Bowker p-values, for each ``t``, come with the smallest pair sums
  ``|t|, |d_0 - t|, |d_1 + t|``, and the largest sign-test p-value with the largest number of
  discordant cases (a closed form): one pass over ``t``;
- for fixed ``s_01, s_02`` (the two pairs at the category with the smallest ``P``, after relabelling
  the categories, which leaves both tests unchanged), the Stuart-Maxwell statistic is monotone in
  ``s_12`` (a ratio of linear functions), so only the ends of its range (and the smallest non-zero
  value) need checking, and Bowker's p-value is largest at the largest ``s_12`` and the ``t`` nearest
  the minimum of a convex quadratic: one pass over ``(s_01, s_02)``, at most about (2n/3)^2 / 4 pairs.

The p-values themselves are computed by :mod:`analysis.stats.paired_tests` on the attaining tables. The
tests compare every result with full enumeration on many small margins.

References: Bowker, JASA 43, 1948; Stuart, Biometrika 42, 1955; Fleiss and Everitt, "Comparing the
marginal totals of square contingency tables", Br. J. Math. Stat. Psychol. 24, 1971 (the closed form
of the Stuart-Maxwell statistic for 3 x 3 tables); Conover, *Practical Nonparametric Statistics*,
3rd ed., 1999, section 3.4 (sign test).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

from analysis.stats.paired_tests import bowker, sign_test, stuart_maxwell


def _setup(row_sums: Sequence[int], col_sums: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    rows = np.asarray(row_sums, dtype=np.int64)
    cols = np.asarray(col_sums, dtype=np.int64)
    if rows.shape != (3,) or cols.shape != (3,):
        raise ValueError("margins of a 3 x 3 table are needed")
    if (rows < 0).any() or (cols < 0).any() or rows.sum() != cols.sum():
        raise ValueError(f"invalid margins {rows.tolist()} and {cols.tolist()}")
    return rows + cols, rows - cols


def table_from_pairs(s01, s02, s12, t, row_sums: Sequence[int], col_sums: Sequence[int]) -> np.ndarray:
    """The 3 x 3 table(s) with the margins, pair sums ``s_01, s_02, s_12`` and circulation ``t`` (arrays broadcast)."""
    p, d = _setup(row_sums, col_sums)
    s01, s02, s12, t = np.broadcast_arrays(*(np.asarray(v, dtype=np.int64) for v in (s01, s02, s12, t)))
    out = np.empty((*s01.shape, 3, 3), dtype=np.int64)
    out[..., 0, 1], out[..., 1, 0] = (s01 + t) // 2, (s01 - t) // 2
    out[..., 0, 2], out[..., 2, 0] = (s02 + d[0] - t) // 2, (s02 - d[0] + t) // 2
    out[..., 1, 2], out[..., 2, 1] = (s12 + d[1] + t) // 2, (s12 - d[1] - t) // 2
    out[..., 0, 0] = (p[0] - s01 - s02) // 2
    out[..., 1, 1] = (p[1] - s01 - s12) // 2
    out[..., 2, 2] = (p[2] - s02 - s12) // 2
    return out


def _circulations(p: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every feasible circulation t, and the smallest pair sums (|t|, |d_0 - t|, |d_1 + t|) for each (shape (m, 3))."""
    span = int(min(p[0], p[1]))
    t = np.arange(-span, span + 1, dtype=np.int64)
    low = np.stack([np.abs(t), np.abs(d[0] - t), np.abs(d[1] + t)], axis=1)
    ok = (low[:, 0] + low[:, 1] <= p[0]) & (low[:, 0] + low[:, 2] <= p[1]) & (low[:, 1] + low[:, 2] <= p[2])
    return t[ok], low[ok]


def _spare(p: np.ndarray, low: np.ndarray) -> np.ndarray:
    """Room left at each category, in pairs of cases: c_i = (P_i - pair sums at i) / 2, shape (m, 3)."""
    return np.stack([p[0] - low[:, 0] - low[:, 1], p[1] - low[:, 0] - low[:, 2], p[2] - low[:, 1] - low[:, 2]], axis=1) // 2


def _most_discordant(c: np.ndarray) -> np.ndarray:
    """Largest u_01 + u_02 + u_12 with u >= 0, u_01 + u_02 <= c_0, u_01 + u_12 <= c_1, u_02 + u_12 <= c_2."""
    c0, c1, c2 = c[:, 0], c[:, 1], c[:, 2]
    return np.minimum.reduce([(c0 + c1 + c2) // 2, c0 + c1, c0 + c2, c1 + c2])


def count_tables(row_sums: Sequence[int], col_sums: Sequence[int]) -> int:
    """Number of 3 x 3 tables of non-negative integers with the given margins, in closed form (exact integers).

    For each feasible circulation ``t`` the tables are the pair sums above their smallest values
    in steps of two, ``u_ij >= 0`` with ``u_01 + u_02 <= c_0``, ``u_01 + u_12 <= c_1``,
    ``u_02 + u_12 <= c_2`` (see :func:`_spare`); these are counted by inclusion-exclusion over
    ``u_01``, with sums of polynomials in closed form. Checked against enumeration in the tests.
    """
    p, d = _setup(row_sums, col_sums)
    _, low = _circulations(p, d)
    c = _spare(p, low).astype(object)  # Python integers: exact at any size
    total = 0
    for c0, c1, c2 in c.tolist():
        top = min(c0, c1)
        # sum over u = 0..top of g(c0 - u, c1 - u, c2), g(A, B, C) = #{x <= A, y <= B, x + y <= C}
        total += (
            _tri_sum(c2, 0, top, 0)
            - _tri_sum(c2 - c0 - 1, 1, top, 0)
            - _tri_sum(c2 - c1 - 1, 1, top, 0)
            + _tri_sum(c2 - c0 - c1 - 2, 2, top, 0)
        )
    return int(total)


def _tri_sum(alpha: int, step: int, hi: int, lo: int) -> int:
    """sum over u = lo..hi of T(alpha + step * u), with T(k) = (k + 1)(k + 2) / 2 for k >= 0 and 0 below."""
    if step == 0:
        return (hi - lo + 1) * _tri(alpha) if hi >= lo else 0
    first = max(lo, -(alpha // step) if alpha < 0 else lo)  # smallest u with alpha + step * u >= 0
    while alpha + step * first < 0:
        first += 1
    if first > hi:
        return 0
    # (k + 1)(k + 2) / 2 with k = alpha + step * u, summed as a quadratic in u
    a2, a1, a0 = step * step, step * (2 * alpha + 3), (alpha + 1) * (alpha + 2)

    def s1(m: int) -> int:
        return m * (m + 1) // 2

    def s2(m: int) -> int:
        return m * (m + 1) * (2 * m + 1) // 6

    n_terms = hi - first + 1
    sum_u = s1(hi) - s1(first - 1) if first > 0 else s1(hi)
    sum_u2 = s2(hi) - s2(first - 1) if first > 0 else s2(hi)
    return (a2 * sum_u2 + a1 * sum_u + a0 * n_terms) // 2


def _tri(k: int) -> int:
    return (k + 1) * (k + 2) // 2 if k >= 0 else 0


def _sign_p(better: np.ndarray, worse: np.ndarray) -> np.ndarray:
    return np.atleast_1d(sign_test(better, worse))


def _stuart_maxwell_stat(s01, s02, s12, d) -> tuple[np.ndarray, np.ndarray]:
    """Stuart-Maxwell statistic and df for 3 x 3 tables given by their pair sums (margins' differences ``d``)."""
    d2 = -(d[0] + d[1])
    positive = (s01 > 0).astype(np.int64) + (s02 > 0) + (s12 > 0)
    den = s01 * s02 + s01 * s12 + s02 * s12
    with np.errstate(divide="ignore", invalid="ignore"):
        full = (s12 * d[0] ** 2 + s02 * d[1] ** 2 + s01 * d2**2) / den
        one = np.where(
            s01 > 0, d[0] ** 2 / np.maximum(s01, 1), np.where(s02 > 0, d[0] ** 2 / np.maximum(s02, 1), d[1] ** 2 / np.maximum(s12, 1))
        )
    stat = np.where(positive >= 2, full, np.where(positive == 1, one, 0.0))
    return stat, np.minimum(positive, 2)


def _bowker_stat(s01, s02, s12, t, d) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = [np.where(s > 0, np.asarray(dd, dtype=float) ** 2 / s, 0.0) for s, dd in ((s01, t), (s02, d[0] - t), (s12, d[1] + t))]
    return terms[0] + terms[1] + terms[2]


def _extreme_by_df(stat: np.ndarray, df: np.ndarray, largest: bool) -> np.ndarray:
    """Indices of the candidates with the smallest (or largest) statistic within each df class."""
    out = []
    for k in np.unique(df):
        idx = np.flatnonzero(df == k)
        out.append(idx[np.argmax(stat[idx]) if largest else np.argmin(stat[idx])])
    return np.array(out, dtype=np.int64)


def _stuart_maxwell_candidates(p: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Pair sums (s_01, s_02, s_12), shape (m, 3), among which the Stuart-Maxwell p-value attains its minimum and maximum.

    For each s_01 the feasible (s_02, s_12) form a polygon: a box, and |d_2| <= s_02 + s_12 <= P_2
    (a common circulation exists exactly when, at each category, the two pair sums add up to at least
    |d_i|). With steps of two (parity) its constraint matrix is totally unimodular, so its vertices
    are lattice points. The statistic is convex in the pair sums (Laplacian energy) and falls as any
    of them grows, so its maximum is at a vertex and its minimum at the corner of largest values or,
    if that is cut off, on the edge s_02 + s_12 = P_2 at the lattice points next to the continuous
    minimum. Points next to a corner where pairs are empty are added, so that each df class is covered.
    """
    d2 = -(d[0] + d[1])
    s01 = np.arange(0, min(p[0], p[1]) + 1, dtype=np.int64)
    pi2, pi3 = (s01 + d[0]) % 2, (s01 + d[1]) % 2  # parities of s_02 and s_12

    def up(x, par):  # smallest value >= x with the parity
        x = np.maximum(x, 0)
        return x + (x - par) % 2

    def down(x, par):
        return x - (x - par) % 2

    lo2, hi2 = up(np.abs(d[0]) - s01, pi2), down(np.minimum(p[0] - s01, p[2]), pi2)
    lo3, hi3 = up(np.abs(d[1]) - s01, pi3), down(np.minimum(p[1] - s01, p[2]), pi3)
    par_sum = (pi2 + pi3) % 2
    sum_lo, sum_hi = up(np.abs(d2), par_sum), down(np.full_like(s01, p[2]), par_sum)
    points = []

    def add(a, b, keep):
        ok = keep & (a >= lo2) & (a <= hi2) & (b >= lo3) & (b <= hi3) & (a + b >= sum_lo) & (a + b <= sum_hi)
        ok &= ((a - pi2) % 2 == 0) & ((b - pi3) % 2 == 0)
        points.append(np.stack([s01[ok], a[ok], b[ok]], axis=1))

    every = np.ones(len(s01), dtype=bool)
    for a_lo, b_lo in ((lo2, lo3), (up(np.maximum(lo2, 1), pi2), up(np.maximum(lo3, 1), pi3))):  # also with both pairs non-empty
        for a in (a_lo, hi2):
            for b in (b_lo, hi3):
                add(a, b, every)
            for total in (sum_lo, sum_hi):
                add(a, total - a, every)
        for b in (b_lo, hi3):
            for total in (sum_lo, sum_hi):
                add(total - b, b, every)
        # neighbours of the corner of smallest values along its two edges
        add(a_lo + 2, b_lo, every)
        add(a_lo, b_lo + 2, every)
        # the minimum: the corner of largest values, or next to the continuous minimum on s_02 + s_12 = K
        k = sum_hi.astype(float)
        n0, n1 = float(d[0] ** 2), float(d[1] ** 2)
        # along the edge, stat = (s_12 d0^2 + s_02 d1^2 + s01 d2^2) / (s01 K + s_02 (K - s_02)); zero of its derivative
        num_a, num_b = n1 - n0, n0 * k + s01 * float(d2**2)  # numerator = num_a * x + num_b, x = s_02
        # (num_a) D - N D' = 0 with D = s01 K + K x - x^2:  num_a x^2 + 2 num_b x + (num_a s01 K - num_b K) = 0
        qa, qb, qc = num_a, 2 * num_b, num_a * s01 * k - num_b * k
        with np.errstate(divide="ignore", invalid="ignore"):
            disc = np.sqrt(np.maximum(qb * qb - 4 * qa * qc, 0))
            roots = [np.where(qa != 0, (-qb + disc) / (2 * qa), -qc / qb), np.where(qa != 0, (-qb - disc) / (2 * qa), -qc / qb)]
        for r in roots:
            r = np.where(np.isfinite(r), r, 0.0)
            base = np.clip(np.floor(r).astype(np.int64), -2, int(p[2]) + 2)
            for x in (base - 1, base, base + 1, base + 2):
                add(x, sum_hi - x, every)
        add(np.maximum(a_lo, sum_hi - hi3), sum_hi - np.maximum(a_lo, sum_hi - hi3), every)
        add(np.minimum(hi2, sum_hi - b_lo), sum_hi - np.minimum(hi2, sum_hi - b_lo), every)
    return np.unique(np.concatenate(points), axis=0)


def _circulation_for(s: np.ndarray, d: np.ndarray) -> np.ndarray:
    """A circulation t making the pair sums ``s`` (rows) a valid table: the smallest of the common interval."""
    lo = np.maximum.reduce([-s[:, 0], d[0] - s[:, 1], -d[1] - s[:, 2]])
    return lo


def _bowker_max_candidates(p: np.ndarray, d: np.ndarray, t: np.ndarray, low: np.ndarray) -> np.ndarray:
    """Tables as (s_01, s_02, s_12, t), shape (m, 4), among which Bowker's p-value attains its maximum.

    For a circulation t, the pairs with ``delta = 0`` contribute nothing to the statistic and are
    either empty or hold 2 cases (more only uses up room); the others hold ``|delta| + 2 u`` cases
    and the statistic ``sum delta^2 / s`` falls as any ``u`` grows, so the best ``u`` is maximal:
    every active ``u`` is blocked by a full category. Hence either the categories are all full (one
    point), or two are (a line along which the statistic is convex in ``u``: the lattice points
    next to its continuous minimum, found by bisection, and the ends), or a single active pair takes
    what is left. With the degrees of freedom fixed by which pairs are non-empty, the smallest
    statistic gives the largest p-value.
    """
    delta = np.stack([t, d[0] - t, d[1] + t], axis=1)
    cap = _spare(p, low)
    edges = ((0, 1), (0, 2), (1, 2))  # pair e joins categories edges[e]
    out = []
    for extra in range(8):  # pairs with delta = 0 given 2 cases (bit set) or none
        fixed = np.array([(extra >> e) & 1 for e in range(3)], dtype=np.int64)
        ok = ~((fixed[None, :] == 1) & (delta != 0)).any(axis=1)
        c = cap.copy()
        for e, (a, b) in enumerate(edges):
            c[:, a] -= fixed[e]
            c[:, b] -= fixed[e]
        ok &= (c >= 0).all(axis=1)
        if not ok.any():
            continue
        tt, lw, dl, c = t[ok], low[ok], delta[ok], c[ok]
        active = dl != 0
        base_u = np.broadcast_to(fixed, lw.shape).copy()
        cands = []
        # one active pair (the others fixed): it takes what its two categories have left
        for e, (a, b) in enumerate(edges):
            u = base_u.copy()
            u[:, e] = np.where(active[:, e], np.minimum(c[:, a], c[:, b]), u[:, e])
            cands.append(u)
        # lines with two full categories v, w; the pair between them is the parameter
        for v, w in ((0, 1), (0, 2), (1, 2)):
            e_vw = edges.index((v, w))
            x = 3 - v - w  # the third category
            e_vx, e_wx = edges.index(tuple(sorted((v, x)))), edges.index(tuple(sorted((w, x))))

            def line(y, pairs=(e_vw, e_vx, e_wx), full=(v, w), base=base_u, act=active, room=c):
                return _on_line(y, pairs, full, base, act, room)

            # y within [0, min(c_v, c_w)], and category x not over-full
            need = np.where(active[:, e_vx] & active[:, e_wx], -((c[:, x] - c[:, v] - c[:, w]) // 2), 0)
            need = np.where(active[:, e_vx] & ~active[:, e_wx], c[:, v] - c[:, x], need)
            need = np.where(~active[:, e_vx] & active[:, e_wx], c[:, w] - c[:, x], need)
            y_lo = np.where(active[:, e_vw], np.maximum(need, 0), 0)
            y_hi = np.maximum(np.minimum(c[:, v], c[:, w]), y_lo)
            # bisection on the derivative of sum delta^2 / (|delta| + 2u) along the line
            ad = np.abs(dl).astype(float)
            lo_f, hi_f = y_lo.astype(float), y_hi.astype(float)
            for _ in range(int(np.max(y_hi - y_lo, initial=0)).bit_length() + 1):  # to within one unit
                mid = (lo_f + hi_f) / 2
                u = line(mid)
                deriv = np.zeros(len(tt))
                for e in range(3):
                    sgn = 1.0 if e == e_vw else -1.0
                    with np.errstate(divide="ignore", invalid="ignore"):
                        term = np.where(
                            active[:, e] & (ad[:, e] + 2 * u[:, e] > 0), -2 * ad[:, e] ** 2 / (ad[:, e] + 2 * u[:, e]) ** 2, 0.0
                        )
                    deriv += sgn * term
                go_up = deriv < 0
                lo_f, hi_f = np.where(go_up, mid, lo_f), np.where(go_up, hi_f, mid)
            y0 = np.floor(lo_f).astype(np.int64)
            for y in (y_lo, y_hi, y0 - 1, y0, y0 + 1, y0 + 2):
                cands.append(line(np.clip(y, y_lo, y_hi)))
        for u in cands:
            s_vals = lw + 2 * u
            good = (
                (u >= 0).all(axis=1)
                & (s_vals[:, 0] + s_vals[:, 1] <= p[0])
                & (s_vals[:, 0] + s_vals[:, 2] <= p[1])
                & (s_vals[:, 1] + s_vals[:, 2] <= p[2])
            )
            out.append(np.column_stack([s_vals[good], tt[good]]))
    return np.concatenate(out) if out else np.zeros((0, 4), dtype=np.int64)


def _on_line(y, pairs, full, base, active, room) -> np.ndarray:
    """u with categories ``full`` = (v, w) full: u_vw = y, u_vx = room_v - y, u_wx = room_w - y (active pairs only)."""
    e_vw, e_vx, e_wx = pairs
    v, w = full
    u = base.copy()
    y_used = np.where(active[:, e_vw], y, 0)
    u[:, e_vw] = np.where(active[:, e_vw], y, u[:, e_vw])
    u[:, e_vx] = np.where(active[:, e_vx], room[:, v] - y_used, u[:, e_vx])
    u[:, e_wx] = np.where(active[:, e_wx], room[:, w] - y_used, u[:, e_wx])
    return u


def p_value_extremes(row_sums: Sequence[int], col_sums: Sequence[int]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """For each of ``stuart_maxwell_p``, ``bowker_p``, ``bowker_p_all_pairs`` and ``sign_test_p``: a table attaining its minimum and one attaining its maximum.

    Over all 3 x 3 tables with the margins (rows: first grader, columns: second, categories best
    first); see the module docstring for the method. Returns ``{measure: (min_table, max_table)}``;
    the values are :func:`analysis.stats.agreement.table_measures` on those tables.
    """
    p, d = _setup(row_sums, col_sums)
    t, low = _circulations(p, d)
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def build(s01, s02, s12, tt):
        return table_from_pairs(s01, s02, s12, tt, row_sums, col_sums)

    # sign test: fewest discordant cases (smallest p) or most (largest p) for each circulation
    fewest = low.sum(axis=1)
    most = fewest + 2 * _most_discordant(_spare(p, low))
    diff = d[0] + d[1] + t
    p_min = _sign_p((fewest + diff) // 2, (fewest - diff) // 2)
    p_max = _sign_p((most + diff) // 2, (most - diff) // 2)
    i, j = int(np.argmin(p_min)), int(np.argmax(p_max))
    out["sign_test_p"] = (build(low[i, 0], low[i, 1], low[i, 2], t[i]), _most_discordant_table(p, d, low[j], t[j], row_sums, col_sums))

    # Bowker: smallest p with the smallest pair sums (statistic sum |delta|); largest p from the maximal pair sums
    b_df = (low > 0).sum(axis=1)
    b_p = np.where(b_df > 0, stats.chi2.sf(fewest.astype(float), np.maximum(b_df, 1)), 1.0)
    k = int(np.argmin(b_p))
    cand = _bowker_max_candidates(p, d, t, low)
    stat = _bowker_stat(cand[:, 0], cand[:, 1], cand[:, 2], cand[:, 3], d)
    best = cand[_extreme_by_df(stat, (cand[:, :3] > 0).sum(axis=1), largest=False)]
    tables = build(best[:, 0], best[:, 1], best[:, 2], best[:, 3])
    values = np.atleast_1d(bowker(tables).pvalue)
    out["bowker_p"] = (build(low[k, 0], low[k, 1], low[k, 2], t[k]), tables[int(np.argmax(values))])
    # Bowker with df = k(k-1)/2 always: p falls as the statistic grows, so the extremes are the largest statistic
    # (every pair one-directional, the statistic sum |delta| = ``fewest``) and the smallest over the candidates
    big = int(np.argmax(fewest))
    small = cand[int(np.argmin(stat))]
    out["bowker_p_all_pairs"] = (build(low[big, 0], low[big, 1], low[big, 2], t[big]), build(*small[:4]))

    # Stuart-Maxwell: from the candidate pair sums, the extreme statistic in each df class
    s = _stuart_maxwell_candidates(p, d)
    stat, df = _stuart_maxwell_stat(s[:, 0], s[:, 1], s[:, 2], d)
    pick = np.concatenate([_extreme_by_df(stat, df, largest=True), _extreme_by_df(stat, df, largest=False)])
    chosen = s[pick]
    tables = build(chosen[:, 0], chosen[:, 1], chosen[:, 2], _circulation_for(chosen, d))
    values = np.atleast_1d(stuart_maxwell(tables).pvalue)
    out["stuart_maxwell_p"] = (tables[int(np.argmin(values))], tables[int(np.argmax(values))])
    return out


def _most_discordant_table(p, d, low, t, row_sums, col_sums) -> np.ndarray:
    """A table with circulation ``t`` and the most discordant cases (pair sums ``low + 2 u``, ``u`` as in :func:`_most_discordant`)."""
    c = _spare(p, low[None, :])[0]
    best = int(_most_discordant(c[None, :])[0])
    for u12 in range(min(c[1], c[2], best) + 1):
        rest = best - u12
        u01 = min(c[0], c[1] - u12, rest)
        u02 = rest - u01
        if 0 <= u02 <= min(c[0] - u01, c[2] - u12):
            return table_from_pairs(low[0] + 2 * u01, low[1] + 2 * u02, low[2] + 2 * u12, t, row_sums, col_sums)
    raise ArithmeticError("no table with the largest number of discordant cases")  # unreachable: see _most_discordant
