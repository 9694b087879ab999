"""Code style is part of the suite: ruff lint and format checks over the package, tests, benchmarks and notebooks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.data.paths import PROJ_ROOT

BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed in this environment (it is pinned in requirements.txt)")
    return found


@pytest.mark.parametrize(
    "args",
    [["ruff", "check", "."], ["ruff", "format", "--check", "."], ["nbqa", "ruff", "notebooks"]],
    ids=["ruff-check", "ruff-format", "nbqa-ruff"],
)
def test_lint(args):
    result = subprocess.run([_tool(args[0]), *args[1:]], cwd=PROJ_ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
