"""The build files agree: requirements.txt and environment.yml pin the same packages; CI calls the test command."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
import yaml

from analysis.data.paths import PROJ_ROOT

#: Conda packages in environment.yml that requirements.txt does not list, each with the reason.
#: This is the only difference allowed between the two files.
CONDA_ONLY = {
    "quarto": "the Quarto CLI: PyPI's quarto-cli downloads Quarto's binary while it installs, which needs general internet access",
}
#: Conda entries that are the environment itself, not project packages.
CONDA_BASE = ("python", "pip")
PIN = re.compile(r"([A-Za-z0-9_.\-]+)==([^\s;]+)")
CONDA_SPEC = re.compile(r"([A-Za-z0-9_.\-]+)\s*(?:(==?|>=|<=|>|<|!=)\s*([^\s,]+))?")


def _name(name: str) -> str:
    return name.lower().replace("_", "-")


def _pins(lines) -> dict[str, str]:
    pins = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = PIN.fullmatch(line)
        assert m, f"not pinned exactly: {line!r}"
        pins[_name(m.group(1))] = m.group(2)
    return pins


def environment_mismatches(requirements_text: str, environment_yml_text: str) -> list[str]:
    """Every way environment.yml differs from requirements.txt beyond :data:`CONDA_ONLY` (empty if they agree).

    A package of requirements.txt must appear exactly once in environment.yml: pinned to the same
    version in its pip list (``name==version``), or as a conda package pinned to the same version
    (``name=version`` or ``name==version``). environment.yml may add only the packages named in
    :data:`CONDA_ONLY`, as conda packages, and requirements.txt must not list those.
    """
    req = _pins(requirements_text.splitlines())
    deps = yaml.safe_load(environment_yml_text)["dependencies"]
    pip_sections = [d["pip"] for d in deps if isinstance(d, dict) and "pip" in d]
    problems = [f"environment.yml has {len(pip_sections)} pip sections, expected 1"] if len(pip_sections) != 1 else []
    pip = _pins(pip_sections[0]) if pip_sections else {}
    conda: dict[str, tuple[str | None, str | None]] = {}
    for spec in (d for d in deps if isinstance(d, str)):
        m = CONDA_SPEC.fullmatch(spec.strip())
        assert m, f"cannot read conda spec {spec!r}"
        conda[_name(m.group(1))] = (m.group(2), m.group(3))
    if conda.get("python") != ("=", "3.11"):
        problems.append("conda must pin python=3.11")
    for name in sorted(set(pip) & set(conda)):
        problems.append(f"{name} is both a conda and a pip package in environment.yml")
    for name, reason in CONDA_ONLY.items():
        if name not in conda:
            problems.append(f"{name} missing from the conda packages ({reason})")
        if name in req:
            problems.append(f"{name} is in requirements.txt but is documented as conda-only")
    from_conda = {n: v for n, v in conda.items() if n not in CONDA_BASE and n not in CONDA_ONLY}
    for name, (op, _) in sorted(from_conda.items()):
        if op not in ("=", "=="):
            problems.append(f"conda package {name} is not pinned to one version")
    env = {**pip, **{n: version for n, (_, version) in from_conda.items()}}
    for name in sorted(set(req) | set(env)):
        if name not in env:
            problems.append(f"{name}=={req[name]} is in requirements.txt but not in environment.yml")
        elif name not in req:
            problems.append(f"{name} is in environment.yml but not in requirements.txt")
        elif env[name] != req[name]:
            problems.append(f"{name}: requirements.txt pins {req[name]}, environment.yml {env[name]}")
    return problems


def test_requirements_match_environment_yml():
    req_text = (PROJ_ROOT / "requirements.txt").read_text()
    assert _pins(req_text.splitlines()), "no packages pinned"
    assert environment_mismatches(req_text, (PROJ_ROOT / "environment.yml").read_text()) == []


def test_environment_yml_takes_quarto_jupyterlab_and_seaborn_from_conda():
    deps = yaml.safe_load((PROJ_ROOT / "environment.yml").read_text())["dependencies"]
    conda = {CONDA_SPEC.fullmatch(d).group(1) for d in deps if isinstance(d, str)}
    assert {"quarto", "jupyterlab", "seaborn"} <= conda
    assert yaml.safe_load((PROJ_ROOT / "environment.yml").read_text())["channels"] == ["conda-forge"]


REQ = "# pins\nalpha==1.0\nbeta-pkg==2.0\ngamma==3.0\n"
ENV = """\
dependencies:
  - python=3.11
  - gamma=3.0
  - quarto>=1.4
  - pip
  - pip:
      - alpha==1.0
      - beta_pkg==2.0
"""


@pytest.mark.parametrize(
    ("req", "env", "expected"),
    [
        (REQ, ENV.replace("alpha==1.0", "alpha==1.1"), "alpha: requirements.txt pins 1.0, environment.yml 1.1"),
        (REQ, ENV.replace("gamma=3.0", "gamma=3.1"), "gamma: requirements.txt pins 3.0, environment.yml 3.1"),
        (REQ, ENV.replace("gamma=3.0", "gamma>=3.0"), "conda package gamma is not pinned to one version"),
        (REQ, ENV.replace("      - alpha==1.0\n", ""), "alpha==1.0 is in requirements.txt but not in environment.yml"),
        (REQ, ENV.replace("  - quarto>=1.4\n", ""), "quarto missing from the conda packages"),
        (
            REQ,
            ENV.replace("  - quarto>=1.4\n", "  - quarto>=1.4\n  - nodejs=20\n"),
            "nodejs is in environment.yml but not in requirements.txt",
        ),
        (REQ, ENV + "      - delta==4.0\n", "delta is in environment.yml but not in requirements.txt"),
        (REQ, ENV + "      - gamma==3.0\n", "gamma is both a conda and a pip package"),
        (REQ + "quarto==1.6.0\n", ENV, "quarto is in requirements.txt but is documented as conda-only"),
        (REQ, ENV.replace("python=3.11", "python=3.12"), "conda must pin python=3.11"),
    ],
)
def test_environment_check_finds_each_mismatch(req, env, expected):
    assert environment_mismatches(REQ, ENV) == []
    problems = environment_mismatches(req, env)
    assert any(expected in p for p in problems), problems


def test_ci_runs_the_readme_test_command():
    readme = (PROJ_ROOT / "README.md").read_text()
    ci = (PROJ_ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make site" in readme
    assert re.search(r"^make test$", ci, re.M)


def test_makefile_targets():
    makefile = (PROJ_ROOT / "Makefile").read_text()
    for target in ("site:", "test:", "test-fast:", "env:", "process:", "notebooks:", "render:"):
        assert re.search(rf"^{target}", makefile, re.M), target
    assert "QUARTO" in makefile and "quarto-cli" in makefile


def _make_render(tmp_path, env_extra):
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    env = {k: v for k, v in os.environ.items() if k != "QUARTO"}
    env["PATH"] = f"{tmp_path}:/usr/bin:/bin"  # no quarto unless the test puts one in tmp_path
    env["ANALYSIS_STAMPS"] = str(tmp_path / "stamps")  # a stub's render leaves no stamps in the project
    env.update(env_extra)
    # -o env: treat the environment as built, so only the render step runs
    # render-all: every page in one `quarto render`, whatever stamps say
    return subprocess.run(
        [make, "--no-print-directory", "-o", "env", "render-all"], cwd=PROJ_ROOT, env=env, capture_output=True, text=True, check=False
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
    assert command[:2] == [".venv/bin/jupyter", "lab"]
    # Lab serves the project folder (so the notebooks' links to ../glossary.md, ../reproduce.md and
    # ../data/ open those files) and opens on notebooks/
    assert f"--ServerApp.root_dir={PROJ_ROOT}" in command or f'--ServerApp.root_dir="{PROJ_ROOT}"' in command
    assert "--ServerApp.default_url=/lab/tree/notebooks" in command
    assert command[-2:] == ["--no-browser", "--port=8890"]
