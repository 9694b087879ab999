"""The home page's sentences: the bottom line, the dates, the headline chart's caption, what the audit means and cannot tell.

Published tables in, sentences out: :mod:`analysis.site` reads the processed files and the source
record and passes them here; nothing in this module reads a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.grades import grade_slug
from analysis.narrative.style import (
    ALPHA,
    as_text,
    count_share,
    date_range,
    fixed,
    generosity,
    join_words,
    kindness,
    long_month,
    more_or_fewer,
    number_word,
    p_text,
    shown_to_differ,
)


@dataclass(frozen=True)
class SampleCounts:
    """Cases per grade in each graded sample, from ``sample_grades.csv``.

    ``force`` and ``hmicfrs_force_selected`` grade the same force-selected cases;
    ``hmicfrs_inspectorate_selected`` grades the further cases the inspectors chose.
    """

    force: dict[str, int]
    hmicfrs_force_selected: dict[str, int]
    hmicfrs_inspectorate_selected: dict[str, int]

    @property
    def grades(self) -> tuple[str, ...]:
        """The grade scale, best first."""
        return tuple(self.force)

    @property
    def best(self) -> str:
        return self.grades[0]

    @property
    def worst(self) -> str:
        return self.grades[-1]

    @property
    def n_force_selected(self) -> int:
        """Number of force-selected cases."""
        return sum(self.hmicfrs_force_selected.values())

    @property
    def n_inspectorate_selected(self) -> int:
        """Number of inspectorate-selected cases."""
        return sum(self.hmicfrs_inspectorate_selected.values())

    @property
    def n_all(self) -> int:
        """Number of audited cases."""
        return self.n_force_selected + self.n_inspectorate_selected

    @property
    def hmicfrs_all(self) -> dict[str, int]:
        """HMICFRS grades of all audited cases."""
        return {g: self.hmicfrs_force_selected[g] + self.hmicfrs_inspectorate_selected[g] for g in self.grades}


@dataclass(frozen=True)
class FrontPage:
    """What the home page says before the details: a bottom line, the dates, the headline figure's caption, a 'what this means' list."""

    bottom_line: str
    dates: str
    figure_caption: str
    meaning: tuple[str, ...]
    cannot_tell: tuple[str, ...]
    national: str
    chart_title: str


def inspection_summary(source: Mapping[str, Any], c: SampleCounts) -> str:
    """One sentence saying what was inspected, when, and how many case files were audited (source record and ``sample_grades.csv``)."""
    return (
        f"{source['inspectorate']} inspected how {source['force']} protects children, with fieldwork from "
        f"{date_range(source['inspection_start'], source['inspection_end'])}, and audited {c.n_all} case files: "
        f"{c.n_force_selected} that the force chose and graded itself, which the inspectors then graded again, "
        f"and {c.n_inspectorate_selected} more that the inspectors chose and graded alone."
    )


def front_page(
    source: Mapping[str, Any],
    c: SampleCounts,
    identified: pd.DataFrame,
    summary: pd.DataFrame,
    tests: pd.DataFrame,
    bounds: pd.DataFrame,
    national_text: str,
    as_of: str,
) -> FrontPage:
    """The home page's first screen from the published tables.

    ``source`` is the report's source record, ``c`` the graded samples (``sample_grades.csv``),
    then ``identified.csv``, ``area_summary.csv``, ``association_tests.csv`` and
    ``agreement_bounds.csv``; ``national_text`` is the national paragraph and ``as_of`` the date of
    the analysis, both already in words.
    """
    from analysis.narrative import self_assessment
    from analysis.sections.area_order import smallest_adjusted
    from analysis.sections.areas import family_grades

    idq = identified.set_index("quantity")
    n = c.n_force_selected
    better = int(idq.loc["n_force_better", "low"])
    gap, _ = self_assessment.sharper_gap(identified)
    share_better = float(idq.loc["share_force_better", "low"])
    how = kindness(float(gap["ci_low"]), float(gap["ci_high"]), share_better)
    bad = c.hmicfrs_all[c.worst]
    bottom = (
        f"{as_text(source['force'])} graded the {n} cases it selected {how} than the inspectors graded the same cases (at least {better} of the "
        f"{n} better, whatever the case-by-case pairing), and the inspectors graded {count_share(bad, c.n_all)} of all audited cases {as_text(c.worst)}."
    )
    dates = (
        f"Report published {long_month(str(source['publication_month']))}; inspection fieldwork "
        f"{date_range(source['inspection_start'], source['inspection_end'])}; analysis as of {as_of}."
    )
    # the gap in the share graded best; the count graded better is the bottom line's, said once on the page
    caption = (
        f"The {n} cases the force selected, graded by the force's own assessors and by the inspectors. "
        + self_assessment.gap_sentence(identified, n, c.grades)
    )
    po = tests[(tests["comparison"] == "force_vs_inspectorate_selected") & (tests["test"] == "proportional_odds")]
    holm_min = smallest_adjusted(summary)
    kappa_max = float(idq.loc["cohen_kappa", "high"])
    bounds = bounds.set_index("measure")
    same_lo, same_hi = int(bounds.loc["n_same", "min"]), int(bounds.loc["n_same", "max"])
    # each p-value on the page is named by its test, so that two equal values are not read as one
    family = family_grades(c.grades)
    k = len(summary) * len(family)
    holm_p = (
        f"the smallest Holm-adjusted p-value over all {number_word(k)} area-against-rest tests, {join_words([as_text(g) for g in family])} "
        f"alike, is {p_text(holm_min).removeprefix('p = ')}"
    )
    areas_text = (
        "No single area of practice can be singled out as worse than the rest once the small numbers and the number of areas compared "
        f"are allowed for ({holm_p})."
        if holm_min >= ALPHA
        else f"Even allowing for the number of areas compared, at least one area {shown_to_differ(holm_min)} from the rest ({holm_p})."
    )
    meaning = (
        f"The force's own check of its child protection work was {generosity(float(gap['ci_low']), float(gap['ci_high']), share_better)} "
        "the inspectors' view of the same files; the gap in the share graded "
        f"{as_text(c.best)} does not depend on the details the report leaves out.",
        f"Across the whole audit the inspectors graded {count_share(bad, c.n_all)} cases {as_text(c.worst)} and "
        f"{count_share(c.hmicfrs_all[c.best], c.n_all)} {as_text(c.best)}.",
        areas_text,
    )
    fs_worst = c.hmicfrs_force_selected[c.worst] / c.n_force_selected
    is_worst = c.hmicfrs_inspectorate_selected[c.worst] / c.n_inspectorate_selected
    chosen = ""
    if len(po):
        p = float(po["p_value"].iloc[0])
        chance = "which chance could explain" if p >= ALPHA else "more than chance alone would usually produce"
        chosen = (
            f"the inspectors graded {more_or_fewer(is_worst, fs_worst)} of their own cases {as_text(c.worst)} than of the force's "
            f"(proportional-odds test of the two samples over all grades: p = {fixed(p, 2)}), {chance}, and the report says the force's cases "
            "were a random sample."
        )
    cannot = (
        f"Exactly how often the force and the inspectors gave the same grade to an individual case: the report publishes only totals, "
        f"which allow anywhere from {same_lo} to {same_hi} of the {n} (assumptions that narrow this are on the self-assessment page). "
        "Agreement statistics such as kappa therefore come as ranges; "
        f"kappa's largest possible value here, {fixed(kappa_max, 2)}, does not mean that {100 * kappa_max:.0f}% of cases agreed (see the glossary).",
        f"How good the force's work is today, or across all of its cases: the audit covers {c.n_all} files, inspected in "
        f"{long_month(str(source['inspection_start'])[:7])}.",
        "Whether the force chose easier cases for its own sample" + (f": {chosen}" if chosen else "."),
    )
    return FrontPage(bottom, dates, caption, meaning, cannot, national_text, f"The force graded its own cases {how}")


def worst_holm_column(grades: tuple[str, ...]) -> str:
    """The ``area_summary.csv`` column of the Holm-adjusted area-against-rest p-values for the worst grade."""
    return f"vs_rest_p_holm_{grade_slug(grades[-1])}"
