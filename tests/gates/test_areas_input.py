"""The areas' input: a practice-area theme naming an area that does not exist is refused at the gate."""

from __future__ import annotations

import pytest
from conftest import load_edited

from analysis.data.errors import AuditDataError


def test_themes_foreign_key_checked(raw_copy):
    path = raw_copy / "area_themes.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("children_in_custody,4,", "children_in_jail,4,"), encoding="utf-8")
    with pytest.raises(AuditDataError, match="children_in_jail"):
        load_edited(raw_copy)
