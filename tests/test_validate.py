"""The report's identities: each broken identity raises an AuditDataError that says what and where."""

from __future__ import annotations

import pytest
from conftest import load_edited, replace_line

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
    replace_line(raw_copy / "case_samples.csv", "force_selected,force,good,27", "force_selected,force,good,28")
    msg = _error(raw_copy, "do not add up to the published sample size")
    assert "rows 1, 2, 3 (lines 2, 3, 4), column 'n'" in msg
    assert "expected a total of 33 (cases_force_selected in published_totals.csv); found 34" in msg


def test_inspectorate_sample_does_not_add_up(raw_copy):
    replace_line(
        raw_copy / "case_samples.csv", "inspectorate_selected,hmicfrs,inadequate,17", "inspectorate_selected,hmicfrs,inadequate,16"
    )
    msg = _error(raw_copy, "sample 'inspectorate_selected' by assessor 'hmicfrs'")
    assert "expected a total of 47" in msg and "found 46" in msg


def test_missing_grade_row(raw_copy):
    path = raw_copy / "case_samples.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("force_selected,force,inadequate,0\n", ""), encoding="utf-8")
    msg = _error(raw_copy, "has no row for grade 'inadequate'")
    assert "use n = 0 for none" in msg


def test_blank_line(raw_copy):
    replace_line(raw_copy / "case_samples.csv", "force_selected,force,inadequate,0", "")
    with pytest.raises(AuditDataError, match=r"row 3 \(line 4\): blank line"):
        load_edited(raw_copy)


def test_unpublished_sample_assessor_pair(raw_copy):
    path = raw_copy / "case_samples.csv"
    path.write_text(path.read_text(encoding="utf-8") + "inspectorate_selected,force,good,0\n", encoding="utf-8")
    msg = _error(raw_copy, "is not one the report publishes")
    assert "row 10 (line 11)" in msg


def test_samples_do_not_add_up_to_all_cases(raw_copy):
    replace_line(raw_copy / "published_totals.csv", "cases_all,80,Summary", "cases_all,81,Summary")
    msg = _error(raw_copy, "the two samples do not add up to all cases")
    assert "published_totals.csv" in msg and "found 80" in msg


def test_area_total_off(raw_copy):
    replace_line(raw_copy / "area_grades.csv", "children_in_custody,inadequate,2", "children_in_custody,inadequate,3")
    msg = _error(raw_copy, "the practice areas do not add up to all cases")
    assert "area_grades.csv" in msg and "expected a total of 80" in msg and "found 81" in msg


def test_area_grade_totals_off_but_overall_right(raw_copy):
    # move one case from good to inadequate in one area: the total stays 80 but grade totals break
    replace_line(raw_copy / "area_grades.csv", "domestic_abuse,good,5", "domestic_abuse,good,4")
    replace_line(raw_copy / "area_grades.csv", "domestic_abuse,inadequate,3", "domestic_abuse,inadequate,4")
    msg = _error(raw_copy, "grade 'good' does not add up over the practice areas")
    assert "expected 20" in msg and "found 19" in msg and "column 'n'" in msg


def test_samples_disagree_with_report_grade_total(raw_copy):
    replace_line(raw_copy / "case_samples.csv", "force_selected,hmicfrs,good,10", "force_selected,hmicfrs,good,11")
    replace_line(
        raw_copy / "case_samples.csv", "force_selected,hmicfrs,requires improvement,17", "force_selected,hmicfrs,requires improvement,16"
    )
    msg = _error(raw_copy, "HMICFRS grades 'good' of the two samples do not add up")
    assert "expected 20 (cases_all_good in published_totals.csv); found 21" in msg


def test_missing_area(raw_copy):
    path = raw_copy / "area_grades.csv"
    kept = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("children_in_custody")]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    _error(raw_copy, "no rows for practice_area='children_in_custody'")


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
