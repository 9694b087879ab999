"""Checks across the raw tables: the report's own identities, the national table's internal consistency, and the press-coverage review.

Called by :func:`analysis.data.load.load_audit` after every file has passed its checksum and schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from analysis.data.errors import AuditDataError

if TYPE_CHECKING:
    from analysis.data.load import AuditData


def _rows(mask: pd.Series) -> list[int]:
    return [int(i) + 1 for i in mask.index[mask]]


def validate_audit(data: AuditData) -> None:
    """Check the rules that tie a package's further tables to its figures and to each other.

    The figures' own arithmetic (each group adds up to its size, the samples to all cases, the
    areas to their totals, every figure can hold together) was checked when they were read
    (:func:`analysis.data.audit_package.build_figure_set`). Here, where the tables are present:

    - with ``practice_areas.csv``, every area the figures name is one of its areas, and every one
      of its areas has figures;
    - every recommendation concerns at least one practice area;
    - the force-selected cases drawn at random are no more than the force-selected cases;
    - the national table is internally consistent (:func:`check_national`) and the coverage review
      accounts for every line and number (:func:`check_review`).

    Raises :class:`AuditDataError` naming the file, rows, column, what was expected and found.
    """
    named = {f.area for f in data.figure_set.figures if f.area}
    if "practice_areas" in data.files:
        known = list(data.practice_areas["practice_area"])
        unknown = sorted(named - set(known))
        if unknown:
            rows = [f.row for f in data.figure_set.figures if f.area in unknown]
            raise AuditDataError(
                data.files["figures"],
                "practice area not in practice_areas.csv",
                row=rows,
                column="area",
                expected="one of " + ", ".join(known),
                found=repr(unknown[0]),
            )
        silent = [a for a in known if a not in named]
        if silent:
            raise AuditDataError(
                data.files["practice_areas"],
                f"practice area '{silent[0]}' has no figures",
                row=known.index(silent[0]) + 1,
                column="practice_area",
                expected=f"figures for every area in {data.files['figures']}",
                found="none",
            )

    if data.recommendations is not None and data.recommendation_areas is not None:
        covered = set(data.recommendation_areas["recommendation_id"])
        for i, rec in enumerate(data.recommendations["recommendation_id"], start=1):
            if rec not in covered:
                raise AuditDataError(
                    data.files["recommendations"],
                    f"recommendation '{rec}' concerns no practice area",
                    row=i,
                    column="recommendation_id",
                    expected=f"at least one row for '{rec}' in {data.files['recommendation_areas']}",
                    found="none",
                )

    if data.published_totals is not None:
        totals = data.published_totals.set_index("quantity")["value"]
        if "cases_force_selected_random" in totals.index:
            rows = [i + 1 for i, q in enumerate(data.published_totals["quantity"]) if q == "cases_force_selected_random"]
            size = data.size("force_selected") if data.has("force_selected", "inspectorate") else None
            if size is None or totals["cases_force_selected_random"] > size:
                raise AuditDataError(
                    data.files["published_totals"],
                    "more force-selected cases drawn at random than force-selected cases",
                    row=rows[0],
                    column="value",
                    expected=f"at most {size} (the force-selected cases in {data.files['figures']})"
                    if size
                    else "a force-selected sample in the figures",
                    found=f"{totals['cases_force_selected_random']}",
                )
    if data.national_audits is not None:
        check_national(data.national_audits, data.files["national_audits"])
    coverage = ("coverage_claims", "coverage_texts", "coverage_lines", "coverage_number_mentions")
    if all(getattr(data, name) is not None for name in coverage):
        check_review(data.coverage_claims, data.coverage_texts, data.coverage_lines, data.coverage_number_mentions, data.files)


def identity_table(data: AuditData) -> pd.DataFrame:
    """The figures' identities recomputed (a backtest), one row per identity.

    Columns: ``identity`` (in words), ``computed`` (the sum of the detailed figures), ``published``
    (the size or total the figures are out of) and ``holds``: each group's counts add up to its
    number of cases; the groups that make up another (the two samples, the practice areas) add up
    to it, grade by grade. Only groups whose counts the figures fix are summed.
    :func:`analysis.data.audit_package.build_figure_set` has already refused figures where any
    identity fails; this table shows the reader that they hold.
    """
    names = {
        ("force_selected", "force"): "the force's grades of the force-selected cases",
        ("force_selected", "inspectorate"): "the inspectors' grades of the force-selected cases",
        ("inspectorate_selected", "inspectorate"): "the inspectors' grades of the inspectorate-selected cases",
        ("all", "inspectorate"): "the inspectors' grades of all cases",
    }
    rows = []
    for (sample, rater), words in names.items():
        counts = data.counts(sample, rater)
        if counts is not None and (sample, rater, "") not in data.figure_set.implied:
            rows.append((f"sum of {words}", int(counts.sum()), data.size(sample, rater)))
    system = data.figure_set.system
    for whole, parts in system.links:
        if data.counts(*whole) is None or any(data.counts(*p) is None for p in parts):
            continue
        if whole[2] == "" and all(p[2] for p in parts):
            what = "summed over the practice areas"
        elif whole[0] == "all":
            what = "summed over the two samples"
            if whole[2]:
                what += f" in area {whole[2]}"
        else:
            continue
        rows.append((f"cases {what}", int(sum(data.size(*p) for p in parts)), data.size(*whole)))
        for i, grade in enumerate(data.grades):
            rows.append((f"'{grade}' {what}", int(sum(data.counts(*p)[i] for p in parts)), int(data.counts(*whole)[i])))
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
