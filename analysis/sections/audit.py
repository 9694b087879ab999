"""Tidy processed tables built from the raw audit data: sample grades, the case table, areas and recommendations."""

from __future__ import annotations

import pandas as pd

from analysis.data.load import ASSESSORS, SAMPLES, AuditData
from analysis.data.publish import Stage, TableSpec
from analysis.grades import GRADES, grade_rank

#: Plain-English names of the graded samples, for tables and charts.
SAMPLE_LABELS: dict[tuple[str, str], str] = {
    ("force_selected", "force"): "Force-selected cases, graded by the force",
    ("force_selected", "hmicfrs"): "Force-selected cases, graded by HMICFRS",
    ("inspectorate_selected", "hmicfrs"): "Inspectorate-selected cases, graded by HMICFRS",
}

GRADE_NOTE = "Grade labels are exactly: good, requires improvement, inadequate (best first)."


def sample_grades(data: AuditData) -> pd.DataFrame:
    """Cases per grade for each graded sample and assessor, sorted by sample, assessor and grade (best first)."""
    frame = data.case_samples.copy()
    frame["_s"] = frame["sample"].map(SAMPLES.index)
    frame["_a"] = frame["assessor"].map(ASSESSORS.index)
    frame["_g"] = grade_rank(frame["grade"].astype(str))
    frame = frame.sort_values(["_s", "_a", "_g"], kind="stable")
    out = frame[["sample", "assessor", "grade", "n"]].astype({"sample": str, "assessor": str, "grade": str})
    return out.reset_index(drop=True)


def sample_grade_matrix(data: AuditData) -> pd.DataFrame:
    """Wide table of cases per grade (columns best first, plus ``total``), one row per graded sample.

    Rows are indexed by the plain-English labels in :data:`SAMPLE_LABELS`.
    """
    long = sample_grades(data)
    long["label"] = [SAMPLE_LABELS[(s, a)] for s, a in zip(long["sample"], long["assessor"], strict=True)]
    wide = long.pivot(index="label", columns="grade", values="n").reindex(index=list(SAMPLE_LABELS.values()), columns=list(GRADES))
    wide["total"] = wide.sum(axis=1)
    wide.index.name = "sample"
    wide.columns.name = None
    return wide


def area_grade_matrix(data: AuditData) -> pd.DataFrame:
    """Wide table of HMICFRS cases per grade by practice area (report order, indexed by label), plus ``total``."""
    long = area_table(data)
    wide = long.pivot(index="label", columns="grade", values="n")
    wide = wide.reindex(index=long["label"].drop_duplicates().tolist(), columns=list(GRADES))
    wide["total"] = wide.sum(axis=1)
    wide.index.name = "practice area"
    wide.columns.name = None
    return wide


def area_table(data: AuditData) -> pd.DataFrame:
    """HMICFRS grades by practice area with each area's label, in report order and grades best first."""
    areas = data.practice_areas[["practice_area", "report_order", "label"]]
    frame = data.area_grades.astype({"grade": str}).merge(areas, on="practice_area", how="left", validate="many_to_one")
    frame["_g"] = grade_rank(frame["grade"])
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
    recs = data.recommendations.astype({"deadline": str})
    order = data.practice_areas.set_index("practice_area")["report_order"]
    frame = recs.merge(data.recommendation_areas, on="recommendation_id", how="inner", validate="one_to_many")
    frame["_r"] = frame["recommendation_id"].str[1:].astype(int)
    frame["_a"] = frame["practice_area"].map(order)
    frame = frame.sort_values(["_r", "_a"], kind="stable")
    cols = ["recommendation_id", "chapter_number", "chapter", "deadline", "practice_area", "summary"]
    return frame[cols].reset_index(drop=True)


def audit_tables(data: AuditData) -> dict[str, pd.DataFrame]:
    """The tidy tables of the audit as published: sample grades, one row per case, area grades, recommendations."""
    return {
        "sample_grades.csv": sample_grades(data),
        "cases.csv": case_table(data),
        "area_grades.csv": area_table(data),
        "recommendations.csv": recommendation_table(data),
    }


STAGE = Stage(
    name="audit",
    build=audit_tables,
    tables=(
        TableSpec(
            "sample_grades.csv",
            "Grades of each graded sample",
            "Number of cases per grade for each graded sample: the force-selected cases as the force graded them and as HMICFRS graded them, and the inspectorate-selected cases as HMICFRS graded them. "
            + GRADE_NOTE,
            {
                "sample": "force_selected (cases the force chose and assessed itself) or inspectorate_selected (further cases HMICFRS chose).",
                "assessor": "force (the force's own assessors) or hmicfrs (the inspectorate).",
                "grade": "Grade given: good, requires improvement or inadequate.",
                "n": "Number of cases in the sample given this grade by this assessor.",
            },
            ("Only marginal totals are published: which force grade goes with which HMICFRS grade, case by case, is not known.",),
        ),
        TableSpec(
            "cases.csv",
            "One row per audited case",
            "Every audited case with its practice area and its HMICFRS grade, expanded exactly from the report's area-by-grade counts. "
            + GRADE_NOTE,
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
            "Number of cases per HMICFRS grade in each practice area, over both samples together, in report order. " + GRADE_NOTE,
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
    ),
)


def headline_overall(sample_grades: pd.DataFrame) -> str:
    """The home page's sentence on all audited cases (the inspectors' grades of both samples), from ``sample_grades.csv``."""
    from analysis.stats.proportions import wilson_interval
    from analysis.text import count_share, interval_text

    hm = sample_grades[sample_grades["assessor"] == "hmicfrs"].groupby("grade")["n"].sum()
    n = int(hm.sum())

    def interval(k: int) -> str:
        return interval_text(*wilson_interval(k, n))

    bad, good, ri = int(hm["inadequate"]), int(hm["good"]), int(hm["requires improvement"])
    return (
        f"Across all {n} audited cases the inspectors graded {count_share(bad, n)} inadequate ({interval(bad)}) and "
        f"{count_share(good, n)} good ({interval(good)}); the rest, {count_share(ri, n)}, required improvement. The intervals treat "
        "the audited cases as a random sample of the force's work, which the mix of force-selected and inspector-selected cases only approximates."
    )
