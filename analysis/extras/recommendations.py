"""The report's recommendations (``recommendations.csv``) and the practice areas each concerns (``recommendation_areas.csv``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from analysis.data.audit_data import AuditData
from analysis.data.errors import AuditDataError
from analysis.extras.extension import Extension

#: The deadlines a recommendation may carry, soonest first (``deadline`` is an ordered category).
DEADLINES: tuple[str, ...] = ("immediately", "within three months")


def shape(tables: Mapping[str, pd.DataFrame], files: Mapping[str, str], areas: pd.DataFrame) -> dict[str, Any]:
    """``deadline`` as an ordered category (:data:`DEADLINES`)."""
    out = dict(tables)
    if "recommendations" in tables:
        recs = tables["recommendations"].copy()
        recs["deadline"] = pd.Categorical(recs["deadline"], categories=list(DEADLINES), ordered=True)
        out["recommendations"] = recs
    return out


def check(data: AuditData) -> None:
    """Every recommendation concerns at least one practice area."""
    recommendations, areas = data.extra("recommendations"), data.extra("recommendation_areas")
    if recommendations is None or areas is None:
        return
    covered = set(areas["recommendation_id"])
    for i, rec in enumerate(recommendations["recommendation_id"], start=1):
        if rec not in covered:
            raise AuditDataError(
                data.files["recommendations"],
                f"recommendation '{rec}' concerns no practice area",
                row=i,
                column="recommendation_id",
                expected=f"at least one row for '{rec}' in {data.files['recommendation_areas']}",
                found="none",
            )


EXTENSION = Extension(
    "recommendations",
    ("recommendations", "recommendation_areas"),
    requires={"recommendations": ("recommendation_areas",), "recommendation_areas": ("recommendations", "practice_areas")},
    shape=shape,
    check=check,
)
