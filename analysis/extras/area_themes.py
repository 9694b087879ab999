"""The themes the report finds in each practice area (``area_themes.csv``), in the report's order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from analysis.extras.extension import Extension


def shape(tables: Mapping[str, pd.DataFrame], files: Mapping[str, str], areas: pd.DataFrame) -> dict[str, Any]:
    """Themes sorted by their area's order in the report, then by theme number."""
    themes = tables["area_themes"].copy()
    themes["_a"] = themes["practice_area"].map(areas.set_index("practice_area")["report_order"])
    return {"area_themes": themes.sort_values(["_a", "theme_number"], kind="stable").drop(columns="_a").reset_index(drop=True)}


EXTENSION = Extension("area_themes", ("area_themes",), requires={"area_themes": ("practice_areas",)}, shape=shape)
