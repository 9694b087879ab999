"""The words the national panel's tables and the funnels built from it carry: column descriptions, notes, method notes and reasons.

Plain values in (numbers, grades, ids, the names of analyses), strings out. :mod:`analysis.sections.panel`
(``national_panel.csv``, ``national_pairs.csv``, ``national_changes.csv``) and :mod:`analysis.sections.national`
(the funnel tables) call these while they build their tables and specs, so this module imports no section;
the sentences *about* those tables, read from the published files, are in :mod:`analysis.narrative.national`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from analysis.narrative.style import counted, level_text, noun

# --------------------------------------------------------------------------- small pieces


def forces_phrase(k: int) -> str:
    """A number of forces in words, the noun agreeing: ``"no force"``, ``"one force"``, ``"two forces"``, ..., ``"14 forces"``."""
    if k < 0:
        raise ValueError(f"a number of forces cannot be negative, got {k}")
    return "no force" if k == 0 else counted(k, "force")


def _ids_print(ids: Sequence[str]) -> str:
    """Documents' ids as the subject of "print", the verb agreeing: ``"a prints"``, ``"a and b print"``."""
    return f"{' and '.join(ids)} {noun(len(ids), 'prints', 'print')}"


# --------------------------------------------------------------------------- national_panel.csv

#: Why a row of a percentage printed for a sample of unknown size has no count and no interval.
NO_COUNT_REASON = "the document prints a percentage with no number of cases, so there is no count range and no interval"

#: Why a package without a national/ folder has no panel tables (nor funnels).
NO_PANEL_REASON = (
    "The audit package has no national/ folder of other audits' packages beside its files, so no national panel is built "
    "(python -m analysis panel --packages DIR builds one from any folder of packages)."
)


def panel_interval_column(confidence: float) -> str:
    """The description of ``national_panel.csv``'s ``ci_low``: the union of exact intervals at ``confidence``."""
    return (
        f"Lower end of the union of the exact (Clopper-Pearson) {level_text(confidence)} intervals of the share over every count from low to high "
        "(and every reading); empty without a count."
    )


def areas_only_reason(areas: Iterable[tuple[str, int | None]]) -> str:
    """Why a document that prints grades only for practice areas (sub-samples) has no usable row: each area, with its number of cases when printed."""
    named = "; ".join(f"{area}: {of} cases" if of else area for area, of in areas)
    return f"the document prints grades only for a sub-sample of the audited cases ({named}); practice areas are not in the panel"


# --------------------------------------------------------------------------- national_pairs.csv


def pair_bound_column(end: str, quantity: str) -> str:
    """The description of ``national_pairs.csv``'s ``<quantity>_low`` (``end`` ``"low"``) or ``_high`` column; ``quantity`` says what is bounded."""
    extreme = "Smallest" if end == "low" else "Largest"
    return (
        f"{extreme} {quantity} over every case-by-case table consistent with the published figures "
        "(and every reading, when sources disagree); empty when undefined on every table."
    )


def union_method(readings: int, method: str) -> str:
    """A pair's method note when its ranges are the union over ``readings`` readings of the figures (``method``: one reading's note)."""
    return f"union over {readings} readings; {method}"


# --------------------------------------------------------------------------- national_changes.csv


def change_columns(grade: str, confidence: float) -> dict[str, str]:
    """The descriptions of ``national_changes.csv``'s columns on ``grade``, by suffix (``low``, ``high``, ``ci_low``, ``ci_high``, ``words``)."""
    return {
        "low": f"Smallest change (later minus earlier) in the share of all cases graded {grade}, over every count each document allows.",
        "high": "Largest such change.",
        "ci_low": f"Lower end of the {level_text(confidence)} Newcombe hybrid score interval for the difference of two independent proportions, "
        "the union over every count each document allows; empty when a document prints no number of cases.",
        "ci_high": "Upper end of that union.",
        "words": "fell (the whole interval below zero), rose (above zero) or no clear change (analysis/words.py: change_words); empty without an interval.",
    }


def no_count_change_reason(ids: Sequence[str], grade: str) -> str:
    """Why a change has no interval: the documents ``ids`` print no number of cases for all cases graded ``grade``."""
    return f"{_ids_print(ids)} no number of cases for all cases graded {grade}, so there is no interval"


def no_share_change_reason(ids: Sequence[str], grade: str) -> str:
    """Why a change has no range at all: the documents ``ids`` print no share of all cases graded ``grade``."""
    return f"{_ids_print(ids)} no share of all cases graded {grade}"


# --------------------------------------------------------------------------- the funnel tables

#: Where a share can fall against a pair of funnel limits (the values of ``funnel_positions.csv``'s positions).
_POSITION_TEXT = "below_99.8, below_95, within_95, above_95 or above_99.8; a share exactly on a limit counts as inside"

#: The limits each kind of position is read against, as its column describes them.
_AGAINST: dict[str, str] = {
    "binomial": "the exact binomial limits around the analysis's target",
    "additive": "the additive random-effects limits target +/- z sqrt(target (1 - target) / n + tau2)",
    "multiplicative": "the multiplicative limits target +/- z sqrt(max(phi, 1) target (1 - target) / n)",
}


def overdispersion_analysis_description(name: str, winsor_level: float) -> str:
    """How one analysis of ``funnel_dispersion.csv`` estimates the over-dispersion, starting with its ``name``; the z-scores Winsorised at ``winsor_level``."""
    winsorised = f"Winsorised at {level_text(winsor_level)}"
    return {
        "all_sources": f"all_sources (the main analysis: every other force on the funnel whose count is pinned, z-scores {winsorised})",
        "not_winsorised": "not_winsorised (every other force on the funnel whose count is pinned, z-scores not Winsorised)",
        "without_secondary_sources": "without_secondary_sources (only the other forces with pinned counts whose every figure is quoted "
        f"from an inspectorate page, {winsorised})",
        "ranges_at_fewest": "ranges_at_fewest (sensitivity: every other force on the funnel, a count left as a range taken at its fewest, "
        f"{winsorised})",
        "ranges_at_most": f"ranges_at_most (sensitivity: as ranges_at_fewest, each range taken at its most cases, {winsorised})",
    }[name]


def analysis_column(descriptions: Iterable[str]) -> str:
    """The description of the funnel tables' ``analysis`` column: every analysis's description (:func:`overdispersion_analysis_description`), in order."""
    return "How the over-dispersion is estimated: " + "; ".join(descriptions) + "."


def confidence_column(levels: Iterable[float]) -> str:
    """The description of a funnel table's ``confidence`` column: the two-sided levels, as numbers."""
    return "Two-sided confidence level of the limits: " + " or ".join(f"{c:g}" for c in levels) + "."


def position_column(kind: str, depends: str) -> str:
    """The description of ``funnel_positions.csv``'s ``position_<kind>``; ``depends`` is the value of a position a range of counts leaves open."""
    return (
        f"Where the share falls against {_AGAINST[kind]}: {_POSITION_TEXT}; {depends} when the document's count is a range whose counts "
        "fall in different places (position_<kind>_low and _high say where)."
    )


def too_few_forces_reason(compared: str, others: int, entering: int) -> str:
    """Why an over-dispersion analysis cannot be made: the funnel holds ``others`` forces besides ``compared``, of which ``entering`` can enter the estimate.

    With fewer than two other forces on the funnel it says so; else how many of them (none, or only one) the analysis can use.
    """
    if others < 2:
        return f"The funnel holds {forces_phrase(others)} besides {compared}: the spread between forces cannot be estimated from fewer than two."
    which = "None" if entering == 0 else f"Only {forces_phrase(entering)}"
    return (
        f"{which} of the {others} other forces on the funnel can enter this analysis's estimate: "
        "the spread between forces cannot be estimated from fewer than two."
    )


def no_target_reason(scale: Sequence[str], measure: str) -> str:
    """Why the funnel tables are not written: no other force's full inspection on ``scale`` pins the count of all cases graded ``measure``."""
    return (
        f"No other force's full inspection graded {', '.join(scale)} pins the count of all cases graded {measure}, "
        "so the funnels have no target."
    )


def _levels(levels: Iterable[float]) -> str:
    return " and ".join(level_text(c) for c in levels)


def funnel_limits_description(n_low: int, n_high: int, levels: Iterable[float]) -> str:
    """The description of ``funnel_limits.csv``: limits for every number of cases from ``n_low`` to ``n_high`` at each of ``levels``."""
    return (
        f"Control limits around the pooled share of the other forces' full inspections, for each number of cases from {n_low} to {n_high}: "
        f"exact binomial limits with Spiegelhalter's (2005) interpolation and Wilson-score limits (PHE Fingertips), at {_levels(levels)} confidence."
    )


def tau2_interval_columns(confidence: float) -> dict[str, str]:
    """The descriptions of ``funnel_dispersion.csv``'s ``tau2_low`` and ``tau2_high``: the ends of tau2's Q-profile interval at ``confidence``."""
    return {
        "tau2_low": f"Lower end of the {level_text(confidence)} Q-profile interval for tau2 (Viechtbauer 2007), from the forces' shares not "
        "Winsorised; 0 when the data are consistent with no spread between forces.",
        "tau2_high": f"Upper end of that {level_text(confidence)} Q-profile interval for tau2.",
    }


def funnel_key(levels: Sequence[float]) -> str:
    """The part of the funnel chart's key that names its limit lines: dashed and dotted at the two ``levels``."""
    return f"Solid line: pooled share of the other forces' pinned counts; dashed and dotted: {_levels(levels)} limits"


def interval_axis(measure: str, confidence: float) -> str:
    """The axis title of a chart of shares with their Wilson intervals at ``confidence``."""
    return f"Share graded {measure} ({level_text(confidence)} Wilson interval)"


def funnel_dispersion_description(winsor_level: float) -> str:
    """The description of ``funnel_dispersion.csv``; the main analysis Winsorises at ``winsor_level``."""
    return (
        "For each funnel (share inadequate, share good) and each way of estimating it: the number of other forces used, the pooled "
        "target, Spiegelhalter's (2005) dispersion statistic phi from the Winsorised z-scores with its chi-squared test, and the "
        f"between-force variance tau2 of the additive random-effects model. The main analysis Winsorises at {level_text(winsor_level)}; the "
        "others show what changes without Winsorisation and without the figures known only from secondary coverage."
    )


def funnel_limits_overdispersed_description(n_low: int, n_high: int) -> str:
    """The description of ``funnel_limits_overdispersed.csv``: limits for every number of cases from ``n_low`` to ``n_high``."""
    return (
        f"For each funnel, each confidence level and each number of cases from {n_low} to {n_high}: the exact binomial limits and, "
        "around the same target, the additive random-effects limits (with tau2) and the multiplicative limits (with phi, at least 1) "
        "of the main analysis in funnel_dispersion.csv (Spiegelhalter 2005)."
    )
