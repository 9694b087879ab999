"""Run by Quarto before every render (``project: pre-render`` in _quarto.yml, with QUARTO_PYTHON): build the site's downloads.

Quarto runs a pre-render script with the folder of the project being rendered as its working
directory (src/command/render/project.ts, ``runScripts``: ``cwd: projDir``). The downloads are
built from that folder and into its ``downloads/`` (git-ignored), never into the folder the
``analysis`` package was installed from: a copy of the project (the render test's, a report's
staging folder) gets its own. analysis/downloads.py writes the source as one zip file with
deterministic bytes and a copy of each notebook; Quarto then copies them to the site
(``project: resources``).
"""

from pathlib import Path

from analysis.downloads import build_downloads

if __name__ == "__main__":
    project = Path.cwd()
    build_downloads(project / "downloads", project)
