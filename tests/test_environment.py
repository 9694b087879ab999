"""The build files agree: requirements.txt and environment.yml pin the same packages; CI calls the test command."""

from __future__ import annotations

import re

import yaml

from analysis.paths import PROJ_ROOT


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
