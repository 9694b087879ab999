"""The one gate in: :func:`load_audit` reads every resource of an audit package, checks it, and returns :class:`AuditData`.

An audit package (``--raw``, by default ``data/raw``, Gwent 2019) holds ``audit.json`` (what the
audit is, its grade scale), ``figures.csv`` (one published figure a row) and ``datapackage.json``
(checksums and schemas); optionally Gwent's further resources (practice-area labels, themes,
recommendations and the press-coverage review; other audits' packages, for the national panel, sit in its ``national/`` folder and are read by :mod:`analysis.data.panel`). Nothing else in the project
reads the package. Stages take the validated :class:`AuditData`, never a path, so no figure can
reach a processed file without passing every check: checksums, schemas, the figures' own
arithmetic (:mod:`analysis.data.audit_package`) and the cross-table checks
(:mod:`analysis.data.validate`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.data import paths as _paths
from analysis.data.audit_package import (
    AuditMeta,
    FigureSet,
    build_figure_set,
    parse_audit_json,
    parse_figures,
)
from analysis.data.errors import AuditDataError
from analysis.data.package import _decode_text, check_foreign_keys, check_schema, load_descriptor, read_resource, resource_bytes
from analysis.data.paths import display_path
from analysis.data.validate import check_source, validate_audit
from analysis.grades import grade_dtype

#: The graded samples in the order tables list them, and the graders (``hmicfrs`` is the name the
#: processed tables use for the inspectorate).
SAMPLES = ("force_selected", "inspectorate_selected")
ASSESSORS = ("force", "hmicfrs")

#: The resources every audit package has.
REQUIRED: tuple[str, ...] = ("audit", "figures")

#: Further resources a package may have (Gwent's package has them all); no others are allowed.
OPTIONAL: tuple[str, ...] = (
    "cases",
    "practice_areas",
    "published_totals",
    "recommendations",
    "recommendation_areas",
    "source",
    "area_themes",
    "coverage_texts",
    "coverage_claims",
    "coverage_lines",
    "coverage_number_mentions",
)

#: Every resource a package may describe.
ALLOWED: tuple[str, ...] = REQUIRED + OPTIONAL

#: Every resource Gwent's package describes (the default package: everything but case-level grades, which no report publishes).
RESOURCES: tuple[str, ...] = tuple(name for name in ALLOWED if name != "cases")

_COVERAGE = ("coverage_texts", "coverage_claims", "coverage_lines", "coverage_number_mentions")

#: What each further resource cannot be read without (the tables it refers to or is checked against).
REQUIRES: dict[str, tuple[str, ...]] = {
    "area_themes": ("practice_areas",),
    "recommendations": ("recommendation_areas",),
    "recommendation_areas": ("recommendations", "practice_areas"),
    **{name: (*_COVERAGE, "source", "published_totals", "recommendations", "practice_areas") for name in _COVERAGE},
}


def _typed(frame: pd.DataFrame, dtype, grade_cols=("grade",), categories: dict | None = None) -> pd.DataFrame:
    out = frame.copy()
    for col in grade_cols:
        out[col] = out[col].astype(dtype)
    for col, cats in (categories or {}).items():
        out[col] = pd.Categorical(out[col], categories=list(cats))
    return out


@dataclass(frozen=True)
class AuditData:
    """One validated audit package: its header, its figures and the consistent set they define, and any further tables.

    ``meta`` is ``audit.json`` (:class:`~analysis.data.audit_package.AuditMeta`: id, force, title,
    the grade scale best first, sources, licence); ``figures`` is ``figures.csv`` as read;
    ``figure_set`` the checked figures and their integer system (every count vector and pairing
    consistent with them, :mod:`analysis.stats.consistent_set`). Gwent's further tables are
    ``None`` in a package without them: ``practice_areas`` (labels; derived from the figures'
    areas when absent), ``published_totals``, ``recommendations`` (``deadline`` ordered),
    ``recommendation_areas``, ``source`` (one record), ``area_themes`` (report order),
    and the four ``coverage_*`` tables.
    ``descriptor`` is the package's ``datapackage.json``; ``files`` maps each resource to the file
    name used in messages.
    """

    meta: AuditMeta
    figures: pd.DataFrame
    figure_set: FigureSet
    practice_areas: pd.DataFrame
    descriptor: dict[str, Any] = field(repr=False)
    files: dict[str, str] = field(repr=False)
    published_totals: pd.DataFrame | None = None
    recommendations: pd.DataFrame | None = None
    recommendation_areas: pd.DataFrame | None = None
    source: pd.Series | None = None
    area_themes: pd.DataFrame | None = None
    coverage_texts: pd.DataFrame | None = None
    coverage_claims: pd.DataFrame | None = None
    coverage_lines: pd.DataFrame | None = None
    coverage_number_mentions: pd.DataFrame | None = None
    cases: pd.DataFrame | None = None

    @property
    def known_table(self) -> np.ndarray | None:
        """The force x inspectors table of the force-selected cases when a case-level file gives it (``cases.csv``), else ``None``."""
        return self.figure_set.system.known

    # ------------------------------------------------------------------ the scale

    @property
    def grades(self) -> tuple[str, ...]:
        """The grade scale, best first (from ``audit.json``)."""
        return self.meta.grades

    @property
    def grade_dtype(self) -> pd.CategoricalDtype:
        """Ordered categorical of the scale, worst to best, so that ``a > b`` means "a is the better grade"."""
        return grade_dtype(self.grades)

    # ------------------------------------------------------------------ what the figures pin

    def has(self, sample: str, rater: str, area: str = "") -> bool:
        """Whether the figures give (or imply) the group ``(sample, rater, area)``."""
        return (sample, rater, area) in self.figure_set.groups

    def size(self, sample: str, rater: str = "inspectorate", area: str = "") -> int:
        """Number of cases of a group (its ``of``)."""
        return int(self.figure_set.groups[(sample, rater, area)])

    def counts(self, sample: str, rater: str, area: str = "") -> np.ndarray | None:
        """The group's count per grade (best first) when the figures fix every one, else ``None`` (also for an absent group)."""
        return self._pinned.get((sample, rater, area))

    def count_ranges(self, sample: str, rater: str, area: str = "") -> np.ndarray:
        """``(k, 2)``: for each grade, the fewest and most cases of the group over everything consistent with the figures."""
        return self._ranges[(sample, rater, area)]

    def areas(self, sample: str = "all", rater: str = "inspectorate") -> list[str]:
        """The practice areas the figures give for a sample and rater, in the order of ``practice_areas``."""
        present = {g[2] for g in self.figure_set.groups if g[:2] == (sample, rater) and g[2]}
        return [a for a in self.practice_areas["practice_area"] if a in present]

    @cached_property
    def _ranges(self) -> dict[tuple, np.ndarray]:
        return {g: self.figure_set.system.grade_ranges(g) for g in self.figure_set.groups}

    @cached_property
    def _pinned(self) -> dict[tuple, np.ndarray]:
        return {g: r[:, 0].copy() for g, r in self._ranges.items() if (r[:, 0] == r[:, 1]).all()}

    # ------------------------------------------------------------------ Gwent-shaped views of pinned figures

    @cached_property
    def case_samples(self) -> pd.DataFrame | None:
        """Cases per grade of each graded sample (``sample, assessor, grade, n``), when the figures pin all three; else ``None``."""
        groups = [("force_selected", "force"), ("force_selected", "inspectorate"), ("inspectorate_selected", "inspectorate")]
        if any(self.counts(s, r) is None for s, r in groups):
            return None
        records = [
            (s, "hmicfrs" if r == "inspectorate" else r, g, int(n))
            for s, r in groups
            for g, n in zip(self.grades, self.counts(s, r), strict=True)
        ]
        frame = pd.DataFrame(records, columns=["sample", "assessor", "grade", "n"])
        return _typed(frame, self.grade_dtype, categories={"sample": SAMPLES, "assessor": ASSESSORS})

    @cached_property
    def area_grades(self) -> pd.DataFrame | None:
        """The inspectors' cases per grade in each practice area, all cases (``practice_area, grade, n``), when pinned; else ``None``."""
        areas = self.areas()
        if not areas or any(self.counts("all", "inspectorate", a) is None for a in areas):
            return None
        records = [(a, g, int(n)) for a in areas for g, n in zip(self.grades, self.counts("all", "inspectorate", a), strict=True)]
        return _typed(pd.DataFrame(records, columns=["practice_area", "grade", "n"]), self.grade_dtype)

    def total(self, quantity: str) -> int:
        """A total the audit publishes: a sample size (``cases_all``, ``cases_force_selected``, ``cases_inspectorate_selected``), else from ``published_totals``."""
        sizes = {"cases_all": "all", "cases_force_selected": "force_selected", "cases_inspectorate_selected": "inspectorate_selected"}
        if quantity in sizes:
            return self.size(sizes[quantity])
        if self.published_totals is None:
            raise KeyError(f"this audit package publishes no total {quantity!r}")
        return int(self.published_totals.set_index("quantity").loc[quantity, "value"])

    @property
    def source_line(self) -> str:
        """Where the figures come from, in one line (the "Source:" line of every chart): the report, else ``audit.json``'s sources."""
        from analysis.text import source_text

        if self.source is not None:
            return source_text(self.source)
        return "; ".join(title for title, _ in self.meta.sources) + f" ({self.meta.published})"

    def field_enum(self, resource: str, name: str) -> tuple[str, ...]:
        """The allowed values the data package gives for field ``name`` of ``resource`` (e.g. the 43 forces)."""
        res = next(r for r in self.descriptor["resources"] if r["name"] == resource)
        fld = next(f for f in res["schema"]["fields"] if f["name"] == name)
        return tuple(fld.get("constraints", {}).get("enum", ()))


def _known_table(cases: pd.DataFrame, grades: tuple[str, ...], figure_set: FigureSet, shown: str) -> np.ndarray:
    """The force x inspectors table a case-level file gives, after checking its grades and areas (rows as in the file)."""
    if figure_set.pair is None:
        raise AuditDataError(
            shown,
            "a case-level file needs the figures to give the force's and the inspectors' grades of the force-selected cases",
            expected="rows of figures.csv with sample force_selected for rater force and rater inspectorate",
            found="none",
        )
    index = {g: i for i, g in enumerate(grades)}
    for col in ("force_grade", "hmicfrs_grade"):
        bad = ~cases[col].isin(list(grades))
        if bad.any():
            raise AuditDataError(
                shown,
                "grade not on the scale",
                row=[int(i) + 1 for i in cases.index[bad]],
                column=col,
                expected="one of " + ", ".join(grades),
                found=repr(cases.loc[bad, col].iloc[0]),
            )
    areas = {f.area for f in figure_set.figures if f.area}
    if areas:
        bad = ~cases["practice_area"].isin(sorted(areas))
        if bad.any():
            raise AuditDataError(
                shown,
                "practice area not in the figures",
                row=[int(i) + 1 for i in cases.index[bad]],
                column="practice_area",
                expected="one of " + ", ".join(sorted(areas)),
                found=repr(cases.loc[bad, "practice_area"].iloc[0]),
            )
    n = figure_set.groups[figure_set.pair[0]]
    if len(cases) != n:
        raise AuditDataError(
            shown,
            "the case-level file does not hold the force-selected cases",
            expected=f"{n} cases (of in figures.csv for force_selected)",
            found=f"{len(cases)}",
        )
    table = np.zeros((len(grades), len(grades)), dtype=np.int64)
    np.add.at(table, (cases["force_grade"].map(index).to_numpy(), cases["hmicfrs_grade"].map(index).to_numpy()), 1)
    return table


def _derived_areas(figure_set: FigureSet) -> pd.DataFrame:
    """Practice areas of a package without ``practice_areas.csv``: each area as published, in order of first appearance."""
    seen: list[str] = []
    for f in figure_set.figures:
        if f.area and f.area not in seen:
            seen.append(f.area)
    return pd.DataFrame(
        {
            "practice_area": pd.Series(seen, dtype=object),
            "report_order": pd.Series(range(1, len(seen) + 1), dtype="int64"),
            "label": pd.Series(seen, dtype=object),
            "description": pd.Series([""] * len(seen), dtype=object),
        }
    )


def _shape(raw: dict[str, pd.DataFrame], areas: pd.DataFrame) -> dict[str, Any]:
    """Types on top of the strict reader's: ordered categories, nullable counts, themes in report order."""
    out: dict[str, Any] = {name: raw[name] for name in raw}
    if "area_themes" in raw:
        themes = raw["area_themes"].copy()
        themes["_a"] = themes["practice_area"].map(areas.set_index("practice_area")["report_order"])
        out["area_themes"] = themes.sort_values(["_a", "theme_number"], kind="stable").drop(columns="_a").reset_index(drop=True)
    if "recommendations" in raw:
        recs = raw["recommendations"].copy()
        recs["deadline"] = pd.Categorical(recs["deadline"], categories=["immediately", "within three months"], ordered=True)
        out["recommendations"] = recs
    return out


def _check_figures_schema(descriptor: dict[str, Any], shown: str) -> None:
    res = next(r for r in descriptor["resources"] if r["name"] == "figures")
    if res.get("path") != "figures.csv":
        raise AuditDataError(
            shown,
            "resource 'figures' differs from the project's figures.csv schema",
            expected="path figures.csv and the schema `python -m analysis hashes --update` writes (analysis.data.audit_package.FIGURES_SCHEMA)",
            found="path " + repr(res.get("path")),
        )
    check_schema(res, shown)  # the first difference, naming the field


def load_audit(raw: str | Path | None = None) -> AuditData:
    """Read every resource of the audit package in ``raw_dir`` and validate them all; return :class:`AuditData`.

    Order of checks: the descriptor (``raw_dir/datapackage.json``, no fallback) describes
    ``audit`` and ``figures`` and no resource outside :data:`ALLOWED`; each file matches its
    recorded sha256 and size; ``audit.json`` has every field it needs; ``figures.csv`` meets its
    schema and every row is a well-formed figure; the figures can all hold together
    (:func:`analysis.data.audit_package.build_figure_set`); the further tables meet their schemas
    and foreign keys; then :func:`analysis.data.validate.validate_audit` checks the cross-table
    rules. Raises :class:`analysis.data.errors.AuditDataError` on the first problem. With no
    ``raw``, the package is :func:`analysis.data.paths.raw_dir` (``data/raw`` unless
    ``$ANALYSIS_RAW`` points elsewhere).
    """
    raw_dir = Path(raw) if raw is not None else _paths.raw_dir()
    descriptor = load_descriptor(raw_dir)
    shown_dp = display_path(raw_dir / "datapackage.json")
    described = [r["name"] for r in descriptor["resources"]]
    missing = [n for n in REQUIRED if n not in described]
    extra = [n for n in described if n not in ALLOWED]
    if missing or extra:
        raise AuditDataError(
            shown_dp,
            "the data package does not describe an audit package",
            expected="resources audit and figures, optionally " + ", ".join(OPTIONAL),
            found=("missing " + ", ".join(missing) if missing else "")
            + ("; " if missing and extra else "")
            + ("unexpected " + ", ".join(extra) if extra else ""),
        )
    for name in described:
        lacking = [n for n in REQUIRES.get(name, ()) if n not in described and n != name]
        if lacking:
            raise AuditDataError(
                shown_dp,
                f"resource '{name}' needs '{lacking[0]}', which the data package does not describe",
                expected=f"{name} together with " + ", ".join(n for n in REQUIRES[name] if n != name),
                found="missing " + ", ".join(lacking),
            )
    described_paths = {r["path"] for r in descriptor["resources"]}
    loose = sorted(
        p.name
        for p in raw_dir.iterdir()
        if p.suffix in (".csv", ".json") and p.name != "datapackage.json" and p.name not in described_paths
    )
    if loose:
        raise AuditDataError(
            display_path(raw_dir / loose[0]),
            "file in the package folder is not described in datapackage.json",
            expected="every .csv and .json file described (add it to the descriptor, or move it out of the folder)",
            found=", ".join(loose),
        )
    files = {r["name"]: display_path(raw_dir / r["path"]) for r in descriptor["resources"]}
    audit_res = next(r for r in descriptor["resources"] if r["name"] == "audit")
    if audit_res.get("path") != "audit.json":
        raise AuditDataError(shown_dp, "resource 'audit' must be audit.json", expected="path audit.json", found=repr(audit_res.get("path")))
    data, shown = resource_bytes(raw_dir, audit_res)
    meta = parse_audit_json(_decode_text(data, shown), shown)
    _check_figures_schema(descriptor, shown_dp)
    figures = read_resource(raw_dir, "figures", descriptor)
    parsed = parse_figures(figures, meta, files["figures"])
    figure_set = build_figure_set(parsed, meta, files["figures"])
    cases = None
    if "cases" in described:
        cases = read_resource(raw_dir, "cases", descriptor)
        known = _known_table(cases, meta.grades, figure_set, files["cases"])
        figure_set = build_figure_set(parsed, meta, files["figures"], known=known)
        if not figure_set.system.feasible():
            raise AuditDataError(
                files["cases"],
                "the case-level grades do not fit the published figures",
                expected=f"a table whose totals meet every figure of {files['figures']}",
                found="force's totals "
                + "/".join(str(int(v)) for v in known.sum(axis=1))
                + ", inspectors' totals "
                + "/".join(str(int(v)) for v in known.sum(axis=0)),
            )

    present = [n for n in OPTIONAL if n in described and n != "cases"]  # the case-level file is read above, once
    raw = {name: read_resource(raw_dir, name, descriptor) for name in present}
    check_foreign_keys(raw, descriptor, files)
    areas = raw.pop("practice_areas", None)
    if areas is None:
        areas = _derived_areas(figure_set)
    shaped = _shape(raw, areas)
    source = shaped.pop("source", None)
    if source is not None:
        check_source(source, files["source"])
        source = source.iloc[0]
    shaped.pop("cases", None)
    data = AuditData(
        meta=meta,
        figures=figures,
        figure_set=figure_set,
        practice_areas=areas,
        descriptor=descriptor,
        files=files,
        source=source,
        cases=cases,
        **shaped,
    )
    validate_audit(data)
    return data
