"""A package's case-level file (``cases.csv``): the force's and the inspectors' grade of each force-selected case, with one schema and one reader.

The one schema is :data:`CASES_SCHEMA` (``case_id, practice_area, force_grade, hmicfrs_grade``);
it names no grades or areas because they differ from package to package. :func:`read_cases` is the
one reader: the package's loader (:func:`analysis.data.load.load_audit`) and a force analyst's
paired-grades file (:func:`analysis.data.cases.load_paired_cases`) both read through it, the
latter with the grades of the scale as the fields' allowed values.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.data.audit_package import FigureSet
from analysis.data.errors import AuditDataError
from analysis.data.package import parse_table
from analysis.data.schemas import SCHEMAS, max_rows

#: The one schema of a case-level file (the ``cases`` resource of a data package).
CASES_SCHEMA: dict[str, Any] = SCHEMAS["cases"]

#: The grade columns of a case-level file.
GRADE_COLUMNS: tuple[str, ...] = ("force_grade", "hmicfrs_grade")


def cases_schema(grades: Sequence[str] | None = None) -> dict[str, Any]:
    """:data:`CASES_SCHEMA`, with ``grades`` (when given) as the allowed values of both grade columns (a fresh copy)."""
    schema = copy.deepcopy(CASES_SCHEMA)
    if grades is not None:
        for f in schema["fields"]:
            if f["name"] in GRADE_COLUMNS:
                f["constraints"]["enum"] = list(grades)
    return schema


def read_cases(data: bytes, shown: str, grades: Sequence[str] | None = None) -> pd.DataFrame:
    """Parse the bytes of a case-level file strictly (:func:`analysis.data.package.parse_table`) against :func:`cases_schema`.

    With ``grades``, a grade off the scale is refused as the reader refuses any value outside its
    field's allowed values; the row limit is the ``cases`` resource's.
    """
    return parse_table(data, cases_schema(grades), shown, max_rows=max_rows("cases"))


def known_table(cases: pd.DataFrame, grades: tuple[str, ...], figure_set: FigureSet, shown: str) -> np.ndarray:
    """The force x inspectors table a package's case-level file gives, after checking its grades and areas against the figures."""
    if figure_set.pair is None:
        raise AuditDataError(
            shown,
            "a case-level file needs the figures to give the force's and the inspectors' grades of the force-selected cases",
            expected="rows of figures.csv with sample force_selected for rater force and rater inspectorate",
            found="none",
        )
    index = {g: i for i, g in enumerate(grades)}
    for col in GRADE_COLUMNS:
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
