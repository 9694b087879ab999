"""A document's kind is read from its title: an inspection unless the title names a review, a quarterly update or a thematic report."""

from __future__ import annotations

import json

import pytest

from analysis.data.panel import document_type, package_folders
from analysis.data.paths import PROJ_ROOT, RAW_DIR

FORCES = PROJ_ROOT.parent / "shared" / "data" / "ncpi" / "forces"


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Dorset – National child protection inspection", "inspection"),
        ("Dorset – National child protection inspection post-inspection review", "post-inspection review"),
        (
            "Metropolitan Police Service – National child protection inspection post-inspection quarter 3 update",
            "post-inspection quarterly update",
        ),
        ("In harm's way (HMIC thematic, July 2015)", "thematic aggregate"),
    ],
)
def test_each_kind_of_title(title, kind):
    assert document_type(title) == kind


@pytest.mark.skipif(not FORCES.is_dir(), reason="the compilation ../shared/data/ncpi/forces/ is not beside the project")
def test_every_package_gets_the_kind_the_compilation_gives():
    for folder in package_folders(RAW_DIR / "national"):
        title = json.loads((folder / "audit.json").read_text(encoding="utf-8"))["title"]
        assert document_type(title) == json.loads((FORCES / f"{folder.name}.json").read_text(encoding="utf-8"))["document_type"], (
            folder.name
        )
