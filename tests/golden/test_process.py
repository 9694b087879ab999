"""Processing: the committed set is current and machine-independent, re-runs are byte-identical, the CLI speaks in one line."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main
from analysis.data.package import sha256
from analysis.data.paths import PROCESSED_DIR, PROJ_ROOT, RAW_DIR
from analysis.data.publish import SIGNIFICANT_DIGITS, csv_bytes, format_float, set_files
from analysis.grades import GRADES
from analysis.memo import ENV as MEMO_ENV
from analysis.pipeline import process

#: OpenBLAS kernels of three CPU generations; their last bits differ in np.linalg.solve.
BLAS_KERNELS = ("Haswell", "SkylakeX", "Prescott", "Zen", "Sandybridge")

#: A kernel whose instructions this CPU lacks (SkylakeX's AVX-512 on an AMD EPYC) dies at once with SIGILL: skipped, but
#: at least this many must run here.
MIN_KERNELS_RUN = 3


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in set_files(folder)}


@pytest.fixture(scope="module")
def published(gwent_published) -> Path:
    return gwent_published


def test_committed_processed_files_are_current(published):
    """data/processed is written only by code: rebuilding gives exactly the committed bytes."""
    assert snapshot(published) == snapshot(PROCESSED_DIR), "data/processed is stale: run `python -m analysis process` and commit"
    described = json.loads((PROCESSED_DIR / "datapackage.json").read_text(encoding="utf-8"))["resources"]
    assert {r["path"]: r["hash"] for r in described} == {r["path"]: sha256(PROCESSED_DIR / r["path"]) for r in described}


def test_rerun_is_byte_identical_and_changes_nothing(published):
    """A second ``process`` into a current set rewrites nothing. Its slowest results may be read from the run's shared folder
    (analysis.memo); that computing gives the same bytes every time is checked from scratch by the committed set and the BLAS test."""
    stamps = {p.name: p.stat().st_mtime_ns for p in set_files(published)}
    names, changed = process(RAW_DIR, published)
    assert not changed and names == sorted(stamps)
    assert {p.name: p.stat().st_mtime_ns for p in set_files(published)} == stamps


@pytest.mark.slow
def test_the_same_bytes_under_three_blas_kernels(tmp_path):
    """The committed files, not just a re-run here: every kernel must give them, whatever this machine's default."""
    runs = []
    for kernel in BLAS_KERNELS:
        env = {
            **{k: v for k, v in os.environ.items() if k != MEMO_ENV},
            "OPENBLAS_CORETYPE": kernel,
        }  # every result computed under this kernel
        out = tmp_path / kernel
        runs.append(
            (kernel, out, subprocess.Popen([sys.executable, "-m", "analysis", "process", "--out", str(out)], env=env, cwd=tmp_path))
        )
    expected = snapshot(PROCESSED_DIR)
    ran = []
    for kernel, out, proc in runs:
        code = proc.wait(timeout=300)
        if code == -signal.SIGILL:
            continue  # the CPU cannot run this kernel at all
        assert code == 0, kernel
        assert snapshot(out) == expected, f"OPENBLAS_CORETYPE={kernel} gives other bytes than the committed files"
        ran.append(kernel)
    assert len(ran) >= MIN_KERNELS_RUN, f"only {ran} could run on this CPU"


@pytest.mark.parametrize(
    "value, text",
    [
        (0.1 + 0.2, "0.3"),
        (0.0006910988279608055, "0.000691098827961"),
        (0.0006910988279608048, "0.000691098827961"),
        (-0.0, "0"),
        (-1e-300, "-1e-300"),
        (float("nan"), ""),
        (1 / 3, "0.333333333333"),
        (27.0, "27"),
    ],
)
def test_one_canonical_form_per_float(value, text):
    assert format_float(value) == text
    assert len(text.lstrip("-0.").split("e")[0].replace(".", "")) <= SIGNIFICANT_DIGITS


def test_floats_that_differ_in_the_last_bits_give_the_same_bytes():
    a = pd.DataFrame({"x": [0.0006910988279608055, 1.0], "label": ["a", "b"], "mixed": [0.1 + 0.2, "text"]})
    b = pd.DataFrame({"x": [0.0006910988279608048, 1.0000000000000002], "label": ["a", "b"], "mixed": [0.3, "text"]})
    assert csv_bytes(a) == csv_bytes(b) == b"x,label,mixed\n0.000691098827961,a,0.3\n1,b,text\n"


def test_grade_labels_exact(published):
    for path in published.glob("*.csv"):
        if path.name == "national_panel.csv":  # other documents on their own scales: tests/packages/test_panel.py
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for col in [c for c in frame.columns if "grade" in c and c != "grade_scale"]:
            assert set(frame[col]) <= set(GRADES), (path.name, col)


def test_no_internal_sort_columns_are_published(published):
    for path in published.glob("*.csv"):
        columns = pd.read_csv(path, nrows=0).columns
        assert not [c for c in columns if c.startswith("_") or c in ("sort", "order_key")], path.name


def test_case_table(published):
    cases = pd.read_csv(published / "cases.csv", dtype=str)
    assert list(cases.columns) == ["case_id", "practice_area", "hmicfrs_grade"]
    assert len(cases) == 80 and cases["case_id"].is_unique
    counts = cases.groupby(["practice_area", "hmicfrs_grade"]).size()
    areas = pd.read_csv(published / "area_grades.csv")
    for row in areas.itertuples():
        assert counts.get((row.practice_area, row.grade), 0) == row.n
    # no force grade and no sample label per case: the report does not publish them
    assert not {"force_grade", "sample"} & set(cases.columns)
    dictionary = json.loads((published / "datapackage.json").read_text())
    notes = next(r for r in dictionary["resources"] if r["path"] == "cases.csv")["x_notes"]
    assert any("no force grade" in n for n in notes)


def test_sample_grades(published):
    sg = pd.read_csv(published / "sample_grades.csv")
    assert list(sg.columns) == ["sample", "assessor", "grade", "n"]
    assert len(sg) == 9
    assert sg.groupby(["sample", "assessor"])["n"].sum().to_dict() == {
        ("force_selected", "force"): 33,
        ("force_selected", "hmicfrs"): 33,
        ("inspectorate_selected", "hmicfrs"): 47,
    }


def test_published_files_are_readable_by_all(published):
    for path in set_files(published):
        assert path.stat().st_mode & 0o444 == 0o444, path.name
    assert published.stat().st_mode & 0o555 == 0o555


def test_cli_success(tmp_path, capsys, gwent_computed_once):
    out = tmp_path / "processed"
    assert main(["process", "--out", str(out)]) == 0
    n = len(set_files(PROCESSED_DIR))
    assert f"published {n} files" in capsys.readouterr().out
    assert main(["process", "--out", str(out)]) == 0
    assert f"unchanged: {n} files" in capsys.readouterr().out


def test_cli_subprocess_no_traceback(raw_copy, tmp_path):
    (raw_copy / "figures.csv").write_bytes(b"")
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
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {raw_copy / 'figures.csv'}: file differs from the checksum")
    assert not out.exists()


def test_cli_missing_raw_dir(tmp_path, capsys):
    assert main(["process", "--raw", str(tmp_path / "nope"), "--out", str(tmp_path / "out")]) == 1
    assert "raw data folder not found" in capsys.readouterr().err


def test_cli_hashes(raw_copy, capsys):
    assert main(["hashes"]) == 0
    assert "match" in capsys.readouterr().out
    (raw_copy / "source.csv").write_bytes((raw_copy / "source.csv").read_bytes() + b"\n")
    assert main(["hashes", "--raw", str(raw_copy)]) == 1
    assert "source" in capsys.readouterr().err
    assert main(["hashes", "--raw", str(raw_copy), "--update"]) == 0
    assert main(["hashes", "--raw", str(raw_copy)]) == 0


def test_processed_paths_are_relative():
    text = (PROCESSED_DIR / "datapackage.json").read_text()
    assert str(PROJ_ROOT) not in text


def test_jupyter_checkpoints_in_the_processed_folder_are_ignored(tmp_path, capsys, gwent_computed_once):
    """Opening a processed CSV in JupyterLab makes .ipynb_checkpoints/ beside it: process and the readers ignore it."""
    from analysis import data_page, site, stamps
    from analysis.data import publish as pub

    out = tmp_path / "data" / "processed"
    shutil.copytree(PROCESSED_DIR, out)  # a copy: the tracked folder is never touched
    checkpoints = out / ".ipynb_checkpoints"
    checkpoints.mkdir()
    (checkpoints / "sample_grades-checkpoint.csv").write_bytes((out / "sample_grades.csv").read_bytes())
    digest = stamps.digest([out], tmp_path)
    # process: the set is recognised as this project's and is current
    pub.check_out(out)
    names, changed = process(RAW_DIR, out)
    assert not changed and sorted(names) == [p.name for p in set_files(PROCESSED_DIR)]
    assert main(["process", "--out", str(out)]) == 0 and "unchanged" in capsys.readouterr().out
    # the readers: the set's files, the site's file list and inputs, the stamps
    assert snapshot(out) == snapshot(PROCESSED_DIR)
    assert [f.path for f in data_page.data_files(processed_dir=out) if f.kind == "processed"] == [
        f.path for f in data_page.data_files() if f.kind == "processed"
    ]
    assert site.missing_inputs(out) == []
    (checkpoints / "other-checkpoint.csv").write_text("x\n", encoding="utf-8")
    assert stamps.digest([out], tmp_path) == digest
    # a set that must be replaced is replaced, checkpoints and all
    (out / "cases.csv").write_bytes(b"an older set\n")
    names, changed = process(RAW_DIR, out)
    assert changed and snapshot(out) == snapshot(PROCESSED_DIR)
    # a folder holding a checkpoint folder and nothing else counts as empty
    lone = tmp_path / "lone"
    (lone / ".ipynb_checkpoints").mkdir(parents=True)
    pub.check_out(lone)
