"""Gwent's audit among other forces' child protection inspections: the documents, their shares, funnels and views.

The other forces' figures come from ``data/raw/national_audits.csv`` (read strictly against its
schema, then checked here for internal consistency); Gwent's 2019 figures come from this
project's own raw tables through :func:`analysis.data.load.load_audit`, never typed in twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.data.errors import AuditDataError
from analysis.data.load import AuditData
from analysis.data.package import load_descriptor, read_resource, resource_descriptor
from analysis.data.paths import RAW_DIR, display_path
from analysis.data.publish import Stage, TableSpec
from analysis.stats import funnel

RESOURCE = "national_audits"
FILE = "national_audits.csv"

#: Treatments whose overall counts may enter a comparison (``partial`` only where its counts are stated).
USABLE: tuple[str, ...] = ("used", "used_with_caution", "partial")
#: Source kinds that are not the inspectorate's own website.
SECONDARY_KINDS: tuple[str, ...] = ("reproduced_release", "news")
#: Kinds of document that follow an inspection (never pooled with inspections).
FOLLOW_UP_TYPES: tuple[str, ...] = ("post_inspection_review", "post_inspection_update")
#: The grading scale of the Gwent 2019 audit; only rows on it are compared.
CURRENT_SCALE = "good_ri_inadequate"
#: Proportions tabulated and plotted, by the count column each needs.
MEASURES: dict[str, str] = {"good": "good", "requires_improvement": "requires_improvement", "inadequate": "inadequate"}
#: Measures drawn as funnels.
FUNNEL_MEASURES: tuple[str, ...] = ("inadequate", "good")
#: Numbers of cases at which the funnel limits are tabulated.
FUNNEL_N = range(20, 121)

COUNTS = ["n_cases", "good", "requires_improvement", "inadequate", "ri_or_inadequate"]
SELF_FORCE = ["self_force_good", "self_force_adequate", "self_force_ri", "self_force_inadequate"]
SELF_HMIC = ["self_hmic_good", "self_hmic_adequate", "self_hmic_ri", "self_hmic_inadequate"]
INT_COLUMNS = [
    *COUNTS,
    "n_cases_alternative",
    "inadequate_alternative",
    "pct_good_stated",
    "n_self_assessed",
    *SELF_FORCE,
    *SELF_HMIC,
    "self_force_pct_good_or_adequate",
    "self_hmic_pct_ri_or_inadequate",
]


def _flags(value) -> set[str]:
    return set(value.split(";")) if isinstance(value, str) and value else set()


def _stated(row: pd.Series, cols: list[str]) -> bool:
    return all(pd.notna(row[c]) for c in cols)


def check_national(frame: pd.DataFrame, raw_dir: str | Path = RAW_DIR) -> None:
    """Check each row of the national table for internal consistency and a treatment that fits its figures.

    Rules: percentages at most 100; no count above the number of cases; where all three counts are
    stated they add to the number of cases, and so do good and a combined lower-grade count; the
    combined count is filled only when the two separate counts are not; self-assessed counts add
    to the number self-assessed, unless the row is flagged ``sum_mismatch`` (and a row so flagged
    must really mismatch); an alternative figure needs its ``conflicting_*`` flag. Treatments:
    ``used``/``used_with_caution`` need all three counts on the current scale (the latter a
    conflicting figure, the former none); ``partial`` some but not all counts and the flag
    ``count_missing``; ``excluded_scale`` exactly the 2014-15 scale; ``excluded_framework``
    exactly the later framework; ``excluded_no_counts`` no counts but a stated percentage;
    ``excluded_inconsistent`` a conflict flag. Gwent must not appear (its figures come from this
    project's own raw data). Raises :class:`AuditDataError` naming file, row and column.
    """
    shown = display_path(Path(raw_dir) / FILE)

    def fail(i: int, column: str, problem: str, expected: str, found: str) -> None:
        raise AuditDataError(shown, problem, row=i, column=column, expected=expected, found=found)

    for i, (_, row) in enumerate(frame.iterrows(), start=1):
        flags, treatment, n = _flags(row["flags"]), row["treatment"], row["n_cases"]
        if row["force"] == "Gwent":
            fail(i, "force", "Gwent is taken from this project's own raw data, not from this table", "another force", "'Gwent'")
        for col in ("pct_good_stated", "self_force_pct_good_or_adequate", "self_hmic_pct_ri_or_inadequate"):
            if pd.notna(row[col]) and row[col] > 100:
                fail(i, col, "percentage above 100", "a value <= 100", str(row[col]))
        if pd.notna(n):
            for col in COUNTS[1:]:
                if pd.notna(row[col]) and row[col] > n:
                    fail(i, col, "count larger than the number of cases", f"at most {n}", str(row[col]))
        full = _stated(row, COUNTS[:4])
        if full and row["good"] + row["requires_improvement"] + row["inadequate"] != n:
            total = row["good"] + row["requires_improvement"] + row["inadequate"]
            fail(i, "n_cases", "counts do not add up to the number of cases", f"good + requires_improvement + inadequate = {n}", str(total))
        if pd.notna(row["ri_or_inadequate"]):
            if _stated(row, ["requires_improvement", "inadequate"]):
                fail(i, "ri_or_inadequate", "combined count given beside both separate counts", "empty", str(row["ri_or_inadequate"]))
            if _stated(row, ["good", "n_cases"]) and row["good"] + row["ri_or_inadequate"] != n:
                fail(
                    i,
                    "ri_or_inadequate",
                    "good and the combined count do not add up to the number of cases",
                    f"{n - row['good']}",
                    str(row["ri_or_inadequate"]),
                )
        if pd.notna(row["n_self_assessed"]):
            for cols in (SELF_FORCE, SELF_HMIC):
                values = row[cols].dropna()
                if len(values):
                    total = int(values.sum())
                    mismatch = total != row["n_self_assessed"]
                    if mismatch and "sum_mismatch" not in flags:
                        fail(
                            i,
                            cols[0],
                            "self-assessed counts do not add up to the number self-assessed",
                            str(row["n_self_assessed"]),
                            str(total),
                        )
        if "sum_mismatch" in flags:
            sums = [int(row[cols].dropna().sum()) for cols in (SELF_FORCE, SELF_HMIC) if row[cols].notna().any()]
            if pd.isna(row["n_self_assessed"]) or all(s == row["n_self_assessed"] for s in sums):
                fail(i, "flags", "flag sum_mismatch but the counts add up", "no sum_mismatch flag", row["flags"])
        for col, flag in (("n_cases_alternative", "conflicting_n"), ("inadequate_alternative", "conflicting_count")):
            if pd.notna(row[col]) and flag not in flags:
                fail(i, "flags", f"{col} is filled but the row is not flagged {flag}", f"flag {flag}", row["flags"] or "no flags")

        scale = row["grade_scale"]
        some = any(pd.notna(row[c]) for c in COUNTS[1:])
        conflict = flags & {"conflicting_n", "conflicting_count", "sum_mismatch"}
        if (scale == "good_adequate_inadequate") != (treatment == "excluded_scale"):
            fail(
                i,
                "treatment",
                "rows on the 2014-15 scale, and only they, are excluded_scale",
                "excluded_scale iff grade_scale is good_adequate_inadequate",
                treatment,
            )
        if (scale == "area_judgements") != (treatment == "excluded_framework"):
            fail(
                i,
                "treatment",
                "rows of the later framework, and only they, are excluded_framework",
                "excluded_framework iff grade_scale is area_judgements",
                treatment,
            )
        if treatment in ("used", "used_with_caution") and not full:
            fail(
                i,
                "treatment",
                f"{treatment} needs the number of cases and all three counts",
                "partial or an excluded_* treatment",
                treatment,
            )
        if treatment == "used" and conflict:
            fail(
                i,
                "treatment",
                "a row with a conflicting figure cannot be plainly used",
                "used_with_caution or excluded_inconsistent",
                treatment,
            )
        if treatment == "used_with_caution" and not conflict:
            fail(i, "treatment", "used_with_caution needs a flagged conflicting figure", "used", treatment)
        if treatment == "partial" and (full or not some or pd.isna(n) or "count_missing" not in flags):
            fail(
                i,
                "treatment",
                "partial needs the number of cases, some but not all counts, and the flag count_missing",
                "used or excluded_*",
                treatment,
            )
        if treatment == "excluded_no_counts" and (some or pd.isna(row["pct_good_stated"])):
            fail(i, "treatment", "excluded_no_counts is for rows with a percentage and no counts", "partial or used", treatment)
        if treatment == "excluded_inconsistent" and not conflict:
            fail(
                i,
                "treatment",
                "excluded_inconsistent needs a conflict flag",
                "conflicting_n, conflicting_count or sum_mismatch in flags",
                row["flags"] or "no flags",
            )
        if scale == CURRENT_SCALE and treatment not in (*USABLE, "excluded_inconsistent", "excluded_no_counts"):
            fail(i, "treatment", "treatment does not fit a row on the current scale", "a treatment for current-scale rows", treatment)


def load_national(raw_dir: str | Path = RAW_DIR) -> pd.DataFrame:
    """Read ``national_audits.csv`` against its schema and :func:`check_national`; counts as nullable integers."""
    frame = read_resource(raw_dir, RESOURCE)
    for col in INT_COLUMNS:
        frame[col] = frame[col].astype("Int64")
    check_national(frame, raw_dir)
    return frame


def gwent_document(data: AuditData) -> pd.DataFrame:
    """Gwent's 2019 inspection as one row with the national table's columns, from this project's raw data.

    All cases (HMICFRS grades of both samples) give the overall counts; the force-selected sample,
    graded by the force and again by HMICFRS, gives the self-assessment columns.
    """
    src = data.source
    cs = data.case_samples.astype({"sample": str, "assessor": str, "grade": str}).set_index(["sample", "assessor", "grade"])["n"]
    year = str(src["publication_month"])[:4]
    row = {col: pd.NA for col in INT_COLUMNS}
    row.update(
        document_id=f"gwent_{year}_inspection",
        force="Gwent",
        document_type="inspection",
        published=str(src["publication_month"]),
        fieldwork=str(src["inspection_start"])[:7],
        grade_scale=CURRENT_SCALE,
        n_cases=data.total("cases_all"),
        good=data.total("cases_all_good"),
        requires_improvement=data.total("cases_all_requires_improvement"),
        inadequate=data.total("cases_all_inadequate"),
        n_self_assessed=data.total("cases_force_selected"),
        self_force_good=int(cs[("force_selected", "force", "good")]),
        self_force_ri=int(cs[("force_selected", "force", "requires improvement")]),
        self_force_inadequate=int(cs[("force_selected", "force", "inadequate")]),
        self_hmic_good=int(cs[("force_selected", "hmicfrs", "good")]),
        self_hmic_ri=int(cs[("force_selected", "hmicfrs", "requires improvement")]),
        self_hmic_inadequate=int(cs[("force_selected", "hmicfrs", "inadequate")]),
        source_kind="inspectorate_report",
        source_outlet="HMICFRS",
        source_url=str(src["url"]),
        other_urls=None,
        location="report section on the case file analysis",
        flags=None,
        treatment="used",
        note="From this project's raw data (case_samples.csv, published_totals.csv, source.csv).",
    )
    frame = pd.DataFrame([row])
    for col in INT_COLUMNS:
        frame[col] = frame[col].astype("Int64")
    return frame


def documents(data: AuditData, raw_dir: str | Path = RAW_DIR) -> pd.DataFrame:
    """Every document: the national table plus Gwent's row, with ``year``, ``secondary`` and ``is_gwent``.

    Sorted by force, publication date and identifier.
    """
    national = load_national(raw_dir)
    gwent = gwent_document(data)[list(national.columns)]
    frame = pd.concat([national, gwent], ignore_index=True)
    for col in INT_COLUMNS:
        frame[col] = frame[col].astype("Int64")
    frame["year"] = frame["published"].str[:4].astype("int64")
    frame["secondary"] = frame["source_kind"].isin(SECONDARY_KINDS)
    frame["is_gwent"] = frame["force"].eq("Gwent")
    return frame.sort_values(["force", "published", "document_id"], kind="stable").reset_index(drop=True)


def _usable(frame: pd.DataFrame) -> pd.Series:
    return frame["treatment"].isin(USABLE) & frame["grade_scale"].eq(CURRENT_SCALE)


def add_shares(frame: pd.DataFrame, coverage: float = 0.95) -> pd.DataFrame:
    """Add ``share_<measure>`` and its Wilson interval (``_low``, ``_high``) for each measure of :data:`MEASURES`.

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
                lo, hi = funnel.wilson_interval(int(count), int(n), coverage)
                share.append(int(count) / int(n))
                low.append(lo)
                high.append(hi)
            else:
                share.append(np.nan)
                low.append(np.nan)
                high.append(np.nan)
        out[f"share_{measure}"] = share
        out[f"share_{measure}_low"] = low
        out[f"share_{measure}_high"] = high
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


def funnel_target(points: pd.DataFrame, coverage: float = 0.95) -> funnel.PooledEstimate:
    """The funnel's target: the pooled share over the other forces' documents on the funnel (Gwent left out).

    Leaving Gwent out makes the benchmark independent of the force being compared. See
    :func:`analysis.stats.funnel.pooled_estimate` for the interval and the over-dispersion test.
    """
    others = points.loc[~points["is_gwent"]]
    return funnel.pooled_estimate(others["count"].tolist(), others["n"].tolist(), coverage)


def with_positions(points: pd.DataFrame, target: float, method: str = "exact_binomial") -> pd.DataFrame:
    """Add ``position`` (see :data:`analysis.stats.funnel.POSITIONS`) of each funnel point against ``target``."""
    out = points.copy()
    out["position"] = [funnel.position(c, n, target, method) for c, n in zip(out["count"], out["n"], strict=True)]
    return out


def funnel_limit_table(docs: pd.DataFrame, n_values=FUNNEL_N) -> pd.DataFrame:
    """Funnel limits for every measure of :data:`FUNNEL_MEASURES`, both methods, both coverages, over ``n_values``."""
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
    "share_good_low": "Lower end of the 95% Wilson interval of share_good.",
    "share_good_high": "Upper end of the 95% Wilson interval of share_good.",
    "share_requires_improvement": "requires_improvement / n_cases (usable rows with both stated).",
    "share_requires_improvement_low": "Lower end of the 95% Wilson interval of share_requires_improvement.",
    "share_requires_improvement_high": "Upper end of the 95% Wilson interval of share_requires_improvement.",
    "share_inadequate": "inadequate / n_cases (usable rows with both stated).",
    "share_inadequate_low": "Lower end of the 95% Wilson interval of share_inadequate.",
    "share_inadequate_high": "Upper end of the 95% Wilson interval of share_inadequate.",
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
    "coverage": "Two-sided coverage of the limits: 0.95 or 0.998.",
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
    cols += [c for c in out.columns if c.startswith(("share_good", "share_inadequate"))]
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
            ("hmic", SELF_HMIC, "self_hmic_pct_ri_or_inadequate", False),
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
        rec["counts_add_up"] = all(pd.isna(rec[f"{w}_total"]) or rec[f"{w}_total"] == n for w in ("force", "hmic"))
        rec["grade_scale"] = r["grade_scale"]
        rec["flags"] = r["flags"]
        rows.append(rec)
    return pd.DataFrame(rows).sort_values(["year", "force"], kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class Coverage:
    """Which forces the stored material covers, and how the grading scale changed over the years."""

    all_forces: tuple[str, ...]
    full: tuple[str, ...]
    partial: tuple[str, ...]
    missing: tuple[str, ...]
    scales: pd.DataFrame


def coverage(docs: pd.DataFrame, raw_dir: str | Path = RAW_DIR) -> Coverage:
    """Forces with a complete grade split (any document), with only partial figures, and with none.

    The list of forces is the ``force`` field's allowed values in the data package (the 43
    territorial forces of England and Wales). ``scales`` gives, per grading scale, the first and
    last publication year and the number of documents.
    """
    field = next(f for f in resource_descriptor(load_descriptor(raw_dir), RESOURCE)["schema"]["fields"] if f["name"] == "force")
    forces = tuple(sorted(field["constraints"]["enum"]))
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
    return Coverage(forces, full, partial, missing, scales)


def _build(data: AuditData, raw_dir: Path) -> dict[str, pd.DataFrame]:
    docs = documents(data, raw_dir)
    return {"national_audits.csv": national_table(docs), "funnel_limits.csv": funnel_limit_table(docs)}


STAGE = Stage(
    name="national",
    build=_build,
    tables=(
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
            "Control limits around the pooled share of the other forces' full inspections, for each number of cases from 20 to 120: exact binomial limits "
            "with Spiegelhalter's (2005) interpolation and Wilson-score limits (PHE Fingertips), at 95% and 99.8% coverage.",
            LIMIT_COLUMNS,
            (
                "The target leaves Gwent out, so that Gwent is compared with the other forces rather than partly with itself.",
                "The limits assume every force has the target share and differ only by chance; the notebook reports a test of over-dispersion.",
            ),
        ),
    ),
)


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
    cols = SELF_FORCE if who == "force" else SELF_HMIC
    names = ("good", "adequate", "requires improvement", "inadequate")
    if row[cols].notna().any():
        text = ", ".join(f"{int(row[c])} {g}" for c, g in zip(cols, names, strict=True) if pd.notna(row[c]))
        total = int(row[cols].dropna().sum())
        return text + ("" if total == row["n_self_assessed"] else f" (these add to {total})")
    if who == "force" and pd.notna(row["self_force_pct_good_or_adequate"]):
        return f"about {int(row['self_force_pct_good_or_adequate'])}% good or adequate (percentage only)"
    if who == "hmic" and pd.notna(row["self_hmic_pct_ri_or_inadequate"]):
        return f"{int(row['self_hmic_pct_ri_or_inadequate'])}% requires improvement or inadequate (percentage only)"
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
            "The inspectors' grading of the same cases": [grading_text(r, "hmic") for _, r in rows.iterrows()],
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
    maps each coverage to the exact limits at Gwent's number of cases; ``max_method_gap`` is the
    largest difference between the exact and Wilson limits over the points' range of n.
    """
    points = funnel_points(docs, measure)
    target = funnel_target(points)
    points = with_positions(points, target.share)
    points["position_wilson"] = [funnel.position(c, n, target.share, "wilson") for c, n in zip(points["count"], points["n"], strict=True)]
    gwent = points.loc[points["is_gwent"]].iloc[0]
    limits_at = {
        cov: tuple(float(v[0]) for v in funnel.exact_binomial_limits(target.share, int(gwent["n"]), cov)) for cov in funnel.COVERAGES
    }
    sizes = np.arange(int(points["n"].min()), int(points["n"].max()) + 1)
    gap = 0.0
    for cov in funnel.COVERAGES:
        exact = funnel.exact_binomial_limits(target.share, sizes, cov)
        wilson = funnel.wilson_limits(target.share, sizes, cov)
        gap = max(gap, float(np.max(np.abs(np.subtract(exact, wilson)))))
    return FunnelSummary(measure, points, target, gwent, limits_at, gap)
