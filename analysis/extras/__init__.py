"""Gwent's extras: the further resources a package may hold beyond ``audit.json``, ``figures.csv`` and ``cases.csv``, one extension each.

Each module names its resources (their schemas are ``analysis/data/table_schemas/<resource>.json``),
what each needs beside it, how it types them and its checks (:class:`~analysis.extras.extension.Extension`).
:data:`EXTENSIONS` lists them in the order the core reads their resources and runs their checks.
"""

from __future__ import annotations

from analysis.extras import area_themes, coverage, practice_areas, published_totals, recommendations, source
from analysis.extras.extension import Extension

#: Every extension, in reading order.
EXTENSIONS: tuple[Extension, ...] = (
    practice_areas.EXTENSION,
    published_totals.EXTENSION,
    recommendations.EXTENSION,
    source.EXTENSION,
    area_themes.EXTENSION,
    coverage.EXTENSION,
)

#: Every further resource an extension reads, in reading order.
RESOURCES: tuple[str, ...] = tuple(name for ext in EXTENSIONS for name in ext.resources)

#: What each further resource cannot be read without.
REQUIRES: dict[str, tuple[str, ...]] = {name: needs for ext in EXTENSIONS for name, needs in ext.requires.items()}
