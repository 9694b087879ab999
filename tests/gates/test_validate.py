"""The report's identities: each broken identity raises an AuditDataError that says what and where."""

from __future__ import annotations

import pytest
from conftest import drop_figures, edit_figure, load_edited, replace_line

from analysis.data.errors import AuditDataError
from analysis.data.load import load_audit


def _error(raw, match: str) -> str:
    with pytest.raises(AuditDataError, match=match) as info:
        load_edited(raw)
    return str(info.value)


def test_real_data_passes_and_reproduces_the_report():
    data = load_audit()
    cs = data.case_samples.astype({"grade": str, "sample": str, "assessor": str})
    got = {
        (s, a): cs[(cs["sample"] == s) & (cs["assessor"] == a)].set_index("grade")["n"].to_dict()
        for s, a in {(r.sample, r.assessor) for r in cs.itertuples()}
    }
    # backtest: the raw files reproduce every total the report prints
    assert got[("force_selected", "force")] == {"good": 27, "requires improvement": 6, "inadequate": 0}
    assert got[("force_selected", "hmicfrs")] == {"good": 10, "requires improvement": 17, "inadequate": 6}
    assert got[("inspectorate_selected", "hmicfrs")] == {"good": 10, "requires improvement": 20, "inadequate": 17}
    by_grade = data.area_grades.astype({"grade": str}).groupby("grade")["n"].sum().to_dict()
    assert by_grade == {"good": 20, "requires improvement": 37, "inadequate": 23}
    assert data.area_grades["n"].sum() == 80 == data.total("cases_all")


def test_force_sample_does_not_add_up(raw_copy):
    edit_figure(raw_copy, 1, count="28")
    msg = _error(raw_copy, "the counts add up to 34 but of = 33")
    assert "figures.csv: rows 1–3 (lines 2–4) (force_selected, force): the counts add up to 34 but of = 33" in msg


def test_inspectorate_sample_does_not_add_up(raw_copy):
    edit_figure(raw_copy, 9, count="16")
    msg = _error(raw_copy, "rows 7–9")
    assert "(inspectorate_selected, inspectorate): the counts add up to 46 but of = 47" in msg


def test_a_grade_left_out_is_the_remainder(raw_copy):
    drop_figures(raw_copy, 3)
    data = load_edited(raw_copy)
    assert data.counts("force_selected", "force").tolist() == [27, 6, 0]


def test_blank_line(raw_copy):
    path = raw_copy / "figures.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[3] = ""
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(AuditDataError, match=r"row 3 \(line 4\): blank line"):
        load_edited(raw_copy)


def test_the_force_graded_only_its_own_sample(raw_copy):
    edit_figure(raw_copy, 7, rater="force")
    msg = _error(raw_copy, "the force graded only the cases it selected")
    assert "row 7 (line 8)" in msg


def test_samples_do_not_add_up_to_all_cases(raw_copy):
    for row in (10, 11, 12):
        edit_figure(raw_copy, row, of="81")
    msg = _error(raw_copy, "do not add up to")
    assert "figures.csv" in msg and "81" in msg and "80" in msg


def test_area_total_off(raw_copy):
    edit_figure(raw_copy, 36, count="3")
    msg = _error(raw_copy, "rows 34–36")
    assert "area 'children_in_custody'): the counts add up to 9 but of = 8" in msg


def test_areas_do_not_add_up_to_all_cases(raw_copy):
    for row in (34, 35, 36):
        edit_figure(raw_copy, row, of="9")
    edit_figure(raw_copy, 36, count="3")
    msg = _error(raw_copy, "the areas of all, inspectorate do not add up to its cases")
    assert "expected the areas' of adding up to 80" in msg and "= 81" in msg


def test_area_grade_totals_off_but_overall_right(raw_copy):
    # move one case from good to inadequate in one area: every area still adds up, but the grade totals break
    edit_figure(raw_copy, 16, count="4")
    edit_figure(raw_copy, 18, count="4")
    msg = _error(raw_copy, "'good' adds up to 19 over the areas but all has 20")
    assert "rows 10, 13, 16, 19, 22, 25, 28, 31, 34 (lines 11, 14, 17, 20, 23, 26, 29, 32, 35) (all, inspectorate; its areas)" in msg


def test_samples_disagree_with_report_grade_total(raw_copy):
    edit_figure(raw_copy, 4, count="11")
    edit_figure(raw_copy, 5, count="16")
    msg = _error(raw_copy, "'good' adds up to 21 over force_selected \\+ inspectorate_selected but all has 20")
    assert "rows 4, 7, 10" in msg


def test_missing_area(raw_copy):
    drop_figures(raw_copy, 34, 35, 36)
    _error(raw_copy, "the areas of all, inspectorate do not add up to its cases")


def test_recommendation_without_area(raw_copy):
    path = raw_copy / "recommendation_areas.csv"
    kept = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("R7,")]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    msg = _error(raw_copy, "recommendation 'R7' concerns no practice area")
    assert "recommendations.csv, row 7 (line 8)" in msg


def test_two_source_rows(raw_copy):
    path = raw_copy / "source.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    _error(raw_copy, "wrong number of source documents|duplicate key")


def test_inspection_ends_before_it_starts(raw_copy):
    path = raw_copy / "source.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("2019-02-15", "2019-01-15"), encoding="utf-8")
    _error(raw_copy, "inspection ends before it starts")


def test_random_sample_cannot_exceed_the_force_selected_cases(raw_copy):
    replace_line(
        raw_copy / "published_totals.csv",
        "cases_force_selected_random,33,4. Case file analysis",
        "cases_force_selected_random,34,4. Case file analysis",
    )
    text = _error(raw_copy, "more force-selected cases drawn at random")
    assert "published_totals.csv" in text and "at most 33" in text
