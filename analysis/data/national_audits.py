"""The national table (``national_audits.csv``: other forces' published audit figures): its vocabulary, its types and its internal consistency.

Kept as it was read before issue 29 (the panel of issue 25 retires this table from the data layer).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from analysis.data.audit_data import AuditData
from analysis.data.errors import AuditDataError
from analysis.extras.extension import Extension

#: Treatments whose overall counts may enter a comparison (``partial`` only where its counts are stated).
USABLE: tuple[str, ...] = ("used", "used_with_caution", "partial")
#: Kinds of document that follow an inspection (never pooled with inspections).
FOLLOW_UP_TYPES: tuple[str, ...] = ("post_inspection_review", "post_inspection_update")
#: The grading scale of the Gwent 2019 audit; only rows on it are compared.
CURRENT_SCALE = "good_ri_inadequate"

COUNTS = ["n_cases", "good", "requires_improvement", "inadequate", "ri_or_inadequate"]
SELF_FORCE = ["self_force_good", "self_force_adequate", "self_force_ri", "self_force_inadequate"]
SELF_HMICFRS = ["self_hmicfrs_good", "self_hmicfrs_adequate", "self_hmicfrs_ri", "self_hmicfrs_inadequate"]
NATIONAL_INT_COLUMNS = [
    *COUNTS,
    "n_cases_alternative",
    "inadequate_alternative",
    "pct_good_stated",
    "n_self_assessed",
    *SELF_FORCE,
    *SELF_HMICFRS,
    "self_force_pct_good_or_adequate",
    "self_hmicfrs_pct_ri_or_inadequate",
]


def _flags(value) -> set[str]:
    return set(value.split(";")) if isinstance(value, str) and value else set()


def _stated(row: pd.Series, cols: list[str]) -> bool:
    return all(pd.notna(row[c]) for c in cols)


def check_national(frame: pd.DataFrame, shown: str) -> None:
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

    def fail(i: int, column: str, problem: str, expected: str, found: str) -> None:
        raise AuditDataError(shown, problem, row=i, column=column, expected=expected, found=found)

    for i, (_, row) in enumerate(frame.iterrows(), start=1):
        flags, treatment, n = _flags(row["flags"]), row["treatment"], row["n_cases"]
        if row["force"] == "Gwent":
            fail(i, "force", "Gwent is taken from this project's own raw data, not from this table", "another force", "'Gwent'")
        for col in ("pct_good_stated", "self_force_pct_good_or_adequate", "self_hmicfrs_pct_ri_or_inadequate"):
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
            for cols in (SELF_FORCE, SELF_HMICFRS):
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
            sums = [int(row[cols].dropna().sum()) for cols in (SELF_FORCE, SELF_HMICFRS) if row[cols].notna().any()]
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


def shape(tables: Mapping[str, pd.DataFrame], files: Mapping[str, str], areas: pd.DataFrame) -> dict[str, Any]:
    """Counts as nullable integers (:data:`NATIONAL_INT_COLUMNS`)."""
    national = tables["national_audits"].copy()
    for col in NATIONAL_INT_COLUMNS:
        if col in national.columns:
            national[col] = national[col].astype("Int64")
    return {"national_audits": national}


def check(data: AuditData) -> None:
    """The national table is internally consistent (:func:`check_national`)."""
    national = data.extra("national_audits")
    if national is not None:
        check_national(national, data.files["national_audits"])


EXTENSION = Extension("national_audits", ("national_audits",), requires={"national_audits": ("source",)}, shape=shape, check=check)
