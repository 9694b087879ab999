"""national_audits.csv is retired (issue 25): no module, notebook or page reads it, and neither package nor processed set holds it.

The national comparison is built from the national panel (one audit package per document under
data/raw/national/). A module "reads" the old table when its code names it: a string holding
``national_audits`` (outside docstrings) or an attribute ``.national_audits``; a notebook when a code
cell names it; a Quarto page when it names it anywhere.
"""

from __future__ import annotations

import ast
import json

from analysis.data.paths import PROCESSED_DIR, PROJ_ROOT, RAW_DIR

NAME = "national_audits"
SKIP = {".venv", ".build", "_site", ".git", ".quarto", "node_modules"}


def _files(pattern: str):
    for path in sorted(PROJ_ROOT.rglob(pattern)):
        if not SKIP & set(path.relative_to(PROJ_ROOT).parts) and "tests" not in path.relative_to(PROJ_ROOT).parts[:1]:
            yield path


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                ids.add(id(first.value))
    return ids


def python_reads(source: str) -> list[int]:
    """Lines of ``source`` whose code names the old table (docstrings and comments aside)."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    lines = []
    for node in ast.walk(tree):
        names_it = isinstance(node, ast.Constant) and isinstance(node.value, str) and NAME in node.value and id(node) not in docs
        if names_it or (isinstance(node, ast.Attribute) and node.attr == NAME):
            lines.append(node.lineno)
    return sorted(lines)


def test_the_check_finds_a_read_in_code_and_ignores_a_docstring():
    assert python_reads('"""Once read national_audits.csv."""\nx = 1\n') == []
    assert python_reads('import pandas as pd\nframe = pd.read_csv("data/processed/national_audits.csv")\n') == [2]
    assert python_reads("def f(data):\n    return data.national_audits\n") == [2]


def test_no_module_reads_national_audits():
    found = {str(p.relative_to(PROJ_ROOT)): lines for p in _files("*.py") if (lines := python_reads(p.read_text(encoding="utf-8")))}
    assert found == {}


def test_no_notebook_or_page_reads_national_audits():
    found = []
    for path in _files("*.ipynb"):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        found += [
            f"{path.relative_to(PROJ_ROOT)} cell {i}"
            for i, c in enumerate(cells)
            if c["cell_type"] == "code" and NAME in "".join(c["source"])
        ]
    found += [str(p.relative_to(PROJ_ROOT)) for p in _files("*.qmd") if NAME in p.read_text(encoding="utf-8")]
    assert found == []


def test_neither_the_raw_package_nor_the_processed_set_holds_it():
    assert not (RAW_DIR / f"{NAME}.csv").exists() and not (PROCESSED_DIR / f"{NAME}.csv").exists()
    for folder in (RAW_DIR, PROCESSED_DIR):
        names = {r["name"] for r in json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["resources"]}
        assert NAME not in names, folder
