"""Self-assessment against inspection: the force's grades of the cases it selected beside the inspectors' grades of the same cases.

The report publishes only each side's grade totals, so what describes these cases is a range over
all case-by-case pairings consistent with those totals (:func:`analysis.stats.agreement.agreement_bounds`).
Some quantities are the same under every pairing (*identified*): the fewest cases the force graded
better, the gap in the share graded good, the mean grade-score gap. Statements that reach beyond
these cases, to the force's grading in general, treat them as a random sample (as the report says
they were) and use the union of the per-pairing 95% intervals (:mod:`analysis.stats.identification`).
This module is the one home of every sentence on the subject; notebooks and pages show them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.data.load import AuditData
from analysis.data.publish import Stage, TableSpec
from analysis.grades import grade_scores
from analysis.stats.agreement import (
    COUNTS,
    KRIPPENDORFF_THRESHOLDS,
    LANDIS_KOCH_MEASURES,
    MEASURE_LABELS,
    P_VALUES,
    agreement_bounds,
    cell_columns,
    landis_koch_band,
    table_measures,
    tables_of,
)
from analysis.stats.identification import IDENTIFIED_QUANTITIES, best_gap_rows, identified_summary, same_ranking_kinder
from analysis.stats.ordinal_association import goodman_kruskal_gamma
from analysis.stats.pair_bounds import LISTING_LIMIT, count_tables, pair_bounds
from analysis.stats.probit_shift import probit_shift
from analysis.stats.sign_test_fragility import sign_test_fragility, sign_test_max_p
from analysis.text import fixed, fraction_at_least, number_word, signed
from analysis.words import band_span, restates

#: Significance level used in the plain-language verdicts on the tests.
SIGNIFICANCE = 0.05


def _p(p: float) -> str:
    return f"{p:.2g}" if p >= 0.001 else "below 0.001"


def verdict(measure: str, lo: float, hi: float, n: int, interval: tuple[float, float] | None = None) -> str:
    """A plain-language statement about ``measure`` that is true for every value in ``[lo, hi]`` (these ``n`` cases, every pairing).

    Each coefficient is read on its own scale: Landis and Koch's bands only for Cohen's kappa and
    its weighted forms (:data:`LANDIS_KOCH_MEASURES`); Krippendorff's alpha against his thresholds
    (:data:`KRIPPENDORFF_THRESHOLDS`); Gwet's AC1 and AC2 as numbers, with no borrowed scale. Where
    ``interval`` (the union of the per-pairing 95% intervals) is given, the statement also says
    what holds beyond these cases. p-values: below :data:`SIGNIFICANCE` under every pairing, under
    none, or depending on the pairing. Counts: the least and most cases.
    """
    if np.isnan(lo) or np.isnan(hi):
        return "Undefined for every consistent pairing."
    if measure == "observed_agreement":
        return f"For these {n} cases, the two gradings agree on between {round(lo * n)} and {round(hi * n)} ({lo:.0%} to {hi:.0%}), depending on the pairing."
    if measure in LANDIS_KOCH_MEASURES:
        b_lo, b_hi = landis_koch_band(lo), landis_koch_band(hi)
        text = (
            f"For these {n} cases, '{b_lo}' on the Landis and Koch scale under every pairing ({signed(lo)} to {signed(hi)})."
            if b_lo == b_hi
            else f"For these {n} cases, from '{b_lo}' to '{b_hi}' on the Landis and Koch scale ({signed(lo)} to {signed(hi)}), depending on the pairing."
        )
        if interval is not None:
            span = band_span(landis_koch_band(interval[0]), landis_koch_band(interval[1]))
            text += (
                f" Allowing for sampling error (95% intervals, the cases taken as the random sample the report says they were), agreement "
                f"between the force's and the inspectors' grading of the force's cases in general could lie anywhere from {signed(interval[0])} "
                f"to {signed(interval[1])}: {span} on that scale."
            )
        return text
    if measure == "krippendorff_alpha_ordinal":
        low_t, high_t = KRIPPENDORFF_THRESHOLDS
        where = "below" if hi < low_t else ("between" if hi < high_t else "at or above")
        limit = f"{low_t:g}" if where == "below" else (f"{low_t:g} and {high_t:g}" if where == "between" else f"{high_t:g}")
        return f"For these {n} cases, {signed(lo)} to {signed(hi)}: {where} {limit} under every pairing (Krippendorff's thresholds for data to be relied on)."
    if measure in ("gwet_ac1", "gwet_ac2_linear"):
        return f"For these {n} cases, {signed(lo)} to {signed(hi)}, depending on the pairing (no conventional scale is applied)."
    if measure == "n_force_better":
        return f"Under every pairing the force graded at least {lo:.0f} of the {n} cases better than HMICFRS did (and at most {hi:.0f})."
    if measure == "n_force_worse":
        return f"Under every pairing the force graded at most {hi:.0f} of the {n} cases worse than HMICFRS did (and at least {lo:.0f})."
    if measure == "n_same":
        return (
            f"Under every pairing the force and HMICFRS gave the same grade to at most {hi:.0f} of the {n} cases (and at least {lo:.0f})."
        )
    if measure in P_VALUES:
        if hi < SIGNIFICANCE:
            return f"p < {SIGNIFICANCE} under every pairing (largest p: {_p(hi)})."
        if lo >= SIGNIFICANCE:
            return f"p is at least {SIGNIFICANCE} under every pairing (smallest p: {_p(lo)})."
        return f"Depends on the unknown pairing: p ranges from {_p(lo)} to {_p(hi)}, so no verdict holds for every pairing."
    raise KeyError(f"unknown measure {measure!r}")


def published_margins(data: AuditData) -> tuple[np.ndarray, np.ndarray]:
    """Row (force) and column (inspectors) grade totals of the force-selected cases, best first, when the figures pin both.

    Raises ``ValueError`` if the figures give no self-assessment or leave either total open
    (then :func:`margin_sets` gives every total they allow).
    """
    force, insp = data.counts("force_selected", "force"), data.counts("force_selected", "inspectorate")
    if force is None or insp is None:
        raise ValueError("the figures do not pin both gradings of the force-selected cases")
    return force.astype(np.int64), insp.astype(np.int64)


def margin_sets(data: AuditData) -> tuple[np.ndarray, np.ndarray]:
    """Every force total and every inspectors' total of the force-selected cases that the figures allow, shape ``(m, k)`` each.

    Any pair of them is possible (the figures constrain the two gradings separately). Raises
    :class:`analysis.stats.consistent_set.TooManyVectors` when the figures allow too many to list.
    """
    system = data.figure_set.system
    force, insp = data.figure_set.pair
    return system.vectors(force), system.vectors(insp)


def format_value(measure: str, value: float, n: int | None = None) -> str:
    """A measure's value as text: whole numbers for counts, "k of n (p%)" for observed agreement (a bare
    percentage if ``n`` is not given), two significant figures for p-values ("below 0.001" when tiny),
    two decimals otherwise."""
    if np.isnan(value):
        return "undefined"
    if measure in COUNTS:
        return f"{value:.0f}"
    if measure == "observed_agreement":
        return f"{value:.0%}" if n is None else f"{round(value * n)} of {n} ({value:.0%})"
    if measure in P_VALUES:
        return _p(value)
    return f"{value:.2f}"


def summary_table(bounds: pd.DataFrame, n: int | None = None) -> pd.DataFrame:
    """Reader-facing version of ``agreement_bounds.csv``: one row per measure (by its label), values as text.

    Columns: smallest and largest value over the consistent pairings, the values on the two
    reference tables, and the statement that holds under every consistent pairing. ``n`` (the
    number of cases) lets shares be shown with their counts (:func:`format_value`).
    """
    rows = []
    for r in bounds.itertuples(index=False):
        rows.append(
            {
                "Measure": MEASURE_LABELS[r.measure],
                "Smallest": format_value(r.measure, r.min, n),
                "Largest": format_value(r.measure, r.max, n),
                "Closest to independence": format_value(r.measure, r.independence, n),
                "Most cases graded the same": format_value(r.measure, r.max_agreement, n),
                "What the totals support": r.verdict,
            }
        )
    return pd.DataFrame(rows).set_index("Measure")


def _row(identified: pd.DataFrame, quantity: str) -> pd.Series:
    return identified.set_index("quantity").loc[quantity]


#: The good gap's intervals of ``identified.csv`` that hold whatever the pairing, with how a sentence names each.
GAP_INTERVALS: dict[str, str] = {
    "good_gap_newcombe": "Newcombe's score interval, widest over the pairings",
    "good_gap_imbens_manski": "Imbens and Manski's interval, at the least favourable pairing",
}


def sharper_gap(identified: pd.DataFrame) -> tuple[pd.Series, str]:
    """The narrower of the good gap's two valid intervals in ``identified.csv`` (:data:`GAP_INTERVALS`), and its name in words.

    Both hold whichever pairing is true; the narrower is the sharper statement (ties go to the first).
    Where the figures leave the totals open the two are not computed, and the span of the paired
    Wald intervals (``good_gap``) is used.
    """
    by_q = identified.set_index("quantity")
    rows = [(by_q.loc[q], words) for q, words in GAP_INTERVALS.items() if q in by_q.index]
    if not rows:
        return by_q.loc["good_gap"], "the paired Wald interval, widest over the pairings"
    return min(rows, key=lambda r: float(r[0]["ci_high"] - r[0]["ci_low"]))


def identified_facts(identified: pd.DataFrame, n: int, grades: Sequence[str]) -> list[str]:
    """What the published totals settle whatever the pairing, each with its 95% interval (from ``identified.csv``).

    Intervals treat the ``n`` cases as a random sample of the force's cases, as the report says they
    were; the gaps in the share graded in the best grade and in the mean grade score are the same
    under every pairing, and their intervals span every pairing's (Agresti's paired Wald; the
    paired t). ``grades`` is the scale, best first.
    """
    better = _row(identified, "n_force_better")
    share = _row(identified, "share_force_better")
    good, how = sharper_gap(identified)
    score = _row(identified, "mean_score_gap")
    best = grades[0]
    scale = ", ".join(f"{g} = {s}" for g, s in grade_scores(grades).items())
    return [
        f"Whatever the pairing, the force graded at least {better['low']:.0f} of the {n} cases better than the inspectors did. "
        f"Taking them as the random sample the report says they were, at least {fraction_at_least(share['ci_low'])} of the force's cases "
        f"would be graded better by the force than by the inspectors, with 95% confidence.",
        f"The force graded {good['low'] * n:.0f} more of the same cases {best} than the inspectors did, whatever the pairing. "
        f"The gap in the share graded {best} is {100 * good['low']:.0f} percentage points; for the force's cases in general it lies between "
        f"{100 * good['ci_low']:.0f} and {100 * good['ci_high']:.0f} percentage points, with 95% confidence ({how}).",
        f"On a scale of {scale}, the force's grades were on average {fixed(score['low'], 2)} points higher, whatever the pairing "
        f"(for the force's cases in general, between {fixed(score['ci_low'], 2)} and {fixed(score['ci_high'], 2)} points, with 95% confidence).",
    ]


def kinder_kappa(tables: pd.DataFrame) -> float | None:
    """Cohen's kappa on the "same ranking, one grade kinder" pairing, if it fits the totals (``consistent_tables.csv``), else ``None``."""
    cells = [c for c in tables.columns if c.startswith("force_") and "__hmicfrs_" in c]
    k = int(round(np.sqrt(len(cells))))
    kinder = np.flatnonzero(same_ranking_kinder(tables[cells].to_numpy().reshape(len(tables), k, k)))
    return float(tables["cohen_kappa"].iloc[kinder[0]]) if len(kinder) else None


def not_identified(identified: pd.DataFrame, bounds: pd.DataFrame, n: int, kinder: float | None = None) -> list[str]:
    """What the totals cannot settle: whether the two rank the cases alike, and how far they agree case by case.

    ``kinder`` is Cohen's kappa on the "same ranking, one grade kinder" pairing (:func:`kinder_kappa`),
    which decides how far a low kappa restates the leniency (:func:`analysis.words.restates`).
    """
    gamma = _row(identified, "goodman_kruskal_gamma")
    b = bounds.set_index("measure")
    kappa = _row(identified, "cohen_kappa")
    quad = _row(identified, "weighted_kappa_quadratic")
    out = [
        f"Whether the force ranked the cases as the inspectors did is not known: over the pairings that fit the totals, "
        f"Goodman and Kruskal's gamma runs from {signed(gamma['low'])} (opposite rankings) to {signed(gamma['high'])} (the same ranking).",
        f"The same grade was given to between {b.loc['n_same', 'min']:.0f} and {b.loc['n_same', 'max']:.0f} of the {n} cases. "
        f"Cohen's kappa lies between {signed(kappa['low'])} and {signed(kappa['high'])} for these cases; allowing for sampling error it could be "
        f"as high as {signed(kappa['ci_high'])} ('{landis_koch_band(kappa['ci_high'])}' on the Landis and Koch scale, a technical label, not praise), "
        f"and quadratic-weighted kappa as high as {signed(quad['ci_high'])} ('{landis_koch_band(quad['ci_high'])}').",
    ]
    how = restates(kinder)
    if how is not None:
        out.append(
            f"A low kappa here {how} the leniency: the totals fit a force that ranks the cases exactly as the inspectors do "
            f"but grades them one step kinder, and that pairing gives a kappa of {signed(kinder)}."
        )
    return out


def plain_reading(bounds: pd.DataFrame, identified: pd.DataFrame, n: int, grades: Sequence[str], kinder: float | None = None) -> list[str]:
    """Short plain-English statements for a general reader, identified facts first, then what the totals cannot settle, then the tests.

    Built from ``agreement_bounds.csv`` and ``identified.csv``. Each statement holds under every
    pairing consistent with the totals; those about the force's grading in general also hold over
    the union of the per-pairing 95% intervals.
    """
    b = bounds.set_index("measure")
    n_tables = int(b["n_tables"].iloc[0])
    out = [
        f"The report does not say which of the force's grades went with which of the inspectors' grades. {n_tables} ways of matching them "
        "case by case fit the published totals (each is a 'consistent pairing'); every statement below holds for all of them.",
        *identified_facts(identified, n, grades),
        *not_identified(identified, bounds, n, kinder),
    ]
    p_max = b.loc[list(P_VALUES), "max"]
    p_min = b.loc[list(P_VALUES), "min"]
    if (p_max < SIGNIFICANCE).all():
        out.append(
            f"If the force and the inspectors had been grading to the same standard, a gap this one-sided would be very unlikely: "
            f"each of the {len(P_VALUES)} tests gives p below {SIGNIFICANCE} under every pairing "
            f"(the largest p-value under any pairing is {_p(float(p_max.max()))}, Bowker's test with all pairs counted in its degrees of freedom)."
            if p_max.idxmax() == "bowker_p_all_pairs"
            else f"If the force and the inspectors had been grading to the same standard, a gap this one-sided would be very unlikely: "
            f"each of the {len(P_VALUES)} tests gives p below {SIGNIFICANCE} under every pairing "
            f"(the largest p-value under any pairing is {_p(float(p_max.max()))})."
        )
    elif (p_min >= SIGNIFICANCE).all():
        out.append(f"None of the {len(P_VALUES)} tests finds a difference at the {SIGNIFICANCE} level under any pairing.")
    else:
        out.append("Whether the tests find a significant difference depends on the unknown pairing, so no verdict is given.")
    return out


def contrast_tables(tables: pd.DataFrame) -> dict[str, np.ndarray]:
    """The 'same ranking, one grade kinder' table(s) and the least-agreeing table, by name (k x k arrays of cases).

    ``tables`` is ``consistent_tables.csv``. The kinder table is the one on which the force ranks
    the cases exactly as the inspectors do (gamma = 1) but grades every case not graded good by
    the inspectors one step better (:func:`analysis.stats.identification.same_ranking_kinder`); the
    least-agreeing table has the fewest cases graded the same (first in enumeration order).
    """
    stack = tables_of(tables)
    kinder = np.flatnonzero(same_ranking_kinder(stack))
    least = int(np.argmin(tables["n_same"].to_numpy()))
    out = {f"Same ranking, one grade kinder (table {int(tables['table_id'].iloc[i])})": stack[i] for i in kinder}
    out[f"Fewest cases graded the same (table {int(tables['table_id'].iloc[least])})"] = stack[least]
    return out


def contrast_measures(contrast: dict[str, np.ndarray]) -> pd.DataFrame:
    """Each agreement measure and gamma on the :func:`contrast_tables`: one row per measure, one column per table."""
    names = list(contrast)
    stack = np.stack([contrast[k] for k in names])
    values = table_measures(stack)
    rows = {
        MEASURE_LABELS[m]: values[m].to_numpy() for m in ("n_same", "n_force_better", *LANDIS_KOCH_MEASURES, "krippendorff_alpha_ordinal")
    }
    rows = {"Goodman and Kruskal's gamma": np.atleast_1d(goodman_kruskal_gamma(stack)), **rows}
    return pd.DataFrame(rows, index=names).T.rename_axis("Measure")


def headline(sample_grades: pd.DataFrame, identified: pd.DataFrame, grades: Sequence[str]) -> str:
    """The home page's sentences on self-assessment against inspection (from ``sample_grades.csv`` and ``identified.csv``; ``grades`` best first).

    Each sentence gives each number one meaning; intervals are said in words ("between 21 and 72
    percentage points, with 95% confidence"), and the lower bound on the share graded better as a
    simple fraction it exceeds.
    """
    best = grades[0]
    fs = sample_grades[sample_grades["sample"] == "force_selected"]
    force = fs[fs["assessor"] == "force"].set_index("grade")["n"]
    insp = fs[fs["assessor"] == "hmicfrs"].set_index("grade")["n"]
    n = int(force.sum())
    better = _row(identified, "n_force_better")
    share = _row(identified, "share_force_better")
    good, how = sharper_gap(identified)
    return (
        f"Of the {n} cases the force selected, its own assessors graded {int(force[best])} {best}; the inspectors graded "
        f"{int(insp[best])} of the same cases {best}. The report does not say which grade went with which case, but under every "
        f"pairing that fits its totals the force graded at least {better['low']:.0f} of the {n} cases better than the inspectors did. "
        f"The share graded {best} was {100 * good['low']:.0f} percentage points higher in the force's own grading; for the force's cases "
        f"in general the gap lies between {100 * good['ci_low']:.0f} and {100 * good['ci_high']:.0f} percentage points, with 95% confidence ({how}). "
        f"Taking the cases as the random sample the report says they were, at least {fraction_at_least(share['ci_low'])} of the force's "
        "cases would be graded more kindly by the force than by the inspectors, with 95% confidence."
    )


_MEASURE_DOCS: dict[str, str] = {
    "observed_agreement": "Share of cases given the same grade by the force and HMICFRS.",
    "cohen_kappa": "Cohen's kappa (NaN when chance agreement is 1).",
    "weighted_kappa_linear": "Cohen's weighted kappa with linear weights.",
    "weighted_kappa_quadratic": "Cohen's weighted kappa with quadratic weights.",
    "gwet_ac1": "Gwet's AC1 ({k} categories).",
    "gwet_ac2_linear": "Gwet's AC2 with linear weights.",
    "krippendorff_alpha_ordinal": "Krippendorff's alpha, ordinal metric, two graders.",
    "n_force_better": "Cases the force graded better than HMICFRS.",
    "n_force_worse": "Cases the force graded worse than HMICFRS.",
    "n_same": "Cases both graded the same.",
    "stuart_maxwell_p": "p-value of the Stuart-Maxwell test of marginal homogeneity (df = rank of its covariance matrix; categories not linked by any discordant case dropped).",
    "bowker_p": "p-value of Bowker's test of symmetry (pairs of categories with no discordant case dropped from the statistic and df).",
    "bowker_p_all_pairs": "p-value of Bowker's test of symmetry with df = k(k-1)/2, every pair of grades counted (Bowker 1948; statsmodels' convention).",
    "sign_test_p": "Exact two-sided sign test of better against worse (scipy.stats.binomtest); 1 when no case is discordant.",
}


#: Why the self-assessment tables are left out, when they are.
NO_PAIR = "The figures give no self-assessment: the force's own grades of the cases it selected are not published beside the inspectors' grades of the same cases."


def self_assessment_tables(data: AuditData) -> dict[str, pd.DataFrame | str]:
    """``agreement_bounds.csv`` (ranges with a verdict that holds over each), ``consistent_tables.csv`` and ``identified.csv``.

    Where the figures pin both gradings' totals and the consistent tables can be listed, every
    table is built from the list (:func:`analysis.stats.agreement.agreement_bounds`). Otherwise
    ``identified.csv`` is computed over every total the figures allow without listing tables
    (:func:`analysis.stats.pair_bounds.pair_bounds`), and the two table-by-table files are left
    out with the reason.
    """
    if data.figure_set.pair is None:
        return dict.fromkeys(TABLES, NO_PAIR)
    labels = list(data.grades)
    if data.known_table is not None:
        return _from_known_table(data.known_table, labels)
    try:
        rows, cols = published_margins(data)
    except ValueError as err:
        return _from_margin_sets(data, str(err))
    n = int(np.sum(rows))
    n_tables = count_tables(rows, cols)
    if n_tables <= LISTING_LIMIT:
        bounds, tables = agreement_bounds(rows, cols, labels)
        identified = identified_summary(tables_of(tables, labels), labels=labels)
    elif len(labels) == 3:
        # 3 x 3: exact ranges of every measure and test without listing (the tables that attain them are kept)
        bounds, tables = agreement_bounds(rows, cols, labels, max_tables=LISTING_LIMIT)
        identified = pair_bounds(rows[None], cols[None], labels=labels)
    else:
        return _from_margin_sets(data, f"{n_tables:,} tables fit the totals")
    identified = _with_probit(identified, int(rows[0]), int(cols[0]), n, labels[0])
    _add_verdicts(bounds, identified, n)
    return {
        "agreement_bounds.csv": bounds,
        "consistent_tables.csv": tables,
        "identified.csv": identified,
        "sensitivity.csv": sensitivity_table(rows, cols),
        "assumptions.csv": assumption_table(rows[None], cols[None], labels),
    }


def _add_verdicts(bounds: pd.DataFrame, identified: pd.DataFrame, n: int) -> None:
    """Give ``bounds`` its ``verdict`` column: each measure's range (with its interval from ``identified`` where the Landis-Koch words apply) in words."""
    by_q = identified.set_index("quantity")
    intervals = {
        m: (float(by_q.loc[m, "ci_low"]), float(by_q.loc[m, "ci_high"]))
        for m in LANDIS_KOCH_MEASURES
        if m in by_q.index and np.isfinite(by_q.loc[m, "ci_low"]) and np.isfinite(by_q.loc[m, "ci_high"])
    }
    bounds["verdict"] = [
        verdict(m, lo, hi, n, intervals.get(m)) for m, lo, hi in zip(bounds["measure"], bounds["min"], bounds["max"], strict=True)
    ]


def _from_known_table(table: np.ndarray, labels: list[str]) -> dict[str, pd.DataFrame | str]:
    """The self-assessment tables when a case-level file gives the pairing: one consistent table, every measure exact.

    ``consistent_tables.csv`` holds the one table; ``agreement_bounds.csv`` has ``min = max`` (its
    reference columns are computed on the reference tables, whose ids are 0 when they differ from
    the known table); ``identified.csv`` is summarised on it; under each assumption it either
    remains (one table) or is ruled out.
    """
    from analysis.stats.agreement import independence_table, max_agreement_table, measure_ranges

    k = len(labels)
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    n = int(table.sum())
    frame = pd.DataFrame(table.reshape(1, k * k), columns=cell_columns(labels))
    frame.insert(0, "table_id", np.array([1], dtype=np.int64))
    tables = pd.concat([frame, table_measures(table[None])], axis=1)
    ranges = measure_ranges(tables)
    refs = {"independence": independence_table(rows, cols), "max_agreement": max_agreement_table(rows, cols)}
    ref_values = {name: table_measures(t[None]).iloc[0] for name, t in refs.items()}
    bounds = pd.DataFrame(
        {
            "measure": ranges["measure"],
            "min": ranges["min"],
            "max": ranges["max"],
            "independence": [float(ref_values["independence"][m]) for m in ranges["measure"]],
            "max_agreement": [float(ref_values["max_agreement"][m]) for m in ranges["measure"]],
            "min_table_id": [1 if i >= 0 else 0 for i in ranges["min_row"]],
            "max_table_id": [1 if i >= 0 else 0 for i in ranges["max_row"]],
            "independence_table_id": int(np.array_equal(refs["independence"], table)),
            "max_agreement_table_id": int(np.array_equal(refs["max_agreement"], table)),
            "n_tables": 1,
            "n_undefined": ranges["n_undefined"],
        }
    )
    identified = _with_probit(
        identified_summary(table[None], labels=labels), int(rows[0]), int(cols[0]), n, labels[0], both_best=int(table[0, 0])
    )
    _add_verdicts(bounds, identified, n)
    by_q = identified.set_index("quantity")
    records = []
    for name, words in ASSUMPTIONS.items():
        meets = bool((table[~assumption_mask(name, k)] == 0).all())
        for q in PAIRING_QUANTITIES:
            value = float(by_q.loc[q, "low"]) if meets else np.nan
            how = f"{words}; the case-level table " + ("meets it: its value" if meets else "does not meet it")
            records.append((name, q, value, value, int(meets), how))
    assumptions = pd.DataFrame.from_records(records, columns=["assumption", "quantity", "low", "high", "n_tables", "method"])
    return {
        "agreement_bounds.csv": bounds,
        "consistent_tables.csv": tables,
        "identified.csv": identified,
        "sensitivity.csv": "The pairing is known from the case-level file, so there is no least favourable pairing to test; consistent_tables.csv "
        "gives the sign test on the known table.",
        "assumptions.csv": assumptions,
    }


def _with_probit(
    identified: pd.DataFrame, force_best: int, inspectors_best: int, n: int, best: str, both_best: int | None = None
) -> pd.DataFrame:
    """``identified.csv`` with the good gap's score and Imbens-Manski rows, and the row ``probit_shift_good`` where both shares graded best lie strictly between 0 and 1.

    The gap's rows are :func:`analysis.stats.identification.best_gap_rows` over every number of cases
    both graded best that the totals allow (Fréchet's range), or ``both_best`` when the pairing is
    known. The leniency as an effect size: Phi^-1(force's share best) - Phi^-1(inspectors' share best) on the
    same cases (:func:`analysis.stats.probit_shift.probit_shift`), the same under every pairing, with
    a 95% delta-method interval at the least favourable within-case correlation.
    """
    both = (
        np.arange(max(0, force_best + inspectors_best - n), min(force_best, inspectors_best) + 1)
        if both_best is None
        else np.array([both_best])
    )
    identified = pd.concat([identified, best_gap_rows(force_best, inspectors_best, n, both, best=best)], ignore_index=True)
    if not (0 < force_best < n and 0 < inspectors_best < n):
        return identified
    shift = probit_shift(force_best, inspectors_best, n)
    row = {
        "quantity": "probit_shift_good",
        "low": float(shift.estimate),
        "high": float(shift.estimate),
        "ci_low": float(shift.ci_low),
        "ci_high": float(shift.ci_high),
        "method": f"normal quantile of the force's share {best} minus that of the inspectors' share {best}, same cases; delta-method 95% interval "
        f"at the least favourable within-case correlation (the pairing with the fewest cases {best} for both), so it holds whatever the pairing",
    }
    return pd.concat([identified, pd.DataFrame([row])], ignore_index=True)


def sensitivity_table(rows: np.ndarray, cols: np.ndarray, alpha: float = SIGNIFICANCE) -> pd.DataFrame:
    """``sensitivity.csv``: how far the one-sided gap would have to shrink before the sign test, at its least favourable pairing, loses significance.

    :func:`analysis.stats.sign_test_fragility.sign_test_fragility`: the largest two-sided sign-test
    p-value over the pairings that fit the totals, and the fewest of the inspectors' grades that
    would have to move one step kinder (towards the force's view) for it to reach ``alpha``, with
    the inspectors' totals after those moves.
    """
    worst = sign_test_max_p(rows, cols)
    frag = sign_test_fragility(rows, cols, alpha)
    moved = "" if frag.col_sums is None else "/".join(str(int(c)) for c in frag.col_sums)
    records = [
        (
            "sign_test_largest_p",
            worst.p_value,
            f"{worst.better} better, {worst.worse} worse",
            "largest two-sided exact sign-test p-value over every pairing that fits the totals (scipy binomtest)",
        ),
        (
            "sign_test_moves_to_lose_significance",
            np.nan if frag.moves is None else float(frag.moves),
            moved,
            f"fewest of the inspectors' grades that would have to move one step kinder for that largest p-value to reach {alpha:g} "
            "(exact, by integer programming); detail: the inspectors' totals after the moves, best first",
        ),
        (
            "sign_test_largest_p_after_moves",
            np.nan if frag.p_value is None else float(frag.p_value),
            moved,
            "largest sign-test p-value over the pairings once those grades have moved",
        ),
    ]
    return pd.DataFrame.from_records(records, columns=["quantity", "value", "detail", "method"])


#: The assumptions of ``assumptions.csv``, in order, each a rule on the cells ``(i, j)`` (force's grade i, inspectors' j, best = 0) that may hold cases.
ASSUMPTIONS: dict[str, str] = {
    "none": "no assumption: every pairing that fits the published figures",
    "force_never_harsher": "no case graded worse by the force than by the inspectors",
    "at_most_one_grade_apart": "no case graded two or more grades apart",
    "force_never_harsher_and_at_most_one_grade_apart": "no case graded worse by the force, and none two or more grades apart",
}

#: The quantities of ``identified.csv`` that depend on the pairing (the two gaps are the same under every pairing of given totals).
PAIRING_QUANTITIES: tuple[str, ...] = tuple(q for q in IDENTIFIED_QUANTITIES if q not in ("good_gap", "mean_score_gap"))

#: Every table of this section, in the order written.
TABLES: tuple[str, ...] = ("agreement_bounds.csv", "consistent_tables.csv", "identified.csv", "sensitivity.csv", "assumptions.csv")


def assumption_mask(name: str, k: int) -> np.ndarray:
    """The cells an assumption allows to hold cases, as a ``k x k`` boolean mask (rows: the force's grade, best first)."""
    i, j = np.indices((k, k))
    never_harsher = i <= j  # the force's grade is the same as the inspectors' or better
    one_apart = np.abs(i - j) <= 1
    masks = {
        "none": np.ones((k, k), bool),
        "force_never_harsher": never_harsher,
        "at_most_one_grade_apart": one_apart,
        "force_never_harsher_and_at_most_one_grade_apart": never_harsher & one_apart,
    }
    return masks[name]


def assumption_table(force: np.ndarray, inspectors: np.ndarray, labels: Sequence[str]) -> pd.DataFrame:
    """``assumptions.csv``: the range of each pairing-dependent quantity under each assumption, and how many tables remain.

    ``force`` and ``inspectors`` are every total the figures allow for each grading (``(m, k)``,
    one row when pinned). For each assumption of :data:`ASSUMPTIONS`, ``n_tables`` counts the
    consistent tables whose cases lie only in the cells it allows
    (:func:`analysis.stats.pair_bounds.count_tables_over`, exact), and each quantity of
    :data:`PAIRING_QUANTITIES` gets its exact smallest and largest value over them
    (:func:`analysis.stats.pair_bounds.pair_bounds` with that mask). Where the published totals rule
    the assumption out, ``n_tables`` is 0 and ``low``/``high`` are empty.
    """
    from analysis.stats.pair_bounds import count_tables_over, pair_bounds

    k = len(labels)
    records = []
    for name, words in ASSUMPTIONS.items():
        mask = assumption_mask(name, k)
        n_tables = count_tables_over(force, inspectors, None if name == "none" else mask)
        if n_tables == 0:
            for q in PAIRING_QUANTITIES:
                records.append((name, q, np.nan, np.nan, 0, f"{words}: the published totals rule this out (no table fits them)"))
            continue
        bounds = pair_bounds(force, inspectors, allowed=None if name == "none" else mask, labels=list(labels)).set_index("quantity")
        for q in PAIRING_QUANTITIES:
            how = [part for part in str(bounds.loc[q, "method"]).split("; ") if "interval" not in part and "ci_low" not in part]
            records.append((name, q, bounds.loc[q, "low"], bounds.loc[q, "high"], n_tables, "; ".join([words, *how])))
    frame = pd.DataFrame.from_records(records, columns=["assumption", "quantity", "low", "high", "n_tables", "method"])
    frame["n_tables"] = frame["n_tables"].astype("int64")
    return frame


def assumption_sentences(assumptions: pd.DataFrame, n: int) -> list[str]:
    """What each assumption would settle, one sentence each, from ``assumptions.csv`` (the words follow the counts)."""
    a = assumptions.set_index(["assumption", "quantity"])
    total = int(a.loc[("none", "n_force_better"), "n_tables"])
    clauses = {
        "force_never_harsher": "the force never graded a case worse than the inspectors did",
        "at_most_one_grade_apart": "no case was graded two or more grades apart",
        "force_never_harsher_and_at_most_one_grade_apart": "both held",
    }
    out = []
    for name, clause in clauses.items():
        row = a.loc[name]
        tables = int(row["n_tables"].iloc[0])
        if tables == 0:
            out.append(f"The published totals rule out that {clause}: no pairing that fits them meets it.")
            continue
        lo, hi = row.loc["n_force_better", "low"], row.loc["n_force_better", "high"]
        kappa_lo, kappa_hi = row.loc["cohen_kappa", "low"], row.loc["cohen_kappa", "high"]
        remain = "exactly one pairing remains" if tables == 1 else f"{tables:,} of the {total:,} pairings remain"
        better = (
            f"the force graded {lo:.0f} of the {n} cases better"
            if lo == hi
            else f"the force graded between {lo:.0f} and {hi:.0f} of the {n} cases better"
        )
        kappa = (
            f"Cohen's kappa is {signed(kappa_lo)}"
            if np.isclose(kappa_lo, kappa_hi)
            else f"Cohen's kappa lies between {signed(kappa_lo)} and {signed(kappa_hi)}"
        )
        out.append(f"If {clause}, {remain}: {better}, and {kappa}.")
    return out


def _from_margin_sets(data: AuditData, why: str) -> dict[str, pd.DataFrame | str]:
    """The self-assessment tables when the pair's totals are open or too many tables fit them: identified.csv only, and why."""
    from analysis.stats.consistent_set import TooManyVectors
    from analysis.stats.pair_bounds import TooManyMarginPairs

    try:
        force, insp = margin_sets(data)
    except TooManyVectors as err:
        text = (
            f"The figures allow {err.count:,} or more different totals for one of the two gradings of the force-selected cases, "
            "too many to bound every pairing measure exactly; grade_counts.csv gives each count's range."
        )
        return dict.fromkeys(TABLES, text)
    pinned = len(force) == 1 and len(insp) == 1
    reason = (
        f"Too many tables of case counts fit the published totals to list them one by one ({why}); identified.csv gives the exact range of each measure."
        if pinned
        else f"The figures leave the totals open ({len(force):,} possible force totals and {len(insp):,} possible inspectors' totals), "
        "so the tables are not listed one by one; identified.csv gives the exact range of each measure over all of them."
    )
    try:
        identified = pair_bounds(force, insp, labels=list(data.grades))
    except TooManyMarginPairs as err:
        text = (
            f"The figures allow {err.n_force:,} force totals and {err.n_inspectorate:,} inspectors' totals, {err.n_pairs:,} combinations in all: "
            "too many to bound every pairing measure exactly; grade_counts.csv gives each count's range."
        )
        return dict.fromkeys(TABLES, text)
    sensitivity: pd.DataFrame | str = (
        sensitivity_table(force[0], insp[0])
        if pinned
        else "The figures leave the totals open, so the sign test's sensitivity is not computed."
    )
    if pinned:
        identified = _with_probit(identified, int(force[0][0]), int(insp[0][0]), int(force[0].sum()), data.grades[0])
    try:
        assumptions: pd.DataFrame | str = assumption_table(force, insp, data.grades)
    except (ValueError, ArithmeticError) as err:
        assumptions = f"The ranges under each assumption could not be computed exactly for these figures ({err})."
    return {
        "agreement_bounds.csv": reason,
        "consistent_tables.csv": reason,
        "identified.csv": identified,
        "sensitivity.csv": sensitivity,
        "assumptions.csv": assumptions,
    }


def self_assessment_specs(data: AuditData) -> tuple[TableSpec, ...]:
    """The specs of :func:`self_assessment_tables` for this audit's scale."""
    labels = list(data.grades)
    note = (
        f"Rows of each table are the force's grade and columns HMICFRS's grade, both {', '.join(labels)} (best first); "
        "'better' means the force's grade is better than the inspectors'. Scores where needed: "
        + ", ".join(f"{g} = {s}" for g, s in grade_scores(labels).items())
        + "."
    )
    return _specs(labels, note)


def _specs(labels, _GRADE_NOTE) -> tuple[TableSpec, ...]:
    return (
        TableSpec(
            "agreement_bounds.csv",
            "Range of each agreement measure over every pairing consistent with the published grades",
            "For the cases graded by both the force and HMICFRS, the report publishes only each side's grade totals, not which grades go together. "
            "Each row gives one measure's smallest and largest value over every table of case counts with those totals, its value on two reference tables, "
            "and a plain-language statement that holds over the whole range. " + _GRADE_NOTE,
            {
                "measure": "Measure name (see consistent_tables.csv for its definition).",
                "min": "Smallest value over all consistent tables (full precision).",
                "max": "Largest value over all consistent tables (full precision).",
                "independence": "Value on the reference table closest to independence: the expected counts row total x column total / n, rounded to whole cases with the totals kept (controlled rounding, smallest total absolute rounding error). Illustrative, not an estimate.",
                "max_agreement": "Value on the reference table with the most cases graded the same (ties broken by quadratic-weighted agreement, then by the cells). Illustrative, not an estimate.",
                "min_table_id": "table_id in consistent_tables.csv of the first table (in enumeration order) attaining the minimum.",
                "max_table_id": "table_id in consistent_tables.csv of the first table attaining the maximum.",
                "independence_table_id": "table_id of the independence reference table.",
                "max_agreement_table_id": "table_id of the maximum-agreement reference table.",
                "n_tables": "Number of consistent tables.",
                "n_undefined": "Number of consistent tables on which the measure is undefined (left out of min and max).",
                "verdict": "Plain-language statement true under every consistent pairing for these cases (Landis and Koch bands only for Cohen's kappa and its weighted forms, "
                "with what the union of the per-pairing 95% intervals allows beyond these cases; Krippendorff's thresholds for alpha; no scale for Gwet's coefficients; p < 0.05 for the tests).",
            },
            (
                "The independence and maximum-agreement columns are reference points, not the answer: the true pairing is unknown.",
                "The agreement coefficients and counts are linear in the cells once the totals are fixed; their ranges are also checked by linear programming in the tests.",
            ),
        ),
        TableSpec(
            "consistent_tables.csv",
            "Every pairing of force and HMICFRS grades consistent with the published totals",
            "One row per table of case counts (force grade by HMICFRS grade) whose totals match the report, with every per-table measure. "
            + _GRADE_NOTE,
            {
                "table_id": "Number of the table, in lexicographic order of its cells read row by row.",
                **{
                    c: f"Cases graded {c.split('__')[0][6:].replace('_', ' ')} by the force and {c.split('__')[1][8:].replace('_', ' ')} by HMICFRS."
                    for c in cell_columns(labels)
                },
                **{m: doc.format(k=number_word(len(labels))) for m, doc in _MEASURE_DOCS.items()},
                "stuart_maxwell_statistic": "Stuart-Maxwell chi-squared statistic.",
                "stuart_maxwell_df": "Degrees of freedom of the Stuart-Maxwell test.",
                "bowker_statistic": "Bowker chi-squared statistic.",
                "bowker_df": "Degrees of freedom of Bowker's test (pairs with no discordant case dropped).",
                "bowker_df_all_pairs": "Degrees of freedom of Bowker's test counting every pair of grades, k(k-1)/2.",
            },
            ("Only the totals are published; each row is one possibility, none is known to be the actual pairing.",),
        ),
        TableSpec(
            "identified.csv",
            "What the published totals settle whatever the pairing, with 95% intervals",
            "One row per quantity: its smallest and largest value over every pairing consistent with the published totals, and a 95% interval that "
            "treats the cases as a random sample of the force's cases and spans every pairing's interval. " + _GRADE_NOTE,
            {
                "quantity": "n_force_better, share_force_better, good_gap, mean_score_gap, goodman_kruskal_gamma, kendall_tau_b, spearman_rho, "
                "cohen_kappa, weighted_kappa_linear or weighted_kappa_quadratic; then good_gap_newcombe (the good gap with the union of Newcombe's paired "
                "score intervals over the pairings), good_gap_imbens_manski (the good gap with Imbens and Manski's interval for the identified set) "
                "and probit_shift_good, where they apply.",
                "low": "Smallest value over the consistent pairings (equal to high where the quantity is identified).",
                "high": "Largest value over the consistent pairings.",
                "ci_low": "Lower end of the 95% interval (for share_force_better, the one-sided 95% Clopper-Pearson lower bound at the fewest cases); empty where none is given.",
                "ci_high": "Upper end of the 95% interval, spanning every pairing's; empty where none is given.",
                "method": "How the row is computed, in a few words.",
            },
            (
                "The intervals treat the cases as a random sample of the force's cases (the report says they were drawn at random); they say nothing about how the force chose them otherwise.",
                "The ordinal measures (gamma, tau-b, rho) are not identified: the totals fit pairings with opposite rankings and with the same ranking.",
            ),
        ),
        TableSpec(
            "assumptions.csv",
            "What stated assumptions about the pairing would settle",
            "For each assumption about how the force's and the inspectors' grades of the same cases could go together, how many tables of case "
            "counts consistent with the published figures remain, and the exact smallest and largest value of each quantity that depends on "
            "the pairing over them. " + _GRADE_NOTE,
            {
                "assumption": "none (every consistent pairing), force_never_harsher (no case graded worse by the force than by the inspectors), "
                "at_most_one_grade_apart (no case graded two or more grades apart) or force_never_harsher_and_at_most_one_grade_apart (both).",
                "quantity": "A quantity of identified.csv that depends on the pairing: " + ", ".join(PAIRING_QUANTITIES) + ".",
                "low": "Smallest value over the consistent tables that meet the assumption; empty where the published totals rule the assumption out.",
                "high": "Largest value over those tables; empty where the assumption is ruled out.",
                "n_tables": "Number of consistent tables that meet the assumption (0: the totals rule it out), counted exactly.",
                "method": "The assumption in words and how the range is computed (listing, closed form or linear programming).",
            },
            ("An assumption is not a finding: each row says what would follow if it held. None of them is published or checked.",),
        ),
        TableSpec(
            "sensitivity.csv",
            "How robust the one-sided gap is",
            "The sign test of 'force better' against 'force worse' under the pairing least favourable to the finding, and how many of the "
            "inspectors' grades would have to move one step towards the force's view for it to lose significance. " + _GRADE_NOTE,
            {
                "quantity": "sign_test_largest_p, sign_test_moves_to_lose_significance or sign_test_largest_p_after_moves.",
                "value": "The value: a p-value, or a number of grades.",
                "detail": "For the largest p-value: the cases graded better and worse on that pairing; for the moves: the inspectors' totals after them (best first).",
                "method": "How the row is computed.",
            },
            ("Moving a grade changes the inspectors' totals, and so the set of pairings that fit them; each count is exact.",),
        ),
    )


STAGE = Stage(name="self_assessment", build=self_assessment_tables, specs=self_assessment_specs)
