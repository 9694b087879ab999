"""The agreement statistics work on any scale of 2 to 7 grades, name no grade of their own, and import no module in a circle."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from analysis.data.paths import PROJ_ROOT
from analysis.stats import agreement as ag
from analysis.stats import identification as ident
from analysis.stats.paired_intervals import mean_score_gap

STATS = PROJ_ROOT / "analysis" / "stats"


def _imports(path: Path) -> set[str]:
    """Every ``analysis.*`` module a file imports, at module level or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analysis"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("analysis"))
    return found


@pytest.mark.slow
def test_no_statistics_module_imports_the_grade_names():
    offenders = [p.name for p in sorted(STATS.glob("*.py")) if "analysis.grades" in _imports(p)]
    assert offenders == []


@pytest.mark.slow
def test_the_statistics_modules_import_each_other_without_a_circle():
    graph = {f"analysis.stats.{p.stem}": {m for m in _imports(p) if m.startswith("analysis.stats.")} for p in STATS.glob("*.py")}
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            assert state.get(nxt) != 1, "import circle: " + " -> ".join([*path, node, nxt])
            if nxt not in state:
                visit(nxt, [*path, node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert "analysis.stats.agreement" not in graph["analysis.stats.pairing_extremes"]


@pytest.mark.parametrize("k", range(2, 8))
@pytest.mark.slow
def test_consistent_tables_and_the_summary_for_k_grades(k):
    rng = np.random.default_rng(100 + k)
    n = 5 if k >= 6 else 7
    rows = rng.multinomial(n, np.ones(k) / k)
    cols = rng.multinomial(n, np.ones(k) / k)
    bounds, frame = ag.agreement_bounds(rows, cols)
    assert ag.cell_columns(ag.grade_labels(k))[0] == "force_grade_1__hmicfrs_grade_1"
    tables = ag.tables_of(frame)
    assert tables.shape[1:] == (k, k)
    np.testing.assert_array_equal(tables.sum(axis=2), np.broadcast_to(rows, (len(tables), k)))
    np.testing.assert_array_equal(tables.sum(axis=1), np.broadcast_to(cols, (len(tables), k)))
    refs = ag.reference_tables(bounds, frame)  # a table that is more than one reference point appears once, its names joined
    b = bounds.set_index("measure")
    ids = {
        int(b["independence_table_id"].iloc[0]),
        int(b["max_agreement_table_id"].iloc[0]),
        int(b.loc["observed_agreement", "min_table_id"]),
    }
    assert len(refs) == len(ids) and sum(name.count(";") + 1 for name in refs) == 3
    summary = ident.identified_summary(tables).set_index("quantity")
    assert tuple(summary.index) == ident.IDENTIFIED_QUANTITIES
    better = np.triu(np.ones((k, k)), 1)
    assert summary.loc["n_force_better", "low"] == (tables * better).sum(axis=(1, 2)).min()
    gap = mean_score_gap(tables[0]).estimate
    assert summary.loc["mean_score_gap", "low"] == pytest.approx(gap)
    assert f"best grade {k} down to worst grade 1" in summary.loc["mean_score_gap", "method"]
    assert "share in the best grade minus" in summary.loc["good_gap", "method"]


@pytest.mark.slow
def test_labels_name_the_grades_in_the_columns_and_the_method_texts():
    labels = ("outstanding", "good", "requires improvement", "inadequate")
    rows, cols = [3, 2, 1, 0], [1, 2, 2, 1]
    _, frame = ag.agreement_bounds(rows, cols, labels)
    assert "force_requires_improvement__hmicfrs_outstanding" in frame.columns
    np.testing.assert_array_equal(ag.tables_of(frame, labels), ag.tables_of(frame))
    summary = ident.identified_summary(ag.tables_of(frame), labels=labels).set_index("quantity")
    assert summary.loc["good_gap", "method"].startswith("force share outstanding minus inspectors' share outstanding, same cases")
    assert "(outstanding 4, good 3, RI 2, inadequate 1)" in summary.loc["mean_score_gap", "method"]
    custom = ident.identified_summary(ag.tables_of(frame), labels=labels, scores="O 4, G 3, RI 2, I 1").set_index("quantity")
    assert "(O 4, G 3, RI 2, I 1)" in custom.loc["mean_score_gap", "method"]
    with pytest.raises(ValueError, match="3 grade labels given for margins of 4 grades"):
        ag.agreement_bounds(rows, cols, labels[:3])


def test_a_quantity_undefined_on_every_table_says_so():
    # every case graded the same by both: kappa, tau-b, rho and gamma are undefined on the only table
    summary = ident.identified_summary(np.diag([4, 0, 0])[None]).set_index("quantity")
    for q in ("goodman_kruskal_gamma", "kendall_tau_b", "spearman_rho", "cohen_kappa", "weighted_kappa_quadratic"):
        assert np.isnan(summary.loc[q, "low"]) and np.isnan(summary.loc[q, "high"])
        assert summary.loc[q, "method"].startswith("undefined on every consistent table (")
    assert summary.loc["n_force_better", "low"] == 0
