"""The report the figures come from (``source.csv``: one document, its dates and address), kept as one record.

The record is published with the processed set as the data package's source (:func:`as_source`: the
Frictionless Data Package ``sources`` property, its title and address under the standard's names and
every other field with the ``x_`` prefix) and read back from there by the pages (:func:`from_source`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from analysis.data.errors import AuditDataError
from analysis.data.package import read_value
from analysis.data.schemas import SCHEMAS
from analysis.extras.extension import Extension

#: The record's fields in ``source.csv``'s order, with their schema (``analysis/data/table_schemas/source.json``).
FIELDS: dict[str, dict[str, Any]] = {f["name"]: f for f in SCHEMAS["source"]["fields"]}

#: The record's fields that the Data Package standard names for a source, and its names for them.
STANDARD: dict[str, str] = {"title": "title", "url": "path"}

#: Prefix of the record's other fields in its Data Package form (as the project's other extensions of the standard: ``x_notes``).
PREFIX = "x_"


def _check_dates(start: dt.date, end: dt.date, file: str, row: int | None) -> None:
    if end < start:
        raise AuditDataError(
            file,
            "inspection ends before it starts",
            row=row,
            column="inspection_end" if row is not None else f"{PREFIX}inspection_end",
            expected=f"a date on or after {start}",
            found=str(end),
        )


def check_source(frame: pd.DataFrame, file: str) -> None:
    """The source table holds exactly one document whose inspection ends on or after it starts."""
    if len(frame) != 1:
        raise AuditDataError(file, "wrong number of source documents", expected="exactly 1 data row", found=f"{len(frame)}")
    _check_dates(frame.loc[0, "inspection_start"], frame.loc[0, "inspection_end"], file, 1)


def shape(tables: Mapping[str, pd.DataFrame], files: Mapping[str, str], areas: pd.DataFrame) -> dict[str, Any]:
    """The one document, checked (:func:`check_source`), as a record (a Series)."""
    check_source(tables["source"], files["source"])
    return {"source": tables["source"].iloc[0]}


EXTENSION = Extension("source", ("source",), shape=shape)


# --------------------------------------------------------------------------- the record in the processed set


def key(name: str) -> str:
    """The name of the record's field ``name`` in its Data Package form (``title``, ``path``, else ``x_<name>``)."""
    return STANDARD.get(name, PREFIX + name)


def as_source(record: Mapping[str, Any]) -> dict[str, str]:
    """The source record as a Frictionless Data Package source: ``title``, ``path`` (its web address), then ``x_<field>`` for each other field.

    Every value is text as ``source.csv`` holds it (dates ``YYYY-MM-DD``, the month ``YYYY-MM``), so
    :func:`from_source` reads back the same record.
    """
    out = {key(name): str(record[name]) for name in STANDARD}
    out.update({key(name): str(record[name]) for name in FIELDS if name not in STANDARD})
    return out


def is_record(entry: Any) -> bool:
    """Whether a Data Package source carries a source record (any ``x_<field>`` of it), not only a title and an address."""
    return isinstance(entry, Mapping) and any(key(name) in entry for name in FIELDS if name not in STANDARD)


def from_source(entry: Mapping[str, Any], shown: str) -> dict[str, Any]:
    """The source record from its Data Package form (:func:`as_source`), each field checked against ``source.csv``'s schema.

    Returns the record by ``source.csv``'s field names, typed as the raw reader types them (dates as
    :class:`datetime.date`). ``shown`` names the file and the source (e.g. ``data/processed/datapackage.json,
    source 1``); a missing field, a value that is not text or breaks its field's type or
    constraints, or an inspection that ends before it starts raises :class:`AuditDataError` naming it.
    """
    record: dict[str, Any] = {}
    for name, field in FIELDS.items():
        k = key(name)
        value = entry.get(k)
        if not isinstance(value, str):
            raise AuditDataError(
                shown,
                "missing field" if value is None else "not text",
                column=k,
                expected=f"{field.get('description', 'a value')} as text",
                found="no such field" if value is None else type(value).__name__,
            )
        record[name] = read_value(value, {**field, "name": k}, shown)
    _check_dates(record["inspection_start"], record["inspection_end"], shown, None)
    return record
