"""Processing: byte-identical re-runs, exact grade labels, the case table, atomic writes and the CLI."""

from __future__ import annotations

import filecmp
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import replace_line

from analysis.__main__ import main
from analysis.data.paths import PROCESSED_DIR, PROJ_ROOT
from analysis.data.publish import verify_processed
from analysis.grades import GRADES
from analysis.pipeline import process


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_rerun_is_byte_identical(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    process(out_dir=a)
    process(out_dir=b)
    process(out_dir=b)  # a second run over existing files changes nothing
    assert _snapshot(a) == _snapshot(b)
    assert verify_processed(a) == []


def test_committed_processed_files_are_current(tmp_path):
    """data/processed is written only by code: rebuilding gives the committed bytes."""
    process(out_dir=tmp_path)
    for path in tmp_path.glob("*.csv"):
        assert filecmp.cmp(path, PROCESSED_DIR / path.name, shallow=False), f"{path.name} is stale: run `make process`"
    assert verify_processed(PROCESSED_DIR) == []


def test_grade_labels_exact(tmp_path):
    process(out_dir=tmp_path)
    for path in tmp_path.glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for col in [c for c in frame.columns if "grade" in c and c != "grade_scale"]:
            assert set(frame[col]) <= set(GRADES), (path.name, col)


def test_case_table(tmp_path):
    process(out_dir=tmp_path)
    cases = pd.read_csv(tmp_path / "cases.csv", dtype=str)
    assert list(cases.columns) == ["case_id", "practice_area", "hmicfrs_grade"]
    assert len(cases) == 80 and cases["case_id"].is_unique
    counts = cases.groupby(["practice_area", "hmicfrs_grade"]).size()
    areas = pd.read_csv(tmp_path / "area_grades.csv")
    for row in areas.itertuples():
        assert counts.get((row.practice_area, row.grade), 0) == row.n
    # no force grade and no sample label per case: the report does not publish them
    assert not {"force_grade", "sample"} & set(cases.columns)
    dictionary = json.loads((tmp_path / "datapackage.json").read_text())
    notes = next(r for r in dictionary["resources"] if r["path"] == "cases.csv")["x_notes"]
    assert any("no force grade" in n for n in notes)


def test_sample_grades(tmp_path):
    process(out_dir=tmp_path)
    sg = pd.read_csv(tmp_path / "sample_grades.csv")
    assert list(sg.columns) == ["sample", "assessor", "grade", "n"]
    assert len(sg) == 9
    assert sg.groupby(["sample", "assessor"])["n"].sum().to_dict() == {
        ("force_selected", "force"): 33,
        ("force_selected", "hmicfrs"): 33,
        ("inspectorate_selected", "hmicfrs"): 47,
    }


def test_bad_input_writes_nothing(raw_copy, tmp_path):
    out = tmp_path / "out"
    process(out_dir=out)
    before = _snapshot(out)
    replace_line(raw_copy / "area_grades.csv", "children_in_custody,inadequate,2", "children_in_custody,inadequate,x")
    with pytest.raises(Exception, match="not an integer"):
        process(raw_copy, out)
    assert _snapshot(out) == before
    empty = tmp_path / "empty"
    with pytest.raises(Exception, match="not an integer"):
        process(raw_copy, empty)
    assert not empty.exists() or not any(empty.iterdir())


def test_cli_success(tmp_path, capsys):
    assert main(["process", "--out", str(tmp_path)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert (tmp_path / "cases.csv").exists()


def test_cli_bad_input(raw_copy, tmp_path, capsys):
    replace_line(raw_copy / "case_samples.csv", "force_selected,force,good,27", "force_selected,force,good,-27")
    out = tmp_path / "out"
    assert main(["process", "--raw", str(raw_copy), "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("error: ") and "case_samples.csv, row 1 (line 2), column 'n'" in err
    assert not out.exists()


def test_cli_subprocess_no_traceback(raw_copy, tmp_path):
    (raw_copy / "case_samples.csv").write_bytes(b"")
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "process", "--raw", str(raw_copy), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"error: {raw_copy / 'case_samples.csv'}: file is empty: expected a header line and data rows"
    ]
    assert not out.exists()


def test_cli_missing_raw_dir(tmp_path, capsys):
    assert main(["process", "--raw", str(tmp_path / "nope"), "--out", str(tmp_path / "out")]) == 1
    assert "file not found" in capsys.readouterr().err


def test_cli_hashes(capsys):
    assert main(["hashes"]) == 0
    assert "match" in capsys.readouterr().out


def test_processed_paths_are_relative():
    text = (PROCESSED_DIR / "datapackage.json").read_text()
    assert str(PROJ_ROOT) not in text
