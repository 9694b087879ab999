"""JupyterLab: the notebooks' links to the glossary and the Reproduce page open readable Markdown (glossary.md, reproduce.md), generated from the pages and kept current; on the site they open the rendered pages."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import yaml

from analysis.data.paths import PROJ_ROOT
from analysis.lab_pages import LAB_PAGES, lab_markdown, site_links, stale_lab_pages
from analysis.notebooks import notebook_paths

QMD_LINK = re.compile(r"\.\./(glossary|reproduce)\.qmd")
MD_LINK = re.compile(r"\.\./glossary\.md#([a-z0-9-]+)")


def test_the_markdown_copies_are_current():
    stale = stale_lab_pages()
    assert not stale, f"{stale} differ from what their pages give now: run `python -m analysis lab-pages` (or make notebooks) and commit"


def test_the_glossary_copy_reads_as_plain_markdown_with_every_anchor():
    text = (PROJ_ROOT / "glossary.md").read_text(encoding="utf-8")
    source = (PROJ_ROOT / "glossary.qmd").read_text(encoding="utf-8")
    anchors = re.findall(r"^#{2,4} .*\{#([a-z0-9-]+)\}\s*$", source, re.M)
    assert anchors and all(f'<a id="{a}" name="{a}"></a>' in text for a in anchors)
    assert "{python}" not in text and "```{" not in text and not re.search(r"\{#[a-z]", text), "Quarto syntax left in the copy"
    assert text.startswith("<!-- Generated from glossary.qmd") and "\n# Glossary\n" in text
    assert "| poor |" in text, "the computed table is in the copy"


def test_the_copy_is_built_from_the_page(tmp_path):
    (tmp_path / "glossary.qmd").write_text(
        '---\ntitle: "T"\nsubtitle: "S"\njupyter: python3\n---\n\n```{python}\nn = 6 * 7\n```\n\n'
        "### Term {#term}\n\nThere are `{python} n` of them; see [the page](reproduce.qmd#x) and [data](data.qmd).\n\n"
        '```{python}\n#| output: asis\nprint("| a |\\n|:--|\\n| 1 |\\n\\n: A table {#tbl-a}")\n```\n',
        encoding="utf-8",
    )
    text = lab_markdown("glossary.qmd", tmp_path)
    assert '<a id="term" name="term"></a>\n\n### Term\n' in text
    assert "There are 42 of them; see [the page](reproduce.md#x) and [data](data.qmd)." in text
    assert "*Table: A table*" in text and "\n# T\n\n*S*\n" in text


def test_notebooks_link_to_the_markdown_copies():
    found, used = [], set()
    for path in notebook_paths():
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            source = "".join(cell["source"])
            found += [f"{path.name}, cell {i}" for _ in QMD_LINK.finditer(source)]
            used |= set(MD_LINK.findall(source))
    assert not found, f"links that JupyterLab opens as raw Quarto source: {found}"
    glossary = (PROJ_ROOT / "glossary.md").read_text(encoding="utf-8")
    assert used and all(f'id="{a}"' in glossary for a in used), used


def test_site_links_point_at_the_rendered_pages():
    html = '<a href="../glossary.md#kappa">k</a> <a href="reproduce.md">r</a> <a href="https://x.org/glossary.md">x</a> <a href="../other.md">o</a>'
    assert site_links(html) == (
        '<a href="../glossary.html#kappa">k</a> <a href="reproduce.html">r</a> <a href="https://x.org/glossary.md">x</a> <a href="../other.md">o</a>'
    )


def test_post_render_rewrites_the_pages_quarto_wrote(tmp_path):
    cfg = yaml.safe_load((PROJ_ROOT / "_quarto.yml").read_text(encoding="utf-8"))
    script = PROJ_ROOT / cfg["project"]["post-render"]
    site = tmp_path / "_site"
    (site / "notebooks").mkdir(parents=True)
    page = site / "notebooks" / "02.html"
    page.write_text('<a href="../glossary.md#kappa">kappa</a>', encoding="utf-8")
    untouched = site / "index.html"
    untouched.write_text('<a href="glossary.md">g</a>', encoding="utf-8")
    env = {**os.environ, "QUARTO_PROJECT_OUTPUT_DIR": str(site), "QUARTO_PROJECT_OUTPUT_FILES": str(page)}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert page.read_text(encoding="utf-8") == '<a href="../glossary.html#kappa">kappa</a>'
    assert untouched.read_text(encoding="utf-8") == '<a href="glossary.md">g</a>', "only the pages of this render"
    assert set(LAB_PAGES.values()) == {"glossary.md", "reproduce.md"}
