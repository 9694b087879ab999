"""The raw data package: valid Frictionless descriptor, files valid against it, checksums current."""

from __future__ import annotations

import json

import pytest
from frictionless import Package, system

from analysis.data.package import load_descriptor, sha256, stale_hashes, update_hashes
from analysis.data.paths import DATAPACKAGE, RAW_DIR


@pytest.fixture(scope="module")
def report():
    # trusted: the descriptor is ours, and paths are relative to data/raw
    with system.use_context(trusted=True):
        package = Package(str(DATAPACKAGE))
        return package.validate()


def test_frictionless_validates_every_raw_file(report):
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert len(report.tasks) == len(load_descriptor()["resources"])


def test_every_csv_in_raw_is_described():
    described = {r["path"] for r in load_descriptor()["resources"]}
    on_disk = {p.name for p in RAW_DIR.glob("*.csv")} | {p.name for p in RAW_DIR.glob("*.json")} - {"datapackage.json"}
    assert described == on_disk


def test_descriptor_has_provenance():
    dp = load_descriptor()
    assert dp["licenses"][0]["name"] == "OGL-UK-3.0"
    assert dp["sources"][0]["path"].startswith("https://")
    for res in dp["resources"]:
        assert res.get("description"), res["name"]
        assert res.get("x_section"), res["name"]
        assert res["sources"], res["name"]
        if res["path"].endswith(".json"):
            continue  # audit.json: a document, checked by its own reader
        # figures.csv has no key: one figure may be printed twice (as a count and as a percentage)
        assert res["schema"].get("primaryKey") or res["name"] == "figures", res["name"]
        for field in res["schema"]["fields"]:
            assert field.get("description"), (res["name"], field["name"])


def test_hashes_are_current():
    assert stale_hashes() == [], "run `python -m analysis hashes --update` after a reviewed change to data/raw"


def test_stale_hash_detected_and_updated(raw_copy):
    path = raw_copy / "source.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Gwent Police,HM", "Gwent Police ,HM"), encoding="utf-8")
    assert stale_hashes(raw_copy) == ["source"]
    assert update_hashes(raw_copy) == ["source"]
    assert stale_hashes(raw_copy) == []
    recorded = {r["name"]: r["hash"] for r in json.loads((raw_copy / "datapackage.json").read_text())["resources"]}
    assert recorded["source"] == sha256(path)


def test_frictionless_catches_a_bad_file(raw_copy):
    path = raw_copy / "figures.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("force_selected,force,", "force_chosen,force,", 1), encoding="utf-8")
    update_hashes(raw_copy)
    with system.use_context(trusted=True):
        report = Package(str(raw_copy / "datapackage.json")).validate()
    assert not report.valid
    assert "constraint-error" in {row[0] for row in report.flatten(["type"])}
