"""The long commands say what they are doing: ``process`` prints one line per stage with its time on stderr, ``-q`` silences it, and neither changes a byte of the set."""

from __future__ import annotations

import re

from analysis.cli import main
from analysis.data.paths import RAW_DIR
from analysis.data.publish import set_files
from analysis.pipeline import STAGES

#: A stage line: the stage's name, a colon, its time in seconds.
LINE = re.compile(r"^(?P<name>[^:]+): \d+\.\d+ s$")


def snapshot(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in set_files(folder)}


def test_process_names_each_stage_with_its_time_and_quiet_prints_nothing_with_the_same_bytes(tmp_path, capsys):
    assert main(["process", "--raw", str(RAW_DIR), "--out", str(tmp_path / "loud")]) == 0
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert lines and all(LINE.match(line) for line in lines), err
    named = [LINE.match(line)["name"] for line in lines]
    assert named == ["load", *(s.name for s in STAGES), "contents and bytes", "publish"], named

    assert main(["process", "-q", "--raw", str(RAW_DIR), "--out", str(tmp_path / "quiet")]) == 0
    out = capsys.readouterr()
    assert out.err == "", "process -q prints nothing on stderr when it succeeds"
    assert out.out.startswith("published "), "the result line on stdout stays"

    assert snapshot(tmp_path / "quiet") == snapshot(tmp_path / "loud"), "the stage lines change no published byte"
    published = b"".join(snapshot(tmp_path / "loud").values())
    assert b"contents and bytes" not in published and not re.search(rb"\d\.\d\d s\b", published)


def test_a_failing_process_prints_its_error_line_after_the_stages_that_ended(tmp_path, capsys, raw_copy):
    (raw_copy / "figures.csv").write_text("not,the,figures\n", encoding="utf-8")
    assert main(["process", "--raw", str(raw_copy), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("error: ") and len([line for line in err if line.startswith("error: ")]) == 1
    assert not any(line.startswith("load:") for line in err), "a stage that fails logs no time"
    assert not (tmp_path / "out").exists()
