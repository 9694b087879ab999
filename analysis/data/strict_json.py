"""JSON read within bounds: nesting depth checked before parsing, numbers range-checked, no key twice, Unicode text only.

A reader of any JSON document of a package (``datapackage.json``, ``audit.json``) uses
:func:`parse_json_text`: whatever the document holds, the result is the parsed value or one
:class:`analysis.data.errors.AuditDataError` line naming the file, never a ``RecursionError`` or
Python's own message about long integers.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from analysis.data.errors import AuditDataError, shorten

#: The range of an integer (a signed 64-bit integer, the column type tables are read into).
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
#: Deepest nesting of arrays and objects a JSON document may have (a data package needs 7 levels).
MAX_JSON_DEPTH = 32
#: Longest number literal accepted (characters): more than any count or size needs.
MAX_JSON_NUMBER_CHARS = 40

_INT = re.compile(r"[+-]?[0-9]+")


class _JSONValueError(ValueError):
    """A JSON value outside what the project reads (raised from :func:`json.loads`'s hooks)."""

    def __init__(self, problem: str, expected: str, found: str) -> None:
        super().__init__(problem)
        self.problem, self.expected, self.found = problem, expected, found


def _json_number(text: str) -> int | float:
    if len(text) > MAX_JSON_NUMBER_CHARS:
        raise _JSONValueError("number too long", f"a number of at most {MAX_JSON_NUMBER_CHARS} characters", repr(shorten(text)))
    if _INT.fullmatch(text):
        value: int | float = int(text)
        if not INT_MIN <= value <= INT_MAX:
            raise _JSONValueError("integer out of range", f"an integer from {INT_MIN:,} to {INT_MAX:,}", repr(text))
        return value
    value = float(text)
    if not math.isfinite(value):
        raise _JSONValueError("number out of range", "a finite number", repr(text))
    return value


def _json_constant(text: str) -> None:
    raise _JSONValueError("not a JSON number", "a number (JSON has no NaN or Infinity)", text)


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _JSONValueError(f"key {shorten(key)!r} appears twice in one object", "each key once", f"{shorten(key)!r} twice")
        out[key] = value
    return out


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def _json_depth_error(text: str, max_depth: int) -> tuple[int, int] | None:
    """Where ``text`` first nests deeper than ``max_depth`` (line and column), or None; strings are skipped."""
    blanked = _JSON_STRING.sub(lambda m: " " * len(m.group()), text)
    depth = 0
    for m in _JSON_BRACKET.finditer(blanked):
        depth += 1 if m.group() in "[{" else -1
        if depth > max_depth:
            line = blanked.count("\n", 0, m.start()) + 1
            return line, m.start() - (blanked.rfind("\n", 0, m.start()) + 1) + 1
    return None


def _check_text(value: Any, shown: str) -> None:
    """Every string and key of a parsed JSON document is Unicode text (no lone surrogate from a ``\\ud800`` escape)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise AuditDataError(
                    shown, "string holds an escape that is not a character", expected="Unicode text", found=repr(shorten(item))
                ) from None


def parse_json_text(text: str, shown: str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON ``text`` strictly and within bounds; ``shown`` names the file in errors.

    At most ``max_depth`` levels of arrays and objects (checked before parsing,
    so a deeply nested document cannot exhaust the stack); each number literal at most
    :data:`MAX_JSON_NUMBER_CHARS` characters, integers within a signed 64-bit range and no NaN or
    Infinity; no key twice in one object; no string that is not Unicode text. Any failure raises
    :class:`AuditDataError` with one line naming the file (and the line and column where the parser
    gives them).
    """
    deep = _json_depth_error(text, max_depth)
    if deep is not None:
        raise AuditDataError(
            shown,
            f"JSON nested too deeply at line {deep[0]}, column {deep[1]}",
            expected=f"at most {max_depth} levels of arrays and objects",
            found=f"more than {max_depth}",
        )
    try:
        value = json.loads(
            text, parse_int=_json_number, parse_float=_json_number, parse_constant=_json_constant, object_pairs_hook=_json_object
        )
    except json.JSONDecodeError as err:
        raise AuditDataError(
            shown, f"invalid JSON at line {err.lineno}, column {err.colno}", expected="a JSON document", found=err.msg
        ) from None
    except _JSONValueError as err:
        raise AuditDataError(shown, err.problem, expected=err.expected, found=err.found) from None
    except RecursionError:  # cannot happen below the depth limit; kept so that no traceback can
        raise AuditDataError(shown, "JSON nested too deeply", expected=f"at most {max_depth} levels", found="more") from None
    _check_text(value, shown)
    return value
