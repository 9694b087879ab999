"""Case-level paired grades (force and HMICFRS grade of each case): load, validate, and measure agreement exactly.

The published report gives only the two grade totals, so :mod:`analysis.stats.agreement` can give only
ranges. A force analyst holding the case-by-case records can supply them as a CSV with the columns
``case_id, practice_area, force_grade, hmicfrs_grade``; the same measures are then computed
exactly, overall and for each practice area, with the same functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.data.case_file import read_cases
from analysis.data.errors import AuditDataError
from analysis.data.load import load_audit
from analysis.data.package import read_file_bytes
from analysis.data.paths import display_path
from analysis.data.schemas import max_bytes
from analysis.grades import grade_dtype
from analysis.stats.agreement import cell_columns, table_measures

#: The columns of a paired-grades file, in order.
PAIRED_COLUMNS: tuple[str, ...] = ("case_id", "practice_area", "force_grade", "hmicfrs_grade")

#: Label of the row that covers every case in :func:`paired_measures`.
ALL_CASES = "all"


def _scale(grades: Sequence[str] | None) -> tuple[str, ...]:
    """The grade scale to read grades on: ``grades``, or by default the default audit package's (``data/raw/audit.json``)."""
    if grades is not None:
        return tuple(grades)
    return load_audit().grades


def load_paired_cases(
    path: str | Path, practice_areas: Sequence[str] | None = None, *, grades: Sequence[str] | None = None, allow_unknown_areas: bool = False
) -> pd.DataFrame:
    """Read and validate a paired-grades CSV; return ``case_id``, ``practice_area``, ``force_grade``, ``hmicfrs_grade``.

    The file is parsed strictly (:func:`analysis.data.package.parse_table`) against
    :func:`analysis.data.case_file.cases_schema` (the one schema of a case-level file, with the scale's grades as
    the grade fields' allowed values) by the one reader :func:`analysis.data.case_file.read_cases`: a regular, readable file of at most ``max_bytes("cases")`` bytes and
    :data:`analysis.data.schemas.MAX_CASE_ROWS` rows, UTF-8 without BOM, valid CSV, exact
    header, one value per column, no blanks or control characters, grades spelt exactly as on the
    scale ``grades`` (by default the default package's scale), unique case ids. One rule for white space: a value (a case id, an area, a
    grade) that starts or ends with a space is refused, never stripped, so ``" A1"`` and ``"A1"``
    can neither count as two cases nor be merged silently. Every ``practice_area`` must be one of ``practice_areas`` (by default the
    project's eight codes, from the validated raw data); unknown areas are refused with a message
    listing them all, because per-area results would then not add up to the overall result. Pass
    ``allow_unknown_areas=True`` to accept other codes deliberately. The grades come back as the
    ordered grade dtype. Any problem raises :class:`AuditDataError` naming the file, row, column,
    what was expected and what was found.
    """
    path = Path(path)
    shown = display_path(path)
    if practice_areas is None and not allow_unknown_areas:
        practice_areas = load_audit().practice_areas["practice_area"].tolist()
    scale = _scale(grades)
    frame = read_cases(read_file_bytes(path, shown, limit=max_bytes("cases")), shown, scale)
    if practice_areas is not None and not allow_unknown_areas:
        known = [str(a) for a in practice_areas]
        bad = ~frame["practice_area"].isin(known)
        if bad.any():
            unknown = list(dict.fromkeys(frame.loc[bad, "practice_area"]))
            raise AuditDataError(
                shown,
                f"unknown practice area{'s' if len(unknown) > 1 else ''} {', '.join(repr(u) for u in unknown)}",
                row=[int(i) + 1 for i in frame.index[bad]] if bad.sum() > 1 else int(frame.index[bad][0]) + 1,
                column="practice_area",
                expected="one of " + ", ".join(known) + " (or pass allow_unknown_areas=True)",
                found=", ".join(repr(u) for u in unknown),
            )
    for col in ("force_grade", "hmicfrs_grade"):
        frame[col] = frame[col].astype(grade_dtype(scale))
    return frame


def _cases_scale(cases: pd.DataFrame, grades: Sequence[str] | None) -> tuple[str, ...]:
    if grades is not None:
        return tuple(grades)
    dtype = cases["force_grade"].dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return tuple(reversed(list(dtype.categories)))  # categories run worst to best
    return _scale(None)


def paired_table(cases: pd.DataFrame, grades: Sequence[str] | None = None) -> np.ndarray:
    """Cross-tabulate cases into a k x k table: rows the force's grade, columns HMICFRS's, both best first on the scale.

    ``grades`` is the scale (by default the one the grades were read on, :func:`load_paired_cases`).
    """
    scale = _cases_scale(cases, grades)
    index = {g: i for i, g in enumerate(scale)}
    table = np.zeros((len(scale), len(scale)), dtype=np.int64)
    rows = cases["force_grade"].astype(str).map(index).to_numpy(dtype=np.int64)
    cols = cases["hmicfrs_grade"].astype(str).map(index).to_numpy(dtype=np.int64)
    np.add.at(table, (rows, cols), 1)
    return table


def paired_measures(cases: pd.DataFrame, practice_areas: Sequence[str] | None = None, grades: Sequence[str] | None = None) -> pd.DataFrame:
    """Exact agreement measures for paired cases, for all cases and for each practice area.

    One row for :data:`ALL_CASES` and then one per practice area (in the order of
    ``practice_areas`` if given, e.g. the report order, else in order of first appearance), with
    ``practice_area``, ``n``, the nine cells (:func:`analysis.stats.agreement.cell_columns`), every
    measure of :func:`analysis.stats.agreement.table_measures`, and ``note``. A measure undefined
    for an area (e.g. kappa when every case in it has the same grade from both) is NaN there; an
    area with no cases has every measure NaN and a note saying so.
    """
    areas = list(practice_areas) if practice_areas is not None else list(dict.fromkeys(cases["practice_area"]))
    groups = [(ALL_CASES, cases)] + [(a, cases[cases["practice_area"] == a]) for a in areas]
    scale = _cases_scale(cases, grades)
    tables = np.stack([paired_table(part, scale) for _, part in groups])
    k = len(scale)
    n = tables.sum(axis=(1, 2)).astype(np.int64)
    head = pd.DataFrame({"practice_area": [g for g, _ in groups], "n": n})
    cells = pd.DataFrame(tables.reshape(len(groups), k * k), columns=cell_columns(scale))
    note = pd.Series(np.where(n == 0, "no cases: every measure is undefined", ""), name="note")
    return pd.concat([head, cells, table_measures(tables), note], axis=1)


def check_margins(
    cases: pd.DataFrame,
    row_sums: Sequence[int],
    col_sums: Sequence[int],
    file: str | Path = "paired cases",
    grades: Sequence[str] | None = None,
) -> None:
    """Check that the paired cases reproduce published grade totals (force ``row_sums``, HMICFRS ``col_sums``).

    Raises :class:`AuditDataError` naming the column and grade that differ, e.g. when a supplied
    file is meant to hold the double-graded sample whose totals the report prints.
    """
    scale = _cases_scale(cases, grades)
    table = paired_table(cases, scale)
    shown = display_path(file) if isinstance(file, Path) else str(file)
    for column, found, expected in (("force_grade", table.sum(axis=1), row_sums), ("hmicfrs_grade", table.sum(axis=0), col_sums)):
        for grade, f, e in zip(scale, found, expected, strict=True):
            if int(f) != int(e):
                raise AuditDataError(
                    shown,
                    f"the number of cases graded '{grade}' differs from the published total",
                    column=column,
                    expected=f"{int(e)} cases",
                    found=f"{int(f)}",
                )
