"""analysis/sections/ builds tables and specs; sentences live in analysis/narrative/ (issue 29). Count the prose f-strings left.

A prose f-string is a top-level f-string whose literal text holds a space followed by a letter (an f-string
nested in another counts with its parent). Run this file as a script to print the count per module:
``python tests/unit/sections/test_prose_fstrings.py``.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

SECTIONS = Path(__file__).resolve().parents[3] / "analysis" / "sections"

#: A space then a letter in an f-string's literal text: words, not a file name or a column name.
PROSE = re.compile(r" [A-Za-z]")

#: The most prose f-strings each module of sections/ may still hold (the issue's target for the whole folder is 10).
#: What is left are the published tables' descriptions and method notes (datapackage.json, association_tests.csv's
#: ``note``), the figures' descriptions of the coverage check and error messages; in national.py and panel.py, the
#: panel's reasons and the funnel tables' notes (national.py's sentences moved to analysis/narrative/national.py).
#: Lower a number when a module loses prose; never raise it.
CEILING = {
    "areas.py": 0,
    "association.py": 5,
    "audit.py": 7,
    "contents.py": 1,
    "coverage.py": 5,
    "national.py": 0,
    "panel.py": 0,
    "samples.py": 4,
    "self_assessment.py": 26,
}


def prose_fstrings(source: str) -> list[int]:
    """Line numbers of the top-level prose f-strings in ``source``."""
    tree = ast.parse(source)
    nested = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for value in node.values
        if isinstance(value, ast.FormattedValue)
        for inner in ast.walk(value.value)
        if isinstance(inner, ast.JoinedStr)
    }
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and id(node) not in nested:
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
            if PROSE.search(text):
                lines.append(node.lineno)
    return sorted(lines)


def counts() -> dict[str, int]:
    """Prose f-strings per module of analysis/sections/."""
    return {p.name: len(prose_fstrings(p.read_text(encoding="utf-8"))) for p in sorted(SECTIONS.glob("*.py"))}


def test_the_counter_finds_prose_and_ignores_names_and_nested_parts():
    source = """a = f"{x}.csv"
b = f"share_{g}"
c = f"The force graded {k} cases {f'{w} well'}"
d = "plain words"
"""
    assert prose_fstrings(source) == [3]


def test_no_module_of_sections_gains_prose():
    found = counts()
    over = {name: n for name, n in found.items() if n > CEILING.get(name, 0)}
    assert over == {}, f"sentences belong in analysis/narrative/: {over}"


if __name__ == "__main__":
    found = counts()
    for name, n in found.items():
        print(f"{name:24} {n}")
    print(f"{'total':24} {sum(found.values())}")
    sys.exit(0)
