"""What the published margins identify about the pairing of two graders, and what they do not, with sampling intervals.

When only the two graders' totals are published, every table with those margins (the *consistent
tables*, :func:`analysis.stats.agreement.consistent_tables`) could be the true pairing. A quantity
is *identified* when it takes the same value on all of them (the gap in the share given the best
grade, the mean score gap), *partly identified* when it has a range (the number of cases graded better, the
kappas), and *not identified* when the range covers everything the measure can say (gamma from
-1 to +1). For the sampling uncertainty, each table's confidence interval treats its cases as a
random sample; the interval reported over the tables is the smallest one containing every
table's interval (the lowest lower limit to the highest upper limit), so it holds whichever table
is the true pairing.

Tables follow :mod:`analysis.stats.agreement` (rows: the force's grade, columns: the inspectors',
best first), any number of grades k. Functions take a stack of tables with shape ``(m, k, k)``, all
with the same margins (:func:`tables_summary`: the same number of cases). Grade names appear only
where the caller passes them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats.agreement import direction_counts
from analysis.stats.ordinal_association import goodman_kruskal_gamma, kendall_tau_b, spearman_rho
from analysis.stats.paired_intervals import kappa_interval, mean_score_gap, paired_proportion_difference
from analysis.stats.proportions import clopper_pearson_lower, proportion_interval

#: The rows of :func:`identified_summary`, in order (the ``quantity`` column of ``identified.csv``).
IDENTIFIED_QUANTITIES: tuple[str, ...] = (
    "n_force_better",
    "share_force_better",
    "n_same",
    "percent_agreement",
    "good_gap",
    "mean_score_gap",
    "goodman_kruskal_gamma",
    "kendall_tau_b",
    "spearman_rho",
    "cohen_kappa",
    "weighted_kappa_linear",
    "weighted_kappa_quadratic",
)

_KAPPAS = {"cohen_kappa": "identity", "weighted_kappa_linear": "linear", "weighted_kappa_quadratic": "quadratic"}
_ORDINAL = {"goodman_kruskal_gamma": goodman_kruskal_gamma, "kendall_tau_b": kendall_tau_b, "spearman_rho": spearman_rho}


def _stack(tables) -> np.ndarray:
    t = np.asarray(tables, dtype=float)
    if t.ndim == 2:
        t = t[None]
    if t.ndim != 3 or t.shape[-1] != t.shape[-2] or len(t) == 0:
        raise ValueError(f"expected a non-empty stack of square tables, shape (m, k, k); got {t.shape}")
    if (t < 0).any():
        raise ValueError("cell counts must be non-negative")
    return t


def _check_same_margins(t: np.ndarray) -> None:
    rows, cols = t.sum(axis=-1), t.sum(axis=-2)
    if not ((rows == rows[0]).all() and (cols == cols[0]).all()):
        raise ValueError("the tables must all have the same margins (they are the tables consistent with one pair of totals)")
    if rows[0].sum() == 0:
        raise ValueError("the tables hold no cases")


def table_intervals(tables, confidence: float = 0.95) -> pd.DataFrame:
    """Every quantity of :data:`IDENTIFIED_QUANTITIES` on each table, with its per-table interval where it has one.

    One row per table, in the order given. Columns: ``n_force_better``, ``share_force_better``;
    ``good_gap`` with ``good_gap_low``/``_high`` (paired Wald,
    :func:`analysis.stats.paired_intervals.paired_proportion_difference`); ``mean_score_gap`` with
    ``_low``/``_high`` (paired t, :func:`~analysis.stats.paired_intervals.mean_score_gap`); the
    three ordinal measures (:mod:`analysis.stats.ordinal_association`); each kappa with ``_se``,
    ``_low``, ``_high`` (:func:`~analysis.stats.paired_intervals.kappa_interval`). Intervals are
    two-sided at ``confidence``.
    """
    t = _stack(tables)
    n = t.sum(axis=(-2, -1))
    better, _, _ = direction_counts(t)
    better = np.atleast_1d(better)
    out = pd.DataFrame({"n_force_better": better.astype(np.int64) if np.array_equal(better, np.rint(better)) else better})
    out["share_force_better"] = better / n
    same = np.trace(t, axis1=-2, axis2=-1)
    out["n_same"] = same.astype(np.int64) if np.array_equal(same, np.rint(same)) else same
    out["percent_agreement"] = same / n
    gap = paired_proportion_difference(t, 0, confidence)
    out["good_gap"], out["good_gap_low"], out["good_gap_high"] = (np.atleast_1d(v) for v in (gap.estimate, gap.low, gap.high))
    msg = mean_score_gap(t, confidence)
    out["mean_score_gap"], out["mean_score_gap_low"], out["mean_score_gap_high"] = (
        np.atleast_1d(v) for v in (msg.estimate, msg.low, msg.high)
    )
    for name, f in _ORDINAL.items():
        out[name] = np.atleast_1d(f(t))
    for name, weights in _KAPPAS.items():
        res = kappa_interval(t, weights, confidence)
        out[name] = np.atleast_1d(res.estimate)
        out[f"{name}_se"] = np.atleast_1d(res.se)
        out[f"{name}_low"] = np.atleast_1d(res.low)
        out[f"{name}_high"] = np.atleast_1d(res.high)
    return out


#: ``method`` of ``percent_agreement`` (``{pct}``: the confidence, e.g. "95%").
AGREEMENT_METHOD = (
    "those counts over n (observed agreement); span of two-sided {pct} Clopper-Pearson intervals over the tables: "
    "lower end at the fewest, upper end at the most"
)


def agreement_interval(fewest: float, most: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """The span of the two-sided exact (Clopper-Pearson) intervals of the share graded the same, over tables with ``fewest`` to ``most`` such cases.

    Each end of the interval increases with the count, so the span runs from the lower end at the
    fewest to the upper end at the most. Reference: Clopper and Pearson, *Biometrika* 26, 1934.
    """
    low = proportion_interval(fewest, n, "exact", 1 - confidence)[0]
    high = proportion_interval(most, n, "exact", 1 - confidence)[1]
    return float(low), float(high)


def score_text(k: int, labels: Sequence[str] | None = None) -> str:
    """How the grade scores of a k-point scale are described in ``method`` texts: best ``k`` down to worst ``1``.

    With ``labels`` (grade names, best first) each grade is named with its score, a name of several
    words by its initials, e.g. ``"good 3, RI 2, inadequate 1"``; without, ``"best grade 3 down to
    worst grade 1"``.
    """
    if labels is not None:
        if len(labels) != k:
            raise ValueError(f"{len(labels)} grade labels given for a scale of {k} grades")
        short = [str(g) if len(str(g).split()) == 1 else "".join(w[0].upper() for w in str(g).split()) for g in labels]
        return ", ".join(f"{label} {k - i}" for i, label in enumerate(short))
    return f"best grade {k} down to worst grade 1"


def best_grade_text(labels: Sequence[str] | None = None) -> str:
    """The best grade as ``method`` texts name it: its label (``labels[0]``), or ``"in the best grade"`` without labels."""
    return str(labels[0]) if labels is not None else "in the best grade"


#: Why a quantity can be undefined on a table (the ``method`` text when it is undefined on every consistent table).
UNDEFINED_BECAUSE: dict[str, str] = {
    "n_force_better": "no cases",
    "share_force_better": "no cases",
    "n_same": "no cases",
    "percent_agreement": "no cases",
    "good_gap": "no cases",
    "mean_score_gap": "fewer than two cases",
    "goodman_kruskal_gamma": "no pair of cases is separated by both graders",
    "kendall_tau_b": "a grader put every case in one grade",
    "spearman_rho": "a grader put every case in one grade",
    "cohen_kappa": "both graders put every case in the same grade",
    "weighted_kappa_linear": "both graders put every case in the same grade",
    "weighted_kappa_quadratic": "both graders put every case in the same grade",
}


def undefined_text(quantity: str) -> str:
    """The ``method`` text of a quantity undefined on every consistent table, with the reason."""
    return f"undefined on every consistent table ({UNDEFINED_BECAUSE[quantity]}); no range"


def identified_summary(tables, confidence: float = 0.95, *, labels: Sequence[str] | None = None, scores: str | None = None) -> pd.DataFrame:
    """One row per quantity of :data:`IDENTIFIED_QUANTITIES`: its range over the consistent tables and its sampling interval.

    ``tables`` is the stack of tables consistent with one pair of margins (e.g.
    ``tables_of(agreement_bounds(rows, cols)[1])``); they must all share those margins. Columns
    ``quantity, low, high, ci_low, ci_high, method`` (NaN where a value does not apply), as in
    ``identified.csv``:

    - ``n_force_better``: fewest and most cases the force graded better than the inspectors;
    - ``share_force_better``: those counts over n; ``ci_low`` is the one-sided Clopper-Pearson
      lower bound at ``confidence`` for the fewest
      (:func:`analysis.stats.proportions.clopper_pearson_lower`), which holds on every table;
    - ``n_same`` and ``percent_agreement``: fewest and most cases graded the same, and those over n,
      with the span of the two-sided Clopper-Pearson intervals (:func:`agreement_interval`);
    - ``good_gap`` (share in the best grade) and ``mean_score_gap``: the same on every table
      (``low = high``); ``ci_low`` and ``ci_high`` span every table's paired Wald (resp. paired t)
      interval;
    - the ordinal measures: range only, no interval;
    - the three kappas: range (as in ``agreement_bounds.csv``), and an interval spanning every
      table's ``estimate +/- z * se`` with the Fleiss, Cohen and Everitt (1969) standard error.

    Any number of grades k. The ``method`` texts name the best grade by ``labels[0]`` and describe
    the scores by ``scores`` (default :func:`score_text`); without ``labels`` they say "in the best
    grade". A quantity undefined on every table has NaN low and high, and ``method`` says so.

    "Spanning" means from the smallest lower limit to the largest upper limit over the tables
    (the union of the per-table intervals when they overlap, its hull otherwise). It contains the
    interval of whichever table is the true pairing, so it covers the true value with at least that
    interval's (approximate) confidence; it is conservative. References: see each function named
    above; on partial identification, Manski, *Partial Identification of Probability
    Distributions*, 2003, and Imbens and Manski, "Confidence intervals for partially identified
    parameters", Econometrica 72, 2004 (which gives sharper, less conservative intervals).
    """
    t = _stack(tables)
    _check_same_margins(t)
    return tables_summary(t, confidence, labels=labels, scores=scores)


def tables_summary(tables, confidence: float = 0.95, *, labels: Sequence[str] | None = None, scores: str | None = None) -> pd.DataFrame:
    """:func:`identified_summary` over any stack of tables with the same number of cases (their margins may differ).

    For a set of possible margins (:func:`analysis.stats.pair_bounds.pair_bounds` lists the tables of
    every pair of margins and passes them all here): each range and interval is then taken over
    every table of every pair. The Clopper-Pearson bound at the fewest cases graded better still
    holds on every table, as n is the same for all.
    """
    t = _stack(tables)
    n_all = t.sum(axis=(-2, -1))
    if not (n_all == n_all[0]).all():
        raise ValueError("the tables must all hold the same number of cases")
    if n_all[0] == 0:
        raise ValueError("the tables hold no cases")
    k = t.shape[-1]
    scores = score_text(k, labels) if scores is None else scores
    best = best_grade_text(labels)
    per = table_intervals(t, confidence)
    n = float(n_all[0])
    pct = f"{100 * confidence:g}%"
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    records = []

    def add(quantity, low, high, ci_low=np.nan, ci_high=np.nan, method=""):
        if np.isnan(low) and np.isnan(high):
            ci_low, ci_high, method = np.nan, np.nan, undefined_text(quantity)
        records.append(
            {
                "quantity": quantity,
                "low": float(low),
                "high": float(high),
                "ci_low": float(ci_low),
                "ci_high": float(ci_high),
                "method": method,
            }
        )

    b, same = per["n_force_better"], per["n_same"]
    add("n_force_better", b.min(), b.max(), method="fewest and most cases the force graded better, over the consistent tables")
    add(
        "share_force_better",
        b.min() / n,
        b.max() / n,
        ci_low=clopper_pearson_lower(b.min(), n, confidence),
        method=f"those counts over n; ci_low: one-sided {pct} Clopper-Pearson lower bound at the fewest",
    )
    add("n_same", same.min(), same.max(), method="fewest and most cases graded the same by both, over the consistent tables")
    add(
        "percent_agreement",
        same.min() / n,
        same.max() / n,
        *agreement_interval(same.min(), same.max(), n, confidence),
        method=AGREEMENT_METHOD.format(pct=pct),
    )
    add(
        "good_gap",
        per["good_gap"].min(),
        per["good_gap"].max(),
        per["good_gap_low"].min(),
        per["good_gap_high"].max(),
        f"force share {best} minus inspectors' share {best}, same cases; span of paired Wald {pct} intervals over the tables",
    )
    add(
        "mean_score_gap",
        per["mean_score_gap"].min(),
        per["mean_score_gap"].max(),
        per["mean_score_gap_low"].min(),
        per["mean_score_gap_high"].max(),
        f"mean of force minus inspectors' score ({scores}); span of paired t {pct} intervals over the tables",
    )
    for name in _ORDINAL:
        add(name, per[name].min(), per[name].max(), method="range over the consistent tables; no interval")
    for name in _KAPPAS:
        add(
            name,
            per[name].min(),
            per[name].max(),
            per[f"{name}_low"].min(),
            per[f"{name}_high"].max(),
            f"range over the consistent tables; span of estimate +/- {z:.2f} SE (Fleiss, Cohen and Everitt 1969) {pct} intervals",
        )
    return pd.DataFrame.from_records(records, columns=["quantity", "low", "high", "ci_low", "ci_high", "method"])


def one_grade_kinder_table(col_sums) -> np.ndarray:
    """The table in which the force gives every case the inspectors' grade moved one step kinder (the best grade stays best).

    ``T[max(j - 1, 0), j] = col_sums[j]`` and every other cell 0 (categories best first). It ranks
    the cases exactly as the inspectors do (no discordant pair, gamma = 1 when defined) and is one
    of the consistent tables only if its row sums equal the force's totals.
    """
    cols = np.asarray(col_sums)
    k = cols.size
    t = np.zeros((k, k), dtype=cols.dtype if np.issubdtype(cols.dtype, np.integer) else float)
    for j in range(k):
        t[max(j - 1, 0), j] = cols[j]
    return t


def same_ranking_kinder(tables, strict: bool = True) -> np.ndarray:
    """Which tables are "same ranking, one grade kinder": a boolean per table of the stack.

    A table qualifies when (1) the force graded no case worse than the inspectors (``T[i, j] = 0``
    for ``i > j``), (2) no case more than one grade better (``T[i, j] = 0`` for ``j - i >= 2``),
    and (3) the two graders order every pair of cases the same way where both separate them, with
    at least one such pair: Goodman and Kruskal's gamma is exactly 1 (no discordant pair, and at
    least one concordant pair). With categories best first, (1) and (2) already rule out
    discordant pairs, so (3) adds only that the table is not all ties.

    With ``strict=True`` (default) it must also (4) move *every* case one grade kinder unless the
    inspectors already graded it best (``T[j, j] = 0`` for ``j >= 1``): the table is then exactly
    :func:`one_grade_kinder_table` of its column sums, so at most one table of a consistent set
    qualifies. With ``strict=False`` tables in which some cases keep their grade also qualify.
    """
    t = _stack(tables)
    k = t.shape[-1]
    i, j = np.indices((k, k))
    never_worse = (t[..., i > j] == 0).all(axis=-1)
    at_most_one = (t[..., (j - i) >= 2] == 0).all(axis=-1)
    perfect = np.atleast_1d(goodman_kruskal_gamma(t)) == 1.0
    ok = never_worse & at_most_one & perfect
    if strict:
        ok &= (t[..., (i == j) & (i >= 1)] == 0).all(axis=-1)
    return ok


def imbens_manski_interval(low: float, high: float, se_low: float, se_high: float, confidence: float = 0.95) -> tuple[float, float]:
    """Imbens and Manski's confidence interval for a partially identified parameter with identified set ``[low, high]``.

    ``low`` and ``high`` are the estimated ends of the identified set and ``se_low``, ``se_high``
    their standard errors. The interval is ``[low - C se_low, high + C se_high]`` with ``C`` solving
    ``Phi(C + (high - low) / max(se_low, se_high)) - Phi(-C) = confidence``: ``C`` is the two-sided
    normal quantile when the set is a single value and falls to the one-sided quantile as the set
    widens, so it covers the *parameter* (not the whole set) with the stated confidence and is
    shorter than the union of the two ends' two-sided intervals.

    Reference: G. W. Imbens and C. F. Manski, "Confidence intervals for partially identified
    parameters", *Econometrica* 72 (2004), 1845-1857, section 4; J. Stoye, *Econometrica* 77 (2009),
    1299-1315 (on the superefficient case).
    """
    if high < low:
        raise ValueError(f"the identified set's upper end {high!r} is below its lower end {low!r}")
    scale = max(se_low, se_high)
    if not scale > 0:
        return float(low), float(high)
    width = (high - low) / scale
    from scipy.optimize import brentq

    c = brentq(lambda x: stats.norm.cdf(x + width) - stats.norm.cdf(-x) - confidence, 0.0, 10.0, xtol=1e-14)
    return float(low - c * se_low), float(high + c * se_high)


def best_gap_rows(
    force_best: int, inspectors_best: int, n: int, both_best, confidence: float = 0.95, best: str = "in the best grade"
) -> pd.DataFrame:
    """The gap in the share given the best grade with Newcombe's score interval and with Imbens and Manski's: two rows of ``identified.csv``.

    The gap ``(force_best - inspectors_best) / n`` is the same under every pairing; its sampling
    interval depends on the pairing only through ``both_best``, the number of cases both graders
    gave the best grade (an array of the values the consistent tables allow). ``good_gap_newcombe``
    spans Newcombe's paired score interval (:func:`analysis.stats.paired_intervals.newcombe_paired_difference`)
    over those values; ``good_gap_imbens_manski`` is :func:`imbens_manski_interval` for the
    identified set (a single value), with the largest paired Wald standard error over them, so it
    holds whichever pairing is true.
    """
    from analysis.stats.paired_intervals import newcombe_paired_difference

    a = np.unique(np.asarray(both_best, dtype=float))
    b, c = force_best - a, inspectors_best - a
    d = n - force_best - inspectors_best + a
    if a.size == 0 or (np.minimum.reduce([a, b, c, d]) < 0).any():
        raise ValueError("every number of cases graded best by both must fit the totals")
    gap = (force_best - inspectors_best) / n
    score = newcombe_paired_difference(a, b, c, d, confidence)
    se = float(np.max(np.sqrt(np.maximum((b + c) / n - gap**2, 0.0) / n)))
    im_low, im_high = imbens_manski_interval(gap, gap, se, se, confidence)
    pct = f"{100 * confidence:g}%"
    what = f"force share {best} minus inspectors' share {best}, same cases"
    return pd.DataFrame(
        [
            {
                "quantity": "good_gap_newcombe",
                "low": gap,
                "high": gap,
                "ci_low": float(np.min(score.low)),
                "ci_high": float(np.max(score.high)),
                "method": f"{what}; union over the consistent tables of Newcombe's paired score {pct} intervals (Newcombe 1998, method 10)",
            },
            {
                "quantity": "good_gap_imbens_manski",
                "low": gap,
                "high": gap,
                "ci_low": im_low,
                "ci_high": im_high,
                "method": f"{what}; Imbens-Manski {pct} interval for the identified set (a single value), "
                "with the largest paired Wald standard error over the consistent tables",
            },
        ]
    )
