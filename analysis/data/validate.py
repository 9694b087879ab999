"""Checks across the raw tables: the report's own identities, the national table's internal consistency, and the press-coverage review.

Called by :func:`analysis.data.load.load_audit` after every file has passed its checksum and schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from analysis.data.errors import AuditDataError
from analysis.grades import GRADE_SLUGS, GRADES

if TYPE_CHECKING:
    from analysis.data.load import AuditData

#: The graded samples the report publishes: (sample, assessor) -> published total of cases.
GRADED_SAMPLES = {
    ("force_selected", "force"): "cases_force_selected",
    ("force_selected", "hmicfrs"): "cases_force_selected",
    ("inspectorate_selected", "hmicfrs"): "cases_inspectorate_selected",
}


def _rows(mask: pd.Series) -> list[int]:
    return [int(i) + 1 for i in mask.index[mask]]


def _check_grid(frame: pd.DataFrame, keys: list[str], expected_groups: list[tuple], file: str) -> None:
    """Every expected group has exactly one row per grade, and no other group appears."""
    groups = frame.groupby(keys, observed=True, sort=False)
    expected = set(expected_groups)
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        label = ", ".join(f"{k}={v!r}" for k, v in zip(keys, key, strict=True))
        if key not in expected:
            raise AuditDataError(
                file,
                f"group {label} is not one the report publishes",
                row=_rows(pd.Series(True, index=part.index).reindex(frame.index, fill_value=False)),
                column=", ".join(keys),
                expected="one of " + "; ".join(", ".join(map(str, g)) for g in expected_groups),
                found=label,
            )
        present = set(part["grade"].astype(str))
        missing = [g for g in GRADES if g not in present]
        if missing:
            raise AuditDataError(
                file,
                f"group {label} has no row for grade '{missing[0]}'",
                column="grade",
                expected="one row for each of " + ", ".join(GRADES) + " (use n = 0 for none)",
                found=", ".join(sorted(present, key=GRADES.index)),
            )
    seen = {k if isinstance(k, tuple) else (k,) for k, _ in groups}
    for key in expected_groups:
        if key not in seen:
            label = ", ".join(f"{k}={v!r}" for k, v in zip(keys, key, strict=True))
            raise AuditDataError(file, f"no rows for {label}", expected="one row for each grade", found="none")


def validate_audit(data: AuditData) -> None:
    """Check the identities that tie the raw tables to each other and to the report's printed totals.

    - each graded sample has a row for every grade, and no unpublished sample/assessor pair appears;
    - each graded sample adds up to its published size (force 27+6+0 and HMICFRS 10+17+6 to the
      33 force-selected cases; HMICFRS 10+20+17 to the 47 further cases);
    - the two samples add up to the published number of cases (33 + 47 = 80);
    - every practice area has a row for every grade, and the areas add up to all cases and, grade
      by grade, to the report's totals (20/37/23), which must equal the two samples' HMICFRS
      grades added together;
    - every recommendation concerns at least one practice area;
    - the national table is internally consistent (:func:`check_national`) and the coverage review
      accounts for every line and number (:func:`check_review`).

    Raises :class:`AuditDataError` naming the file, rows, column, what was expected and found.
    """
    cs_file, ag_file, pt_file, ra_file = (
        data.files[n] for n in ("case_samples", "area_grades", "published_totals", "recommendation_areas")
    )

    totals = data.published_totals.set_index("quantity")["value"]
    for needed in ["cases_all", *(f"cases_all_{GRADE_SLUGS[g]}" for g in GRADES), *set(GRADED_SAMPLES.values())]:
        if needed not in totals.index:
            raise AuditDataError(pt_file, f"no row for quantity '{needed}'", column="quantity", expected=f"a row '{needed}'", found="none")

    cs = data.case_samples
    _check_grid(cs, ["sample", "assessor"], list(GRADED_SAMPLES), cs_file)
    for (sample, assessor), quantity in GRADED_SAMPLES.items():
        mask = (cs["sample"] == sample) & (cs["assessor"] == assessor)
        found = int(cs.loc[mask, "n"].sum())
        if found != totals[quantity]:
            raise AuditDataError(
                cs_file,
                f"grades of sample '{sample}' by assessor '{assessor}' do not add up to the published sample size",
                row=_rows(mask),
                column="n",
                expected=f"a total of {totals[quantity]} ({quantity} in published_totals.csv)",
                found=f"{found}",
            )

    if "cases_force_selected_random" in totals.index and totals["cases_force_selected_random"] > totals["cases_force_selected"]:
        rows = [i + 1 for i, q in enumerate(data.published_totals["quantity"]) if q == "cases_force_selected_random"]
        raise AuditDataError(
            pt_file,
            "more force-selected cases drawn at random than force-selected cases",
            row=rows[0],
            column="value",
            expected=f"at most {totals['cases_force_selected']} (cases_force_selected)",
            found=f"{totals['cases_force_selected_random']}",
        )

    n_samples = int(totals["cases_force_selected"] + totals["cases_inspectorate_selected"])
    if n_samples != totals["cases_all"]:
        raise AuditDataError(
            pt_file,
            "the two samples do not add up to all cases",
            column="value",
            expected=f"cases_force_selected + cases_inspectorate_selected = cases_all ({totals['cases_all']})",
            found=f"{n_samples}",
        )

    ag = data.area_grades
    _check_grid(ag, ["practice_area"], [(a,) for a in data.practice_areas["practice_area"]], ag_file)
    if int(ag["n"].sum()) != totals["cases_all"]:
        raise AuditDataError(
            ag_file,
            "the practice areas do not add up to all cases",
            column="n",
            expected=f"a total of {totals['cases_all']} (cases_all in published_totals.csv)",
            found=f"{int(ag['n'].sum())}",
        )
    hmicfrs = cs[cs["assessor"] == "hmicfrs"]
    for grade in GRADES:
        quantity = f"cases_all_{GRADE_SLUGS[grade]}"
        mask = ag["grade"] == grade
        by_area = int(ag.loc[mask, "n"].sum())
        by_sample = int(hmicfrs.loc[hmicfrs["grade"] == grade, "n"].sum())
        if by_sample != totals[quantity]:
            raise AuditDataError(
                cs_file,
                f"HMICFRS grades '{grade}' of the two samples do not add up to the report's total",
                row=_rows((cs["assessor"] == "hmicfrs") & (cs["grade"] == grade)),
                column="n",
                expected=f"{totals[quantity]} ({quantity} in published_totals.csv)",
                found=f"{by_sample}",
            )
        if by_area != totals[quantity]:
            raise AuditDataError(
                ag_file,
                f"grade '{grade}' does not add up over the practice areas to the report's total",
                row=_rows(mask),
                column="n",
                expected=f"{totals[quantity]} ({quantity} in published_totals.csv, and the two samples' HMICFRS grades added)",
                found=f"{by_area}",
            )

    covered = set(data.recommendation_areas["recommendation_id"])
    for i, rec in enumerate(data.recommendations["recommendation_id"], start=1):
        if rec not in covered:
            raise AuditDataError(
                data.files["recommendations"],
                f"recommendation '{rec}' concerns no practice area",
                row=i,
                column="recommendation_id",
                expected=f"at least one row for '{rec}' in {ra_file}",
                found="none",
            )
    check_national(data.national_audits, data.files["national_audits"])
    check_review(data.coverage_claims, data.coverage_texts, data.coverage_lines, data.coverage_number_mentions, data.files)


def identity_table(data: AuditData) -> pd.DataFrame:
    """The report's identities recomputed from the raw tables (a backtest), one row per identity.

    Columns: ``identity`` (in words), ``computed`` (from the detailed rows), ``published`` (the
    report's printed total) and ``holds``. :func:`validate_audit` has already refused data where
    any identity fails; this table shows the reader that they hold.
    """
    totals = data.published_totals.set_index("quantity")["value"]
    cs = data.case_samples
    rows = []
    names = {
        ("force_selected", "force"): "force's grades of the force-selected cases",
        ("force_selected", "hmicfrs"): "HMICFRS grades of the force-selected cases",
        ("inspectorate_selected", "hmicfrs"): "HMICFRS grades of the inspectorate-selected cases",
    }
    for (sample, assessor), quantity in GRADED_SAMPLES.items():
        found = int(cs.loc[(cs["sample"] == sample) & (cs["assessor"] == assessor), "n"].sum())
        rows.append((f"sum of the {names[(sample, assessor)]}", found, int(totals[quantity])))
    rows.append(
        (
            "force-selected plus inspectorate-selected cases",
            int(totals["cases_force_selected"] + totals["cases_inspectorate_selected"]),
            int(totals["cases_all"]),
        )
    )
    rows.append(("sum over the practice areas", int(data.area_grades["n"].sum()), int(totals["cases_all"])))
    hmicfrs = cs[cs["assessor"] == "hmicfrs"]
    for grade in GRADES:
        quantity = f"cases_all_{GRADE_SLUGS[grade]}"
        rows.append(
            (
                f"'{grade}' summed over the practice areas",
                int(data.area_grades.loc[data.area_grades["grade"] == grade, "n"].sum()),
                int(totals[quantity]),
            )
        )
        rows.append(
            (
                f"'{grade}' summed over the two samples (HMICFRS)",
                int(hmicfrs.loc[hmicfrs["grade"] == grade, "n"].sum()),
                int(totals[quantity]),
            )
        )
    frame = pd.DataFrame(rows, columns=["identity", "computed", "published"])
    frame["holds"] = frame["computed"] == frame["published"]
    return frame


def check_source(frame: pd.DataFrame, file: str) -> None:
    """The source table holds exactly one document whose inspection ends on or after it starts."""
    if len(frame) != 1:
        raise AuditDataError(file, "wrong number of source documents", expected="exactly 1 data row", found=f"{len(frame)}")
    start, end = frame.loc[0, "inspection_start"], frame.loc[0, "inspection_end"]
    if end < start:
        raise AuditDataError(
            file, "inspection ends before it starts", row=1, column="inspection_end", expected=f"a date on or after {start}", found=str(end)
        )


# --------------------------------------------------------------------------- the national table

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


# --------------------------------------------------------------------------- the coverage review

#: Claim types that state a number, date, deadline or time limit: each must contain a token found by the number pass.
NUMERIC_CLAIM_TYPES: tuple[str, ...] = (
    "graded cases",
    "deadline",
    "date",
    "legal time limit",
    "facilities",
    "officers trained",
    "other number",
)


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value == ""


def _split_ids(value) -> list[str]:
    return [] if _blank(value) else str(value).split(";")


def check_review(claims: pd.DataFrame, texts: pd.DataFrame, lines: pd.DataFrame, mentions: pd.DataFrame, files: Mapping[str, str]) -> None:
    """Check that the claims and the two review passes agree, so that no claim or number is missed.

    - every claim's text is in ``coverage_texts.csv``;
    - ``coverage_lines.csv``: each line lists claims or a reason for listing none (not both); the
      claims it lists exist and name that line, and every line a claim names lists that claim;
    - ``coverage_number_mentions.csv``: each token belongs to a claim or has a reason (not both);
      a token's claim is in the same text and names the token's line, and the line is reviewed;
    - every claim of a type in :data:`NUMERIC_CLAIM_TYPES` contains at least one token.

    Raises :class:`AuditDataError` naming the file, row and column.
    """
    cf, lf, mf = files["coverage_claims"], files["coverage_lines"], files["coverage_number_mentions"]
    known_texts = set(texts["text_id"])
    claim_lines: dict[str, set[tuple[str, int]]] = {}
    claim_text: dict[str, str] = {}
    for i, row in enumerate(claims.itertuples(index=False), start=1):
        if row.text_id not in known_texts:
            raise AuditDataError(
                cf, "text not described", row=i, column="text_id", expected="a text_id of coverage_texts.csv", found=repr(row.text_id)
            )
        claim_text[row.claim_id] = row.text_id
        claim_lines[row.claim_id] = {(row.text_id, int(n)) for n in str(row.lines).split(";")}

    listed: dict[tuple[str, int], set[str]] = {}
    for i, row in enumerate(lines.itertuples(index=False), start=1):
        ids = _split_ids(row.claim_ids)
        if bool(ids) == (not _blank(row.exclusion)):
            raise AuditDataError(
                lf,
                "a reviewed line needs either its claims or the reason it has none",
                row=i,
                column="claim_ids, exclusion",
                expected="exactly one of them filled in",
                found="both" if ids else "neither",
            )
        for cid in ids:
            if cid not in claim_lines:
                raise AuditDataError(
                    lf,
                    "claim not in coverage_claims.csv",
                    row=i,
                    column="claim_ids",
                    expected="claim_ids of coverage_claims.csv",
                    found=repr(cid),
                )
            if (row.text_id, int(row.line)) not in claim_lines[cid]:
                raise AuditDataError(
                    lf,
                    f"claim {cid} does not name this line",
                    row=i,
                    column="claim_ids",
                    expected=f"a line of claim {cid}",
                    found=f"line {row.line} of text {row.text_id}",
                )
        listed[(row.text_id, int(row.line))] = set(ids)
    for i, (cid, where) in enumerate(claim_lines.items(), start=1):
        for text_id, line in sorted(where):
            if cid not in listed.get((text_id, line), set()):
                raise AuditDataError(
                    cf,
                    f"line {line} of text {text_id} is not reviewed as holding claim {cid}",
                    row=i,
                    column="lines",
                    expected=f"{cid} in claim_ids of that line in {lf}",
                    found="no such entry",
                )

    with_token: set[str] = set()
    for i, row in enumerate(mentions.itertuples(index=False), start=1):
        if _blank(row.claim_id) == _blank(row.reason):
            raise AuditDataError(
                mf,
                "a token needs either its claim or the reason it has none",
                row=i,
                column="claim_id, reason",
                expected="exactly one of them filled in",
                found="neither" if _blank(row.claim_id) else "both",
            )
        if (row.text_id, int(row.line)) not in listed:
            raise AuditDataError(
                mf,
                "line not reviewed",
                row=i,
                column="line",
                expected=f"a line in {lf}",
                found=f"line {row.line} of text {row.text_id}",
            )
        if not _blank(row.claim_id):
            if row.claim_id not in claim_lines:
                raise AuditDataError(
                    mf,
                    "claim not in coverage_claims.csv",
                    row=i,
                    column="claim_id",
                    expected="a claim_id of coverage_claims.csv",
                    found=repr(row.claim_id),
                )
            if (row.text_id, int(row.line)) not in claim_lines[row.claim_id]:
                raise AuditDataError(
                    mf,
                    f"claim {row.claim_id} does not name this line",
                    row=i,
                    column="claim_id",
                    expected=f"a line of claim {row.claim_id}",
                    found=f"line {row.line} of text {row.text_id}",
                )
            with_token.add(row.claim_id)
    for i, row in enumerate(claims.itertuples(index=False), start=1):
        if row.claim_type in NUMERIC_CLAIM_TYPES and row.claim_id not in with_token:
            raise AuditDataError(
                cf,
                f"claim of type '{row.claim_type}' has no number, date or deadline word in coverage_number_mentions.csv",
                row=i,
                column="claim_type",
                expected="at least one token of the claim listed",
                found="none",
            )


#: Columns of the checked-claims table, with their data-dictionary descriptions.
