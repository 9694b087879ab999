"""Check the claims made in press coverage of the report against figures computed from the audit data.

The hand-curated table ``data/raw/coverage_claims.csv`` lists every checkable claim in four news and
press texts. A claim that names a ``figure_key`` is joined to a reference figure computed here from
:func:`analysis.data.load.load_audit` (never typed), and its verdict is derived by a comparison rule, so a
changed figure changes the verdict. Any other claim carries a verdict curated from the report section
it names. Two review tables (``coverage_lines.csv``, ``coverage_number_mentions.csv``) record how the
claims were found, and are checked here against the claims so that no number goes unaccounted for.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from analysis.data.audit_data import ASSESSORS, SAMPLES, AuditData
from analysis.data.errors import AuditDataError
from analysis.data.publish import Stage, TableSpec
from analysis.extras.coverage import (  # noqa: F401 (the verdicts, their basis and their counts, read here by notebooks and tests)
    AT_ODDS,
    BASIS_COMPUTED,
    BASIS_CURATED,
    CONTRADICTS,
    ELSEWHERE,
    MATCHES,
    MATCHES_ROUNDED,
    NOT_STATED,
    VERDICTS,
    verdict_counts,
)
from analysis.extras.coverage import blank as _blank
from analysis.grades import GRADE_SLUGS, GRADES
from analysis.narrative import coverage as words
from analysis.narrative.coverage import within

#: Comparison rules a computed claim may use.
COMPARISONS: tuple[str, ...] = ("exact", "rounding")

_INTEGER = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|"
    "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|first|second|third|fourth|fifth|half|quarter|"
    "dozen|once|twice|single|double|neither|both|none"
)
_DATE_WORDS = (
    "immediate\\w*|today|yesterday|tomorrow|years?|months?|weeks?|days?|hours?|recent\\w*|earlier|annual\\w*|daily|weekly|monthly|"
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
)
#: The pattern of the number pass: digit strings (with inner commas, points or colons), number words, date and time words.
NUMBER_PATTERN = re.compile(rf"\d[\d,.:]*\d|\d|\b(?:{_NUMBER_WORDS}|{_DATE_WORDS})\b", re.IGNORECASE)


def number_tokens(text: str) -> list[tuple[int, str]]:
    """Every number, number word and date or time word in ``text``, as (1-based line number, token as written).

    This is the pattern pass whose result, for the four coverage texts, is recorded and reconciled
    in ``coverage_number_mentions.csv`` (the texts themselves are not stored in the project).
    """
    return [(i, m.group()) for i, line in enumerate(text.split("\n"), start=1) for m in NUMBER_PATTERN.finditer(line)]


@dataclass(frozen=True)
class Figure:
    """A reference figure computed from the audit data: its key, value, what it is and where the report gives it."""

    key: str
    value: int | float | str
    description: str
    section: str


def _put(figures: dict[str, Figure], key: str, value, description: str, section: str) -> None:
    if key in figures:  # pragma: no cover - a programming error, not bad input
        raise ValueError(f"figure {key!r} defined twice")
    figures[key] = Figure(key, value, description, section)


def reference_figures(data: AuditData) -> dict[str, Figure]:
    """Every figure a claim can be checked against, computed from the loaded audit data.

    Counts of graded cases come from ``case_samples`` (per sample and assessor, and the two samples'
    HMICFRS grades added), practice-area counts from ``area_grades``, shares as percentages of the
    relevant total (0-100), recommendation deadlines from ``recommendations``, inspection and
    publication dates from ``source``, and how the force chose its cases and the deadlines of the
    report's next steps from ``published_totals``. Nothing is typed: a changed raw figure changes
    the figure here.

    Keys: ``cases_all``, ``cases_<sample>``, ``<sample>_<assessor>_<grade>``,
    ``share_<sample>_<assessor>_<grade>``, ``hmicfrs_all_<grade>``, ``share_hmicfrs_all_<grade>``,
    ``area_<area>_cases``, ``area_<area>_<grade>``, ``recommendations_all``,
    ``recommendations_<deadline>``, ``deadline_<recommendation>``, ``inspection_month``,
    ``inspection_year``, ``publication_month``, ``inspection_in_publication_year`` (grades and
    deadlines as column-safe slugs, e.g. ``requires_improvement``, ``within_three_months``);
    ``cases_force_selected_random`` and ``force_selected_random_sample`` (``yes`` if the report
    says every force-selected case was part of a random sample from throughout Gwent);
    ``next_steps_update_weeks``, ``next_steps_action_plan_weeks``, ``next_steps_revisit_months``
    and, phrased as the deadlines are (``within six weeks``), ``next_steps_update_deadline``,
    ``next_steps_action_plan_deadline`` and ``next_steps_revisit_deadline``, all counted from
    publication.

    Reference: HMICFRS (2019), *National child protection inspections: Gwent Police*, Summary and
    section 4 (case file analysis), recommendations in sections 5-11, Next steps, title page for dates.
    """
    figures: dict[str, Figure] = {}
    case_section = "Summary; 4. Case file analysis"
    cs = data.case_samples.astype({"sample": str, "assessor": str, "grade": str})
    hmicfrs = cs[cs["assessor"] == "hmicfrs"]
    total = int(hmicfrs["n"].sum())
    _put(figures, "cases_all", total, "Cases HMICFRS audited and graded, both samples together", case_section)
    for sample in SAMPLES:
        size = int(hmicfrs.loc[hmicfrs["sample"] == sample, "n"].sum())
        _put(figures, f"cases_{sample}", size, words.sample_cases_figure(sample), case_section)
        for assessor in ASSESSORS:
            part = cs[(cs["sample"] == sample) & (cs["assessor"] == assessor)]
            if part.empty:
                continue
            for grade in GRADES:
                n = int(part.loc[part["grade"] == grade, "n"].sum())
                key = f"{sample}_{assessor}_{GRADE_SLUGS[grade]}"
                _put(figures, key, n, words.sample_grade_figure(sample, assessor, grade), case_section)
                _put(figures, f"share_{key}", 100 * n / size, words.sample_share_figure(sample, assessor, grade), case_section)
    for grade in GRADES:
        n = int(hmicfrs.loc[hmicfrs["grade"] == grade, "n"].sum())
        slug = GRADE_SLUGS[grade]
        _put(figures, f"hmicfrs_all_{slug}", n, words.all_grade_figure(grade), case_section)
        _put(figures, f"share_hmicfrs_all_{slug}", 100 * n / total, words.all_share_figure(grade), case_section)

    areas = data.area_grades.astype({"grade": str})
    labels = data.practice_areas.set_index("practice_area")["label"]
    for area in data.practice_areas["practice_area"]:
        part = areas[areas["practice_area"] == area]
        _put(figures, f"area_{area}_cases", int(part["n"].sum()), words.area_cases_figure(labels[area]), "4. Case file analysis")
        for grade in GRADES:
            n = int(part.loc[part["grade"] == grade, "n"].sum())
            _put(
                figures,
                f"area_{area}_{GRADE_SLUGS[grade]}",
                n,
                words.area_grade_figure(labels[area], grade),
                "4. Case file analysis",
            )

    recs = data.extra("recommendations").astype({"deadline": str})
    rec_section = "5. Initial contact to 11. Police detention"
    _put(figures, "recommendations_all", len(recs), "Recommendations the report makes", rec_section)
    for deadline in data.extra("recommendations")["deadline"].cat.categories:
        n = int((recs["deadline"] == deadline).sum())
        _put(figures, f"recommendations_{deadline.replace(' ', '_')}", n, words.recommendations_due_figure(deadline), rec_section)
    for rec in recs.itertuples(index=False):
        _put(
            figures,
            f"deadline_{rec.recommendation_id}",
            rec.deadline,
            words.deadline_figure(rec.recommendation_id, rec.chapter),
            f"{rec.chapter_number}. {rec.chapter}",
        )

    src = data.extra("source")
    start, end = pd.Timestamp(src["inspection_start"]), pd.Timestamp(src["inspection_end"])
    month = f"{start:%Y-%m}" if (start.year, start.month) == (end.year, end.month) else f"{start:%Y-%m}/{end:%Y-%m}"
    published = str(src["publication_month"])
    _put(figures, "inspection_month", month, "Month of the inspection fieldwork (YYYY-MM)", "Summary; title page")
    _put(figures, "inspection_year", int(start.year), "Year the inspection fieldwork began", "Summary; title page")
    _put(figures, "publication_month", published, "Month the report was published (YYYY-MM)", "title page")
    same_year = "yes" if start.year == end.year == int(published[:4]) and f"{end:%Y-%m}" <= published else "no"
    _put(
        figures,
        "inspection_in_publication_year",
        same_year,
        "Whether the fieldwork took place earlier in the year of publication",
        "Summary; title page",
    )

    sections = data.extra("published_totals").set_index("quantity")["section"]
    size, at_random = data.total("cases_force_selected"), data.total("cases_force_selected_random")
    random_section = sections["cases_force_selected_random"]
    _put(figures, "cases_force_selected_random", at_random, words.random_cases_figure(), random_section)
    _put(
        figures,
        "force_selected_random_sample",
        "yes" if at_random == size else "no",
        words.random_sample_figure(size),
        random_section,
    )
    immediate = int((recs["deadline"] == "immediately").sum())
    others = len(recs) - immediate
    subjects = words.next_step_subjects(immediate, others)
    for stem, unit in (("next_steps_update", "week"), ("next_steps_action_plan", "week"), ("next_steps_revisit", "month")):
        quantity = f"{stem}_{unit}s"
        n = data.total(quantity)
        _put(figures, quantity, n, words.time_allowed_figure(unit, subjects[stem]), sections[quantity])
        _put(figures, f"{stem}_deadline", within(n, unit), words.step_deadline_figure(subjects[stem]), sections[quantity])
    return figures


def format_value(value: int | float | str) -> str:
    """A figure as text: integers as digits, other numbers at full (round-trip) precision, text as is."""
    if isinstance(value, bool):  # pragma: no cover - figures are never booleans
        raise TypeError("figures are int, float or str")
    if isinstance(value, int | str):
        return str(value)
    return repr(float(value))


def _as_number(claimed: str, figure: Figure) -> Decimal:
    """Parse a claimed value against a numeric figure; ``ValueError`` with the expectation on failure."""
    if isinstance(figure.value, int):
        if not _INTEGER.fullmatch(claimed):
            raise ValueError("an integer (the figure is a count)")
    elif not _DECIMAL.fullmatch(claimed):
        raise ValueError("a number such as 28.75 (the figure is a number)")
    return Decimal(claimed)


def derive_verdict(claimed: str, figure: Figure, comparison: str, decimals: int | None = None) -> str:
    """The verdict on a claimed value checked against a computed figure.

    - ``exact``: ``matches`` if the claimed value equals the figure (as numbers for a numeric
      figure, as exact strings for a text figure), else ``contradicts the report``;
    - ``rounding`` (numeric figures only): ``matches`` if equal, ``matches after rounding`` if the
      difference is at most half a unit in the last of ``decimals`` places (the figure rounded to
      ``decimals`` places, half-up or half-down), else ``contradicts the report``.

    Raises ``ValueError`` for an unknown rule, a missing ``decimals`` with ``rounding``, a rounding
    rule on a text figure, or a claimed value that is not a number where the figure is one.
    Reference: ISO 80000-1:2009, Annex B (rounding of numbers): a value rounded to d decimal places
    lies within 0.5 x 10^-d of the exact value.
    """
    if comparison not in COMPARISONS:
        raise ValueError(f"unknown comparison rule {comparison!r}; allowed: {', '.join(COMPARISONS)}")
    if isinstance(figure.value, str):
        if comparison != "exact":
            raise ValueError(f"the rounding rule needs a numeric figure, and {figure.key!r} is text")
        return MATCHES if claimed == figure.value else CONTRADICTS
    number = _as_number(claimed, figure)
    exact = Decimal(format_value(figure.value))
    if number == exact:
        return MATCHES
    if comparison == "exact":
        return CONTRADICTS
    if decimals is None or decimals < 0:
        raise ValueError("the rounding rule needs decimals >= 0")
    tolerance = Decimal("0.5") * Decimal(10) ** -decimals
    return MATCHES_ROUNDED if abs(number - exact) <= tolerance else CONTRADICTS


def check_claims(claims: pd.DataFrame, figures: Mapping[str, Figure], file: str = "data/raw/coverage_claims.csv") -> pd.DataFrame:
    """Join each claim to its computed figure and derive or take its verdict.

    Inputs: the claims table as read from ``coverage_claims.csv`` and the figures of
    :func:`reference_figures`. Each row must have exactly one of ``figure_key`` (then a
    ``comparison`` rule, ``decimals`` for rounding, and a value of the figure's type) or
    ``curated_verdict`` (one of :data:`VERDICTS`, with ``report_says``). Returns the claims with
    ``reference_value``, ``verdict`` and ``verdict_basis`` added and ``report_says`` filled in from
    the figure for computed claims. Any breach raises :class:`AuditDataError` naming the row.
    """
    out = []
    for i, row in enumerate(claims.to_dict("records"), start=1):
        key, verdict = row.get("figure_key"), row.get("curated_verdict")
        comparison, decimals = row.get("comparison"), row.get("decimals")
        decimals = None if _blank(decimals) else int(decimals)
        if _blank(key) == _blank(verdict):
            raise AuditDataError(
                file,
                "a claim needs either a figure to be checked against or a curated verdict, not both",
                row=i,
                column="figure_key, curated_verdict",
                expected="exactly one of them filled in",
                found="both" if not _blank(key) else "neither",
            )
        record = dict(row)
        if _blank(key):
            if verdict not in VERDICTS:
                raise AuditDataError(
                    file, "unknown verdict", row=i, column="curated_verdict", expected="one of " + "; ".join(VERDICTS), found=repr(verdict)
                )
            for col, value in (("comparison", comparison), ("decimals", decimals)):
                if not _blank(value):
                    raise AuditDataError(
                        file,
                        f"'{col}' applies only to a claim checked against a figure",
                        row=i,
                        column=col,
                        expected="empty",
                        found=repr(value),
                    )
            if _blank(row.get("report_says")):
                raise AuditDataError(
                    file,
                    "a curated verdict needs a statement of what the report says",
                    row=i,
                    column="report_says",
                    expected="text",
                    found="an empty cell",
                )
            record.update(reference_value="", verdict=verdict, verdict_basis=BASIS_CURATED)
        else:
            if key not in figures:
                close = [k for k in figures if k.split("_")[0] == str(key).split("_")[0]][:5]
                raise AuditDataError(
                    file,
                    "unknown figure key",
                    row=i,
                    column="figure_key",
                    expected="a key of analysis.sections.coverage.reference_figures" + (f", e.g. {', '.join(close)}" if close else ""),
                    found=repr(key),
                )
            if _blank(comparison):
                raise AuditDataError(
                    file,
                    "a claim checked against a figure needs a comparison rule",
                    row=i,
                    column="comparison",
                    expected=" or ".join(COMPARISONS),
                    found="an empty cell",
                )
            if comparison == "rounding" and decimals is None:
                raise AuditDataError(
                    file,
                    "the rounding rule needs the number of decimals",
                    row=i,
                    column="decimals",
                    expected="an integer >= 0",
                    found="an empty cell",
                )
            if comparison == "exact" and decimals is not None:
                raise AuditDataError(
                    file, "'decimals' applies only to the rounding rule", row=i, column="decimals", expected="empty", found=repr(decimals)
                )
            figure = figures[key]
            try:
                derived = derive_verdict(str(row["claimed_value"]), figure, comparison, decimals)
            except ValueError as err:
                column = "comparison" if "rule" in str(err) else "claimed_value"
                raise AuditDataError(
                    file,
                    "claimed value cannot be compared with its figure",
                    row=i,
                    column=column,
                    expected=str(err),
                    found=repr(row["claimed_value"]),
                ) from None
            says = row.get("report_says")
            record.update(
                reference_value=format_value(figure.value),
                verdict=derived,
                verdict_basis=BASIS_COMPUTED,
                report_says=says if not _blank(says) else words.report_says(figure.description, format_value(figure.value)),
            )
        out.append(record)
    return pd.DataFrame.from_records(out)


CHECKED_COLUMNS: dict[str, str] = {
    "claim_id": "Claim identifier (coverage_claims.csv in data/raw): text code and number in reading order.",
    "text_id": "Code of the text making the claim (coverage_texts.csv in data/raw).",
    "text": "Short label of the text.",
    "lines": "Line number(s) of the claim in the text file, separated by semicolons.",
    "claim_type": "Kind of claim (graded cases, deadline, date, legal time limit, legal requirement, facilities, officers trained, attribution, other number, other fact).",
    "paraphrase": "The claim in this project's words (not a quotation).",
    "claimed_value": "The figure or statement claimed, in short form.",
    "figure_key": "Key of the computed figure the claim is checked against; empty for curated verdicts.",
    "reference_value": "Value of that figure computed from the audit data; empty for curated verdicts.",
    "comparison": "Comparison rule for computed verdicts: exact, or rounding within half a unit of the last decimal place given.",
    "verdict": "One of: matches; matches after rounding; not stated in the report; refers to a different document or a later inspection; "
    "at odds with the report (the report gives the claim some support, but its own findings on the point cut against it); contradicts the report.",
    "verdict_basis": "computed from the audit data (derived by code from the figure) or curated from the report (judged from the section named).",
    "report_section": "Section(s) of the HMICFRS report that support the verdict.",
    "report_says": "What the report (or the data) says on the point, in this project's words.",
    "context": "Context the verdict depends on: what the texts themselves say and, where an undated text must be dated, the public records that date it.",
}


def load_coverage(data: AuditData) -> dict[str, pd.DataFrame]:
    """The four validated coverage tables of ``data``, by short name: texts, claims, lines, number_mentions."""
    return {name: data.extra(f"coverage_{name}") for name in ("texts", "claims", "lines", "number_mentions")}


def checked_claims(data: AuditData) -> pd.DataFrame:
    """The checked-claims table: every claim with its reference figure, verdict and context.

    Takes the coverage tables of ``data`` (already cross-checked by the loader), computes the
    reference figures from ``data`` (:func:`reference_figures`) and joins them (:func:`check_claims`).
    Rows keep the order of ``coverage_claims.csv``; columns are :data:`CHECKED_COLUMNS`.
    """
    tables = load_coverage(data)
    checked = check_claims(tables["claims"], reference_figures(data), data.files["coverage_claims"])
    labels = tables["texts"].set_index("text_id")["label"]
    checked["text"] = checked["text_id"].map(labels)
    for col in ("figure_key", "comparison", "context", "report_says"):
        checked[col] = checked[col].map(lambda v: "" if _blank(v) else v)
    return checked[list(CHECKED_COLUMNS)].astype(str).reset_index(drop=True)


#: Columns of the reader's table of checked claims, and their headings.
CLAIMS_TABLE_COLUMNS: dict[str, str] = {
    "claim_id": "claim",
    "text": "text",
    "claim_type": "kind of claim",
    "paraphrase": "claim (paraphrased)",
    "claimed_value": "claimed",
    "reference_value": "computed from the data",
    "verdict": "verdict",
    "report_section": "report section",
    "context": "context",
}


def claims_table(checked: pd.DataFrame) -> pd.DataFrame:
    """The reader's table of every checked claim: in the texts' order, then claim order, with plain headings.

    A plain, well-ordered table (no script, no sorting widget): the full table with every column
    is the published ``coverage_claims_checked.csv``.
    """
    frame = checked.sort_values(["text_id", "claim_id"], kind="stable")
    return frame[list(CLAIMS_TABLE_COLUMNS)].rename(columns=CLAIMS_TABLE_COLUMNS).reset_index(drop=True)


def coverage_tables(data: AuditData) -> dict[str, pd.DataFrame | str]:
    """``coverage_claims_checked.csv``: every press claim with its reference figure and verdict (Gwent's package only)."""
    if data.extra("coverage_claims") is None:
        return {"coverage_claims_checked.csv": "The audit package has no review of press coverage (the coverage_* resources)."}
    return {"coverage_claims_checked.csv": checked_claims(data)}


def _specs(data: AuditData) -> tuple[TableSpec, ...]:
    return _SPECS


_SPECS = (
    TableSpec(
        "coverage_claims_checked.csv",
        "Claims in the press coverage, checked against the report",
        "Every checkable factual claim in four news and press texts about the inspection, with what the report or the audit data say and a verdict. "
        "Verdicts of claims with a figure_key are derived by code from figures computed from the raw audit data; the others are curated from the report section named.",
        CHECKED_COLUMNS,
        (
            "Paraphrases are this project's words; the texts themselves are not reproduced.",
            "Text 004 is about later work: a joint inspection led by Care Inspectorate Wales and, where it refers back to an HMICFRS report, "
            "the inspectorate's later post-inspection review of the force, not this report; only its account of the force's own later changes "
            "is judged against this report.",
        ),
    ),
)

STAGE = Stage(name="coverage", build=coverage_tables, specs=_specs)
