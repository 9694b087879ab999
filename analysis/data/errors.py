"""The project's one exception for bad input data."""

from __future__ import annotations

from collections.abc import Sequence


def _rows(row: int | Sequence[int]) -> str:
    if isinstance(row, int):
        return f"row {row} (line {row + 1})"
    rows = list(row)
    if len(rows) == 1:
        return _rows(rows[0])
    return f"rows {', '.join(map(str, rows))} (lines {', '.join(str(r + 1) for r in rows)})"


class AuditDataError(ValueError):
    """Raised when an input file breaks the schema or one of the report's identities.

    The message names the file and, where they apply, the data row(s) (1-based, header
    excluded; the line in the file is the row + 1), the column, what was expected and
    what was found, e.g.::

        data/raw/case_samples.csv, row 3 (line 4), column 'n': not a non-negative
        integer: expected an integer >= 0; found '-2'
    """

    def __init__(
        self,
        file: str,
        problem: str,
        *,
        row: int | Sequence[int] | None = None,
        column: str | None = None,
        expected: str | None = None,
        found: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.column = column
        self.expected = expected
        self.found = found
        self.problem = problem
        where = [file]
        if row is not None:
            where.append(_rows(row))
        if column is not None:
            where.append(f"column '{column}'")
        detail = problem
        if expected is not None:
            detail += f": expected {expected}"
        if found is not None:
            detail += f"; found {found}"
        super().__init__(", ".join(where) + ": " + detail)
