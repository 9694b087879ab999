"""The site's build as Quarto 1.11 runs it: which pages it renders, where the pre-render step writes, what it adds to .gitignore, and renders that repeat only what changed.

Quarto is not needed: its rules are ported from its source (src/core/path.ts ``resolveGlobs``,
src/command/render/project.ts ``runScripts``, src/project/project-gitignore.ts) and a stub Quarto
stands in for the CLI.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from analysis import render as site_render
from analysis import stamps
from analysis.data.paths import PROJ_ROOT
from analysis.downloads import ARCHIVE_NAME, ARCHIVE_ROOT, build_downloads
from analysis.notebooks import notebook_paths

PAGES = {
    "index.qmd",
    "methods.qmd",
    "glossary.qmd",
    "data.qmd",
    "reproduce.qmd",
    *(f"notebooks/{p.name}" for p in notebook_paths()),
}


def _config() -> dict:
    return yaml.safe_load((PROJ_ROOT / "_quarto.yml").read_text(encoding="utf-8"))


def _skeleton(root: Path, quarto_yml: str | None = None) -> Path:
    """A project folder with the real _quarto.yml (or ``quarto_yml``), every page, styles and assets (pages copied, so they compute as the real ones do)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "_quarto.yml").write_text(quarto_yml or (PROJ_ROOT / "_quarto.yml").read_text(encoding="utf-8"), encoding="utf-8")
    for page in PAGES:
        (root / page).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PROJ_ROOT / page, root / page)
    shutil.copyfile(PROJ_ROOT / "styles.css", root / "styles.css")
    shutil.copytree(PROJ_ROOT / "assets", root / "assets")
    return root


# --------------------------------------------------------------------------- item 1: the render list


def test_quarto_globs_are_ported_as_quarto_resolves_them(tmp_path):
    (tmp_path / "notebooks").mkdir()
    # src/core/path.ts: a smart glob without a leading "/" gets "**/" in front; "/" roots it; a plain name stays
    assert site_render.full_glob("notebooks/*.ipynb", tmp_path) == "**/notebooks/*.ipynb"
    assert site_render.full_glob("/notebooks/*.ipynb", tmp_path) == "notebooks/*.ipynb"
    assert site_render.full_glob("index.qmd", tmp_path) == "index.qmd"
    assert site_render.full_glob("notebooks", tmp_path, "always") == "**/notebooks/**/*"
    assert site_render.full_glob("./x/*.md", tmp_path) == "x/*.md"
    assert site_render.full_glob("data/raw/*.csv", tmp_path, "always") == "**/data/raw/*.csv"


def test_render_list_is_the_eleven_pages_even_after_the_downloads_are_built(tmp_path):
    root = _skeleton(tmp_path / "p")
    (root / "downloads" / "notebooks").mkdir(parents=True)
    for nb in notebook_paths():
        shutil.copyfile(nb, root / "downloads" / "notebooks" / nb.name)
    assert set(site_render.render_pages(root)) == PAGES
    assert len(site_render.render_pages(root)) == len(PAGES) == 11
    # the entry as it was ("notebooks/*.ipynb") matched the copies too: the port reproduces Quarto's 17 pages
    old = (root / "_quarto.yml").read_text(encoding="utf-8").replace('"/notebooks/*.ipynb"', '"notebooks/*.ipynb"')
    (root / "_quarto.yml").write_text(old, encoding="utf-8")
    assert len(site_render.render_pages(root)) == 17


def test_every_glob_in_the_configuration_is_rooted_at_the_project():
    cfg = _config()["project"]
    globs = [g for g in cfg["render"] if site_render.full_glob(g, PROJ_ROOT, "auto").startswith("**/")]
    globs += [g for g in cfg["resources"] if site_render.full_glob(g, PROJ_ROOT, "always").startswith("**/")]
    assert not globs, f"globs that Quarto matches at any depth: {globs}"


def test_resources_do_not_reach_into_other_folders(tmp_path):
    root = _skeleton(tmp_path / "p")
    for rel in ("data/raw/a.csv", "data/processed/b.csv", "tests/fixtures/pkg/data/raw/c.csv", "downloads/x.zip", "deep/downloads/y.zip"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x", encoding="utf-8")
    found = site_render.expand(_config()["project"]["resources"], root, "always")
    assert sorted(found) == ["data/processed/b.csv", "data/raw/a.csv", "downloads/x.zip"]


# --------------------------------------------------------------------------- item 3: the pre-render step


def _pre_render(cwd: Path, env: dict | None = None) -> subprocess.Popen:
    script = PROJ_ROOT / _config()["project"]["pre-render"]
    return subprocess.Popen(
        [sys.executable, str(script)], cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_pre_render_writes_into_the_project_being_rendered(tmp_path):
    # Quarto runs pre-render scripts with the project's folder as the working directory (runScripts: cwd: projDir)
    root = tmp_path / "copy"
    (root / "notebooks").mkdir(parents=True)
    (root / "notebooks" / "01_only.ipynb").write_text("{}", encoding="utf-8")
    (root / "only-here.txt").write_text("x", encoding="utf-8")
    installed = PROJ_ROOT / "downloads" / ARCHIVE_NAME
    before = installed.stat().st_mtime_ns if installed.exists() else None
    proc = _pre_render(root)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    names = zipfile.ZipFile(root / "downloads" / ARCHIVE_NAME).namelist()
    assert f"{ARCHIVE_ROOT}/only-here.txt" in names and f"{ARCHIVE_ROOT}/analysis/downloads.py" not in names
    assert [p.name for p in (root / "downloads" / "notebooks").iterdir()] == ["01_only.ipynb"]
    after = installed.stat().st_mtime_ns if installed.exists() else None
    assert before == after, "the pre-render step wrote into the installed package's folder"


def test_two_renders_at_once_do_not_collide(tmp_path):
    root = tmp_path / "copy"
    (root / "notebooks").mkdir(parents=True)
    for i in range(3):
        (root / "notebooks" / f"0{i}_x.ipynb").write_text(json.dumps({"n": i}), encoding="utf-8")
    (root / "big.bin").write_bytes(os.urandom(1 << 20))
    procs = [_pre_render(root) for _ in range(4)]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, [err for _, err in results]
    assert zipfile.ZipFile(root / "downloads" / ARCHIVE_NAME).testzip() is None
    assert not [p.name for p in (root / "downloads").rglob("*") if p.name.endswith(".tmp")], "temporary files left behind"


def test_build_downloads_leaves_no_temporary_file(tmp_path):
    build_downloads(tmp_path / "d")
    assert not [p for p in (tmp_path / "d").rglob("*") if p.name.startswith(".")]


# --------------------------------------------------------------------------- item 4: .gitignore


def quarto_gitignore_additions(root: Path) -> list[str]:
    """The lines Quarto 1.11 would append to ``root/.gitignore`` on a render (src/project/project-gitignore.ts, ``ensureGitignore``)."""
    lines = [line.strip() for line in (root / ".gitignore").read_text(encoding="utf-8").splitlines()]
    required = ["/.quarto/", "**/*.quarto_ipynb"]  # kQuartoIgnore
    env = root / "env"
    if env.is_dir() and ((env / "pyvenv.cfg").is_file() or (env / "conda-meta").is_dir()):  # isEnvDir
        required.insert(0, "/env/")
    missing = [entry for entry in required if entry not in lines]
    if "/_*.local" not in lines and any(p.name.startswith("_") and p.name.endswith(".local") for p in root.iterdir()):
        missing.append("/_*.local")
    return missing


def test_a_render_adds_nothing_to_gitignore():
    assert quarto_gitignore_additions(PROJ_ROOT) == []


def test_the_gitignore_check_finds_what_quarto_would_add(tmp_path):
    (tmp_path / ".gitignore").write_text(".quarto/\n_site/\n", encoding="utf-8")
    assert quarto_gitignore_additions(tmp_path) == ["/.quarto/", "**/*.quarto_ipynb"]
    (tmp_path / ".gitignore").write_text("  /.quarto/ \n**/*.quarto_ipynb\n", encoding="utf-8")
    assert quarto_gitignore_additions(tmp_path) == []


# --------------------------------------------------------------------------- item 5: render only what changed

STUB = """#!/bin/sh
# A stand-in for Quarto: records its arguments and writes the pages it is asked for into _site/.
echo "$*" >> "{log}"
shift
if [ $# -eq 0 ]; then set -- {pages}; fi
for page in "$@"; do
  out="_site/$(echo "$page" | sed -E 's/\\.(qmd|ipynb)$/.html/')"
  mkdir -p "$(dirname "$out")" && echo rendered > "$out"
done
"""


@pytest.fixture
def stub_project(tmp_path):
    root = _skeleton(tmp_path / "p")
    log = tmp_path / "calls.txt"
    stub = tmp_path / "quarto"
    stub.write_text(STUB.format(log=log, pages=" ".join(sorted(PAGES))), encoding="utf-8")
    stub.chmod(stub.stat().st_mode | stat.S_IXUSR)
    return root, stub, log, tmp_path / "stamps"


def _calls(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def test_a_second_render_with_nothing_changed_renders_nothing(stub_project, capsys):
    root, stub, log, stamp_root = stub_project
    assert sorted(site_render.render(str(stub), root, stamp_root)) == sorted(PAGES)
    assert _calls(log) == ["render"]
    assert "_site/ does not exist yet" in capsys.readouterr().out
    assert site_render.render(str(stub), root, stamp_root) == []
    assert _calls(log) == ["render"]
    assert "up to date" in capsys.readouterr().out


def test_a_change_renders_the_pages_it_touches_or_all_saying_why(stub_project, capsys):
    root, stub, log, stamp_root = stub_project
    site_render.render(str(stub), root, stamp_root)
    nb = root / "notebooks" / "03_samples.ipynb"
    nb.write_bytes(nb.read_bytes() + b"\n")
    assert sorted(site_render.render(str(stub), root, stamp_root)) == [
        "data.qmd",
        "notebooks/03_samples.ipynb",
    ]  # the Data page offers the notebook
    (root / "reproduce.qmd").write_text((root / "reproduce.qmd").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert sorted(site_render.render(str(stub), root, stamp_root)) == ["data.qmd", "reproduce.qmd"]
    (root / "_site" / "methods.html").unlink()
    assert site_render.render(str(stub), root, stamp_root) == ["methods.qmd"]
    capsys.readouterr()
    (root / "styles.css").write_text("/* changed */\n", encoding="utf-8")
    assert sorted(site_render.render(str(stub), root, stamp_root)) == sorted(PAGES)
    assert "styles.css" in capsys.readouterr().out
    assert _calls(log)[-1] == "render"
    assert "render notebooks/03_samples.ipynb" in _calls(log) and "render reproduce.qmd" in _calls(log)


def test_a_failed_render_leaves_the_page_due(stub_project):
    root, stub, log, stamp_root = stub_project
    site_render.render(str(stub), root, stamp_root)
    failing = stub.parent / "failing-quarto"
    failing.write_text("#!/bin/sh\nexit 3\n", encoding="utf-8")
    failing.chmod(0o755)
    (root / "reproduce.qmd").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    from analysis.data.errors import PublishError

    with pytest.raises(PublishError, match="exit code 3"):
        site_render.render(str(failing), root, stamp_root)
    assert site_render.plan(root, stamp_root=stamp_root).pages == ("data.qmd", "reproduce.qmd")


def test_computing_pages_depend_on_the_code_and_data():
    inputs = {p.relative_to(PROJ_ROOT).as_posix() for p in site_render.page_inputs("index.qmd") if p.is_relative_to(PROJ_ROOT)}
    assert {"index.qmd", "analysis", "requirements.txt", "data/raw", "data/processed"} <= inputs
    assert [p.name for p in site_render.page_inputs("reproduce.qmd")] == ["reproduce.qmd"]
    assert [p.name for p in site_render.page_inputs("notebooks/01_data.ipynb")] == ["01_data.ipynb"]


def test_stamps_ignore_checkpoints_and_see_deletions(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.csv").write_text("1", encoding="utf-8")
    before = stamps.digest([tmp_path / "d"], tmp_path)
    (tmp_path / "d" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "d" / ".ipynb_checkpoints" / "a-checkpoint.csv").write_text("2", encoding="utf-8")
    assert stamps.digest([tmp_path / "d"], tmp_path) == before
    (tmp_path / "d" / "a.csv").unlink()
    assert stamps.digest([tmp_path / "d"], tmp_path) != before


def test_make_site_uses_the_stamps():
    makefile = (PROJ_ROOT / "Makefile").read_text(encoding="utf-8")
    assert "python -m analysis process --changed" in makefile
    assert "python -m analysis run-notebooks --changed" in makefile
    assert "RENDER_ARGS ?= --changed" in makefile and "-m analysis render" in makefile
