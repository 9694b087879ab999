"""Bounded work for any package: every costly step counts its cost before it starts, falls back or leaves its table out with the reason, and a hard wall stops the rest."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import messages
from scipy.optimize import linprog

from analysis import pipeline
from analysis.cli import main
from analysis.data.load import load_audit
from analysis.data.package import update_hashes
from analysis.data.publish import Stage, format_float
from analysis.narrative import self_assessment as sa_text
from analysis.sections import self_assessment
from analysis.stats import pair_bounds as pb
from analysis.stats import sign_test_fragility as stf
from analysis.stats.agreement import cohen_kappa
from analysis.stats.budget import OverBudget
from analysis.stats.contingency import enumerate_tables
from analysis.stats.identification import IDENTIFIED_QUANTITIES, agreement_interval

GRADES = ["g1", "g2", "g3", "g4", "g5", "g6", "g7"]


def write_package(path: Path, force, inspectors, *, percent: bool = False, spread: int = 0) -> Path:
    """A made-up audit package (test fixture): one force-selected pair, as counts, as whole percentages of the cases, or
    (``spread``) as "between x - spread and x + spread" for every grade but the last, which is the remainder."""
    path.mkdir(parents=True, exist_ok=True)
    k, n = len(force), int(sum(force))
    audit = {
        "id": "fixture-bounded-work",
        "force": "Made-up Constabulary (test fixture)",
        "title": "MADE-UP FIGURES for tests",
        "published": "2015-01",
        "grades": GRADES[:k],
        "sources": [{"title": "None: made up for the tests", "url": "https://example.org/made-up"}],
        "licence": "CC0-1.0",
    }
    (path / "audit.json").write_text(json.dumps(audit, indent=2), encoding="utf-8")
    rows = ["sample,rater,area,grades,count,percent,at_least,at_most,of,wording,source"]
    for rater, counts in (("force", force), ("inspectorate", inspectors)):
        for grade, x in zip(GRADES[:k], counts, strict=True):
            if spread and grade == GRADES[k - 1]:
                continue
            figure = f",{round(100 * x / n)},," if percent else (f",,{max(x - spread, 0)},{x + spread}" if spread else f"{x},,,")
            rows.append(f"force_selected,{rater},,{grade},{figure},{n},,made up")
    (path / "figures.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    update_hashes(path)
    return path


def built(path: Path) -> tuple[dict[str, pd.DataFrame], dict[str, tuple[str, str]]]:
    return pipeline.build_all(load_audit(path), (pipeline.stage("self_assessment"),))


# --- percent agreement: closed form over every pair of totals, against brute force ------------------------


@pytest.mark.parametrize(
    ("force", "inspectors", "spread"),
    [
        ([5, 3, 2], [2, 4, 4], 0),
        ([6, 3, 2], [2, 5, 4], 1),  # each count but the last known to one case either way: several totals each side
        ([3, 2, 1, 1], [1, 2, 2, 2], 1),
        ([7, 5], [3, 9], 2),
        ([1, 1, 8], [8, 1, 1], 1),
    ],
)
def test_percent_agreement_equals_enumeration_over_every_pair_of_totals_and_every_table(tmp_path, force, inspectors, spread):
    data = load_audit(write_package(tmp_path / "p", force, inspectors, spread=spread))
    f, g = self_assessment.margin_sets(data)
    assert not spread or len(f) * len(g) > 4
    same = [int(np.trace(t)) for r in f for c in g for t in enumerate_tables(r, c)]
    n = int(sum(force))
    tables, _ = pipeline.build_all(data, (pipeline.stage("self_assessment"),))
    row = tables["identified.csv"].set_index("quantity")
    assert (row.loc["n_same", "low"], row.loc["n_same", "high"]) == (min(same), max(same))
    assert (row.loc["percent_agreement", "low"], row.loc["percent_agreement", "high"]) == (min(same) / n, max(same) / n)
    assert (row.loc["percent_agreement", "ci_low"], row.loc["percent_agreement", "ci_high"]) == agreement_interval(min(same), max(same), n)


def test_percent_agreement_under_an_assumption_equals_enumeration():
    i, j = np.indices((3, 3))
    mask = i <= j
    for rows, cols in (([6, 3, 1], [2, 4, 4]), ([3, 3, 4], [1, 2, 7])):
        same = [int(np.trace(t)) for t in pb.enumerate_tables(rows, cols, mask)]
        for listing in (None, False):
            got = pb.pair_bounds(rows, cols, allowed=mask, listing=listing).set_index("quantity")
            assert (got.loc["n_same", "low"], got.loc["n_same", "high"]) == (min(same), max(same))


# --- large exact pairs: identified.csv from closed forms, checked against the linear programme and its dual ---


def _lp(rows, cols, weights, maximise: bool) -> float:
    """The smallest (largest) ``sum(weights * T)`` over the tables with these margins by HiGHS, certified by the dual (strong duality)."""
    k = len(rows)
    a = np.zeros((2 * k, k * k))
    for i in range(k):
        a[i, i * k : (i + 1) * k] = 1
        a[k + i, i::k] = 1
    b = np.concatenate([rows, cols]).astype(float)
    cost = np.asarray(weights, float).ravel() * (-1.0 if maximise else 1.0)
    res = linprog(cost, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
    assert res.status == 0
    assert res.eqlin.marginals @ b == pytest.approx(res.fun, rel=1e-9, abs=1e-6)  # the dual certifies the optimum
    return -res.fun if maximise else res.fun


def _lp_same(rows, cols, maximise: bool) -> float:
    """The fewest (most) cases on the diagonal."""
    return _lp(rows, cols, np.eye(len(rows)), maximise)


@pytest.mark.parametrize(
    ("rows", "cols"),
    [
        ([250, 250, 250, 250], [400, 100, 300, 200]),
        ([60, 60, 60, 60, 60], [50, 70, 60, 65, 55]),
        ([12, 12, 12, 11, 11, 11, 11], [10, 14, 12, 12, 10, 11, 11]),
        ([20_000, 20_000, 10_000, 10_000, 10_000, 10_000, 20_000], [10_000, 20_000, 20_000, 10_000, 10_000, 10_000, 20_000]),
    ],
)
def test_large_exact_pairs_agree_with_the_linear_programme_and_its_dual(rows, cols):
    got = pb.pair_bounds(rows, cols).set_index("quantity")
    n = sum(rows)
    fewest, most = _lp_same(rows, cols, False), _lp_same(rows, cols, True)
    assert (got.loc["n_same", "low"], got.loc["n_same", "high"]) == (round(fewest), round(most))
    expected = float(n * n - np.dot(rows, cols))  # Cohen's kappa from the cases on the diagonal and the margins
    for end, same in (("low", fewest), ("high", most)):
        assert got.loc["cohen_kappa", end] == pytest.approx(1 - n * (n - same) / expected, abs=1e-12), end
    i, j = np.indices((len(rows), len(rows)))
    for name, d in (("weighted_kappa_linear", np.abs(i - j)), ("weighted_kappa_quadratic", (i - j) ** 2)):
        chance = float(np.asarray(rows) @ d @ np.asarray(cols))  # expected disagreement times n
        for end, maximise in (("low", True), ("high", False)):  # most disagreement: lowest kappa
            disagreement = _lp(rows, cols, d, maximise)
            assert got.loc[name, end] == pytest.approx(1 - n * disagreement / chance, abs=1e-9), (name, end)


def test_process_on_a_four_grade_thousand_case_pair_publishes_the_kappa_range_of_the_linear_programme(tmp_path):
    force, inspectors = [250, 250, 250, 250], [400, 100, 300, 200]
    raw = write_package(tmp_path / "raw", force, inspectors)
    out = tmp_path / "out"
    assert main(["process", "--raw", str(raw), "--out", str(out)]) == 0
    identified = pd.read_csv(out / "identified.csv").set_index("quantity")
    assert list(identified.index[: len(IDENTIFIED_QUANTITIES)]) == list(IDENTIFIED_QUANTITIES)
    n = 1000
    for end, maximise in (("low", False), ("high", True)):
        # an attaining table from the linear programme itself: the kappa of the table HiGHS returns
        k = 4
        a = np.zeros((2 * k, k * k))
        for i in range(k):
            a[i, i * k : (i + 1) * k] = 1
            a[k + i, i::k] = 1
        res = linprog(np.eye(k).ravel() * (-1.0 if maximise else 1.0), A_eq=a, b_eq=np.array(force + inspectors, float), method="highs-ds")
        table = np.rint(res.x).reshape(k, k)
        assert np.allclose(res.x.reshape(k, k), table)
        assert identified.loc["cohen_kappa", end] == float(format_float(cohen_kappa(table)))
        assert identified.loc["n_same", end] == np.trace(table)
        assert identified.loc["percent_agreement", end] == float(format_float(np.trace(table) / n))
    contents = pd.read_csv(out / "contents.csv").set_index("table")
    assert contents.loc["consistent_tables.csv", "published"] == "no"
    assert "past the budget" in contents.loc["consistent_tables.csv", "reason"]


# --- refusals and fallbacks on small budgets --------------------------------------------------------------


def test_a_count_past_its_budget_is_refused_before_the_work():
    with pytest.raises(pb.CountTooLarge) as err:
        pb.count_tables([5, 5, 5], [5, 5, 5], max_cells=10)
    assert isinstance(err.value, OverBudget) and err.value.needed == 216 and err.value.budget == 10
    assert "216" in str(err.value) and "10" in str(err.value)


def test_a_count_past_its_budget_falls_back_to_the_closed_forms_and_says_so(tmp_path, monkeypatch):
    raw = write_package(tmp_path / "raw", [5, 3, 2], [2, 4, 4])
    exact, _ = built(raw)
    monkeypatch.setattr(pb, "MAX_COUNT_CELLS", 10)
    tables, absent = built(raw)
    for name in ("agreement_bounds.csv", "consistent_tables.csv"):
        assert "past the budget of 10" in absent[name][1]
    got = tables["identified.csv"].set_index("quantity")
    want = exact["identified.csv"].set_index("quantity")
    for q in ("n_force_better", "n_same", "percent_agreement", "cohen_kappa", "weighted_kappa_quadratic"):
        assert (got.loc[q, "low"], got.loc[q, "high"]) == pytest.approx((want.loc[q, "low"], want.loc[q, "high"]), abs=1e-12)
    assumptions = tables["assumptions.csv"]
    assert assumptions["n_tables"].isna().all()
    assert assumptions["method"].str.contains("tables not counted").all()
    assert sa_text.assumption_sentences(assumptions, 10)  # the sentences still read without a count


def test_the_sign_test_past_its_budget_is_left_out_with_the_reason(tmp_path, monkeypatch):
    with pytest.raises(OverBudget):
        stf.sign_test_max_p([5, 3, 2], [2, 4, 4], max_work=100)
    monkeypatch.setattr(stf, "MAX_WORK", 100)
    tables, absent = built(write_package(tmp_path / "raw", [5, 3, 2], [2, 4, 4]))
    assert "sensitivity.csv" not in tables
    assert "the sign test's table of p-values for 10 cases would need 121 entries, past the budget of 100" in absent["sensitivity.csv"][1]
    assert "identified.csv" in tables


def test_a_stage_past_a_budget_it_does_not_handle_is_left_out_with_the_reason(tmp_path, monkeypatch):
    def costly(data):
        raise OverBudget("a made-up step", 5_000, 10)

    slow = Stage(name="self_assessment", build=costly, specs=self_assessment.STAGE.specs)
    raw = write_package(tmp_path / "raw", [5, 3, 2], [2, 4, 4])
    tables, absent = pipeline.build_all(load_audit(raw), (slow,))
    assert tables == {}
    assert {reason for _, reason in absent.values()} == {
        "Left out because a made-up step would need 5,000 work units, past the budget of 10: the work is counted before it starts, "
        "and this would take too long."
    }


def test_a_million_cases_in_rounded_percentages_are_bounded_at_once(tmp_path):
    force = [200_000, 200_000, 100_000, 100_000, 100_000, 100_000, 200_000]
    raw = write_package(tmp_path / "raw", force, force[::-1], percent=True)
    start = time.perf_counter()
    tables, absent = built(raw)
    assert time.perf_counter() - start < 60  # it used to run for more than five minutes; the benchmark times it
    assert "or more different totals" in absent["consistent_tables.csv"][1]
    got = tables["identified.csv"].set_index("quantity")
    n = sum(force)
    assert got.loc["n_same", "high"] > got.loc["n_same", "low"] >= 0
    assert got.loc["percent_agreement", "high"] == got.loc["n_same", "high"] / n
    assert "integer programming" in got.loc["n_same", "method"]


# --- the hard wall --------------------------------------------------------------------------------------------


def test_the_wall_stops_a_stage_that_runs_too_long_naming_it_and_publishing_nothing(tmp_path, monkeypatch, capsys):
    def sleepy(data):
        time.sleep(30)
        return {}

    monkeypatch.setattr(pipeline.build_all, "__defaults__", ((Stage(name="slow_stage", build=sleepy, specs=lambda data: ()),),))
    raw = write_package(tmp_path / "raw", [5, 3, 2], [2, 4, 4])
    out = tmp_path / "out"
    start = time.perf_counter()
    assert main(["process", "--raw", str(raw), "--out", str(out), "--max-seconds", "0.5"]) == 1
    assert time.perf_counter() - start < 20
    err = messages(capsys.readouterr().err.strip())
    assert len(err) == 1 and err[0].startswith("error: stage 'slow_stage' was still running after 0.5 seconds")
    assert "--max-seconds" in err[0] and "nothing was published" in err[0]
    assert not out.exists()


@pytest.mark.parametrize("value", ["0", "-3", "soon", "inf"])
def test_max_seconds_must_be_a_positive_number(tmp_path, value, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["process", "--out", str(tmp_path / "out"), "--max-seconds", value])
    assert exit_.value.code == 2
    assert "positive number of seconds" in capsys.readouterr().err


# --- totals too many to list: the linear quantities by integer programming over the whole consistent set ---------


@pytest.mark.parametrize(
    ("force", "inspectors", "spread"), [([6, 3, 2], [2, 5, 4], 1), ([4, 3, 2, 2], [1, 3, 3, 4], 1), ([1, 1, 8], [8, 1, 1], 2)]
)
def test_the_integer_programme_over_the_figures_gives_the_ranges_of_every_pair_of_totals(tmp_path, force, inspectors, spread):
    data = load_audit(write_package(tmp_path / "p", force, inspectors, spread=spread))
    f, g = self_assessment.margin_sets(data)
    listed = pb.pair_bounds(f, g).set_index("quantity")
    got = pb.system_bounds(data.figures.system, why="test").set_index("quantity")
    assert list(got.index) == list(IDENTIFIED_QUANTITIES)
    for q in pb.LINEAR_QUANTITIES:
        assert (got.loc[q, "low"], got.loc[q, "high"]) == pytest.approx((listed.loc[q, "low"], listed.loc[q, "high"]), abs=1e-12), q
    for q in ("share_force_better", "percent_agreement"):
        assert got.loc[q, ["ci_low", "ci_high"]].tolist() == pytest.approx(listed.loc[q, ["ci_low", "ci_high"]].tolist(), nan_ok=True)
    others = [q for q in IDENTIFIED_QUANTITIES if q not in pb.LINEAR_QUANTITIES]
    assert got.loc[others, "low"].isna().all() and got.loc[others, "method"].str.startswith("not computed: test").all()


def test_totals_too_many_to_list_still_publish_the_linear_quantities(tmp_path, monkeypatch):
    from analysis.stats.consistent_set import TooManyVectors

    raw = write_package(tmp_path / "raw", [6, 3, 2], [2, 5, 4], spread=1)
    exact, _ = built(raw)

    def too_many(data):
        raise TooManyVectors(("force_selected", "force"), 3_000_000, 2_000_000)

    monkeypatch.setattr(self_assessment, "margin_sets", too_many)
    tables, absent = built(raw)
    assert set(tables) == {"identified.csv"}
    assert "3,000,000 or more different totals" in absent["assumptions.csv"][1]
    got, want = tables["identified.csv"].set_index("quantity"), exact["identified.csv"].set_index("quantity")
    for q in ("n_same", "percent_agreement", "n_force_better"):
        assert (got.loc[q, "low"], got.loc[q, "high"]) == (want.loc[q, "low"], want.loc[q, "high"])


# --- case-level files: large ones read column by column, with the same checks and the same messages -----------

CASE_GRADES = ["good", "requires improvement", "inadequate"]


def write_case_package(path: Path, n: int, *, edit=None) -> Path:
    """A made-up package (test fixture) with a case-level file of ``n`` cases; ``edit(lines)`` may break the file's lines."""
    rng = np.random.default_rng(7)
    force = rng.integers(0, 3, n)
    inspectors = np.clip(force + rng.integers(-1, 2, n), 0, 2)
    path.mkdir(parents=True, exist_ok=True)
    audit = {
        "id": "fixture-many-cases",
        "force": "Made-up Constabulary (test fixture)",
        "title": "MADE-UP FIGURES for tests: many case-level grades",
        "published": "2021-03",
        "grades": CASE_GRADES,
        "sources": [{"title": "None: made up for the tests", "url": "https://example.org/made-up"}],
        "licence": "CC0-1.0",
    }
    (path / "audit.json").write_text(json.dumps(audit), encoding="utf-8")
    rows = ["sample,rater,area,grades,count,percent,at_least,at_most,of,wording,source"]
    for rater, grades in (("force", force), ("inspectorate", inspectors)):
        rows += [f"force_selected,{rater},,{g},{int((grades == i).sum())},,,,{n},,made up" for i, g in enumerate(CASE_GRADES)]
    (path / "figures.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    lines = ["case_id,practice_area,force_grade,hmicfrs_grade"] + [
        f"CASE-{i:07d},area {['one', 'two', 'three'][i % 3]},{CASE_GRADES[a]},{CASE_GRADES[b]}"
        for i, (a, b) in enumerate(zip(force, inspectors, strict=True))
    ]
    if edit is not None:
        edit(lines)
    (path / "cases.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    update_hashes(path)
    return path


def test_a_large_case_file_reads_the_same_by_both_roads(tmp_path, monkeypatch):
    from analysis.data import package

    raw = write_case_package(tmp_path / "raw", 3_000)
    monkeypatch.setattr(package, "_PLAIN_FROM_BYTES", 2**10)  # the same road as a file of a megabyte or more, on a small file
    fast = load_audit(raw)
    monkeypatch.setattr(package, "_PLAIN_FROM_BYTES", 10**12)
    slow = load_audit(raw)
    pd.testing.assert_frame_equal(fast.cases, slow.cases)
    assert np.array_equal(fast.known_table, slow.known_table) and fast.known_table.sum() == 3_000


@pytest.mark.parametrize(
    ("where", "line", "message"),
    [
        (2_000, "CASE-0000007,area two,good,good", "duplicate key"),
        (2_500, "CASE-0002500 ,area two,good,good", "white space"),
        (1_234, "CASE-0001234,area two,,good", "missing value"),
        (2_999, 'CASE-0002999,"area two",good,good', ""),
        (2_998, "CASE-0002997,area two,excellent,good", "excellent"),
        (5, "CASE-0000005,area two,good,good,extra", "wrong number of values"),
        (17, "CASE-0000017,area two,good\tgood,good", "control character"),
    ],
)
def test_a_large_case_file_with_a_fault_gets_the_message_of_the_row_by_row_reader(tmp_path, monkeypatch, where, line, message):
    from analysis.data import package
    from analysis.data.errors import AuditDataError

    def edit(lines):
        lines[where] = line

    raw = write_case_package(tmp_path / "raw", 3_000, edit=edit)
    outcomes = []
    for limit in (2**10, 10**12):
        monkeypatch.setattr(package, "_PLAIN_FROM_BYTES", limit)
        try:
            outcomes.append(("read", load_audit(raw).known_table.sum()))
        except AuditDataError as err:
            outcomes.append(("refused", str(err)))
    assert outcomes[0] == outcomes[1]
    if message:
        assert outcomes[0][0] == "refused" and message in outcomes[0][1]


@pytest.mark.parametrize("road", [10**12, 2**10])  # the row-by-row road and the column-by-column one
def test_a_case_file_past_the_row_limit_is_refused_naming_the_limit(tmp_path, monkeypatch, road, capsys):
    from analysis.data import package, schemas

    n = 300
    monkeypatch.setattr(package, "_PLAIN_FROM_BYTES", road)
    monkeypatch.setitem(schemas.MAX_ROWS, "cases", n - 50)
    raw = write_case_package(tmp_path / "raw", n)
    assert main(["process", "--raw", str(raw), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "cases.csv" in err and f"at most {n - 50:,} data rows" in err and f"row {n - 49}" in err
    assert not (tmp_path / "out").exists()


def test_the_case_file_limit_is_a_million_rows_and_the_readme_says_so():
    from analysis.data.paths import PROJ_ROOT
    from analysis.data.schemas import MAX_CASE_ROWS, max_bytes, max_rows

    assert MAX_CASE_ROWS == max_rows("cases") == 1_000_000
    assert max_bytes("cases") >= MAX_CASE_ROWS * len("CASE-0000000,area one,requires improvement,requires improvement\n")
    readme = (PROJ_ROOT / "README.md").read_text(encoding="utf-8")
    assert f"{MAX_CASE_ROWS:,} cases" in readme and f"{max_bytes('cases') // 2**20} MiB" in readme
