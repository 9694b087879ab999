"""Tests of the website: its configuration, its pages and the functions behind them (analysis.site).

Most tests need no Quarto: they parse ``_quarto.yml``, the notebooks and the ``.qmd`` pages, and
run the pages' Python chunks (and inline expressions) in a subprocess. The render test at the
end needs the Quarto CLI (``$QUARTO`` or ``quarto`` on PATH) and is skipped with a reason otherwise.
"""

from __future__ import annotations

import html
import itertools
import json
import math
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from analysis import data_page, site
from analysis.data.errors import AuditDataError
from analysis.data.paths import PROCESSED_DIR, PROJ_ROOT, RAW_DIR
from analysis.grades import GRADES
from analysis.render import expand, render_pages

QUARTO_YML = PROJ_ROOT / "_quarto.yml"
QMD_PAGES = ("index.qmd", "methods.qmd", "glossary.qmd", "data.qmd", "reproduce.qmd")
NOTEBOOK_PAGES = (
    "notebooks/01_data.ipynb",
    "notebooks/02_self_assessment_vs_inspection.ipynb",
    "notebooks/03_samples.ipynb",
    "notebooks/04_practice_areas.ipynb",
    "notebooks/05_national_context.ipynb",
    "notebooks/06_coverage.ipynb",
)
#: Reading order of the site.
PAGES = ("index.qmd", *NOTEBOOK_PAGES, "methods.qmd", "glossary.qmd", "data.qmd", "reproduce.qmd")

MACHINE_PATH = re.compile(r"(/work/|/root/|/home/|/tmp/|/Users/|/var/folders/|site-packages|file://|\b[A-Za-z]:\\)")
THIRD_PARTY = [
    re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//", re.I),
    re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^\"'\s>]*[\"']?[^>]*>", re.I),
    re.compile(r"@import\s+(?:url\()?\s*[\"']?(?:https?:)?//", re.I),
    re.compile(r"\bimport\b[^;\n]*?[\"'](?:https?:)?//", re.I),
    re.compile(r"fonts\.googleapis|googletagmanager|google-analytics", re.I),
]
#: Output types that make Quarto load scripts from a CDN (Jupyter widgets, Plotly) or run page scripts.
SCRIPT_MIMETYPES = ("application/vnd.jupyter.widget", "application/vnd.plotly", "application/javascript")
REF = re.compile(r"(?<![\w@.])@((?:fig|tbl)-[A-Za-z0-9_-]*[A-Za-z0-9])")
INLINE = re.compile(r"`\{python\}\s+([^`]+)`")
CHUNK = re.compile(r"^```\{python\}[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
OPTION = re.compile(r"^#\|\s?(.*)$")


# --------------------------------------------------------------------------- helpers


def config() -> dict:
    return yaml.safe_load(QUARTO_YML.read_text(encoding="utf-8"))


def _hrefs(node) -> list[str]:
    """Every ``href`` (or bare page name) in a navigation structure, in order."""
    out: list[str] = []
    if isinstance(node, str):
        if re.search(r"\.(qmd|ipynb|md)$", node):
            out.append(node)
    elif isinstance(node, list):
        for item in node:
            out += _hrefs(item)
    elif isinstance(node, dict):
        if isinstance(node.get("href"), str):
            out.append(node["href"])
        for key in ("left", "right", "center", "menu", "contents"):
            if key in node:
                out += _hrefs(node[key])
    return out


def _local(hrefs) -> list[str]:
    return [h.split("#")[0] for h in hrefs if not re.match(r"^[a-z]+:", h)]


def navbar_pages(cfg) -> list[str]:
    return list(dict.fromkeys(_local(_hrefs(cfg["website"]["navbar"]))))


def sidebar_pages(cfg) -> list[str]:
    return _local(_hrefs(cfg["website"]["sidebar"]))


def named_pages(cfg) -> list[str]:
    """Every local page the configuration names (navbar, sidebar, footer), without repeats."""
    web = cfg["website"]
    return list(dict.fromkeys(_local(_hrefs(web.get("navbar")) + _hrefs(web.get("sidebar")) + _hrefs(web.get("page-footer")))))


def cell_options(cell) -> dict:
    """The ``#|`` options at the top of a notebook code cell, parsed as YAML."""
    return chunk_options(cell.source)


def chunk_options(code: str) -> dict:
    """The ``#|`` options at the top of a code chunk, parsed as YAML."""
    lines = []
    for line in code.splitlines():
        m = OPTION.match(line)
        if not m:
            break
        lines.append(m.group(1))
    return (yaml.safe_load("\n".join(lines)) or {}) if lines else {}


def read_nb(path: Path):
    return nbformat.read(path, as_version=4)


def existing_notebooks() -> list[str]:
    return [p for p in NOTEBOOK_PAGES if (PROJ_ROOT / p).exists()]


def notebook_or_skip(page: str):
    path = PROJ_ROOT / page
    if not path.exists():
        pytest.skip(f"{page} does not exist yet (test_every_named_page_exists reports it)")
    return read_nb(path)


def output_texts(cell) -> list[str]:
    """Every text an output of ``cell`` carries (stream text, plain/HTML/Markdown data, error traces)."""
    out = []
    for o in cell.get("outputs", []):
        if "text" in o:
            out.append(o["text"])
        for mime, value in o.get("data", {}).items():
            if mime.startswith("text/") or mime.endswith("json"):
                out.append(value if isinstance(value, str) else json.dumps(value))
        if "traceback" in o:
            out.append("\n".join(o["traceback"]))
    return out


def split_qmd(text: str) -> tuple[dict, str]:
    """Front matter (parsed) and body of a ``.qmd`` page."""
    m = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.S)
    assert m, "a .qmd page starts with YAML front matter"
    return yaml.safe_load(m.group(1)) or {}, m.group(2)


def qmd_segments(body: str) -> list[tuple[str, str]]:
    """The body in document order as ("code", chunk) and ("inline", expression) segments."""
    segments: list[tuple[str, str]] = []
    pos = 0
    for m in CHUNK.finditer(body):
        segments += [("inline", e.strip()) for e in INLINE.findall(body[pos : m.start()])]
        segments.append(("code", m.group(1)))
        pos = m.end()
    segments += [("inline", e.strip()) for e in INLINE.findall(body[pos:])]
    return segments


def qmd_prose(body: str) -> str:
    """The Markdown of a page without its code chunks or fenced blocks."""
    return re.sub(r"^```.*?^```[ \t]*$", "", body, flags=re.M | re.S)


def labels_and_refs(page: str) -> tuple[list[str], set[str]]:
    """Cross-reference labels defined on a page (in order, with repeats) and references made on it."""
    path = PROJ_ROOT / page
    labels: list[str] = []
    texts: list[str] = []
    if page.endswith(".ipynb"):
        for cell in read_nb(path).cells:
            if cell.cell_type == "code":
                label = cell_options(cell).get("label")
                if label:
                    labels.append(str(label))
                texts += [t for o in cell.get("outputs", []) for mime, t in o.get("data", {}).items() if mime == "text/markdown"]
            elif cell.cell_type == "markdown":
                texts.append(cell.source)
                labels += re.findall(r"\{#((?:fig|tbl)-[^\s}]+)", cell.source)
    else:
        _, body = split_qmd(path.read_text(encoding="utf-8"))
        for m in CHUNK.finditer(body):
            label = chunk_options(m.group(1)).get("label")
            if label:
                labels.append(str(label))
        prose = qmd_prose(body)
        texts.append(prose)
        labels += re.findall(r"\{#((?:fig|tbl)-[^\s}]+)", prose)
    refs = {r for t in texts for r in REF.findall(t if isinstance(t, str) else "".join(t))}
    return labels, refs


# --------------------------------------------------------------------------- configuration


def test_config_is_a_website_rendered_to__site():
    cfg = config()
    assert cfg["project"]["type"] == "website"
    assert cfg["project"]["output-dir"] == "_site"


def test_every_named_page_exists():
    missing = [p for p in named_pages(config()) if not (PROJ_ROOT / p).is_file()]
    assert not missing, f"_quarto.yml names pages that do not exist: {', '.join(missing)}"


def test_navbar_and_sidebar_list_every_page_in_reading_order():
    cfg = config()
    for where, pages in (("navbar", navbar_pages(cfg)), ("sidebar", sidebar_pages(cfg))):
        assert [p for p in pages if p in PAGES] == list(PAGES), f"the {where} must list {PAGES} in this order"
    on_disk = sorted(p.relative_to(PROJ_ROOT).as_posix() for p in (PROJ_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    unlisted = [p for p in on_disk if p not in sidebar_pages(cfg)]
    assert not unlisted, f"notebooks missing from the sidebar: {unlisted}"


def test_render_list_covers_every_page():
    # resolved as Quarto 1.11 resolves it (analysis.render ports its globs): exactly the site's pages
    assert sorted(render_pages()) == sorted(PAGES), "project: render must select exactly the site's pages"


def test_every_data_file_is_a_site_resource():
    patterns = config()["project"]["resources"]
    files = [p for d in (RAW_DIR, PROCESSED_DIR) if d.exists() for p in d.iterdir() if p.is_file() and not p.name.startswith(".")]
    files += [RAW_DIR / "datapackage.json", PROCESSED_DIR / "datapackage.json"]
    copied = set(expand(patterns, PROJ_ROOT, "always"))
    for path in files:
        rel = path.relative_to(PROJ_ROOT).as_posix()
        assert rel in copied, f"{rel} would not be copied to the site"
    # and the globs do not reach outside the data folders and the built downloads
    assert all(pat.startswith(("/data/", "/downloads/")) for pat in patterns)


def test_notebooks_are_not_executed_at_render_time():
    cfg = config()
    execute = cfg.get("execute", {}) or {}
    assert "enabled" not in execute, "execute: enabled would re-run the notebooks (true) or stop the .qmd pages (false)"
    assert "freeze" not in execute
    for page in existing_notebooks():
        nb = read_nb(PROJ_ROOT / page)
        first = nb.cells[0] if nb.cells else None
        if first is not None and first.cell_type == "raw":
            front = yaml.safe_load(first.source.strip().strip("-")) or {}
            assert not (front.get("execute") or {}).get("enabled"), f"{page} asks Quarto to execute it"


def test_computing_pages_use_the_jupyter_python_kernel():
    for page in QMD_PAGES:
        front, body = split_qmd((PROJ_ROOT / page).read_text(encoding="utf-8"))
        if CHUNK.search(body) or INLINE.search(body):
            assert front.get("jupyter") == "python3", f"{page} computes, so it names the python3 kernel"


def test_site_options():
    cfg = config()
    html_fmt = cfg["format"]["html"]
    assert html_fmt["code-fold"] is True
    assert html_fmt.get("html-math-method") in ("mathml", "plain"), "MathJax and KaTeX load from a CDN by default"
    theme = html_fmt.get("theme", "default")
    assert (theme if isinstance(theme, str) else theme[0]) == "default", "Bootswatch themes import Google Fonts"
    web = cfg["website"]
    assert web.get("search", True) is not False
    assert "algolia" not in (web.get("search") or {})
    for key in ("google-analytics", "cookie-consent", "comments", "plausible-analytics"):
        assert key not in web and key not in cfg and key not in html_fmt
    assert "include-in-header" not in html_fmt
    footer = json.dumps(web["page-footer"])
    assert "Open Government Licence" in footer and "hmicfrs.justiceinspectorates.gov.uk" in footer
    assert (PROJ_ROOT / html_fmt["css"]).is_file()


# --------------------------------------------------------------------------- notebook pages


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_notebook_has_a_title(page):
    nb = notebook_or_skip(page)
    first = nb.cells[0]
    if first.cell_type == "raw":
        m = re.match(r"^---\n(.*?)\n---\s*$", first.source.strip() + "\n", re.S)
        assert m, f"{page}: the first raw cell must hold YAML front matter"
        title = (yaml.safe_load(m.group(1)) or {}).get("title")
    else:
        md = next((c for c in nb.cells if c.cell_type == "markdown"), None)
        title = md.source.splitlines()[0][2:] if md is not None and md.source.startswith("# ") else None
    assert title and str(title).strip(), f"{page} has no title"


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_figure_cells_have_label_caption_and_alt_text(page):
    nb = notebook_or_skip(page)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        opts = cell_options(cell)
        has_image = any(m in o.get("data", {}) for o in cell.get("outputs", []) for m in ("image/png", "image/svg+xml", "image/jpeg"))
        if has_image or str(opts.get("label", "")).startswith("fig-"):
            where = f"{page}, cell {i}"
            assert str(opts.get("label", "")).startswith("fig-"), f"{where}: figure without a fig- label"
            assert str(opts.get("fig-cap", "")).strip(), f"{where}: figure without fig-cap"
            assert str(opts.get("fig-alt", "")).strip(), f"{where}: figure without fig-alt"


@pytest.mark.parametrize("page", [*NOTEBOOK_PAGES, *QMD_PAGES])
def test_labels_are_unique_lower_case_and_tables_have_captions(page):
    path = PROJ_ROOT / page
    if not path.exists():
        pytest.skip(f"{page} does not exist yet (test_every_named_page_exists reports it)")
    labels, _ = labels_and_refs(page)
    assert len(labels) == len(set(labels)), f"{page}: repeated labels {sorted(x for x in labels if labels.count(x) > 1)}"
    assert all(x == x.lower() for x in labels), f"{page}: cross-reference labels must be lower case"
    if page.endswith(".ipynb"):
        cells = [cell_options(c) for c in read_nb(path).cells if c.cell_type == "code"]
    else:
        cells = [chunk_options(m.group(1)) for m in CHUNK.finditer(split_qmd(path.read_text(encoding="utf-8"))[1])]
    for opts in cells:
        if str(opts.get("label", "")).startswith("tbl-"):
            assert str(opts.get("tbl-cap", "")).strip(), f"{page}: table {opts['label']} has no tbl-cap"


@pytest.mark.parametrize("page", [*NOTEBOOK_PAGES, *QMD_PAGES])
def test_cross_references_resolve_on_their_page(page):
    if not (PROJ_ROOT / page).exists():
        pytest.skip(f"{page} does not exist yet (test_every_named_page_exists reports it)")
    labels, refs = labels_and_refs(page)
    unresolved = sorted(refs - set(labels))
    assert not unresolved, f"{page}: references without a label on the same page: {unresolved}"


def test_reference_finder_finds_references_and_ignores_addresses():
    text = "See @fig-a, (@tbl-b_c). Mail x@fig-not.org; [-@fig-d]"
    assert REF.findall(text) == ["fig-a", "tbl-b_c", "fig-d"]


# --------------------------------------------------------------------------- paths and scripts


def site_sources() -> list[Path]:
    return [QUARTO_YML, PROJ_ROOT / "styles.css", PROJ_ROOT / "assets" / "scroll-regions.html", *(PROJ_ROOT / p for p in QMD_PAGES)]


def notebook_texts(page: str) -> list[str]:
    nb = read_nb(PROJ_ROOT / page)
    return [c.source for c in nb.cells] + [t for c in nb.cells for t in output_texts(c)] + [json.dumps(nb.metadata)]


def test_no_machine_paths_in_site_sources_or_notebooks():
    found = []
    for path in site_sources():
        found += [f"{path.name}: {m.group(0)}" for m in MACHINE_PATH.finditer(path.read_text(encoding="utf-8"))]
    for page in existing_notebooks():
        found += [f"{page}: {m.group(0)}" for t in notebook_texts(page) for m in MACHINE_PATH.finditer(t)]
    assert not found, "absolute or machine paths found: " + "; ".join(found)


def test_machine_path_pattern():
    for bad in ("/work/main/x", "/home/ann/x", "C:\\Users\\x", "/tmp/x.csv", "lib/python3.11/site-packages/x.py"):
        assert MACHINE_PATH.search(bad), bad
    assert not MACHINE_PATH.search("data/raw/figures.csv and notebooks/01_data.ipynb")


def test_no_third_party_scripts_in_site_sources_or_notebooks():
    found = []
    for path in site_sources():
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}: {m.group(0)}" for pat in THIRD_PARTY for m in pat.finditer(text)]
    for page in existing_notebooks():
        nb = read_nb(PROJ_ROOT / page)
        found += [f"{page}: {m.group(0)}" for t in notebook_texts(page) for pat in THIRD_PARTY for m in pat.finditer(t)]
        found += [
            f"{page}: output type {mime}"
            for c in nb.cells
            for o in c.get("outputs", [])
            for mime in o.get("data", {})
            if mime.startswith(SCRIPT_MIMETYPES)
        ]
    assert not found, "scripts or styles from other hosts: " + "; ".join(found)


def test_third_party_patterns():
    for bad in (
        '<script src="https://cdn.example.org/x.js"></script>',
        "<script type='module' src='//cdn.example.org/x.js'>",
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=X">',
        '@import url("https://fonts.example.org/a.css");',
        'import {DataTable} from "https://cdn.example.org/dt.js";',
    ):
        assert any(p.search(bad) for p in THIRD_PARTY), bad
    for good in (
        '<script src="site_libs/quarto-nav/quarto-nav.js"></script>',
        "[the report](https://hmicfrs.justiceinspectorates.gov.uk/)",
    ):
        assert not any(p.search(good) for p in THIRD_PARTY), good


def test_reproduce_page_names_functions_that_exist():
    import analysis.data.cases

    text = (PROJ_ROOT / "reproduce.qmd").read_text(encoding="utf-8")
    for name in re.findall(r"from analysis\.data\.cases import ([\w, ]+)", text)[0].split(","):
        assert callable(getattr(analysis.data.cases, name.strip(), None)), f"analysis.data.cases has no {name.strip()}"
    assert all(c in text for c in analysis.data.cases.PAIRED_COLUMNS)


# --------------------------------------------------------------------------- the pages' links


def static_links(page: str) -> list[str]:
    _, body = split_qmd((PROJ_ROOT / page).read_text(encoding="utf-8"))
    links = re.findall(r"\]\(([^)\s]+)\)", qmd_prose(body))
    return [link.split("#")[0] for link in links if not re.match(r"^[a-z]+:", link) and link.split("#")[0]]


@pytest.mark.parametrize("page", QMD_PAGES)
def test_static_links_point_at_project_files(page):
    missing = [link for link in static_links(page) if not (PROJ_ROOT / link).exists() and link not in NOTEBOOK_PAGES]
    assert not missing, f"{page} links to missing files: {missing}"


def test_site_inputs_exist():
    missing = site.missing_inputs()
    assert not missing, (
        f"the Home, Methods and Data pages cannot render until these processed files exist (run `make site`): {', '.join(missing)}"
    )


# --------------------------------------------------------------------------- running the pages' code

HARNESS = r"""
import contextlib, io, json, sys, traceback
from pathlib import Path

pages = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
if len(sys.argv) > 3:
    import analysis.data.paths
    analysis.data.paths.PROCESSED_DIR = Path(sys.argv[3])
results = {}
for page, segments in pages.items():
    namespace, inline, shown, error = {"__name__": "__main__"}, [], io.StringIO(), None
    try:
        with contextlib.redirect_stdout(shown):
            for kind, text in segments:
                if kind == "code":
                    exec(compile(text, page, "exec"), namespace)
                else:
                    value = eval(text, namespace)
                    inline.append([text, type(value).__name__, str(value)])
    except Exception:
        error = traceback.format_exc()
    results[page] = {"inline": inline, "stdout": shown.getvalue(), "error": error}
Path(sys.argv[2]).write_text(json.dumps(results), encoding="utf-8")
"""

#: Pages with Python chunks or inline expressions.
COMPUTING_PAGES = tuple(p for p in QMD_PAGES if CHUNK.search((PROJ_ROOT / p).read_text(encoding="utf-8")))


def run_pages(tmp_path: Path, processed_dir: Path | None = None) -> dict:
    """Run each computing page's chunks and inline expressions in document order, each page in a
    fresh namespace, in one new Python process at the project root (as Quarto runs them, with
    warnings turned into errors). Returns per page: inline values, printed output, error."""
    pages = {p: qmd_segments(split_qmd((PROJ_ROOT / p).read_text(encoding="utf-8"))[1]) for p in COMPUTING_PAGES}
    spec, out_file, harness = tmp_path / "pages.json", tmp_path / "results.json", tmp_path / "harness.py"
    spec.write_text(json.dumps(pages), encoding="utf-8")
    harness.write_text(HARNESS, encoding="utf-8")
    args = [sys.executable, str(harness), str(spec), str(out_file)] + ([str(processed_dir)] if processed_dir else [])
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONWARNINGS": "error"}
    proc = subprocess.run(args, cwd=PROJ_ROOT, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(out_file.read_text(encoding="utf-8"))


def check_output(page: str, result: dict) -> None:
    """The page ran; inline expressions give plain values; nothing it shows carries a machine path."""
    assert result["error"] is None, f"{page}:\n{result['error']}"
    for expr, kind, value in result["inline"]:
        assert kind in ("str", "int", "float"), f"{page}: `{expr}` is a {kind}"
        assert value.strip() and not re.search(r"\b(nan|None|inf)\b", value), f"{page}: `{expr}` gave {value!r}"
    shown = result["stdout"] + "".join(v for _, _, v in result["inline"])
    assert not MACHINE_PATH.search(shown), f"{page}: machine path in the page: {MACHINE_PATH.search(shown).group(0)}"


@pytest.fixture(scope="module")
def complete_processed(gwent_published) -> Path:
    """A processed folder with every file the site reads, as ``python -m analysis process`` publishes it (built once per run)."""
    return gwent_published


@pytest.fixture(scope="module")
def runs_on_synthetic(complete_processed, tmp_path_factory) -> dict:
    return run_pages(tmp_path_factory.mktemp("runs_synthetic"), complete_processed)


@pytest.fixture(scope="module")
def pipeline_output(gwent_published) -> Path:
    """Everything ``python -m analysis process`` writes (the real stages' code), in a temporary folder: the same set as above."""
    return gwent_published


@pytest.fixture(scope="module")
def runs_on_pipeline_output(runs_on_synthetic) -> dict:
    """The pages run on the pipeline's output: the same folder as :func:`runs_on_synthetic`, so the same run."""
    return runs_on_synthetic


@pytest.fixture(scope="module")
def runs_on_current_data(tmp_path_factory) -> dict:
    return run_pages(tmp_path_factory.mktemp("runs_current"))


def test_pages_that_compute_are_found():
    assert set(COMPUTING_PAGES) == {"index.qmd", "methods.qmd", "glossary.qmd", "data.qmd"}


@pytest.mark.parametrize("page", COMPUTING_PAGES)
def test_page_code_runs_on_a_complete_processed_folder(page, runs_on_synthetic):
    result = runs_on_synthetic[page]
    check_output(page, result)
    if page == "data.qmd":
        links = re.findall(r"\]\((data/[^)]+)\)", result["stdout"])
        assert "data/raw/figures.csv" in links and "data/raw/audit.json" in links and "data/processed/sample_grades.csv" in links
        n_raw = len(json.loads((RAW_DIR / "datapackage.json").read_text(encoding="utf-8"))["resources"])
        assert len(re.findall(r"^: Columns of data/raw/", result["stdout"], re.M)) == n_raw


@pytest.mark.parametrize("page", COMPUTING_PAGES)
def test_page_code_runs_on_the_pipeline_output(page, pipeline_output, runs_on_pipeline_output):
    missing = site.missing_inputs(pipeline_output)
    assert not missing, f"the pipeline does not write these files the site reads: {missing}"
    check_output(page, runs_on_pipeline_output[page])


@pytest.mark.parametrize("page", COMPUTING_PAGES)
def test_page_code_runs_on_the_current_data(page, runs_on_current_data):
    result, missing = runs_on_current_data[page], site.missing_inputs()
    if not missing:
        check_output(page, result)
    elif result["error"] is not None:
        # Inputs not built yet: the page must stop with our error naming a missing file.
        assert "AuditDataError" in result["error"] and any(m in result["error"] for m in missing), result["error"][-2000:]


# --------------------------------------------------------------------------- analysis.site functions


def test_wilson_interval_matches_the_closed_form():
    k, n, z = 10, 33, stats.norm.ppf(0.975)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert site.wilson_interval(k, n) == pytest.approx((centre - half, centre + half), abs=1e-12)
    with pytest.raises(ValueError):
        site.wilson_interval(0, 0)


def test_formatting():
    from analysis.narrative.style import count_share, date_range

    assert count_share(10, 33) == "10 of 33 (30%)"
    assert site.interval_text(0.171, 0.476) == "95% interval 17% to 48%"
    assert site.signed(-0.054) == "\u22120.05" and site.signed(0.5) == "0.50"
    assert date_range("2019-02-04", "2019-02-15") == "4 to 15 February 2019"
    assert date_range("2019-01-28", "2019-02-08") == "28 January 2019 to 8 February 2019"


def test_pipe_table_aligns_escapes_and_captions():
    frame = pd.DataFrame({"name": ["a|b", "c\nd"], "n": [1, 22]})
    md = site.pipe_table(frame, right=("n",), caption="Two rows", label="tbl-two")
    assert md.splitlines()[:4] == ["| name | n |", "|:---|---:|", "| a&#124;b | 1 |", "| c d | 22 |"]
    assert md.rstrip().endswith(": Two rows {#tbl-two}")
    with pytest.raises(ValueError):
        site.pipe_table(frame, label="Tbl_bad")


def test_grade_scale_table_lists_grades_best_first():
    md = site.grade_scale_table()
    assert [line.split("|")[1].strip().lower() for line in md.splitlines()[2:5]] == list(GRADES)


def test_read_processed_names_a_missing_file_and_column(tmp_path):
    with pytest.raises(AuditDataError, match=r"agreement_bounds\.csv.*not found.*make site"):
        site.read_processed("agreement_bounds.csv", processed_dir=tmp_path)
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    with pytest.raises(AuditDataError, match=r"x\.csv, column 'c': missing column"):
        site.read_processed("x.csv", ("a", "c"), tmp_path)


def test_missing_inputs_lists_what_is_absent(tmp_path, complete_processed):
    assert len(site.missing_inputs(tmp_path)) == len(site.SITE_INPUTS)
    assert site.missing_inputs(complete_processed) == []


def test_sample_counts_match_the_published_totals(complete_processed):
    c = site.sample_counts(complete_processed)
    assert (c.n_force_selected, c.n_inspectorate_selected, c.n_all) == (33, 47, 80)
    assert c.force == {"good": 27, "requires improvement": 6, "inadequate": 0}
    assert c.hmicfrs_all == {"good": 20, "requires improvement": 37, "inadequate": 23}


def test_sample_counts_refuse_a_repeated_row(complete_processed, tmp_path):
    frame = pd.read_csv(complete_processed / "sample_grades.csv")
    pd.concat([frame, frame.iloc[[0]]]).to_csv(tmp_path / "sample_grades.csv", index=False)
    with pytest.raises(AuditDataError, match="exactly one row"):
        site.sample_counts(tmp_path)


def test_headlines_carry_the_computed_values(complete_processed):
    bounds = pd.read_csv(complete_processed / "agreement_bounds.csv").set_index("measure")
    identified = pd.read_csv(complete_processed / "identified.csv").set_index("quantity")
    h = {x.key: x for x in site.headlines(complete_processed)}
    assert list(h) == ["self_assessment", "overall", "areas", "samples"]
    text = h["self_assessment"].text
    assert f"at least {int(bounds.loc['n_force_better', 'min'])} of the 33" in text
    assert f"was {round(100 * identified.loc['good_gap', 'low'])} percentage points higher" in text
    assert (
        f"between {round(100 * identified.loc['good_gap_newcombe', 'ci_low'])} and {round(100 * identified.loc['good_gap_newcombe', 'ci_high'])} "
        "percentage points, with 95% confidence (Newcombe's score interval, widest over the pairings)" in text
    )
    assert "graded 27 good" in text and "graded 10 of the same cases good" in text
    assert "23 of 80 (29%) inadequate" in h["overall"].text
    assert h["areas"].text.startswith("Child sexual exploitation had the largest share graded inadequate, 9 of 16 (56%; 95% interval")
    assert "0 of 6 (0%; 95% interval 0% to " in h["areas"].text
    assert "widest 95% interval for an area's share graded inadequate" in h["areas"].text
    assert "proportional-odds model" in h["samples"].text and "exact Mann-Whitney" in h["samples"].text
    for x in h.values():
        assert not re.search(r"\b(nan|None)\b", x.text)
        assert "clearly" not in x.text


def test_independent_check_of_the_enumerated_bounds(complete_processed):
    # Whatever the pairing, the force's 27 "good" exceed the inspectors' 10, so at least 17 cases are graded better by the force.
    bounds = pd.read_csv(complete_processed / "agreement_bounds.csv").set_index("measure")
    assert bounds.loc["n_force_better", "min"] >= 27 - 10
    assert bounds.loc["n_same", "max"] <= 10 + 6 + 0


def test_samples_verdict_follows_the_p_value(complete_processed, tmp_path):
    for name in site.SITE_INPUTS:
        shutil.copy(complete_processed / name, tmp_path / name)
    tests = pd.read_csv(tmp_path / "association_tests.csv")
    for p, words in ((0.01, "would be unusual"), (0.2, "could arise by chance")):
        tests.assign(p_value=p).to_csv(tmp_path / "association_tests.csv", index=False)
        assert words in site.headline_samples(tmp_path).text
    tests.assign(p_value=np.nan).to_csv(tmp_path / "association_tests.csv", index=False)
    with pytest.raises(AuditDataError, match="missing value"):
        site.headline_samples(tmp_path)


def test_area_ranking_rule(complete_processed, tmp_path):
    shutil.copy(complete_processed / "area_grades.csv", tmp_path / "area_grades.csv")
    summary = pd.read_csv(complete_processed / "area_summary.csv")
    summary["share_inadequate"] = 0.5
    summary["share_good"] = 0.1
    summary.loc[summary["area"] == "missing_children", "share_good"] = 0.0
    summary.to_csv(tmp_path / "area_summary.csv", index=False)
    ranked = site.area_ranking(tmp_path)
    assert ranked["area"].iloc[0] == "missing_children"  # tie on inadequate, fewer good
    assert ranked["area"].iloc[1] == "s47_enquiries"  # then report order
    summary.loc[0, "area"] = "no_such_area"
    summary.to_csv(tmp_path / "area_summary.csv", index=False)
    with pytest.raises(AuditDataError, match="unknown practice area"):
        site.area_ranking(tmp_path)


def test_audit_limits(complete_processed):
    lim = site.audit_limits(complete_processed)
    assert (lim.n_all, lim.n_force_selected, lim.n_smallest_area) == (80, 33, 6)
    assert lim.half_width[6] > lim.half_width[33] > lim.half_width[80]
    assert lim.n_consistent_tables == len(pd.read_csv(complete_processed / "consistent_tables.csv"))
    assert lim.one_case[33] == pytest.approx(1 / 33)


# --------------------------------------------------------------------------- render with Quarto


def quarto_exe() -> str | None:
    exe = os.environ.get("QUARTO") or "quarto"
    return shutil.which(exe)


class _Headings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings: list[str] = []
        self.ids: set[str] = set()
        self._in = 0
        self._buf: list[str] = []

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        if d.get("id"):
            self.ids.add(d["id"])
        if tag in ("h1", "h2", "h3", "h4"):
            self._in += 1
            self._buf = []

    def handle_endtag(self, tag):
        if tag in ("h1", "h2", "h3", "h4") and self._in:
            self._in -= 1
            self.headings.append(" ".join("".join(self._buf).split()))

    def handle_data(self, data):
        if self._in:
            self._buf.append(data)


def expected_headings(page: str) -> list[str]:
    path = PROJ_ROOT / page
    if page.endswith(".qmd"):
        front, body = split_qmd(path.read_text(encoding="utf-8"))
        heads = re.findall(r"^#{2,4} (.+?)\s*(?:\{[^}]*\})?$", qmd_prose(body), re.M)
        return [front["title"], *heads]
    nb = read_nb(path)
    first = nb.cells[0]
    title = yaml.safe_load(first.source.strip().strip("-")).get("title") if first.cell_type == "raw" else first.source[2:].splitlines()[0]
    heads = [h for c in nb.cells if c.cell_type == "markdown" for h in re.findall(r"^#{2,4} (.+?)\s*$", c.source, re.M)]
    return [str(title), *heads]


#: Colour and other terminal codes in Quarto's messages (it colours a warning as ``\x1b[33mWARN``).
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
WARNING = re.compile(r"\bWARN(ING)?\b")


def warnings_in(output: str) -> list[str]:
    """The lines of Quarto's output that are warnings, colour codes removed first."""
    return [line for line in ANSI.sub("", output).splitlines() if WARNING.search(line)]


def pandoc_smart(text: str) -> str:
    """``text`` after Pandoc's ``smart`` extension (on for Markdown input): curly quotes and apostrophes, dashes, ellipses.

    Pandoc's manual: straight quotes become curly quotes, ``---`` an em dash, ``--`` an en dash and
    ``...`` an ellipsis; an apostrophe inside or after a word is a right single quote.
    """
    text = text.replace("---", "\u2014").replace("--", "\u2013").replace("...", "\u2026")
    text = re.sub(r"(^|[\s(\[{\u2014\u2013])\"", "\\1\u201c", text)
    text = text.replace('"', "\u201d")
    text = re.sub(r"(^|[\s(\[{\u2014\u2013])'", "\\1\u2018", text)
    return text.replace("'", "\u2019")


def heading_pattern(source: str) -> re.Pattern:
    """What a heading written as ``source`` reads as on the rendered page: Pandoc's typography applied, Markdown
    emphasis and code marks dropped, and an inline expression (`` `{python} x` ``) matching whatever it printed."""
    parts = re.split(r"`\{python\}[^`]*`", source)
    plain = [pandoc_smart(re.sub(r"[*_`]", "", part)) for part in parts]
    return re.compile(r".+?".join(re.escape(" ".join(p.split())) for p in plain))


@pytest.mark.quarto
@pytest.mark.skipif(
    quarto_exe() is None,
    reason="the Quarto CLI was not found ($QUARTO, then `quarto` on PATH); install it from https://quarto.org/docs/get-started/ to run the render test",
)
def test_site_renders_with_quarto(tmp_path):
    missing_pages = [p for p in PAGES if not (PROJ_ROOT / p).exists()]
    assert not missing_pages and not site.missing_inputs(), f"build first (make site): {missing_pages + site.missing_inputs()}"
    copy = tmp_path / "project"
    shutil.copytree(
        PROJ_ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", "_site", ".git", ".quarto", ".build", "downloads", "__pycache__", "*.egg-info", ".pytest_cache", ".ipynb_checkpoints"
        ),
    )
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=copy, check=True)
    subprocess.run([*git, "add", "-A"], cwd=copy, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "copy"], cwd=copy, check=True)
    env = {**os.environ, "QUARTO_PYTHON": sys.executable, "NO_COLOR": "1"}
    proc = subprocess.run([quarto_exe(), "render"], cwd=copy, env=env, capture_output=True, text=True, timeout=3600)
    assert proc.returncode == 0, proc.stderr[-5000:]
    warnings = warnings_in(proc.stdout + proc.stderr)
    assert not warnings, "\n".join(warnings)
    status = subprocess.run(["git", "status", "--porcelain"], cwd=copy, capture_output=True, text=True, check=True).stdout
    assert not status, f"the render changed tracked files or left untracked ones: {status}"
    out = copy / "_site"
    # the notebook copies offered for download are files, not pages (they were rendered too when the render glob matched at any depth)
    stray = sorted(p.relative_to(out).as_posix() for p in (out / "downloads").rglob("*.html")) if (out / "downloads").exists() else []
    assert not stray, f"pages rendered from the downloads: {stray}"
    assert sorted((out / "downloads" / "notebooks").glob("*.ipynb")), "the notebook copies are published as files"
    for page in PAGES:
        html_path = out / re.sub(r"\.(qmd|ipynb)$", ".html", page)
        assert html_path.is_file(), f"{page} was not rendered"
        parser = _Headings()
        parser.feed(html_path.read_text(encoding="utf-8"))
        rendered = {" ".join(html.unescape(h).split()) for h in parser.headings}
        for heading in expected_headings(page):
            pattern = heading_pattern(heading)
            assert any(pattern.search(h) for h in rendered), f"{page}: heading {heading!r} not in the rendered page"
        labels, _ = labels_and_refs(page)
        missing_ids = [label for label in labels if label not in parser.ids]
        assert not missing_ids, f"{page}: figures/tables missing from the rendered page: {missing_ids}"
    for f in data_page.data_files():
        assert (out / f.path).is_file(), f"{f.path} is linked from the Data page but not in _site"
    # the notebooks' links to the Markdown copies for JupyterLab open the rendered pages on the site (post-render)
    stray = [
        str(p.relative_to(out))
        for p in out.rglob("*.html")
        if re.search(r'href="[^":]*(glossary|reproduce)\.md[#"]', p.read_text(encoding="utf-8"))
    ]
    assert not stray, f"pages linking to the Markdown copies instead of the rendered pages: {stray}"
    # the charts are sized for the column Quarto's own CSS gives a 390 px page (analysis.plots reads the same rules)
    from analysis.plots import PHONE_CONTENT_PX, narrow_column_px

    sheets = sorted((out / "site_libs" / "bootstrap").glob("bootstrap*.min.css"))
    assert sheets, "no Bootstrap stylesheet in the rendered site"
    assert narrow_column_px(sheets[0].read_text(encoding="utf-8")) == pytest.approx(PHONE_CONTENT_PX)
    found = []
    for path in itertools.chain(out.rglob("*.html"), out.rglob("*.css"), out.rglob("*.js")):
        text = path.read_text(encoding="utf-8", errors="replace")
        patterns = THIRD_PARTY[:2] + [THIRD_PARTY[4]] if path.suffix == ".html" else [THIRD_PARTY[2], THIRD_PARTY[4]]
        found += [f"{path.relative_to(out)}: {m.group(0)[:120]}" for pat in patterns for m in pat.finditer(text)]
    assert not found, "the rendered site loads from other hosts: " + "; ".join(found)


def test_warnings_are_found_through_colour_codes():
    coloured = "\x1b[33mWARN\x1b[39m: Unable to resolve link target: downloads/notebooks/01_data.ipynb\nOutput created: _site/index.html"
    assert warnings_in(coloured) == ["WARN: Unable to resolve link target: downloads/notebooks/01_data.ipynb"]
    assert warnings_in("\x1b[1mWARNING\x1b[22m (x) something") and not warnings_in("Rendering 3/11 warnings.qmd [WARNED]")


def test_headings_are_compared_after_pandoc_typography():
    assert pandoc_smart("The report's totals") == "The report\u2019s totals"
    assert pandoc_smart('"Good" -- or not... ---') == "\u201cGood\u201d \u2013 or not\u2026 \u2014"
    assert pandoc_smart("'quoted' and the 90's") == "\u2018quoted\u2019 and the 90\u2019s"
    assert heading_pattern("What the report's figures *settle*").search("What the report\u2019s figures settle")
    assert heading_pattern("`{python} confidence` interval").fullmatch("95% interval")
    assert not heading_pattern("`{python} confidence` interval").fullmatch("interval")
    # every heading on the site's pages compiles to a pattern that its own typographic form matches
    for page in PAGES:
        for heading in expected_headings(page):
            if "{python}" not in heading:
                assert heading_pattern(heading).search(pandoc_smart(re.sub(r"[*_`]", "", heading))), (page, heading)


# --------------------------------------------------------------------------- what readers see (issue 27)


@pytest.mark.parametrize("page", QMD_PAGES)
def test_readers_pages_show_no_code(page):
    front, body = split_qmd((PROJ_ROOT / page).read_text(encoding="utf-8"))
    if not CHUNK.search(body):
        return  # no Python on the page (the Reproduce page shows commands as text)
    echo = (front.get("execute") or {}).get("echo", front.get("echo"))
    assert echo is False, f"{page}: Python chunks would show as 'Show the code' toggles (set execute: echo: false)"
    for m in CHUNK.finditer(body):
        assert chunk_options(m.group(1)).get("echo") in (None, False), f"{page}: a chunk shows its code"


def test_the_site_has_a_favicon():
    web = config()["website"]
    icon = PROJ_ROOT / web["favicon"]
    assert icon.is_file() and icon.suffix == ".svg"
    svg = icon.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "<title" in svg and not THIRD_PARTY[3].search(svg) and "href" not in svg


def test_table_widths_come_from_the_browser():
    # Quarto's default for HTML would size a pipe table wider than 72 characters by the dashes of its
    # header rule (equal for every column, as analysis.display.pipe_table writes them) unless it holds a link
    assert config()["format"]["html"]["tbl-colwidths"] is False
    long_without_links = [
        page
        for page in existing_notebooks()
        for cell in read_nb(PROJ_ROOT / page).cells
        for text in output_texts(cell)
        if re.search(r"^\|.{73,}\|$", text, re.M) and re.search(r"^\|:?-{3}:?\|", text, re.M) and "](" not in text
    ]
    assert long_without_links, "the setting matters: some tables have long lines and no link"


def test_the_data_page_shows_two_tables_until_a_file_is_opened(runs_on_current_data):
    """The Data page was 83,000 px tall on a phone with 34 tables open; now only the two download lists are open."""
    result = runs_on_current_data["data.qmd"]
    if result["error"] is not None:
        pytest.skip("the processed files are not built yet (test_page_code_runs_on_the_current_data reports it)")
    shown = re.sub(r"^<details.*?^</details>$", "", result["stdout"], flags=re.M | re.S)
    assert re.findall(r"^: (.*?) \{#tbl-", shown, re.M) == ["Downloadable raw files", "Downloadable processed files"]
    folded = re.findall(r"^<details class=\"data-dictionary-file\">$", result["stdout"], re.M)
    assert len(folded) >= 30, "every file's dictionary is there, folded"
