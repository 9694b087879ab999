"""The one gate in: every raw file and datapackage.json, broken in every way we know, gives one line, exit 1, and no change to --out.

Each case runs ``python -m analysis process`` (in process, through :func:`analysis.cli.main`)
against a scratch copy of data/raw with an --out folder pre-filled with the committed processed
set, and checks: exit code 1; exactly one line on stderr, starting ``error: `` and naming the file
(and, where the problem has one, the row and column); no traceback; --out byte-identical.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import load_edited

from analysis.cli import main
from analysis.data.errors import AuditDataError
from analysis.data.load import RESOURCES
from analysis.data.package import update_hashes
from analysis.data.paths import PROCESSED_DIR, RAW_DIR

FILES = {r["name"]: r["path"] for r in json.loads((RAW_DIR / "datapackage.json").read_text(encoding="utf-8"))["resources"]}
assert set(FILES) == set(RESOURCES)
#: The CSV resources (audit.json, a JSON document, has its own tests below).
TABLES = [name for name in RESOURCES if FILES[name].endswith(".csv")]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An --out folder holding a complete processed set (the committed one)."""
    dest = tmp_path / "processed"
    shutil.copytree(PROCESSED_DIR, dest)
    return dest


def run_fails(raw: Path, out: Path, capsys, *must_contain: str) -> str:
    """Run process on ``raw``; assert the one-line failure contract; return the line."""
    before = snapshot(out)
    siblings = sorted(p.name for p in out.parent.iterdir())
    assert main(["process", "--raw", str(raw), "--out", str(out)]) == 1
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    line = lines[0]
    assert line.startswith("error: ") and "Traceback" not in captured.err
    for text in must_contain:
        assert text in line, (text, line)
    assert len(line) < 1500
    assert snapshot(out) == before, "--out changed after a failed run"
    assert sorted(p.name for p in out.parent.iterdir()) == siblings, "a failed run left files beside --out"
    return line


def last_line(path: Path) -> tuple[list[str], int]:
    lines = path.read_text(encoding="utf-8").split("\n")
    i = len(lines) - 1
    while not lines[i]:
        i -= 1
    return lines, i


# --------------------------------------------------------------------------- checksums


@pytest.mark.parametrize("name", RESOURCES)
def test_a_file_cut_at_a_line_end_fails_its_checksum(raw_copy, out, capsys, name):
    path = raw_copy / FILES[name]
    lines, i = last_line(path)
    path.write_text("\n".join(lines[:i]) + "\n", encoding="utf-8")  # drop the last row, as a cut download would
    line = run_fails(raw_copy, out, capsys, FILES[name], "checksum", "hashes --update", "sha256:")
    assert line.count("sha256:") == 2  # the recorded and the found hash


@pytest.mark.parametrize("name", RESOURCES)
def test_one_changed_byte_fails_the_checksum(raw_copy, out, capsys, name):
    path = raw_copy / FILES[name]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] = ord("#") if data[len(data) // 2] != ord("#") else ord("%")
    path.write_bytes(bytes(data))
    run_fails(raw_copy, out, capsys, FILES[name], "checksum")


# --------------------------------------------------------------------------- what the path is


@pytest.mark.parametrize("name", RESOURCES)
@pytest.mark.parametrize("kind", ["missing", "directory", "symlink", "fifo"])
def test_a_path_that_is_not_a_regular_file(raw_copy, out, capsys, name, kind):
    path = raw_copy / FILES[name]
    path.unlink()
    expected = {"missing": "not found", "directory": "not a regular file", "symlink": "symbolic link", "fifo": "not a regular file"}
    if kind == "directory":
        path.mkdir()
    elif kind == "symlink":
        path.symlink_to("/etc/hostname" if Path("/etc/hostname").exists() else "/etc/passwd")
    elif kind == "fifo":
        os.mkfifo(path)
    run_fails(raw_copy, out, capsys, FILES[name], expected[kind])


# --------------------------------------------------------------------------- what the bytes are (checksums recorded, as after a review)


def edited(raw: Path, name: str, change) -> None:
    path = raw / FILES[name]
    path.write_bytes(change(path.read_bytes()))
    update_hashes(raw)


@pytest.mark.parametrize("name", TABLES)
def test_invalid_utf8(raw_copy, out, capsys, name):
    edited(raw_copy, name, lambda b: b.replace(b"\n", b"\n\xff", 1))
    run_fails(raw_copy, out, capsys, FILES[name], "not valid UTF-8", "0xff")


@pytest.mark.parametrize("name", TABLES)
def test_byte_order_mark(raw_copy, out, capsys, name):
    edited(raw_copy, name, lambda b: b"\xef\xbb\xbf" + b)
    run_fails(raw_copy, out, capsys, FILES[name], "byte-order mark")


@pytest.mark.parametrize("name", TABLES)
@pytest.mark.parametrize("char", ["\x00", "\x07", "\t", "\x1b"])
def test_control_character_in_a_field(raw_copy, out, capsys, name, char):
    path = raw_copy / FILES[name]
    lines, i = last_line(path)
    fields = lines[i].split(",")
    fields[-1] = fields[-1][:1] + char + fields[-1][1:]
    lines[i] = ",".join(fields)
    path.write_text("\n".join(lines), encoding="utf-8")
    update_hashes(raw_copy)
    run_fails(raw_copy, out, capsys, FILES[name], "control character", f"row {i}", "column '")


@pytest.mark.parametrize("name", TABLES)
def test_a_quoted_field_cut_short(raw_copy, out, capsys, name):
    path = raw_copy / FILES[name]
    lines, i = last_line(path)
    lines = lines[: i + 1]
    fields = next(csv.reader([lines[i]]))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(fields[:-1])
    lines[i] = buffer.getvalue() + ',"cut text, never closed'
    path.write_text("\n".join(lines), encoding="utf-8")  # no final newline: the file ends inside the quotes
    update_hashes(raw_copy)
    run_fails(raw_copy, out, capsys, FILES[name], "not valid CSV", "quoted field cut short")


@pytest.mark.parametrize("name", TABLES)
@pytest.mark.parametrize("content", [b"", b"\n", "header only"])
def test_empty_or_header_only(raw_copy, out, capsys, name, content):
    path = raw_copy / FILES[name]
    data = path.read_bytes().split(b"\n", 1)[0] + b"\n" if content == "header only" else content
    path.write_bytes(data)
    update_hashes(raw_copy)
    run_fails(raw_copy, out, capsys, FILES[name], "no data rows" if content == "header only" else "file is empty")


@pytest.mark.parametrize("name", TABLES)
def test_a_renamed_column(raw_copy, out, capsys, name):
    edited(raw_copy, name, lambda b: b"renamed" + b[b.index(b",") :] if b"," in b.split(b"\n")[0] else b"renamed" + b[b.index(b"\n") :])
    run_fails(raw_copy, out, capsys, FILES[name], "column")


@pytest.mark.parametrize("name", TABLES)
def test_a_row_with_a_missing_value_count(raw_copy, out, capsys, name):
    path = raw_copy / FILES[name]
    lines, i = last_line(path)
    lines[i] = lines[i] + ",extra"
    path.write_text("\n".join(lines), encoding="utf-8")
    update_hashes(raw_copy)
    run_fails(raw_copy, out, capsys, FILES[name], f"row {i}", "wrong number of values")


# --------------------------------------------------------------------------- audit.json, a JSON document


@pytest.mark.parametrize(
    "change, problem",
    [
        (lambda b: b"\xef\xbb\xbf" + b, "byte-order mark"),
        (lambda b: b.replace(b"Gwent", b"Gw\xe9nt", 1), "not valid UTF-8"),
        (lambda b: b[: len(b) // 2], "invalid JSON"),
        (lambda b: b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (lambda b: b"[]", "not a JSON object"),
        (lambda b: b.replace(b'"licence"', b'"licenc"'), "unknown field"),
        (lambda b: b.replace(b'"gwent-2019"', b'"Gwent 2019"'), "lower-case slug"),
        (lambda b: b.replace(b'"2019-06"', b'"June 2019"'), "published is not a date"),
        (lambda b: b.replace(b'"inadequate"]', b'"inadequate", "good"]'), "grade named twice"),
        (lambda b: b.replace(b'["good", "requires improvement", "inadequate"]', b'["good"]'), "wrong number of grades"),
        (lambda b: b.replace(b'"url": "https', b'"url": "ftp'), "no web address"),
        (lambda b: b.replace(b"true", b'"yes"'), "areas_partition must be true or false"),
    ],
)
def test_a_malformed_audit_json(raw_copy, out, capsys, change, problem):
    edited(raw_copy, "audit", change)
    run_fails(raw_copy, out, capsys, "audit.json", problem)


def test_a_grade_renamed_in_audit_json_leaves_figures_off_the_scale(raw_copy, out, capsys):
    edited(raw_copy, "audit", lambda b: b.replace(b'"requires improvement"', b'"requires improvement!"'))
    run_fails(raw_copy, out, capsys, "figures.csv", "grade not on the scale", "row 2")


# --------------------------------------------------------------------------- datapackage.json


def test_missing_descriptor_is_an_error_not_a_fallback(raw_copy, out, capsys):
    (raw_copy / "datapackage.json").unlink()
    run_fails(raw_copy, out, capsys, "datapackage.json", "not found")


@pytest.mark.parametrize(
    "text, problem",
    [
        ('{"resources": [', "invalid JSON at line 1"),
        ("", "invalid JSON"),
        ("[]", "not a data package"),
        ('{"resources": []}', "not a data package"),
        ('{"resources": [{"name": "x"}]}', "unsafe or missing path"),
    ],
)
def test_malformed_descriptor(raw_copy, out, capsys, text, problem):
    (raw_copy / "datapackage.json").write_text(text, encoding="utf-8")
    run_fails(raw_copy, out, capsys, "datapackage.json", problem)


def test_descriptor_not_utf8_or_a_directory(raw_copy, out, capsys):
    path = raw_copy / "datapackage.json"
    path.write_bytes(path.read_bytes().replace(b"Gwent", b"Gw\xe9nt", 1))
    run_fails(raw_copy, out, capsys, "datapackage.json", "not valid UTF-8")
    path.unlink()
    path.mkdir()
    run_fails(raw_copy, out, capsys, "datapackage.json", "not a regular file")


def _edit_descriptor(raw: Path, change) -> None:
    path = raw / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    change(descriptor)
    path.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


@pytest.mark.parametrize("name", RESOURCES)
def test_descriptor_missing_a_resource(raw_copy, out, capsys, name):
    """A resource left out of the descriptor is refused: a required one by name, an optional one as an undescribed file or a broken dependency."""
    _edit_descriptor(raw_copy, lambda d: d.update(resources=[r for r in d["resources"] if r["name"] != name]))
    line = run_fails(raw_copy, out, capsys)
    assert ("missing " + name) in line or FILES[name] in line, line


def test_descriptor_with_an_unknown_resource_or_unsafe_path(raw_copy, out, capsys):
    _edit_descriptor(raw_copy, lambda d: d["resources"].append({**d["resources"][1], "name": "extra", "path": "figures.csv"}))
    run_fails(raw_copy, out, capsys, "datapackage.json", "unexpected extra")
    shutil.copy(RAW_DIR / "datapackage.json", raw_copy / "datapackage.json")
    _edit_descriptor(raw_copy, lambda d: d["resources"][0].update(path="../processed/cases.csv"))
    run_fails(raw_copy, out, capsys, "datapackage.json", "unsafe or missing path", "../processed/cases.csv")


def test_a_recorded_size_that_differs_fails_like_a_hash(raw_copy, out, capsys):
    _edit_descriptor(raw_copy, lambda d: d["resources"][1].update(bytes=d["resources"][1]["bytes"] + 1))
    run_fails(raw_copy, out, capsys, "figures.csv", "checksum")


# --------------------------------------------------------------------------- long inputs give short messages


def test_many_bad_rows_are_summarised(raw_copy, out, capsys):
    path = raw_copy / "area_themes.csv"
    text = path.read_text(encoding="utf-8")
    header, first = text.split("\n")[:2]
    path.write_text(text + (first + "\n") * 20_000, encoding="utf-8")  # 20,000 duplicate keys
    update_hashes(raw_copy)
    line = run_fails(raw_copy, out, capsys, "area_themes.csv", "duplicate key", "more")
    assert "and 19,996 more" in line and "20001 times" in line  # the first rows, then a count


def test_a_huge_field_is_cut_in_the_message(raw_copy, out, capsys):
    path = raw_copy / "figures.csv"
    lines, i = last_line(path)
    fields = lines[i].split(",")
    fields[4] = "9x" * 500_000
    lines[i] = ",".join(fields)
    path.write_text("\n".join(lines), encoding="utf-8")
    update_hashes(raw_copy)
    line = run_fails(raw_copy, out, capsys, "figures.csv", "not an integer", "1,000,000 characters")
    assert len(line) < 800


# --------------------------------------------------------------------------- the gate is the only way in


def test_every_resource_passes_through_load_audit(raw_copy):
    """area_themes.csv and recommendations.csv, once read outside the gate, now fail the load itself."""
    for name in ("area_themes", "recommendations", "coverage_lines"):
        path = raw_copy / FILES[name]
        original = path.read_bytes()
        path.write_bytes(original.replace(b"\n", b"\n\x00", 1))
        update_hashes(raw_copy)
        with pytest.raises(AuditDataError, match=FILES[name]):
            load_edited(raw_copy)
        path.write_bytes(original)
    update_hashes(raw_copy)
    load_edited(raw_copy)


def test_no_section_reads_a_file():
    """Stages take validated data only: no section or statistics module opens a path."""
    root = Path(__file__).resolve().parents[1] / "analysis"
    for folder in ("sections", "stats"):
        for module in (root / folder).glob("*.py"):
            text = module.read_text(encoding="utf-8")
            for forbidden in (
                "read_resource",
                "read_csv(",
                "open(",
                "RAW_DIR",
                "raw_dir",
                "load_descriptor",
                ".read_bytes(",
                ".read_text(",
            ):
                assert forbidden not in text, f"{module.name} uses {forbidden}"
