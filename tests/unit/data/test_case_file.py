"""A case-level file's one schema and one reader (analysis/data/case_file.py)."""

from __future__ import annotations

import pytest

from analysis.data.case_file import CASES_SCHEMA, GRADE_COLUMNS, cases_schema, read_cases
from analysis.data.errors import AuditDataError
from analysis.data.schemas import SCHEMAS

SCALE = ("good", "requires improvement", "inadequate")
FILE = b"case_id,practice_area,force_grade,hmicfrs_grade\nA1,x,good,inadequate\nA2,y,requires improvement,good\n"


def test_the_one_schema_is_the_cases_resources_and_the_scale_only_narrows_the_grades():
    assert SCHEMAS["cases"] == CASES_SCHEMA
    narrowed = cases_schema(SCALE)
    for plain, field in zip(CASES_SCHEMA["fields"], narrowed["fields"], strict=True):
        extra = {k: v for k, v in field["constraints"].items() if k not in plain["constraints"]}
        assert extra == ({"enum": list(SCALE)} if field["name"] in GRADE_COLUMNS else {})
    assert "enum" not in str(CASES_SCHEMA) and cases_schema() == CASES_SCHEMA  # the shared schema is never changed


def test_the_reader_takes_any_grade_without_a_scale_and_refuses_one_off_it():
    frame = read_cases(FILE, "cases.csv")
    assert frame["hmicfrs_grade"].tolist() == ["inadequate", "good"]
    assert read_cases(FILE, "cases.csv", SCALE)["case_id"].tolist() == ["A1", "A2"]
    with pytest.raises(AuditDataError, match=r"cases\.csv, row 1 \(line 2\), column 'force_grade': value not allowed"):
        read_cases(FILE.replace(b"A1,x,good", b"A1,x,Good"), "cases.csv", SCALE)


def test_a_repeated_case_is_refused():
    with pytest.raises(AuditDataError, match="duplicate key"):
        read_cases(FILE.replace(b"A2,", b"A1,"), "cases.csv")
