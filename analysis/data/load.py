"""The one gate in: :func:`load_audit` reads every resource of the raw data package, checks it, and returns :class:`AuditData`.

Nothing else in the project reads ``data/raw``. Stages take the validated :class:`AuditData`,
never a path, so no figure can reach a processed file without passing every check: checksums,
schemas, keys, the report's own identities, and the cross-table checks of the national and
coverage tables (:mod:`analysis.data.validate`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.data.errors import AuditDataError
from analysis.data.package import check_foreign_keys, load_descriptor, read_resource
from analysis.data.paths import RAW_DIR, display_path
from analysis.data.validate import NATIONAL_INT_COLUMNS, check_source, validate_audit
from analysis.grades import GRADE_DTYPE

SAMPLES = ("force_selected", "inspectorate_selected")
ASSESSORS = ("force", "hmicfrs")

#: Every resource the analysis uses; the data package must describe each (it may describe no others).
RESOURCES: tuple[str, ...] = (
    "case_samples",
    "practice_areas",
    "area_grades",
    "published_totals",
    "recommendations",
    "recommendation_areas",
    "source",
    "area_themes",
    "national_audits",
    "coverage_texts",
    "coverage_claims",
    "coverage_lines",
    "coverage_number_mentions",
)


def _typed(frame: pd.DataFrame, grade_cols=("grade",), categories: dict | None = None) -> pd.DataFrame:
    out = frame.copy()
    for col in grade_cols:
        out[col] = out[col].astype(GRADE_DTYPE)
    for col, cats in (categories or {}).items():
        out[col] = pd.Categorical(out[col], categories=list(cats))
    return out


@dataclass(frozen=True)
class AuditData:
    """Every raw table, read, typed and checked against the data package, the report's identities and each other.

    Tables of the case-file audit: ``case_samples`` (``grade`` ordered, worst to best),
    ``practice_areas``, ``area_grades``, ``published_totals``, ``recommendations`` (``deadline``
    ordered), ``recommendation_areas``, ``source`` (one record), ``area_themes`` (report order).
    Context: ``national_audits`` (counts as nullable integers) and the four ``coverage_*`` tables.
    ``descriptor`` is the raw data package; ``files`` maps each resource to the file name used in
    messages.
    """

    case_samples: pd.DataFrame
    practice_areas: pd.DataFrame
    area_grades: pd.DataFrame
    published_totals: pd.DataFrame
    recommendations: pd.DataFrame
    recommendation_areas: pd.DataFrame
    source: pd.Series
    area_themes: pd.DataFrame
    national_audits: pd.DataFrame
    coverage_texts: pd.DataFrame
    coverage_claims: pd.DataFrame
    coverage_lines: pd.DataFrame
    coverage_number_mentions: pd.DataFrame
    descriptor: dict[str, Any] = field(repr=False)
    files: dict[str, str] = field(repr=False)

    def total(self, quantity: str) -> int:
        """A total printed in the report, by its ``quantity`` name in ``published_totals.csv``."""
        return int(self.published_totals.set_index("quantity").loc[quantity, "value"])

    def field_enum(self, resource: str, name: str) -> tuple[str, ...]:
        """The allowed values the data package gives for field ``name`` of ``resource`` (e.g. the 43 forces)."""
        res = next(r for r in self.descriptor["resources"] if r["name"] == resource)
        fld = next(f for f in res["schema"]["fields"] if f["name"] == name)
        return tuple(fld.get("constraints", {}).get("enum", ()))


def _shape(raw: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """Types on top of the strict reader's: ordered grades and categories, nullable counts, themes in report order."""
    areas = raw["practice_areas"]
    themes = raw["area_themes"].copy()
    themes["_a"] = themes["practice_area"].map(areas.set_index("practice_area")["report_order"])
    themes = themes.sort_values(["_a", "theme_number"], kind="stable").drop(columns="_a").reset_index(drop=True)
    national = raw["national_audits"].copy()
    for col in NATIONAL_INT_COLUMNS:
        if col in national.columns:
            national[col] = national[col].astype("Int64")
    recs = raw["recommendations"].copy()
    recs["deadline"] = pd.Categorical(recs["deadline"], categories=["immediately", "within three months"], ordered=True)
    return {
        "case_samples": _typed(raw["case_samples"], categories={"sample": SAMPLES, "assessor": ASSESSORS}),
        "practice_areas": areas,
        "area_grades": _typed(raw["area_grades"]),
        "published_totals": raw["published_totals"],
        "recommendations": recs,
        "recommendation_areas": raw["recommendation_areas"],
        "source": raw["source"],
        "area_themes": themes,
        "national_audits": national,
        **{name: raw[name] for name in RESOURCES if name.startswith("coverage_")},
    }


def load_audit(raw_dir: str | Path = RAW_DIR) -> AuditData:
    """Read every resource of the data package in ``raw_dir`` and validate them all; return :class:`AuditData`.

    Order of checks: the descriptor (``raw_dir/datapackage.json``, no fallback) describes exactly
    :data:`RESOURCES`; each file matches its recorded sha256 and size and its schema; the foreign
    keys hold; then :func:`analysis.data.validate.validate_audit` checks the report's identities and
    the cross-table rules. Raises :class:`analysis.data.errors.AuditDataError` on the first problem.
    """
    raw_dir = Path(raw_dir)
    descriptor = load_descriptor(raw_dir)
    shown_dp = display_path(raw_dir / "datapackage.json")
    described = [r["name"] for r in descriptor["resources"]]
    missing = [n for n in RESOURCES if n not in described]
    extra = [n for n in described if n not in RESOURCES]
    if missing or extra:
        raise AuditDataError(
            shown_dp,
            "the data package does not describe the project's tables",
            expected="resources " + ", ".join(RESOURCES),
            found=("missing " + ", ".join(missing) if missing else "")
            + ("; " if missing and extra else "")
            + ("unexpected " + ", ".join(extra) if extra else ""),
        )
    files = {r["name"]: display_path(raw_dir / r["path"]) for r in descriptor["resources"]}
    raw = {name: read_resource(raw_dir, name, descriptor) for name in RESOURCES}
    check_foreign_keys(raw, descriptor, files)
    shaped = _shape(raw)
    source = shaped.pop("source")
    check_source(source, files["source"])
    data = AuditData(**shaped, source=source.iloc[0], descriptor=descriptor, files=files)
    validate_audit(data)
    return data
