"""The schema the project reads each resource of a raw data package with: resource name -> Frictionless Table Schema, kept as data.

Each table's schema is a Table Schema JSON file, ``analysis/data/table_schemas/<resource>.json``,
read by one function (:func:`load_schema`); :data:`SCHEMAS` holds them all. This is the one
definition. A descriptor (``datapackage.json``) must give each resource exactly this schema
(:func:`analysis.data.package.check_schema`): a schema edited in the descriptor, even with the
data's checksums still matching, is refused with one message naming the resource and the field,
because the strict reader, the keys and every check after them rely on these types, constraints
and keys. :data:`MAX_BYTES` bounds the size of every file the reader will open, so memory and time
stay bounded whatever the input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: Largest raw file the reader opens (bytes), unless :data:`MAX_BYTES` names another limit for the resource.
#: Today's largest raw table is about 35 kB; a file over the limit is refused before it is read.
DEFAULT_MAX_BYTES = 4 * 2**20

#: Most cases a case-level file (``cases.csv``) may hold: a force's own records for several years. Read in bounded
#: memory (about 300 MB at the limit; ``benchmarks/bench_bounded_work.py`` measures it); a file with more rows is refused.
MAX_CASE_ROWS = 1_000_000

#: Per-resource size limits (bytes) that differ from :data:`DEFAULT_MAX_BYTES`: a case-level file of
#: :data:`MAX_CASE_ROWS` rows with case ids of up to about 30 characters.
MAX_BYTES: dict[str, int] = {"cases": 64 * 2**20}

#: Per-resource row limits (data rows); other resources are bounded by their size alone.
MAX_ROWS: dict[str, int] = {"cases": MAX_CASE_ROWS}


def max_bytes(resource: str) -> int:
    """The largest file the reader opens for ``resource`` (bytes)."""
    return MAX_BYTES.get(resource, DEFAULT_MAX_BYTES)


def max_rows(resource: str) -> int | None:
    """The most data rows the reader takes for ``resource`` (None: bounded by its size alone)."""
    return MAX_ROWS.get(resource)


#: The folder of schema files, one ``<resource>.json`` per table resource.
SCHEMA_DIR = Path(__file__).resolve().parent / "table_schemas"

#: Every table resource the project reads, in the order messages list them: the core's (``figures``, which every
#: audit package has, and the optional case-level file ``cases``), then Gwent's further tables. (``audit.json`` is a
#: JSON document, read by its own checks.)
TABLES: tuple[str, ...] = (
    "figures",
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


def load_schema(resource: str) -> dict[str, Any]:
    """The Table Schema of ``resource``, read from :data:`SCHEMA_DIR` (a fresh object each call)."""
    return json.loads((SCHEMA_DIR / f"{resource}.json").read_text(encoding="utf-8"))


#: Every table resource's schema (:data:`TABLES` in order, each from its file).
SCHEMAS: dict[str, dict[str, Any]] = {name: load_schema(name) for name in TABLES}


def field_enum(schema: dict[str, Any], name: str) -> tuple[Any, ...]:
    """The allowed values a schema gives field ``name`` (empty when it gives none)."""
    field = next(f for f in schema["fields"] if f["name"] == name)
    return tuple(field.get("constraints", {}).get("enum", ()))
