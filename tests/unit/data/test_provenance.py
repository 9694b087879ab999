"""analysis.data.provenance: the processed set's datapackage.json says where its figures come from (sources, x_audit), and reads back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.data.audit_package import audit_document, parse_audit_json
from analysis.data.errors import AuditDataError
from analysis.data.load import load_audit
from analysis.data.paths import PROCESSED_DIR, RAW_DIR, display_path
from analysis.data.provenance import AUDIT, header, provenance, read_provenance

FIXTURES = Path(__file__).parents[2] / "fixtures" / "packages"
AUDIT_FILES = sorted([*FIXTURES.glob("*/audit.json"), *(RAW_DIR / "national").glob("*/audit.json"), RAW_DIR / "audit.json"])


@pytest.fixture(scope="module")
def gwent():
    return load_audit()


def test_the_committed_set_says_what_the_raw_package_says(gwent):
    read = read_provenance(PROCESSED_DIR)
    assert read.meta == gwent.meta
    assert dict(read.record) == dict(gwent.extra("source"))
    assert read.source_line == gwent.source_line
    assert list(read.licenses) == gwent.descriptor["licenses"]
    descriptor = json.loads((PROCESSED_DIR / "datapackage.json").read_text(encoding="utf-8"))
    assert {k: descriptor[k] for k in ("sources", AUDIT)} == header(gwent)


def test_the_source_record_is_a_frictionless_source_with_title_and_path(gwent):
    (source,) = header(gwent)["sources"]
    record = gwent.extra("source")
    assert list(source)[:2] == ["title", "path"]
    assert source["title"] == record["title"] and source["path"] == record["url"]
    assert source["x_isbn"] == record["isbn"] and source["x_inspection_start"] == "2019-02-04"
    assert not [k for k in source if k not in ("title", "path") and not k.startswith("x_")]


@pytest.mark.parametrize("path", AUDIT_FILES, ids=lambda p: p.parent.name)
def test_audit_json_reads_back_as_the_same_meta(path):
    meta = parse_audit_json(path.read_text(encoding="utf-8"), path.name)
    assert parse_audit_json(json.dumps(audit_document(meta)), "x") == meta


def test_every_selection_and_unknown_size_survives_the_round_trip():
    metas = [parse_audit_json(p.read_text(encoding="utf-8"), p.name) for p in AUDIT_FILES]
    assert any(m.selection for m in metas) and any(m.n_unknown for m in metas) and any(m.areas_partition for m in metas)


def test_a_package_without_a_source_record_lists_its_audit_json_sources():
    data = load_audit(FIXTURES / "four_point")
    head = header(data)
    assert head["sources"] == [{"title": t, "path": u} for t, u in data.meta.sources]
    read = provenance({**head, "licenses": data.descriptor["licenses"]}, "datapackage.json")
    assert read.record is None and read.meta == data.meta and read.source_line == data.source_line


def _broken(**changes) -> dict:
    descriptor = json.loads((PROCESSED_DIR / "datapackage.json").read_text(encoding="utf-8"))
    descriptor.update(changes)
    return descriptor


def _message(descriptor) -> str:
    with pytest.raises(AuditDataError) as err:
        provenance(descriptor, "data/processed/datapackage.json")
    text = str(err.value)
    assert "\n" not in text and text.startswith("data/processed/datapackage.json")
    return text


def test_a_set_without_sources_or_audit_is_refused_naming_the_property():
    assert "column 'sources': no sources" in _message(_broken(sources=[]))
    assert "does not say what the audit is (no 'x_audit')" in _message({k: v for k, v in _broken().items() if k != AUDIT})
    assert "(x_audit): not a JSON object" in _message(_broken(x_audit=[]))
    assert "(x_audit), column 'id': id is not a lower-case slug" in _message(_broken(x_audit={**_broken()[AUDIT], "id": "Gwent 2019"}))
    assert "source 2: not a source" in _message(_broken(sources=[*_broken()["sources"], {"path": "https://example.org"}]))
    two = _broken()["sources"] * 2
    assert "more than one source record" in _message(_broken(sources=two))
    assert "column 'licenses': licences not usable" in _message(_broken(licenses=[{"title": "no name"}]))


def test_a_broken_source_record_names_the_file_the_source_and_the_field():
    (record,) = _broken()["sources"]
    cases = {
        "x_inspection_end": ("2019-02-31", "column 'x_inspection_end': not a date in YYYY-MM-DD form"),
        "x_publication_month": ("June 2019", "column 'x_publication_month': not a month in YYYY-MM form"),
        "x_isbn": ("", "column 'x_isbn': missing value"),
        "x_force": (None, "column 'x_force': missing field"),
        "x_inspectorate": (7, "column 'x_inspectorate': not text"),
        "title": (" padded", None),
    }
    for key, (value, expected) in cases.items():
        entry = {k: v for k, v in record.items() if k != key} if value is None else {**record, key: value}
        text = _message(_broken(sources=[entry]))
        assert text.startswith("data/processed/datapackage.json, source 1"), text
        if expected:
            assert expected in text, text
    text = _message(_broken(sources=[{**record, "x_inspection_end": "2019-01-15"}]))
    assert "source 1, column 'x_inspection_end': inspection ends before it starts" in text


def test_a_missing_descriptor_is_named(tmp_path):
    with pytest.raises(AuditDataError, match=display_path(tmp_path / "datapackage.json").replace(".", r"\.")):
        read_provenance(tmp_path)


def test_a_frictionless_reader_sees_the_sources_and_finds_the_descriptor_valid():
    from frictionless import Package

    descriptor = json.loads((PROCESSED_DIR / "datapackage.json").read_text(encoding="utf-8"))
    assert list(Package.metadata_validate(descriptor)) == []
    assert Package(descriptor).sources == descriptor["sources"]
