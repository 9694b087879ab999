"""Tests for analysis.data.cases on a SYNTHETIC fixture (invented pairing that only matches the published totals).

The fixture tests/fixtures/synthetic_paired_cases.csv is made up: its case ids say SYNTHETIC, its pairing of
grades is one arbitrary table among those consistent with the report's totals, and its practice areas are
assigned round-robin. It must never be shown on the site or used in a notebook.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.data.cases import ALL_CASES, PAIRED_COLUMNS, check_margins, load_paired_cases, paired_measures, paired_table
from analysis.data.errors import AuditDataError
from analysis.data.load import load_audit
from analysis.grades import GRADES
from analysis.sections import self_assessment as sa
from analysis.stats import agreement as ag

FIXTURE = Path(__file__).parents[2] / "fixtures" / "synthetic_paired_cases.csv"


@pytest.fixture(scope="module")
def data():
    return load_audit()


@pytest.fixture(scope="module")
def areas(data):
    return list(data.practice_areas["practice_area"])


@pytest.fixture(scope="module")
def cases(areas):
    return load_paired_cases(FIXTURE, areas)


def test_fixture_is_marked_synthetic(cases):
    assert "synthetic" in FIXTURE.name
    assert cases["case_id"].str.fullmatch(r"SYNTHETIC-\d{3}").all()


def test_fixture_matches_the_published_totals(cases, data):
    rows, cols = sa.published_margins(data)
    check_margins(cases, rows, cols, FIXTURE)
    assert list(cases.columns) == list(PAIRED_COLUMNS)
    assert len(cases) == data.total("cases_force_selected")


@pytest.mark.slow
def test_paired_table_counts_cases():
    cases = pd.DataFrame(
        {
            "case_id": ["a", "b", "c"],
            "practice_area": ["x", "x", "y"],
            "force_grade": ["good", "good", "inadequate"],
            "hmicfrs_grade": ["requires improvement", "good", "inadequate"],
        }
    )
    assert paired_table(cases).tolist() == [[1, 1, 0], [0, 0, 0], [0, 0, 1]]


@pytest.mark.slow
def test_exact_measures_use_the_same_functions(cases, areas):
    result = paired_measures(cases, areas)
    assert result["practice_area"].tolist() == [ALL_CASES, *areas]
    overall = result.iloc[[0]].reset_index(drop=True)
    expected = ag.table_measures(paired_table(cases))
    pd.testing.assert_frame_equal(overall[expected.columns], expected)
    for area in areas:
        row = result[result["practice_area"] == area].reset_index(drop=True)
        part = cases[cases["practice_area"] == area]
        assert row.loc[0, "n"] == len(part)
        pd.testing.assert_frame_equal(row[expected.columns], ag.table_measures(paired_table(part)))
    assert result["n"].iloc[1:].sum() == result["n"].iloc[0]


@pytest.mark.slow
def test_exact_values_lie_within_the_published_ranges(cases, data):
    # Any pairing that matches the totals is one of the consistent tables, so its measures lie in the bounds.
    rows, cols = sa.published_margins(data)
    bounds, tables = ag.agreement_bounds(rows, cols)
    exact = paired_measures(cases).iloc[0]
    table = paired_table(cases)
    match = (ag.tables_of(tables) == table).all(axis=(1, 2))
    assert match.sum() == 1
    row = tables[match].iloc[0]
    for measure in ag.MEASURES:
        assert exact[measure] == pytest.approx(row[measure])
        b = bounds.set_index("measure").loc[measure]
        assert b["min"] - 1e-12 <= exact[measure] <= b["max"] + 1e-12


def test_an_area_with_one_grade_only_gets_nan_kappa():
    cases = pd.DataFrame(
        {
            "case_id": ["1", "2", "3"],
            "practice_area": ["x", "x", "y"],
            "force_grade": ["good", "good", "good"],
            "hmicfrs_grade": ["good", "good", "inadequate"],
        }
    )
    result = paired_measures(cases).set_index("practice_area")
    assert np.isnan(result.loc["x", "cohen_kappa"])
    assert result.loc["x", "gwet_ac1"] == 1.0
    assert result.loc["y", "n_force_better"] == 1


# --- validation errors name file, row and column ------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "paired.csv"
    path.write_bytes(text.encode("utf-8"))
    return path


HEADER = "case_id,practice_area,force_grade,hmicfrs_grade\n"


@pytest.mark.parametrize(
    ("body", "row", "column", "found"),
    [
        ("A1,s47_enquiries,good,good\nA2,s47_enquiries,Good,good\n", 2, "force_grade", "'Good'"),
        ("A1,s47_enquiries,good,good\nA2,s47_enquiries,good,\n", 2, "hmicfrs_grade", "an empty cell"),
        ("A1,s47_enquiries,good,good\nA2,nowhere,good,good\n", 2, "practice_area", "'nowhere'"),
        ("A1,s47_enquiries,good,good\nA2,s47_enquiries,good,requires improvement,extra\n", 2, None, "5"),
    ],
)
@pytest.mark.slow
def test_bad_values_raise_audit_data_error(tmp_path, areas, body, row, column, found):
    path = write(tmp_path, HEADER + body)
    with pytest.raises(AuditDataError) as err:
        load_paired_cases(path, areas)
    assert err.value.row == row
    assert err.value.column == column
    assert err.value.found == found
    assert "paired.csv" in err.value.file


def test_duplicate_case_ids_raise(tmp_path, areas):
    path = write(tmp_path, HEADER + "A1,s47_enquiries,good,good\nA1,domestic_abuse,good,inadequate\n")
    with pytest.raises(AuditDataError, match="duplicate key") as err:
        load_paired_cases(path, areas)
    assert err.value.row == [1, 2]
    assert err.value.column == "case_id"


@pytest.mark.slow
def test_wrong_header_raises(tmp_path):
    path = write(tmp_path, "case_id,area,force_grade,hmicfrs_grade\nA1,x,good,good\n")
    with pytest.raises(AuditDataError, match="missing column 'practice_area'"):
        load_paired_cases(path)


@pytest.mark.slow
def test_missing_file_raises(tmp_path):
    with pytest.raises(AuditDataError, match="file not found"):
        load_paired_cases(tmp_path / "absent.csv")


@pytest.mark.slow
def test_unknown_areas_are_refused_by_default_and_all_listed(tmp_path):
    path = write(tmp_path, HEADER + "A1,anything,good,inadequate\nA2,s47_enquiries,good,good\nA3,elsewhere,good,good\n")
    with pytest.raises(AuditDataError, match="unknown practice areas 'anything', 'elsewhere'") as err:
        load_paired_cases(path)
    assert err.value.row == [1, 3] and err.value.column == "practice_area"
    frame = load_paired_cases(path, allow_unknown_areas=True)
    assert frame["force_grade"].tolist() == [GRADES[0]] * 3


@pytest.mark.parametrize("kind", ["directory", "missing", "unreadable"])
@pytest.mark.slow
def test_paths_that_are_not_readable_files_raise_the_projects_error(tmp_path, kind):
    path = tmp_path / "paired.csv"
    if kind == "directory":
        path.mkdir()
    elif kind == "unreadable":
        path.write_text(HEADER, encoding="utf-8")
        path.chmod(0)
        if os.access(path, os.R_OK):  # root reads anything: make it a FIFO-free special case instead
            path.unlink()
            os.mkfifo(path)
    with pytest.raises(AuditDataError, match="paired.csv") as err:
        load_paired_cases(path)
    assert err.value.file.endswith("paired.csv")


def test_an_area_with_no_cases_is_nan_with_a_reason(cases):
    out = paired_measures(cases, [*dict.fromkeys(cases["practice_area"]), "children_in_custody_extra"]).set_index("practice_area")
    empty = out.loc["children_in_custody_extra"]
    assert empty["n"] == 0 and "no cases" in empty["note"]
    for measure in ag.MEASURES:
        if measure not in ag.COUNTS:
            assert pd.isna(empty[measure]), measure
    assert out.loc[ALL_CASES, "note"] == ""


def test_every_measure_and_test_on_an_empty_table_is_nan():
    row = ag.table_measures(np.zeros((3, 3), dtype=np.int64)).iloc[0]
    for measure in (*ag.KAPPA_TYPE, "observed_agreement", *ag.P_VALUES, "stuart_maxwell_statistic", "bowker_statistic"):
        assert pd.isna(row[measure]), measure
    assert pd.isna(row["bowker_df"]) and pd.isna(row["stuart_maxwell_df"])


def test_margins_that_differ_from_the_published_totals_raise(cases, data):
    rows, cols = sa.published_margins(data)
    changed = cases.copy()
    changed.loc[0, "hmicfrs_grade"] = "inadequate" if changed.loc[0, "hmicfrs_grade"] != "inadequate" else "good"
    with pytest.raises(AuditDataError, match="differs from the published total") as err:
        check_margins(changed, rows, cols, FIXTURE)
    assert err.value.column == "hmicfrs_grade"
