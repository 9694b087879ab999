"""A malformed source stops the run, or the page, with one line naming the file and the row (or, in the processed set, the source).

In: ``source.csv`` of the raw package, through ``python -m analysis process`` (nothing published).
Out and back: the source record as the processed set carries it (``datapackage.json``'s ``sources``
and ``x_audit``, :mod:`analysis.data.provenance`), read by every page function that needs it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import messages

from analysis import data_page, site
from analysis.cli import main
from analysis.data.errors import AuditDataError
from analysis.data.package import update_hashes
from analysis.data.paths import PROCESSED_DIR, RAW_DIR

#: Every page function that reads where the figures come from.
READERS = {
    "inspection_summary": site.inspection_summary,
    "front_page": site.front_page,
    "random_force_selected": site.random_force_selected,
    "licence_statement": data_page.licence_statement,
    "source_line": lambda folder: site.provenance(folder).source_line,
}


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("2019-02-15", "15/02/2019", "source.csv, row 1 (line 2), column 'inspection_end': not a date"),
        ("2019-06,", "June 2019,", "source.csv, row 1 (line 2), column 'publication_month': not a month"),
        ("2019-02-15", "2019-01-15", "source.csv, row 1 (line 2), column 'inspection_end': inspection ends before it starts"),
    ],
)
def test_a_malformed_source_csv_stops_process_in_one_line_naming_the_file_and_row(tmp_path, capsys, old, new, where):
    raw, out = tmp_path / "raw", tmp_path / "processed"
    shutil.copytree(RAW_DIR, raw)
    path = raw / "source.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    update_hashes(raw)
    assert main(["process", "--raw", str(raw), "--out", str(out)]) == 1
    lines = messages(capsys.readouterr().err)
    assert len(lines) == 1 and lines[0].startswith("error: ") and where in lines[0], lines
    assert not out.exists()


def _set_with(tmp_path: Path, change) -> Path:
    folder = tmp_path / "processed"
    shutil.copytree(PROCESSED_DIR, folder)
    path = folder / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    change(descriptor)
    path.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return folder


def _refused(folder: Path, expected: str, readers=READERS) -> None:
    for name, read in readers.items():
        with pytest.raises(AuditDataError) as err:
            read(folder)
        text = str(err.value)
        assert "\n" not in text and expected in text, (name, text)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("x_inspection_start", "4 February 2019", "datapackage.json, source 1, column 'x_inspection_start': not a date in YYYY-MM-DD form"),
        ("x_publication_month", "2019-13", "datapackage.json, source 1, column 'x_publication_month': not a month in YYYY-MM form"),
        ("x_inspection_end", "2019-01-01", "datapackage.json, source 1, column 'x_inspection_end': inspection ends before it starts"),
        ("x_isbn", None, "datapackage.json, source 1, column 'x_isbn': missing field"),
        ("title", "Tab\there", "datapackage.json, source 1, column 'title': control character in a value"),
    ],
)
def test_a_processed_set_with_a_malformed_source_stops_every_page_reading_it_in_one_line(tmp_path, key, value, expected):
    def change(descriptor):
        entry = descriptor["sources"][0]
        if value is None:
            del entry[key]
        else:
            entry[key] = value

    _refused(_set_with(tmp_path, change), expected)


def test_a_processed_set_with_a_malformed_audit_stops_every_page_reading_it_in_one_line(tmp_path):
    def change(descriptor):
        descriptor["x_audit"]["samples"]["force_selected"]["selection"]["random"] = "yes"

    _refused(_set_with(tmp_path, change), "datapackage.json (x_audit), column 'samples': samples.force_selected.selection is not")


def test_a_processed_set_from_before_the_source_was_published_is_refused_with_the_way_to_rebuild_it(tmp_path):
    def change(descriptor):
        del descriptor["sources"], descriptor["x_audit"]

    folder = _set_with(tmp_path, change)
    _refused(folder, "datapackage.json: the set does not say what the audit is (no 'x_audit')")
    _refused(folder, "rebuild it with `python -m analysis process`")
