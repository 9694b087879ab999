"""Gwent's extras as extensions (analysis/extras/): each names resources the project has a schema for, once, and types them as the sections expect."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analysis import extras
from analysis.data.errors import AuditDataError
from analysis.data.load import OPTIONAL
from analysis.data.schemas import SCHEMAS, field_enum
from analysis.extras import area_themes, coverage, recommendations, source


def test_every_further_resource_belongs_to_one_extension_and_has_its_schema():
    names = [name for ext in extras.EXTENSIONS for name in ext.resources]
    assert len(names) == len(set(names))
    assert set(names) <= set(SCHEMAS) and "figures" not in names and "cases" not in names
    assert ("cases", *names) == OPTIONAL


def test_what_a_resource_needs_is_a_resource_the_package_can_hold():
    for name, needs in extras.REQUIRES.items():
        assert name in extras.RESOURCES
        assert set(needs) <= set(extras.RESOURCES), name


def test_a_resource_needing_another_names_a_table_its_schema_refers_to():
    """A foreign key to another further table is checked only if that table is read: the resource must need it."""
    for name in extras.RESOURCES:
        for fk in SCHEMAS[name].get("foreignKeys", []):
            ref = fk["reference"]["resource"]
            if ref != name:
                assert ref in extras.REQUIRES.get(name, ()), (name, ref)


def test_the_curated_verdicts_are_the_schemas_values():
    assert field_enum(SCHEMAS["coverage_claims"], "curated_verdict") == coverage.CURATED_VERDICTS
    assert len(coverage.CURATED_VERDICTS) == 6


def test_recommendations_get_an_ordered_deadline():
    recs = pd.DataFrame({"recommendation_id": ["r2", "r1"], "deadline": ["within three months", "immediately"]})
    shaped = recommendations.shape({"recommendations": recs}, {}, pd.DataFrame())["recommendations"]
    assert shaped["deadline"].cat.ordered and list(shaped["deadline"].cat.categories) == list(recommendations.DEADLINES)
    assert shaped["deadline"].min() == "immediately"
    assert not isinstance(recs["deadline"].dtype, pd.CategoricalDtype)  # the table as read is left as it was


def test_themes_follow_their_areas_order_in_the_report():
    areas = pd.DataFrame({"practice_area": ["b", "a"], "report_order": [1, 2]})
    themes = pd.DataFrame({"practice_area": ["a", "b", "b"], "theme_number": [1, 2, 1], "theme": ["x", "y", "z"]})
    shaped = area_themes.shape({"area_themes": themes}, {}, areas)["area_themes"]
    assert shaped["theme"].tolist() == ["z", "y", "x"] and list(shaped.columns) == list(themes.columns)


def test_the_source_is_one_record_whose_inspection_does_not_end_before_it_starts():
    frame = pd.DataFrame({"inspection_start": [dt.date(2019, 2, 4)], "inspection_end": [dt.date(2019, 2, 15)]})
    record = source.shape({"source": frame}, {"source": "source.csv"}, pd.DataFrame())["source"]
    assert isinstance(record, pd.Series) and record["inspection_end"] == dt.date(2019, 2, 15)
    with pytest.raises(AuditDataError, match="inspection ends before it starts"):
        source.check_source(frame.assign(inspection_end=[dt.date(2019, 2, 1)]), "source.csv")
    with pytest.raises(AuditDataError, match="wrong number of source documents"):
        source.check_source(pd.concat([frame, frame], ignore_index=True), "source.csv")
