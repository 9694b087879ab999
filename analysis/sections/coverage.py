"""Check the claims made in press coverage of the report against figures computed from the audit data.

The hand-curated table ``data/raw/coverage_claims.csv`` lists every checkable claim in four news and
press texts. A claim that names a ``figure_key`` is joined to a reference figure computed here from
:func:`analysis.data.load.load_audit` (never typed), and its verdict is derived by a comparison rule, so a
changed figure changes the verdict. Any other claim carries a verdict curated from the report section
it names. Two review tables (``coverage_lines.csv``, ``coverage_number_mentions.csv``) record how the
claims were found, and are checked here against the claims so that no number goes unaccounted for.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

from analysis.data.errors import AuditDataError
from analysis.data.load import ASSESSORS, SAMPLES, AuditData
from analysis.data.package import read_resource
from analysis.data.paths import RAW_DIR, display_path
from analysis.data.publish import Stage, TableSpec
from analysis.grades import GRADE_SLUGS, GRADES
from analysis.text import join_words

#: The fixed set of verdicts, from best support to none.
VERDICTS: tuple[str, ...] = (
    "matches",
    "matches after rounding",
    "not stated in the report",
    "refers to a different document or a later inspection",
    "contradicts the report",
)
MATCHES, MATCHES_ROUNDED, NOT_STATED, ELSEWHERE, CONTRADICTS = VERDICTS

#: Comparison rules a computed claim may use.
COMPARISONS: tuple[str, ...] = ("exact", "rounding")

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

BASIS_COMPUTED = "computed from the audit data"
BASIS_CURATED = "curated from the report"

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
    relevant total (0-100), recommendation deadlines from ``recommendations``, and inspection and
    publication dates from ``source``. Nothing is typed: a changed raw figure changes the figure here.

    Keys: ``cases_all``, ``cases_<sample>``, ``<sample>_<assessor>_<grade>``,
    ``share_<sample>_<assessor>_<grade>``, ``hmicfrs_all_<grade>``, ``share_hmicfrs_all_<grade>``,
    ``area_<area>_cases``, ``area_<area>_<grade>``, ``recommendations_all``,
    ``recommendations_<deadline>``, ``deadline_<recommendation>``, ``inspection_month``,
    ``inspection_year``, ``publication_month``, ``inspection_in_publication_year`` (grades and
    deadlines as column-safe slugs, e.g. ``requires_improvement``, ``within_three_months``).

    Reference: HMICFRS (2019), *National child protection inspections: Gwent Police*, Summary and
    section 4 (case file analysis), recommendations in sections 5-11, title page for dates.
    """
    figures: dict[str, Figure] = {}
    case_section = "Summary; 4. Case file analysis"
    cs = data.case_samples.astype({"sample": str, "assessor": str, "grade": str})
    hmicfrs = cs[cs["assessor"] == "hmicfrs"]
    total = int(hmicfrs["n"].sum())
    _put(figures, "cases_all", total, "Cases HMICFRS audited and graded, both samples together", case_section)
    for sample in SAMPLES:
        size = int(hmicfrs.loc[hmicfrs["sample"] == sample, "n"].sum())
        label = sample.replace("_", "-")
        _put(figures, f"cases_{sample}", size, f"Cases in the {label} sample", case_section)
        for assessor in ASSESSORS:
            part = cs[(cs["sample"] == sample) & (cs["assessor"] == assessor)]
            if part.empty:
                continue
            for grade in GRADES:
                n = int(part.loc[part["grade"] == grade, "n"].sum())
                who = "HMICFRS" if assessor == "hmicfrs" else "the force"
                key = f"{sample}_{assessor}_{GRADE_SLUGS[grade]}"
                _put(figures, key, n, f"Cases in the {label} sample that {who} graded {grade}", case_section)
                _put(figures, f"share_{key}", 100 * n / size, f"Percentage of the {label} sample that {who} graded {grade}", case_section)
    for grade in GRADES:
        n = int(hmicfrs.loc[hmicfrs["grade"] == grade, "n"].sum())
        slug = GRADE_SLUGS[grade]
        _put(figures, f"hmicfrs_all_{slug}", n, f"Cases HMICFRS graded {grade}, both samples together", case_section)
        _put(figures, f"share_hmicfrs_all_{slug}", 100 * n / total, f"Percentage of all audited cases HMICFRS graded {grade}", case_section)

    areas = data.area_grades.astype({"grade": str})
    labels = data.practice_areas.set_index("practice_area")["label"]
    for area in data.practice_areas["practice_area"]:
        part = areas[areas["practice_area"] == area]
        _put(figures, f"area_{area}_cases", int(part["n"].sum()), f"Audited cases in the area '{labels[area]}'", "4. Case file analysis")
        for grade in GRADES:
            n = int(part.loc[part["grade"] == grade, "n"].sum())
            _put(
                figures,
                f"area_{area}_{GRADE_SLUGS[grade]}",
                n,
                f"Cases in the area '{labels[area]}' HMICFRS graded {grade}",
                "4. Case file analysis",
            )

    recs = data.recommendations.astype({"deadline": str})
    rec_section = "5. Initial contact to 11. Police detention"
    _put(figures, "recommendations_all", len(recs), "Recommendations the report makes", rec_section)
    for deadline in data.recommendations["deadline"].cat.categories:
        n = int((recs["deadline"] == deadline).sum())
        _put(figures, f"recommendations_{deadline.replace(' ', '_')}", n, f"Recommendations to be acted on {deadline}", rec_section)
    for rec in recs.itertuples(index=False):
        _put(
            figures,
            f"deadline_{rec.recommendation_id}",
            rec.deadline,
            f"Deadline of recommendation {rec.recommendation_id} ({rec.chapter})",
            f"{rec.chapter_number}. {rec.chapter}",
        )

    src = data.source
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


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value == ""


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
                report_says=says if not _blank(says) else f"{figure.description}: {format_value(figure.value)}.",
            )
        out.append(record)
    return pd.DataFrame.from_records(out)


def _split_ids(value) -> list[str]:
    return [] if _blank(value) else str(value).split(";")


def check_review(
    claims: pd.DataFrame, texts: pd.DataFrame, lines: pd.DataFrame, mentions: pd.DataFrame, raw_dir: str | Path = RAW_DIR
) -> None:
    """Check that the claims and the two review passes agree, so that no claim or number is missed.

    - every claim's text is in ``coverage_texts.csv``;
    - ``coverage_lines.csv``: each line lists claims or a reason for listing none (not both); the
      claims it lists exist and name that line, and every line a claim names lists that claim;
    - ``coverage_number_mentions.csv``: each token belongs to a claim or has a reason (not both);
      a token's claim is in the same text and names the token's line, and the line is reviewed;
    - every claim of a type in :data:`NUMERIC_CLAIM_TYPES` contains at least one token.

    Raises :class:`AuditDataError` naming the file, row and column.
    """
    raw_dir = Path(raw_dir)
    cf = display_path(raw_dir / "coverage_claims.csv")
    lf = display_path(raw_dir / "coverage_lines.csv")
    mf = display_path(raw_dir / "coverage_number_mentions.csv")
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
                    expected=f"{cid} in claim_ids of that line in {Path(lf).name}",
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
                expected=f"a line in {Path(lf).name}",
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
    "verdict": "One of: matches; matches after rounding; not stated in the report; refers to a different document or a later inspection; contradicts the report.",
    "verdict_basis": "computed from the audit data (derived by code from the figure) or curated from the report (judged from the section named).",
    "report_section": "Section(s) of the HMICFRS report that support the verdict.",
    "report_says": "What the report (or the data) says on the point, in this project's words.",
    "context": "Context the verdict depends on, as the texts themselves give it.",
}

TEXT_COLUMNS = ("text_id", "file", "kind", "publisher", "title", "label", "date_as_given", "subject")


def load_coverage(raw_dir: str | Path = RAW_DIR) -> dict[str, pd.DataFrame]:
    """Read the four coverage tables (texts, claims, lines, number mentions) strictly against their schemas."""
    return {name: read_resource(raw_dir, f"coverage_{name}") for name in ("texts", "claims", "lines", "number_mentions")}


def checked_claims(data: AuditData, raw_dir: str | Path = RAW_DIR) -> pd.DataFrame:
    """The checked-claims table: every claim with its reference figure, verdict and context.

    Reads and cross-checks the coverage tables in ``raw_dir`` (:func:`check_review`), computes the
    reference figures from ``data`` (:func:`reference_figures`) and joins them (:func:`check_claims`).
    Rows keep the order of ``coverage_claims.csv``; columns are :data:`CHECKED_COLUMNS`.
    """
    raw_dir = Path(raw_dir)
    tables = load_coverage(raw_dir)
    check_review(tables["claims"], tables["texts"], tables["lines"], tables["number_mentions"], raw_dir)
    checked = check_claims(tables["claims"], reference_figures(data), display_path(raw_dir / "coverage_claims.csv"))
    labels = tables["texts"].set_index("text_id")["label"]
    checked["text"] = checked["text_id"].map(labels)
    for col in ("figure_key", "comparison", "context", "report_says"):
        checked[col] = checked[col].map(lambda v: "" if _blank(v) else v)
    return checked[list(CHECKED_COLUMNS)].astype(str).reset_index(drop=True)


def verdict_counts(checked: pd.DataFrame, by: str | None = None) -> pd.DataFrame | pd.Series:
    """Number of claims per verdict (in :data:`VERDICTS` order), overall or per value of column ``by``."""
    if by is None:
        return checked["verdict"].value_counts().reindex(list(VERDICTS), fill_value=0)
    table = pd.crosstab(checked[by], checked["verdict"])
    return table.reindex(columns=list(VERDICTS), fill_value=0)


#: How each verdict reads in a sentence: (singular, plural).
_VERDICT_VERBS: dict[str, tuple[str, str]] = {
    MATCHES: ("matches the report", "match the report"),
    MATCHES_ROUNDED: ("matches it after rounding", "match it after rounding"),
    NOT_STATED: ("is not stated in it", "are not stated in it"),
    ELSEWHERE: ("refers to a different document or a later inspection", "refer to a different document or a later inspection"),
    CONTRADICTS: ("contradicts it", "contradict it"),
}


#: Claim types as plural nouns for prose.
TYPE_NOUNS: dict[str, str] = {
    "graded cases": "counts of graded cases",
    "deadline": "deadlines",
    "date": "dates",
    "legal time limit": "legal time limits",
    "legal requirement": "legal requirements",
    "facilities": "numbers of facilities",
    "officers trained": "numbers of officers trained",
    "attribution": "attributions",
    "other number": "other numbers",
    "other fact": "other facts",
}


def _verdict_phrase(verdict: str, k: int) -> str:
    singular, plural = _VERDICT_VERBS[verdict]
    return f"{k} {singular if k == 1 else plural}"


def _in_sentence(label: str) -> str:
    """A text label inside a sentence: lower-case first letter unless it starts an acronym (``HMICFRS``)."""
    return label if label[:2].isupper() else label[0].lower() + label[1:]


def verdict_summary(checked: pd.DataFrame) -> str:
    """One Markdown paragraph summarising the verdicts, built only from the checked table.

    Counts claims per text and per verdict, how many verdicts were computed from the data and how
    they came out, which texts credit the inspectorate with findings the report does not state, and
    where claims about other documents come from. Nothing in it is typed.
    """
    n = len(checked)
    per_text = checked.groupby("text", sort=False).size()
    counts = verdict_counts(checked)
    text_parts = join_words([f"{k} in the {_in_sentence(t)}" for t, k in per_text.items()])
    sentences = [f"The four texts make {n} checkable claims ({text_parts})."]
    present = [_verdict_phrase(v, int(counts[v])) for v in VERDICTS if counts[v]]
    sentences.append(f"Of these, {join_words(present)}.")
    missing = [_VERDICT_VERBS[v][1] for v in VERDICTS if not counts[v]]
    if missing:
        sentences.append(f"None {join_words(missing, 'or')}.")
    computed = checked[checked["verdict_basis"] == BASIS_COMPUTED]
    if len(computed):
        comp_counts = verdict_counts(computed)
        kinds = join_words([TYPE_NOUNS.get(t, t) for t in sorted(set(computed["claim_type"]))])
        if (comp_counts == len(computed)).any():
            outcome = f"all {len(computed)} {_VERDICT_VERBS[comp_counts.idxmax()][1]}"
        else:
            outcome = join_words([_verdict_phrase(v, int(comp_counts[v])) for v in VERDICTS if comp_counts[v]])
        sentences.append(
            f"The {len(computed)} claims whose reference figure is in the audit data ({kinds}) were checked by code "
            f"against figures computed from it: {outcome}."
        )
    unsupported = checked[(checked["verdict"] == NOT_STATED) & (checked["claim_type"] == "attribution")]
    if len(unsupported):
        where = join_words([_in_sentence(t) for t in dict.fromkeys(unsupported["text"])])
        plural = len(unsupported) != 1
        sentences.append(
            f"The report gives no support to {len(unsupported)} claim{'s' if plural else ''} that credit{'' if plural else 's'} "
            f"the inspectorate or its report with a finding, in the {where}."
        )
    later = checked[checked["verdict"] == ELSEWHERE]
    if len(later):
        by_text = later.groupby("text", sort=False).size()
        sentences.append(
            "Claims about a different document or a later inspection come from the "
            + join_words([f"{_in_sentence(t)} ({k})" for t, k in by_text.items()])
            + "."
        )
    return " ".join(sentences)


def review_note(raw_dir: str | Path = RAW_DIR) -> str:
    """One Markdown paragraph with the counts behind the method: lines reviewed, tokens found and how each was accounted for."""
    tables = load_coverage(raw_dir)
    lines, mentions = tables["lines"], tables["number_mentions"]
    with_claims = int(lines["claim_ids"].map(lambda v: not _blank(v)).sum())
    reasons = lines["exclusion"].dropna().value_counts()
    tokens_claimed = int(mentions["claim_id"].map(lambda v: not _blank(v)).sum())
    token_reasons = mentions["reason"].dropna().value_counts()
    return (
        f"The sentence-by-sentence pass covered {len(lines)} non-blank lines: {with_claims} hold at least one claim and "
        f"{len(lines) - with_claims} hold none ({'; '.join(f'{k} {r}' for r, k in reasons.items())}). "
        f"The pattern pass found {len(mentions)} numbers, number words and date words: {tokens_claimed} belong to a claim and "
        f"{len(mentions) - tokens_claimed} do not ({'; '.join(f'{k} {r}' for r, k in token_reasons.items())})."
    )


def _is_number(text: str) -> bool:
    return bool(_DECIMAL.fullmatch(text))


def interactive_table(frame: pd.DataFrame, table_id: str, filters: Sequence[str] = (), hidden: Iterable[str] = ()) -> str:
    """A self-contained HTML table that readers can sort (click a heading) and filter (search box and drop-downs).

    ``filters`` names columns that get a drop-down of their values; ``hidden`` names columns left
    out. The script is inline and loads nothing from other hosts; without JavaScript the table
    still shows in full. Numeric cells are right-aligned. The output depends only on the inputs.
    """
    if not re.fullmatch(r"[a-z][a-z0-9-]*", table_id):
        raise ValueError("table_id must be lower-case letters, digits and hyphens")
    cols = [c for c in frame.columns if c not in set(hidden)]
    esc = html.escape
    controls = [
        '<input type="search" aria-label="Filter rows" placeholder="Filter rows…" class="form-control form-control-sm" style="max-width:20em;display:inline-block">'
    ]
    for col in filters:
        idx = cols.index(col)
        options = "".join(f'<option value="{esc(v)}">{esc(v)}</option>' for v in sorted(frame[col].astype(str).unique()))
        controls.append(
            f'<select data-col="{idx}" aria-label="Filter by {esc(col)}" class="form-select form-select-sm" style="max-width:22em;display:inline-block">'
            f'<option value="">All: {esc(col.replace("_", " "))}</option>{options}</select>'
        )
    head = "".join(
        f'<th scope="col" data-col="{i}"><button type="button" style="all:unset;cursor:pointer;font-weight:bold">{esc(c.replace("_", " "))}</button></th>'
        for i, c in enumerate(cols)
    )
    body = []
    for row in frame[cols].astype(str).itertuples(index=False):
        cells = "".join(f'<td style="text-align:right">{esc(v)}</td>' if _is_number(v) else f"<td>{esc(v)}</td>" for v in row)
        body.append(f"<tr>{cells}</tr>")
    script = (
        "(function(){const root=document.getElementById('" + table_id + "');if(!root)return;"
        "const table=root.querySelector('table'),body=table.tBodies[0],rows=Array.from(body.rows);"
        "const input=root.querySelector('input'),selects=Array.from(root.querySelectorAll('select')),count=root.querySelector('.row-count');"
        "function apply(){const q=input.value.toLowerCase();let shown=0;rows.forEach(r=>{let ok=!q||r.textContent.toLowerCase().includes(q);"
        "selects.forEach(s=>{if(s.value&&r.cells[+s.dataset.col].textContent!==s.value)ok=false;});r.hidden=!ok;if(ok)shown++;});"
        "count.textContent=shown+' of '+rows.length+' rows';}"
        "const num=s=>s.trim()===''?NaN:Number(s);"
        "table.tHead.querySelectorAll('th').forEach(th=>{th.querySelector('button').addEventListener('click',()=>{"
        "const i=+th.dataset.col,asc=th.getAttribute('aria-sort')!=='ascending';"
        "table.tHead.querySelectorAll('th').forEach(h=>h.removeAttribute('aria-sort'));th.setAttribute('aria-sort',asc?'ascending':'descending');"
        "rows.sort((a,b)=>{const x=a.cells[i].textContent,y=b.cells[i].textContent,nx=num(x),ny=num(y);"
        "const c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);return asc?c:-c;});rows.forEach(r=>body.appendChild(r));});});"
        "input.addEventListener('input',apply);selects.forEach(s=>s.addEventListener('change',apply));apply();})();"
    )
    n = len(frame)
    return (
        f'<div id="{table_id}" class="interactive-table">'
        f'<div style="margin-bottom:0.5em">{" ".join(controls)} <span class="row-count" aria-live="polite">{n} of {n} rows</span></div>'
        f'<div style="overflow-x:auto"><table class="table table-sm table-striped"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
        f"<script>{script}</script></div>"
    )


def _build(data: AuditData, raw_dir: Path) -> dict[str, pd.DataFrame]:
    return {"coverage_claims_checked.csv": checked_claims(data, raw_dir)}


STAGE = Stage(
    name="coverage",
    build=_build,
    tables=(
        TableSpec(
            "coverage_claims_checked.csv",
            "Claims in the press coverage, checked against the report",
            "Every checkable factual claim in four news and press texts about the inspection, with what the report or the audit data say and a verdict. "
            "Verdicts of claims with a figure_key are derived by code from figures computed from the raw audit data; the others are curated from the report section named.",
            CHECKED_COLUMNS,
            (
                "Paraphrases are this project's words; the texts themselves are not reproduced.",
                "Text 004 is about a later joint inspection led by Care Inspectorate Wales; only where it refers back to the HMICFRS report is a claim checked against the report.",
            ),
        ),
    ),
)
