"""Run by Quarto before every render (``project: pre-render`` in _quarto.yml, with QUARTO_PYTHON): build the site's downloads.

Writes downloads/ (git-ignored): the project's source as one zip file with deterministic bytes and a
copy of each notebook (analysis/downloads.py). Quarto then copies them to the site (``project: resources``).
"""

from analysis.downloads import build_downloads

if __name__ == "__main__":
    build_downloads()
