"""One loader per raw table, returning typed pandas objects, plus :func:`load_audit` that loads and validates them all."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.data.package import check_foreign_keys, load_descriptor, read_resource
from analysis.data.paths import RAW_DIR
from analysis.grades import GRADE_DTYPE

SAMPLES = ("force_selected", "inspectorate_selected")
ASSESSORS = ("force", "hmicfrs")


def _typed(frame: pd.DataFrame, grade_cols=("grade",), categories: dict | None = None) -> pd.DataFrame:
    out = frame.copy()
    for col in grade_cols:
        out[col] = out[col].astype(GRADE_DTYPE)
    for col, cats in (categories or {}).items():
        out[col] = pd.Categorical(out[col], categories=list(cats))
    return out


def load_case_samples(raw_dir: str | Path = RAW_DIR) -> pd.DataFrame:
    """Cases per grade in each graded sample: columns ``sample``, ``assessor``, ``grade`` (ordered), ``n``."""
    return _typed(read_resource(raw_dir, "case_samples"), categories={"sample": SAMPLES, "assessor": ASSESSORS})


def load_practice_areas(raw_dir: str | Path = RAW_DIR) -> pd.DataFrame:
    """The practice areas: ``practice_area``, ``report_order``, ``label``, ``description``, in file order."""
    return read_resource(raw_dir, "practice_areas")


def load_area_grades(raw_dir: str | Path = RAW_DIR) -> pd.DataFrame:
    """HMICFRS grades of all cases by practice area: ``practice_area``, ``grade`` (ordered), ``n``."""
    return _typed(read_resource(raw_dir, "area_grades"))


def load_published_totals(raw_dir: str | Path = RAW_DIR) -> pd.DataFrame:
    """Totals the report prints: ``quantity``, ``value``, ``section``."""
    return read_resource(raw_dir, "published_totals")


def load_recommendations(raw_dir: str | Path = RAW_DIR) -> pd.DataFrame:
    """The report's recommendations: ``recommendation_id``, ``chapter_number``, ``chapter``, ``deadline``, ``summary``."""
    frame = read_resource(raw_dir, "recommendations")
    frame["deadline"] = pd.Categorical(frame["deadline"], categories=["immediately", "within three months"], ordered=True)
    return frame


def load_recommendation_areas(raw_dir: str | Path = RAW_DIR) -> pd.DataFrame:
    """Which practice areas each recommendation concerns: ``recommendation_id``, ``practice_area``."""
    return read_resource(raw_dir, "recommendation_areas")


def load_source(raw_dir: str | Path = RAW_DIR) -> pd.Series:
    """The source report as one record (title, force, inspectorate, dates, ISBN, address, licence)."""
    from analysis.data.validate import check_source

    frame = read_resource(raw_dir, "source")
    check_source(frame, raw_dir)
    return frame.iloc[0]


@dataclass(frozen=True)
class AuditData:
    """All raw tables, loaded, typed and checked against the schema and the report's identities."""

    case_samples: pd.DataFrame
    practice_areas: pd.DataFrame
    area_grades: pd.DataFrame
    published_totals: pd.DataFrame
    recommendations: pd.DataFrame
    recommendation_areas: pd.DataFrame
    source: pd.Series

    def total(self, quantity: str) -> int:
        """A total printed in the report, by its ``quantity`` name in ``published_totals.csv``."""
        return int(self.published_totals.set_index("quantity").loc[quantity, "value"])


def load_audit(raw_dir: str | Path = RAW_DIR) -> AuditData:
    """Load every raw table from ``raw_dir`` and validate them together.

    Raises :class:`analysis.data.errors.AuditDataError` on the first problem found.
    """
    from analysis.data.validate import validate_audit

    raw_dir = Path(raw_dir)
    descriptor = load_descriptor(raw_dir)
    data = AuditData(
        case_samples=load_case_samples(raw_dir),
        practice_areas=load_practice_areas(raw_dir),
        area_grades=load_area_grades(raw_dir),
        published_totals=load_published_totals(raw_dir),
        recommendations=load_recommendations(raw_dir),
        recommendation_areas=load_recommendation_areas(raw_dir),
        source=load_source(raw_dir),
    )
    check_foreign_keys(
        raw_dir,
        {
            "practice_areas": data.practice_areas,
            "area_grades": data.area_grades.astype({"grade": "object"}),
            "recommendations": data.recommendations,
            "recommendation_areas": data.recommendation_areas,
        },
        descriptor,
    )
    validate_audit(data, raw_dir)
    return data
