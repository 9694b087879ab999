"""Tidy processed tables of the audit's figures: the range of every count, sample grades, the case table, areas and recommendations."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.data.audit_data import ASSESSORS, SAMPLES, AuditData
from analysis.data.audit_package import RATERS
from analysis.data.audit_package import SAMPLES as FIGURE_SAMPLES
from analysis.data.publish import Stage, TableSpec
from analysis.grades import grade_rank
from analysis.narrative import audit as words
from analysis.narrative.audit import SAMPLE_LABELS, WHY_NOT


def grade_counts(data: AuditData) -> pd.DataFrame:
    """``grade_counts.csv``: for every group of cases the figures give or imply, each grade's fewest and most cases.

    One row per (sample, rater, area, grade): ``low`` and ``high`` are the exact minimum and maximum
    of the count over every set of counts consistent with all the published figures (integer
    programming, :mod:`analysis.stats.consistent_set`); ``low = high`` where the figures pin it.
    Groups in the order samples, raters, areas (areas in report order, all areas first); grades best first.
    """
    fs = data.figures
    order = {a: i for i, a in enumerate(["", *data.practice_areas["practice_area"]])}
    keys = sorted(fs.groups, key=lambda g: (FIGURE_SAMPLES.index(g[0]), RATERS.index(g[1]), order.get(g[2], len(order)), g[2]))
    rows = []
    for key in keys:
        ranges = data.count_ranges(*key)
        for grade, (low, high) in zip(data.grades, ranges, strict=True):
            rows.append((*key, grade, int(low), int(high), int(fs.groups[key]), "yes" if key in fs.implied else "no"))
    frame = pd.DataFrame(rows, columns=["sample", "rater", "area", "grade", "low", "high", "of", "implied"])
    return frame.astype({"low": "int64", "high": "int64", "of": "int64"})


#: The columns of ``grade_shares.csv``, exactly and in this order.
SHARE_COLUMNS = ("sample", "rater", "area", "grade", "low", "high", "of", "share_low", "share_high", "ci_low", "ci_high")


def grade_shares(data: AuditData) -> pd.DataFrame:
    """``grade_shares.csv``: each grade's share of each group of cases the figures give, with its count and a 95% interval.

    One row per group (as in :func:`grade_counts`) and grade: ``low``/``high`` the count's exact
    range, ``of`` the group's size, ``share_low``/``share_high`` those over ``of``, and
    ``ci_low``/``ci_high`` the exact (Clopper-Pearson) 95% interval of the share where the count is
    pinned, and otherwise the union of those intervals over every count in the range (the exact
    limits are monotone in the count, so the union runs from the interval of ``low`` to that of
    ``high``). Then, for a sample whose size is unknown (``audit.json``: ``n_unknown``), each printed
    percentage as printed: ``share_low = share_high`` = the percentage over 100, its grade(s) as
    printed, and no count, size or interval.
    """
    from analysis.stats.proportions import proportion_interval

    counts = grade_counts(data)
    frame = counts.drop(columns="implied")
    of = frame["of"].to_numpy()
    frame["share_low"] = frame["low"].to_numpy() / of
    frame["share_high"] = frame["high"].to_numpy() / of
    frame["ci_low"] = proportion_interval(frame["low"].to_numpy(), of, method="exact")[0] if len(frame) else []
    frame["ci_high"] = proportion_interval(frame["high"].to_numpy(), of, method="exact")[1] if len(frame) else []
    extra = [
        (
            f.sample,
            f.rater,
            f.area,
            " or ".join(data.grades[i] for i in f.grades),
            pd.NA,
            pd.NA,
            pd.NA,
            float(f.printed) / 100,
            float(f.printed) / 100,
            np.nan,
            np.nan,
        )
        for f in data.figures.shares
    ]
    if extra:
        frame = pd.concat([frame, pd.DataFrame(extra, columns=list(SHARE_COLUMNS))], ignore_index=True)
    frame = frame.astype(
        {"low": "Int64", "high": "Int64", "of": "Int64", "share_low": float, "share_high": float, "ci_low": float, "ci_high": float}
    )
    return frame[list(SHARE_COLUMNS)].reset_index(drop=True)


def sample_grades(data: AuditData) -> pd.DataFrame:
    """Cases per grade for each graded sample and assessor, sorted by sample, assessor and grade (best first)."""
    frame = data.case_samples.copy()
    frame["_s"] = frame["sample"].map(SAMPLES.index)
    frame["_a"] = frame["assessor"].map(ASSESSORS.index)
    frame["_g"] = grade_rank(frame["grade"].astype(str), data.grades)
    frame = frame.sort_values(["_s", "_a", "_g"], kind="stable")
    out = frame[["sample", "assessor", "grade", "n"]].astype({"sample": str, "assessor": str, "grade": str})
    return out.reset_index(drop=True)


def sample_grade_matrix(data: AuditData) -> pd.DataFrame:
    """Wide table of cases per grade (columns best first, plus ``total``), one row per graded sample.

    Rows are indexed by the plain-English labels in :data:`analysis.narrative.audit.SAMPLE_LABELS`.
    """
    long = sample_grades(data)
    long["label"] = [SAMPLE_LABELS[(s, a)] for s, a in zip(long["sample"], long["assessor"], strict=True)]
    wide = long.pivot(index="label", columns="grade", values="n").reindex(index=list(SAMPLE_LABELS.values()), columns=list(data.grades))
    wide["total"] = wide.sum(axis=1)
    wide.index.name = "sample"
    wide.columns.name = None
    return wide


def area_grade_matrix(data: AuditData) -> pd.DataFrame:
    """Wide table of HMICFRS cases per grade by practice area (report order, indexed by label), plus ``total``."""
    long = area_table(data)
    wide = long.pivot(index="label", columns="grade", values="n")
    wide = wide.reindex(index=long["label"].drop_duplicates().tolist(), columns=list(data.grades))
    wide["total"] = wide.sum(axis=1)
    wide.index.name = "practice area"
    wide.columns.name = None
    return wide


def area_table(data: AuditData) -> pd.DataFrame:
    """HMICFRS grades by practice area with each area's label, in report order and grades best first."""
    areas = data.practice_areas[["practice_area", "report_order", "label"]]
    frame = data.area_grades.astype({"grade": str}).merge(areas, on="practice_area", how="left", validate="many_to_one")
    frame["_g"] = grade_rank(frame["grade"], data.grades)
    frame = frame.sort_values(["report_order", "_g"], kind="stable")
    return frame[["practice_area", "label", "grade", "n"]].reset_index(drop=True)


def case_table(data: AuditData) -> pd.DataFrame:
    """Expand the area-by-grade counts into one row per case (``case_id``, ``practice_area``, ``hmicfrs_grade``).

    This disaggregation is exact: the report gives each area's grade counts for all cases. The
    case identifiers are sequence numbers assigned here (areas in report order, grades best
    first); they are not the report's. No force grade or sample label is attached to a case,
    because the report does not publish which cases were force-selected or how the force graded
    any particular case.
    """
    areas = area_table(data)
    rows = [(r.practice_area, r.grade) for r in areas.itertuples(index=False) for _ in range(int(r.n))]
    width = max(2, len(str(len(rows))))
    return pd.DataFrame(
        {
            "case_id": [f"case_{i:0{width}d}" for i in range(1, len(rows) + 1)],
            "practice_area": [a for a, _ in rows],
            "hmicfrs_grade": [g for _, g in rows],
        }
    )


def recommendation_table(data: AuditData) -> pd.DataFrame:
    """One row per (recommendation, practice area it concerns), with chapter, deadline and summary."""
    recs = data.extra("recommendations").astype({"deadline": str})
    order = data.practice_areas.set_index("practice_area")["report_order"]
    frame = recs.merge(data.extra("recommendation_areas"), on="recommendation_id", how="inner", validate="one_to_many")
    frame["_r"] = frame["recommendation_id"].str[1:].astype(int)
    frame["_a"] = frame["practice_area"].map(order)
    frame = frame.sort_values(["_r", "_a"], kind="stable")
    cols = ["recommendation_id", "chapter_number", "chapter", "deadline", "practice_area", "summary"]
    return frame[cols].reset_index(drop=True)


def _partitioned(data: AuditData) -> bool:
    """Whether the practice areas of all cases are said to partition them (``areas_partition``), so they can be listed case by case."""
    return data.meta.areas_partition and data.has("all", "inspectorate")


def audit_tables(data: AuditData) -> dict[str, pd.DataFrame | str]:
    """The tidy tables of the audit as published: every count's range, sample grades, one row per case, area grades, recommendations.

    A table the figures cannot support is replaced by the sentence saying why (:data:`analysis.narrative.audit.WHY_NOT`).
    """
    pinned_areas = data.area_grades is not None
    return {
        "grade_counts.csv": grade_counts(data) if data.figures.groups else WHY_NOT["grade_counts.csv"],
        "grade_shares.csv": grade_shares(data),
        "sample_grades.csv": sample_grades(data) if data.case_samples is not None else WHY_NOT["sample_grades.csv"],
        "cases.csv": (case_table(data) if _partitioned(data) else WHY_NOT["cases.csv"]) if pinned_areas else WHY_NOT["area_grades.csv"],
        "area_grades.csv": area_table(data) if pinned_areas else WHY_NOT["area_grades.csv"],
        "recommendations.csv": recommendation_table(data) if data.extra("recommendations") is not None else WHY_NOT["recommendations.csv"],
    }


def audit_specs(data: AuditData) -> tuple[TableSpec, ...]:
    """The specs of :func:`audit_tables` for this audit's grade scale."""
    grades = data.grades
    ci_low, ci_high = words.share_ci_columns()
    return (
        TableSpec(
            "grade_counts.csv",
            "What the published figures allow for each count",
            words.grade_counts_description(grades),
            {
                "sample": "force_selected (cases the force selected and graded, graded again by the inspectors), inspectorate_selected (cases only the inspectors graded) or all (both together).",
                "rater": "force or inspectorate.",
                "area": "Practice area as in the figures; empty for all areas.",
                "grade": words.grade_column(grades),
                "low": "Fewest cases of the group with this grade consistent with every published figure.",
                "high": "Most cases of the group with this grade consistent with every published figure.",
                "of": "Number of cases in the group.",
                "implied": "yes for a group no figure names, implied by the others (e.g. the cases only the inspectors selected, as all cases less the force's); else no.",
            },
            (
                "Exact ranges by integer programming over every count consistent with the figures (scipy milp, HiGHS); nothing is estimated.",
            ),
        ),
        TableSpec(
            "grade_shares.csv",
            words.grade_shares_title(),
            words.grade_shares_description(grades),
            {
                "sample": "force_selected, inspectorate_selected or all, as in grade_counts.csv.",
                "rater": "force or inspectorate.",
                "area": "Practice area as in the figures; empty for all areas.",
                "grade": words.share_grade_column(grades),
                "low": "Fewest cases of the group with this grade consistent with every published figure; empty where the group's size is unknown.",
                "high": "Most cases of the group with this grade; empty where the group's size is unknown.",
                "of": "Number of cases in the group; empty where the document does not give it.",
                "share_low": "low / of: the smallest share; for a sample of unknown size, the printed percentage / 100.",
                "share_high": "high / of: the largest share; for a sample of unknown size, the printed percentage / 100.",
                "ci_low": ci_low,
                "ci_high": ci_high,
            },
            (
                "Where the count is pinned the interval is the Clopper-Pearson interval; where it is open, the union of the intervals over every count "
                "in its range (the limits are monotone in the count). The interval measures the uncertainty of a sample of that size only.",
            ),
        ),
        TableSpec(
            "sample_grades.csv",
            "Grades of each graded sample",
            words.sample_grades_description(grades),
            {
                "sample": "force_selected (cases the force chose and assessed itself) or inspectorate_selected (further cases HMICFRS chose).",
                "assessor": "force (the force's own assessors) or hmicfrs (the inspectorate).",
                "grade": words.sample_grade_column(grades),
                "n": "Number of cases in the sample given this grade by this assessor.",
            },
            ("Only marginal totals are published: which force grade goes with which HMICFRS grade, case by case, is not known.",),
        ),
        TableSpec(
            "cases.csv",
            "One row per audited case",
            words.cases_description(grades),
            {
                "case_id": "Sequence number assigned by this project (areas in report order, grades best first); not an identifier from the report.",
                "practice_area": "Practice area code (see practice_areas.csv in data/raw).",
                "hmicfrs_grade": "HMICFRS grade of the case's practice.",
            },
            (
                "This table deliberately has no force grade and no sample label per case: the report does not publish which cases the force selected, nor how the force graded any particular case.",
            ),
        ),
        TableSpec(
            "area_grades.csv",
            "HMICFRS grades by practice area",
            words.area_grades_description(grades),
            {
                "practice_area": "Practice area code.",
                "label": "Short label of the practice area.",
                "grade": "HMICFRS grade.",
                "n": "Number of cases in the area with this grade.",
            },
            ("The report does not split the areas between the force-selected and the inspectorate-selected samples.",),
        ),
        TableSpec(
            "recommendations.csv",
            "Recommendations and the practice areas they concern",
            "One row per recommendation and practice area it concerns, with the report chapter, the deadline and a summary in this project's words.",
            {
                "recommendation_id": "This project's number for the recommendation, in report order.",
                "chapter_number": "Report chapter holding the recommendation.",
                "chapter": "Title of that chapter.",
                "deadline": "When the report asks the force to act: immediately or within three months.",
                "practice_area": "Practice area the recommendation concerns (this project's reading; the report does not tag recommendations by area).",
                "summary": "What the recommendation asks, in this project's words.",
            },
        ),
    )


STAGE = Stage(name="audit", build=audit_tables, specs=audit_specs)
