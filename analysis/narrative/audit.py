"""Sentences on the audit's figures as a whole: what the grade shares show, which cases the practice areas cover, the home page's overall sentence, and what the document says of how the cases were chosen.

Published tables (``grade_counts.csv``, ``grade_shares.csv``, ``sample_grades.csv``, ``cases.csv``) and the audit's own
metadata (:class:`~analysis.data.audit_package.AuditMeta`) in, sentences out. Also the words of those tables' descriptions
(``datapackage.json``) and of ``contents.csv``'s reasons, from plain values (the grade scale, sample names).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.narrative.style import (
    as_text,
    count_share,
    counts_in_words,
    date_range,
    graded_phrase,
    join_words,
    level_text,
    link,
    long_month,
    percent,
)
from analysis.stats.proportions import wilson_interval

#: Plain-English names of the graded samples, for tables and charts.
SAMPLE_LABELS: dict[tuple[str, str], str] = {
    ("force_selected", "force"): "Force-selected cases, graded by the force",
    ("force_selected", "hmicfrs"): "Force-selected cases, graded by HMICFRS",
    ("inspectorate_selected", "hmicfrs"): "Inspectorate-selected cases, graded by HMICFRS",
}


def _case_words(n: int) -> str:
    return "one case" if n == 1 else f"{n} cases"


def shares_sentence(shares: pd.DataFrame, meta) -> str:
    """One plain sentence (or two) on what the grade shares of ``grade_shares.csv`` do and do not show, for any package.

    Says how many groups are described, whether every count is pinned, and that the intervals
    measure only the uncertainty of a sample of that size: they hold for the force's cases in
    general only if the cases were drawn at random, which is said only where the document says so
    (``meta``: :class:`~analysis.data.audit_package.AuditMeta`).
    """
    known = shares[shares["of"].notna()]
    printed = shares[shares["of"].isna()]
    parts = []
    if len(known):
        groups = known.groupby(["sample", "rater", "area"], sort=False).ngroups
        pinned = bool((known["low"] == known["high"]).all())
        parts.append(
            f"The figures give each grade's share of {'one group' if groups == 1 else f'{groups} groups'} of cases"
            + (", every count pinned" if pinned else "; where they leave a count open, its share is a range")
            + f". Each {level_text()} interval is exact (Clopper-Pearson"
            + ("" if pinned else ", the union over every count the figures allow")
            + ") and measures only the uncertainty of a sample of that size"
        )
        random = [s for s in dict.fromkeys(known["sample"]) if meta.said_random(s)]
        parts[-1] += (
            ": the document says the cases were drawn at random, so the interval reaches the force's cases of that kind in general."
            if random and len(random) == len(set(known["sample"]))
            else "; it describes the force's work in general only as far as these cases stand for it, which the figures cannot show."
        )
    if len(printed):
        parts.append(
            f"{'One share is' if len(printed) == 1 else f'{len(printed)} shares are'} given as printed, with no count and no interval, "
            "because the document does not say how many cases it is of."
        )
    return " ".join(parts) if parts else "The figures give no grade shares."


def areas_sentence(counts: pd.DataFrame, cases: pd.DataFrame | None) -> str:
    """Which cases the practice areas cover, in words: all of them (with the case list) only where ``audit.json`` says the areas partition the cases.

    ``counts`` is ``grade_counts.csv`` (its groups in report order, each with its number of cases ``of``); ``cases`` is
    ``cases.csv`` when it is published (the areas partition every audited case), else ``None``.
    """
    groups = counts[(counts["sample"] == "all") & (counts["rater"] == "inspectorate")].drop_duplicates("area").set_index("area")["of"]
    areas = [a for a in groups.index if a]
    sizes = [int(groups[a]) for a in areas]
    low, high = min(sizes), max(sizes)
    each = f"{low} cases each" if low == high else f"from {low} to {high} cases each"
    if cases is not None:
        return (
            f"The report breaks all {int(groups[''])} cases into {len(areas)} practice areas, {each}. Because it gives each area's "
            f"grade counts, the area breakdown can be expanded exactly into one row per case: "
            f"`data/processed/cases.csv` has {len(cases)} rows with a practice area and an HMICFRS grade each."
        )
    total = int(groups[""]) if "" in groups.index else None
    which = f"The figures give the inspectors' grades in {'one practice area' if len(areas) == 1 else f'{len(areas)} practice areas'} " + (
        f"({_case_words(low)})" if len(areas) == 1 else f"({each}, {sum(sizes)} in all)"
    )
    of_all = f" of the {total} audited cases" if total is not None else ""
    return (
        f"{which}{of_all}. The document does not say that the areas cover every audited case once, so they are published as area "
        "figures only: no list of cases is made from them and they are not added up to the totals."
    )


def headline_overall(sample_grades: pd.DataFrame, grades: Sequence[str], random_force_selected: bool) -> str:
    """The home page's sentences on all audited cases (the inspectors' grades of both samples), from ``sample_grades.csv``.

    The cases as a whole are described, with no interval: the inspectors' own choice of cases is
    not described, so together they are not a random sample. Where the report says the
    force-selected cases were a random sample (``random_force_selected``), the inspectors' grades
    of those cases give the estimate for the force's cases in general, with its Wilson 95%
    interval in words. ``grades`` is the scale, best first.
    """
    from analysis.narrative.style import as_text

    hm = sample_grades[sample_grades["assessor"] == "hmicfrs"]
    total = hm.groupby("grade")["n"].sum()
    n = int(total.sum())
    worst, best, middle = grades[-1], grades[0], list(grades[1:-1])
    bad, good = int(total[worst]), int(total[best])
    rest = ""
    if middle:
        k = int(total[middle].sum())
        phrase = as_text(graded_phrase(middle[0])) if len(middle) == 1 else f"were graded {join_words([as_text(m) for m in middle], 'or')}"
        rest = f"; the rest, {count_share(k, n)}, {phrase}"
    text = f"Across all {n} audited cases the inspectors graded {count_share(bad, n)} {as_text(worst)} and {count_share(good, n)} {as_text(best)}{rest}. "
    if not random_force_selected:
        return (
            text
            + "The report does not say the cases were drawn at random, so these figures describe the audit, not the force's work in general."
        )
    fs = hm[hm["sample"] == "force_selected"].set_index("grade")["n"]
    n_fs, k_fs = int(fs.sum()), int(fs[worst])
    low, high = wilson_interval(k_fs, n_fs)
    return text + (
        "Together these cases are a description of the audit, not a random sample: the inspectors chose some of them themselves. "
        f"The {n_fs} cases the force selected were drawn at random, the report says; the inspectors graded {count_share(k_fs, n_fs)} of them "
        f"{as_text(worst)}, so for the force's cases in general the share {as_text(worst)} lies between {percent(low)} and {percent(high)}, with {level_text()} confidence."
    )


def selection_sentence(meta, *samples: str) -> str:
    """What the document says about how each of ``samples`` was chosen, quoted with its source; where it says nothing, that it does not.

    ``meta`` is the package's :class:`~analysis.data.audit_package.AuditMeta` (``audit.json``:
    ``samples.<sample>.selection``). Nothing is said of how cases were chosen beyond the quotation.
    """
    names = {
        "force_selected": "the cases the force selected",
        "inspectorate_selected": "the cases the inspectors selected",
        "all": "the audited cases",
    }
    parts = []
    for sample in samples:
        chosen = meta.selected(sample)
        if chosen is None:
            parts.append(f"The document does not say how {names[sample]} were chosen.")
        else:
            parts.append(
                f"On how {names[sample]} were chosen, the document says: \u201c{as_text(chosen.quote)}\u201d ({as_text(chosen.source)})."
            )
    return " ".join(parts)


def source_paragraph(source, meta, n_all: int | None) -> str:
    """Where every figure comes from: the report (title, publisher, month, link, ISBN, fieldwork dates) when the package has a source record, else the package's own title, sources and licence.

    ``source`` is the package's source record (``source.csv``'s one row) or ``None``; ``meta`` its
    :class:`~analysis.data.audit_package.AuditMeta`; ``n_all`` the number of audited cases (``None`` when not given). Markdown.
    """
    if source is not None:
        report_link = link("report on the inspectorate's website", source["url"])
        return (
            f"All figures come from *{as_text(source['title'])}*, published by {as_text(source['inspectorate'])} in {long_month(source['publication_month'])} "
            f"({report_link}, ISBN {as_text(source['isbn'])}). The inspection fieldwork ran from "
            f"{date_range(source['inspection_start'], source['inspection_end'])}. The case-file audit is in the report's section "
            f'"4. Case file analysis"; the overall grade totals for all {n_all} cases are also printed in its summary. '
            f"The report is published under the Open Government Licence v3.0."
        )
    where = join_words([link(title, url) for title, url in meta.sources])
    return f"All figures come from *{as_text(meta.title)}* ({as_text(meta.force)}, published {meta.published}): {where}. Licence: {as_text(meta.licence)}."


def samples_paragraph(samples: pd.DataFrame, grades: Sequence[str]) -> str:
    """Who chose and graded which cases, with each graded set's counts in words, from the samples' grade matrix (one row per graded set, a ``total`` column)."""
    force = samples.loc[SAMPLE_LABELS[("force_selected", "force")]]
    insp_same = samples.loc[SAMPLE_LABELS[("force_selected", "hmicfrs")]]
    insp_more = samples.loc[SAMPLE_LABELS[("inspectorate_selected", "hmicfrs")]]
    n_force, n_more = int(force["total"]), int(insp_more["total"])
    return (
        f"The force chose {n_force} of its own cases and graded them itself: {counts_in_words(force[list(grades)], n_force, grades)}. "
        f"The inspectors graded the same cases {counts_in_words(insp_same[list(grades)], n_force, grades)}. They also chose and graded "
        f"{n_more} further cases: {counts_in_words(insp_more[list(grades)], n_more, grades)}."
    )


def identities_sentence(identities: pd.DataFrame) -> str:
    """Whether every total the report prints is recomputed from the detailed figures (the identity table's ``holds`` column)."""
    if not identities["holds"].all():
        return f"{int((~identities['holds']).sum())} identities fail: see the table."
    if len(identities) > 1:
        return f"All {len(identities)} identities hold."
    return "The identity holds." if len(identities) else "The figures give no total to recompute."


def open_counts_sentence(counts: pd.DataFrame) -> str:
    """Whether the figures pin every count (``grade_counts.csv``: ``low`` equal to ``high`` everywhere), or how many they leave open."""
    open_ = counts[counts["low"] != counts["high"]]
    if open_.empty:
        return "The figures pin every count of every group of cases they describe."
    return (
        f"The figures leave {len(open_)} of the {len(counts)} counts open; each lies in the range below, and every table that "
        "depends on them gives its exact range over all counts consistent with the figures."
    )


# --------------------------------------------------------------------------- the tables' descriptions and reasons (datapackage.json, contents.csv)

#: Why a table of :mod:`analysis.sections.audit` is left out, when the figures cannot support it (``contents.csv``'s reason).
WHY_NOT: dict[str, str] = {
    "sample_grades.csv": "The figures do not give every grade's count for the force's and the inspectors' grading of the force-selected cases "
    "and the inspectors' grading of the inspectorate-selected cases; grade_counts.csv gives the range of each count they allow.",
    "area_grades.csv": "The figures do not give every grade's count in every practice area for all cases; grade_counts.csv gives the range of each count they allow.",
    "recommendations.csv": "The audit package has no recommendations.",
    "cases.csv": "The practice areas are not said to partition the audited cases (audit.json has no areas_partition), so no list of cases is made "
    "from them; area_grades.csv gives the areas' figures.",
    "grade_counts.csv": "No group of cases has a known size, so no count has a range; grade_shares.csv gives the shares as printed.",
}


def grade_note(grades: Sequence[str]) -> str:
    """The sentence every table's description ends with: the exact grade labels, best first."""
    return f"Grade labels are exactly: {', '.join(grades)} (best first)."


def unknown_sizes_note(samples: Sequence[str]) -> str:
    """What ``contents.csv`` adds to every reason when the document gives no number of cases for ``samples`` (``audit.json``:
    ``n_unknown``); empty when it gives every sample's."""
    if not samples:
        return ""
    return (
        f" The document gives no number of cases for {' or '.join(samples)} (audit.json: n_unknown), so its printed shares enter no count."
    )


def grade_counts_description(grades: Sequence[str]) -> str:
    """``grade_counts.csv``'s description, ending with the grade labels."""
    return (
        "For every group of cases the figures give or imply (a sample, graded by the force or the inspectors, in one practice area or all), "
        "the fewest and the most cases each grade can have under every set of counts consistent with all the published figures. "
        f"Where the figures print a count, or pin it through the totals, low equals high. {grade_note(grades)}"
    )


def grade_column(grades: Sequence[str]) -> str:
    """The description of ``grade_counts.csv``'s ``grade`` column: the scale."""
    return f"Grade: {', '.join(grades)}."


def grade_shares_title() -> str:
    """``grade_shares.csv``'s title, naming the intervals' level."""
    return f"Each grade's share of each group of cases, with its count and an exact {level_text()} interval"


def grade_shares_description(grades: Sequence[str]) -> str:
    """``grade_shares.csv``'s description, ending with the grade labels."""
    return (
        "For every group of cases the figures give or imply (a sample, graded by the force or the inspectors, in one practice area or all), "
        f"each grade's count range, its share of the group and an exact {level_text()} interval for the share. Where the document prints only "
        f"percentages of a sample whose number of cases it never gives, those percentages as printed. {grade_note(grades)}"
    )


def share_grade_column(grades: Sequence[str]) -> str:
    """The description of ``grade_shares.csv``'s ``grade`` column: the scale, and printed percentages of several grades."""
    return f"Grade: {', '.join(grades)}; for a printed percentage of several grades together, the grades joined by ' or '."


def share_ci_columns() -> tuple[str, str]:
    """The descriptions of ``grade_shares.csv``'s ``ci_low`` and ``ci_high`` columns, naming the level."""
    return (
        f"Lower end of the exact (Clopper-Pearson) {level_text()} interval of the share, at low (the lowest over the count's range); empty without a count.",
        f"Upper end of the exact {level_text()} interval, at high (the highest over the count's range); empty without a count.",
    )


def sample_grades_description(grades: Sequence[str]) -> str:
    """``sample_grades.csv``'s description, ending with the grade labels."""
    return (
        "Number of cases per grade for each graded sample: the force-selected cases as the force graded them and as HMICFRS graded them, "
        f"and the inspectorate-selected cases as HMICFRS graded them. {grade_note(grades)}"
    )


def sample_grade_column(grades: Sequence[str]) -> str:
    """The description of ``sample_grades.csv``'s ``grade`` column: the scale in words."""
    return f"Grade given: {join_words(grades, 'or')}."


def cases_description(grades: Sequence[str]) -> str:
    """``cases.csv``'s description, ending with the grade labels."""
    return (
        "Every audited case with its practice area and its HMICFRS grade, expanded exactly from the report's area-by-grade counts. "
        + grade_note(grades)
    )


def area_grades_description(grades: Sequence[str]) -> str:
    """``area_grades.csv``'s description, ending with the grade labels."""
    return f"Number of cases per HMICFRS grade in each practice area, over both samples together, in report order. {grade_note(grades)}"
