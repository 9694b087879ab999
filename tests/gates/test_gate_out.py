"""The one gate out: the processed set is published whole or not at all, never over the raw data, one run at a time."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import QUICK_PROCESS, messages

from analysis.cli import main
from analysis.data import publish as pub
from analysis.data.errors import PublishError
from analysis.data.paths import PROCESSED_DIR, RAW_DIR


@pytest.fixture(scope="module")
def payload() -> dict[str, bytes]:
    """The bytes of the current processed set, built once (publishing is what these tests exercise)."""
    return {p.name: p.read_bytes() for p in pub.set_files(PROCESSED_DIR)}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in pub.set_files(folder)}


def old_set(folder: Path) -> dict[str, bytes]:
    """A complete processed set that differs from the current one (an older run's), written into ``folder``."""
    folder.mkdir(parents=True)
    for path in pub.set_files(PROCESSED_DIR):
        data = path.read_bytes()
        (folder / path.name).write_bytes(data + b"\n" if path.suffix == ".csv" else data)
    return snapshot(folder)


def fails(argv: list[str], capsys, *must_contain: str) -> str:
    assert main(argv) == 1
    err = capsys.readouterr().err
    [line] = messages(err)
    assert line.startswith("error: ") and "Traceback" not in err
    for text in must_contain:
        assert text in line, (text, line)
    return line


# --------------------------------------------------------------------------- --out and --raw


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (its subfolders included, such as the other forces' packages), by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("where", ["same", "inside", "containing"])
def test_out_overlapping_raw_is_refused_before_anything_is_read(tmp_path, raw_copy, capsys, where):
    raw_before = files_under(raw_copy)
    out = {"same": raw_copy, "inside": raw_copy / "processed", "containing": raw_copy.parent}[where]
    (raw_copy / "datapackage.json").write_text("not json", encoding="utf-8")  # would fail if it were read
    raw_before["datapackage.json"] = b"not json"
    fails(["process", "--raw", str(raw_copy), "--out", str(out)], capsys, "raw folder", "choose another --out")
    assert files_under(raw_copy) == raw_before
    assert not (raw_copy / "processed").exists()


def test_out_overlapping_raw_through_a_link_is_refused(tmp_path, raw_copy, capsys):
    link = tmp_path / "link"
    link.symlink_to(raw_copy)
    fails(["process", "--raw", str(raw_copy), "--out", str(link)], capsys, "raw folder")


def test_default_folders_do_not_overlap():
    assert RAW_DIR.resolve() not in PROCESSED_DIR.resolve().parents and PROCESSED_DIR.resolve() not in RAW_DIR.resolve().parents


@pytest.mark.parametrize("kind", ["a file", "under a file"])
def test_out_that_cannot_be_a_folder(tmp_path, capsys, kind):
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    out = target if kind == "a file" else target / "processed"
    fails(["process", "--out", str(out)], capsys, "file")
    assert target.read_text(encoding="utf-8") == "x"


def test_out_holding_other_files_is_not_replaced(tmp_path, capsys):
    out = tmp_path / "documents"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    fails(["process", "--out", str(out)], capsys, "did not publish", "notes.txt")
    assert snapshot(out) == {"notes.txt": b"mine"}


def test_an_empty_out_folder_is_used(tmp_path, payload):
    out = tmp_path / "empty"
    out.mkdir()
    pub.publish(payload, out)
    assert snapshot(out) == snapshot(PROCESSED_DIR)


# --------------------------------------------------------------------------- one run at a time


def test_a_second_concurrent_run_fails_clearly(tmp_path, capsys, payload):
    out = tmp_path / "processed"
    before = old_set(out)
    with pub._Lock(out.resolve()):  # a first run holds the lock
        fails(["process", "--out", str(out)], capsys, "another run is publishing", "wait for it")
        assert snapshot(out) == before
    pub.publish(payload, out)  # released: the next run goes through
    assert snapshot(out) == snapshot(PROCESSED_DIR)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["processed"]


# --------------------------------------------------------------------------- whole old set or whole new set


@pytest.mark.parametrize("point", pub.KILL_POINTS)
def test_a_kill_leaves_the_whole_old_or_the_whole_new_set(tmp_path, point, payload):
    out = tmp_path / "processed"
    before = old_set(out)
    env = {**os.environ, pub.KILL_AT_ENV: point}
    # the command line's process, publishing the current set without computing it again (publishing is what is killed)
    argv = [sys.executable, "-c", QUICK_PROCESS, str(PROCESSED_DIR), "process", "--out", str(out)]
    result = subprocess.run(argv, env=env, cwd=tmp_path, check=False)
    assert result.returncode == -9, "the run was meant to be killed"
    after = snapshot(out)
    assert after in (before, snapshot(PROCESSED_DIR)), f"killed at {point!r}: a mix of old and new files"
    if point in ("locked", "staging", "staged"):
        assert after == before
    # the next run cleans what the killed one left and publishes the new set
    pub.publish(payload, out)
    assert snapshot(out) == snapshot(PROCESSED_DIR)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["processed"], "stray files beside --out"


def test_a_kill_between_two_renames_is_repaired(tmp_path, monkeypatch, payload):
    """Where the system lacks an atomic exchange, the set is moved aside first; a run killed then is repaired by the next."""
    out = tmp_path / "processed"
    before = old_set(out)
    os.rename(out, tmp_path / ".processed.analysis-old-12345-0a1b2c3d")  # the state a kill between the two renames leaves
    monkeypatch.setattr(pub, "_exchange", lambda a, b: False)
    with pub._Lock(out):
        pub._clean_leftovers(out)
    assert snapshot(out) == before
    pub.publish(payload, out)
    assert snapshot(out) == snapshot(PROCESSED_DIR)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["processed"]


def test_the_two_rename_fallback_publishes_the_new_set(tmp_path, monkeypatch, payload):
    out = tmp_path / "processed"
    old_set(out)
    monkeypatch.setattr(pub, "_exchange", lambda a, b: False)
    pub.publish(payload, out)
    assert snapshot(out) == snapshot(PROCESSED_DIR)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["processed"]


@pytest.mark.parametrize("failing_call", ["mkdir", "write", "rename"])
def test_a_full_disk_leaves_the_old_set_and_no_staging(tmp_path, monkeypatch, failing_call, payload):
    out = tmp_path / "processed"
    before = old_set(out)

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path))

    if failing_call == "mkdir":
        monkeypatch.setattr(Path, "mkdir", no_space)
    elif failing_call == "write":
        real_open = open

        def open_full(file, mode="r", *args, **kwargs):
            if "x" in mode:
                handle = real_open(file, mode, *args, **kwargs)
                handle.write = no_space
                return handle
            return real_open(file, mode, *args, **kwargs)

        monkeypatch.setattr("builtins.open", open_full)
    else:
        monkeypatch.setattr(pub, "_exchange", no_space)
    with pytest.raises(PublishError, match="could not publish.*No space left on device.*previous set is unchanged"):
        pub.publish(payload, out)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["processed"]


def test_a_read_only_place_gives_one_line(tmp_path, monkeypatch, payload):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(tmp_path / "lock"))

    monkeypatch.setattr(pub.os, "open", read_only)
    with pytest.raises(PublishError, match="lock file.*Read-only file system") as err:
        pub.publish(payload, tmp_path / "processed")
    assert "\n" not in str(err.value)


def test_publish_refuses_what_is_not_a_set(tmp_path):
    with pytest.raises(PublishError, match="is a file"):
        target = tmp_path / "f"
        target.write_text("", encoding="utf-8")
        pub.publish({"a.csv": b"x\n"}, target)


# --------------------------------------------------------------------------- only process writes data/processed


def test_nothing_but_process_writes_processed_files():
    """Notebooks, the site and the sections compute in memory: only analysis.pipeline.process calls publish."""
    root = Path(__file__).resolve().parents[2]
    callers = []
    for path in [*root.glob("analysis/**/*.py"), *root.glob("notebooks/*.ipynb"), *root.glob("*.qmd")]:
        text = path.read_text(encoding="utf-8")
        if "publish(" in text and path.name not in ("publish.py", "pipeline.py"):
            callers.append(path.name)
        for forbidden in ("write_stage", "write_tables", ".to_csv(", "process("):
            if forbidden in text and path.parent.name in ("notebooks", "sections") or (forbidden in text and path.suffix == ".qmd"):
                callers.append(f"{path.name}: {forbidden}")
    assert callers == []


def test_the_staging_and_lock_names_are_ignored_by_git():
    text = (Path(__file__).resolve().parents[2] / ".gitignore").read_text(encoding="utf-8")
    assert "data/.processed.*" in text


def test_stray_files_from_old_runs_are_removed(tmp_path, payload):
    out = tmp_path / "processed"
    old_set(out)
    (tmp_path / ".processed.analysis-staging-999-0a1b2c3d").mkdir()
    (tmp_path / ".processed.analysis-staging-999-0a1b2c3d" / "cases.csv").write_text("half", encoding="utf-8")
    (tmp_path / ".processed.analysis-lock").write_text("", encoding="utf-8")
    pub.publish(payload, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["processed"]
    shutil.rmtree(out)
