"""The press-coverage review (``coverage_texts``, ``coverage_claims``, ``coverage_lines``, ``coverage_number_mentions``): its verdicts and the check that no claim or number is missed.

The claims are checked against the report's figures in :mod:`analysis.sections.coverage` (tables)
and worded in :mod:`analysis.narrative.coverage`; here the four tables are tied to each other
(:func:`check_review`), and the verdicts, their basis and their counts (:func:`verdict_counts`) are
defined once for both.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.data.audit_data import AuditData
from analysis.data.errors import AuditDataError
from analysis.data.schemas import SCHEMAS, field_enum
from analysis.extras.extension import Extension

#: The coverage review's tables, in reading order.
RESOURCES: tuple[str, ...] = ("coverage_texts", "coverage_claims", "coverage_lines", "coverage_number_mentions")

#: The verdicts a curated coverage claim may carry (the ``curated_verdict`` values of ``coverage_claims``' schema).
CURATED_VERDICTS: tuple[str, ...] = field_enum(SCHEMAS["coverage_claims"], "curated_verdict")

#: The fixed set of verdicts: the report supports the claim (exactly, or after rounding), does not
#: state it, is not what the claim is about (another document or a later inspection), gives it
#: some support but its own findings on the point cut against it (at odds), or says otherwise.
VERDICTS: tuple[str, ...] = CURATED_VERDICTS
MATCHES, MATCHES_ROUNDED, NOT_STATED, ELSEWHERE, AT_ODDS, CONTRADICTS = VERDICTS

#: Where a checked claim's verdict comes from (``verdict_basis`` of ``coverage_claims_checked.csv``).
BASIS_COMPUTED = "computed from the audit data"
BASIS_CURATED = "curated from the report"

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


def blank(value) -> bool:
    """Whether a cell of a coverage table is empty (missing, NaN or the empty string)."""
    return value is None or (isinstance(value, float) and pd.isna(value)) or value == ""


def verdict_counts(checked: pd.DataFrame, by: str | None = None) -> pd.DataFrame | pd.Series:
    """Number of claims per verdict (in :data:`VERDICTS` order), overall or per value of column ``by``."""
    if by is None:
        return checked["verdict"].value_counts().reindex(list(VERDICTS), fill_value=0)
    table = pd.crosstab(checked[by], checked["verdict"])
    return table.reindex(columns=list(VERDICTS), fill_value=0)


def _split_ids(value) -> list[str]:
    return [] if blank(value) else str(value).split(";")


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
        if bool(ids) == (not blank(row.exclusion)):
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
        if blank(row.claim_id) == blank(row.reason):
            raise AuditDataError(
                mf,
                "a token needs either its claim or the reason it has none",
                row=i,
                column="claim_id, reason",
                expected="exactly one of them filled in",
                found="neither" if blank(row.claim_id) else "both",
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
        if not blank(row.claim_id):
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


def check(data: AuditData) -> None:
    """With all four tables, the claims and the two review passes agree (:func:`check_review`)."""
    tables = [data.extra(name) for name in ("coverage_claims", "coverage_texts", "coverage_lines", "coverage_number_mentions")]
    if all(t is not None for t in tables):
        check_review(*tables, data.files)


EXTENSION = Extension(
    "coverage",
    RESOURCES,
    requires={name: (*RESOURCES, "source", "published_totals", "recommendations", "practice_areas") for name in RESOURCES},
    check=check,
)
