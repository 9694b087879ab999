"""No import circle in the house: the graph of which ``analysis`` module imports which has no cycle.

Every import statement counts, wherever it stands (at the top, inside a function, under
``if TYPE_CHECKING:``), read from the source with :mod:`ast`; the cycle search is the standard
library's :class:`graphlib.TopologicalSorter`. A package's ``__init__`` counts only for what it
imports itself (importing ``analysis.data.load`` is an edge to that module, not to ``analysis``).
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

import analysis

ROOT = Path(analysis.__file__).resolve().parent


def module_names(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the package at ``root`` by dotted name (a package by its ``__init__``)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imports(path: Path, modules: set[str]) -> set[str]:
    """The ``modules`` the source at ``path`` imports (``from pkg import mod`` names the module when it is one)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in modules}
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.level == 0
            and node.module.split(".")[0] in {m.split(".")[0] for m in modules}
        ):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in modules else node.module)
    return found


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Each module of the package at ``root`` and the modules of that package it imports."""
    modules = module_names(root)
    return {name: imports(path, set(modules)) - {name} for name, path in modules.items()}


def test_the_graph_is_read_from_the_source():
    graph = import_graph()
    assert "analysis.data.case_file" in graph["analysis.data.load"]
    assert "analysis.extras.extension" in graph["analysis.extras.coverage"]


def test_no_module_of_the_house_imports_itself_through_others():
    try:
        graphlib.TopologicalSorter(import_graph()).prepare()
    except graphlib.CycleError as err:
        pytest.fail("import circle: " + " -> ".join(err.args[1]))


def test_a_circle_through_a_late_or_type_checking_import_is_found(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg.sub import b\n")
    (pkg / "sub" / "b.py").write_text("def f():\n    import pkg.c\n")
    (pkg / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import x\n")
    graph = import_graph(pkg)
    assert graph["pkg.a"] == {"pkg.sub.b"} and graph["pkg.sub.b"] == {"pkg.c"} and graph["pkg.c"] == {"pkg.a"}
    with pytest.raises(graphlib.CycleError):
        graphlib.TopologicalSorter(graph).prepare()
