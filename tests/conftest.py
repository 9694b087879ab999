"""Shared fixtures: a scratch copy of the raw data that a test may break on purpose."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.data.paths import RAW_DIR

#: The practice-area codes the issues name, in the report's order (tests check the data against them).
AREA_CODES = [
    "s47_enquiries",
    "domestic_abuse",
    "other_referrals",
    "child_sexual_exploitation",
    "missing_children",
    "police_protection_s46",
    "sex_offender_management",
    "children_in_custody",
]


@pytest.fixture
def raw_copy(tmp_path: Path) -> Path:
    """A copy of data/raw in a temporary folder (tests edit it to make malformed input)."""
    dest = tmp_path / "raw"
    shutil.copytree(RAW_DIR, dest)
    return dest


def replace_line(path: Path, old: str, new: str) -> None:
    """Replace exactly one whole line ``old`` of a CSV with ``new`` (fails if not found once)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines.count(old) == 1, f"{old!r} is not exactly one line of {path.name}"
    lines[lines.index(old)] = new
    path.write_text("\n".join(lines), encoding="utf-8")
