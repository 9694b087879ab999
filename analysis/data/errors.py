"""The project's errors: one for bad input data, one for a processed set that could not be published."""

from __future__ import annotations

from collections.abc import Sequence

#: At most this many rows are named in a message; the rest are counted ("and 1,204 more").
MAX_ROWS_SHOWN = 5

#: Values quoted in a message are cut to this many characters, so a huge field cannot make a huge message.
MAX_VALUE_CHARS = 80


def shorten(text: str, limit: int = MAX_VALUE_CHARS) -> str:
    """``text`` on one line and at most ``limit`` characters (an ellipsis and the full length mark a cut)."""
    text = str(text).replace("\r", "\\r").replace("\n", "\\n")
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def _rows(row: int | Sequence[int]) -> str:
    if isinstance(row, int):
        return f"row {row} (line {row + 1})"
    rows = list(row)
    if len(rows) == 1:
        return _rows(rows[0])
    shown = rows[:MAX_ROWS_SHOWN]
    more = f" and {len(rows) - len(shown):,} more" if len(rows) > len(shown) else ""
    return f"rows {', '.join(map(str, shown))}{more} (lines {', '.join(str(r + 1) for r in shown)}{'…' if more else ''})"


class AuditDataError(ValueError):
    """Raised when an input file breaks the schema, its checksum or one of the report's identities.

    The message is one line. It names the file and, where they apply, the data row(s) (1-based,
    header excluded; the line in the file is the row + 1), the column, what was expected and what
    was found, e.g.::

        data/raw/case_samples.csv, row 3 (line 4), column 'n': not an integer: expected an integer; found '-2.5'

    Long lists of rows are cut to the first :data:`MAX_ROWS_SHOWN` and a count, and quoted values to
    :data:`MAX_VALUE_CHARS` characters.
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
            where.append(f"column '{shorten(column)}'")
        detail = problem
        if expected is not None:
            detail += f": expected {shorten(expected, 4 * MAX_VALUE_CHARS)}"
        if found is not None:
            detail += f"; found {shorten(found, 2 * MAX_VALUE_CHARS)}"
        super().__init__(shorten(", ".join(where) + ": " + detail, 12 * MAX_VALUE_CHARS))


class PublishError(RuntimeError):
    """Raised when the processed set cannot be written (a bad ``--out``, a full disk, a second run at once).

    Nothing is half-written when it is raised: the previous set, if any, is still in place.
    """
