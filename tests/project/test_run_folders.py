"""The suite's temporary folders go to memory only when nobody chose one and there is room, and are not left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import conftest as suite
import pytest


def _config(basetemp=None):
    return SimpleNamespace(option=SimpleNamespace(basetemp=basetemp))


@pytest.fixture
def memory(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "shm"
    folder.mkdir()
    monkeypatch.setattr(suite, "MEMORY_FOLDER", folder)
    return folder


def test_the_run_goes_to_memory_when_there_is_room(memory):
    config = _config()
    suite._temporary_folders_in_memory(config)
    assert config._memory_folder.parent == memory and config._memory_folder.name.startswith(f"{suite.MEMORY_PREFIX}{os.getpid()}-")
    assert config.option.basetemp == str(config._memory_folder / "run")
    (config._memory_folder / "run" / "popen-gw0").mkdir(parents=True)
    suite.pytest_unconfigure(config)
    assert list(memory.iterdir()) == [], "the run's folder was left in memory"


def test_a_chosen_basetemp_or_too_little_room_leaves_the_run_where_it_was(memory, monkeypatch):
    chosen = _config("mine")
    suite._temporary_folders_in_memory(chosen)
    assert chosen.option.basetemp == "mine" and not hasattr(chosen, "_memory_folder")
    monkeypatch.setattr(suite, "MEMORY_NEEDED", 1 << 62)
    config = _config()
    suite._temporary_folders_in_memory(config)
    assert config.option.basetemp is None and list(memory.iterdir()) == []


def test_the_folders_of_killed_runs_are_removed_and_running_ones_kept(memory):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    killed = memory / f"{suite.MEMORY_PREFIX}{dead.stdout.strip()}-abc"
    running = memory / f"{suite.MEMORY_PREFIX}{os.getppid()}-def"
    other = memory / "someone-elses"
    for folder in (killed, running, other):
        (folder / "run").mkdir(parents=True)
    suite._temporary_folders_in_memory(_config())
    assert not killed.exists() and running.exists() and other.exists()
