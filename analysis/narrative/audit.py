"""Sentences on the audit's figures as a whole: what the grade shares show, which cases the practice areas cover, the home page's overall sentence, and what the document says of how the cases were chosen.

Published tables (``grade_counts.csv``, ``grade_shares.csv``, ``sample_grades.csv``, ``cases.csv``) and the audit's own
metadata (:class:`~analysis.data.audit_package.AuditMeta`) in, sentences out.
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
from analysis.sections.audit import SAMPLE_LABELS
from analysis.stats.proportions import wilson_interval


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
