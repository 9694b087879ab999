"""``python -m analysis report``: any audit package gets its processed set, notebook copies that run without errors, and (with Quarto) a site.

The packages are the made-up fixtures of tests/fixtures/packages/. Quarto is replaced by a stub that
checks the project it is given, as the Makefile's render step is tested.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from analysis.cli import main
from analysis.data.paths import NOTEBOOKS_DIR, PROJ_ROOT
from analysis.report import MARKER, prune

PACKAGES = Path(__file__).parents[1] / "fixtures" / "packages"


def _outputs(nb) -> list[dict]:
    return [o for c in nb.cells for o in c.get("outputs", [])]


@pytest.fixture(scope="module")
def overall_report(package_report) -> Path:
    """The report for the overall-split-only fixture, with a stub Quarto that checks and keeps the project it was asked to render (``package_report``, conftest)."""
    return package_report("overall_only")


def test_the_report_holds_the_processed_set_the_notebooks_and_the_site(overall_report):
    assert (overall_report / MARKER).is_file()
    assert (overall_report / "processed" / "contents.csv").is_file() and (overall_report / "processed" / "grade_counts.csv").is_file()
    assert sorted(p.name for p in (overall_report / "notebooks").glob("*.ipynb")) == sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb"))
    assert (overall_report / "_site" / "index.html").is_file()
    index = (overall_report / "_site" / "index.qmd").read_text(encoding="utf-8")
    assert "MADE-UP FIGURES for tests: an overall split only" in index and "The figures give no self-assessment" in index


def test_every_notebook_copy_ran_without_an_error_and_says_what_is_left_out(overall_report):
    for path in (overall_report / "notebooks").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        assert not [o for o in _outputs(nb) if o.get("output_type") == "error"], path.name
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.get("execution_count") for c in code), f"{path.name}: a cell was not executed"
    sa = nbformat.read(overall_report / "notebooks" / "02_self_assessment_vs_inspection.ipynb", as_version=4)
    assert any("Not available for this audit" in c.source and "no self-assessment" in c.source for c in sa.cells)
    data = nbformat.read(overall_report / "notebooks" / "01_data.ipynb", as_version=4)
    assert "Made-up Constabulary" in json.dumps(_outputs(data))


def test_a_second_report_may_replace_the_first_but_not_a_users_folder(overall_report, tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    assert main(["report", "--raw", str(PACKAGES / "overall_only"), "--out", str(mine)]) == 1
    assert "did not write" in capsys.readouterr().err and (mine / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert main(["report", "--raw", str(PACKAGES / "overall_only"), "--out", str(PROJ_ROOT / "data")]) == 1
    assert main(["report", "--raw", str(PACKAGES / "sums_do_not_close"), "--out", str(tmp_path / "new")]) == 1
    assert "the counts add up to 34 but of = 33" in capsys.readouterr().err


def test_prune_drops_cells_whose_tables_are_absent_and_says_why_once():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_code_cell("a", metadata={"analysis": {"needs": ["x.csv"]}}),
        nbformat.v4.new_code_cell("b", metadata={"analysis": {"needs": ["x.csv", "y.csv"]}}),
        nbformat.v4.new_code_cell("c"),
        nbformat.v4.new_code_cell("d", metadata={"analysis": {"needs": ["y.csv"]}}),
    ]
    out = prune(nb, {"y.csv"}, {"x.csv": "No x here."})
    assert [c.source for c in out.cells] == ["# Title", "*Not available for this audit:* No x here.", "c", "d"]
    whole = nbformat.v4.new_notebook(metadata={"analysis": {"needs": ["z.csv"]}})
    whole.cells = [nbformat.v4.new_markdown_cell("# T"), nbformat.v4.new_code_cell("e")]
    assert [c.source for c in prune(whole, set(), {"z.csv": "No z."}).cells] == ["# T", "*Not available for this audit:* No z."]
