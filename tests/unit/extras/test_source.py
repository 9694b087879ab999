"""analysis.extras.source: the source record as a Frictionless source (title, path, x_<field>) and back, each field checked."""

from __future__ import annotations

import datetime as dt

import pytest

from analysis.data.errors import AuditDataError
from analysis.data.load import load_audit
from analysis.extras import source


@pytest.fixture(scope="module")
def record():
    return load_audit().extra("source")


def test_the_record_goes_out_and_comes_back_the_same(record):
    entry = source.as_source(record)
    assert list(entry) == ["title", "path", *(f"x_{n}" for n in source.FIELDS if n not in ("title", "url"))]
    assert all(isinstance(v, str) for v in entry.values())
    back = source.from_source(entry, "datapackage.json, source 1")
    assert back == dict(record) and isinstance(back["inspection_start"], dt.date)
    assert source.key("url") == "path" and source.key("isbn") == "x_isbn"


def test_only_a_source_with_the_records_fields_is_a_record(record):
    assert source.is_record(source.as_source(record))
    assert not source.is_record({"title": "A report", "path": "https://example.org"})
    assert not source.is_record("a string") and source.is_record({"title": "t", "x_isbn": "1"})


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("x_inspection_start", "2019-2-4", "not a date in YYYY-MM-DD form"),
        ("x_publication_month", "2019-00", "not a month in YYYY-MM form"),
        ("x_source_id", "", "missing value"),
        ("x_isbn", " 978-1-78655-832-9", "value starts or ends with white space"),
        ("path", ["https://example.org"], "not text"),
        ("x_inspection_end", "2019-02-03", "inspection ends before it starts"),
    ],
)
def test_a_broken_field_is_one_line_naming_where_it_is(record, key, value, problem):
    entry = {**source.as_source(record), key: value}
    with pytest.raises(AuditDataError) as err:
        source.from_source(entry, "data/processed/datapackage.json, source 1")
    assert str(err.value).startswith(f"data/processed/datapackage.json, source 1, column '{key}': {problem}"), str(err.value)
