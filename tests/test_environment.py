"""The build files agree: requirements.txt and environment.yml pin the same packages; CI calls the test command."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
import yaml

from analysis.data.paths import PROJ_ROOT


def _pins(lines) -> dict[str, str]:
    pins = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        assert m, f"not pinned exactly: {line!r}"
        pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def test_requirements_match_environment_yml():
    req = _pins((PROJ_ROOT / "requirements.txt").read_text().splitlines())
    env = yaml.safe_load((PROJ_ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    assert "python=3.11" in conda
    assert _pins(pip_section) == req
    assert req, "no packages pinned"


def test_ci_runs_the_readme_test_command():
    readme = (PROJ_ROOT / "README.md").read_text()
    ci = (PROJ_ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make site" in readme
    assert re.search(r"^make test$", ci, re.M)


def test_makefile_targets():
    makefile = (PROJ_ROOT / "Makefile").read_text()
    for target in ("site:", "test:", "env:", "process:", "notebooks:", "render:"):
        assert re.search(rf"^{target}", makefile, re.M), target
    assert "QUARTO" in makefile and "quarto-cli" in makefile


def _make_render(tmp_path, env_extra):
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    env = {k: v for k, v in os.environ.items() if k != "QUARTO"}
    env["PATH"] = f"{tmp_path}:/usr/bin:/bin"  # no quarto unless the test puts one in tmp_path
    env.update(env_extra)
    # -o env: treat the environment as built, so only the render step runs
    return subprocess.run(
        [make, "--no-print-directory", "-o", "env", "render"], cwd=PROJ_ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_render_without_quarto_fails_with_instructions(tmp_path):
    result = _make_render(tmp_path, {})
    assert result.returncode != 0
    assert "Quarto CLI was not found" in result.stderr
    assert "pip install quarto-cli" in result.stderr and "quarto.org" in result.stderr


def test_render_uses_quarto_from_env_with_project_python(tmp_path):
    log = tmp_path / "calls.txt"
    stub = tmp_path / "fake-quarto"
    stub.write_text(f'#!/bin/sh\necho "$@|$QUARTO_PYTHON" > "{log}"\n')
    stub.chmod(0o755)
    result = _make_render(tmp_path, {"QUARTO": str(stub)})
    assert result.returncode == 0, result.stderr
    args, python = log.read_text().strip().split("|")
    assert args == "render"
    assert python == str(PROJ_ROOT / ".venv" / "bin" / "python")


def test_render_finds_quarto_on_path(tmp_path):
    log = tmp_path / "calls.txt"
    stub = tmp_path / "quarto"
    stub.write_text(f'#!/bin/sh\necho "$@" > "{log}"\n')
    stub.chmod(0o755)
    result = _make_render(tmp_path, {})
    assert result.returncode == 0, result.stderr
    assert log.read_text().strip() == "render"


def test_make_lab_opens_jupyterlab_on_the_notebooks():
    makefile = (PROJ_ROOT / "Makefile").read_text()
    assert re.search(r"^lab: env$", makefile, re.M), "make lab builds the environment first"
    assert "make lab" in (PROJ_ROOT / "README.md").read_text()
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    # -n: print the command without running it; -o env: treat the environment as built
    result = subprocess.run(
        [make, "--no-print-directory", "-n", "-o", "env", "lab", "LAB_ARGS=--no-browser --port=8890"],
        cwd=PROJ_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    command = result.stdout.strip().splitlines()[-1].split()
    assert command[:3] == [".venv/bin/jupyter", "lab", "--notebook-dir=notebooks"]
    assert command[-2:] == ["--no-browser", "--port=8890"]
