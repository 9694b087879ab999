"""The schema the project reads each resource of a raw data package with: resource name -> Frictionless Table Schema.

This is the one definition. A descriptor (``datapackage.json``) must give each resource exactly this
schema (:func:`analysis.data.package.check_schema`): a schema edited in the descriptor, even with the
data's checksums still matching, is refused with one message naming the resource and the field,
because the strict reader, the keys and every check after them rely on these types, constraints
and keys. :data:`MAX_BYTES` bounds the size of every file the reader will open, so memory and time
stay bounded whatever the input.
"""

from __future__ import annotations

from typing import Any

from analysis.data.audit_package import FIGURES_SCHEMA

#: Largest raw file the reader opens (bytes), unless :data:`MAX_BYTES` names another limit for the resource.
#: Today's largest raw table is about 35 kB; a file over the limit is refused before it is read.
DEFAULT_MAX_BYTES = 4 * 2**20

#: Most cases a case-level file (``cases.csv``) may hold: a force's own records for several years. Read in bounded
#: memory (about 300 MB at the limit; ``benchmarks/bench_bounded_work.py`` measures it); a file with more rows is refused.
MAX_CASE_ROWS = 1_000_000

#: Per-resource size limits (bytes) that differ from :data:`DEFAULT_MAX_BYTES`: a case-level file of
#: :data:`MAX_CASE_ROWS` rows with case ids of up to about 30 characters.
MAX_BYTES: dict[str, int] = {"cases": 64 * 2**20}

#: Per-resource row limits (data rows); other resources are bounded by their size alone.
MAX_ROWS: dict[str, int] = {"cases": MAX_CASE_ROWS}


def max_bytes(resource: str) -> int:
    """The largest file the reader opens for ``resource`` (bytes)."""
    return MAX_BYTES.get(resource, DEFAULT_MAX_BYTES)


def max_rows(resource: str) -> int | None:
    """The most data rows the reader takes for ``resource`` (None: bounded by its size alone)."""
    return MAX_ROWS.get(resource)


#: Every table resource's schema: ``figures`` (every audit package has it) is
#: :data:`analysis.data.audit_package.FIGURES_SCHEMA`; the others are Gwent's further tables, as in
#: ``data/raw/datapackage.json``. (``audit.json`` is a JSON document, read by its own checks.)
#: A package's optional case-level file (``cases.csv``): the force's and the inspectors' grade of each
#: force-selected case. Grades are checked against the package's scale and areas against its areas
#: in code (they differ from package to package), so the schema names no values.
CASES_SCHEMA: dict[str, Any] = {
    "fields": [
        {
            "name": "case_id",
            "type": "string",
            "description": "Identifier of the case (unique).",
            "constraints": {"required": True, "unique": True},
        },
        {
            "name": "practice_area",
            "type": "string",
            "description": "Practice area of the case, as in figures.csv.",
            "constraints": {"required": True},
        },
        {
            "name": "force_grade",
            "type": "string",
            "description": "Grade the force gave the case, on the scale of audit.json.",
            "constraints": {"required": True},
        },
        {
            "name": "hmicfrs_grade",
            "type": "string",
            "description": "Grade the inspectors gave the same case.",
            "constraints": {"required": True},
        },
    ],
    "primaryKey": "case_id",
}

#: Gwent's practice-area codes, in the report's order (the ``enum`` of every ``practice_area`` field
#: of Gwent's further tables).
GWENT_AREA_CODES: tuple[str, ...] = (
    "s47_enquiries",
    "domestic_abuse",
    "other_referrals",
    "child_sexual_exploitation",
    "missing_children",
    "police_protection_s46",
    "sex_offender_management",
    "children_in_custody",
)

#: The verdicts a curated coverage claim may carry (:data:`analysis.sections.coverage.VERDICTS`).
CURATED_VERDICTS: tuple[str, ...] = (
    "matches",
    "matches after rounding",
    "not stated in the report",
    "refers to a different document or a later inspection",
    "at odds with the report",
    "contradicts the report",
)


def _practice_area_field() -> dict[str, Any]:
    """The ``practice_area`` field of Gwent's further tables (a fresh dict each time)."""
    return {
        "name": "practice_area",
        "type": "string",
        "title": "Practice area code",
        "description": "Code of the area of child protection practice (one of the areas the report breaks the audited cases into).",
        "constraints": {"required": True, "enum": list(GWENT_AREA_CODES)},
    }


SCHEMAS: dict[str, dict[str, Any]] = {
    "figures": FIGURES_SCHEMA,
    "cases": CASES_SCHEMA,
    "practice_areas": {
        "fields": [
            _practice_area_field(),
            {
                "name": "report_order",
                "type": "integer",
                "title": "Order in the report",
                "description": "Position of the area in the report's breakdown (1 = first).",
                "constraints": {"required": True, "minimum": 1, "unique": True},
            },
            {
                "name": "label",
                "type": "string",
                "title": "Short label",
                "description": "Short name of the area for charts and tables.",
                "constraints": {"required": True, "unique": True},
            },
            {
                "name": "description",
                "type": "string",
                "title": "Description",
                "description": "What kind of case the area holds, in this project's words.",
                "constraints": {"required": True},
            },
        ],
        "primaryKey": ["practice_area"],
    },
    "published_totals": {
        "fields": [
            {
                "name": "quantity",
                "type": "string",
                "title": "Quantity",
                "description": "Which figure: cases_force_selected_random (force-selected cases the report says were a "
                "random sample from throughout Gwent, chosen under HMICFRS criteria); "
                "next_steps_update_weeks (weeks after publication within which the force must report the "
                "action taken on the recommendations to be acted on immediately), "
                "next_steps_action_plan_weeks (weeks after publication within which it must give an action "
                "plan for the other recommendations), next_steps_revisit_months (months after publication "
                "by which the inspectorate will revisit the force). Grade counts and sample sizes are in "
                "figures.csv.",
                "constraints": {
                    "required": True,
                    "enum": [
                        "cases_force_selected_random",
                        "next_steps_update_weeks",
                        "next_steps_action_plan_weeks",
                        "next_steps_revisit_months",
                    ],
                },
            },
            {
                "name": "value",
                "type": "integer",
                "title": "Value",
                "description": "The number the report prints: a number of cases, or for the next_steps_ quantities a "
                "number of weeks or months (the unit ends the quantity's name).",
                "constraints": {"required": True, "minimum": 0},
            },
            {
                "name": "section",
                "type": "string",
                "title": "Report section",
                "description": "Section of the report where the total is printed.",
                "constraints": {"required": True},
            },
        ],
        "primaryKey": ["quantity"],
    },
    "recommendations": {
        "fields": [
            {
                "name": "recommendation_id",
                "type": "string",
                "title": "Recommendation",
                "description": "This project's identifier, numbering the recommendations in the order they appear in the report.",
                "constraints": {"required": True, "pattern": "R[0-9]+"},
            },
            {
                "name": "chapter_number",
                "type": "integer",
                "title": "Chapter number",
                "description": "Number of the report chapter that holds the recommendation.",
                "constraints": {"required": True, "minimum": 1},
            },
            {
                "name": "chapter",
                "type": "string",
                "title": "Chapter",
                "description": "Title of that chapter.",
                "constraints": {"required": True},
            },
            {
                "name": "deadline",
                "type": "string",
                "title": "Deadline",
                "description": "When the report asks the force to act.",
                "constraints": {"required": True, "enum": ["immediately", "within three months"]},
            },
            {
                "name": "summary",
                "type": "string",
                "title": "Summary",
                "description": "What the recommendation asks, summarised in this project's words.",
                "constraints": {"required": True},
            },
        ],
        "primaryKey": ["recommendation_id"],
    },
    "recommendation_areas": {
        "fields": [
            {
                "name": "recommendation_id",
                "type": "string",
                "title": "Recommendation",
                "description": "Identifier from recommendations.csv.",
                "constraints": {"required": True},
            },
            _practice_area_field(),
        ],
        "primaryKey": ["recommendation_id", "practice_area"],
        "foreignKeys": [
            {"fields": ["recommendation_id"], "reference": {"resource": "recommendations", "fields": ["recommendation_id"]}},
            {"fields": ["practice_area"], "reference": {"resource": "practice_areas", "fields": ["practice_area"]}},
        ],
    },
    "source": {
        "fields": [
            {
                "name": "source_id",
                "type": "string",
                "title": "Source",
                "description": "This project's identifier for the document.",
                "constraints": {"required": True},
            },
            {"name": "title", "type": "string", "title": "Title", "description": "Title of the report.", "constraints": {"required": True}},
            {
                "name": "force",
                "type": "string",
                "title": "Force",
                "description": "Police force inspected.",
                "constraints": {"required": True},
            },
            {
                "name": "inspectorate",
                "type": "string",
                "title": "Inspectorate",
                "description": "Body that inspected and published.",
                "constraints": {"required": True},
            },
            {
                "name": "inspection_start",
                "type": "date",
                "title": "Inspection start",
                "description": "First day of the inspection fieldwork, from the title page.",
                "constraints": {"required": True},
            },
            {
                "name": "inspection_end",
                "type": "date",
                "title": "Inspection end",
                "description": "Last day of the inspection fieldwork, from the title page.",
                "constraints": {"required": True},
            },
            {
                "name": "publication_month",
                "type": "yearmonth",
                "title": "Publication month",
                "description": "Month of publication given on the title page.",
                "constraints": {"required": True},
            },
            {
                "name": "isbn",
                "type": "string",
                "title": "ISBN",
                "description": "ISBN printed on the title page.",
                "constraints": {"required": True},
            },
            {
                "name": "url",
                "type": "string",
                "format": "uri",
                "title": "Address",
                "description": "Where the report is published on the inspectorate's website.",
                "constraints": {"required": True},
            },
            {
                "name": "licence",
                "type": "string",
                "title": "Licence",
                "description": "Licence the report is published under.",
                "constraints": {"required": True},
            },
        ],
        "primaryKey": ["source_id"],
    },
    "area_themes": {
        "fields": [
            _practice_area_field(),
            {
                "name": "theme_number",
                "type": "integer",
                "title": "Theme number",
                "description": "Position of the theme in the report's list for the area (1 = first).",
                "constraints": {"required": True, "minimum": 1},
            },
            {
                "name": "theme",
                "type": "string",
                "title": "Theme",
                "description": "One common theme of the area's case files, in this project's words.",
                "constraints": {"required": True},
            },
        ],
        "primaryKey": ["practice_area", "theme_number"],
        "foreignKeys": [{"fields": ["practice_area"], "reference": {"resource": "practice_areas", "fields": ["practice_area"]}}],
    },
    "coverage_texts": {
        "fields": [
            {
                "name": "text_id",
                "type": "string",
                "title": "Text",
                "description": "Short code of the text: the number its source-document file name starts with.",
                "constraints": {"required": True, "unique": True, "enum": ["000", "001", "003", "004"]},
            },
            {
                "name": "file",
                "type": "string",
                "title": "Source file",
                "description": "Stem of the source-document file holding the text.",
                "constraints": {"required": True, "pattern": "[0-9]{3}_[0-9a-f]{16}"},
            },
            {
                "name": "kind",
                "type": "string",
                "title": "Kind",
                "description": "news article or press release.",
                "constraints": {"required": True, "enum": ["news article", "press release"]},
            },
            {
                "name": "publisher",
                "type": "string",
                "title": "Publisher",
                "description": "Who published the text, as far as the copy shows.",
                "constraints": {"required": True},
            },
            {
                "name": "title",
                "type": "string",
                "title": "Headline",
                "description": "Headline as given in the copy; empty when the copy has none.",
            },
            {
                "name": "label",
                "type": "string",
                "title": "Label",
                "description": "Short label used in this project's tables.",
                "constraints": {"required": True},
            },
            {
                "name": "date_as_given",
                "type": "string",
                "title": "Date as given",
                "description": "Date printed in the copy, or 'undated'.",
                "constraints": {"required": True},
            },
            {
                "name": "subject",
                "type": "string",
                "title": "Subject",
                "description": "Which inspection or report the text is about.",
                "constraints": {"required": True},
            },
        ],
        "primaryKey": ["text_id"],
    },
    "coverage_claims": {
        "fields": [
            {
                "name": "claim_id",
                "type": "string",
                "title": "Claim",
                "description": "Identifier: text code, hyphen, two-digit number in reading order.",
                "constraints": {"required": True, "unique": True, "pattern": "[0-9]{3}-[0-9]{2}"},
            },
            {
                "name": "text_id",
                "type": "string",
                "title": "Text",
                "description": "Text making the claim (coverage_texts.csv).",
                "constraints": {"required": True, "enum": ["000", "001", "003", "004"]},
            },
            {
                "name": "lines",
                "type": "string",
                "title": "Lines",
                "description": "Line number(s) of the text file where the claim is made, separated by semicolons.",
                "constraints": {"required": True, "pattern": "[0-9]+(;[0-9]+)*"},
            },
            {
                "name": "claim_type",
                "type": "string",
                "title": "Claim type",
                "description": "Kind of claim: counts of graded cases, deadlines, dates (inspection, publication, "
                "follow-up), legal time limits and requirements, numbers of facilities, numbers of "
                "officers trained, attributions of a finding to the inspectorate or its report, other "
                "numbers, other facts.",
                "constraints": {
                    "required": True,
                    "enum": [
                        "graded cases",
                        "deadline",
                        "date",
                        "legal time limit",
                        "legal requirement",
                        "facilities",
                        "officers trained",
                        "attribution",
                        "other number",
                        "other fact",
                    ],
                },
            },
            {
                "name": "paraphrase",
                "type": "string",
                "title": "Claim (paraphrased)",
                "description": "What the text claims, in this project's words.",
                "constraints": {"required": True},
            },
            {
                "name": "claimed_value",
                "type": "string",
                "title": "Claimed value",
                "description": "The figure or statement claimed, in short form: an integer or YYYY-MM month, a deadline "
                "phrase, 'yes'/'no', or a short statement.",
                "constraints": {"required": True},
            },
            {
                "name": "figure_key",
                "type": "string",
                "title": "Reference figure",
                "description": "Key of the computed figure the claim is checked against "
                "(analysis.claims.reference_figures); empty when the verdict is curated.",
            },
            {
                "name": "comparison",
                "type": "string",
                "title": "Comparison rule",
                "description": "exact: the claimed value must equal the figure; rounding: it may differ by at most half a "
                "unit in the last of `decimals` decimal places. Required with figure_key, empty otherwise.",
                "constraints": {"enum": ["exact", "rounding"]},
            },
            {
                "name": "decimals",
                "type": "integer",
                "title": "Decimals",
                "description": "For the rounding rule: decimal places the claimed value is given to (0 for a whole "
                "number). Empty otherwise.",
                "constraints": {"minimum": 0},
            },
            {
                "name": "curated_verdict",
                "type": "string",
                "title": "Curated verdict",
                "description": "Verdict judged from the report section, for claims without a figure_key; empty when the "
                "verdict is derived by code. 'at odds with the report' marks a claim the report gives some "
                "support but whose point its own findings cut against.",
                "constraints": {"enum": list(CURATED_VERDICTS)},
            },
            {
                "name": "report_section",
                "type": "string",
                "title": "Report section",
                "description": "Section(s) of the HMICFRS report that support the verdict (or the nearest relevant section).",
                "constraints": {"required": True},
            },
            {
                "name": "report_says",
                "type": "string",
                "title": "What the report says",
                "description": "What the report says on the point, in this project's words. Required for curated verdicts.",
            },
            {
                "name": "context",
                "type": "string",
                "title": "Context",
                "description": "Context the verdict depends on: what the texts themselves say (for example a release "
                "about a later inspection referring back to an HMICFRS report) and, where an undated text "
                "must be dated, the public records that date it, named in the cell.",
            },
        ],
        "primaryKey": ["claim_id"],
        "foreignKeys": [{"fields": ["text_id"], "reference": {"resource": "coverage_texts", "fields": ["text_id"]}}],
    },
    "coverage_lines": {
        "fields": [
            {
                "name": "text_id",
                "type": "string",
                "title": "Text",
                "description": "Text (coverage_texts.csv).",
                "constraints": {"required": True, "enum": ["000", "001", "003", "004"]},
            },
            {
                "name": "line",
                "type": "integer",
                "title": "Line",
                "description": "Line number in the text file (1-based).",
                "constraints": {"required": True, "minimum": 1},
            },
            {
                "name": "claim_ids",
                "type": "string",
                "title": "Claims",
                "description": "Claims made on the line (coverage_claims.csv), separated by semicolons; empty when there are none.",
            },
            {
                "name": "exclusion",
                "type": "string",
                "title": "Why no claim",
                "description": "Reason the line holds no checkable claim; empty when it holds claims.",
                "constraints": {
                    "enum": ["opinion, stance or intention", "speaker attribution or heading", "navigation or site text", "contact details"]
                },
            },
        ],
        "primaryKey": ["text_id", "line"],
        "foreignKeys": [{"fields": ["text_id"], "reference": {"resource": "coverage_texts", "fields": ["text_id"]}}],
    },
    "coverage_number_mentions": {
        "fields": [
            {
                "name": "text_id",
                "type": "string",
                "title": "Text",
                "description": "Text (coverage_texts.csv).",
                "constraints": {"required": True, "enum": ["000", "001", "003", "004"]},
            },
            {
                "name": "line",
                "type": "integer",
                "title": "Line",
                "description": "Line number in the text file (1-based).",
                "constraints": {"required": True, "minimum": 1},
            },
            {
                "name": "token",
                "type": "string",
                "title": "Token",
                "description": "The matched token as written.",
                "constraints": {"required": True},
            },
            {
                "name": "claim_id",
                "type": "string",
                "title": "Claim",
                "description": "Claim the token belongs to (coverage_claims.csv); empty when it belongs to none.",
            },
            {
                "name": "reason",
                "type": "string",
                "title": "Why no claim",
                "description": "Why the token is not part of a claim; empty when it is.",
                "constraints": {"enum": ["list numbering", "contact details", "not a number or date in context"]},
            },
        ],
        "primaryKey": ["text_id", "line", "token"],
        "foreignKeys": [
            {"fields": ["text_id"], "reference": {"resource": "coverage_texts", "fields": ["text_id"]}},
            {"fields": ["claim_id"], "reference": {"resource": "coverage_claims", "fields": ["claim_id"]}},
        ],
    },
}
