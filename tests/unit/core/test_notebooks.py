"""Notebook freshness by what the notebook shows: the fingerprint follows the modules a notebook imports (their code, not their docstrings) and the data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from analysis.data.paths import PROJ_ROOT
from analysis.notebooks import code_digest, code_files, inputs_digest, notebook_code, notebook_paths

STATS_MODULE = Path("analysis/stats/proportions.py")


def notebook(path: Path, *cells: str) -> Path:
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}
    nb = {"cells": [{**cell, "source": c} for c in cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


@pytest.fixture
def code_copy(tmp_path) -> Path:
    """A copy of analysis/ that a test may edit (the tree is never touched)."""
    root = tmp_path / "root"
    shutil.copytree(PROJ_ROOT / "analysis", root / "analysis", ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc"))
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_docstring_or_comment_change_in_stats_leaves_every_notebook_current(code_copy, tmp_path):
    """Issue 29's check: a docstring-only change in analysis/stats/ needs no re-execution and no notebook commit."""
    data = [tmp_path / "no-data"]
    before = {nb.name: inputs_digest(nb, code_root=code_copy, data=data) for nb in notebook_paths()}
    module = code_copy / STATS_MODULE
    tree = module.read_text(encoding="utf-8")
    edit(module, '"""', '"""Edited for the test. ')  # the module's docstring
    edit(module, "def wilson_interval(", "# a comment added for the test\ndef wilson_interval(")
    assert module.read_text(encoding="utf-8") != tree
    assert {nb.name: inputs_digest(nb, code_root=code_copy, data=data) for nb in notebook_paths()} == before


def test_a_code_change_in_an_imported_module_makes_the_notebooks_that_import_it_stale(code_copy, tmp_path):
    data = [tmp_path / "no-data"]
    nb = notebook(tmp_path / "uses.ipynb", "from analysis.stats.proportions import wilson_interval\n")
    other = notebook(tmp_path / "other.ipynb", "import analysis.grades\n")
    before, other_before = inputs_digest(nb, code_root=code_copy, data=data), inputs_digest(other, code_root=code_copy, data=data)
    edit(code_copy / STATS_MODULE, "def wilson_interval(", "UNUSED = 1\n\n\ndef wilson_interval(")
    assert inputs_digest(nb, code_root=code_copy, data=data) != before
    if code_copy / STATS_MODULE not in code_files(notebook_code(other), code_copy):
        assert inputs_digest(other, code_root=code_copy, data=data) == other_before, "a module the notebook does not import"


def test_a_change_deep_in_the_imports_reaches_the_notebook(code_copy, tmp_path):
    """The pipeline imports the sections, which import the statistics: the closure follows every hop, also imports inside functions."""
    nb = notebook(tmp_path / "deep.ipynb", "from analysis.pipeline import build_stage\n")
    files = {p.relative_to(code_copy).as_posix() for p in code_files(notebook_code(nb), code_copy)}
    assert {"analysis/__init__.py", "analysis/pipeline.py", "analysis/sections/__init__.py", "analysis/data/load.py"} <= files
    assert any(f.startswith("analysis/stats/") for f in files)
    lazy = notebook(tmp_path / "lazy.ipynb", "def f():\n    from analysis.stats import proportions\n")
    assert "analysis/stats/proportions.py" in {p.relative_to(code_copy).as_posix() for p in code_files(notebook_code(lazy), code_copy)}


def test_data_changes_make_every_notebook_stale(tmp_path):
    nb = notebook(tmp_path / "n.ipynb", "x = 1\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "t.csv").write_text("a\n1\n")
    first = inputs_digest(nb, data=[tmp_path / "data"])
    (tmp_path / "data" / "t.csv").write_text("a\n2\n")
    assert inputs_digest(nb, data=[tmp_path / "data"]) != first


def test_code_digest_ignores_docstrings_comments_and_layout_but_not_code(tmp_path):
    a, b, c, d = (tmp_path / f"{x}.py" for x in "abcd")
    a.write_text('"""Module."""\n\n\ndef f(x):\n    """Doc."""\n    return x + 1  # one\n')
    b.write_text('"""Other words."""\ndef f(x):\n    # a comment\n    return (x +\n            1)\n')
    c.write_text('def f(x):\n    """Doc."""\n    return x + 2\n')
    d.write_text('def f(x):\n    """Only a docstring."""\n')
    assert code_digest(a) == code_digest(b)
    assert code_digest(a) != code_digest(c)
    assert code_digest(d) != code_digest(a)


def test_magics_and_shell_lines_are_not_python(tmp_path):
    nb = notebook(tmp_path / "m.ipynb", "%matplotlib inline\nimport analysis.grades\n", "!ls\n")
    assert notebook_code(nb).strip() == "import analysis.grades"
