"""The "Code and data" downloads: a deterministic source archive, each notebook, the repository setting and the links to them."""

from __future__ import annotations

import zipfile

import yaml

from analysis.data.paths import PROJ_ROOT
from analysis.downloads import ARCHIVE_NAME, ARCHIVE_ROOT, build_downloads, repository_url, source_files, write_archive
from analysis.notebooks import notebook_paths


def test_source_archive_is_byte_stable_and_holds_the_project(tmp_path):
    a = write_archive(tmp_path / "a.zip")
    b = write_archive(tmp_path / "b.zip")
    assert a.read_bytes() == b.read_bytes()
    names = zipfile.ZipFile(a).namelist()
    for must in ("Makefile", "README.md", "analysis/downloads.py", "data/raw/datapackage.json", "data/processed/cases.csv"):
        assert f"{ARCHIVE_ROOT}/{must}" in names
    for nb in notebook_paths():
        assert f"{ARCHIVE_ROOT}/notebooks/{nb.name}" in names
    assert not [n for n in names if "/.venv/" in n or "/_site/" in n or "__pycache__" in n or "/downloads/" in n or "/.git/" in n]
    assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in zipfile.ZipFile(a).infolist())


def test_source_files_skip_environments_and_build_output(tmp_path):
    for rel in ("a.py", ".venv/x.py", "_site/index.html", "pkg/__pycache__/m.pyc", "downloads/x.zip", ".build/s", "x.egg-info/PKG-INFO"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    assert [p.as_posix() for p in source_files(tmp_path)] == ["a.py"]


def test_build_downloads_writes_the_archive_and_each_notebook(tmp_path):
    written = build_downloads(tmp_path)
    assert written[0] == tmp_path / ARCHIVE_NAME
    assert sorted(p.name for p in (tmp_path / "notebooks").iterdir()) == [p.name for p in notebook_paths()]


def test_the_site_builds_and_publishes_the_downloads():
    cfg = yaml.safe_load((PROJ_ROOT / "_quarto.yml").read_text(encoding="utf-8"))
    assert (PROJ_ROOT / cfg["project"]["pre-render"]).is_file()
    assert "build_downloads" in (PROJ_ROOT / cfg["project"]["pre-render"]).read_text()
    assert {"/downloads/*.zip", "/downloads/notebooks/*.ipynb"} <= set(cfg["project"]["resources"])
    navbar = [i for side in ("left", "right") for i in cfg["website"]["navbar"].get(side, [])]
    footer = [i for side in ("left", "center", "right") for i in (cfg["website"]["page-footer"].get(side) or []) if isinstance(i, dict)]
    for where in (navbar, footer):
        assert any(i.get("text") == "Code and data" and i.get("href") == "data.qmd#code-and-data" for i in where)
    data_page = (PROJ_ROOT / "data.qmd").read_text(encoding="utf-8")
    assert "## Code and data {#code-and-data}" in data_page and "repository_url()" in data_page


def test_repository_url_is_one_setting_in_quarto_yml(tmp_path):
    cfg = tmp_path / "_quarto.yml"
    cfg.write_text("website:\n  title: x\n")
    assert repository_url(cfg) is None
    cfg.write_text("website:\n  repo-url: https://example.org/o/r\n")
    assert repository_url(cfg) == "https://example.org/o/r"
    assert repository_url() is None or repository_url().startswith("https://")
