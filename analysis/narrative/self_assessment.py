"""Sentences on self-assessment against inspection: what the published totals settle whatever the pairing, what they leave open, the verdict on each measure's range, and the home page's sentences.

Published tables in (``agreement_bounds.csv``, ``identified.csv``, ``assumptions.csv``, ``sample_grades.csv``), sentences out.
Every statement holds for every case-by-case pairing consistent with the totals; statements that reach beyond these
cases use the union of the per-pairing intervals at the analysis's confidence level (:data:`analysis.choices.CONFIDENCE`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.choices import ALPHA as SIGNIFICANCE
from analysis.grades import grade_scores
from analysis.narrative.style import (
    as_text,
    band_span,
    counts_in_words,
    direction,
    fixed,
    fraction_at_least,
    kindness,
    level_text,
    number_word,
    restates,
    signed,
    span,
)
from analysis.stats.agreement import COUNTS, KRIPPENDORFF_THRESHOLDS, LANDIS_KOCH_MEASURES, MEASURE_LABELS, P_VALUES, landis_koch_band


def _p(p: float) -> str:
    return f"{p:.2g}" if p >= 0.001 else "below 0.001"


def _undefined_reason(measure: str) -> str:
    if measure in ("goodman_kruskal_gamma", "kendall_tau_b", "spearman_rho"):
        return "no two cases are ranked apart by both gradings, as when one side gives every case the same grade"
    return "the chance agreement it corrects for is complete, as when both sides give every case the same grade"


def verdict(measure: str, lo: float, hi: float, n: int, interval: tuple[float, float] | None = None, said_random: bool = True) -> str:
    """A plain-language statement about ``measure`` that is true for every value in ``[lo, hi]`` (these ``n`` cases, every pairing).

    Each coefficient is read on its own scale: Landis and Koch's bands only for Cohen's kappa and
    its weighted forms (:data:`LANDIS_KOCH_MEASURES`); Krippendorff's alpha against his thresholds
    (:data:`KRIPPENDORFF_THRESHOLDS`); Gwet's AC1 and AC2 as numbers, with no borrowed scale. Where
    ``interval`` (the union of the per-pairing 95% intervals) is given and has width, the statement
    also says what holds beyond these cases (introduced by :func:`sample_reading`'s choice,
    ``said_random``). p-values: below :data:`SIGNIFICANCE` under every pairing, under none, or
    depending on the pairing. Counts: the least and most cases, or the one count where they agree.
    """
    if np.isnan(lo) or np.isnan(hi):
        return f"Undefined for every consistent pairing: {_undefined_reason(measure)}."
    one = lo == hi
    if measure == "observed_agreement":
        if round(lo * n) == round(hi * n):
            return f"For these {n} cases, the two gradings agree on {round(lo * n)} ({lo:.0%}) under every pairing."
        return f"For these {n} cases, the two gradings agree on between {round(lo * n)} and {round(hi * n)} ({lo:.0%} to {hi:.0%}), depending on the pairing."
    if measure in LANDIS_KOCH_MEASURES:
        b_lo, b_hi = landis_koch_band(lo), landis_koch_band(hi)
        values = signed(lo) if signed(lo) == signed(hi) else f"{signed(lo)} to {signed(hi)}"
        text = (
            f"For these {n} cases, '{b_lo}' on the Landis and Koch scale under every pairing ({values})."
            if b_lo == b_hi
            else f"For these {n} cases, from '{b_lo}' to '{b_hi}' on the Landis and Koch scale ({values}), depending on the pairing."
        )
        if interval is not None and abs(interval[1] - interval[0]) >= 0.005:  # an interval of no width at two decimals is not an interval
            band = band_span(landis_koch_band(interval[0]), landis_koch_band(interval[1]))
            taken = (
                "the cases taken as the random sample the report says they were"
                if said_random
                else "the cases taken as standing for the force's cases in general"
            )
            text += (
                f" Allowing for sampling error ({level_text()} intervals, {taken}), agreement "
                f"between the force's and the inspectors' grading of the force's cases in general could lie anywhere from {signed(interval[0])} "
                f"to {signed(interval[1])}: {band} on that scale."
            )
        return text
    values = signed(lo) if signed(lo) == signed(hi) else f"{signed(lo)} to {signed(hi)}"
    if measure == "krippendorff_alpha_ordinal":
        low_t, high_t = KRIPPENDORFF_THRESHOLDS

        def zone(x: float) -> str:
            return f"below {low_t:g}" if x < low_t else (f"between {low_t:g} and {high_t:g}" if x < high_t else f"at or above {high_t:g}")

        where = f"{zone(lo)} under every pairing" if zone(lo) == zone(hi) else f"from {zone(lo)} to {zone(hi)}, depending on the pairing"
        return f"For these {n} cases, {values}: {where} (Krippendorff's thresholds for data to be relied on)."
    if measure in ("gwet_ac1", "gwet_ac2_linear"):
        return f"For these {n} cases, {values}, {'under every pairing' if ' to ' not in values else 'depending on the pairing'} (no conventional scale is applied)."
    if one and measure in ("n_force_better", "n_force_worse", "n_same"):
        what = {
            "n_force_better": "graded exactly {k} of the {n} cases better than HMICFRS did",
            "n_force_worse": "graded exactly {k} of the {n} cases worse than HMICFRS did",
            "n_same": "and HMICFRS gave the same grade to exactly {k} of the {n} cases",
        }[measure]
        return "Under every pairing the force " + what.format(k=f"{lo:.0f}", n=n) + "."
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


def sample_reading(said_random: bool) -> str:
    """How a sentence that reaches beyond these cases introduces itself: as the document's own word on the sample, or as a condition.

    ``said_random``: the package's ``audit.json`` quotes the document saying the force's cases were
    drawn at random (:meth:`analysis.data.audit_package.AuditMeta.said_random`). Otherwise nothing
    is said of how they were chosen; the sentence is a condition.
    """
    return "Taking them as the random sample the report says they were" if said_random else "If they stand for the force's cases in general"


def _points(x: float) -> str:
    return f"{100 * x:.0f}"


def _gap_sentence(row: pd.Series, n: int, best: str, how: str = "", with_count: bool = True) -> str:
    """The gap in the share graded ``best`` (force minus inspectors, same cases) in words, from its low and high over the consistent set.

    ``how`` names the interval ``row`` carries (:func:`sharper_gap`). Without ``with_count`` a gap
    that the figures pin is said in percentage points only (for a page that gives the count elsewhere).
    """
    lo, hi = round(row["low"] * n), round(row["high"] * n)
    named = f" ({how})" if how else ""
    ci = (
        f"for the force's cases in general it lies between {signed(100 * row['ci_low'], 0)} and {signed(100 * row['ci_high'], 0)} percentage points, "
        f"with {level_text()} confidence{named}."
        if np.isfinite(row["ci_low"]) and np.isfinite(row["ci_high"])
        else "no interval is given, because the tables that fit the figures are too many to list."
    )
    if lo == hi:
        if lo == 0:
            return f"The force and the inspectors graded as many of the same cases {best}, whatever the pairing: the gap in the share graded {best} is 0 percentage points; {ci}"
        word = "more" if lo > 0 else "fewer"
        gap = (
            f"is {_points(row['low'])} percentage points"
            if lo > 0
            else f"is {_points(-row['low'])} percentage points the other way (the force's share lower)"
        )
        if not with_count:
            return f"Whatever the pairing, the gap in the share graded {best} {gap}; {ci}"
        return f"The force graded {abs(lo)} {word} of the same cases {best} than the inspectors did, whatever the pairing. The gap in the share graded {best} {gap}; {ci}"
    way = direction(row["low"], row["high"], "more", "fewer")
    if way is None:
        return (
            f"The figures leave the totals open, and with them the direction of the gap: the force's count of cases graded {best} runs from "
            f"{abs(lo) if lo < 0 else lo} {'fewer' if lo < 0 else 'more'} to {abs(hi) if hi < 0 else hi} {'fewer' if hi < 0 else 'more'} than the inspectors' "
            f"(a gap in the share graded {best} from {signed(100 * row['low'], 0)} to {signed(100 * row['high'], 0)} percentage points), so no direction holds "
            f"for every set of counts the figures allow; {ci}"
        )
    a, b = sorted((abs(lo), abs(hi)))
    pa, pb = sorted((abs(100 * row["low"]), abs(100 * row["high"])))
    return (
        f"Depending on the totals the figures leave open, the force graded between {a} and {b} {way} of the same cases {best} than the inspectors did: "
        f"a gap in the share graded {best} of between {pa:.0f} and {pb:.0f} percentage points{'' if way == 'more' else ' the other way'}; {ci}"
    )


def _score_sentence(row: pd.Series, scale: str) -> str:
    """The mean grade-score gap in words, from its low and high over the consistent set."""
    ci = (
        f"(for the force's cases in general, between {signed(row['ci_low'])} and {signed(row['ci_high'])} points, with {level_text()} confidence)"
        if np.isfinite(row["ci_low"]) and np.isfinite(row["ci_high"])
        else "(no interval: the tables that fit the figures are too many to list)"
    )
    lo, hi = fixed(row["low"], 2), fixed(row["high"], 2)
    if lo == hi:
        if float(lo) == 0:
            return f"On a scale of {scale}, the force's grades and the inspectors' were the same on average, whatever the pairing {ci}."
        word = "higher" if row["low"] > 0 else "lower"
        return f"On a scale of {scale}, the force's grades were on average {fixed(abs(row['low']), 2)} points {word}, whatever the pairing {ci}."
    way = direction(row["low"], row["high"], "higher", "lower")
    if way is None:
        return (
            f"On a scale of {scale}, the force's grades were on average from {signed(row['low'])} to {signed(row['high'])} points above the inspectors', "
            f"depending on the totals the figures leave open, so neither higher nor lower holds for every set of counts {ci}."
        )
    a, b = sorted((abs(row["low"]), abs(row["high"])))
    return (
        f"On a scale of {scale}, the force's grades were on average between {fixed(a, 2)} and {fixed(b, 2)} points {way}, depending on the "
        f"totals the figures leave open {ci}."
    )


def identified_facts(identified: pd.DataFrame, n: int, grades: Sequence[str], said_random: bool = False) -> list[str]:
    """What the published figures settle whatever the pairing, each with its 95% interval (from ``identified.csv``).

    Each sentence is built from the low and the high of its quantity over the consistent set: a
    single value where they agree, a range where the figures leave the totals open, and a direction
    word ("more", "higher") only where both ends agree (:func:`analysis.narrative.style.direction`).
    Intervals treat the ``n`` cases as standing for the force's cases in general; ``said_random``
    (the document says they were drawn at random) decides how that is introduced
    (:func:`sample_reading`). The gaps in the share graded in the best grade and in the mean grade
    score do not depend on the pairing, and their intervals span every pairing's (Agresti's paired
    Wald; the paired t). ``grades`` is the scale, best first. Markdown: the grade names are :func:`~analysis.narrative.style.as_text`.
    """
    better = _row(identified, "n_force_better")
    share = _row(identified, "share_force_better")
    good, how = sharper_gap(identified)
    score = _row(identified, "mean_score_gap")
    best = as_text(grades[0])
    scale = ", ".join(f"{as_text(g)} = {s}" for g, s in grade_scores(grades).items())
    low, high = int(round(better["low"])), int(round(better["high"]))
    if low > 0:
        first = f"Whatever the pairing, the force graded at least {low} of the {n} cases better than the inspectors did."
    else:
        first = (
            f"Some pairings that fit the figures have the force grading no case better than the inspectors did "
            f"(at most {high} of the {n}), so no case is graded better under every pairing."
        )
    if low > 0 and np.isfinite(share["ci_low"]) and share["ci_low"] > 0:
        first += (
            f" {sample_reading(said_random)}, at least {fraction_at_least(share['ci_low'])} of the force's cases "
            f"would be graded better by the force than by the inspectors, with {level_text()} confidence."
        )
    return [first, _gap_sentence(good, n, best, how), _score_sentence(score, scale)]


def gap_sentence(identified: pd.DataFrame, n: int, grades: Sequence[str]) -> str:
    """The gap in the share graded in the best grade, in percentage points with its sharper interval (:func:`sharper_gap`), no count of cases."""
    good, how = sharper_gap(identified)
    return _gap_sentence(good, n, as_text(grades[0]), how, with_count=False)


def primary_sentence(identified: pd.DataFrame, n: int, grades: Sequence[str]) -> str:
    """The self-assessment's primary analysis in one paragraph, for the top of the page: the gap in the share graded best (:func:`gap_sentence`).

    Every other measure and test of the page is named a sensitivity analysis (Methods, primary analyses).
    """
    return (
        f"**Primary analysis.** {gap_sentence(identified, n, grades)} The agreement ranges, the tests, the probit shift and the "
        "assumptions below are sensitivity analyses (see the primary analyses on the Methods page)."
    )


def listed_intro(n_tables: int | None) -> str:
    """The sentence that opens the list of what the figures settle: how many tables fit (in words that agree in number), or none listed."""
    if n_tables is None:
        return "Some things are the same in every table of whole cases that fits the published figures, and so are known despite the missing detail:"
    if n_tables == 1:
        return "Exactly one table of whole cases fits the published totals, so the pairing is known and every quantity below is exact:"
    return (
        f"Exactly {n_tables} tables of whole cases fit the published totals. Some things are the same in every one of them, "
        "and so are known despite the missing detail:"
    )


#: How the notebook's table of ``identified.csv`` names each quantity (``{best}``: the best grade); others by their code.
IDENTIFIED_LABELS: dict[str, str] = {
    "n_force_better": "Cases the force graded better",
    "share_force_better": "Share of the cases the force graded better",
    "n_same": "Cases graded the same by both",
    "percent_agreement": "Share of the cases graded the same by both",
    "good_gap": "Gap in the share graded {best}",
    "good_gap_newcombe": "Gap in the share graded {best} (Newcombe's score interval)",
    "good_gap_imbens_manski": "Gap in the share graded {best} (Imbens and Manski's interval)",
    "mean_score_gap": "Gap in the mean grade score",
    "goodman_kruskal_gamma": "Goodman and Kruskal's gamma",
    "kendall_tau_b": "Kendall's tau-b",
    "spearman_rho": "Spearman's rho",
    "probit_shift_good": "Shift in the share graded {best}, on the normal (probit) scale",
    **{m: MEASURE_LABELS[m] for m in ("cohen_kappa", "weighted_kappa_linear", "weighted_kappa_quadratic")},
}


def _identified_value(quantity: str, x: float, unit: bool = True) -> str:
    if pd.isna(x):
        return "undefined"
    x = float(x)
    if quantity.startswith("n_"):
        return f"{x:.0f}"
    if quantity.startswith("share_") or quantity == "percent_agreement":
        return f"{100 * x:.0f}%"
    if quantity.startswith("good_gap"):
        return signed(0.0 if round(100 * x) == 0 else 100 * x, 0) + (" points" if unit else "")
    return signed(0.0 if round(x, 2) == 0 else x)  # no "-0.00" for a value that rounds to zero


def identified_table(identified: pd.DataFrame, grades: Sequence[str]) -> pd.DataFrame:
    """``identified.csv`` for readers: each quantity by its name, its smallest and largest value over the pairings and its 95% interval, as text.

    Counts are whole numbers, shares whole percentages, the gap in the share graded best in
    percentage points, the rest two decimals with a true minus sign. The interval reads "a to b",
    "a or more" (one-sided) or says why there is none: a count of these cases has none (its share
    has one), and a quantity that the pairing decides has none.
    """
    rows = []
    for r in identified.itertuples(index=False):
        q = str(r.quantity)
        lo, hi = (not pd.isna(r.ci_low)), (not pd.isna(r.ci_high))
        if lo and hi and _identified_value(q, r.ci_low) == _identified_value(q, r.ci_high):
            interval = f"{_identified_value(q, r.ci_low)} (a single value: no spread on the one table that fits)"
        elif lo and hi:
            interval = f"{_identified_value(q, r.ci_low, unit=False)} to {_identified_value(q, r.ci_high)}"
        elif lo:
            interval = f"{_identified_value(q, r.ci_low)} or more (one-sided)"
        elif pd.isna(r.low) and pd.isna(r.high):
            interval = "none: undefined on every table that fits the figures"
        elif q.startswith("n_"):
            interval = "none: a count of these cases (see the share)"
        else:
            interval = "none: the pairing decides it"
        rows.append(
            {
                "Quantity": IDENTIFIED_LABELS.get(q, q.replace("_", " ").capitalize()).format(best=grades[0]),
                "Smallest": _identified_value(q, r.low),
                "Largest": _identified_value(q, r.high),
                f"{level_text()} interval": interval,
            }
        )
    return pd.DataFrame(rows)


def in_short(identified: pd.DataFrame, n: int, same: tuple[float, float] | None = None) -> str:
    """The answer in two sentences: how the force graded its own cases against the inspectors (:func:`analysis.narrative.style.kindness`), and what the totals leave open.

    ``same`` is the fewest and most cases graded the same over the pairings (``agreement_bounds.csv``'s
    ``n_same``), when the pairings are listed: a range "depending on the pairing", or, where one
    table fits, the one count, known.
    """
    q = identified.set_index("quantity")
    gap, _ = sharper_gap(identified)  # the primary analysis's interval, as on the home page
    how = kindness(gap["ci_low"], gap["ci_high"], q.loc["share_force_better", "low"])
    first = (
        f"the force judged its own work {how} than the inspectors judged the same cases, and that conclusion does not depend on "
        "the missing case-by-case detail."
    )
    if same is not None and int(same[0]) == int(same[1]):
        return (
            first
            + f" Only one pairing fits the totals, so how often the two agreed on an individual case is known: {int(same[0])} of the {n}."
        )
    agreed = f" (somewhere between {same[0]:.0f} and {same[1]:.0f} of the {n}, depending on the pairing)" if same is not None else ""
    return first + (
        " What the published figures cannot show is exactly how often the two agreed on an individual case"
        f"{agreed}, whether they ranked the cases alike, or which cases they disagreed about."
    )


def _gamma_sentence(gamma: pd.Series) -> str:
    if not (np.isfinite(gamma["low"]) and np.isfinite(gamma["high"])):
        return (
            "Whether the force ranked the cases as the inspectors did cannot be asked of these figures: Goodman and Kruskal's gamma is undefined "
            "on every table that fits them, because one of the two gradings puts every case in the same grade, so no two cases are ranked apart by both."
        )
    if fixed(gamma["low"], 2) == fixed(gamma["high"], 2):
        return f"Goodman and Kruskal's gamma, which says how far the force ranked the cases as the inspectors did, is {signed(gamma['low'])} on every table that fits the figures."
    return (
        f"Whether the force ranked the cases as the inspectors did is not known: over the pairings that fit the totals, "
        f"Goodman and Kruskal's gamma runs from {signed(gamma['low'])}"
        + (" (opposite rankings)" if gamma["low"] <= -1 else "")
        + f" to {signed(gamma['high'])}"
        + (" (the same ranking)." if gamma["high"] >= 1 else ".")
    )


def _kappa_reach(row: pd.Series, name: str, first: bool) -> str | None:
    """How high a kappa could be allowing for sampling error, or ``None`` where its interval is missing or of zero width."""
    lo, hi = row["ci_low"], row["ci_high"]
    if not (np.isfinite(lo) and np.isfinite(hi)) or abs(hi - lo) < 0.005:
        return None
    band = landis_koch_band(hi)
    tail = " on the Landis and Koch scale, a technical label, not praise" if first else ""
    return f"{name} as high as {signed(hi)} ('{band}'{tail})"


def not_identified(identified: pd.DataFrame, bounds: pd.DataFrame, n: int, kinder: float | None = None) -> list[str]:
    """What the totals cannot settle: whether the two rank the cases alike, and how far they agree case by case.

    Each sentence follows the low and high of its quantity (a single value on one table, "undefined"
    with the reason where a measure is undefined on every table, never ``nan``). ``kinder`` is
    Cohen's kappa on the "same ranking, one grade kinder" pairing (:func:`kinder_kappa`), which
    decides how far a low kappa restates the leniency (:func:`analysis.narrative.style.restates`).
    """
    gamma = _row(identified, "goodman_kruskal_gamma")
    b = bounds.set_index("measure")
    kappa = _row(identified, "cohen_kappa")
    quad = _row(identified, "weighted_kappa_quadratic")
    same_lo, same_hi = int(b.loc["n_same", "min"]), int(b.loc["n_same", "max"])
    same = (
        f"The same grade was given to {same_lo} of the {n} cases."
        if same_lo == same_hi
        else f"The same grade was given to between {same_lo} and {same_hi} of the {n} cases."
    )
    if not (np.isfinite(kappa["low"]) and np.isfinite(kappa["high"])):
        kappa_text = " Cohen's kappa is undefined on every table that fits the totals: chance agreement is already complete when one side uses a single grade."
    else:
        k_span = span(kappa["low"], kappa["high"], signed)
        kappa_text = f" Cohen's kappa {'is' if ' and ' not in k_span else 'lies'} {k_span} for these cases"
        reach = [r for r in (_kappa_reach(kappa, "it could be", True), _kappa_reach(quad, "quadratic-weighted kappa", False)) if r]
        if len(reach) == 2:
            kappa_text += f"; allowing for sampling error {reach[0]}, and {reach[1]}."
        elif reach:
            kappa_text += f"; allowing for sampling error {reach[0]}."
        else:
            kappa_text += "; no interval is given, because the figures leave it none of non-zero width."
    out = [_gamma_sentence(gamma), same + kappa_text]
    how = restates(kinder)
    if how is not None:
        out.append(
            f"A low kappa here {how} the leniency: the totals fit a force that ranks the cases exactly as the inspectors do "
            f"but grades them one step kinder, and that pairing gives a kappa of {signed(kinder)}."
        )
    return out


def plain_reading(
    bounds: pd.DataFrame, identified: pd.DataFrame, n: int, grades: Sequence[str], kinder: float | None = None, said_random: bool = False
) -> list[str]:
    """Short plain-English statements for a general reader, identified facts first, then what the totals cannot settle, then the tests.

    Built from ``agreement_bounds.csv`` and ``identified.csv``. Each statement holds under every
    pairing consistent with the totals; those about the force's grading in general also hold over
    the union of the per-pairing 95% intervals (``said_random``: see :func:`identified_facts`).
    """
    b = bounds.set_index("measure")
    n_tables = int(b["n_tables"].iloc[0])
    opening = (
        "The report does not say which of the force's grades went with which of the inspectors' grades. Only one way of matching them "
        "case by case fits the published totals, so the pairing is known and every statement below is exact."
        if n_tables == 1
        else f"The report does not say which of the force's grades went with which of the inspectors' grades. {n_tables:,} ways of matching them "
        "case by case fit the published totals (each is a 'consistent pairing'); every statement below holds for all of them."
    )
    out = [opening, *identified_facts(identified, n, grades, said_random), *not_identified(identified, bounds, n, kinder)]
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


def headline(sample_grades: pd.DataFrame, identified: pd.DataFrame, grades: Sequence[str], said_random: bool = False) -> str:
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
    named = as_text(best)
    lo, hi = float(good["low"]), float(good["high"])
    way = direction(lo, hi, "higher", "lower")
    if round(100 * lo) == round(100 * hi) == 0:
        share_text = f"The share graded {named} was the same in both gradings"
    elif round(100 * lo) == round(100 * hi):
        share_text = f"The share graded {named} was {abs(100 * lo):.0f} percentage points {way} in the force's own grading"
    elif way is None:
        share_text = (
            f"The gap in the share graded {named} runs from {signed(100 * lo, 0)} to {signed(100 * hi, 0)} percentage points over the totals "
            "the figures allow, so neither higher nor lower holds for all of them"
        )
    else:
        a, b = sorted((abs(100 * lo), abs(100 * hi)))
        share_text = f"The share graded {named} was between {a:.0f} and {b:.0f} percentage points {way} in the force's own grading"
    at_least = (
        f"under every pairing that fits its totals the force graded at least {better['low']:.0f} of the {n} cases better than the inspectors did"
        if better["low"] > 0
        else "some pairings that fit its totals have the force grading no case better than the inspectors did"
    )
    text = (
        f"Of the {n} cases the force selected, its own assessors graded {int(force[best])} {named}; the inspectors graded "
        f"{int(insp[best])} of the same cases {named}. The report does not say which grade went with which case, but {at_least}. "
        f"{share_text}; for the force's cases "
        f"in general the gap lies between {signed(100 * good['ci_low'], 0)} and {signed(100 * good['ci_high'], 0)} percentage points, with {level_text()} confidence ({how})."
    )
    if better["low"] > 0 and share["ci_low"] > 0:
        text += (
            f" {sample_reading(said_random).replace('them', 'the cases', 1)}, at least {fraction_at_least(share['ci_low'])} of the force's "
            f"cases would be graded more kindly by the force than by the inspectors, with {level_text()} confidence."
        )
    return text


def assumption_sentences(assumptions: pd.DataFrame, n: int) -> list[str]:
    """What each assumption would settle, one sentence each, from ``assumptions.csv`` (the words follow the counts)."""
    a = assumptions.set_index(["assumption", "quantity"])
    total = a.loc[("none", "n_force_better"), "n_tables"]
    clauses = {
        "force_never_harsher": "the force never graded a case worse than the inspectors did",
        "at_most_one_grade_apart": "no case was graded two or more grades apart",
        "force_never_harsher_and_at_most_one_grade_apart": "both held",
    }
    out = []
    for name, clause in clauses.items():
        row = a.loc[name]
        tables = row["n_tables"].iloc[0]
        if not pd.isna(tables) and tables == 0:
            out.append(f"The published totals rule out that {clause}: no pairing that fits them meets it.")
            continue
        lo, hi = row.loc["n_force_better", "low"], row.loc["n_force_better", "high"]
        kappa_lo, kappa_hi = row.loc["cohen_kappa", "low"], row.loc["cohen_kappa", "high"]
        if pd.isna(tables) or pd.isna(total):
            remain = "some of the pairings remain (too many to count)"
        else:
            remain = "exactly one pairing remains" if tables == 1 else f"{int(tables):,} of the {int(total):,} pairings remain"
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


def gradings_sentence(force, inspectors, grades: Sequence[str]) -> str:
    """The two gradings of the force's cases in words: the force's own assessors' counts per grade, then the inspectors' (best first; zero as "none")."""
    n = int(sum(force))
    return (
        f"The force chose {n} of its cases and its own assessors graded them: {counts_in_words(force, n, grades, none='none', before_verb='as ')}. "
        f"The inspectors graded the same {n} cases: {counts_in_words(inspectors, n, grades, none='none', before_verb='as ')}."
    )


# --------------------------------------------------------------------------- words of the tables (methods, reasons, datapackage.json)
# Plain values in (counts, grade labels, a budget's message), words out; analysis/sections/self_assessment.py builds the tables.

#: Why the self-assessment tables are left out, when they are.
NO_PAIR = "The figures give no self-assessment: the force's own grades of the cases it selected are not published beside the inspectors' grades of the same cases."

#: The assumptions of ``assumptions.csv``, in order, each with its words (its ``method`` begins with them).
ASSUMPTIONS: dict[str, str] = {
    "none": "no assumption: every pairing that fits the published figures",
    "force_never_harsher": "no case graded worse by the force than by the inspectors",
    "at_most_one_grade_apart": "no case graded two or more grades apart",
    "force_never_harsher_and_at_most_one_grade_apart": "no case graded worse by the force, and none two or more grades apart",
}

#: The descriptions of ``consistent_tables.csv``'s measure columns; ``{k}`` is the number of grades in words.
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


def measure_columns(k: int) -> dict[str, str]:
    """The descriptions of ``consistent_tables.csv``'s measure columns for a scale of ``k`` grades, in the table's order."""
    return {m: doc.format(k=number_word(k)) for m, doc in _MEASURE_DOCS.items()}


def kinder_table_name(table_id: int) -> str:
    """The name of a 'same ranking, one grade kinder' table (notebooks' contrast of two pairings), by its ``table_id``."""
    return f"Same ranking, one grade kinder (table {table_id})"


def least_agreeing_table_name(table_id: int) -> str:
    """The name of the table with the fewest cases graded the same (notebooks' contrast of two pairings), by its ``table_id``."""
    return f"Fewest cases graded the same (table {table_id})"


def count_too_large_why(cells: int, limit: int) -> str:
    """Why the consistent tables are not listed when counting them would need an array of ``cells`` cells, past ``limit``."""
    return f"counting them would take an array of {cells:,} cells, past the budget of {limit:,}"


def too_many_tables_why(n_tables: int) -> str:
    """Why the consistent tables are not listed when ``n_tables`` of them fit the totals (too many for a scale past three grades)."""
    return f"{n_tables:,} tables fit the totals"


def known_table_method(assumption: str, meets: bool) -> str:
    """``assumptions.csv``'s ``method`` when the case-level file gives the pairing: the assumption's words and whether the known table meets it."""
    return f"{ASSUMPTIONS[assumption]}; the case-level table " + ("meets it: its value" if meets else "does not meet it")


def probit_method(best: str) -> str:
    """``identified.csv``'s ``method`` of ``probit_shift_good``, ``best`` the best grade."""
    return (
        f"normal quantile of the force's share {best} minus that of the inspectors' share {best}, same cases; delta-method {level_text()} interval "
        f"at the least favourable within-case correlation (the pairing with the fewest cases {best} for both), so it holds whatever the pairing"
    )


def sensitivity_skipped(why: object) -> str:
    """Why ``sensitivity.csv`` is left out when its integer programmes would pass their budget (``why``: the budget's message)."""
    return f"The sign test's sensitivity is not computed: {why} (its programmes grow with the square of the number of cases)."


def assumptions_skipped(why: object) -> str:
    """Why ``assumptions.csv`` is left out when its ranges have no exact answer for these figures (``why``: the error's message)."""
    return f"The ranges under each assumption could not be computed exactly for these figures ({why})."


#: Why ``sensitivity.csv`` is left out when the pairing is known.
KNOWN_PAIRING_SENSITIVITY = (
    "The pairing is known from the case-level file, so there is no least favourable pairing to test; consistent_tables.csv "
    "gives the sign test on the known table."
)

#: Why ``sensitivity.csv`` is left out when the figures leave the totals open.
OPEN_TOTALS_SENSITIVITY = "The figures leave the totals open, so the sign test's sensitivity is not computed."


def unreachable_detail(alpha: float = SIGNIFICANCE) -> str:
    """``sensitivity.csv``'s ``detail`` when no moves of the inspectors' grades bring the largest p-value to ``alpha``."""
    return (
        "not reachable: even with every one of the inspectors' grades that can move one step kinder moved once, "
        f"the largest p-value stays below {alpha:g}"
    )


def better_worse_detail(better: int, worse: int) -> str:
    """``sensitivity.csv``'s ``detail`` of the largest p-value: the cases graded better and worse on that pairing."""
    return f"{better} better, {worse} worse"


def sensitivity_methods(alpha: float = SIGNIFICANCE) -> dict[str, str]:
    """``sensitivity.csv``'s ``method`` of each of its quantities, in the table's order."""
    return {
        "sign_test_largest_p": "largest two-sided exact sign-test p-value over every pairing that fits the totals (scipy binomtest)",
        "sign_test_moves_to_lose_significance": f"fewest of the inspectors' grades that would have to move one step kinder for that largest p-value to reach {alpha:g} "
        "(exact, by integer programming); detail: the inspectors' totals after the moves, best first",
        "sign_test_largest_p_after_moves": "largest sign-test p-value over the pairings once those grades have moved",
    }


def not_counted(why: object) -> str:
    """The part of ``assumptions.csv``'s ``method`` saying the tables were not counted (``why``: the budget's message)."""
    return f"tables not counted ({why})"


def ruled_out_method(assumption: str) -> str:
    """``assumptions.csv``'s ``method`` of an assumption the published totals rule out."""
    return f"{ASSUMPTIONS[assumption]}: the published totals rule this out (no table fits them)"


def too_many_totals(count: int) -> tuple[str, str]:
    """Why the pairing tables are left out when the figures allow ``count`` or more totals for one grading: the reason and
    the short why of ``identified.csv``'s method."""
    return (
        f"The figures allow {count:,} or more different totals for one of the two gradings of the force-selected cases, "
        "too many to bound every pairing measure exactly; grade_counts.csv gives each count's range",
        f"the figures allow {count:,} or more different totals for one grading, too many to list",
    )


def too_many_pairs(n_force: int, n_inspectorate: int, n_pairs: int) -> tuple[str, str]:
    """Why the pairing tables are left out when the figures allow ``n_pairs`` pairs of totals: the reason and the short why."""
    return (
        f"The figures allow {n_force:,} force totals and {n_inspectorate:,} inspectors' totals, {n_pairs:,} combinations in all: "
        "too many to bound every pairing measure exactly; grade_counts.csv gives each count's range",
        f"the figures allow {n_pairs:,} pairs of totals, too many to list",
    )


def not_listed_reason(why: str) -> str:
    """Why the table-by-table files are left out when the totals are pinned but too many tables fit them (``why``: how many)."""
    return f"Too many tables of case counts fit the published totals to list them one by one ({why}); identified.csv gives the exact range of each measure."


def open_totals_reason(n_force: int, n_inspectorate: int) -> str:
    """Why the table-by-table files are left out when the figures leave the totals open (``n_force`` and ``n_inspectorate`` possible totals)."""
    return (
        f"The figures leave the totals open ({n_force:,} possible force totals and {n_inspectorate:,} possible inspectors' totals), "
        "so the tables are not listed one by one; identified.csv gives the exact range of each measure over all of them."
    )


def pairing_note(labels: Sequence[str]) -> str:
    """The note every self-assessment table's description ends with: rows and columns, the grades best first, 'better', the scores."""
    return (
        f"Rows of each table are the force's grade and columns HMICFRS's grade, both {', '.join(labels)} (best first); "
        "'better' means the force's grade is better than the inspectors'. Scores where needed: "
        + ", ".join(f"{g} = {s}" for g, s in grade_scores(labels).items())
        + "."
    )


def agreement_bounds_description(note: str) -> str:
    """``agreement_bounds.csv``'s description, ending with ``note`` (:func:`pairing_note`)."""
    return (
        "For the cases graded by both the force and HMICFRS, the report publishes only each side's grade totals, not which grades go together. "
        "Each row gives one measure's smallest and largest value over every table of case counts with those totals, its value on two reference tables, "
        f"and a plain-language statement that holds over the whole range. {note}"
    )


def verdict_column(alpha: float = SIGNIFICANCE) -> str:
    """The description of ``agreement_bounds.csv``'s ``verdict`` column: which scale each measure is read on."""
    return (
        "Plain-language statement true under every consistent pairing for these cases (Landis and Koch bands only for Cohen's kappa and its weighted forms, "
        f"with what the union of the per-pairing {level_text()} intervals allows beyond these cases; Krippendorff's thresholds for alpha; no scale for Gwet's coefficients; p < {alpha:g} for the tests)."
    )


def consistent_tables_description(note: str) -> str:
    """``consistent_tables.csv``'s description, ending with ``note`` (:func:`pairing_note`)."""
    return f"One row per table of case counts (force grade by HMICFRS grade) whose totals match the report, with every per-table measure. {note}"


def cell_column(force_grade: str, inspectors_grade: str) -> str:
    """The description of a cell column of ``consistent_tables.csv``: the cases graded ``force_grade`` by the force and ``inspectors_grade`` by HMICFRS."""
    return f"Cases graded {force_grade} by the force and {inspectors_grade} by HMICFRS."


def identified_title() -> str:
    """``identified.csv``'s title, naming the intervals' level."""
    return f"What the published totals settle whatever the pairing, with {level_text()} intervals"


def identified_description(note: str) -> str:
    """``identified.csv``'s description, ending with ``note`` (:func:`pairing_note`)."""
    return (
        f"One row per quantity: its smallest and largest value over every pairing consistent with the published totals, and a {level_text()} interval that "
        f"treats the cases as a random sample of the force's cases and spans every pairing's interval. {note}"
    )


def identified_ci_columns() -> tuple[str, str]:
    """The descriptions of ``identified.csv``'s ``ci_low`` and ``ci_high`` columns, naming the level."""
    return (
        f"Lower end of the {level_text()} interval (for share_force_better, the one-sided {level_text()} Clopper-Pearson lower bound at the fewest cases; for "
        "percent_agreement, the two-sided Clopper-Pearson lower end at the fewest); empty where none is given.",
        f"Upper end of the {level_text()} interval, spanning every pairing's; empty where none is given.",
    )


def identified_sampling_note(said_random: bool) -> str:
    """The note of ``identified.csv`` on what its intervals take the cases to be: the random sample the document says they were
    (``said_random``), or standing for the force's cases in general."""
    if said_random:
        return "The intervals treat the cases as a random sample of the force's cases (the report says they were drawn at random); they say nothing about how the force chose them otherwise."
    return (
        "The intervals treat the cases as standing for the force's cases in general; the document does not say how they were chosen, "
        "so they measure only the uncertainty of a sample of that size."
    )


def assumptions_description(note: str) -> str:
    """``assumptions.csv``'s description, ending with ``note`` (:func:`pairing_note`)."""
    return (
        "For each assumption about how the force's and the inspectors' grades of the same cases could go together, how many tables of case "
        "counts consistent with the published figures remain, and the exact smallest and largest value of each quantity that depends on "
        f"the pairing over them. {note}"
    )


def assumption_quantity_column(quantities: Sequence[str]) -> str:
    """The description of ``assumptions.csv``'s ``quantity`` column, naming the pairing-dependent ``quantities``."""
    return f"A quantity of identified.csv that depends on the pairing: {', '.join(quantities)}."


def sensitivity_description(note: str) -> str:
    """``sensitivity.csv``'s description, ending with ``note`` (:func:`pairing_note`)."""
    return (
        "The sign test of 'force better' against 'force worse' under the pairing least favourable to the finding, and how many of the "
        f"inspectors' grades would have to move one step towards the force's view for it to lose significance. {note}"
    )
