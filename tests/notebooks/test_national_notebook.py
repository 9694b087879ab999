"""Notebook 05 is a thin narrative on the national panel's published tables: the chart of every document first, then the
documents, the pairs, the re-inspections and the funnels; every sentence with a number comes from analysis.narrative.national."""

from __future__ import annotations

import re

import nbformat

from analysis.data.paths import PROJ_ROOT
from analysis.sections import national, panel

NOTEBOOK = PROJ_ROOT / "notebooks" / "05_national_context.ipynb"
#: The tables the notebook may read: the panel's and the funnels built from it.
PANEL_TABLES = {spec.path for spec in (*panel.SPECS, *national.funnel_specs())}


def _nb():
    return nbformat.read(NOTEBOOK, as_version=4)


def test_the_notebook_needs_only_the_panels_tables():
    needs = set(_nb().metadata["analysis"]["needs"])
    assert needs and needs <= PANEL_TABLES, needs - PANEL_TABLES


def test_the_chart_of_every_document_comes_first_then_documents_pairs_changes_and_funnels():
    code = [c.source for c in _nb().cells if c.cell_type == "code"]
    order = ["charts.panel_chart(", "words.documents_table(", "words.pairs_text(", "words.changes_text(", "charts.funnel_plot("]
    first = [next(i for i, src in enumerate(code) if call in src) for call in order]
    assert first == sorted(first), dict(zip(order, first, strict=True))
    labels = [m.group(1) for src in code for m in re.finditer(r"#\| label: (\S+)", src)]
    assert labels[0] == "fig-panel"


def test_its_cells_are_thin_and_its_prose_types_no_figure():
    nb = _nb()
    for cell in nb.cells:
        if cell.cell_type == "code":
            body = [line for line in cell.source.splitlines() if line.strip() and not line.lstrip().startswith("#")]
            assert len(body) <= 30, cell.source[:80]
            assert "sections.national" not in cell.source  # the notebook says nothing the narrative module does not
        else:  # digits in prose only in citations' years: every figure on the page is computed
            text = re.sub(r"\((?:[A-Z][a-z]+ )?(?:19|20)\d\d\)|Spiegelhalter \(2005\)", "", cell.source)
            text = re.sub(r"\([^)]*\.(?:md|csv)\)|`[^`]*`", "", text)
            assert not re.search(r"\d", text), cell.source[:120]
