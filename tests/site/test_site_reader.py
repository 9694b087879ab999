"""analysis.site: the pages read where the figures come from in the processed set, and no page's code loads the raw package.

The source record, ``audit.json``'s metadata and the selection quote are published in the processed
set's ``datapackage.json`` (``sources`` and ``x_audit``, :mod:`analysis.data.provenance`). The pages'
Python runs here with the raw package's loader broken and ``$ANALYSIS_RAW`` naming a folder that does
not exist: Home, Methods and Glossary render whole, and the Data page's licence statement too (its
file list and raw data dictionary read ``data/raw/datapackage.json`` to offer the raw files for
download, which is what they are for; they never load the package).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from analysis import data_page, site
from analysis.data.load import load_audit
from analysis.data.paths import PROCESSED_DIR, PROJ_ROOT, RAW_DIR

#: A fenced Python chunk and an inline expression of a ``.qmd`` page.
CHUNK = re.compile(r"^```\{python\}[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
INLINE = re.compile(r"`\{python\}\s+([^`]+)`")

#: The pages that compute from the processed set alone.
PAGES = ("index.qmd", "methods.qmd", "glossary.qmd")

HARNESS = r"""
import contextlib, io, json, sys
from pathlib import Path

import analysis.data.load

def refused(*args, **kwargs):
    raise AssertionError("a page loaded the raw package (load_audit)")

analysis.data.load.load_audit = refused
import analysis.pipeline
analysis.pipeline.load_audit = refused

pages = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
results = {}
for page, segments in pages.items():
    namespace, shown = {"__name__": "__main__"}, io.StringIO()
    with contextlib.redirect_stdout(shown):
        for kind, text in segments:
            if kind == "code":
                exec(compile(text, page, "exec"), namespace)
            else:
                shown.write(str(eval(text, namespace)))
    from analysis import data_page
    results[page] = shown.getvalue()
results["licence"] = data_page.licence_statement()
Path(sys.argv[2]).write_text(json.dumps(results), encoding="utf-8")
"""


def segments(page: str) -> list[tuple[str, str]]:
    """The page's chunks and inline expressions in document order (its front matter left out)."""
    body = (PROJ_ROOT / page).read_text(encoding="utf-8").split("\n---\n", 1)[1]
    out: list[tuple[str, str]] = []
    pos = 0
    for m in CHUNK.finditer(body):
        out += [("inline", e.strip()) for e in INLINE.findall(body[pos : m.start()])]
        out.append(("code", m.group(1)))
        pos = m.end()
    return out + [("inline", e.strip()) for e in INLINE.findall(body[pos:])]


@pytest.mark.slow
def test_no_page_loads_the_raw_package(tmp_path):
    spec, out, harness = tmp_path / "pages.json", tmp_path / "out.json", tmp_path / "harness.py"
    spec.write_text(json.dumps({p: segments(p) for p in PAGES}), encoding="utf-8")
    harness.write_text(HARNESS, encoding="utf-8")
    env = {**__import__("os").environ, "MPLBACKEND": "Agg", "ANALYSIS_RAW": str(tmp_path / "no-raw-package-here")}
    proc = subprocess.run(
        [sys.executable, str(harness), str(spec), str(out)], cwd=PROJ_ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    shown = json.loads(out.read_text(encoding="utf-8"))
    assert set(shown) == {*PAGES, "licence"}
    assert "HM Inspectorate of Constabulary" in shown["index.qmd"] and "4 to 15 February 2019" in shown["index.qmd"]
    assert shown["licence"] == data_page.licence_statement()


def test_the_pages_read_what_the_raw_package_says_from_the_processed_set(monkeypatch):
    """The assertions of the old raw-package reader, moved: what the pages read is what the raw package says."""
    data = load_audit()

    def refused(*args, **kwargs):
        raise AssertionError("a page loaded the raw package")

    monkeypatch.setattr("analysis.data.load.load_audit", refused)
    monkeypatch.setenv("ANALYSIS_RAW", str(RAW_DIR / "no-such-folder"))
    read = site.provenance()
    assert read.meta == data.meta and dict(read.record) == dict(data.extra("source"))
    assert site.random_force_selected() is data.meta.said_random("force_selected") is True
    assert read.source_line == data.source_line
    assert list(read.licenses) == data.descriptor["licenses"]
    assert site.inspection_summary().startswith(f"{data.extra('source')['inspectorate']} inspected how Gwent Police")
    assert site.front_page().dates.startswith("Report published June 2019; inspection fieldwork 4 to 15 February 2019")
    assert "978-1-78655-832-9" in data_page.licence_statement()


def test_a_missing_processed_descriptor_stops_the_page_naming_it(tmp_path):
    from analysis.data.errors import AuditDataError

    with pytest.raises(AuditDataError, match=r"datapackage\.json: processed file not found; build it with `make site`"):
        site.provenance(tmp_path)
    assert (PROCESSED_DIR / "datapackage.json").is_file()
