"""Gwent's audit among other forces' child protection inspections: the documents, their shares, funnels and views.

The other forces' figures come from ``data/raw/national_audits.csv`` (read strictly against its
schema, then checked here for internal consistency); Gwent's 2019 figures come from this
project's own raw tables through :func:`analysis.data.load.load_audit`, never typed in twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.data.load import AuditData
from analysis.data.publish import Stage, TableSpec
from analysis.data.validate import CURRENT_SCALE, FOLLOW_UP_TYPES, NATIONAL_INT_COLUMNS, SELF_FORCE, SELF_HMICFRS, USABLE
from analysis.stats import funnel

#: Source kinds that are not the inspectorate's own website.
SECONDARY_KINDS: tuple[str, ...] = ("reproduced_release", "news")
#: Proportions tabulated and plotted, by the count column each needs.
MEASURES: dict[str, str] = {"good": "good", "requires_improvement": "requires_improvement", "inadequate": "inadequate"}
#: Measures drawn as funnels.
FUNNEL_MEASURES: tuple[str, ...] = ("inadequate", "good")
#: Numbers of cases at which the funnel limits are tabulated.
FUNNEL_N = range(20, 121)


def gwent_document(data: AuditData) -> pd.DataFrame:
    """Gwent's 2019 inspection as one row with the national table's columns, from this project's raw data.

    All cases (HMICFRS grades of both samples) give the overall counts; the force-selected sample,
    graded by the force and again by HMICFRS, gives the self-assessment columns.
    """
    src = data.source
    allc = data.counts("all", "inspectorate")
    force, insp = data.counts("force_selected", "force"), data.counts("force_selected", "inspectorate")
    good, ri, bad = (data.grades.index(g) for g in ("good", "requires improvement", "inadequate"))
    year = str(src["publication_month"])[:4]
    row = {col: pd.NA for col in NATIONAL_INT_COLUMNS}
    row.update(
        document_id=f"gwent_{year}_inspection",
        force="Gwent",
        document_type="inspection",
        published=str(src["publication_month"]),
        fieldwork=str(src["inspection_start"])[:7],
        grade_scale=CURRENT_SCALE,
        n_cases=data.total("cases_all"),
        good=int(allc[good]),
        requires_improvement=int(allc[ri]),
        inadequate=int(allc[bad]),
        n_self_assessed=data.total("cases_force_selected"),
        self_force_good=int(force[good]),
        self_force_ri=int(force[ri]),
        self_force_inadequate=int(force[bad]),
        self_hmicfrs_good=int(insp[good]),
        self_hmicfrs_ri=int(insp[ri]),
        self_hmicfrs_inadequate=int(insp[bad]),
        source_kind="inspectorate_report",
        source_outlet="HMICFRS",
        source_url=str(src["url"]),
        other_urls=None,
        location="report section on the case file analysis",
        flags=None,
        treatment="used",
        note="From this project's raw data (figures.csv, source.csv).",
    )
    frame = pd.DataFrame([row])
    for col in NATIONAL_INT_COLUMNS:
        frame[col] = frame[col].astype("Int64")
    return frame


def documents(data: AuditData) -> pd.DataFrame:
    """Every document: the national table plus Gwent's row, with ``year``, ``secondary`` and ``is_gwent``.

    Sorted by force, publication date and identifier.
    """
    national = data.national_audits
    gwent = gwent_document(data)[list(national.columns)]
    frame = pd.concat([national, gwent], ignore_index=True)
    for col in NATIONAL_INT_COLUMNS:
        frame[col] = frame[col].astype("Int64")
    frame["year"] = frame["published"].str[:4].astype("int64")
    frame["secondary"] = frame["source_kind"].isin(SECONDARY_KINDS)
    frame["is_gwent"] = frame["force"].eq("Gwent")
    return frame.sort_values(["force", "published", "document_id"], kind="stable").reset_index(drop=True)


def _usable(frame: pd.DataFrame) -> pd.Series:
    return frame["treatment"].isin(USABLE) & frame["grade_scale"].eq(CURRENT_SCALE)


def add_shares(frame: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Add ``share_<measure>`` and its Wilson interval (``wilson_low_<measure>``, ``wilson_high_<measure>``) for each measure of :data:`MEASURES`.

    A share is computed only for usable rows (:data:`USABLE`, current scale) whose count and number
    of cases are both stated; otherwise it is left empty. Interval: Wilson score (statsmodels),
    see :func:`analysis.stats.funnel.wilson_interval`.
    """
    out = frame.copy()
    usable = _usable(out)
    for measure, col in MEASURES.items():
        share, low, high = [], [], []
        for ok, count, n in zip(usable, out[col], out["n_cases"], strict=True):
            if ok and pd.notna(count) and pd.notna(n):
                lo, hi = funnel.wilson_interval(int(count), int(n), confidence)
                share.append(int(count) / int(n))
                low.append(lo)
                high.append(hi)
            else:
                share.append(np.nan)
                low.append(np.nan)
                high.append(np.nan)
        out[f"share_{measure}"] = share
        out[f"wilson_low_{measure}"] = low
        out[f"wilson_high_{measure}"] = high
    return out


def funnel_points(docs: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Documents that go on the funnel of ``measure``: full inspections, usable, with that count and n stated.

    Follow-up documents (reviews, updates) are never included; ``partial`` rows only when the
    measure's own count is stated. Adds ``count``, ``n`` and ``share``.
    """
    col = MEASURES[measure]
    mask = docs["document_type"].eq("inspection") & _usable(docs) & docs[col].notna() & docs["n_cases"].notna()
    points = docs.loc[mask].copy()
    points["count"] = points[col].astype("int64")
    points["n"] = points["n_cases"].astype("int64")
    points["share"] = points["count"] / points["n"]
    return points.reset_index(drop=True)


def funnel_target(points: pd.DataFrame, confidence: float = 0.95) -> funnel.PooledEstimate:
    """The funnel's target: the pooled share over the other forces' documents on the funnel (Gwent left out).

    Leaving Gwent out makes the benchmark independent of the force being compared. See
    :func:`analysis.stats.funnel.pooled_estimate` for the interval and the over-dispersion test.
    """
    others = points.loc[~points["is_gwent"]]
    return funnel.pooled_estimate(others["count"].tolist(), others["n"].tolist(), confidence)


def with_positions(points: pd.DataFrame, target: float, method: str = "exact_binomial") -> pd.DataFrame:
    """Add ``position`` (see :data:`analysis.stats.funnel.POSITIONS`) of each funnel point against ``target``."""
    out = points.copy()
    out["position"] = [funnel.position(c, n, target, method) for c, n in zip(out["count"], out["n"], strict=True)]
    return out


def funnel_limit_table(docs: pd.DataFrame, n_values=FUNNEL_N) -> pd.DataFrame:
    """Funnel limits for every measure of :data:`FUNNEL_MEASURES`, both methods, both confidence levels, over ``n_values``."""
    parts = []
    for measure in FUNNEL_MEASURES:
        target = funnel_target(funnel_points(docs, measure)).share
        table = funnel.funnel_limits(target, n_values)
        table.insert(0, "measure", measure)
        parts.append(table)
    return pd.concat(parts, ignore_index=True)


PROCESSED_COLUMNS: dict[str, str] = {
    "document_id": "This project's identifier of the document.",
    "force": "Police force (short name).",
    "document_type": "inspection, post_inspection_review or post_inspection_update (see data/raw/datapackage.json).",
    "published": "Publication date as far as the source states it (YYYY-MM-DD, YYYY-MM or YYYY).",
    "year": "Year of publication.",
    "grade_scale": "good_ri_inadequate (comparable with Gwent 2019), good_adequate_inadequate (2014-15) or area_judgements (later framework).",
    "source_kind": "inspectorate_report, inspectorate_release, reproduced_release or news.",
    "secondary": "True when the source is not the inspectorate's own website (reproduced release or news).",
    "source_outlet": "Who published the source page.",
    "source_url": "Address of the source page.",
    "n_cases": "Cases audited, as stated (empty if not stated).",
    "good": "Cases graded good, as stated.",
    "requires_improvement": "Cases graded requires improvement, as stated.",
    "inadequate": "Cases graded inadequate, as stated.",
    "ri_or_inadequate": "Combined requires-improvement-or-inadequate count where only that is stated.",
    "share_good": "good / n_cases (usable rows with both stated).",
    "wilson_low_good": "Lower end of the 95% Wilson interval of share_good.",
    "wilson_high_good": "Upper end of the 95% Wilson interval of share_good.",
    "share_requires_improvement": "requires_improvement / n_cases (usable rows with both stated).",
    "wilson_low_requires_improvement": "Lower end of the 95% Wilson interval of share_requires_improvement.",
    "wilson_high_requires_improvement": "Upper end of the 95% Wilson interval of share_requires_improvement.",
    "share_inadequate": "inadequate / n_cases (usable rows with both stated).",
    "wilson_low_inadequate": "Lower end of the 95% Wilson interval of share_inadequate.",
    "wilson_high_inadequate": "Upper end of the 95% Wilson interval of share_inadequate.",
    "flags": "Known problems, ';'-separated codes (see data/raw/datapackage.json).",
    "treatment": "How the row's counts are used: used, used_with_caution, partial, or an excluded_* reason.",
    "in_funnel_inadequate": "True when the document is a point on the funnel of the share inadequate.",
    "funnel_inadequate_position": "Where the point falls against the exact binomial limits: below_99.8, below_95, within_95, above_95 or above_99.8.",
    "in_funnel_good": "True when the document is a point on the funnel of the share good.",
    "funnel_good_position": "Where the point falls against the exact binomial limits (as funnel_inadequate_position).",
    "is_gwent": "True for Gwent's 2019 inspection (from this project's own raw data).",
}

LIMIT_COLUMNS: dict[str, str] = {
    "measure": "inadequate or good: the share of cases with that grade.",
    "method": "exact_binomial (Spiegelhalter 2005 interpolated exact limits) or wilson (PHE Fingertips Wilson-score limits).",
    "confidence": "Two-sided confidence level of the limits: " + " or ".join(f"{c:g}" for c in funnel.CONFIDENCE_LEVELS) + ".",
    "n": "Number of cases audited.",
    "target": "Pooled share over the other forces' inspections on the funnel (Gwent left out).",
    "lower": "Lower control limit (a share).",
    "upper": "Upper control limit (a share).",
}


def national_table(docs: pd.DataFrame) -> pd.DataFrame:
    """The processed table: one row per document with shares, Wilson intervals, funnel membership and position."""
    frame = add_shares(docs)
    for measure in FUNNEL_MEASURES:
        points = funnel_points(docs, measure)
        target = funnel_target(points).share
        placed = with_positions(points, target).set_index("document_id")["position"]
        frame[f"in_funnel_{measure}"] = frame["document_id"].isin(placed.index)
        frame[f"funnel_{measure}_position"] = frame["document_id"].map(placed)
    return frame[list(PROCESSED_COLUMNS)].reset_index(drop=True)


def before_after(docs: pd.DataFrame) -> pd.DataFrame:
    """Forces with a usable full inspection and a usable later document: both rows, inspection first.

    Columns: ``force``, ``stage`` (inspection / follow-up), ``document_id``, ``document_type``,
    ``year``, ``n_cases``, the counts, shares and Wilson intervals (see :func:`add_shares`).
    """
    frame = add_shares(docs)
    usable = _usable(frame) & frame["n_cases"].notna()
    insp = set(frame.loc[usable & frame["document_type"].eq("inspection"), "force"])
    follow = set(frame.loc[usable & frame["document_type"].isin(FOLLOW_UP_TYPES), "force"])
    both = sorted(insp & follow)
    out = frame.loc[usable & frame["force"].isin(both)].copy()
    out["stage"] = np.where(out["document_type"].eq("inspection"), "inspection", "follow-up")
    out = out.sort_values(["force", "published"], kind="stable")
    cols = ["force", "stage", "document_id", "document_type", "year", "n_cases", "good", "inadequate", "secondary", "treatment"]
    cols += [f"{kind}_{m}" for m in ("good", "inadequate") for kind in ("share", "wilson_low", "wilson_high")]
    return out[cols].reset_index(drop=True)


def unmatched_follow_ups(docs: pd.DataFrame) -> pd.DataFrame:
    """Forces that have both an inspection and a later document, but not both usable: force and reasons."""
    rows = []
    kinds = docs.assign(kind=np.where(docs["document_type"].eq("inspection"), "inspection", "follow-up"))
    usable = _usable(kinds) & kinds["n_cases"].notna()
    ok = set(before_after(docs)["force"])
    for force, part in kinds.groupby("force", sort=True):
        if force in ok or set(part["kind"]) != {"inspection", "follow-up"}:
            continue
        bad = part.loc[~usable.loc[part.index]]
        rows.append(
            {"force": force, "unusable": "; ".join(f"{d} ({t})" for d, t in zip(bad["document_id"], bad["treatment"], strict=True))}
        )
    return pd.DataFrame(rows, columns=["force", "unusable"])


def self_assessment(docs: pd.DataFrame) -> pd.DataFrame:
    """Documents that publish a force's own grading beside the inspectors' grading of the same cases.

    The comparable measure is the share of those cases *not* graded requires improvement or
    inadequate (good, or adequate where that grade was used). From counts where published (the
    share is taken over the published counts' own total, flagged when that differs from the
    number self-assessed); from published percentages otherwise (``basis`` says which). No
    interval is given for a share known only as a rounded percentage.
    """
    rows = []
    for _, r in docs.loc[docs["n_self_assessed"].notna()].iterrows():
        n = int(r["n_self_assessed"])
        rec = {
            "document_id": r["document_id"],
            "force": r["force"],
            "year": int(r["year"]),
            "is_gwent": bool(r["is_gwent"]),
            "n_self_assessed": n,
        }
        for who, cols, pct_col, pct_is_top in (
            ("force", SELF_FORCE, "self_force_pct_good_or_adequate", True),
            ("hmicfrs", SELF_HMICFRS, "self_hmicfrs_pct_ri_or_inadequate", False),
        ):
            values = r[cols]
            if values.notna().any():
                total = int(values.dropna().sum())
                top = int(values.iloc[:2].dropna().sum())
                rec[f"{who}_top"] = top
                rec[f"{who}_total"] = total
                rec[f"{who}_share"] = top / total
                rec[f"{who}_basis"] = "counts"
            elif pd.notna(r[pct_col]):
                pct = int(r[pct_col])
                rec[f"{who}_top"] = pd.NA
                rec[f"{who}_total"] = pd.NA
                rec[f"{who}_share"] = (pct if pct_is_top else 100 - pct) / 100
                rec[f"{who}_basis"] = "percentage"
            else:
                rec.update({f"{who}_top": pd.NA, f"{who}_total": pd.NA, f"{who}_share": np.nan, f"{who}_basis": "not published"})
        rec["counts_add_up"] = all(pd.isna(rec[f"{w}_total"]) or rec[f"{w}_total"] == n for w in ("force", "hmicfrs"))
        rec["grade_scale"] = r["grade_scale"]
        rec["flags"] = r["flags"]
        rows.append(rec)
    return pd.DataFrame(rows).sort_values(["year", "force"], kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class ForceCoverage:
    """Which forces the stored material covers, and how the grading scale changed over the years."""

    all_forces: tuple[str, ...]
    full: tuple[str, ...]
    partial: tuple[str, ...]
    missing: tuple[str, ...]
    scales: pd.DataFrame


def force_coverage(data: AuditData, docs: pd.DataFrame) -> ForceCoverage:
    """Forces with a complete grade split (any document), with only partial figures, and with none.

    The list of forces is the ``force`` field's allowed values in the data package (the 43
    territorial forces of England and Wales). ``scales`` gives, per grading scale, the first and
    last publication year and the number of documents.
    """
    forces = tuple(sorted(data.field_enum("national_audits", "force")))
    complete = docs["treatment"].isin(("used", "used_with_caution")) & docs["grade_scale"].eq(CURRENT_SCALE)
    full = tuple(sorted(set(docs.loc[complete, "force"])))
    partial = tuple(sorted(set(docs["force"]) - set(full)))
    missing = tuple(f for f in forces if f not in set(docs["force"]))
    scales = (
        docs.groupby("grade_scale", sort=False)
        .agg(first_year=("year", "min"), last_year=("year", "max"), documents=("document_id", "count"))
        .sort_values("first_year")
        .reset_index()
    )
    return ForceCoverage(forces, full, partial, missing, scales)


def national_tables(data: AuditData) -> dict[str, pd.DataFrame | str]:
    """``national_audits.csv`` (every document with shares and funnel positions) and ``funnel_limits.csv`` (Gwent's package only)."""
    if data.national_audits is None or data.counts("all", "inspectorate") is None:
        why = "The audit package has no table of other forces' audits to compare with (Gwent's package does)."
        return {"national_audits.csv": why, "funnel_limits.csv": why}
    docs = documents(data)
    return {"national_audits.csv": national_table(docs), "funnel_limits.csv": funnel_limit_table(docs)}


def _specs(data: AuditData) -> tuple[TableSpec, ...]:
    return _SPECS


_SPECS = (
    TableSpec(
        "national_audits.csv",
        "Case-audit results of national child protection inspections, by document",
        "One row per document in data/raw/national_audits.csv plus Gwent's 2019 inspection (from this project's own raw data): the stated counts, "
        "the shares with 95% Wilson intervals, the source and its kind, flags, how each row is treated, and where it falls on the funnel plots.",
        PROCESSED_COLUMNS,
        (
            "Shares are computed only for rows treated used, used_with_caution or partial on the good / requires improvement / inadequate scale, and only where the count and the number of cases are both stated; nothing is inferred.",
            "Funnels hold full inspections only; post-inspection reviews and updates audit smaller, differently chosen samples and are never pooled with inspections.",
            "Every other force's inspection figure comes from secondary coverage; only Gwent's comes from the inspectorate's report.",
        ),
    ),
    TableSpec(
        "funnel_limits.csv",
        "Funnel-plot control limits for the share of cases graded inadequate and good",
        "Control limits around the pooled share of the other forces' full inspections, for each number of cases from "
        + f"{FUNNEL_N.start} to {FUNNEL_N.stop - 1}: exact binomial limits "
        "with Spiegelhalter's (2005) interpolation and Wilson-score limits (PHE Fingertips), at "
        + " and ".join(f"{c:.1%}".replace(".0%", "%") for c in funnel.CONFIDENCE_LEVELS)
        + " confidence.",
        LIMIT_COLUMNS,
        (
            "The target leaves Gwent out, so that Gwent is compared with the other forces rather than partly with itself.",
            "The limits assume every force has the target share and differ only by chance; the notebook reports a test of over-dispersion.",
        ),
    ),
)

STAGE = Stage(name="national", build=national_tables, specs=_specs)


#: Plain words for each funnel position (see :data:`analysis.stats.funnel.POSITIONS`).
POSITION_WORDS: dict[str, str] = {
    "below_99.8": "below the outer (99.8%) limit",
    "below_95": "below the inner (95%) limit but inside the outer (99.8%) one",
    "within_95": "inside the inner (95%) limits",
    "above_95": "above the inner (95%) limit but inside the outer (99.8%) one",
    "above_99.8": "above the outer (99.8%) limit",
}

DOCUMENT_WORDS = {
    "inspection": "Inspection",
    "post_inspection_review": "Post-inspection review",
    "post_inspection_update": "Quarterly update",
}
TREATMENT_WORDS = {
    "used": "used",
    "used_with_caution": "used with caution",
    "partial": "partial: stated counts only",
    "excluded_scale": "excluded: earlier scale",
    "excluded_framework": "excluded: later framework",
    "excluded_inconsistent": "excluded: sources disagree",
    "excluded_no_counts": "excluded: percentages only",
}


def _int_text(value) -> str:
    return "–" if pd.isna(value) else str(int(value))


def other_figures(row: pd.Series) -> str:
    """Figures a row states besides the three counts (combined count, percentages, conflicting values), in words."""
    parts = []
    if pd.notna(row["ri_or_inadequate"]):
        parts.append(f"requires improvement or inadequate together: {int(row['ri_or_inadequate'])}")
    if pd.notna(row["pct_good_stated"]):
        parts.append(f"good: {int(row['pct_good_stated'])}%")
    if pd.notna(row["n_cases_alternative"]):
        parts.append(f"another source: {int(row['n_cases_alternative'])} cases")
    if pd.notna(row["inadequate_alternative"]):
        parts.append(f"another source: {int(row['inadequate_alternative'])} inadequate")
    if pd.notna(row["n_self_assessed"]):
        parts.append(f"self-assessment of {int(row['n_self_assessed'])} cases")
    return "; ".join(parts)


def sources_table(docs: pd.DataFrame) -> pd.DataFrame:
    """Display table of every document: year, force, kind, counts, other figures, linked source, flags, treatment.

    Sorted by year, force and publication date; the source column is an HTML link labelled with
    the publisher, so the table must be rendered without escaping.
    """
    frame = docs.sort_values(["year", "force", "published"], kind="stable")
    return pd.DataFrame(
        {
            "Year": frame["year"].astype(int),
            "Force": frame["force"],
            "Document": frame["document_type"].map(DOCUMENT_WORDS),
            "Cases": frame["n_cases"].map(_int_text),
            "Good": frame["good"].map(_int_text),
            "Requires improvement": frame["requires_improvement"].map(_int_text),
            "Inadequate": frame["inadequate"].map(_int_text),
            "Other figures stated": [other_figures(r) for _, r in frame.iterrows()],
            "Source": [
                f'<a href="{u}">{o}</a> ({"secondary" if s else "inspectorate"})'
                for u, o, s in zip(frame["source_url"], frame["source_outlet"], frame["secondary"], strict=True)
            ],
            "Flags": frame["flags"].fillna("").str.replace(";", ", ").str.replace("_", " "),
            "Treatment": frame["treatment"].map(TREATMENT_WORDS),
        }
    ).reset_index(drop=True)


def grading_text(row: pd.Series, who: str) -> str:
    """A self-assessment grading as published: counts per grade ("27 good, 6 requires improvement, ...") or the percentage."""
    cols = SELF_FORCE if who == "force" else SELF_HMICFRS
    names = ("good", "adequate", "requires improvement", "inadequate")
    if row[cols].notna().any():
        text = ", ".join(f"{int(row[c])} {g}" for c, g in zip(cols, names, strict=True) if pd.notna(row[c]))
        total = int(row[cols].dropna().sum())
        return text + ("" if total == row["n_self_assessed"] else f" (these add to {total})")
    if who == "force" and pd.notna(row["self_force_pct_good_or_adequate"]):
        return f"about {int(row['self_force_pct_good_or_adequate'])}% good or adequate (percentage only)"
    if who == "hmicfrs" and pd.notna(row["self_hmicfrs_pct_ri_or_inadequate"]):
        return f"{int(row['self_hmicfrs_pct_ri_or_inadequate'])}% requires improvement or inadequate (percentage only)"
    return "not published"


def self_assessment_table(docs: pd.DataFrame) -> pd.DataFrame:
    """Display table of the documents with a self-assessment: the two gradings as published, in year order."""
    rows = docs.loc[docs["n_self_assessed"].notna()].sort_values(["year", "force"], kind="stable")
    return pd.DataFrame(
        {
            "Document": [
                f"{f} {DOCUMENT_WORDS[t].lower()} {y}" for f, t, y in zip(rows["force"], rows["document_type"], rows["year"], strict=True)
            ],
            "Cases self-assessed": rows["n_self_assessed"].astype(int),
            "The force's grading": [grading_text(r, "force") for _, r in rows.iterrows()],
            "The inspectors' grading of the same cases": [grading_text(r, "hmicfrs") for _, r in rows.iterrows()],
            "Source": [f'<a href="{u}">{o}</a>' for u, o in zip(rows["source_url"], rows["source_outlet"], strict=True)],
        }
    ).reset_index(drop=True)


def with_alternative_counts(docs: pd.DataFrame) -> pd.DataFrame:
    """``docs`` with each conflicting figure (``inadequate_alternative``, ``n_cases_alternative``) put in place of the one used.

    Only for rows treated ``used_with_caution``: a sensitivity check of what the other source's
    figure would change. The counts of a changed row no longer need to add up.
    """
    out = docs.copy()
    caution = out["treatment"].eq("used_with_caution")
    for alt, col in (("inadequate_alternative", "inadequate"), ("n_cases_alternative", "n_cases")):
        swap = caution & out[alt].notna()
        out.loc[swap, col] = out.loc[swap, alt]
    return out


@dataclass(frozen=True)
class FunnelSummary:
    """One funnel's points (with positions by both methods), target, and Gwent's place and limits."""

    measure: str
    points: pd.DataFrame
    target: funnel.PooledEstimate
    gwent: pd.Series
    gwent_limits: dict[float, tuple[float, float]]
    max_method_gap: float


def funnel_summary(docs: pd.DataFrame, measure: str) -> FunnelSummary:
    """Everything the notebook says about one funnel, computed in one place.

    ``points`` gains ``position`` (exact binomial limits) and ``position_wilson``; ``gwent_limits``
    maps each confidence level to the exact limits at Gwent's number of cases; ``max_method_gap`` is the
    largest difference between the exact and Wilson limits over the points' range of n.
    """
    points = funnel_points(docs, measure)
    target = funnel_target(points)
    points = with_positions(points, target.share)
    points["position_wilson"] = [funnel.position(c, n, target.share, "wilson") for c, n in zip(points["count"], points["n"], strict=True)]
    gwent = points.loc[points["is_gwent"]].iloc[0]
    limits_at = {
        cov: tuple(float(v[0]) for v in funnel.exact_binomial_limits(target.share, int(gwent["n"]), cov))
        for cov in funnel.CONFIDENCE_LEVELS
    }
    sizes = np.arange(int(points["n"].min()), int(points["n"].max()) + 1)
    gap = 0.0
    for cov in funnel.CONFIDENCE_LEVELS:
        exact = funnel.exact_binomial_limits(target.share, sizes, cov)
        wilson = funnel.wilson_limits(target.share, sizes, cov)
        gap = max(gap, float(np.max(np.abs(np.subtract(exact, wilson)))))
    return FunnelSummary(measure, points, target, gwent, limits_at, gap)


def headline(national: pd.DataFrame) -> str:
    """The home page's sentence on the national comparison, from the published ``national_audits.csv`` (funnel positions)."""
    gwent = national.loc[national["is_gwent"].astype(bool)].iloc[0]
    compared = national.loc[national["in_funnel_inadequate"].astype(bool) & ~national["is_gwent"].astype(bool)]
    years = compared["year"]
    positions = {m: str(gwent[f"funnel_{m}_position"]) for m in FUNNEL_MEASURES}
    if all(p == "within_95" for p in positions.values()):
        verdict = "lie within the range that chance alone would give around the other forces' pooled shares: on these figures Gwent is no different from the forces compared, for better or worse"
    else:
        verdict = "; ".join(f"graded {m}: {POSITION_WORDS[p]}" for m, p in positions.items())
    return (
        f"Set beside {len(compared)} other forces' inspections published from {years.min()} to {years.max()}"
        + (" (mostly known from press reports)" if compared["secondary"].astype(bool).mean() > 0.5 else "")
        + ", "
        f"Gwent's shares of cases graded inadequate and graded good {verdict}. The forces found are not a complete or random set."
    )
