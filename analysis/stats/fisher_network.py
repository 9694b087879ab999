"""The exact Fisher-Freeman-Halton p-value for an r x c table: a network algorithm that meets in the middle, with a work budget.

Tables with the observed margins are built one row at a time (Mehta & Patel 1983). After ``k``
rows, what matters for the rest of the table is the multiset of remaining column totals, so the
*nodes* of stage ``k`` are those totals sorted; an *arc* fills one row and carries the term
``sum(log x_j!)`` of the counts it puts in that row. A table is a path from the root (all column
totals) to the terminal node (nothing left), and its *value* ``V = sum(log n_ij!)`` is the sum of
its arc terms; its probability under independence is ``exp(K - V)`` with
``K = sum(log R_i!) + sum(log C_j!) - log n!``. The two-sided p-value is the total probability of
the tables with ``V >= V_obs - tol`` (as probable as the observed table or less).

Three devices keep the work small:

1. **Exact path bounds** (the longest and shortest path pruning of FEXACT). For every node the
   smallest and largest value of the rest of a path (over all completions) and of the path so far
   (over all beginnings) are found by dynamic programming over the network. A partial path whose
   every completion is at least as extreme as the observed table is added in closed form (the sum of
   ``exp(-V)`` over all completions of a node is ``m! / (prod R_i! prod u_j!)``); one none of whose
   completions is, is dropped.
2. **Merged past values** (FEXACT's lists of past probabilities per node): partial paths reaching
   the same node with the same value are merged, their counts added.
3. **Meeting in the middle.** Lists of undecided past values are grown forward from the root and
   lists of undecided future values backward from the terminal node, whichever step is cheaper,
   until both reach the same stage; there every past value is matched against the sorted future
   values of its node. Each step works arc by arc on sorted lists: the entries an arc adds in
   closed form or drops are found by binary search, so only undecided entries are ever built.

With three stages (a 3 x 3 table, for instance) the last transition is the largest part of the
network and is mostly never needed, so it is not built: the nodes after the first row get exact
bounds in closed form (:func:`_two_row_bounds`) and only the nodes left undecided get their arcs
(:func:`_three_stages`).

Because the number of entries is known before they are built, the work is checked against a budget
(:data:`DEFAULT_MAX_WORK` entries) and :class:`WorkLimitExceeded` is raised before it is exceeded;
memory is bounded by building large steps in chunks (:data:`CHUNK`) and by a cap on the values kept at
one stage (:data:`MAX_KEPT`), past which the same error is raised. The caller
(:func:`analysis.stats.association.fisher_freeman_halton`) then falls back to Monte Carlo.

Values are compared exactly in floating point; entries are merged when their values agree to
2^-32 (about 2e-10) in log-probability, far below the tolerance ``tol`` = 1e-7 that decides ties with
the observed table (R's ``fisher.test`` uses the same order of tolerance).

References: Mehta, C. R. and Patel, N. R. (1983), "A network algorithm for performing Fisher's exact
test in r x c contingency tables", *JASA* 78, 427-434; Mehta and Patel (1986), "Algorithm 643:
FEXACT", *ACM TOMS* 12, 154-161 (the path bounds and the hashing of past values; no code is taken
from it); Joe, H. (1988), "Extreme probabilities for contingency tables under row and column
independence with application to Fisher's exact test", *Comm. Statist. Theory Methods* 17,
3677-3685 (longest and shortest paths).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

#: Relative tolerance (in log-probability) under which a table counts as "as probable as" the
#: observed one: a table counts when its probability is at most ``p_obs * (1 + 1e-7)``, the rule of
#: R's ``fisher.test`` (its ``relErr``) and SciPy's ``fisher_exact``.
LOG_TOLERANCE = 1e-7

#: Default budget, in list entries built (past or future values) plus arcs, for one exact p-value:
#: at most about 6 seconds of work on a two-core machine (about 0.1 microsecond per entry).
DEFAULT_MAX_WORK = 60_000_000

#: Most entries built at once; a larger step is built and merged in chunks of this size.
CHUNK = 3_000_000

#: Most distinct values kept at one stage (24 bytes each, plus 8 for their sums): with CHUNK, this
#: keeps the peak memory of one exact p-value under about 1 GB whatever the table.
MAX_KEPT = 15_000_000

#: Values are keyed on a grid of 1 / _GRID in log-probability (about 2.3e-10): merged when equal on it, compared on it.
_GRID = 2.0**32


class WorkLimitExceeded(RuntimeError):
    """The exact computation would need more work than allowed; ``needed`` is a lower bound on the entries it would build."""

    def __init__(self, needed: float, limit: float, what: str) -> None:
        self.needed, self.limit = needed, limit
        super().__init__(
            f"the exact Fisher-Freeman-Halton test needs more than {limit:,.0f} {what} for this table (at least {needed:,.0f}); "
            "use method='monte_carlo' with a seed, or raise max_work"
        )


# --------------------------------------------------------------------------- the network


def _arcs_from(caps: np.ndarray, total: int, lf: np.ndarray) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """Every way of putting ``total`` cases into the columns of each node ``u`` (rows of ``caps``), at most ``u_j`` in column j.

    Returns, grouped by node in order, the node of each arc, the columns left (``u - x``, one
    array per column) and the arc's term ``sum(log x_j!)``. Built one column at a time for all
    nodes at once; each column's range keeps the rest fillable, so no dead ends are built.
    """
    m, c = caps.shape
    parent = np.arange(m)
    rem = np.full(m, total, dtype=np.int64)
    tails = np.cumsum(caps[:, ::-1], axis=1)[:, ::-1]  # tails[:, j] = capacity of columns j, j+1, ...
    left: list[np.ndarray] = []
    term = np.zeros(m)
    for j in range(c - 1):
        lo = np.maximum(0, rem - tails[parent, j + 1])
        hi = np.minimum(rem, caps[parent, j])
        count = np.maximum(hi - lo + 1, 0)
        rep = np.repeat(np.arange(len(parent)), count)
        value = lo[rep] + np.arange(len(rep)) - np.repeat(np.cumsum(count) - count, count)
        left = [a[rep] for a in left]
        parent = parent[rep]
        left.append(caps[parent, j] - value)
        term = term[rep] + lf[value]
        rem = rem[rep] - value
    left.append(caps[parent, c - 1] - rem)
    return parent, left, term + lf[rem]


def _sorted_columns(cols: list[np.ndarray]) -> list[np.ndarray]:
    """The columns sorted elementwise (each row of the matrix they form put in increasing order), by a sorting network."""
    c = len(cols)
    if c > 8:
        return list(np.sort(np.stack(cols, axis=1), axis=1).T)
    cols = list(cols)
    for rnd in range(c):  # odd-even transposition sort: c rounds of compare-exchange
        for i in range(rnd % 2, c - 1, 2):
            a, b = cols[i], cols[i + 1]
            cols[i], cols[i + 1] = np.minimum(a, b), np.maximum(a, b)
    return cols


def _count_bounded_compositions(caps: np.ndarray, total: int) -> float:
    """Number of x with ``sum(x) == total`` and ``0 <= x <= u``, summed over the rows ``u`` of ``caps`` (inclusion-exclusion)."""
    m, c = caps.shape
    if c > 12:
        return float(m) * math.comb(total + c - 1, c - 1)
    out = np.zeros(m)
    for mask in range(1 << c):
        cols = [j for j in range(c) if mask >> j & 1]
        s = total - (caps[:, cols] + 1).sum(axis=1) if cols else np.full(m, total)
        ways = np.where(s >= 0, np.exp(gammaln(s + c) - gammaln(c) - gammaln(np.maximum(s, 0) + 1)), 0.0)
        out += -ways if len(cols) % 2 else ways
    return float(np.maximum(out, 0).sum())


def _index_nodes(cols: list[np.ndarray], total: int, base: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct node vectors among the sorted columns ``cols`` (common sum ``total``), in key order, and the index of each row."""
    c = len(cols)
    if c == 1:
        return np.array([[total]], dtype=np.int64), np.zeros(len(cols[0]), dtype=np.int64)
    if (c - 1) * math.log(base) < math.log(2**62):
        weights = [base**j for j in range(c - 1)]
        key = cols[0] * weights[0]
        for j in range(1, c - 1):
            key = key + cols[j] * weights[j]
        size = base ** (c - 1)
        if size <= max(1 << 16, 4 * len(key)):
            seen = np.zeros(size, dtype=bool)
            seen[key] = True
            uniq = np.flatnonzero(seen)
            lookup = np.empty(size, dtype=np.int64)
            lookup[uniq] = np.arange(len(uniq))
            idx = lookup[key]
        else:
            uniq, idx = np.unique(key, return_inverse=True)
        first = (uniq[:, None] // np.array(weights, dtype=np.int64)[None, :]) % base
        return np.hstack([first, (total - first.sum(axis=1))[:, None]]), idx
    nodes, idx = np.unique(np.stack(cols, axis=1), axis=0, return_inverse=True)
    return nodes, idx.ravel()


@dataclass
class _Arcs:
    """Arcs from stage k to stage k + 1, grouped by parent: ``start[u]:start[u+1]`` are the arcs of node ``u``."""

    parent: np.ndarray
    child: np.ndarray
    term: np.ndarray
    start: np.ndarray


class _Network:
    """Stages 0..r of sorted remaining column totals, the arcs between them, and exact bounds on path values."""

    def in_degree(self, k: int) -> np.ndarray:
        """Number of arcs from stage k into each node of stage k + 1."""
        if k not in self._in_degree:
            self._in_degree[k] = np.bincount(self.arcs[k].child, minlength=len(self.nodes[k + 1]))
        return self._in_degree[k]

    def __init__(self, stage_totals: np.ndarray, cols: np.ndarray, lf: np.ndarray, max_arcs: float) -> None:
        r = len(stage_totals)
        base = int(cols.max()) + 1
        self.nodes: list[np.ndarray] = [np.sort(cols)[None, :]]
        self.arcs: list[_Arcs] = []
        built = 0.0
        for k in range(r):
            caps = self.nodes[k]
            total = int(stage_totals[k])
            rough = len(caps) * math.comb(total + caps.shape[1] - 1, caps.shape[1] - 1)
            if built + rough > max_arcs:
                needed = built + _count_bounded_compositions(caps, total)
                if needed > max_arcs:
                    raise WorkLimitExceeded(needed, max_arcs, "arcs in the network")
            parent, left, term = _arcs_from(caps, total, lf)
            built += len(parent)
            children, child = _index_nodes(_sorted_columns(left), int(caps[0].sum()) - total, base)
            self.nodes.append(children)
            start = np.searchsorted(parent, np.arange(len(caps) + 1))
            self.arcs.append(_Arcs(parent, child, term, start))
        self.size = built
        self._in_degree: dict[int, np.ndarray] = {}
        # exact bounds: smallest and largest value of the rest of a path (lo, hi) and of the path so far (past_lo, past_hi)
        self.lo: list[np.ndarray] = [np.zeros(0)] * (r + 1)
        self.hi: list[np.ndarray] = [np.zeros(0)] * (r + 1)
        self.lo[r] = self.hi[r] = np.zeros(1)
        for k in range(r - 1, -1, -1):
            a = self.arcs[k]
            self.lo[k] = np.minimum.reduceat(a.term + self.lo[k + 1][a.child], a.start[:-1])
            self.hi[k] = np.maximum.reduceat(a.term + self.hi[k + 1][a.child], a.start[:-1])
        self.past_lo = [np.zeros(1)]
        self.past_hi = [np.zeros(1)]
        for k in range(r):
            a = self.arcs[k]
            m = len(self.nodes[k + 1])
            lo, hi = np.full(m, np.inf), np.full(m, -np.inf)
            np.minimum.at(lo, a.child, a.term + self.past_lo[k][a.parent])
            np.maximum.at(hi, a.child, a.term + self.past_hi[k][a.parent])
            self.past_lo.append(lo)
            self.past_hi.append(hi)
        # log of the sum of exp(-value) over all completions of each node: m! / (prod R_i! prod u_j!)
        rest = np.concatenate([np.cumsum(lf[stage_totals][::-1])[::-1], [0.0]])
        self.log_mass = [lf[u.sum(axis=1)] - rest[k] - lf[u].sum(axis=1) for k, u in enumerate(self.nodes)]


# --------------------------------------------------------------------------- sorted lists of values per node


def _segmented_suffix_logsumexp(logw: np.ndarray, start: np.ndarray) -> np.ndarray:
    """For each position i, log of the sum of exp(logw[j]) over j >= i in the same segment (segments given by ``start``).

    Each segment is summed on its own (scaled by its largest term, from its last entry back), so a
    small tail keeps its full relative precision whatever the other segments hold. Short segments
    are done together, padded into one matrix.
    """
    out = np.full(len(logw) + 1, -np.inf)
    lengths = np.diff(start)
    short = np.flatnonzero((lengths > 0) & (lengths <= 64))
    if len(short):
        width = int(lengths[short].max())
        pos = start[short][:, None] + np.arange(width)[None, :]
        valid = pos < start[short + 1][:, None]
        pos[~valid] = len(logw)
        vals = np.append(logw, -np.inf)[pos]
        top = vals.max(axis=1, keepdims=True)
        with np.errstate(divide="ignore"):
            suffix = np.log(np.cumsum(np.exp(vals - top)[:, ::-1], axis=1)[:, ::-1]) + top
        out[pos[valid]] = suffix[valid]
    for seg in np.flatnonzero(lengths > 64):
        vals = logw[start[seg] : start[seg + 1]]
        top = vals.max()
        with np.errstate(divide="ignore"):
            out[start[seg] : start[seg + 1]] = np.log(np.cumsum(np.exp(vals - top)[::-1])[::-1]) + top
    return out


class _Total:
    """A sum of many positive terms given by their logs, reduced as they come (numpy's pairwise sums)."""

    def __init__(self) -> None:
        self.parts: list[tuple[float, float]] = []

    def add(self, logs: np.ndarray) -> None:
        logs = logs[np.isfinite(logs)]
        if len(logs):
            top = float(logs.max())
            self.parts.append((top, float(np.exp(logs - top).sum())))

    def value(self) -> float:
        if not self.parts:
            return 0.0
        top = max(t for t, _ in self.parts)
        return math.exp(top) * math.fsum(s * math.exp(t - top) for t, s in self.parts)


class _Lists:
    """Values per node, sorted by (node, value), entries whose values agree to :data:`_GRID` merged (counts added).

    Each entry has an integer ``key``: the node in the high bits and the value on a grid of
    ``1 / _GRID`` (offset by the smallest) in the low bits, so that a sort or a binary search on
    ``key`` orders by node, then value. ``count`` is the number of partial paths (a float).
    """

    def __init__(self, key: np.ndarray, value: np.ndarray, count: np.ndarray, m: int, q0: int, bits: int) -> None:
        self.key, self.value, self.count, self.m, self.q0, self.bits = key, value, count, m, q0, bits
        self.start = np.searchsorted(key, np.arange(m + 1, dtype=np.int64) << bits)
        self._suffix: np.ndarray | None = None

    @classmethod
    def single(cls, m: int) -> _Lists:
        """One path of value 0 at node 0 of ``m`` nodes (the root or the terminal node)."""
        return cls(np.zeros(1, np.int64), np.zeros(1), np.ones(1), m, 0, 1)

    @classmethod
    def build(cls, chunks, m: int, grid: tuple[int, int]) -> _Lists:
        """Merge chunks of (node, value, count) into sorted lists; ``grid`` = (q0, bits) as from :func:`_grid`."""
        q0, bits = grid
        parts = []
        for node, value, count in chunks:
            key = (node << bits) + (np.floor(value * _GRID).astype(np.int64) - q0)
            parts.append(_merge_sorted(key, value, count))
            if len(parts) > 1 and sum(len(k) for k, _, _ in parts) > CHUNK:
                parts = [_merge_sorted(*(np.concatenate(x) for x in zip(*parts, strict=True)))]
                if len(parts[0][0]) > MAX_KEPT:
                    raise WorkLimitExceeded(len(parts[0][0]), MAX_KEPT, "distinct values kept at one stage")
        if not parts:
            return cls(np.zeros(0, np.int64), np.zeros(0), np.zeros(0), m, q0, bits)
        key, value, count = parts[0] if len(parts) == 1 else _merge_sorted(*(np.concatenate(x) for x in zip(*parts, strict=True)))
        return cls(key, value, count, m, q0, bits)

    def __len__(self) -> int:
        return len(self.key)

    def has(self, seg: np.ndarray) -> np.ndarray:
        return self.start[seg + 1] > self.start[seg]

    def search(self, seg: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Index of the first entry of node ``seg`` with value >= ``x`` (on the grid), or the end of the node's entries."""
        q = np.clip(np.ceil(x * _GRID) - self.q0, 0, 2**self.bits).astype(np.int64)
        return np.searchsorted(self.key, (seg << self.bits) + q)

    def suffix(self, idx: np.ndarray, seg: np.ndarray) -> np.ndarray:
        """log sum of count * exp(-value) over the entries of node ``seg`` from index ``idx`` on (-inf when none)."""
        if self._suffix is None:
            with np.errstate(divide="ignore"):
                self._suffix = _segmented_suffix_logsumexp(np.log(self.count) - self.value, self.start)
        return np.where(idx < self.start[seg + 1], self._suffix[np.minimum(idx, len(self.key))], -np.inf)


def _merge_sorted(key: np.ndarray, value: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort by key and add up the counts of equal keys (the first value of each key is kept)."""
    order = np.argsort(key)
    key = key[order]
    head = np.empty(len(key), dtype=bool)
    head[:1] = True
    np.not_equal(key[1:], key[:-1], out=head[1:])
    first = np.flatnonzero(head)
    return key[first], value[order[first]], np.add.reduceat(count[order], first)


def _grid(lo: float, hi: float, m: int) -> tuple[int, int]:
    """(offset, bits) of the integer keys for values in [lo, hi] at ``m`` nodes."""
    q0 = math.floor(lo * _GRID) - 1
    bits = max(1, (math.floor(hi * _GRID) - q0 + 2).bit_length())
    if bits + max(1, (m + 1).bit_length()) > 62:
        raise WorkLimitExceeded(float(m) * 2**bits, 2**62, "distinct keys (values too spread for the key grid)")
    return q0, bits


def _group_logsumexp(group: np.ndarray, vals: np.ndarray, m: int) -> np.ndarray:
    """log sum exp of ``vals`` per group (``group`` in 0..m-1, any order); -inf for empty groups."""
    out = np.full(m, -np.inf)
    keep = np.isfinite(vals)
    group, vals = group[keep], vals[keep]
    if len(vals) == 0:
        return out
    top = np.full(m, -np.inf)
    np.maximum.at(top, group, vals)
    total = np.bincount(group, weights=np.exp(vals - top[group]), minlength=m)
    hit = total > 0
    out[hit] = np.log(total[hit]) + top[hit]
    return out


def _moved(source: _Lists, node_of_arc: np.ndarray, term: np.ndarray, i0: np.ndarray, i1: np.ndarray):
    """Chunks of (node, value, count): the entries ``source[i0[a]:i1[a]]`` moved along each arc ``a`` (value + ``term[a]``)."""
    count = i1 - i0
    arcs = np.flatnonzero(count > 0)
    if len(arcs) == 0:
        return
    cum = np.cumsum(count[arcs])
    cuts = np.searchsorted(cum, np.arange(CHUNK, cum[-1], CHUNK), side="right")
    for sel in np.split(arcs, cuts):
        c = count[sel]
        arc = np.repeat(sel, c)
        idx = np.arange(len(arc)) + np.repeat(i0[sel] - (np.cumsum(c) - c), c)
        yield node_of_arc[arc], source.value[idx] + term[arc], source.count[idx]


# --------------------------------------------------------------------------- the p-value


@dataclass
class _Plan:
    """One step of either side, searched but not yet built: the arcs considered and, per arc, the undecided range ``i_drop:i_all``."""

    parent: np.ndarray
    child: np.ndarray
    term: np.ndarray
    i_all: np.ndarray
    i_drop: np.ndarray
    cost: int


def orient(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stage totals (in processing order) and column totals for the network of ``table`` (rows and columns with no cases dropped).

    The node vectors run over the shorter dimension (fewer nodes); for a square table, over the
    dimension whose two largest totals hold the larger share, which keeps the network small. The
    largest stage total is processed first and the others in increasing order.
    """
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    rows, cols = rows[rows > 0], cols[cols > 0]
    if len(rows) < len(cols) or (len(rows) == len(cols) and np.sort(cols)[:-2].sum() < np.sort(rows)[:-2].sum()):
        rows, cols = cols, rows
    rows = np.sort(rows)
    return np.concatenate([rows[-1:], rows[:-1]]), np.sort(cols)


def _forward_plan(net: _Network, k: int, fwd: _Lists, thr: float) -> _Plan:
    a, lo, hi = net.arcs[k], net.lo[k + 1], net.hi[k + 1]
    sel = np.flatnonzero(fwd.has(a.parent))
    p, ch, t = a.parent[sel], a.child[sel], a.term[sel]
    i_all = fwd.search(p, thr - t - lo[ch])
    i_drop = i_all.copy()
    inexact = np.flatnonzero(lo[ch] != hi[ch])
    if len(inexact):
        i_drop[inexact] = fwd.search(p[inexact], thr - t[inexact] - hi[ch[inexact]])
    return _Plan(p, ch, t, i_all, i_drop, int((i_all - i_drop).sum()))


def _backward_plan(net: _Network, k: int, bwd: _Lists, gain: np.ndarray, thr: float) -> _Plan:
    """Step from stage k + 1 back to stage k."""
    a, lo, hi = net.arcs[k], net.past_lo[k], net.past_hi[k]
    sel = np.flatnonzero(bwd.has(a.child) | np.isfinite(gain[a.child]))
    p, ch, t = a.parent[sel], a.child[sel], a.term[sel]
    i_all = bwd.search(ch, thr - t - lo[p])
    i_drop = i_all.copy()
    inexact = np.flatnonzero(lo[p] != hi[p])
    if len(inexact):
        i_drop[inexact] = bwd.search(ch[inexact], thr - t[inexact] - hi[p[inexact]])
    return _Plan(p, ch, t, i_all, i_drop, int((i_all - i_drop).sum()))


#: A three-stage network (a 3 x 3 table, or 2 or 3 rows against 3) whose last full transition would
#: have more arcs than this is searched lazily (:func:`_three_stages`).
LAZY_ARCS = 50_000


def _two_row_bounds(nodes: np.ndarray, first: int, lf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Smallest and largest value ``sum(log x_j! + log (u_j - x_j)!)`` over the two-row completions of each node ``u``.

    ``x`` is the first of the two remaining rows (``first`` cases, ``0 <= x <= u``). The value is a
    sum of convex functions of the ``x_j``: its minimum takes, from ``x = 0``, the ``first`` smallest
    increments ``log(x + 1) - log(u_j - x)`` (increasing in ``x``, so greedy is exact); its maximum
    is at a vertex of ``{sum(x) = first, 0 <= x <= u}``, where every ``x_j`` but one is 0 or ``u_j``.
    The bounds are widened by 1e-9, far below the tolerance of the test.
    """
    m, c = nodes.shape
    base = lf[nodes].sum(axis=1)
    low = np.array(base)
    if first > 0 and m:
        width = int(nodes.max())
        for lo in range(0, m, max(1, 4_000_000 // max(1, c * width))):
            u = nodes[lo : lo + 4_000_000 // max(1, c * width) or None]
            x = np.arange(width)[None, None, :]
            with np.errstate(divide="ignore", invalid="ignore"):
                inc = np.where(x < u[:, :, None], np.log(x + 1.0) - np.log(u[:, :, None] - x), np.inf).reshape(len(u), -1)
            low[lo : lo + len(u)] += np.partition(inc, first - 1, axis=1)[:, :first].sum(axis=1)
    high = np.full(m, -np.inf)
    for k in range(c):
        others = [j for j in range(c) if j != k]
        for mask in range(1 << (c - 1)):
            full = [others[i] for i in range(c - 1) if mask >> i & 1]
            y = first - nodes[:, full].sum(axis=1)
            ok = (y >= 0) & (y <= nodes[:, k])
            yy = np.clip(y, 0, nodes[:, k])
            value = base - lf[nodes[:, k]] + lf[yy] + lf[nodes[:, k] - yy]
            high = np.where(ok, np.maximum(high, value), high)
    return low - 1e-9, high + 1e-9


def _three_stages(stage_totals: np.ndarray, cols: np.ndarray, lf: np.ndarray, log_k: float, thr: float, max_work: float) -> float:
    """The p-value for three stages without the full network: arcs from the root, exact two-row bounds, and arcs of live nodes only.

    The root's arcs are decided with the exact bounds of :func:`_two_row_bounds`; the undecided
    ones are merged per node, and only those nodes' completions are built, each of which fixes the
    table (one row is then left), so they are added by binary search in the node's sorted values.
    """
    first, second, third = (int(v) for v in stage_totals)
    root = np.sort(cols)[None, :]
    parent, left, term = _arcs_from(root, first, lf)
    nodes, child = _index_nodes(_sorted_columns(left), int(cols.sum()) - first, int(cols.max()) + 1)
    low, high = _two_row_bounds(nodes, second, lf)
    log_mass = lf[nodes.sum(axis=1)] - lf[second] - lf[third] - lf[nodes].sum(axis=1)
    total = _Total()
    all_in = term + low[child] >= thr
    total.add((log_k - term + log_mass[child])[all_in])
    open_ = ~all_in & (term + high[child] >= thr)
    if not open_.any():
        return min(1.0, total.value())
    m = len(nodes)
    lo_v, hi_v = float(term[open_].min()), float(term[open_].max())
    fwd = _Lists.build([(child[open_], term[open_], np.ones(int(open_.sum())))], m, _grid(lo_v, hi_v, m))
    live = np.flatnonzero(fwd.has(np.arange(m)))
    needed = len(parent) + _count_bounded_compositions(nodes[live], second)
    if needed > max_work:
        raise WorkLimitExceeded(needed, max_work, "arcs in the network")
    step = max(1, CHUNK // max(1, math.comb(second + nodes.shape[1] - 1, nodes.shape[1] - 1)))
    for lo in range(0, len(live), step):
        part = live[lo : lo + step]
        p2, rest, t2 = _arcs_from(nodes[part], second, lf)
        value = t2 + sum(lf[col] for col in rest)  # the table is complete: the last row is what is left
        seg = part[p2]
        total.add(fwd.suffix(fwd.search(seg, thr - value), seg) + log_k - value)
    return min(1.0, total.value())


def exact_p_value(table, *, max_work: float = DEFAULT_MAX_WORK, tol: float = LOG_TOLERANCE, report: dict | None = None) -> float:
    """Exact two-sided Fisher-Freeman-Halton p-value of an r x c table of counts (see the module docstring for the method).

    The p-value is the total probability, given both margins, of the tables whose probability is at
    most ``p_obs * (1 + tol)`` (in log space: value ``V >= V_obs - tol``). Rows and columns with no
    cases are dropped; a table with fewer than two non-empty rows or columns has p = 1. Raises
    :class:`WorkLimitExceeded` (before doing the work) when the network would have more than
    ``max_work`` arcs or the lists more than ``max_work`` entries in all. If ``report`` is a dict, it
    receives the size of the network (``arcs``, ``nodes`` per stage), the steps taken (``steps``:
    side, stage reached, entries built, entries kept) and the total ``work``.
    """
    arr = np.asarray(table, dtype=np.int64)
    arr = arr[arr.sum(axis=1) > 0][:, arr.sum(axis=0) > 0]
    if min(arr.shape) < 2:
        return 1.0
    stage_totals, cols = orient(arr)
    n = int(arr.sum())
    lf = gammaln(np.arange(n + 1) + 1.0)
    log_k = float(lf[stage_totals].sum() + lf[cols].sum() - lf[n])
    thr = float(lf[arr].sum()) - tol
    if len(stage_totals) == 3 and len(cols) <= 8:
        first = np.sort(cols)[None, :]
        rough = math.comb(int(stage_totals[0]) + len(cols) - 1, len(cols) - 1) * math.comb(
            int(stage_totals[1]) + len(cols) - 1, len(cols) - 1
        )
        if rough > LAZY_ARCS and _count_bounded_compositions(first, int(stage_totals[0])) * 1.0 <= max_work:
            if report is not None:
                report.update(lazy=True)
            return _three_stages(stage_totals, cols, lf, log_k, thr, max_work)
    net = _Network(stage_totals, cols, lf, max_work)
    steps: list[tuple[str, int, int, int]] = []
    if report is not None:
        report.update(arcs=int(net.size), nodes=[len(u) for u in net.nodes], steps=steps)
    if net.lo[0][0] >= thr:
        return 1.0
    r = len(stage_totals)
    m = [len(u) for u in net.nodes]
    total = _Total()
    work = float(net.size)

    def grid_forward(k):
        return _grid(float(net.past_lo[k].min()), float(net.past_hi[k].max()), m[k])

    def grid_backward(k):
        return _grid(float(net.lo[k].min()), float(net.hi[k].max()), m[k])

    fk, fwd = 0, _Lists.single(1)
    bk, bwd = r, _Lists.single(1)
    gain = np.full(1, -np.inf)  # log mass, per node, of the future values counted whatever the past (backward side)
    f_plan = b_plan = None
    while True:
        # the cheaper step goes first (entries built + a quarter of the arcs searched); a side's plan is
        # only worked out if the least it could cost (a quarter of its arcs) does not exceed the other's cost
        low_f = int(np.diff(net.arcs[fk].start)[fwd.has(np.arange(m[fk]))].sum()) // 4
        low_b = int(net.in_degree(bk - 1)[bwd.has(np.arange(m[bk])) | np.isfinite(gain)].sum()) // 4
        if f_plan is None and b_plan is None:
            if low_f <= low_b:
                f_plan = _forward_plan(net, fk, fwd, thr)
            else:
                b_plan = _backward_plan(net, bk - 1, bwd, gain, thr)
        if b_plan is None and low_b <= f_plan.cost + low_f:
            b_plan = _backward_plan(net, bk - 1, bwd, gain, thr)
        if f_plan is None and low_f <= b_plan.cost + low_b:
            f_plan = _forward_plan(net, fk, fwd, thr)
        forward = b_plan is None or (f_plan is not None and f_plan.cost + low_f <= b_plan.cost + low_b)
        plan = f_plan if forward else b_plan
        work += plan.cost + len(plan.parent)
        if work > max_work:
            raise WorkLimitExceeded(work, max_work, "list entries")
        last = fk + 1 == bk
        if forward:
            p, ch, t = plan.parent, plan.child, plan.term
            added = fwd.suffix(plan.i_all, p) - t + log_k + net.log_mass[fk + 1][ch]
            total.add(added)
            chunks = _moved(fwd, ch, t, plan.i_drop, plan.i_all)
            if last:  # meet: each new past value against the future values of its node
                for node, value, count in chunks:
                    future = bwd.suffix(bwd.search(node, thr - value), node)
                    if np.isfinite(gain).any():
                        future = np.logaddexp(future, gain[node])
                    total.add(np.log(count) + log_k - value + future)
            else:
                fwd = _Lists.build(chunks, m[fk + 1], grid_forward(fk + 1))
            fk, f_plan = fk + 1, None
            steps.append(("forward", fk, plan.cost, len(fwd)))
        else:
            p, ch, t = plan.parent, plan.child, plan.term
            always = np.concatenate([bwd.suffix(plan.i_all, ch) - t, gain[ch] - t])
            gain = _group_logsumexp(np.concatenate([p, p]), always, m[bk - 1])
            chunks = _moved(bwd, p, t, plan.i_drop, plan.i_all)
            if last:  # meet: each new future value against the past values of its node
                for node, value, count in chunks:
                    total.add(np.log(count) + log_k - value + fwd.suffix(fwd.search(node, thr - value), node))
                nodes = np.flatnonzero(fwd.has(np.arange(m[fk])))
                total.add(gain[nodes] + log_k + fwd.suffix(fwd.start[nodes], nodes))
            else:
                bwd = _Lists.build(chunks, m[bk - 1], grid_backward(bk - 1))
            bk, b_plan = bk - 1, None
            steps.append(("backward", bk, plan.cost, len(bwd)))
        if fk == bk:
            break
    if report is not None:
        report["work"] = int(work)
    return min(1.0, total.value())
