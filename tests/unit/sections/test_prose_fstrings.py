"""analysis/sections/ builds tables and specs; sentences live in analysis/narrative/ (issue 29). Count the prose builders left.

Prose is literal text that holds a space followed by a letter. A prose builder is an expression that builds prose from
values: a prose f-string, and the same sentence written any other way, so that turning an f-string into a template does
not hide it: ``.format(...)`` on a prose literal, on a module-level constant holding prose or on a template that is not
a literal at all (a name bound in a loop); ``%`` on a prose literal or constant; and ``+`` joining prose (a literal, a
constant or an f-string) with a value that is not a string literal. An expression nested in another counts with its
parent. Run this file as a script to print the count per module: ``python tests/unit/sections/test_prose_fstrings.py``.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

SECTIONS = Path(__file__).resolve().parents[3] / "analysis" / "sections"

#: A space then a letter in an f-string's literal text: words, not a file name or a column name.
PROSE = re.compile(r" [A-Za-z]")

#: The most prose builders each module of sections/ may still hold (the issue's target for the whole folder is 10).
#: Every sentence and every table's words built from values are in analysis/narrative/; what is left are six error
#: messages of coverage.py that name a figure, a rule, a row or a column of the input they refuse. Lower a number when
#: a module loses prose; never raise it.
CEILING = {
    "areas.py": 0,
    "association.py": 0,
    "audit.py": 0,
    "contents.py": 0,
    "coverage.py": 6,
    "national.py": 0,
    "panel.py": 0,
    "samples.py": 0,
    "self_assessment.py": 0,
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


def _is_str(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _literal_text(node: ast.AST) -> str | None:
    """The literal text of a string constant or an f-string (its constant parts), else ``None``."""
    if _is_str(node):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if _is_str(v))
    return None


def _module_constants(tree: ast.Module) -> dict[str, str]:
    """Names bound at module level to a string constant (``NAME = "..."`` or ``NAME: str = "..."``), with their text."""
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and _is_str(node.value):
            out.update({t.id: node.value.value for t in node.targets if isinstance(t, ast.Name)})
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None and _is_str(node.value):
            out[node.target.id] = node.value.value
    return out


def _addends(node: ast.AST) -> list[ast.AST]:
    """The operands of a chain of ``+``."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _addends(node.left) + _addends(node.right)
    return [node]


def prose_builders(source: str) -> list[int]:
    """Line numbers of the top-level expressions in ``source`` that build prose from values.

    Four kinds, each counted once however they nest: an f-string whose literal text is prose; ``.format(...)`` on a
    prose literal, on a module-level constant holding prose, or on any template that is not a literal (a name bound in
    a loop, an attribute); ``%`` with a prose literal or prose constant on its left; and a ``+`` chain that joins a prose
    literal (or prose constant, or prose f-string) with any value that is not a string literal.
    """
    tree = ast.parse(source)
    constants = _module_constants(tree)

    def prose(node: ast.AST) -> bool:
        text = _literal_text(node)
        if text is None and isinstance(node, ast.Name):
            text = constants.get(node.id)
        return text is not None and bool(PROSE.search(text))

    found: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and prose(node):
            found.append(node)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            receiver = node.func.value
            known = (
                _is_str(receiver) or isinstance(receiver, ast.JoinedStr) or (isinstance(receiver, ast.Name) and receiver.id in constants)
            )
            if prose(receiver) or not known:
                found.append(node)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and prose(node.left):
            found.append(node)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            parts = _addends(node)
            if any(prose(p) for p in parts) and not all(_is_str(p) for p in parts):
                found.append(node)
    inside = {id(inner) for outer in found for inner in ast.walk(outer) if inner is not outer}
    return sorted(node.lineno for node in found if id(node) not in inside)


def counts() -> dict[str, int]:
    """Prose builders per module of analysis/sections/ (:func:`prose_builders`)."""
    return {p.name: len(prose_builders(p.read_text(encoding="utf-8"))) for p in sorted(SECTIONS.glob("*.py"))}


def test_the_counter_finds_prose_and_ignores_names_and_nested_parts():
    source = """a = f"{x}.csv"
b = f"share_{g}"
c = f"The force graded {k} cases {f'{w} well'}"
d = "plain words"
"""
    assert prose_fstrings(source) == [3]


def test_the_counter_finds_prose_built_by_a_template_or_by_concatenation():
    source = """REASON = "the document prints grades only for {areas}"
NAME = "share_{g}"
a = "The force graded {} cases".format(k)
b = REASON.format(areas=x)
c = [doc.format(k=k) for doc in DOCS.values()]
d = "The force graded %d cases" % k
e = REASON % x
f = "For every group of cases. " + note
g = note + " (best first)."
h = ("one row per case; " + ", ".join(names)
     + ".")
i = f"The force graded {k} cases" + " in all"
"""
    assert prose_builders(source) == [3, 4, 5, 6, 7, 8, 9, 10, 12]


def test_the_counter_ignores_names_numbers_and_constant_text():
    source = """NAME = "share_{g}"
a = NAME.format(g=grade)
b = "{:.2f}".format(x)
c = "%s_%s" % (a, b)
d = "plain words " + "joined at import"
e = text + "."
f = i % 2
g = f"{x}.csv"
"""
    assert prose_builders(source) == []


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
