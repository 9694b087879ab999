"""What the website's pages read: the processed tables (checked), the headline findings, the Methods page's limits, the front page.

The site's ``.qmd`` pages call these functions at render time, so every number on them comes
from ``data/processed/`` (the source record and ``audit.json`` too, as the processed set's
``datapackage.json`` carries them, :func:`provenance`) and none is typed; no page loads the raw
package. The sentences are built in :mod:`analysis.narrative` and the
sections, the Data page in :mod:`analysis.data_page`, the power calculation in
:mod:`analysis.stats.power`. A missing or malformed input raises
:class:`analysis.data.errors.AuditDataError` naming the file: no value is ever invented.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.choices import CONFIDENCE, POWER  # noqa: F401  (site.CONFIDENCE and site.POWER are used by the pages)
from analysis.data import paths
from analysis.data.errors import AuditDataError
from analysis.display import pipe_table
from analysis.grades import grade_scores, grade_slug
from analysis.narrative.front_page import FrontPage, SampleCounts
from analysis.narrative.style import (  # noqa: F401  (site.percent etc. are used by the pages)
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
from analysis.stats.power import detectable_difference
from analysis.stats.proportions import wilson_interval

if TYPE_CHECKING:
    from analysis.data.provenance import Provenance

# CONFIDENCE (every interval on the site) and POWER (the Methods page's smallest detectable difference) come from analysis.choices.

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


def processed_folder(processed_dir: str | Path | None = None) -> Path:
    """The processed set's folder: ``processed_dir``, else :func:`analysis.data.paths.processed_dir` (``$ANALYSIS_PROCESSED`` or ``data/processed``)."""
    return Path(processed_dir) if processed_dir is not None else paths.processed_dir()


def raw_folder(raw_dir: str | Path | None = None) -> Path:
    """The audit package's folder: ``raw_dir``, else :func:`analysis.data.paths.raw_dir` (``$ANALYSIS_RAW`` or ``data/raw``)."""
    return Path(raw_dir) if raw_dir is not None else paths.raw_dir()


def provenance(processed_dir: str | Path | None = None) -> Provenance:
    """Where the figures come from, as the processed set says (:func:`analysis.data.provenance.read_provenance`): the source record, ``audit.json``, the licences.

    Read from the set's ``datapackage.json`` (``sources`` and ``x_audit``), checked; the raw package
    is not loaded. A missing descriptor raises :class:`AuditDataError` naming it.
    """
    from analysis.data.provenance import read_provenance

    return read_provenance(processed_file("datapackage.json", processed_dir).parent)


def processed_file(name: str, processed_dir: str | Path | None = None) -> Path:
    """The path of the processed file ``name``; :class:`AuditDataError` naming it when it does not exist (the site is rendered only from files the pipeline and the notebooks wrote)."""
    path = processed_folder(processed_dir) / name
    if not path.is_file():
        raise AuditDataError(
            paths.display_path(path),
            f"processed file not found; {REBUILD_HINT}",
            expected="a file written by the project's code",
            found="no file",
        )
    return path


def read_processed(name: str, columns: Sequence[str] = (), processed_dir: str | Path | None = None) -> pd.DataFrame:
    """Read the processed table ``name`` (e.g. ``"sample_grades.csv"``) and check it has ``columns``.

    Raises :class:`AuditDataError` naming the file when it does not exist (the site is rendered
    only from files the pipeline and the notebooks wrote) or lacks one of ``columns``.
    """
    path = processed_file(name, processed_dir)
    shown = paths.display_path(path)
    frame = pd.read_csv(path)
    for col in columns:
        if col not in frame.columns:
            raise AuditDataError(shown, "missing column", column=col, expected=", ".join(columns), found=", ".join(map(str, frame.columns)))
    return frame


def missing_inputs(processed_dir: str | Path | None = None) -> list[str]:
    """Project-relative paths of the :data:`SITE_INPUTS` that do not exist yet (empty when the site can render)."""
    folder = processed_folder(processed_dir)
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
    folder = processed_folder(processed_dir)
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


def sample_counts(processed_dir: str | Path | None = None) -> SampleCounts:
    """Read ``sample_grades.csv`` into :class:`SampleCounts`, checking every sample, assessor and grade is there once."""
    name = "sample_grades.csv"
    frame = read_processed(name, ("sample", "assessor", "grade", "n"), processed_dir)
    shown = paths.display_path(processed_folder(processed_dir) / name)
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


def inspection_summary(processed_dir: str | Path | None = None) -> str:
    """:func:`analysis.narrative.front_page.inspection_summary` on the source record (:func:`provenance`) and ``sample_grades.csv``."""
    from analysis.narrative.front_page import inspection_summary as sentence

    return sentence(provenance(processed_dir).record, sample_counts(processed_dir))


# --------------------------------------------------------------------------- headline findings


@dataclass(frozen=True)
class Headline:
    """One headline finding: a short neutral heading and a sentence built from computed values."""

    key: str
    heading: str
    text: str


def area_labels(processed_dir: str | Path | None = None) -> dict[str, str]:
    """Each practice area's label, by code, from ``area_grades.csv``."""
    return _labels(processed_dir)


def _labels(processed_dir: str | Path | None) -> dict[str, str]:
    labels = read_processed("area_grades.csv", ("practice_area", "label"), processed_dir)
    return dict(zip(labels["practice_area"], labels["label"], strict=False))


def headline_self_assessment(processed_dir: str | Path | None = None) -> Headline:
    """:func:`analysis.sections.self_assessment.headline` on the published ``sample_grades.csv`` and ``identified.csv``."""
    from analysis.narrative import self_assessment

    text = self_assessment.headline(
        read_processed("sample_grades.csv", ("sample", "assessor", "grade", "n"), processed_dir),
        read_processed("identified.csv", ("quantity", "low", "high", "ci_low", "ci_high"), processed_dir),
        scale(processed_dir),
        random_force_selected(processed_dir),
    )
    return Headline("self_assessment", "Self-assessment against inspection", text)


def random_force_selected(processed_dir: str | Path | None = None) -> bool:
    """Whether the package's document says the force's cases were drawn at random: ``audit.json``'s selection quote (:meth:`~analysis.data.audit_package.AuditMeta.said_random`) as the processed set carries it (:func:`provenance`), the one source the tables and notebooks use too."""
    return provenance(processed_dir).meta.said_random("force_selected")


def headline_overall(processed_dir: str | Path | None = None) -> Headline:
    """:func:`analysis.sections.audit.headline_overall` on the published ``sample_grades.csv``."""
    from analysis.narrative import audit

    text = audit.headline_overall(
        read_processed("sample_grades.csv", ("sample", "assessor", "grade", "n"), processed_dir),
        scale(processed_dir),
        random_force_selected(processed_dir),
    )
    return Headline("overall", "All audited cases", text)


def area_ranking(processed_dir: str | Path | None = None) -> pd.DataFrame:
    """Practice areas from ``area_summary.csv``, weakest first, with their labels (:func:`analysis.sections.area_order.ranked`)."""
    from analysis.sections.area_order import ranked

    grades = scale(processed_dir)
    w, b = grade_slug(grades[-1]), grade_slug(grades[0])
    summary = read_processed("area_summary.csv", ("area", "n", w, b, f"share_{w}", f"share_{b}"), processed_dir)
    labels = _labels(processed_dir)
    unknown = sorted(set(summary["area"]) - set(labels))
    if unknown:
        file = paths.display_path(processed_folder(processed_dir) / "area_summary.csv")
        raise AuditDataError(file, "unknown practice area", column="area", expected="a code from area_grades.csv", found=", ".join(unknown))
    return ranked(summary, labels)


def headline_areas(processed_dir: str | Path | None = None) -> Headline:
    """:func:`analysis.narrative.areas.headline` on the published ``area_summary.csv``."""
    from analysis.narrative import areas

    worst = scale(processed_dir)[-1]
    w = grade_slug(worst)
    summary = read_processed("area_summary.csv", ("area", "n", f"wilson_low_{w}", f"wilson_high_{w}", f"vs_rest_p_holm_{w}"), processed_dir)
    return Headline("areas", "Practice areas", areas.headline(summary, _labels(processed_dir), worst))


def headline_samples(processed_dir: str | Path | None = None) -> Headline:
    """:func:`analysis.narrative.samples.headline` on the published ``sample_grades.csv`` and ``association_tests.csv``."""
    from analysis.narrative import samples
    from analysis.sampling import COMPARISON

    name = "association_tests.csv"
    tests = read_processed(name, ("comparison", "test", "p_value", "effect_size", "ci_low", "ci_high"), processed_dir)
    file = paths.display_path(processed_folder(processed_dir) / name)
    for test, columns in (("proportional_odds", ("p_value", "effect_size", "ci_low", "ci_high")), ("mann_whitney_exact", ("p_value",))):
        row = _one(tests, file, (tests["comparison"] == COMPARISON) & (tests["test"] == test), f"{COMPARISON}/{test}")
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


# --------------------------------------------------------------------------- the front page


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


def front_page(processed_dir: str | Path | None = None) -> FrontPage:
    """:func:`analysis.narrative.front_page.front_page` on the published tables and the source record (:func:`provenance`).

    The national paragraph is :func:`analysis.narrative.national.beside_other_forces` on the national panel's tables
    (``national_panel.csv``, ``national_pairs.csv``, ``national_changes.csv`` and, where the panel pins another force's
    count, ``funnel_positions.csv``), comparing the audit whose id the package's ``audit.json`` gives (as the processed set carries it).
    """
    from analysis.narrative import front_page as words
    from analysis.narrative import national as national_words
    from analysis.sections import national, panel

    c = sample_counts(processed_dir)
    package = provenance(processed_dir)
    positions = (
        read_processed("funnel_positions.csv", tuple(national.POSITION_COLUMNS), processed_dir)
        if (processed_folder(processed_dir) / "funnel_positions.csv").is_file()
        else None
    )
    beside = national_words.beside_other_forces(
        read_processed("national_panel.csv", tuple(panel.PANEL_COLUMNS), processed_dir),
        read_processed("national_pairs.csv", tuple(panel.PAIR_COLUMNS), processed_dir),
        read_processed("national_changes.csv", tuple(panel.CHANGE_COLUMNS), processed_dir),
        compared=package.meta.id,
        positions=positions,
    )
    return words.front_page(
        package.record,
        c,
        read_processed("identified.csv", ("quantity", "low", "high", "ci_low", "ci_high"), processed_dir),
        read_processed("area_summary.csv", ("area", words.worst_holm_column(c.grades)), processed_dir),
        read_processed("association_tests.csv", ("comparison", "test", "p_value"), processed_dir),
        read_processed("agreement_bounds.csv", ("measure", "min", "max"), processed_dir),
        beside,
        analysis_as_of(),
    )


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
