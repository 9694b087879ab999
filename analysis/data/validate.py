"""Checks across the raw tables: the report's own identities and the press-coverage review.

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
    - the coverage review accounts for every line and number (:func:`check_review`).

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
