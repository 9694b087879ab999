"""What the website shows: headline figures read from the processed tables, the data dictionary and the download list.

The site's ``.qmd`` pages call these functions at render time, so every number on them comes
from ``data/processed/`` (or the raw data package) and none is typed. A missing or malformed
input raises :class:`analysis.data.errors.AuditDataError` naming the file: no value is ever invented.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd
from statsmodels.stats.power import NormalIndPower

from analysis.data import paths
from analysis.data.errors import AuditDataError
from analysis.display import breakable, code_name, pipe_table
from analysis.grades import grade_scores, grade_slug
from analysis.stats.proportions import wilson_interval
from analysis.text import (  # noqa: F401  (site.percent etc. are used by the pages)
    Markup,
    as_text,
    code,
    count_share,
    date_range,
    exact_percent,
    fixed,
    interval_text,
    join_words,
    link,
    long_date,
    long_month,
    number_word,
    p_text,
    percent,
    prose,
    signed,
    web_address,
)
from analysis.words import ALPHA, generosity, kindness, more_or_fewer, shown_to_differ

#: Confidence level of every interval on the site.
CONFIDENCE = 0.95
#: Power used for the "smallest detectable difference" on the Methods page.
POWER = 0.80

REBUILD_HINT = "build it with `make site` (the pipeline and every notebook), then render again"

#: Processed files the site's own pages (Home, Methods, Data) read at render time.
SITE_INPUTS: tuple[str, ...] = (
    "datapackage.json",
    "grade_counts.csv",
    "sample_grades.csv",
    "area_grades.csv",
    "agreement_bounds.csv",
    "consistent_tables.csv",
    "area_summary.csv",
    "association_tests.csv",
)

#: Sample codes in the processed tables.
FORCE_SELECTED = "force_selected"
INSPECTORATE_SELECTED = "inspectorate_selected"


# --------------------------------------------------------------------------- reading inputs


def _processed_dir(processed_dir: str | Path | None) -> Path:
    return Path(processed_dir) if processed_dir is not None else paths.processed_dir()


def _raw_dir(raw_dir: str | Path | None) -> Path:
    return Path(raw_dir) if raw_dir is not None else paths.raw_dir()


def read_processed(name: str, columns: Sequence[str] = (), processed_dir: str | Path | None = None) -> pd.DataFrame:
    """Read the processed table ``name`` (e.g. ``"sample_grades.csv"``) and check it has ``columns``.

    Raises :class:`AuditDataError` naming the file when it does not exist (the site is rendered
    only from files the pipeline and the notebooks wrote) or lacks one of ``columns``.
    """
    path = _processed_dir(processed_dir) / name
    shown = paths.display_path(path)
    if not path.is_file():
        raise AuditDataError(
            shown, f"processed file not found; {REBUILD_HINT}", expected="a file written by the project's code", found="no file"
        )
    frame = pd.read_csv(path)
    for col in columns:
        if col not in frame.columns:
            raise AuditDataError(shown, "missing column", column=col, expected=", ".join(columns), found=", ".join(map(str, frame.columns)))
    return frame


def missing_inputs(processed_dir: str | Path | None = None) -> list[str]:
    """Project-relative paths of the :data:`SITE_INPUTS` that do not exist yet (empty when the site can render)."""
    folder = _processed_dir(processed_dir)
    return [paths.display_path(folder / name) for name in SITE_INPUTS if not (folder / name).is_file()]


def _one(frame: pd.DataFrame, file: str, mask: pd.Series, what: str) -> pd.Series:
    rows = frame[mask]
    if len(rows) != 1:
        raise AuditDataError(file, f"expected exactly one row for {what}", found=f"{len(rows)} rows")
    return rows.iloc[0]


def _number(value: Any, file: str, what: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise AuditDataError(file, f"not a number for {what}", found=repr(value)) from None
    if math.isnan(x):
        raise AuditDataError(file, f"missing value for {what}", found="an empty cell")
    return x


def scale(processed_dir: str | Path | None = None) -> tuple[str, ...]:
    """The audit's grade scale, best first, as the processed tables list it (``grade_counts.csv``, else ``sample_grades.csv``)."""
    folder = _processed_dir(processed_dir)
    name = next((n for n in ("grade_counts.csv", "sample_grades.csv", "area_grades.csv") if (folder / n).is_file()), "grade_counts.csv")
    counts = read_processed(name, ("grade",), processed_dir)
    return tuple(dict.fromkeys(counts["grade"].astype(str)))


# --------------------------------------------------------------------------- formatting


# --------------------------------------------------------------------------- markdown tables


def grade_scale_table(processed_dir: str | Path | None = None) -> str:
    """The grade scale (best first) with the score used where a number is needed, as a Markdown table."""
    grades = scale(processed_dir)
    scores = grade_scores(grades)
    frame = pd.DataFrame(
        {
            "Grade": [g.capitalize() for g in grades],
            "Rank (best first)": range(1, len(grades) + 1),
            "Score": [scores[g] for g in grades],
        }
    )
    return pipe_table(frame, right=("Rank (best first)", "Score"), caption="The inspectorate's grade scale", label="tbl-grade-scale")


# --------------------------------------------------------------------------- audit facts


@dataclass(frozen=True)
class SampleCounts:
    """Cases per grade in each graded sample, from ``sample_grades.csv``.

    ``force`` and ``hmicfrs_force_selected`` grade the same force-selected cases;
    ``hmicfrs_inspectorate_selected`` grades the further cases the inspectors chose.
    """

    force: dict[str, int]
    hmicfrs_force_selected: dict[str, int]
    hmicfrs_inspectorate_selected: dict[str, int]

    @property
    def grades(self) -> tuple[str, ...]:
        """The grade scale, best first."""
        return tuple(self.force)

    @property
    def best(self) -> str:
        return self.grades[0]

    @property
    def worst(self) -> str:
        return self.grades[-1]

    @property
    def n_force_selected(self) -> int:
        """Number of force-selected cases."""
        return sum(self.hmicfrs_force_selected.values())

    @property
    def n_inspectorate_selected(self) -> int:
        """Number of inspectorate-selected cases."""
        return sum(self.hmicfrs_inspectorate_selected.values())

    @property
    def n_all(self) -> int:
        """Number of audited cases."""
        return self.n_force_selected + self.n_inspectorate_selected

    @property
    def hmicfrs_all(self) -> dict[str, int]:
        """HMICFRS grades of all audited cases."""
        return {g: self.hmicfrs_force_selected[g] + self.hmicfrs_inspectorate_selected[g] for g in self.grades}


def sample_counts(processed_dir: str | Path | None = None) -> SampleCounts:
    """Read ``sample_grades.csv`` into :class:`SampleCounts`, checking every sample, assessor and grade is there once."""
    name = "sample_grades.csv"
    frame = read_processed(name, ("sample", "assessor", "grade", "n"), processed_dir)
    shown = paths.display_path(_processed_dir(processed_dir) / name)
    grades = scale(processed_dir)
    out = {}
    for key, sample, assessor in (
        ("force", FORCE_SELECTED, "force"),
        ("hmicfrs_force_selected", FORCE_SELECTED, "hmicfrs"),
        ("hmicfrs_inspectorate_selected", INSPECTORATE_SELECTED, "hmicfrs"),
    ):
        counts = {}
        for grade in grades:
            row = _one(
                frame,
                shown,
                (frame["sample"] == sample) & (frame["assessor"] == assessor) & (frame["grade"] == grade),
                f"{sample}/{assessor}/{grade}",
            )
            counts[grade] = int(_number(row["n"], shown, f"{sample}/{assessor}/{grade}"))
        out[key] = counts
    if sum(out["force"].values()) != sum(out["hmicfrs_force_selected"].values()):
        raise AuditDataError(shown, "the force and HMICFRS grade different numbers of force-selected cases")
    return SampleCounts(**out)


def inspection_summary(processed_dir: str | Path | None = None, raw_dir: str | Path | None = None) -> str:
    """One computed sentence saying what was inspected, when, and how many case files were audited."""
    from analysis.data.load import load_audit

    source = load_audit(_raw_dir(raw_dir)).source
    c = sample_counts(processed_dir)
    return (
        f"{source['inspectorate']} inspected how {source['force']} protects children, with fieldwork from "
        f"{date_range(source['inspection_start'], source['inspection_end'])}, and audited {c.n_all} case files: "
        f"{c.n_force_selected} that the force chose and graded itself, which the inspectors then graded again, "
        f"and {c.n_inspectorate_selected} more that the inspectors chose and graded alone."
    )


# --------------------------------------------------------------------------- headline findings


@dataclass(frozen=True)
class Headline:
    """One headline finding: a short neutral heading and a sentence built from computed values."""

    key: str
    heading: str
    text: str


def _labels(processed_dir: str | Path | None) -> dict[str, str]:
    labels = read_processed("area_grades.csv", ("practice_area", "label"), processed_dir)
    return dict(zip(labels["practice_area"], labels["label"], strict=False))


def headline_self_assessment(processed_dir: str | Path | None = None) -> Headline:
    """:func:`analysis.sections.self_assessment.headline` on the published ``sample_grades.csv`` and ``identified.csv``."""
    from analysis.sections import self_assessment

    text = self_assessment.headline(
        read_processed("sample_grades.csv", ("sample", "assessor", "grade", "n"), processed_dir),
        read_processed("identified.csv", ("quantity", "low", "high", "ci_low", "ci_high"), processed_dir),
        scale(processed_dir),
        random_force_selected(),
    )
    return Headline("self_assessment", "Self-assessment against inspection", text)


def random_force_selected(raw_dir: str | Path | None = None) -> bool:
    """Whether the package's document says the force's cases were drawn at random: ``audit.json``'s selection quote (:meth:`~analysis.data.audit_package.AuditMeta.said_random`), the one source the tables and notebooks use too."""
    from analysis.data.load import load_audit

    return load_audit(_raw_dir(raw_dir)).meta.said_random("force_selected")


def headline_overall(processed_dir: str | Path | None = None) -> Headline:
    """:func:`analysis.sections.audit.headline_overall` on the published ``sample_grades.csv``."""
    from analysis.sections import audit

    text = audit.headline_overall(
        read_processed("sample_grades.csv", ("sample", "assessor", "grade", "n"), processed_dir),
        scale(processed_dir),
        random_force_selected(),
    )
    return Headline("overall", "All audited cases", text)


def area_ranking(processed_dir: str | Path | None = None) -> pd.DataFrame:
    """Practice areas from ``area_summary.csv``, weakest first, with their labels (:func:`analysis.sections.areas.ranked`)."""
    from analysis.sections import areas

    grades = scale(processed_dir)
    w, b = grade_slug(grades[-1]), grade_slug(grades[0])
    summary = read_processed("area_summary.csv", ("area", "n", w, b, f"share_{w}", f"share_{b}"), processed_dir)
    labels = _labels(processed_dir)
    unknown = sorted(set(summary["area"]) - set(labels))
    if unknown:
        file = paths.display_path(_processed_dir(processed_dir) / "area_summary.csv")
        raise AuditDataError(file, "unknown practice area", column="area", expected="a code from area_grades.csv", found=", ".join(unknown))
    return areas.ranked(summary, labels)


def headline_areas(processed_dir: str | Path | None = None) -> Headline:
    """:func:`analysis.sections.areas.headline` on the published ``area_summary.csv``."""
    from analysis.sections import areas

    worst = scale(processed_dir)[-1]
    w = grade_slug(worst)
    summary = read_processed("area_summary.csv", ("area", "n", f"wilson_low_{w}", f"wilson_high_{w}", f"vs_rest_p_holm_{w}"), processed_dir)
    return Headline("areas", "Practice areas", areas.headline(summary, _labels(processed_dir), worst))


def headline_samples(processed_dir: str | Path | None = None) -> Headline:
    """:func:`analysis.sections.samples.headline` on the published ``sample_grades.csv`` and ``association_tests.csv``."""
    from analysis.sections import samples

    name = "association_tests.csv"
    tests = read_processed(name, ("comparison", "test", "p_value", "effect_size", "ci_low", "ci_high"), processed_dir)
    file = paths.display_path(_processed_dir(processed_dir) / name)
    for test, columns in (("proportional_odds", ("p_value", "effect_size", "ci_low", "ci_high")), ("mann_whitney_exact", ("p_value",))):
        row = _one(tests, file, (tests["comparison"] == samples.COMPARISON) & (tests["test"] == test), f"{samples.COMPARISON}/{test}")
        for col in columns:
            _number(row[col], file, f"{test} {col}")
    text = samples.headline(
        read_processed("sample_grades.csv", ("sample", "assessor", "grade", "n"), processed_dir), tests, scale(processed_dir)
    )
    return Headline("samples", "The two samples", text)


def headlines(processed_dir: str | Path | None = None) -> list[Headline]:
    """The Home page's headline findings, in reading order."""
    return [
        headline_self_assessment(processed_dir),
        headline_overall(processed_dir),
        headline_areas(processed_dir),
        headline_samples(processed_dir),
    ]


# --------------------------------------------------------------------------- methods page facts


@dataclass(frozen=True)
class AuditLimits:
    """Numbers that show what an audit of this size can and cannot tell (all computed).

    ``half_width`` maps a case count to the half-width of a Wilson interval around a share of
    one half (the widest case); ``one_case`` maps a case count to the share one case is worth;
    ``detectable_difference`` is the smallest difference in the share inadequate between the
    two samples that a two-sided test at ``1 - CONFIDENCE`` would detect with probability
    ``POWER`` (normal approximation on Cohen's arcsine effect size h, Cohen 1988, via
    ``statsmodels.stats.power.NormalIndPower``), around the pooled share ``pooled_inadequate``.
    """

    n_all: int
    n_force_selected: int
    n_inspectorate_selected: int
    n_smallest_area: int
    smallest_area: str
    n_areas: int
    n_consistent_tables: int
    half_width: dict[int, float]
    one_case: dict[int, float]
    pooled_inadequate: float
    detectable_difference: float


def detectable_difference(p1: float, n1: int, n2: int, alpha: float = 1 - CONFIDENCE, power: float = POWER) -> float:
    """Smallest increase over share ``p1`` that a two-sided two-sample test detects with the given power.

    Solves Cohen's h for samples ``n1`` and ``n2`` with ``NormalIndPower().solve_power`` and
    converts it back to a proportion: ``p2 = sin(asin(sqrt(p1)) + h / 2) ** 2``.
    Reference: Cohen, J. (1988), Statistical Power Analysis for the Behavioral Sciences, ch. 6.
    """
    h = NormalIndPower().solve_power(effect_size=None, nobs1=n1, alpha=alpha, power=power, ratio=n2 / n1, alternative="two-sided")
    angle = min(math.asin(math.sqrt(p1)) + float(h) / 2, math.pi / 2)
    return math.sin(angle) ** 2 - p1


def audit_limits(processed_dir: str | Path | None = None) -> AuditLimits:
    """Compute :class:`AuditLimits` from the processed tables (sample grades, area summary, consistent tables)."""
    c = sample_counts(processed_dir)
    ranked = area_ranking(processed_dir)
    smallest = ranked.sort_values("n", kind="stable").iloc[0]
    tables = read_processed("consistent_tables.csv", (), processed_dir)
    sizes = sorted({c.n_all, c.n_force_selected, c.n_inspectorate_selected, int(smallest["n"])}, reverse=True)
    half = {n: (wilson_interval(n / 2, n)[1] - wilson_interval(n / 2, n)[0]) / 2 for n in sizes}
    pooled = c.hmicfrs_all[c.worst] / c.n_all
    return AuditLimits(
        n_all=c.n_all,
        n_force_selected=c.n_force_selected,
        n_inspectorate_selected=c.n_inspectorate_selected,
        n_smallest_area=int(smallest["n"]),
        smallest_area=str(smallest["label"]),
        n_areas=len(ranked),
        n_consistent_tables=len(tables),
        half_width=half,
        one_case={n: 1 / n for n in sizes},
        pooled_inadequate=pooled,
        detectable_difference=detectable_difference(pooled, c.n_inspectorate_selected, c.n_force_selected),
    )


# --------------------------------------------------------------------------- data page


@dataclass(frozen=True)
class DataFile:
    """One downloadable data file: its path in the project and on the site (``data/<kind>/<name>``), title, description and size."""

    path: str
    kind: str
    title: str
    description: str
    bytes: int


def _descriptor(folder: Path) -> dict[str, Any]:
    path = folder / "datapackage.json"
    if not path.is_file():
        raise AuditDataError(paths.display_path(path), f"data package not found; {REBUILD_HINT}", found="no file")
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def data_files(raw_dir: str | Path | None = None, processed_dir: str | Path | None = None) -> list[DataFile]:
    """Every raw and processed data file, for download: each folder's ``datapackage.json`` then its resources.

    Files on disk that the data package does not describe are listed too (titled as such), so
    nothing in the folders is hidden; a described file that is missing raises
    :class:`AuditDataError`.
    """
    out = []
    for kind, folder in (("raw", _raw_dir(raw_dir)), ("processed", _processed_dir(processed_dir))):
        desc = _descriptor(folder)
        entries = [
            (
                "datapackage.json",
                "Data package (" + kind + ")",
                "The data dictionary of this folder in Frictionless Data Package form: every file's schema, licence and checksum.",
            )
        ]
        entries += [(r["path"], r.get("title", r["name"]), r.get("description", "")) for r in desc.get("resources", [])]
        described = {e[0] for e in entries}
        extra = sorted(p.name for p in folder.iterdir() if p.is_file() and p.suffix in {".csv", ".json"} and p.name not in described)
        entries += [(name, name, "Not described in the data package.") for name in extra]
        for name, title, description in entries:
            path = folder / name
            if not path.is_file():
                raise AuditDataError(paths.display_path(path), "file listed in the data package not found", found="no file")
            out.append(DataFile(f"data/{kind}/{name}", kind, title, description, path.stat().st_size))
    return out


def size_text(n: int) -> str:
    """A file size in bytes or kB (base 1000), e.g. ``"1.3 kB"``."""
    return f"{n} bytes" if n < 1000 else f"{n / 1000:.1f} kB"


def download_table(files: Sequence[DataFile], kind: str, link_base: str = "") -> str:
    """Markdown table of the ``kind`` files ("raw" or "processed"), each name a download link relative to ``link_base``."""
    rows = [f for f in files if f.kind == kind]
    frame = pd.DataFrame(
        {
            "File": [Markup(f"[{breakable(Path(f.path).name)}]({quote(link_base + f.path)})") for f in rows],
            "What it holds": [f.title for f in rows],
            "Size": [size_text(f.bytes) for f in rows],
        }
    )
    return pipe_table(frame, right=("Size",), caption=f"Downloadable {kind} files", label=f"tbl-files-{kind}")


def _constraints(field: Mapping[str, Any]) -> str:
    cons = field.get("constraints", {})
    parts = []
    if cons.get("required"):
        parts.append("required")
    if "enum" in cons:
        parts.append("one of: " + ", ".join(breakable(v) for v in cons["enum"]))
    for key, word in (("minimum", "at least"), ("maximum", "at most")):
        if key in cons:
            parts.append(f"{word} {as_text(cons[key])}")
    if "pattern" in cons:
        parts.append(f"pattern {code(cons['pattern'])}")
    return Markup("; ".join(parts))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def data_dictionary(kind: str, folder: str | Path | None = None, heading_level: int = 3, *, fold: bool = True) -> str:
    """The data dictionary of the ``kind`` ("raw" or "processed") data package, as Markdown.

    For each file: its title, its description and notes, and a captioned table of its columns
    (name, type, description, allowed values), generated from the folder's ``datapackage.json``.
    With ``fold`` (the Data page), each file is one closed ``<details>`` block whose summary is its
    title and file name, so that a reader opens the one they want and the page stays short on a
    phone; without it, each file has a heading of ``heading_level``. Column and file names break
    only after a separator (:func:`analysis.display.breakable`).
    The descriptor's words are text (:func:`analysis.text.prose`: only its inline code stays code).
    """
    if kind not in ("raw", "processed"):
        raise ValueError("kind must be 'raw' or 'processed'")
    folder = Path(folder) if folder is not None else (paths.raw_dir() if kind == "raw" else paths.processed_dir())
    desc = _descriptor(folder)
    parts = []
    for res in desc.get("resources", []):
        rel = f"data/{kind}/{res['path']}"
        title = res.get("title", res["name"])
        if fold:
            parts.append(f'<details class="data-dictionary-file">\n<summary>{as_text(title)} ({code_name(res["path"])})</summary>\n')
        else:
            parts.append(f"{'#' * heading_level} {prose(title)}\n")
        parts.append(f"File {code(rel)}. {prose(res.get('description', ''))}\n")
        notes = [prose(n) for n in res.get("x_notes", [])]
        if res.get("x_section"):
            notes.append(f"Report section: {prose(res['x_section'])}.")
        parts += [f"- {n}" for n in notes]
        if notes:
            parts.append("")
        fields = res.get("schema", {}).get("fields", [])
        if res["path"].endswith(".json"):
            from analysis.data.audit_package import AUDIT_FIELDS

            fields = [{"name": n, "type": t, "description": d} for n, t, d in AUDIT_FIELDS] if res["path"] == "audit.json" else []
        frame = pd.DataFrame(
            {
                "Column": [code_name(f["name"]) for f in fields],
                "Type": [f.get("type", "string") for f in fields],
                "Description": [prose(f.get("description", f.get("title", ""))) for f in fields],
                "Allowed values": [_constraints(f) for f in fields],
            }
        )
        parts.append(pipe_table(frame, caption=f"Columns of {rel}", label=f"tbl-dict-{kind}-{_slug(res['name'])}"))
        if fold:
            parts.append("</details>\n")
    return "\n".join(parts)


def licence_statement(raw_dir: str | Path | None = None) -> str:
    """The licence and source statement, as Markdown, from the raw data package and ``source.csv`` (or ``audit.json`` without it).

    The package's words are text (:func:`analysis.text.as_text`) and its addresses links only when they are http(s).
    """
    from analysis.data.load import load_audit

    data = load_audit(_raw_dir(raw_dir))
    desc, source = data.descriptor, data.source
    licences = "; ".join(
        link(lic.get("title", lic["name"]), lic["path"]) if lic.get("path") else as_text(lic.get("title", lic["name"]))
        for lic in desc.get("licenses", [])
    )
    if source is None:
        meta = data.meta
        where = "; ".join(link(title, url) for title, url in meta.sources)
        return (
            f"The figures come from *{as_text(meta.title)}* ({as_text(meta.force)}, published {meta.published}): {where}. They are transcribed "
            f"here as published and are re-used under {licences or as_text(meta.licence)}. The processed files are derived from them by this "
            "project's code and are released under the same licence."
        )
    published = pd.Timestamp(str(source["publication_month"]) + "-01")
    address = web_address(source["url"])
    return (
        f"The figures come from *{as_text(source['title'])}*, published by {as_text(source['inspectorate'])} in {published.strftime('%B %Y')} "
        f"(ISBN {as_text(source['isbn'])}), at {f'<{address}>' if address else as_text(source['url'])}. They are transcribed here as published and are re-used under the {licences}. "
        "Contains public sector information licensed under the Open Government Licence v3.0. The processed files are derived "
        "from them by this project's code and are released under the same licence."
    )


# --------------------------------------------------------------------------- the front page


@dataclass(frozen=True)
class FrontPage:
    """What the home page says before the details: a bottom line, the dates, the headline figure's caption, a 'what this means' list."""

    bottom_line: str
    dates: str
    figure_caption: str
    meaning: tuple[str, ...]
    cannot_tell: tuple[str, ...]
    national: str
    chart_title: str


def analysis_as_of() -> str:
    """The date of the analysis: the commit date of the checked-out version (the same on every machine for that version)."""
    import subprocess

    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%cs"], cwd=paths.PROJ_ROOT, capture_output=True, text=True, check=True, timeout=30
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out = ""
    return long_date(out) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", out) else "not recorded (this copy is not under version control)"


def front_page(processed_dir: str | Path | None = None, raw_dir: str | Path | None = None) -> FrontPage:
    """The home page's first screen, computed from the published tables (and the source record of the raw data package)."""
    from analysis.data.load import load_audit
    from analysis.narrative import national as national_words
    from analysis.sections import areas, national, panel, self_assessment

    audit = load_audit(_raw_dir(raw_dir))
    source = audit.source
    c = sample_counts(processed_dir)
    identified = read_processed("identified.csv", ("quantity", "low", "high", "ci_low", "ci_high"), processed_dir)
    idq = identified.set_index("quantity")
    holm = f"vs_rest_p_holm_{grade_slug(c.worst)}"
    summary = read_processed("area_summary.csv", ("area", holm), processed_dir)
    tests = read_processed("association_tests.csv", ("comparison", "test", "p_value"), processed_dir)
    nat = read_processed("national_panel.csv", tuple(panel.PANEL_COLUMNS), processed_dir)
    nat_pairs = read_processed("national_pairs.csv", tuple(panel.PAIR_COLUMNS), processed_dir)
    nat_changes = read_processed("national_changes.csv", tuple(panel.CHANGE_COLUMNS), processed_dir)
    positions = read_processed("funnel_positions.csv", tuple(national.POSITION_COLUMNS), processed_dir)
    n = c.n_force_selected
    better = int(idq.loc["n_force_better", "low"])
    gap, _ = self_assessment.sharper_gap(identified)
    share_better = float(idq.loc["share_force_better", "low"])
    how = kindness(float(gap["ci_low"]), float(gap["ci_high"]), share_better)
    bad = c.hmicfrs_all[c.worst]
    bottom = (
        f"{as_text(source['force'])} graded the {n} cases it selected {how} than the inspectors graded the same cases (at least {better} of the "
        f"{n} better, whatever the case-by-case pairing), and the inspectors graded {count_share(bad, c.n_all)} of all audited cases {as_text(c.worst)}."
    )
    dates = (
        f"Report published {long_month(str(source['publication_month']))}; inspection fieldwork "
        f"{date_range(source['inspection_start'], source['inspection_end'])}; analysis as of {analysis_as_of()}."
    )
    # the gap in the share graded best; the count graded better is the bottom line's, said once on the page
    caption = (
        f"The {n} cases the force selected, graded by the force's own assessors and by the inspectors. "
        + self_assessment.gap_sentence(identified, n, c.grades)
    )
    po = tests[(tests["comparison"] == "force_vs_inspectorate_selected") & (tests["test"] == "proportional_odds")]
    holm_min = areas.smallest_adjusted(summary)
    kappa_max = float(idq.loc["cohen_kappa", "high"])
    bounds = read_processed("agreement_bounds.csv", ("measure", "min", "max"), processed_dir).set_index("measure")
    same_lo, same_hi = int(bounds.loc["n_same", "min"]), int(bounds.loc["n_same", "max"])
    # each p-value on the page is named by its test, so that two equal values are not read as one
    family = areas.family_grades(c.grades)
    k = len(summary) * len(family)
    holm_p = (
        f"the smallest Holm-adjusted p-value over all {number_word(k)} area-against-rest tests, {join_words([as_text(g) for g in family])} "
        f"alike, is {p_text(holm_min).removeprefix('p = ')}"
    )
    areas_text = (
        "No single area of practice can be singled out as worse than the rest once the small numbers and the number of areas compared "
        f"are allowed for ({holm_p})."
        if holm_min >= ALPHA
        else f"Even allowing for the number of areas compared, at least one area {shown_to_differ(holm_min)} from the rest ({holm_p})."
    )
    meaning = (
        f"The force's own check of its child protection work was {generosity(float(gap['ci_low']), float(gap['ci_high']), share_better)} "
        "the inspectors' view of the same files; the gap in the share graded "
        f"{as_text(c.best)} does not depend on the details the report leaves out.",
        f"Across the whole audit the inspectors graded {count_share(bad, c.n_all)} cases {as_text(c.worst)} and "
        f"{count_share(c.hmicfrs_all[c.best], c.n_all)} {as_text(c.best)}.",
        areas_text,
    )
    fs_worst = c.hmicfrs_force_selected[c.worst] / c.n_force_selected
    is_worst = c.hmicfrs_inspectorate_selected[c.worst] / c.n_inspectorate_selected
    chosen = ""
    if len(po):
        p = float(po["p_value"].iloc[0])
        chance = "which chance could explain" if p >= ALPHA else "more than chance alone would usually produce"
        chosen = (
            f"the inspectors graded {more_or_fewer(is_worst, fs_worst)} of their own cases {as_text(c.worst)} than of the force's "
            f"(proportional-odds test of the two samples over all grades: p = {fixed(p, 2)}), {chance}, and the report says the force's cases "
            "were a random sample."
        )
    cannot = (
        f"Exactly how often the force and the inspectors gave the same grade to an individual case: the report publishes only totals, "
        f"which allow anywhere from {same_lo} to {same_hi} of the {n} (assumptions that narrow this are on the self-assessment page). "
        "Agreement statistics such as kappa therefore come as ranges; "
        f"kappa's largest possible value here, {fixed(kappa_max, 2)}, does not mean that {100 * kappa_max:.0f}% of cases agreed (see the glossary).",
        f"How good the force's work is today, or across all of its cases: the audit covers {c.n_all} files, inspected in "
        f"{long_month(str(source['inspection_start'])[:7])}.",
        "Whether the force chose easier cases for its own sample" + (f": {chosen}" if chosen else "."),
    )
    beside = national_words.beside_other_forces(nat, nat_pairs, nat_changes, compared=audit.meta.id, positions=positions)
    return FrontPage(bottom, dates, caption, meaning, cannot, beside, f"The force graded its own cases {how}")


@dataclass(frozen=True)
class FunnelOverdispersion:
    """What the Methods page says about the over-dispersed funnel limits: the Winsorisation level and the generated summary."""

    winsor: str
    summary: str


def funnel_overdispersion(processed_dir: str | Path | None = None) -> FunnelOverdispersion:
    """:func:`analysis.narrative.national.methods_summary` on the published ``funnel_dispersion.csv`` and ``funnel_positions.csv``."""
    from analysis.narrative import national as national_words
    from analysis.sections import national

    dispersion = read_processed("funnel_dispersion.csv", tuple(national.DISPERSION_COLUMNS), processed_dir)
    positions = read_processed("funnel_positions.csv", tuple(national.POSITION_COLUMNS), processed_dir)
    main = dispersion.loc[dispersion["analysis"].eq(national.MAIN_ANALYSIS), "winsor_level"]
    if main.empty:
        raise AuditDataError("funnel_dispersion.csv", "no row of the main analysis", expected=national.MAIN_ANALYSIS, found="none")
    return FunnelOverdispersion(percent(float(main.iloc[0])), national_words.methods_summary(dispersion, positions))


def svg_download(fig, file_name: str, label: str) -> str:
    """A Markdown link that downloads ``fig`` as an SVG file: the image is inside the link (a data URI), so nothing is fetched from anywhere.

    The SVG is written deterministically (no date, fixed id salt, text kept as text).
    """
    import base64
    import io

    import matplotlib as mpl

    buffer = io.StringIO()
    with mpl.rc_context({"svg.hashsalt": "gwent-ncpi", "svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    data = base64.b64encode(buffer.getvalue().encode("utf-8")).decode("ascii")
    return f'[{label} (SVG)](data:image/svg+xml;base64,{data}){{download="{file_name}"}}'
