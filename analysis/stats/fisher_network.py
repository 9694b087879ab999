"""The exact Fisher-Freeman-Halton p-value for an r x c table: a network algorithm in bounded memory, with its cost known before it is spent.

Tables with the observed margins are built one row at a time (Mehta & Patel 1983). After ``k``
rows, what matters for the rest of the table is the multiset of remaining column totals, so the
*nodes* of stage ``k`` are those totals sorted; an *arc* fills one row and carries the term
``sum(log x_j!)`` of the counts it puts in that row. A table is a path from the root (all column
totals) to the terminal node (nothing left), and its *value* ``V = sum(log n_ij!)`` is the sum of
its arc terms; its probability under independence is ``exp(K - V)`` with
``K = sum(log R_i!) + sum(log C_j!) - log n!``. The two-sided p-value is the total probability of
the tables with ``V >= V_obs - tol`` (as probable as the observed table or less).

What is stored (the design of FEXACT, Mehta & Patel 1986, and of Clarkson, Fan & Joe 1993):

* **Nodes, not arcs.** The nodes of stage ``k`` are exactly the sorted vectors ``w`` with
  ``w_(j) <= C_(j)`` adding up to the cases left, so they are listed directly (and counted before
  anything else is done); each stage keeps its nodes in a hash table. Arcs are generated when they
  are used, from one node at a time, and never stored. Among columns with equal remaining totals
  only one ordering of a row is generated, with the number of orderings it stands for.
* **Exact path bounds, computed from the nodes.** For every node, the smallest and largest value of
  the rest of a path (over all completions) are found by dynamic programming from the last stages
  back; with two rows left they have closed forms (:func:`~analysis.stats._fisher_kernels.two_row_bounds`),
  with one row left the rest is fixed. The smallest and largest value of the path so far are found
  forward, only for the stages a backward step reaches. A partial path whose every completion is at
  least as extreme as the observed table is added in closed form (the sum of ``exp(-V)`` over all
  completions of a node is ``m! / (prod R_i! prod u_j!)``); one none of whose completions is, is
  dropped.
* **Lists of undecided values, two stages at a time.** Past values are grown forward from the root
  and future values backward from the terminal node, whichever step is cheaper (Joe 1988's longest
  and shortest paths make both sides prunable), until the two sides meet; there each past value is
  matched against the sorted future values of its node. Only the list of each side's current stage
  is kept, plus the one being built; entries reaching the same node with the same value (to 2^-32
  in log-probability, about 2e-10) are merged as they arrive, so only distinct values are stored.
  (Merging two values that differ by less than that, which is rare, moves the p-value by at most
  2^-32 relative per stage; with a grid of 2^-40 the p-values of the test and benchmark tables are
  the same to the last bit.)

The cost is known before it is spent. Work is counted in arcs generated plus :data:`ENTRY_WORK`
per list entry moved or matched. Listing the nodes and counting their arcs costs little; if the
path bounds alone would need more than ``max_work``, :class:`WorkLimitExceeded` is raised before
any arc is generated. Each step is counted first (how many undecided entries it would move) and
refused if the total would exceed the budget, so what is spent never exceeds it. Memory is bounded
by construction: nodes are capped at :data:`MAX_NODES` (checked while they are listed), arcs are
generated per node into buffers of :data:`MAX_ARCS_PER_NODE`, and the lists of values share a fixed
amount of memory (:data:`LIST_BYTES`): a step stops as soon as the list it builds would not fit, the
other direction is then tried, and if neither fits the same error is raised. The caller
(:func:`analysis.stats.association.fisher_freeman_halton`) then falls back to Monte Carlo.

Two shapes take shorter roads: 2 x 2 tables are summed directly over the hypergeometric
distribution, and 2 x c tables go through a one-pass network over (column, cases of row 1 placed
so far) with exact sub-path bounds (:func:`~analysis.stats._fisher_kernels.two_by_c`).

:func:`hybrid_p_value` is the hybrid approximation of Mehta & Patel (1986b), as in R's
``fisher.test(hybrid = TRUE)``: a sub-table reached by an undecided partial path whose expected
counts meet Cochran's conditions (R's ``hybridPars = c(expect = 5, percent = 80, Emin = 1)``: no
expected count below 1 and more than 80% of them at least 5) is not enumerated; its share is the
chi-squared tail of the Freeman-Halton statistic ``-2 log(gamma P)`` (Freeman & Halton 1951).

The loops are compiled with numba (:mod:`analysis.stats._fisher_kernels`), imported only when a
network is needed, and cached on disk after their first compilation.

Values are compared exactly in floating point; a table counts when ``V >= V_obs - tol`` with
``tol`` = 1e-7 (R's ``fisher.test`` uses the same relative tolerance on probabilities).

References: Mehta, C. R. and Patel, N. R. (1983), "A network algorithm for performing Fisher's exact
test in r x c contingency tables", *JASA* 78, 427-434; Mehta and Patel (1986), "Algorithm 643:
FEXACT", *ACM TOMS* 12, 154-161 (the path bounds and the hashing of nodes and past values; no code
is taken from it); Mehta and Patel (1986b), "A hybrid algorithm for Fisher's exact test in
unordered r x c contingency tables", *Comm. Statist. Theory Methods* 15, 387-403; Clarkson, D. B.,
Fan, Y. and Joe, H. (1993), "A remark on algorithm 643", *ACM TOMS* 19, 484-488; Joe, H. (1988),
"Extreme probabilities for contingency tables under row and column independence with application to
Fisher's exact test", *Comm. Statist. Theory Methods* 17, 3677-3685; Freeman, G. H. and Halton,
J. H. (1951), *Biometrika* 38, 141-149.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.special import gammaln

from analysis import choices

#: Relative tolerance (in log-probability) under which a table counts as "as probable as" the
#: observed one: a table counts when its probability is at most ``p_obs * (1 + 1e-7)``, the rule of
#: R's ``fisher.test`` (its ``relErr``) and SciPy's ``fisher_exact``.
LOG_TOLERANCE = 1e-7

#: Work is counted in arcs generated plus :data:`ENTRY_WORK` per list entry moved, matched or
#: approximated (an entry costs about three times an arc: a search, a hash or a sort, a logarithm).
ENTRY_WORK = 3

#: Default budget of work for one p-value: under a second on one core of the project's 2-core
#: machine (30 to 50 million units a second; benchmarks/bench_association.py prints the work and time
#: of each table), so that a refusal and the Monte Carlo fallback come back within 2 seconds.
DEFAULT_MAX_WORK = choices.MAX_FISHER_WORK  # the analysis's choice (analysis/choices.py)

#: Most nodes in all stages together (each takes about 8 C + 100 bytes with its bounds and hash slots:
#: under 30 MB for up to 10 columns).
MAX_NODES = 150_000

#: Most arcs from one node (they are generated into buffers of this size, 24 bytes an arc: 12 MB).
MAX_ARCS_PER_NODE = 500_000

#: Memory for the lists of values (96 MB): the current list of each side, the one being built and
#: what a meeting adds to them. With the nodes and buffers above and about 250 MB for Python, NumPy,
#: SciPy and numba's compiled code, one p-value stays under 400 MB whatever the table.
LIST_BYTES = 96 * 2**20

#: Bytes per entry moved in one column of the 2 x c pass (node, value, count; sorted copies; order).
_TWO_BY_C_ENTRY = 56

#: R's default ``hybridPars``: (expect, percent, Emin), Cochran's conditions.
COCHRAN = (5.0, 80.0, 1.0)


class WorkLimitExceeded(RuntimeError):
    """The exact computation would need more work than ``max_work`` (or, with ``size``, a network or lists larger than the caps); ``needed`` is what was counted before stopping (None if not counted)."""

    def __init__(self, needed: float | None, limit: float, what: str, *, size: bool = False) -> None:
        self.needed, self.limit, self.size = needed, limit, size
        counted = "" if needed is None else f" (counted: {needed:,.0f})"
        advice = "use method='monte_carlo' with a seed" + ("" if size else ", or raise max_work")
        super().__init__(f"the exact Fisher-Freeman-Halton test needs more than {limit:,.0f} {what} for this table{counted}; {advice}")


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


def _log_factorials(n: int) -> np.ndarray:
    return gammaln(np.arange(n + 1) + 1.0)


def _two_by_two(arr: np.ndarray, lf: np.ndarray, log_k: float, thr: float) -> float:
    """Two-sided p-value of a 2 x 2 table: the hypergeometric probabilities of the top-left cell, summed where no larger than observed."""
    (a, b), (c, d) = arr
    r1, c1, n = a + b, a + c, a + b + c + d
    x = np.arange(max(0, r1 + c1 - n), min(r1, c1) + 1)
    value = lf[x] + lf[r1 - x] + lf[c1 - x] + lf[n - r1 - c1 + x]
    return float(min(1.0, np.exp(log_k - value[value >= thr]).sum()))


def _two_by_c(arr: np.ndarray, lf: np.ndarray, log_k: float, thr: float, max_work: float, report: dict | None) -> float:
    """Exact p-value of a 2 x c table with the one-pass 2 x c network (:func:`~analysis.stats._fisher_kernels.two_by_c`)."""
    from analysis.stats._fisher_kernels import two_by_c

    cols = np.sort(
        arr.sum(axis=0)
    )  # smallest column first: fewer undecided past values than largest first (benchmarks/bench_bounded_work.py)
    p, spent, needed, status = two_by_c(cols, int(arr[0].sum()), lf, thr, log_k, float(max_work), LIST_BYTES // _TWO_BY_C_ENTRY, ENTRY_WORK)
    _Stats(work=spent, nodes=[int(arr[0].sum()) + 1] * (len(cols) + 1)).report(report)
    if status == 1:
        raise WorkLimitExceeded(needed, max_work, "arcs and list entries")
    if status == 2:
        raise WorkLimitExceeded(None, LIST_BYTES, "bytes for the lists of values", size=True)
    return p


# --------------------------------------------------------------------------- the search


@dataclass
class _List:
    """Sorted values per node of one stage: ``start[u]:start[u+1]`` are node u's entries; ``logc`` the log counts, ``suffix`` as in the kernels."""

    start: np.ndarray
    value: np.ndarray
    count: np.ndarray
    logc: np.ndarray
    suffix: np.ndarray

    @classmethod
    def single(cls, m: int) -> _List:
        """One path of value 0 at node 0 of ``m`` nodes (the root or the terminal node)."""
        start = np.ones(m + 1, np.int64)
        start[0] = 0
        return cls(start, np.zeros(1), np.ones(1), np.zeros(1), np.array([0.0, -np.inf]))

    @classmethod
    def of(cls, kern, start: np.ndarray, value: np.ndarray, count: np.ndarray) -> _List:
        return cls(start, value, count, *kern.suffix_sums(start, value, count))

    def __len__(self) -> int:
        return len(self.value)

    @property
    def nbytes(self) -> int:
        return self.start.nbytes + self.value.nbytes + self.count.nbytes + self.logc.nbytes + self.suffix.nbytes

    def live(self) -> np.ndarray:
        return np.diff(self.start) > 0


@dataclass
class _Stats:
    """What a search has done so far: work spent (arcs generated plus entries moved), steps, nodes per stage, approximations."""

    work: float = 0.0
    steps: list = field(default_factory=list)
    nodes: list = field(default_factory=list)
    arcs: float = 0.0
    approximated: int = 0

    def report(self, report: dict | None) -> None:
        if report is not None:
            report.update(
                nodes=list(self.nodes), arcs=int(self.arcs), steps=self.steps, work=int(self.work), approximated=self.approximated
            )


class _Network:
    """Nodes of every stage (hashed), exact bounds on path values per node, and the steps of the search.

    ``hybrid`` (expect, percent, Emin) switches on the chi-squared approximation of sub-tables that
    meet Cochran's conditions; the search then runs forward only through the stages that have such
    sub-tables (backward steps stop after the last of them), so every undecided path is approximated
    at the first such sub-table it reaches, as R does.
    """

    def __init__(self, stage_totals, cols, lf, max_work: float, hybrid=None, stats: _Stats | None = None) -> None:
        from analysis.stats import _fisher_kernels as kern

        self.k = kern
        self.max_work = max_work
        self.lf = lf
        self.totals = np.asarray(stage_totals, dtype=np.int64)
        r, c = len(self.totals), len(cols)
        self.r = r
        cap = np.sort(np.asarray(cols, dtype=np.int64))
        place = [1]
        for j in range(c - 2):
            place.append(place[-1] * (int(cap[j]) + 1))
        if c > 1 and place[-1] * (int(cap[c - 2]) + 1) >= 2**62:
            raise WorkLimitExceeded(
                float(place[-1]) * (int(cap[c - 2]) + 1), 2**62, "node keys (too many columns with large totals)", size=True
            )
        self.radix = np.array(place[: max(1, c - 1)], dtype=np.int64)
        self.fact = np.array([math.factorial(i) for i in range(c + 1)], dtype=float)
        left = np.concatenate([np.cumsum(self.totals[::-1])[::-1], [0]])
        self.stats = stats if stats is not None else _Stats()
        # the cost, before anything is built: nodes listed stage by stage under one cap, then their arcs
        # counted (an upper bound: orderings of equal columns are folded together when they are generated)
        self.nodes, self.keys, self.slots = [], [], []
        budget = MAX_NODES
        for k in range(r + 1):
            nodes, m = kern.enumerate_nodes(cap, int(left[k]), budget)
            if m > budget:
                raise WorkLimitExceeded(MAX_NODES - budget + m, MAX_NODES, "nodes in the network", size=True)
            budget -= m
            self.nodes.append(nodes)
        self.m = [len(u) for u in self.nodes]
        self.stats.nodes = list(self.m)
        bound_work = float(self.m[r - 2] * c * (int(self.totals[r - 2]) + c))  # the closed forms with two rows left
        self.arcs_ub = []
        for k in range(r):
            stop = max_work - bound_work if k < r - 2 else math.inf
            counts, over = kern.count_fillings(self.nodes[k], int(self.totals[k]), stop)
            if over:
                raise WorkLimitExceeded(bound_work + counts.sum(), max_work, "arcs for the path bounds")
            if k < r - 2:
                bound_work += float(counts.sum())
            self.arcs_ub.append(counts)
        self.buf = [int(a.max()) if len(a) else 0 for a in self.arcs_ub]
        self.stats.arcs = sum(float(a.sum()) for a in self.arcs_ub)
        if bound_work > max_work:
            raise WorkLimitExceeded(bound_work, max_work, "arcs for the path bounds")
        if max(self.buf) > MAX_ARCS_PER_NODE:
            raise WorkLimitExceeded(max(self.buf), MAX_ARCS_PER_NODE, "arcs from one node", size=True)
        for nodes in self.nodes:
            keys = kern.node_keys(nodes, self.radix)
            self.keys.append(keys)
            self.slots.append(kern.node_table(keys))
        # exact bounds on the rest of a path: one row left, two rows left, then back over the arcs
        self.lo = [np.zeros(0)] * (r + 1)
        self.hi = [np.zeros(0)] * (r + 1)
        self.lo[r] = self.hi[r] = np.zeros(1)
        self.lo[r - 1] = self.hi[r - 1] = lf[self.nodes[r - 1]].sum(axis=1)
        lo2, hi2 = kern.two_row_bounds(self.nodes[r - 2], int(self.totals[r - 2]), lf)
        self.lo[r - 2], self.hi[r - 2] = lo2 - 1e-9, hi2 + 1e-9
        for k in range(r - 3, -1, -1):
            self.lo[k], self.hi[k], _ = kern.future_bounds(
                self.nodes[k], int(self.totals[k]), lf, self.fact, self.radix, self.slots[k + 1], self.keys[k + 1],
                self.lo[k + 1], self.hi[k + 1], self.buf[k],
            )  # fmt: skip
        self.stats.work = bound_work
        # log of the sum of exp(-value) over all completions of each node: m! / (prod R_i! prod u_j!)
        rest = np.concatenate([np.cumsum(lf[self.totals][::-1])[::-1], [0.0]])
        self.log_mass = [lf[left[k]] - rest[k] - lf[u].sum(axis=1) for k, u in enumerate(self.nodes)]
        # bounds on the path so far: computed when a backward step needs them (none for stage r - 1)
        self.past_lo = [np.zeros(1)] + [np.full(mk, -np.inf) for mk in self.m[1:]]
        self.past_hi = [np.zeros(1)] + [np.full(mk, np.inf) for mk in self.m[1:]]
        self.past_from: dict[int, int] = {}
        none = (np.zeros(max(self.m), dtype=bool), np.zeros(1), np.zeros(1))
        self.chi = [self._cochran(k, hybrid) if hybrid is not None else none for k in range(r + 1)]
        self._direct = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(1), np.zeros(1), np.zeros(1))
        # hybrid: the forward side must itself reach every stage with a sub-table that may be approximated
        self.backward_floor = max((k for k in range(r + 1) if self.chi[k][0][: self.m[k]].any()), default=0)

    def _cochran(self, k: int, hybrid) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per node of stage k: whether its sub-table meets Cochran's conditions, log gamma and the degrees of freedom.

        The sub-table has the remaining stage totals as rows and the node's non-zero entries as
        columns; its expected counts are ``R_i u_j / n``. Conditions (R's ``hybridPars``): none
        below ``Emin``, more than ``percent`` % of them at least ``expect``, and at least one
        degree of freedom. Counted per node and column against the sorted row totals, so memory is
        one value per node and column.
        """
        m = self.m[k]
        ok, lg, df = np.zeros(m, dtype=bool), np.zeros(m), np.zeros(m)
        if k == 0 or k > self.r - 2:
            return ok, lg, df
        expect, percent, emin = hybrid
        rows = np.sort(self.totals[k:]).astype(float)
        u = self.nodes[k].astype(float)
        n = u.sum(axis=1)
        present = u > 0
        r_, c_ = len(rows), present.sum(axis=1)
        smallest = rows[0] * np.where(present, u, np.inf).min(axis=1) / n
        with np.errstate(divide="ignore"):
            need = np.where(present, expect * n[:, None] / u, np.inf) * (1 - 1e-12)  # row total needed for E >= expect
        large = np.where(present, r_ - np.searchsorted(rows, need.ravel(), side="left").reshape(need.shape), 0).sum(axis=1)
        df = (r_ - 1) * (c_ - 1.0)
        ok = (smallest >= emin) & (large * 100 > percent * r_ * c_) & (df >= 1)
        logu = np.where(present, np.log(np.maximum(u, 1)), 0.0).sum(axis=1)
        lg = df / 2 * math.log(2 * math.pi) - (r_ * c_ - 1) / 2 * np.log(n) + (c_ - 1) / 2 * np.log(rows).sum() + (r_ - 1) / 2 * logu
        return ok, lg, df

    def _ensure_past(self, k: int, fk: int, fwd: _List) -> None:
        """Bounds on the value so far at the nodes of stage k, over the partial paths that are still undecided.

        Those paths pass through the forward side's list at stage ``fk``, so the bounds are found by
        dynamic programming forward from that list's smallest and largest value per node, over the
        nodes they reach (unreached nodes get +inf / -inf, and a backward step skips them). Stage
        r - 1 keeps no bounds: its backward step is one value per node.
        """
        if k > self.r - 2 or self.past_from.get(k) == fk:
            return
        # start from the deepest stage already done from this forward list, else from the list itself
        s = max((j for j in range(fk, k) if self.past_from.get(j) == fk), default=None)
        if s is None:
            s, live = fk, fwd.live()
            plo, phi = np.full(self.m[fk], np.inf), np.full(self.m[fk], -np.inf)
            plo[live], phi[live] = fwd.value[fwd.start[:-1][live]], fwd.value[fwd.start[1:][live] - 1]
            self.past_lo[fk], self.past_hi[fk], self.past_from[fk] = plo, phi, fk
        for j in range(s, k):
            self._charge(float(self.arcs_ub[j][self.past_lo[j] < np.inf].sum()), "arcs for the path bounds")
            self.past_lo[j + 1], self.past_hi[j + 1], _ = self.k.past_bounds(
                self.nodes[j], int(self.totals[j]), self.lf, self.fact, self.radix, self.slots[j + 1], self.keys[j + 1],
                self.past_lo[j], self.past_hi[j], self.m[j + 1], self.buf[j],
            )  # fmt: skip
            self.past_from[j + 1] = fk

    def _charge(self, amount: float, what: str) -> None:
        if self.stats.work + amount > self.max_work:
            raise WorkLimitExceeded(self.stats.work + amount, self.max_work, what)
        self.stats.work += amount

    @staticmethod
    def _spare(fwd: _List, bwd: _List) -> int:
        """Bytes of :data:`LIST_BYTES` left beside the two current lists, for the list being built."""
        return max(0, LIST_BYTES - fwd.nbytes - bwd.nbytes)

    def _linear(self, weights: _List, summed: _List, extra: np.ndarray):
        """:func:`~analysis.stats._fisher_kernels.linear_weights` for a meeting: of one list's weights and of the other's suffix sums.

        They take 8 bytes a value of both lists, so they are made only if that fits in what is left
        of :data:`LIST_BYTES`; otherwise the meeting sums in logarithms.
        """
        if self._spare(weights, summed) < 8 * (len(weights) + len(summed)):
            return self._no_linear
        none = np.full(len(weights.start) - 1, -np.inf)
        return (
            *self.k.linear_weights(weights.start, weights.logc, weights.value, none),
            *self.k.linear_weights(summed.start, summed.suffix, self._empty, extra),
        )

    def _forward(self, mode, fk, fwd, bwd, gain, acc):
        ok, lg, df = self.chi[fk + 1]
        spare = self._spare(fwd, bwd)
        linear = self._no_linear
        slots, keys, lo, hi, mass = self.slots[fk + 1], self.keys[fk + 1], self.lo[fk + 1], self.hi[fk + 1], self.log_mass[fk + 1]
        if fk + 1 == self.r - 1:
            # one row left after this one: every completion is fixed, so each arc is decided on its own
            # (the rest of the path is added to its term, without looking the child up; nothing is undecided)
            slots, keys, lo, hi, mass = self._direct
        elif mode == 2:
            self.k.fold_gain(bwd.start, bwd.suffix, gain)  # in place: bwd is not used after the meeting
            linear = self._linear(fwd, bwd, gain)
        (arcs, moved, approximated, full), table = self.k.forward_step(
            mode, self.nodes[fk], int(self.totals[fk]), self.lf, self.fact, self.radix, slots, keys,
            fwd.start, fwd.value, fwd.count, fwd.logc, fwd.suffix, lo, hi, mass,
            self.thr, self.log_k, bwd.start, bwd.value, bwd.suffix, gain, ok, lg, df,
            self.k.new_table(1024 if mode == 1 else 1), spare, acc, self.buf[fk], linear,
        )  # fmt: skip
        if full:
            raise WorkLimitExceeded(None, LIST_BYTES, "bytes for the lists of values", size=True)
        self.stats.approximated += approximated
        return arcs, moved, table

    def _backward(self, mode, bk, bwd, gain, fwd, acc, meeting):
        new_gain = np.full(self.m[bk - 1], -np.inf)
        linear = self._no_linear
        if mode == 2:
            linear = self._linear(bwd, fwd, np.full(len(fwd.start) - 1, -np.inf))
        (arcs, moved, _, full), start, value, count = self.k.backward_step(
            mode, self.nodes[bk - 1], int(self.totals[bk - 1]), self.lf, self.fact, self.radix, self.slots[bk], self.keys[bk],
            bwd.start, bwd.value, bwd.count, bwd.logc, bwd.suffix, gain, self.past_lo[bk - 1], self.past_hi[bk - 1], self.thr, self.log_k,
            fwd.start, fwd.value, fwd.suffix, meeting, self._spare(fwd, bwd), new_gain, acc, self.buf[bk - 1], linear,
        )  # fmt: skip
        if full:
            raise WorkLimitExceeded(None, LIST_BYTES, "bytes for the lists of values", size=True)
        lists = _List.of(self.k, start, value, count) if mode == 1 else None
        return arcs, moved, lists, new_gain

    def _finish(self, table, m: int) -> _List:
        return _List(*self.k.finish_table(table, m))

    def _past_cost(self, k: int, fk: int) -> float:
        """At most the arcs of :meth:`_ensure_past` (all nodes of the stages between counted)."""
        if k > self.r - 2 or self.past_from.get(k) == fk:
            return 0.0
        return sum(float(self.arcs_ub[s].sum()) for s in range(fk, k))

    def p_value(self, log_k: float, thr: float) -> float:
        """The search: steps forward or backward, whichever is cheaper, until the two sides meet.

        A forward step that ends where the rest of every path is fixed, or whose cost is bounded in
        advance by the backward step's arcs alone (its arcs plus, per live node, entries times arcs),
        is taken at once. Otherwise the undecided entries of one or both sides are counted first
        (the cheaper side by arcs first; the other too unless its arcs alone cost more than that
        step) and the cheaper step is taken. Every step is charged to the budget before it is taken.
        The kernels stop a step as soon as the list it builds would not fit in :data:`LIST_BYTES`;
        the other direction is then counted, charged and taken instead, if it can be.
        """
        self.log_k, self.thr = log_k, thr
        if self.lo[0][0] >= thr:
            return 1.0
        empty, none = np.zeros(0), np.zeros(1, dtype=bool)
        self._empty, self._no_linear = empty, (empty, empty, empty, none, empty, empty, empty, none)
        acc = np.zeros(3)  # the total: exp(acc[0]) * (acc[1] + acc[2])
        r, m = self.r, self.m
        fk, fwd = 0, _List.single(1)
        bk, bwd = r, _List.single(1)
        gain = np.full(1, -np.inf)  # log mass, per node of stage bk, of the future values counted whatever the past
        self._counted_f = self._counted_b = None

        while fk < bk:
            last = fk + 1 == bk
            live = fwd.live()
            arcs_f = float(self.arcs_ub[fk][live].sum())
            bound_f = arcs_f + ENTRY_WORK * float((np.diff(fwd.start)[live] * self.arcs_ub[fk][live]).sum())
            forward_only = bk - 1 <= self.backward_floor
            arcs_b = math.inf if forward_only else float(self.arcs_ub[bk - 1].sum()) + self._past_cost(bk - 1, fk)
            settled = fk + 1 >= r - 1  # the child's future is fixed: nothing stays undecided
            plans: dict[str, tuple[float, int | None]] = {}
            state = (fk, bk, fwd, bwd, gain, acc, arcs_f, last)
            if settled or ((forward_only or bound_f <= arcs_b) and self.stats.work + bound_f <= self.max_work):
                plans["f"] = (arcs_f if settled else bound_f, None)
                self._charge(plans["f"][0], "arcs and list entries")
            else:
                # count the side whose arcs cost less first, the other too unless its arcs alone cost more than that step
                first, second = ("f", "b") if arcs_f <= arcs_b else ("b", "f")
                plans[first] = self._plan(first, *state)
                if not (second == "b" and forward_only) and (arcs_f if second == "f" else arcs_b) < plans[first][0]:
                    plans[second] = self._plan(second, *state)
                self._charge(min(cost for cost, _ in plans.values()), "arcs and list entries")
            # the cheapest step; if its values do not fit in LIST_BYTES, the other direction (counted and charged first)
            side = min(plans, key=lambda key: plans[key][0])
            tried: set[str] = set()
            while True:
                try:
                    if side == "f":
                        if last:
                            _, moved, _ = self._forward(2, fk, fwd, bwd, gain, acc)
                        else:
                            _, moved, table = self._forward(1, fk, fwd, bwd, gain, acc)
                            fwd = self._finish(table, m[fk + 1])
                        fk += 1
                        self.stats.steps.append(("forward", fk, moved, len(fwd)))
                    else:
                        if last:
                            _, moved, _, gain = self._backward(2, bk, bwd, gain, fwd, acc, True)
                        else:
                            _, moved, bwd, gain = self._backward(1, bk, bwd, gain, fwd, acc, False)
                        bk -= 1
                        self.stats.steps.append(("backward", bk, moved, len(bwd)))
                    break
                except WorkLimitExceeded as err:
                    tried.add(side)
                    other = "b" if side == "f" else "f"
                    if not err.size or other in tried or (other == "b" and forward_only):
                        raise
                    if other not in plans:
                        plans[other] = self._plan(other, *state)
                    self._charge(plans[other][0], "arcs and list entries")
                    side = other
        return min(1.0, math.exp(acc[0]) * (acc[1] + acc[2]))

    def _plan(self, side, fk, bk, fwd, bwd, gain, acc, arcs_f, last) -> tuple[float, int]:
        """The cost and the entries moved of the forward (``side`` "f") or backward step, counted."""
        if side == "f":
            return self._plan_forward(fk, fwd, bwd, gain, acc, arcs_f)
        return self._plan_backward(bk, fk, bwd, gain, fwd, acc, last)

    def _plan_forward(self, fk, fwd, bwd, gain, acc, arcs) -> tuple[float, int]:
        """Count the undecided entries of the forward step (charging its arcs): (cost of the step, entries).

        The count depends only on the forward list, so it is kept until that list changes.
        """
        if self._counted_f is not None and self._counted_f[0] is fwd:
            return self._counted_f[1]
        self._charge(arcs, "arcs")
        _, moved, _ = self._forward(0, fk, fwd, bwd, gain, acc)
        self._counted_f = (fwd, (arcs + ENTRY_WORK * moved, moved))
        return self._counted_f[1]

    def _plan_backward(self, bk, fk, bwd, gain, fwd, acc, meeting) -> tuple[float, int]:
        """Count the undecided entries of the backward step (charging its arcs and any past bounds it needs).

        The count depends on the backward list and, through the past bounds, on the forward list.
        """
        if self._counted_b is not None and self._counted_b[0] is bwd and self._counted_b[1] is fwd:
            return self._counted_b[2]
        self._ensure_past(bk - 1, fk, fwd)
        arcs = float(self.arcs_ub[bk - 1][self.past_lo[bk - 1] < np.inf].sum())
        self._charge(arcs, "arcs")
        _, moved, _, _ = self._backward(0, bk, bwd, gain, fwd, acc, meeting)
        self._counted_b = (bwd, fwd, (arcs + ENTRY_WORK * moved, moved))
        return self._counted_b[2]


def _prepare(table, tol: float):
    arr = np.asarray(table, dtype=np.int64)
    arr = arr[arr.sum(axis=1) > 0][:, arr.sum(axis=0) > 0]
    n = int(arr.sum())
    lf = _log_factorials(n)
    rows, cols = arr.sum(axis=1), arr.sum(axis=0)
    log_k = float(lf[rows].sum() + lf[cols].sum() - lf[n])
    thr = float(lf[arr].sum()) - tol
    return arr, lf, log_k, thr


def exact_p_value(table, *, max_work: float = DEFAULT_MAX_WORK, tol: float = LOG_TOLERANCE, report: dict | None = None) -> float:
    """Exact two-sided Fisher-Freeman-Halton p-value of an r x c table of counts (see the module docstring for the method).

    The p-value is the total probability, given both margins, of the tables whose probability is at
    most ``p_obs * (1 + tol)`` (in log space: value ``V >= V_obs - tol``). Rows and columns with no
    cases are dropped; a table with fewer than two non-empty rows or columns has p = 1. Raises
    :class:`WorkLimitExceeded` when the network would exceed its size caps or the work would exceed
    ``max_work`` (arcs generated plus list entries moved), before that work is done. If ``report``
    is a dict, it receives the nodes per stage (``nodes``), an upper bound on the arcs (``arcs``),
    the steps taken (``steps``: side, stage reached, entries moved, entries kept) and the ``work``.
    """
    arr, lf, log_k, thr = _prepare(table, tol)
    if min(arr.shape) < 2:
        return 1.0
    if arr.shape == (2, 2):
        return _two_by_two(arr, lf, log_k, thr)
    if min(arr.shape) == 2:
        return _two_by_c(arr if arr.shape[0] == 2 else arr.T, lf, log_k, thr, max_work, report)
    stage_totals, cols = orient(arr)
    stats = _Stats()
    try:
        return _Network(stage_totals, cols, lf, max_work, stats=stats).p_value(log_k, thr)
    finally:
        stats.report(report)


def hybrid_p_value(
    table,
    *,
    expect: float = COCHRAN[0],
    percent: float = COCHRAN[1],
    emin: float = COCHRAN[2],
    max_work: float = DEFAULT_MAX_WORK,
    tol: float = LOG_TOLERANCE,
    report: dict | None = None,
) -> tuple[float, int]:
    """Hybrid Fisher-Freeman-Halton p-value (Mehta & Patel 1986b; R's ``fisher.test(hybrid = TRUE)``) and the number of sub-tables approximated.

    The network is searched forward from the root, as R's FEXACT does it: the table transposed if it
    has more rows than columns, the columns processed in increasing order of their totals; a sub-table reached by an undecided partial path is answered with the
    chi-squared approximation when its expected counts meet Cochran's conditions (no expected count
    below ``emin``, more than ``percent`` % of them at least ``expect``) and it has at least one
    degree of freedom; otherwise it is enumerated exactly. The approximation: the completions of a
    node with remaining margins are as extreme as needed when their Freeman-Halton statistic
    ``-2 log(gamma P)`` (P the completion's probability given those margins, gamma Freeman and
    Halton's normalising constant) exceeds that of the threshold, a chi-squared variable with
    (r' - 1)(c' - 1) degrees of freedom. When the count returned is 0 no sub-table was approximated
    and the p-value is exact. 2 x 2 tables are always exact. Raises :class:`WorkLimitExceeded` as
    :func:`exact_p_value` does.
    """
    arr, lf, log_k, thr = _prepare(table, tol)
    if min(arr.shape) < 2:
        return 1.0, 0
    if arr.shape == (2, 2):
        return _two_by_two(arr, lf, log_k, thr), 0
    if arr.shape[0] > arr.shape[1]:
        arr = arr.T
    stats = _Stats()
    try:
        net = _Network(np.sort(arr.sum(axis=0)), np.sort(arr.sum(axis=1)), lf, max_work, hybrid=(expect, percent, emin), stats=stats)
        return net.p_value(log_k, thr), stats.approximated
    finally:
        stats.report(report)


#: Small tables whose exact and hybrid p-values between them run every compiled loop once (checked in the tests).
WARM_UP_TABLES: tuple[tuple[tuple[int, ...], ...], ...] = (
    ((3, 1, 2), (1, 3, 2)),
    ((3, 1, 2), (1, 3, 2), (2, 2, 1)),
    ((2, 1, 0, 1), (1, 2, 1, 0), (0, 1, 2, 1), (1, 0, 1, 2)),
    ((1, 2, 2, 1, 1, 0, 1), (2, 0, 0, 2, 3, 0, 0), (0, 1, 1, 1, 2, 7, 3), (1, 1, 2, 0, 0, 0, 1), (0, 1, 1, 1, 1, 0, 0)),
)


def kernels_cached() -> bool:
    """Whether numba's on-disk cache holds the compiled loops of the current source (an index file newer than it)."""
    from pathlib import Path

    source = Path(__file__).with_name("_fisher_kernels.py")
    index = list((source.parent / "__pycache__").glob("_fisher_kernels.*.nbi"))
    return bool(index) and min(p.stat().st_mtime for p in index) >= source.stat().st_mtime


def warm_up() -> int:
    """Compile every loop of :mod:`analysis.stats._fisher_kernels` now (or load it from the cache) by testing :data:`WARM_UP_TABLES`.

    numba caches the compiled code on disk beside the module (``cache=True``), so after this runs
    once (``make env`` runs it: ``python -m analysis warm-up``) no later process, notebook or test
    worker compiles anything: the first exact test answers about as fast as a warm one. Returns the
    number of compiled loops.
    """
    from analysis.stats import _fisher_kernels as kern

    for table in WARM_UP_TABLES:
        exact_p_value(table)
        hybrid_p_value(table)
    return sum(len(f.signatures) for f in vars(kern).values() if hasattr(f, "signatures"))
