"""Loaders: typed output on the real data, and a clear AuditDataError for each kind of malformed input."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import AREA_CODES, edit_figure, load_edited, replace_line

from analysis.data.errors import AuditDataError
from analysis.data.load import RESOURCES, load_audit
from analysis.grades import GRADE_DTYPE, GRADES


@pytest.fixture(scope="module")
def data():
    return load_audit()


def test_case_samples_typed(data):
    cs = data.case_samples
    assert list(cs.columns) == ["sample", "assessor", "grade", "n"]
    assert cs["grade"].dtype == GRADE_DTYPE
    assert cs["grade"].cat.ordered
    assert cs["n"].dtype == "int64"
    assert set(cs["sample"]) == {"force_selected", "inspectorate_selected"}
    # the ordered categorical runs worst -> best, so ">" means "better"
    better = pd.Series(["good", "requires improvement"], dtype=GRADE_DTYPE)
    worse = pd.Series(["requires improvement", "inadequate"], dtype=GRADE_DTYPE)
    assert (better > worse).all()


def test_the_audit_header_and_scale(data):
    assert data.meta.id == "gwent-2019" and data.meta.force == "Gwent Police" and data.meta.published == "2019-06"
    assert data.grades == GRADES and data.grade_dtype == GRADE_DTYPE
    assert data.meta.areas_partition and data.meta.licence == "OGL-UK-3.0"


def test_the_figures_pin_every_count_of_gwent(data):
    assert data.counts("force_selected", "force").tolist() == [27, 6, 0]
    assert data.counts("force_selected", "inspectorate").tolist() == [10, 17, 6]
    assert data.counts("inspectorate_selected", "inspectorate").tolist() == [10, 20, 17]
    assert data.counts("all", "inspectorate").tolist() == [20, 37, 23]
    assert data.size("all") == 80 and data.total("cases_force_selected") == 33
    assert data.figure_set.pair == (("force_selected", "force", ""), ("force_selected", "inspectorate", ""))
    for area in data.areas():
        ranges = data.count_ranges("all", "inspectorate", area)
        assert (ranges[:, 0] == ranges[:, 1]).all()


def test_area_tables_typed(data):
    areas = data.practice_areas
    assert list(areas["practice_area"]) == AREA_CODES
    assert areas["report_order"].tolist() == list(range(1, 9))
    ag = data.area_grades
    assert ag["grade"].dtype == GRADE_DTYPE
    assert len(ag) == len(areas) * len(GRADES)


def test_other_tables(data):
    assert set(data.published_totals["quantity"]) >= {"cases_force_selected_random", "next_steps_revisit_months"}
    recs = data.recommendations
    assert set(recs["deadline"].astype(str)) == {"immediately", "within three months"}
    assert recs["recommendation_id"].is_unique
    assert set(data.recommendation_areas["recommendation_id"]) == set(recs["recommendation_id"])
    src = data.source
    assert str(src["inspection_start"]) == "2019-02-04" and str(src["inspection_end"]) == "2019-02-15"
    assert src["publication_month"] == "2019-06"
    assert src["licence"] == "OGL-UK-3.0"


def test_every_resource_is_loaded_once(data):
    assert set(data.files) == set(RESOURCES)
    for name in RESOURCES:
        if name == "audit":
            continue
        assert len(getattr(data, name)) > 0 if name != "source" else data.source is not None
    assert list(data.area_themes["practice_area"].drop_duplicates()) == [
        a for a in AREA_CODES if a in set(data.area_themes["practice_area"])
    ]


def _error(raw, match: str, **expected_attrs) -> AuditDataError:
    with pytest.raises(AuditDataError, match=match) as info:
        load_edited(raw)
    for key, value in expected_attrs.items():
        assert getattr(info.value, key) == value, (key, getattr(info.value, key))
    return info.value


def test_negative_count(raw_copy):
    edit_figure(raw_copy, 2, count="-6")
    err = _error(raw_copy, "value below the minimum", row=2, column="count")
    assert "figures.csv, row 2 (line 3), column 'count'" in str(err)
    assert "found '-6'" in str(err)


@pytest.mark.parametrize("bad", ["6.0", "six", "6 ", "1e1"])
def test_non_integer_count(raw_copy, bad):
    edit_figure(raw_copy, 2, count=bad)
    err = _error(raw_copy, "not an integer", row=2, column="count")
    assert repr(bad) in str(err)


@pytest.mark.parametrize("label", ["Good", "requires_improvement", "outstanding"])
def test_unknown_grade_label(raw_copy, label):
    edit_figure(raw_copy, 25, grades=label)
    err = _error(raw_copy, "grade not on the scale", row=25, column="grades")
    assert "figures.csv" in str(err) and label.strip() in str(err)
    assert "requires improvement" in str(err)


def test_a_grade_label_with_spaces_around_it(raw_copy):
    """The strict reader's one rule for white space (refused, never stripped) comes before the scale."""
    edit_figure(raw_copy, 25, grades=" good")
    err = _error(raw_copy, "starts or ends with white space", row=25, column="grades")
    assert "figures.csv" in str(err) and "' good'" in str(err)


def test_unknown_area(raw_copy):
    for row in (25, 26, 27):
        edit_figure(raw_copy, row, area="missing")
    _error(raw_copy, "practice area not in practice_areas.csv", row=[25, 26, 27], column="area")


def test_missing_column(raw_copy):
    path = raw_copy / "figures.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(",".join(line.split(",")[:10]) for line in lines) + "\n", encoding="utf-8")
    err = _error(raw_copy, "missing column 'source'")
    assert "figures.csv" in str(err) and "found columns sample, rater, area" in str(err)


def test_unexpected_column(raw_copy):
    path = raw_copy / "published_totals.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line + ",x" for line in lines) + "\n", encoding="utf-8")
    _error(raw_copy, "unexpected column 'x'")


def test_wrong_number_of_values(raw_copy):
    path = raw_copy / "figures.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[3] = lines[3].rsplit(",", 1)[0]
    path.write_text("\n".join(lines), encoding="utf-8")
    _error(raw_copy, "wrong number of values", row=3)


def test_missing_value(raw_copy):
    edit_figure(raw_copy, 3, of="")
    _error(raw_copy, "missing value", row=3, column="of")


def test_duplicate_key(raw_copy):
    path = raw_copy / "practice_areas.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    err = _error(raw_copy, "duplicate key", row=[1, 9])
    assert "rows 1, 9 (lines 2, 10)" in str(err)


def test_duplicate_area_label(raw_copy):
    replace_line(
        raw_copy / "practice_areas.csv",
        "missing_children,5,Missing children,Children reported missing from home or absent.",
        "missing_children,5,Domestic abuse,Children reported missing from home or absent.",
    )
    _error(raw_copy, "duplicate key", column="label")


def test_empty_file(raw_copy):
    (raw_copy / "figures.csv").write_bytes(b"")
    err = _error(raw_copy, "file is empty")
    assert "figures.csv" in str(err)


def test_header_only(raw_copy):
    (raw_copy / "recommendation_areas.csv").write_text("recommendation_id,practice_area\n", encoding="utf-8")
    _error(raw_copy, "no data rows")


def test_bom(raw_copy):
    path = raw_copy / "figures.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    _error(raw_copy, "byte-order mark")


def test_wrong_encoding(raw_copy):
    path = raw_copy / "practice_areas.csv"
    text = path.read_text(encoding="utf-8").replace("Children in custody", "Children in cust\u00f3dy")
    path.write_bytes(text.encode("latin-1"))
    err = _error(raw_copy, "not valid UTF-8")
    assert "byte 0xf3" in str(err) and "line 9" in str(err)


def test_missing_file(raw_copy):
    (raw_copy / "source.csv").unlink()
    _error(raw_copy, "file not found")


def test_bad_date(raw_copy):
    path = raw_copy / "source.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("2019-02-15", "15/02/2019"), encoding="utf-8")
    _error(raw_copy, "not a date", row=1, column="inspection_end")


def test_unknown_foreign_key(raw_copy):
    path = raw_copy / "recommendation_areas.csv"
    path.write_text(path.read_text(encoding="utf-8") + "R9,missing_children\n", encoding="utf-8")
    _error(raw_copy, "no match in the referenced table", row=14, column="recommendation_id")
