"""The test layout cannot rot: every test file sits in a known folder under a unique name, and a unit test that is not pure fails."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import UNIT_DIR, ImpureUnitTest, _purity

from analysis.data.paths import RAW_DIR

TESTS = Path(__file__).parents[1]
FOLDERS = {"unit", "gates", "packages", "golden", "notebooks", "site", "project"}
UNIT_PACKAGES = {"stats", "sections", "data", "extras", "plots", "narrative", "core"}


class _Item:
    """The little of a pytest item the purity guard reads."""

    def __init__(self, path: Path):
        self.path = path


def test_every_test_file_is_in_a_known_folder_under_a_unique_name():
    files = sorted(TESTS.rglob("test_*.py"))
    assert files, "no test files found"
    where = {f.relative_to(TESTS).parts[0] for f in files}
    assert where <= FOLDERS, f"test files outside {sorted(FOLDERS)}: {sorted(where - FOLDERS)}"
    names = [f.name for f in files]
    assert sorted({n for n in names if names.count(n) > 1}) == []
    packages = {f.relative_to(UNIT_DIR).parts[0] for f in files if f.is_relative_to(UNIT_DIR)}
    assert packages <= UNIT_PACKAGES and all(len(f.relative_to(UNIT_DIR).parts) == 2 for f in files if f.is_relative_to(UNIT_DIR))


def test_a_unit_test_cannot_start_a_process_copy_the_raw_data_or_run_a_notebook(tmp_path):
    import nbclient
    import nbformat

    with _purity(_Item(UNIT_DIR / "stats" / "test_example.py")):
        with pytest.raises(ImpureUnitTest, match="child process"):
            subprocess.run([sys.executable, "-c", "pass"], check=False)
        with pytest.raises(ImpureUnitTest, match="copy data/raw"):
            shutil.copytree(RAW_DIR, tmp_path / "raw")
        with pytest.raises(ImpureUnitTest, match="copy data/raw"):
            shutil.copy(RAW_DIR / "datapackage.json", tmp_path)
        with pytest.raises(ImpureUnitTest, match="run a notebook"):
            nbclient.NotebookClient(nbformat.v4.new_notebook()).execute()
        (tmp_path / "mine.txt").write_text("x", encoding="utf-8")
        shutil.copy(tmp_path / "mine.txt", tmp_path / "copy.txt")  # copies of anything else are allowed
    assert not (tmp_path / "raw").exists() and (tmp_path / "copy.txt").read_text(encoding="utf-8") == "x"
    # outside tests/unit, and after the test, everything works again
    with _purity(_Item(TESTS / "gates" / "test_example.py")):
        assert subprocess.run([sys.executable, "-c", "pass"], check=False).returncode == 0
    assert subprocess.run([sys.executable, "-c", "pass"], check=False).returncode == 0
