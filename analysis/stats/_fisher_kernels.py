"""Compiled loops (numba) of the exact Fisher-Freeman-Halton network: nodes, arcs, path bounds, lists of values.

Everything here works on plain arrays and is driven by :mod:`analysis.stats.fisher_network`, whose
module docstring explains the method. A *node* is a vector of remaining column totals sorted in
increasing order; its *key* is a mixed-radix number of its first ``C - 1`` entries (the last one
follows from the stage's total), and nodes are found from their keys in an open-addressing hash
table. An *arc* fills one row: the counts ``x`` put in the row, its *term* ``sum(log x_j!)``, and
its *multiplicity*: among columns with equal remaining totals only the fillings with ``x``
non-increasing are generated, each standing for the distinct permutations of its values there (they
reach the same child with the same term).

A *list* holds, per node of a stage, the distinct values of partial paths reaching it (sorted) with
their counts (numbers of partial tables, as floats) and, for each position, the log of the sum of
``count * exp(-value)`` from there to the end of the node's entries. Values equal on a grid of
2^-32 are merged as they arrive: a forward step inserts them into a hash table keyed on (node,
grid value); a backward step, whose entries all land in the parent being processed, merges each
parent's entries in a small table of its own and appends them in order. Only distinct values are
ever stored.

All kernels are compiled on first use and cached on disk (``cache=True``).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: Values closer than this on the grid of log-probabilities are merged (about 2.3e-10).
GRID = 2.0**32

_MIX = np.uint64(0x9E3779B97F4A7C15)
_SHIFT = np.uint64(29)

# --------------------------------------------------------------------------- hash tables


@njit(cache=True)
def _filled(n, value):
    out = np.empty(n)
    out[:] = value
    return out


@njit(cache=True)
def _filled_int(n, value):
    out = np.empty(n, np.int64)
    out[:] = value
    return out


@njit(cache=True)
def _hash(key, mask):
    h = np.uint64(key) * _MIX
    h ^= h >> _SHIFT
    return np.int64(h & np.uint64(mask))


@njit(cache=True)
def node_table(keys):
    """Open-addressing table (node index or -1) for ``keys`` (distinct, non-negative)."""
    size = 16
    while size < 2 * keys.shape[0]:
        size *= 2
    slots = _filled_int(size, -1)
    mask = size - 1
    for i in range(keys.shape[0]):
        h = _hash(keys[i], mask)
        while slots[h] >= 0:
            h = (h + 1) & mask
        slots[h] = i
    return slots


@njit(cache=True)
def _find(slots, keys, key):
    mask = slots.shape[0] - 1
    h = _hash(key, mask)
    while True:
        i = slots[h]
        if i < 0 or keys[i] == key:
            return i
        h = (h + 1) & mask


# --------------------------------------------------------------------------- nodes


@njit(cache=True)
def enumerate_nodes(cap, total, limit):
    """Every non-decreasing vector ``w`` with ``w_j <= cap_j`` (``cap`` non-decreasing) and ``sum(w) == total``.

    Returns the vectors (rows) and the count; if there are more than ``limit``, returns an empty
    matrix and ``limit + 1``. Each choice keeps the rest fillable, so no branch is a dead end.
    """
    c = cap.shape[0]
    tail = np.zeros(c + 1, np.int64)
    for j in range(c - 1, -1, -1):
        tail[j] = tail[j + 1] + cap[j]
    out = np.zeros((0, c), np.int64)
    count = 0
    for fill in range(2):
        if fill == 1:
            out = np.zeros((count, c), np.int64)
        w = np.zeros(c, np.int64)
        rem = np.zeros(c + 1, np.int64)
        hi = np.zeros(c, np.int64)
        rem[0] = total
        found = 0
        j = 0
        prev = 0
        # set position j to its smallest feasible value, then go deeper
        while True:
            descend_ok = True
            while j < c:
                low = max(prev, rem[j] - tail[j + 1])
                high = min(cap[j], rem[j] // (c - j))
                if low > high:
                    descend_ok = False
                    break
                w[j] = low
                hi[j] = high
                rem[j + 1] = rem[j] - low
                prev = low
                j += 1
            if descend_ok:
                if fill == 1:
                    out[found, :] = w
                found += 1
                if fill == 0 and found > limit:
                    return np.zeros((0, c), np.int64), limit + 1
            # advance: the deepest position that can still grow
            j = c - 1
            while j >= 0 and w[j] >= hi[j]:
                j -= 1
            if j < 0:
                break
            w[j] += 1
            rem[j + 1] = rem[j] - w[j]
            prev = w[j]
            j += 1
        count = found
    return out, count


@njit(cache=True)
def node_keys(nodes, radix):
    """Mixed-radix key of each node from its first ``C - 1`` entries (``radix[j]`` = place value of entry j)."""
    m, c = nodes.shape
    keys = np.zeros(m, np.int64)
    for i in range(m):
        k = 0
        for j in range(c - 1):
            k += nodes[i, j] * radix[j]
        keys[i] = k
    return keys


# --------------------------------------------------------------------------- arcs


@njit(cache=True)
def count_fillings(nodes, total, stop):
    """Number of vectors ``x`` with ``0 <= x <= u`` and ``sum(x) == total`` for each node ``u`` (an upper bound on its arcs).

    Counting stops (the rest left at 0) as soon as the running sum exceeds ``stop``; the second
    value returned says whether it did.
    """
    m, c = nodes.shape
    out = np.zeros(m)
    running = 0.0
    ways = np.zeros(total + 1)
    nxt = np.zeros(total + 1)
    for i in range(m):
        ways[:] = 0.0
        ways[0] = 1.0
        for j in range(c):
            u = nodes[i, j]
            # nxt[s] = sum of ways[s - x] for x = 0..u (a sliding window)
            run = 0.0
            for s in range(total + 1):
                run += ways[s]
                if s - u - 1 >= 0:
                    run -= ways[s - u - 1]
                nxt[s] = run
            ways[:] = nxt
        out[i] = ways[total]
        running += out[i]
        if running > stop:
            return out, True
    return out, False


@njit(cache=True)
def arcs_of(u, total, lf, fact, radix, slots, keys, out_child, out_term, out_mult):
    """The arcs from node ``u`` filling a row of ``total`` cases: child index, term and multiplicity. Returns their number.

    Among columns with equal ``u_j`` (consecutive, as ``u`` is sorted) only non-increasing fillings
    are generated; ``out_mult`` is the number of distinct permutations each stands for. A child is
    looked up in the next stage's table (``slots``, ``keys``); every child exists there. With ``keys``
    empty the child has one row left, so the rest of the path is fixed: its value (the sum of
    ``log (u_j - x_j)!``) is added to the term and the child is given as 0 (a stand-in node whose
    rest is 0), which saves the look-up.
    """
    c = u.shape[0]
    # tie groups: after[j] = later columns in j's group; beyond[j] = capacity of the columns after j's group
    after = np.zeros(c, np.int64)
    beyond = np.zeros(c, np.int64)
    j = c - 1
    acc = 0
    while j >= 0:
        e = j
        while j > 0 and u[j - 1] == u[e]:
            j -= 1
        for i in range(j, e + 1):
            after[i] = e - i
            beyond[i] = acc
        acc += u[e] * (e - j + 1)
        j -= 1
    direct = keys.shape[0] == 0
    ties = False
    for i in range(1, c):
        if u[i] == u[i - 1]:
            ties = True
    x = np.zeros(c, np.int64)
    hi = np.zeros(c, np.int64)
    rem = np.zeros(c + 1, np.int64)
    part = np.zeros(c + 1)
    w = np.zeros(c, np.int64)
    rem[0] = total
    n = 0
    j = 0
    while True:
        while j < c - 1:
            need = rem[j] - beyond[j]
            low = 0
            if need > 0:
                low = (need + after[j]) // (after[j] + 1)
            high = min(u[j], rem[j])
            if j > 0 and u[j - 1] == u[j] and x[j - 1] < high:
                high = x[j - 1]
            x[j] = low
            hi[j] = high
            rem[j + 1] = rem[j] - low
            part[j + 1] = part[j] + lf[low] + (lf[u[j] - low] if direct else 0.0)
            j += 1
        x[c - 1] = rem[c - 1]
        # emit: term, multiplicity, child
        out_term[n] = part[c - 1] + lf[x[c - 1]] + (lf[u[c - 1] - x[c - 1]] if direct else 0.0)
        mult = 1.0
        g = 0 if ties else c
        while g < c:
            e = g
            while e + 1 < c and u[e + 1] == u[g]:
                e += 1
            if e > g:
                mult *= fact[e - g + 1]
                r0 = g
                while r0 <= e:
                    r1 = r0
                    while r1 + 1 <= e and x[r1 + 1] == x[r0]:
                        r1 += 1
                    mult /= fact[r1 - r0 + 1]
                    r0 = r1 + 1
            g = e + 1
        out_mult[n] = mult
        if direct:
            # the child has one row left: the rest of the path is fixed and already in the term
            out_child[n] = 0
        else:
            for i in range(c):
                v = u[i] - x[i]
                k = i
                while k > 0 and w[k - 1] > v:
                    w[k] = w[k - 1]
                    k -= 1
                w[k] = v
            key = 0
            for i in range(c - 1):
                key += w[i] * radix[i]
            out_child[n] = _find(slots, keys, key)
        n += 1
        # advance
        j = c - 2
        while j >= 0 and x[j] >= hi[j]:
            j -= 1
        if j < 0:
            return n
        x[j] += 1
        rem[j + 1] = rem[j] - x[j]
        part[j + 1] = part[j] + lf[x[j]] + (lf[u[j] - x[j]] if direct else 0.0)
        j += 1


# --------------------------------------------------------------------------- path bounds


@njit(cache=True)
def future_bounds(nodes, total, lf, fact, radix, slots, keys, lo_next, hi_next, buf_size):
    """Exact smallest and largest value of the rest of a path from each node (dynamic programming over its arcs), and its arc count."""
    m = nodes.shape[0]
    lo = np.empty(m)
    hi = np.empty(m)
    arcs = np.zeros(m, np.int64)
    child = np.empty(buf_size, np.int64)
    term = np.empty(buf_size)
    mult = np.empty(buf_size)
    for i in range(m):
        na = arcs_of(nodes[i], total, lf, fact, radix, slots, keys, child, term, mult)
        a, b = np.inf, -np.inf
        for q in range(na):
            v = child[q]
            s = term[q] + lo_next[v]
            if s < a:
                a = s
            s = term[q] + hi_next[v]
            if s > b:
                b = s
        lo[i] = a
        hi[i] = b
        arcs[i] = na
    return lo, hi, arcs


@njit(cache=True)
def past_bounds(nodes, total, lf, fact, radix, slots, keys, plo, phi, m_next, buf_size):
    """Smallest and largest value of the path so far at each node of the next stage (dynamic programming forward).

    Nodes with ``plo`` infinite are not reached and are skipped. Returns the bounds and the arcs enumerated.
    """
    n_arcs = 0
    lo = _filled(m_next, np.inf)
    hi = _filled(m_next, -np.inf)
    child = np.empty(buf_size, np.int64)
    term = np.empty(buf_size)
    mult = np.empty(buf_size)
    for i in range(nodes.shape[0]):
        if plo[i] == np.inf:
            continue  # no path reaches this node
        na = arcs_of(nodes[i], total, lf, fact, radix, slots, keys, child, term, mult)
        n_arcs += na
        for q in range(na):
            v = child[q]
            s = plo[i] + term[q]
            if s < lo[v]:
                lo[v] = s
            s = phi[i] + term[q]
            if s > hi[v]:
                hi[v] = s
    return lo, hi, n_arcs


@njit(cache=True)
def two_row_bounds(nodes, first, lf):
    """Exact smallest and largest ``sum(log x_j! + log (u_j - x_j)!)`` over ``sum(x) == first``, ``0 <= x <= u``, per node ``u``.

    Each term ``g_j(x)`` is convex in ``x``. The minimum: start from the continuous optimum rounded
    down, add the cheapest unit increments, then exchange units while that lowers the value (exact
    for separable convex functions under one sum constraint). The maximum is at a vertex, where every
    ``x_j`` but one is 0 or ``u_j``; since ``g_j(0) = g_j(u_j) = log u_j!``, it is
    ``sum(log u_j!)`` minus the smallest ``log binom(u_k, y)`` over the columns ``k`` and the
    amounts ``y = first - s`` left for it by the sums ``s`` of subsets of the other columns.
    """
    m, c = nodes.shape
    lo = np.empty(m)
    hi = np.empty(m)
    x = np.zeros(c, np.int64)
    reach = np.zeros(first + 1, np.bool_)
    for i in range(m):
        u = nodes[i]
        t = 0
        for j in range(c):
            t += u[j]
        base = 0.0
        for j in range(c):
            base += lf[u[j]]
        # minimum
        mu = (first + c) / max(1.0, float(t - first))
        s = 0
        for j in range(c):
            v = int(math.floor((mu * u[j] - 1.0) / (1.0 + mu)))
            v = min(max(v, 0), u[j])
            x[j] = v
            s += v
        while s > first:
            best, bj = -np.inf, -1
            for j in range(c):
                if x[j] > 0:
                    d = math.log(x[j] / (u[j] - x[j] + 1.0))
                    if d > best:
                        best, bj = d, j
            x[bj] -= 1
            s -= 1
        while s < first:
            best, bj = np.inf, -1
            for j in range(c):
                if x[j] < u[j]:
                    d = math.log((x[j] + 1.0) / (u[j] - x[j]))
                    if d < best:
                        best, bj = d, j
            x[bj] += 1
            s += 1
        while True:
            up, ju = np.inf, -1
            down, jd = -np.inf, -1
            for j in range(c):
                if x[j] < u[j]:
                    d = math.log((x[j] + 1.0) / (u[j] - x[j]))
                    if d < up:
                        up, ju = d, j
                if x[j] > 0:
                    d = math.log(x[j] / (u[j] - x[j] + 1.0))
                    if d > down:
                        down, jd = d, j
            if ju < 0 or jd < 0 or ju == jd or down <= up + 1e-12:
                break
            x[ju] += 1
            x[jd] -= 1
        value = 0.0
        for j in range(c):
            value += lf[x[j]] + lf[u[j] - x[j]]
        lo[i] = value
        # maximum
        loss = np.inf
        for k in range(c):
            reach[:] = False
            reach[0] = True
            for j in range(c):
                if j == k or u[j] == 0:
                    continue
                for q in range(first, u[j] - 1, -1):
                    if reach[q - u[j]]:
                        reach[q] = True
            for q in range(first + 1):
                y = first - q
                if reach[q] and y <= u[k]:
                    ell = lf[u[k]] - lf[y] - lf[u[k] - y]
                    if ell < loss:
                        loss = ell
            if loss == 0.0:
                break
        hi[i] = base - loss
    return lo, hi


# --------------------------------------------------------------------------- lists of values


@njit(cache=True)
def _search(vals, lo, hi, x):
    """First index in ``vals[lo:hi]`` (sorted) with value >= x, or ``hi``."""
    while lo < hi:
        mid = (lo + hi) >> 1
        if vals[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True)
def _logaddexp(a, b):
    if a == -np.inf:
        return b
    if b == -np.inf:
        return a
    if a > b:
        return a + math.log1p(math.exp(b - a))
    return b + math.log1p(math.exp(a - b))


@njit(cache=True)
def _add(acc, logterm):
    """Add exp(logterm) to the running total ``acc`` = [scale, sum, compensation] (Neumaier's summation, rescaled as needed)."""
    if logterm == -np.inf:
        return
    if logterm > acc[0]:
        f = math.exp(acc[0] - logterm)
        acc[1] *= f
        acc[2] *= f
        acc[0] = logterm
    y = math.exp(logterm - acc[0])
    t = acc[1] + y
    if abs(acc[1]) >= abs(y):
        acc[2] += (acc[1] - t) + y
    else:
        acc[2] += (y - t) + acc[1]
    acc[1] = t


@njit(cache=True)
def _plus(top, total, comp, logterm):
    """:func:`_add` on three local numbers instead of an array (for the innermost loops): returns them updated."""
    if logterm > top:
        scale = math.exp(top - logterm)
        total *= scale
        comp *= scale
        top = logterm
    y = math.exp(logterm - top)
    summed = total + y
    if abs(total) >= abs(y):
        comp += (total - summed) + y
    else:
        comp += (y - summed) + total
    return top, summed, comp


@njit(cache=True)
def _flush(acc, top, total, comp):
    """Add a total kept by :func:`_plus` (exp(top) * (total + comp)) into ``acc``."""
    if total + comp > 0.0:
        _add(acc, top + math.log(total + comp))


@njit(cache=True)
def new_table(capacity):
    """An empty list under construction: one row of 32 bytes a slot (node, grid key, value, count), node -1 when empty.

    Node and grid key are integers held exactly in doubles (below 2^53), so a slot is one cache line
    at most; the capacity is a power of two.
    """
    table = np.zeros((capacity, 4))
    table[:, 0] = -1.0
    return table


@njit(cache=True)
def _slot_of(table, node, q):
    mask = table.shape[0] - 1
    h = _hash(q * 1000003 + node, mask)
    fnode, fq = float(node), float(q)
    while table[h, 0] >= 0.0 and (table[h, 0] != fnode or table[h, 1] != fq):
        h = (h + 1) & mask
    return h


@njit(cache=True)
def _grow(table):
    bigger = new_table(2 * table.shape[0])
    for h in range(table.shape[0]):
        if table[h, 0] >= 0.0:
            g = _slot_of(bigger, np.int64(table[h, 0]), np.int64(table[h, 1]))
            bigger[g, :] = table[h, :]
    return bigger


@njit(cache=True)
def finish_table(table, m):
    """The sorted lists of a filled table: start (per node), value, count, log count and suffix log-sums."""
    start = np.zeros(m + 1, np.int64)
    for h in range(table.shape[0]):
        if table[h, 0] >= 0.0:
            start[np.int64(table[h, 0]) + 1] += 1
    for i in range(m):
        start[i + 1] += start[i]
    n = start[m]
    val = np.empty(n)
    cnt = np.empty(n)
    pos = start[:-1].copy()
    for h in range(table.shape[0]):
        if table[h, 0] >= 0.0:
            node = np.int64(table[h, 0])
            p = pos[node]
            val[p] = table[h, 2]
            cnt[p] = table[h, 3]
            pos[node] += 1
    for i in range(m):
        a, b = start[i], start[i + 1]
        if b - a > 1:
            order = np.argsort(val[a:b], kind="mergesort")
            v = val[a:b][order]
            w = cnt[a:b][order]
            val[a:b] = v
            cnt[a:b] = w
    logc, suf = suffix_sums(start, val, cnt)
    return start, val, cnt, logc, suf


@njit(cache=True)
def suffix_sums(start, val, cnt):
    """The log of each count, and log of the sum of cnt * exp(-val) from each entry to the end of its node's entries (one more slot, -inf).

    Each node's entries are summed from the last one back, scaled by the largest term so far, so a
    small tail keeps its full relative precision whatever comes before it.
    """
    n = val.shape[0]
    suf = _filled(n + 1, -np.inf)
    logc = np.empty(n)
    for i in range(start.shape[0] - 1):
        top = -np.inf
        total = 0.0
        for p in range(start[i + 1] - 1, start[i] - 1, -1):
            logc[p] = math.log(cnt[p])
            x = logc[p] - val[p]
            if x > top:
                total = total * math.exp(top - x) + 1.0
                top = x
            else:
                total += math.exp(x - top)
            suf[p] = top + math.log(total)
    return logc, suf


@njit(cache=True)
def fold_gain(start, suf, gain):
    """Add each node's ``gain`` into the suffix log-sums of a list, in place (the list is not used after the meeting)."""
    for v in range(start.shape[0] - 1):
        if gain[v] > -np.inf:
            for p in range(start[v], start[v + 1]):
                suf[p] = _logaddexp(suf[p], gain[v])


@njit(cache=True)
def linear_weights(start, logw, minus, extra):
    """Per node, ``exp(logw - minus - ref)`` with ``ref`` the node's largest of ``logw - minus`` and ``extra``: for sums without a logarithm per term.

    ``minus`` may be empty (nothing subtracted). Returns the linear weights, ``ref`` per node,
    ``exp(extra - ref)`` per node, and whether the node's weights (and ``extra``) span less than
    e^600, so that none underflows; nodes that do not are summed in logarithms instead.
    """
    m = start.shape[0] - 1
    lin = np.empty(start[m])
    ref = _filled(m, -np.inf)
    end = np.zeros(m)
    ok = np.ones(m, np.bool_)
    sub = minus.shape[0] > 0
    for v in range(m):
        top, low = extra[v], extra[v]
        for p in range(start[v], start[v + 1]):
            w = logw[p] - minus[p] if sub else logw[p]
            lin[p] = w
            if top == -np.inf or w > top:
                top = w
            if low == -np.inf or w < low:
                low = w
        ref[v] = top
        if top == -np.inf:
            continue
        ok[v] = top - low < 600.0
        for p in range(start[v], start[v + 1]):
            lin[p] = math.exp(lin[p] - top)
        if extra[v] > -np.inf:
            end[v] = math.exp(extra[v] - top)
    return lin, ref, end, ok


# --------------------------------------------------------------------------- chi-squared tail (hybrid)


@njit(cache=True)
def chi2_sf(x, df):
    """P(X >= x) for X chi-squared with ``df`` degrees of freedom: the regularised upper incomplete gamma Q(df/2, x/2).

    Series for x/2 < df/2 + 1, Lentz's continued fraction otherwise (Press et al., *Numerical
    Recipes*, 3rd ed., section 6.2).
    """
    if x <= 0.0:
        return 1.0
    a = 0.5 * df
    z = 0.5 * x
    lead = a * math.log(z) - z - math.lgamma(a)
    if z < a + 1.0:
        term = 1.0 / a
        total = term
        ap = a
        for _ in range(100000):
            ap += 1.0
            term *= z / ap
            total += term
            if abs(term) < abs(total) * 1e-17:
                break
        return max(0.0, 1.0 - total * math.exp(lead))
    tiny = 1e-300
    b = z + 1.0 - a
    cc = 1.0 / tiny
    d = 1.0 / b
    h = d
    for i in range(1, 100000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        if abs(d) < tiny:
            d = tiny
        cc = b + an / cc
        if abs(cc) < tiny:
            cc = tiny
        d = 1.0 / d
        delta = d * cc
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return math.exp(lead) * h


# --------------------------------------------------------------------------- one step of either side


@njit(cache=True)
def forward_step(
    mode,
    nodes,
    total,
    lf,
    fact,
    radix,
    slots,
    keys,
    f_start,
    f_val,
    f_cnt,
    f_lc,
    f_suf,
    lo_next,
    hi_next,
    mass_next,
    thr,
    log_k,
    b_start,
    b_val,
    b_suf,
    gain_next,
    chi_ok,
    chi_lg,
    chi_df,
    table,
    max_bytes,
    acc,
    buf_size,
    linear,
):
    """Extend the past values of stage k along every arc of their nodes.

    For each arc (term t, child v) the entries of the parent with ``p + t + lo[v] >= thr`` count with
    all their completions (added in closed form); those with ``p + t + hi[v] < thr`` are dropped;
    the rest are *undecided*. ``mode`` 0 only counts the undecided entries; 1 moves them into
    ``table`` as values of stage k + 1 (merged on the grid), or, if the child's sub-table meets
    Cochran's conditions (``chi_ok``), adds them with the chi-squared approximation (hybrid); 2
    matches them against the future values of the child, the meeting of the two sides: ``b_suf``
    then holds their suffix sums with the child's gain added (:func:`fold_gain`), and ``linear``
    holds :func:`linear_weights` of the past values and of those sums, so that where both nodes
    allow it an arc's matches are summed without a logarithm each. Returns (arcs enumerated,
    undecided entries, entries approximated, status: 0, or 1 if the table and the list it becomes
    would take more than ``max_bytes``) and the table. The table (32 bytes a slot) is filled to at
    most 3/5 and doubled when full.
    """
    f_lin, f_ref, _, f_ok, b_lin, b_ref, b_end, b_ok = linear
    fill = 0
    child = np.empty(buf_size, np.int64)
    term = np.empty(buf_size)
    mult = np.empty(buf_size)
    n_arcs = 0
    moved = 0
    approximated = 0
    for u in range(nodes.shape[0]):
        a0, a1 = f_start[u], f_start[u + 1]
        if a0 == a1:
            continue
        na = arcs_of(nodes[u], total, lf, fact, radix, slots, keys, child, term, mult)
        n_arcs += na
        for q in range(na):
            v = child[q]
            t = term[q]
            i_all = _search(f_val, a0, a1, thr - t - lo_next[v])
            i_drop = i_all
            if hi_next[v] != lo_next[v]:
                i_drop = _search(f_val, a0, i_all, thr - t - hi_next[v])
            moved += i_all - i_drop
            if mode == 0:
                continue
            lm = 0.0 if mult[q] == 1.0 else math.log(mult[q])
            if i_all < a1:
                _add(acc, f_suf[i_all] - t + lm + log_k + mass_next[v])
            if i_drop == i_all:
                continue
            if mode == 2:
                b0, b1 = b_start[v], b_start[v + 1]
                g = gain_next[v]
                j = _search(b_val, b0, b1, thr - f_val[i_drop] - t)
                base = lm + log_k - t
                if f_ok[u] and b_ok[v]:  # linear weights: one logarithm for the arc
                    lin_sum = 0.0
                    for p in range(i_drop, i_all):
                        x = thr - t - f_val[p]
                        while j > b0 and b_val[j - 1] >= x:
                            j -= 1
                        lin_sum += f_lin[p] * (b_lin[j] if j < b1 else b_end[v])
                    if lin_sum > 0.0:
                        _add(acc, base + f_ref[u] + b_ref[v] + math.log(lin_sum))
                    continue
                s_top, s_sum, s_comp = base + f_lc[i_drop] - f_val[i_drop], 0.0, 0.0
                for p in range(i_drop, i_all):  # p rises, so the first counted future value falls
                    x = thr - t - f_val[p]
                    while j > b0 and b_val[j - 1] >= x:
                        j -= 1
                    fut = b_suf[j] if j < b1 else g  # b_suf includes the gain here (see fold_gain)
                    if fut > -np.inf:
                        s_top, s_sum, s_comp = _plus(s_top, s_sum, s_comp, base + f_lc[p] - f_val[p] + fut)
                _flush(acc, s_top, s_sum, s_comp)
            elif chi_ok[v]:
                for p in range(i_drop, i_all):
                    pv = f_val[p] + t
                    pr = chi2_sf(-2.0 * (chi_lg[v] - (thr - pv) - mass_next[v]), chi_df[v])
                    approximated += 1
                    if pr > 0.0:
                        _add(acc, math.log(f_cnt[p] * pr) + lm + log_k - pv + mass_next[v])
            else:
                for p in range(i_drop, i_all):
                    value = f_val[p] + t
                    key = np.int64(math.floor(value * GRID))
                    h = _slot_of(table, v, key)
                    if table[h, 0] >= 0.0:
                        table[h, 3] += f_cnt[p] * mult[q]
                        continue
                    table[h, 0], table[h, 1], table[h, 2], table[h, 3] = v, key, value, f_cnt[p] * mult[q]
                    fill += 1
                    if fill * 5 > table.shape[0] * 3:
                        # growing holds both tables at once; finishing holds the table and the list (32 bytes a value)
                        if 3 * 32 * table.shape[0] > max_bytes:
                            return (n_arcs, moved, approximated, 1), table
                        table = _grow(table)
    return (n_arcs, moved, approximated, 0), table


@njit(cache=True)
def backward_step(
    mode,
    nodes,
    total,
    lf,
    fact,
    radix,
    slots,
    keys,
    b_start,
    b_val,
    b_cnt,
    b_lc,
    b_suf,
    gain_next,
    plo,
    phi,
    thr,
    log_k,
    f_start,
    f_val,
    f_suf,
    meeting,
    max_bytes,
    gain,
    acc,
    buf_size,
    linear,
):
    """Extend the future values of stage k + 1 back along every arc into their nodes, from every node of stage k.

    With the past bounds ``plo``, ``phi`` of the parent u: future values f with ``plo[u] + t + f >=
    thr`` count whatever the past and go into ``gain[u]`` (log of their mass, with the child's own
    ``gain_next`` carried back); those with ``phi[u] + t + f < thr`` are dropped; the rest are
    undecided. ``mode`` 0 counts them; 1 makes them the future values of stage k: all of a parent's
    entries land in that parent, so they are merged in a small hash table of its own (keyed on the
    grid value) and its distinct values are sorted and appended; 2 matches them against the past
    values of u (``f_*``) and then adds ``gain`` against all of them (the meeting; ``linear`` holds
    :func:`linear_weights` of the future values and of the past values' suffix sums, so that where
    both nodes allow it an arc's matches are summed without a logarithm each). Parents that no
    undecided past reaches (``plo`` infinite) are skipped, and with ``meeting`` those without past
    values. Returns (arcs enumerated, undecided entries, 0, status: 0, or 1 if the lists being built
    would take more than ``max_bytes`` with their suffix sums) and, for mode 1, the lists (start,
    value, count).
    """
    m = nodes.shape[0]
    b_lin, b_ref, _, b_ok, f_lin, f_ref, _, f_ok = linear
    child = np.empty(buf_size, np.int64)
    term = np.empty(buf_size)
    mult = np.empty(buf_size)
    start = np.zeros(m + 1, np.int64)
    out_val = np.empty(1024)
    out_cnt = np.empty(1024)
    n_out = 0
    # the parent's own table: grid key (-1 for empty), value, count; slots used, to clear them
    hq = _filled_int(64, -1)
    hv = np.empty(64)
    hc = np.empty(64)
    used = np.empty(64, np.int64)
    n_used = 0
    n_arcs = 0
    moved = 0
    for u in range(m):
        start[u] = n_out
        if plo[u] == np.inf or (meeting and f_start[u] == f_start[u + 1]):
            continue  # no undecided past reaches u: nothing to extend or meet
        na = arcs_of(nodes[u], total, lf, fact, radix, slots, keys, child, term, mult)
        n_arcs += na
        g = -np.inf
        for q in range(na):
            v = child[q]
            c0, c1 = b_start[v], b_start[v + 1]
            if c0 == c1 and gain_next[v] == -np.inf:
                continue
            t = term[q]
            i_all = _search(b_val, c0, c1, thr - t - plo[u])
            i_drop = _search(b_val, c0, i_all, thr - t - phi[u])
            moved += i_all - i_drop
            if mode == 0:
                continue
            lm = 0.0 if mult[q] == 1.0 else math.log(mult[q])
            if i_all < c1:
                g = _logaddexp(g, b_suf[i_all] - t + lm)
            g = _logaddexp(g, gain_next[v] - t + lm)
            if mode == 2:
                d0, d1 = f_start[u], f_start[u + 1]
                j = _search(f_val, d0, d1, thr - b_val[i_drop] - t)
                base = lm + log_k - t
                if b_ok[v] and f_ok[u]:  # linear weights: one logarithm for the arc
                    lin_sum = 0.0
                    for p in range(i_drop, i_all):
                        x = thr - t - b_val[p]
                        while j > d0 and f_val[j - 1] >= x:
                            j -= 1
                        if j < d1:
                            lin_sum += b_lin[p] * f_lin[j]
                    if lin_sum > 0.0:
                        _add(acc, base + b_ref[v] + f_ref[u] + math.log(lin_sum))
                    continue
                s_top, s_sum, s_comp = base + b_lc[i_drop] - b_val[i_drop], 0.0, 0.0
                for p in range(i_drop, i_all):
                    x = thr - t - b_val[p]
                    while j > d0 and f_val[j - 1] >= x:
                        j -= 1
                    if j < d1:
                        s_top, s_sum, s_comp = _plus(s_top, s_sum, s_comp, base + b_lc[p] - b_val[p] + f_suf[j])
                _flush(acc, s_top, s_sum, s_comp)
            else:
                for p in range(i_drop, i_all):
                    value = b_val[p] + t
                    key = np.int64(math.floor(value * GRID))
                    mask = hq.shape[0] - 1
                    h = _hash(key, mask)
                    while hq[h] >= 0 and hq[h] != key:
                        h = (h + 1) & mask
                    if hq[h] >= 0:
                        hc[h] += b_cnt[p] * mult[q]
                        continue
                    hq[h], hv[h], hc[h] = key, value, b_cnt[p] * mult[q]
                    used[n_used] = h
                    n_used += 1
                    if n_used * 5 > hq.shape[0] * 3:  # grow: rehash the used slots into a table twice as large
                        size = 2 * hq.shape[0]
                        if 16 * out_val.shape[0] + 3 * 32 * hq.shape[0] > max_bytes:
                            return (n_arcs, moved, 0, 1), start, out_val[:0], out_cnt[:0]
                        nq = _filled_int(size, -1)
                        nv = np.empty(size)
                        nc = np.empty(size)
                        nu = np.empty(size, np.int64)
                        for i in range(n_used):
                            o = used[i]
                            g2 = _hash(hq[o], size - 1)
                            while nq[g2] >= 0:
                                g2 = (g2 + 1) & (size - 1)
                            nq[g2], nv[g2], nc[g2] = hq[o], hv[o], hc[o]
                            nu[i] = g2
                        hq, hv, hc, used = nq, nv, nc, nu
        if mode != 0:
            gain[u] = g
            if mode == 2 and g > -np.inf:
                _add(acc, g + log_k + f_suf[f_start[u]])
            if mode == 1 and n_used > 0:
                vals = np.empty(n_used)
                for i in range(n_used):
                    vals[i] = hv[used[i]]
                order = np.argsort(vals)
                if n_out + n_used > out_val.shape[0]:
                    size = max(out_val.shape[0] * 3 // 2, n_out + n_used)
                    # while growing, both copies are held (later peaks are smaller: the copy returned, then
                    # the finished list of 32 bytes a value after these buffers are gone)
                    if 16 * (out_val.shape[0] + size) + 32 * hq.shape[0] > max_bytes:
                        return (n_arcs, moved, 0, 1), start, out_val[:0], out_cnt[:0]
                    bigger_v = np.empty(size)
                    bigger_c = np.empty(size)
                    bigger_v[:n_out] = out_val[:n_out]
                    bigger_c[:n_out] = out_cnt[:n_out]
                    out_val, out_cnt = bigger_v, bigger_c
                for i in range(n_used):
                    o = used[order[i]]
                    out_val[n_out] = hv[o]
                    out_cnt[n_out] = hc[o]
                    n_out += 1
                    hq[o] = -1
                n_used = 0
    start[m] = n_out
    return (n_arcs, moved, 0, 0), start, out_val[:n_out].copy(), out_cnt[:n_out].copy()


# --------------------------------------------------------------------------- 2 x c tables in one pass


@njit(cache=True)
def two_by_c(cols, first, lf, thr, log_k, max_work, max_kept, entry_work):
    """The exact p-value of a 2 x c table with column totals ``cols`` and ``first`` cases in row 1, in one pass.

    The network of Mehta & Patel for two rows: node (j, s) = s cases of row 1 placed in the first j
    columns. The smallest and largest value of the rest of a path from each node are found exactly by
    dynamic programming back over the columns (the sub-path extremes that Requena & Martin Ciudad
    2006 obtain by a recurrence); past values are grown column by column, those decided by the bounds
    added in closed form or dropped, the undecided ones merged per node on the grid. Each column's
    undecided entries are counted before they are moved (work: arcs plus ``entry_work`` per entry
    moved). Returns (p-value, work spent, work needed, status): status 1 if the work would exceed
    ``max_work``, 2 if a column would move more than ``max_kept`` entries (the p-value is then
    meaningless and the work needed is counted up to the column refused).
    """
    c = cols.shape[0]
    n = 0
    for j in range(c):
        n += cols[j]
    second = n - first
    done = np.zeros(c + 1, np.int64)  # cases in the first j columns
    for j in range(c):
        done[j + 1] = done[j] + cols[j]
    lo = np.empty((c + 1, first + 1))
    hi = np.empty((c + 1, first + 1))
    lo[:, :] = np.inf
    hi[:, :] = -np.inf
    lo[c, first] = 0.0
    hi[c, first] = 0.0
    work = 0.0
    for j in range(c - 1, -1, -1):
        for s in range(max(0, done[j] - second), min(first, done[j]) + 1):
            a, b = np.inf, -np.inf
            for x in range(max(0, cols[j] - (second - (done[j] - s))), min(cols[j], first - s) + 1):
                g = lf[x] + lf[cols[j] - x]
                if g + lo[j + 1, s + x] < a:
                    a = g + lo[j + 1, s + x]
                if g + hi[j + 1, s + x] > b:
                    b = g + hi[j + 1, s + x]
            lo[j, s] = a
            hi[j, s] = b
            work += cols[j] + 1
    if lo[0, 0] >= thr:
        return 1.0, work, work, 0
    tail = np.zeros(c + 1)  # sum of log C_j! over the columns from j on
    for j in range(c - 1, -1, -1):
        tail[j] = tail[j + 1] + lf[cols[j]]
    acc = np.zeros(3)
    start = np.zeros(first + 2, np.int64)
    for s in range(1, first + 2):
        start[s] = 1
    val = np.zeros(1)
    cnt = np.ones(1)
    suf = np.array([0.0, -np.inf])
    for j in range(c):
        nxt = j + 1
        mass_base = lf[n - done[nxt]] - tail[nxt]
        # count the undecided entries first
        moved = 0
        arcs = 0
        for s in range(first + 1):
            a0, a1 = start[s], start[s + 1]
            if a0 == a1:
                continue
            for x in range(max(0, cols[j] - (second - (done[j] - s))), min(cols[j], first - s) + 1):
                arcs += 1
                v = s + x
                t = lf[x] + lf[cols[j] - x]
                i_all = _search(val, a0, a1, thr - t - lo[nxt, v])
                if hi[nxt, v] != lo[nxt, v]:
                    moved += i_all - _search(val, a0, i_all, thr - t - hi[nxt, v])
        if work + arcs + entry_work * moved > max_work:
            return 0.0, work, work + arcs + entry_work * moved, 1
        if moved > max_kept:
            return 0.0, work, work + arcs + entry_work * moved, 2
        work += arcs + entry_work * moved
        node = np.empty(moved, np.int64)
        nval = np.empty(moved)
        ncnt = np.empty(moved)
        k = 0
        for s in range(first + 1):
            a0, a1 = start[s], start[s + 1]
            if a0 == a1:
                continue
            for x in range(max(0, cols[j] - (second - (done[j] - s))), min(cols[j], first - s) + 1):
                v = s + x
                t = lf[x] + lf[cols[j] - x]
                i_all = _search(val, a0, a1, thr - t - lo[nxt, v])
                if i_all < a1:
                    mass = mass_base - lf[first - v] - lf[second - (done[nxt] - v)]
                    _add(acc, suf[i_all] - t + log_k + mass)
                if hi[nxt, v] == lo[nxt, v]:
                    continue
                for p in range(_search(val, a0, i_all, thr - t - hi[nxt, v]), i_all):
                    node[k] = v
                    nval[k] = val[p] + t
                    ncnt[k] = cnt[p]
                    k += 1
        # group by node (counting sort), sort each node's values, and merge equal grid keys
        per = np.zeros(first + 2, np.int64)
        for i in range(moved):
            per[node[i] + 1] += 1
        for s in range(first + 1):
            per[s + 1] += per[s]
        pos = per[:-1].copy()
        sv = np.empty(moved)
        sc = np.empty(moved)
        sn = np.empty(moved, np.int64)
        for i in range(moved):
            d = pos[node[i]]
            sv[d] = nval[i]
            sc[d] = ncnt[i]
            sn[d] = node[i]
            pos[node[i]] += 1
        for s in range(first + 1):
            a0, a1 = per[s], per[s + 1]
            if a1 - a0 > 1:
                o = np.argsort(sv[a0:a1])
                sv[a0:a1] = sv[a0:a1][o]
                sc[a0:a1] = sc[a0:a1][o]
        start = np.zeros(first + 2, np.int64)
        val = np.empty(moved)
        cnt = np.empty(moved)
        kept = 0
        last_node, last_q = -1, np.int64(-1)
        for i in range(moved):
            q = np.int64(math.floor(sv[i] * GRID))
            if sn[i] == last_node and q == last_q:
                cnt[kept - 1] += sc[i]
                continue
            val[kept] = sv[i]
            cnt[kept] = sc[i]
            start[sn[i] + 1] += 1
            kept += 1
            last_node, last_q = sn[i], q
        if kept > max_kept:
            return 0.0, work, work, 2
        for s in range(first + 1):
            start[s + 1] += start[s]
        val = val[:kept].copy()
        cnt = cnt[:kept].copy()
        suf = suffix_sums(start, val, cnt)[1]
    return min(1.0, math.exp(acc[0]) * (acc[1] + acc[2])), work, work, 0
