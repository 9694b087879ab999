"""Run by Quarto after every render (``project: post-render`` in _quarto.yml): point the notebooks' links at the rendered pages.

The notebooks link to ``../glossary.md#term`` and ``../reproduce.md``, the Markdown copies that
JupyterLab shows readably (analysis/lab_pages.py). On the site those links must open the rendered
Glossary and Reproduce pages, so every page Quarto wrote in this render has them rewritten to
``glossary.html#term`` and ``reproduce.html``. Quarto runs the script from the project's folder
with ``QUARTO_PROJECT_OUTPUT_DIR`` (the site) and ``QUARTO_PROJECT_OUTPUT_FILES`` (the pages it
wrote, one a line) set (src/command/render/project.ts); without the list, every page is checked.
"""

import os
from pathlib import Path

from analysis.lab_pages import site_links


def main() -> int:
    site = Path(os.environ.get("QUARTO_PROJECT_OUTPUT_DIR") or "_site")
    listed = [line for line in os.environ.get("QUARTO_PROJECT_OUTPUT_FILES", "").splitlines() if line.strip()]
    pages = [Path(p) for p in listed if p.endswith(".html")] if listed else sorted(site.rglob("*.html"))
    for page in pages:
        if not page.is_file():
            continue
        text = page.read_text(encoding="utf-8")
        fixed = site_links(text)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
