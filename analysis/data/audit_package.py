"""An audit package: ``audit.json`` (what the audit is, its grade scale) and ``figures.csv`` (one published figure a row).

Any published case-file audit of the national programme can be written as such a package, whatever
shape its figures take: exact counts, a count given only as "the remainder" (left out, implied by
``of``), rounded percentages, inequalities, several grades counted together, an overall split
only. This module reads and checks both files and turns the figures into the integer system of
:mod:`analysis.stats.consistent_set`, whose integer points are every set of counts (and every
pairing of the force's and the inspectors' grades) consistent with what was published.

Every problem is an :class:`~analysis.data.errors.AuditDataError` naming the file, the row(s) and
what is wrong, including figures that cannot all hold together (with the arithmetic).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import pandas as pd

from analysis.data.errors import AuditDataError, shorten
from analysis.data.schemas import field_enum, load_schema
from analysis.data.strict_json import parse_json_text
from analysis.stats.consistent_set import CountSystem, Row

AUDIT_FILE = "audit.json"
FIGURES_FILE = "figures.csv"

#: Table Schema of ``figures.csv`` (the project's, the same in every package), kept as data in
#: ``analysis/data/table_schemas/figures.json``.
FIGURES_SCHEMA: dict[str, Any] = load_schema("figures")

#: The columns of ``figures.csv``, exactly and in this order.
FIGURE_COLUMNS: tuple[str, ...] = tuple(f["name"] for f in FIGURES_SCHEMA["fields"])

#: The samples a figure can describe: the cases the force selected (graded by the force and again by
#: the inspectors), the cases only the inspectors selected and graded, and both together (the schema's values).
SAMPLES: tuple[str, ...] = field_enum(FIGURES_SCHEMA, "sample")
RATERS: tuple[str, ...] = field_enum(FIGURES_SCHEMA, "rater")

#: Separator of several grades counted together in one figure (``requires improvement or inadequate``).
GRADE_JOIN = " or "

MIN_GRADES, MAX_GRADES = 2, 7

#: Longest name or title a package may give (characters): the force, the title, the licence, a grade,
#: a source's title, a practice area (``figures.csv``, ``area``).
MAX_NAME_CHARS = 500
#: Longest quoted passage or address (characters): a source's ``url``; ``figures.csv``'s ``wording``
#: and ``source`` (every cell of a table is bounded by :data:`analysis.data.package.MAX_TEXT_CHARS`, the same).
MAX_QUOTE_CHARS = 2000
#: Unicode's control characters (category Cc) and the line and paragraph separators: never part of a name or a quote.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")

_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_PUBLISHED = re.compile(r"[0-9]{4}(-(0[1-9]|1[0-2])(-[0-3][0-9])?)?")
#: A printed percentage (the ``percent`` field's pattern).
_PERCENT = re.compile(next(f for f in FIGURES_SCHEMA["fields"] if f["name"] == "percent")["constraints"]["pattern"])

#: The fields of ``audit.json``: name, JSON type, description (for the data dictionary; checked by :func:`parse_audit_json`).
AUDIT_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("id", "string", "Short identifier of the audit: lower-case letters and digits joined by hyphens (e.g. gwent-2019)."),
    ("force", "string", "The police force inspected."),
    ("title", "string", "Title of the published document."),
    ("published", "string", "When it was published: YYYY, YYYY-MM or YYYY-MM-DD."),
    ("grades", "array", f"The grade scale, {MIN_GRADES} to {MAX_GRADES} names, best first."),
    ("sources", "array", "Where the figures are published: a list of {title, url}."),
    ("licence", "string", "The licence the figures are re-used under."),
    (
        "areas_partition",
        "boolean",
        "Optional: true when the practice areas given for a sample and rater partition its cases (their figures add up to the sample's).",
    ),
    (
        "samples",
        "object",
        "Optional: what the document states about each sample (force_selected, inspectorate_selected, all): 'selection', how its cases "
        "were chosen, as {quote, source, random} (the document's sentence, where it is printed, and true only if it says the cases were "
        "drawn at random); 'n_unknown': true when the document prints shares of the sample but not its number of cases.",
    ),
)


@dataclass(frozen=True)
class Selection:
    """How a sample's cases were chosen, as the document states it: its sentence, where it is printed, and whether it says "at random"."""

    quote: str
    source: str
    random: bool


@dataclass(frozen=True)
class AuditMeta:
    """The contents of ``audit.json``: what the audit is and its grade scale (best first)."""

    id: str
    force: str
    title: str
    published: str
    grades: tuple[str, ...]
    sources: tuple[tuple[str, str], ...]
    licence: str
    areas_partition: bool = False
    selection: tuple[tuple[str, Selection], ...] = ()
    n_unknown: frozenset = frozenset()

    @property
    def k(self) -> int:
        return len(self.grades)

    def selected(self, sample: str) -> Selection | None:
        """What the document states about how ``sample``'s cases were chosen (``None``: it states nothing)."""
        return dict(self.selection).get(sample)

    def said_random(self, sample: str = "force_selected") -> bool:
        """Whether the document says ``sample``'s cases were drawn at random (from ``audit.json``'s ``samples``)."""
        chosen = self.selected(sample)
        return chosen is not None and chosen.random


@dataclass(frozen=True)
class Figure:
    """One row of ``figures.csv``, checked: its group, grade indices (best = 0) and the count range it allows."""

    row: int
    sample: str
    rater: str
    area: str
    grades: tuple[int, ...]
    kind: str  # count, percent, bound, or share (a percent of a sample of unknown size: of is 0)
    low: int
    high: int
    of: int
    printed: str
    wording: str
    source: str

    @property
    def group(self) -> tuple[str, str, str]:
        return (self.sample, self.rater, self.area)


@dataclass(frozen=True)
class FigureSet:
    """The checked figures and the integer system they define (:class:`~analysis.stats.consistent_set.CountSystem`).

    ``groups`` maps each group ``(sample, rater, area)`` to its number of cases, including the
    groups the figures imply without printing anything about them (the cases only the inspectors
    selected, when the figures give all cases and the force's sample; an area-free total when the
    areas partition the cases); ``implied`` names those. ``pair`` is the force's and the
    inspectors' grading of the force-selected cases, when the figures give both.
    """

    meta: AuditMeta
    figures: tuple[Figure, ...]
    system: CountSystem
    implied: frozenset = field(default_factory=frozenset)
    shares: tuple[Figure, ...] = ()  # printed percentages of samples of unknown size: in no count, reported as printed

    @property
    def groups(self) -> dict[Hashable, int]:
        return self.system.groups

    @property
    def pair(self) -> tuple | None:
        return self.system.pair


# --------------------------------------------------------------------------- audit.json


def _fail(shown: str, problem: str, expected: str, found: Any, column: str | None = None) -> None:
    raise AuditDataError(shown, problem, column=column, expected=expected, found=shorten(repr(found)))


def _check_text(shown: str, value: Any, field: str, limit: int) -> None:
    """A text field of ``audit.json`` holds no control character and at most ``limit`` characters (else one line naming the field)."""
    if not isinstance(value, str):
        return  # its type is checked with the field
    bad = _CONTROL.search(value)
    if bad:
        raise AuditDataError(
            shown,
            f"control character in '{field}'",
            column=field,
            expected="printable text (no tab or line break)",
            found=f"U+{ord(bad.group()):04X}",
        )
    if len(value) > limit:
        raise AuditDataError(
            shown, f"'{field}' is too long", column=field, expected=f"at most {limit:,} characters", found=f"{len(value):,} characters"
        )


def _check_texts(doc: dict, shown: str) -> None:
    """Every text of ``audit.json`` (names and titles up to :data:`MAX_NAME_CHARS`, a source's address up to :data:`MAX_QUOTE_CHARS`)."""
    for key in ("id", "force", "title", "published", "licence"):
        _check_text(shown, doc.get(key), key, MAX_NAME_CHARS)
    grades = doc.get("grades")
    for g in grades if isinstance(grades, list) else []:
        _check_text(shown, g, "grades", MAX_NAME_CHARS)
    sources = doc.get("sources")
    for src in sources if isinstance(sources, list) else []:
        if isinstance(src, dict):
            _check_text(shown, src.get("title"), "sources", MAX_NAME_CHARS)
            _check_text(shown, src.get("url"), "sources", MAX_QUOTE_CHARS)


def parse_audit_json(text: str, shown: str) -> AuditMeta:
    """Check the fields of ``audit.json`` (already decoded UTF-8) and return them as :class:`AuditMeta`.

    The JSON is read within bounds (:func:`analysis.data.strict_json.parse_json_text`: nesting depth,
    number range, no key twice), so no document can raise anything but :class:`AuditDataError`.
    No text holds a control character or is longer than :data:`MAX_NAME_CHARS` (a source's address,
    :data:`MAX_QUOTE_CHARS`).
    """
    doc = parse_json_text(text, shown)
    if not isinstance(doc, dict):
        _fail(shown, "not a JSON object", "an object with id, force, title, published, grades, sources, licence", type(doc).__name__)
    known = {"id", "force", "title", "published", "grades", "sources", "licence", "areas_partition", "samples"}
    unknown = sorted(set(doc) - known)
    if unknown:
        _fail(shown, "unknown field", "only " + ", ".join(sorted(known)), unknown[0], column=unknown[0])
    _check_texts(doc, shown)
    for key in ("id", "force", "title", "published", "licence"):
        value = doc.get(key)
        if not isinstance(value, str) or not value.strip() or value != value.strip():
            _fail(shown, f"field '{key}' missing or blank", "a non-empty string without surrounding spaces", value, column=key)
    if not _SLUG.fullmatch(doc["id"]):
        _fail(
            shown,
            "id is not a lower-case slug",
            "lower-case letters and digits joined by single hyphens (e.g. gwent-2019)",
            doc["id"],
            "id",
        )
    published = doc["published"]
    if not _PUBLISHED.fullmatch(published):
        _fail(shown, "published is not a date", "YYYY, YYYY-MM or YYYY-MM-DD", published, "published")
    if len(published) == 10:
        try:
            dt.date.fromisoformat(published)
        except ValueError:
            _fail(shown, "published is not a real date", "a calendar date YYYY-MM-DD", published, "published")
    grades = doc.get("grades")
    if not isinstance(grades, list) or not all(isinstance(g, str) for g in grades):
        _fail(shown, "grades must be a list of grade names", f"{MIN_GRADES} to {MAX_GRADES} names, best first", grades, "grades")
    if not MIN_GRADES <= len(grades) <= MAX_GRADES:
        _fail(shown, "wrong number of grades", f"{MIN_GRADES} to {MAX_GRADES} names, best first", f"{len(grades)}", "grades")
    for g in grades:
        if not g.strip() or g != g.strip() or "  " in g or GRADE_JOIN in g or not g.isprintable():
            _fail(
                shown,
                "grade name not usable",
                f"printable words without surrounding or double spaces and without '{GRADE_JOIN.strip()}'",
                g,
                "grades",
            )
    folded = [g.casefold() for g in grades]
    if len(set(folded)) != len(folded):
        dup = next(g for g in grades if folded.count(g.casefold()) > 1)
        _fail(shown, "grade named twice", "distinct grade names", dup, "grades")
    sources = doc.get("sources")
    if not isinstance(sources, list) or not sources:
        _fail(shown, "sources missing", "a non-empty list of {title, url}", sources, "sources")
    parsed = []
    for i, src in enumerate(sources, start=1):
        if (
            not isinstance(src, dict)
            or set(src) != {"title", "url"}
            or not all(isinstance(src[k], str) and src[k].strip() for k in ("title", "url"))
        ):
            _fail(shown, f"source {i} is not {{title, url}}", "an object with a non-empty title and url, nothing else", src, "sources")
        if not re.fullmatch(r"https?://\S+", src["url"]):
            _fail(shown, f"source {i} has no web address", "a url starting with http:// or https://", src["url"], "sources")
        parsed.append((src["title"], src["url"]))
    partition = doc.get("areas_partition", False)
    if not isinstance(partition, bool):
        _fail(shown, "areas_partition must be true or false", "a JSON boolean", partition, "areas_partition")
    selection, n_unknown = _parse_samples(doc.get("samples", {}), shown)
    return AuditMeta(
        doc["id"], doc["force"], doc["title"], published, tuple(grades), tuple(parsed), doc["licence"], partition, selection, n_unknown
    )


def _parse_samples(samples: Any, shown: str) -> tuple[tuple[tuple[str, Selection], ...], frozenset]:
    """``audit.json``'s optional ``samples``: each sample's ``selection`` ({quote, source, random}) and ``n_unknown`` flag."""
    if not isinstance(samples, dict):
        _fail(shown, "samples must be an object", "an object keyed by " + ", ".join(SAMPLES), samples, "samples")
    selection, unknown = [], set()
    for sample in SAMPLES:
        if sample not in samples:
            continue
        entry = samples[sample]
        if not isinstance(entry, dict) or not entry or not set(entry) <= {"selection", "n_unknown"}:
            _fail(shown, f"samples.{sample} is not usable", "an object with selection and/or n_unknown, nothing else", entry, "samples")
        if "n_unknown" in entry:
            if entry["n_unknown"] is not True:
                _fail(
                    shown,
                    f"samples.{sample}.n_unknown must be true",
                    "true (leave it out when the count is printed)",
                    entry["n_unknown"],
                    "samples",
                )
            unknown.add(sample)
        if "selection" in entry:
            sel = entry["selection"]
            if (
                not isinstance(sel, dict)
                or set(sel) != {"quote", "source", "random"}
                or not all(isinstance(sel[k], str) and sel[k].strip() and sel[k] == sel[k].strip() for k in ("quote", "source"))
                or not isinstance(sel["random"], bool)
            ):
                _fail(
                    shown,
                    f"samples.{sample}.selection is not {{quote, source, random}}",
                    "the document's sentence and where it is printed (non-empty strings) and random true or false",
                    sel,
                    "samples",
                )
            _check_text(shown, sel["quote"], f"samples.{sample}.selection.quote", MAX_QUOTE_CHARS)
            _check_text(shown, sel["source"], f"samples.{sample}.selection.source", MAX_QUOTE_CHARS)
            selection.append((sample, Selection(sel["quote"], sel["source"], sel["random"])))
    extra = sorted(set(samples) - set(SAMPLES))
    if extra:
        _fail(shown, "unknown sample in samples", "only " + ", ".join(SAMPLES), extra[0], "samples")
    return tuple(selection), frozenset(unknown)


def audit_document(meta: AuditMeta) -> dict[str, Any]:
    """``audit.json``'s fields as :func:`parse_audit_json` reads them back into ``meta`` (its inverse, optional fields only when set).

    The processed set carries it in its ``datapackage.json`` (``x_audit``), so that what the audit is
    (its id, title, force, sources, licence, what the document says of each sample) can be read
    beside the tables without the raw package.
    """
    doc: dict[str, Any] = {
        "id": meta.id,
        "force": meta.force,
        "title": meta.title,
        "published": meta.published,
        "grades": list(meta.grades),
        "sources": [{"title": title, "url": url} for title, url in meta.sources],
        "licence": meta.licence,
    }
    if meta.areas_partition:
        doc["areas_partition"] = True
    samples: dict[str, Any] = {}
    for sample in SAMPLES:
        entry: dict[str, Any] = {}
        chosen = meta.selected(sample)
        if chosen is not None:
            entry["selection"] = {"quote": chosen.quote, "source": chosen.source, "random": chosen.random}
        if sample in meta.n_unknown:
            entry["n_unknown"] = True
        if entry:
            samples[sample] = entry
    if samples:
        doc["samples"] = samples
    return doc


# --------------------------------------------------------------------------- figures.csv


def percent_range(printed: str, of: int) -> tuple[int, int] | None:
    """Fewest and most cases out of ``of`` whose share, in percent, rounds to ``printed`` (``None`` if no count does).

    The decimals printed set the rounding: ``76`` allows shares in [75.5, 76.5], ``75.8`` in
    [75.75, 75.85]; a share exactly at a half rounds either way (the rounding rule of a document is
    rarely known). Exact rational arithmetic, so no count is lost or gained at an edge.
    """
    value = Fraction(printed)
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    half = Fraction(1, 2 * 10**decimals)
    low = (value - half) * of / 100
    high = (value + half) * of / 100
    lo = max(0, -((-low.numerator) // low.denominator))  # ceil
    hi = min(of, high.numerator // high.denominator)  # floor
    return (lo, hi) if lo <= hi else None


def _rows_text(rows: Sequence[int]) -> str:
    """``rows 5–8, 12`` (data rows, header excluded)."""
    rows = sorted(set(rows))
    parts, start = [], rows[0]
    for prev, cur in zip(rows, [*rows[1:], None], strict=True):
        if cur != prev + 1:
            parts.append(f"{start}" if start == prev else f"{start}–{prev}")
            start = cur
    shifted = [
        "–".join(str(int(x) + 1) for x in part.split("–")) for part in parts
    ]  # the file's line: the data row + 1 (the header is line 1)
    return (
        ("row " if len(rows) == 1 else "rows ")
        + ", ".join(parts)
        + (" (line " if len(rows) == 1 else " (lines ")
        + ", ".join(shifted)
        + ")"
    )


def _group_text(group: tuple[str, str, str]) -> str:
    sample, rater, area = group
    return f"{sample}, {rater}" + (f", area {area!r}" if area else "")


def parse_figures(frame: pd.DataFrame, meta: AuditMeta, shown: str) -> tuple[Figure, ...]:
    """Check every row of ``figures.csv`` (already read against :data:`FIGURES_SCHEMA`) and return the figures.

    Refused, each naming the row: a rater ``force`` outside the force's sample; a grade not on the
    scale, or named twice; no kind of figure, or two kinds on one row (``count``; ``percent``;
    ``at_least``/``at_most``); a count, bound or percent larger than ``of`` allows; ``at_least``
    above ``at_most``; a percent that no whole count rounds to; ``of`` differing between rows of one
    sample, rater and area.
    """
    index = {g: i for i, g in enumerate(meta.grades)}
    out = []
    of_seen: dict[tuple, tuple[int, int]] = {}
    for i, raw in enumerate(frame.to_dict("records"), start=1):
        rec = {k: None if v is None or (isinstance(v, float) and v != v) else v for k, v in raw.items()}

        def fail(problem: str, column: str, expected: str, found: Any, row: int | list[int] = i) -> None:
            raise AuditDataError(shown, problem, row=row, column=column, expected=expected, found=shorten(str(found)))

        sample, rater, area = rec["sample"], rec["rater"], rec["area"] or ""
        if len(area) > MAX_NAME_CHARS:
            fail("area is too long", "area", f"at most {MAX_NAME_CHARS:,} characters", f"{len(area):,} characters")
        if area != area.strip() or (rec["area"] is not None and not area):
            fail("area has surrounding spaces", "area", "the area as published, without surrounding spaces", repr(area))
        if rater == "force" and sample != "force_selected":
            fail(
                "the force graded only the cases it selected", "rater", "rater inspectorate, or sample force_selected", f"{sample}, {rater}"
            )
        names = rec["grades"].split(GRADE_JOIN)
        grades = []
        for name in names:
            if name not in index:
                fail("grade not on the scale", "grades", "one of " + ", ".join(meta.grades) + f" (several joined by '{GRADE_JOIN}')", name)
            if index[name] in grades:
                fail("grade named twice", "grades", "each grade once", name)
            grades.append(index[name])
        if (rec["of"] is None) != (sample in meta.n_unknown):
            if rec["of"] is None:
                fail(
                    "missing value",
                    "of",
                    f'the number of cases the figure is out of (or, if the document never prints it, "samples": {{"{sample}": {{"n_unknown": true}}}} in audit.json)',
                    "nothing",
                )
            fail(
                "of is given for a sample whose number of cases audit.json says is unknown",
                "of",
                "an empty of (samples: n_unknown)",
                rec["of"],
            )
        of = 0 if rec["of"] is None else int(rec["of"])
        kinds = [
            k
            for k, present in (
                ("count", rec["count"] is not None),
                ("percent", rec["percent"] is not None),
                ("bound", rec["at_least"] is not None or rec["at_most"] is not None),
            )
            if present
        ]
        if len(kinds) != 1:
            fail(
                "no figure on the row" if not kinds else "two kinds of figure on one row",
                "count, percent, at_least, at_most",
                "exactly one of: count; percent; at_least and/or at_most",
                "none" if not kinds else " and ".join(kinds),
            )
        kind = kinds[0]
        if not of:
            if kind != "percent":
                fail("a sample of unknown size can only be given as printed percentages", "percent", "a percent (no count or bound)", kind)
            printed = rec["percent"]
            if Fraction(printed) > 100:
                fail("percentage above 100", "percent", "a percentage from 0 to 100", printed)
            out.append(Figure(i, sample, rater, area, tuple(grades), "share", 0, 0, 0, printed, rec["wording"] or "", rec["source"] or ""))
            continue
        if kind == "count":
            low = high = int(rec["count"])
            printed = str(low)
            if low > of:
                fail("count larger than the number of cases", "count", f"at most of = {of}", low)
        elif kind == "percent":
            printed = rec["percent"]
            if Fraction(printed) > 100:
                fail("percentage above 100", "percent", "a percentage from 0 to 100", printed)
            found = percent_range(printed, of)
            if found is None:
                fail(
                    "no whole number of cases rounds to this percentage",
                    "percent",
                    f"a percentage some count out of {of} rounds to",
                    f"{printed}% of {of}",
                )
            low, high = found
        else:
            low = int(rec["at_least"]) if rec["at_least"] is not None else 0
            high = int(rec["at_most"]) if rec["at_most"] is not None else of
            printed = (
                f"at least {low}" if rec["at_most"] is None else (f"at most {high}" if rec["at_least"] is None else f"{low} to {high}")
            )
            if low > of:
                fail("at_least larger than the number of cases", "at_least", f"at most of = {of}", low)
            if high > of and rec["at_most"] is not None:
                fail("at_most larger than the number of cases", "at_most", f"at most of = {of}", high)
            if low > high:
                fail("at_least is above at_most", "at_least, at_most", "at_least <= at_most", f"{low} > {high}")
        key = (sample, rater, area)
        if key in of_seen and of_seen[key][0] != of:
            first_of, first_row = of_seen[key]
            fail(
                f"of differs within one group ({_group_text(key)})",
                "of",
                f"the same of on every row of the group ({first_of}, as on row {first_row})",
                of,
                row=[first_row, i],
            )
        of_seen.setdefault(key, (of, i))
        out.append(Figure(i, sample, rater, area, tuple(grades), kind, low, high, of, printed, rec["wording"] or "", rec["source"] or ""))
    if not out:
        raise AuditDataError(shown, "no figures", expected="at least one published figure")
    return tuple(out)


def _figure_text(f: Figure, meta: AuditMeta) -> str:
    what = GRADE_JOIN.join(meta.grades[i] for i in f.grades)
    size = f"{f.low}" if f.low == f.high else f"{f.low} to {f.high}"
    given = {"count": "", "percent": f" ({f.printed}%)", "bound": f" ({f.printed})"}[f.kind]
    return f"row {f.row}: {what} {size}{given} of {f.of}"


def _explain(core: list[Figure], fs: FigureSet) -> str:
    """The arithmetic behind figures that cannot all hold, in one clause."""
    groups = {f.group for f in core}
    if len(groups) == 1:
        group = next(iter(groups))
        of = fs.groups[group]
        disjoint = len({i for f in core for i in f.grades}) == sum(len(f.grades) for f in core)
        covers = disjoint and {i for f in core for i in f.grades} == set(range(fs.meta.k))
        low, high = sum(f.low for f in core), sum(f.high for f in core)
        if covers and low == high:
            return f"the counts add up to {low} but of = {of}"
        if disjoint and low > of:
            return f"the counts add up to at least {low} but of = {of}"
        if covers and high < of:
            return f"the counts add up to at most {high} but of = {of}"
    parts = "; ".join(_figure_text(f, fs.meta) for f in core)
    return f"no counts satisfy all of them together (with each sample's size{' and how the groups add up' if len(groups) > 1 else ''}): {parts}"


def build_figure_set(figures: Sequence[Figure], meta: AuditMeta, shown: str, known=None) -> FigureSet:
    """The integer system of the figures: groups, implied groups, links, the force-selected pair; refuse what cannot hold.

    Links: for the inspectors (per area, and for all areas), ``all`` = ``force_selected`` +
    ``inspectorate_selected`` grade by grade wherever the figures give ``all`` and at least one of
    the samples (the other is then implied, with ``of`` the difference); with
    ``areas_partition``, the areas of a sample and rater add up to its area-free counts (implied
    when not printed). The force's and the inspectors' grading of the force-selected cases form a
    pair of the same cases. Sizes that do not add up, and figures that cannot all hold, are
    refused with the rows and the arithmetic.
    """
    shares = tuple(f for f in figures if f.kind == "share")
    figures = [f for f in figures if f.kind != "share"]  # shares of a sample of unknown size enter no count
    groups: dict[tuple, int] = {}
    first_row: dict[tuple, list[int]] = {}
    for f in figures:
        groups.setdefault(f.group, f.of)
        first_row.setdefault(f.group, []).append(f.row)
    implied: set[tuple] = set()

    def size_error(problem: str, rows: list[int], expected: str, found: str) -> None:
        raise AuditDataError(shown, problem, row=sorted(set(rows)), column="of", expected=expected, found=found)

    # areas partition their sample and rater: the area-free group is their sum
    links: list[tuple[tuple, tuple]] = []
    if meta.areas_partition:
        by_sr: dict[tuple, list[tuple]] = {}
        for g in groups:
            if g[2]:
                by_sr.setdefault(g[:2], []).append(g)
        for (sample, rater), parts in by_sr.items():
            whole = (sample, rater, "")
            total = sum(groups[p] for p in parts)
            if whole in groups and groups[whole] != total:
                rows = [r for p in parts for r in first_row[p]] + first_row[whole]
                size_error(
                    f"the areas of {sample}, {rater} do not add up to its cases (areas_partition is true)",
                    rows,
                    f"the areas' of adding up to {groups[whole]}",
                    f"{' + '.join(str(groups[p]) for p in parts)} = {total}",
                )
            if whole not in groups:
                groups[whole] = total
                implied.add(whole)
            links.append((whole, tuple(parts)))

    # all = force_selected + inspectorate_selected (inspectors), per area and overall
    areas = sorted({g[2] for g in groups if g[1] == "inspectorate"})
    for area in areas:
        a, f_, i_ = (
            ("all", "inspectorate", area),
            ("force_selected", "inspectorate", area),
            ("inspectorate_selected", "inspectorate", area),
        )
        present = [g for g in (f_, i_) if g in groups]
        if a in groups and present:
            rows = [r for g in (a, *present) for r in first_row.get(g, [])]
            if len(present) == 2:
                if groups[a] != groups[f_] + groups[i_]:
                    size_error(
                        "the two samples do not add up to all cases" + (f" in area {area!r}" if area else ""),
                        rows,
                        f"force_selected + inspectorate_selected = all ({groups[a]})",
                        f"{groups[f_]} + {groups[i_]} = {groups[f_] + groups[i_]}",
                    )
            else:
                other = i_ if present[0] == f_ else f_
                rest = groups[a] - groups[present[0]]
                if rest < 0:
                    size_error(
                        f"a sample is larger than all cases{f' in area {area!r}' if area else ''}",
                        rows,
                        f"{present[0][0]} at most all ({groups[a]})",
                        f"{groups[present[0]]}",
                    )
                groups[other] = rest
                implied.add(other)
            links.append((a, (f_, i_)))

    pair = None
    force, insp = ("force_selected", "force", ""), ("force_selected", "inspectorate", "")
    if force in groups and insp in groups:
        if groups[force] != groups[insp]:
            size_error(
                "the force and the inspectors graded the same force-selected cases, but their figures are out of different numbers",
                first_row[force] + first_row[insp],
                "the same of for rater force and rater inspectorate of force_selected",
                f"{groups[force]} and {groups[insp]}",
            )
        pair = (force, insp)
    rows = [Row(f.group, f.grades, f.low, f.high, f.row) for f in figures]
    system = CountSystem(meta.k, groups, rows, links, pair)
    fs = FigureSet(meta, tuple(figures), system, frozenset(implied), shares)
    if not system.feasible():
        _refuse(fs, shown)
    if known is not None and pair is not None:
        fixed = CountSystem(meta.k, groups, rows, links, pair, known=known)
        fs = FigureSet(meta, tuple(figures), fixed, frozenset(implied), shares)
    return fs


def _own_pinned(fs: FigureSet, group: tuple) -> tuple[list[int], dict[int, Figure]] | None:
    """The counts a group's own exact single-grade figures give (the last grade may be the remainder), with the figure of each."""
    exact = {f.grades[0]: f for f in fs.figures if f.group == group and f.kind == "count" and len(f.grades) == 1}
    k = fs.meta.k
    if len(exact) < k - 1:
        return None
    counts = [exact[i].low if i in exact else None for i in range(k)]
    if None in counts:
        counts[counts.index(None)] = fs.groups[group] - sum(c for c in counts if c is not None)
    return counts, exact


def _refuse(fs: FigureSet, shown: str) -> None:
    """Raise the clearest error for figures that cannot all hold: one group's own arithmetic, a sum across groups, else a core."""

    def fail(rows: list[int], groups_text: str, explanation: str) -> None:
        err = AuditDataError(shown, f"{_rows_text(rows)} ({groups_text}): {explanation}")
        err.row = sorted(set(rows))
        raise err

    system = fs.system
    by_row = {f.row: f for f in fs.figures}
    for group, of in fs.groups.items():
        own = [r for r in system.rows if r.group == group]
        if own and not CountSystem(fs.meta.k, {group: of}, own).feasible():
            exact = [f for f in fs.figures if f.group == group and f.kind == "count" and len(f.grades) == 1]
            if len(exact) == fs.meta.k and sum(f.low for f in exact) != of:
                fail([f.row for f in exact], _group_text(group), f"the counts add up to {sum(f.low for f in exact)} but of = {of}")
            core = CountSystem(fs.meta.k, {group: of}, own).infeasible_core()
            fail([r.tag for r in core], _group_text(group), _explain([by_row[r.tag] for r in core], fs))
    for whole, parts in system.links:
        pinned = {g: _own_pinned(fs, g) for g in (whole, *parts)}
        if any(v is None for v in pinned.values()):
            continue
        for i, grade in enumerate(fs.meta.grades):
            total = sum(pinned[p][0][i] for p in parts)
            if total != pinned[whole][0][i]:
                rows = [pinned[g][1][i].row for g in (whole, *parts) if i in pinned[g][1]]
                over = "the areas" if all(p[2] for p in parts) and not whole[2] else " + ".join(p[0] for p in parts)
                fail(
                    rows,
                    _group_text(whole) + ("; its areas" if over == "the areas" else "; " + over.replace(" + ", " and ")),
                    f"'{grade}' adds up to {total} over {over} but {whole[0]} has {pinned[whole][0][i]}",
                )
    core = [by_row[r.tag] for r in system.infeasible_core()]
    fail([f.row for f in core], "; ".join(sorted({_group_text(f.group) for f in core})), _explain(core, fs))
