"""The project's schemas (analysis/data/schemas.py): the one definition the descriptor must match, and one the reader can apply."""

from __future__ import annotations

import re

import pytest

from analysis.data.cases import paired_schema
from analysis.data.errors import AuditDataError
from analysis.data.package import SUPPORTED_CONSTRAINTS, SUPPORTED_TYPES, check_schema, load_descriptor
from analysis.data.paths import RAW_DIR
from analysis.data.schemas import SCHEMAS, max_bytes


def test_the_committed_descriptor_gives_every_resource_the_projects_schema():
    descriptor = load_descriptor(RAW_DIR)
    tables = [r for r in descriptor["resources"] if "schema" in r]  # audit.json is a document, not a table
    for res in tables:
        check_schema(res, "datapackage.json")
    assert {r["name"] for r in tables} <= set(SCHEMAS) and "figures" in {r["name"] for r in tables}


@pytest.mark.parametrize("name, schema", [*SCHEMAS.items(), ("paired cases", paired_schema(["a", "b"]))])
def test_every_schema_is_one_the_strict_reader_can_apply(name, schema):
    """Types and constraints the reader knows, patterns that compile, keys that name fields: no schema of ours can make it fail."""
    names = [f["name"] for f in schema["fields"]]
    assert len(set(names)) == len(names), name
    for field in schema["fields"]:
        assert field.get("type", "string") in SUPPORTED_TYPES, (name, field["name"])
        constraints = field.get("constraints", {})
        assert isinstance(constraints, dict) and set(constraints) <= SUPPORTED_CONSTRAINTS, (name, field["name"])
        if "pattern" in constraints:
            re.compile(constraints["pattern"])
        if "enum" in constraints:
            assert isinstance(constraints["enum"], list) and constraints["enum"], (name, field["name"])
    key = schema.get("primaryKey", [])
    assert set([key] if isinstance(key, str) else key) <= set(names), name
    for fk in schema.get("foreignKeys", []):
        assert set(fk["fields"]) <= set(names), name
        parent = SCHEMAS[fk["reference"]["resource"]]
        assert set(fk["reference"]["fields"]) <= {f["name"] for f in parent["fields"]}, name
    assert max_bytes(name) > 0


def test_a_difference_in_key_order_only_is_not_a_difference():
    schema = SCHEMAS["source"]
    reordered = {k: schema[k] for k in reversed(list(schema))}
    check_schema({"name": "source", "schema": reordered}, "datapackage.json")


def test_a_resource_without_a_project_schema_is_named():
    with pytest.raises(AuditDataError, match="resource 'extra' is not one the project has a schema for"):
        check_schema({"name": "extra", "schema": SCHEMAS["source"]}, "datapackage.json")
