"""The report the figures come from (``source.csv``: one document, its dates and address), kept as one record."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from analysis.data.errors import AuditDataError
from analysis.extras.extension import Extension


def check_source(frame: pd.DataFrame, file: str) -> None:
    """The source table holds exactly one document whose inspection ends on or after it starts."""
    if len(frame) != 1:
        raise AuditDataError(file, "wrong number of source documents", expected="exactly 1 data row", found=f"{len(frame)}")
    start, end = frame.loc[0, "inspection_start"], frame.loc[0, "inspection_end"]
    if end < start:
        raise AuditDataError(
            file, "inspection ends before it starts", row=1, column="inspection_end", expected=f"a date on or after {start}", found=str(end)
        )


def shape(tables: Mapping[str, pd.DataFrame], files: Mapping[str, str], areas: pd.DataFrame) -> dict[str, Any]:
    """The one document, checked (:func:`check_source`), as a record (a Series)."""
    check_source(tables["source"], files["source"])
    return {"source": tables["source"].iloc[0]}


EXTENSION = Extension("source", ("source",), shape=shape)
