"""``python -m analysis report``: the whole analysis of any audit package in a folder of its own.

``report(raw, out)`` publishes the processed set into ``out/processed`` (the same gate out as
``process``), executes copies of the project's notebooks against that package into
``out/notebooks`` (the tracked notebooks are never touched), and, where the Quarto CLI is
available, renders the website for it into ``out/_site``. A notebook cell that needs a table the
package's figures cannot support is left out of the copy, and a note in its place gives the reason
(from ``contents.csv``), so no cell errors.
"""

from __future__ import annotations

import contextlib
import copy
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from analysis import memo
from analysis.data import paths
from analysis.data.errors import PublishError
from analysis.data.paths import display_path
from analysis.log import step
from analysis.narrative.style import Markup, as_html, as_text, html_link, link
from analysis.notebooks import METADATA_KEY

#: Marker file that says a folder holds a report this command wrote (so it may be written again).
MARKER = ".analysis-report"

#: Cell metadata key naming the processed tables a notebook cell needs (``{"analysis": {"needs": [...]}}``):
#: the project's notebook metadata namespace.
NEEDS_KEY = METADATA_KEY


def quarto_binary() -> str | None:
    """The Quarto CLI to use: ``$QUARTO`` if set, else ``quarto`` on ``PATH``, else ``None``."""
    chosen = os.environ.get("QUARTO") or shutil.which("quarto")
    return chosen if chosen and shutil.which(chosen) else None


#: Top-level folders of the project that a report must never be written into.
TRACKED = ("analysis", "assets", "benchmarks", "data", "notebooks", "tests", ".ci", ".git")


def check_report_folder(raw_dir: Path, out_dir: Path) -> None:
    """Refuse an ``--out`` that overlaps the audit package or the project's own files, or holds files this command did not write.

    Allowed: a folder that does not exist yet, an empty folder, or one holding a report this
    command wrote (it has :data:`MARKER`). A folder inside the project is allowed only outside
    its tracked folders (:data:`TRACKED`).
    """
    raw, out, root = (Path(os.path.realpath(p)) for p in (raw_dir, out_dir, paths.PROJ_ROOT))
    if out == raw or raw in out.parents or out in raw.parents:
        raise PublishError(
            f"{display_path(out_dir)}: the report folder overlaps the audit package {display_path(raw_dir)}; choose another --out"
        )
    if out == root or out in root.parents or any((root / t) == out or (root / t) in out.parents for t in TRACKED):
        raise PublishError(
            f"{display_path(out_dir)}: the report folder overlaps the project's own files; choose a new, empty folder for --out"
        )
    if out.exists() and not out.is_dir():
        raise PublishError(f"{display_path(out_dir)}: --out is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise PublishError(
            f"{display_path(out_dir)}: the folder holds files this command did not write; choose a new or empty folder for --out"
        )


def needs(cell: dict) -> list[str]:
    """The processed tables a notebook cell needs (its ``analysis.needs`` metadata; none by default)."""
    return list(cell.get("metadata", {}).get(NEEDS_KEY, {}).get("needs", []))


def prune(nb, available: set[str], reasons: dict[str, str]):
    """A copy of notebook ``nb`` without the cells that need a table not in ``available``; a note with the reason replaces each run of them.

    The note is Markdown ("*Not available for this audit:* ..."), one per run of consecutive left-out
    cells, naming each reason once. The notebook's own metadata ``analysis.needs`` (if any) applies
    to every cell but the first (its title and question).
    """
    import nbformat

    out = copy.deepcopy(nb)
    whole = list(nb.metadata.get(NEEDS_KEY, {}).get("needs", []))
    cells, missing_run = [], []

    def flush() -> None:
        if missing_run:
            why = list(dict.fromkeys(reasons.get(t, f"{t} is not in this processed set.") for t in missing_run))
            cells.append(nbformat.v4.new_markdown_cell("*Not available for this audit:* " + " ".join(as_text(w) for w in why)))
            missing_run.clear()

    for i, cell in enumerate(out.cells):
        wanted = needs(cell) + (whole if i > 0 else [])
        absent = [t for t in wanted if t not in available]
        if absent:
            missing_run.extend(t for t in absent if t not in missing_run)
            continue
        flush()
        cells.append(cell)
    flush()
    out.cells = cells
    return out


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_notebook_copies(raw_dir: Path, processed: Path, dest: Path, timeout: int = 600) -> list[Path]:
    """Execute a pruned copy of every project notebook against the package ``raw_dir`` into ``dest``; return the copies' paths."""
    import nbformat

    from analysis.notebooks import execute, notebook_paths, shared_kernel

    contents = pd.read_csv(processed / "contents.csv", keep_default_na=False)
    available = set(contents.loc[contents["published"] == "yes", "table"]) | {"contents.csv"}
    reasons = dict(zip(contents["table"], contents["reason"], strict=True))
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    with _environment(**{paths.RAW_ENV: str(raw_dir.resolve()), paths.PROCESSED_ENV: str(processed.resolve())}), shared_kernel() as kernel:
        for source in notebook_paths():
            nb = prune(nbformat.read(source, as_version=4), available, reasons)
            target = dest / source.name
            with step(f"notebook {source.name}"):
                execute(nb, target.parent, timeout=timeout, shown=display_path(target), kernel=kernel)
            tmp = target.with_name(f".{target.name}.tmp")
            tmp.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
            tmp.replace(target)
            written.append(target)
    return written


#: Pages of the project's site that a report renders for any package (the others present Gwent's figures).
GENERIC_PAGES = ("data.qmd", "reproduce.qmd")


def _keep(entry, pages: set[str]) -> bool:
    href = entry.get("href") if isinstance(entry, dict) else None
    return href is None or href in pages or href.startswith(("http", "notebooks/"))


def _prune_nav(items: list, pages: set[str]) -> list:
    out = []
    for entry in items:
        if isinstance(entry, dict) and ("menu" in entry or "contents" in entry):
            key = "menu" if "menu" in entry else "contents"
            kept = _prune_nav(entry[key], pages)
            if kept:
                out.append({**entry, key: kept})
        elif _keep(entry, pages):
            out.append(entry)
    return out


def _site_config(meta, pages: set[str], notebooks: set[str]) -> dict:
    """The project's ``_quarto.yml`` for this audit: its title and footer, and only the pages rendered for it.

    The package's words in it (force, title, sources, licence) are text (:func:`analysis.narrative.style.as_text`,
    links only to http(s) addresses): Quarto reads these settings as Markdown.
    """
    import yaml

    cfg = yaml.safe_load((paths.PROJ_ROOT / "_quarto.yml").read_text(encoding="utf-8"))
    cfg["project"]["output-dir"] = "../_site"
    cfg["project"]["render"] = [p for p in ("index.qmd", *sorted(pages - {"index.qmd"})) if p in pages] + [
        f"notebooks/{n}" for n in sorted(notebooks)
    ]
    cfg["project"]["resources"] = ["data/raw/*", "data/processed/*"]
    website = cfg["website"]
    website["title"] = as_text(f"{meta.force}: case-file audit ({meta.published[:4]})")
    website["description"] = as_text(f"An open analysis of the published case-file audit figures: {meta.title}.")
    for key in ("navbar", "sidebar"):
        section = website.get(key, {})
        for side in ("left", "right", "contents"):
            if isinstance(section.get(side), list):
                section[side] = _prune_nav(section[side], pages)
    sources = "; ".join(link(title, url) for title, url in meta.sources)
    website["page-footer"] = {"left": f"Source: {sources}. Licence: {as_text(meta.licence)}.", "center": "Code under the MIT licence."}
    return cfg


def index_page(meta, contents: pd.DataFrame) -> str:
    """The home page of a report for any package: what the audit is, and which parts its figures support (from ``contents.csv``).

    Every word from the package is text (:func:`analysis.narrative.style.as_text`; links only to http(s) addresses).
    """
    import json

    from analysis.display import pipe_table

    sources = "; ".join(link(title, url) for title, url in meta.sources)
    table = pipe_table(
        pd.DataFrame(
            {
                "Part": contents["section"],
                "Table": [Markup(f"`{t}`") if re.fullmatch(r"[a-z0-9_]+\.csv", str(t)) else t for t in contents["table"]],
                "In this report": ["yes" if r.published == "yes" else "no: " + r.reason for r in contents.itertuples(index=False)],
            }
        ),
        caption="What the published figures support",
        label="tbl-contents",
    )
    grades = ", ".join(as_text(g) for g in meta.grades)
    title, subtitle = (
        json.dumps(as_text(meta.title)),
        json.dumps(as_text(f"{meta.force}, published {meta.published}: the published case-file audit figures, analysed")),
    )
    return f"""---
title: {title}
subtitle: {subtitle}
---

This report was built by `python -m analysis report` from an audit package: the figures the
document publishes ({sources}), transcribed one figure a row. Only published figures are data.
Where the figures leave a count or a pairing open, every table gives its exact range over
everything consistent with them; where they cannot support a part of the analysis, it is left
out and the reason is given below.

The grade scale, best first: {grades}.

{table}
The notebooks (in the menu) show each part the figures support; the [data](data.qmd) page lists
every file with its data dictionary, and [reproduce](reproduce.qmd) says how to rebuild it.
"""


def render_site(raw_dir: Path, processed: Path, notebooks: Path, out_dir: Path, quarto: str) -> Path:
    """Render the website for this package into ``out_dir/_site`` with ``quarto`` (a staging project under ``out_dir``).

    The site offers the package's ``datapackage.json`` and the files it describes for download, nothing else from its folder.
    """
    import yaml

    from analysis.data.load import load_audit

    stage = out_dir / ".site-source"
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir()
    for page in GENERIC_PAGES:
        shutil.copy2(paths.PROJ_ROOT / page, stage / page)
    contents = pd.read_csv(processed / "contents.csv", keep_default_na=False)
    data = load_audit(raw_dir)
    meta = data.meta
    (stage / "index.qmd").write_text(index_page(meta, contents), encoding="utf-8")
    for extra in ("styles.css", "assets"):
        src = paths.PROJ_ROOT / extra
        if src.is_dir():
            shutil.copytree(src, stage / extra)
        elif src.is_file():
            shutil.copy2(src, stage / extra)
    shutil.copytree(notebooks, stage / "notebooks")
    # Only the files the package describes go on the site: any other file in its folder (a page, a script) stays behind.
    (stage / "data" / "raw").mkdir(parents=True)
    for name in ("datapackage.json", *(r["path"] for r in data.descriptor["resources"])):
        shutil.copy2(raw_dir / name, stage / "data" / "raw" / name)
    shutil.copytree(processed, stage / "data" / "processed")
    cfg = _site_config(meta, {"index.qmd", *GENERIC_PAGES}, {p.name for p in notebooks.glob("*.ipynb")})
    (stage / "_quarto.yml").write_text(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True), encoding="utf-8")
    env = {
        **os.environ,
        "QUARTO_PYTHON": sys.executable,
        paths.RAW_ENV: str((stage / "data" / "raw").resolve()),
        paths.PROCESSED_ENV: str((stage / "data" / "processed").resolve()),
    }
    result = subprocess.run([quarto, "render"], cwd=stage, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise PublishError(f"{display_path(out_dir / '_site')}: Quarto could not render the site ({last})")
    return out_dir / "_site"


def _chart_svg(shares: pd.DataFrame, data) -> str:
    """The grade-share chart (:func:`analysis.plots.grade_share_bars`) as an SVG element, text kept as text, no XML header."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from analysis.plots import grade_share_bars

    fig = grade_share_bars(
        shares,
        grades=data.grades,
        title="What the published figures give for each grade",
        subtitle="Share of each group of cases in each grade; a hatched bar is a range the figures leave open",
        source=data.source_line,
    )
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def summary_page(raw_dir: Path, processed: Path, notebooks: list[Path], out_dir: Path) -> Path:
    """Write ``out_dir/index.html``: a self-contained summary of the report that needs no Quarto and loads nothing from another host.

    The project's stylesheet inlined, the audit's title and sources, the headline sentences (what
    the grade shares show, and what the figures settle about the self-assessment where they give
    one), the grade chart as inline SVG, and relative links to every processed table and executed
    notebook copy. Every string from the package is text (:func:`analysis.narrative.style.as_html`), and a source
    is a link only when its address is http(s) (:func:`analysis.narrative.style.html_link`).
    """
    from mistune import html as markdown_html  # the sentences are Markdown whose package words are already text (as_text)

    from analysis.data.load import load_audit
    from analysis.narrative.audit import shares_sentence
    from analysis.pipeline import build_stage

    data = load_audit(raw_dir)
    meta = data.meta
    esc = as_html
    contents = pd.read_csv(processed / "contents.csv", keep_default_na=False)
    shares = build_stage("audit", data)["grade_shares.csv"]
    sentences = [shares_sentence(shares, meta)]
    if (processed / "identified.csv").is_file():
        from analysis.narrative import self_assessment as sa

        identified = pd.read_csv(processed / "identified.csv")
        n = data.size("force_selected", "force")
        sentences += sa.identified_facts(identified, n, data.grades, meta.said_random())
    left_out = contents[contents["published"] != "yes"]
    sources = "; ".join(html_link(title, url) for title, url in meta.sources)
    tables = "\n".join(
        f'<li><a href="processed/{esc(r.table)}">{esc(r.table)}</a></li>' for r in contents.itertuples(index=False) if r.published == "yes"
    )
    absent = "\n".join(f"<li><code>{esc(r.table)}</code>: {esc(r.reason)}</li>" for r in left_out.itertuples(index=False))
    books = "\n".join(f'<li><a href="notebooks/{esc(p.name)}">{esc(p.name)}</a></li>' for p in notebooks)
    css = (paths.PROJ_ROOT / "styles.css").read_text(encoding="utf-8") if (paths.PROJ_ROOT / "styles.css").is_file() else ""
    overall = shares[shares["area"].fillna("") == ""]  # the chart shows all areas together; grade_shares.csv has each area
    chart = _chart_svg(overall, data) if len(overall) else ""
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(meta.title)}</title>
<style>
{css}
body {{ font-family: sans-serif; max-width: 46rem; margin: 0 auto; padding: 1rem; line-height: 1.5; }}
figure svg {{ max-width: 100%; height: auto; }}
</style>
</head>
<body>
<main>
<h1>{esc(meta.title)}</h1>
<p>{esc(meta.force)}, published {esc(meta.published)}. Figures from: {sources}. Licence: {esc(meta.licence)}.
Written by <code>python -m analysis report</code> from the audit package; only published figures are data.</p>
<h2>What the figures show</h2>
{"".join(markdown_html(t) for t in sentences)}
<figure role="img" aria-label="{esc("Bars of each grade's share of each group of cases the figures give, labelled with counts and shares; hatched parts are ranges the figures leave open.")}">
{chart}
</figure>
<h2>Tables</h2>
<ul>
{tables}
</ul>
<h2>Left out, and why</h2>
<ul>
{absent}
</ul>
<h2>Notebooks, executed for this package</h2>
<ul>
{books}
</ul>
</main>
</body>
</html>
"""
    target = out_dir / "index.html"
    tmp = target.with_name(".index.html.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(target)
    return target


def report(raw_dir: str | Path, out_dir: str | Path, *, timeout: int = 600, max_seconds: float | None = None) -> dict[str, object]:
    """Publish, execute the notebooks and (with Quarto) render the site for the audit package ``raw_dir`` into ``out_dir``.

    Returns what was written: ``processed`` (file names), ``notebooks`` (paths) and ``site``
    (the site folder, or ``None`` without Quarto). The tracked notebooks and ``data/`` are never
    written. Raises :class:`~analysis.data.errors.AuditDataError` on a bad package and
    :class:`~analysis.data.errors.PublishError` when something cannot be written.
    """
    from analysis.pipeline import process

    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    check_report_folder(raw_dir, out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MARKER).write_text("written by python -m analysis report\n", encoding="utf-8")
    processed = out_dir / "processed"
    with (
        memo.one_run()
    ):  # the notebooks read what process computed (the areas' posterior and programmes) instead of computing it twice more
        names, _ = process(raw_dir, processed, max_seconds=max_seconds)
        notebooks = run_notebook_copies(raw_dir, processed, out_dir / "notebooks", timeout=timeout)
        with step("summary page"):
            summary_page(raw_dir, processed, notebooks, out_dir)
        quarto = quarto_binary()
        site = None
        if quarto:
            with step("site"):
                site = render_site(raw_dir, processed, out_dir / "notebooks", out_dir, quarto)
    return {"processed": names, "notebooks": notebooks, "site": site}
