"""Render the website with Quarto, page by page, only where a page's inputs changed (``make site``, ``python -m analysis render``).

Quarto re-renders every page, and re-runs the Python of every ``.qmd`` page, on each ``quarto
render``. Here each page has a stamp over its inputs (:mod:`analysis.stamps`):

- every page: the page's own file;
- a ``.qmd`` page with Python chunks or inline expressions: also the ``analysis`` package, the raw
  and processed data and the pinned packages (what its code reads);
- the Data page: also every file of the source archive it offers (:func:`analysis.downloads.source_files`),
  since a render is what rebuilds and copies the downloads;
- the notebook pages: the notebook alone (Quarto shows its stored outputs; it does not run it).

What every page carries (``_quarto.yml``'s navigation and settings, ``styles.css``, ``assets/``)
is one stamp for the whole site: when it changed, or the site has not been rendered here yet, or
the list of pages changed, everything is rendered with one ``quarto render``, and the reason is
printed. Otherwise each changed page is rendered alone with ``quarto render PAGE`` (which runs
the pre-render step and copies the project's resources too), and nothing at all when nothing
changed.

The render list is read from ``_quarto.yml`` as Quarto 1.11 reads it (:func:`render_pages`): a
glob that does not start with ``/`` matches at any depth.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from analysis import stamps
from analysis.data import paths
from analysis.data.paths import PROJ_ROOT

#: Stamp folder of this step (under ``.build/``).
STEP = "site"
#: Inputs every page carries: a change to one renders the whole site.
SITE_WIDE = ("_quarto.yml", "styles.css", "assets")
#: Name of the site-wide stamp.
SITE_STAMP = "_site-wide"
#: What the code of a computing ``.qmd`` page reads, besides the page.
CODE_INPUTS = ("analysis", "requirements.txt")

_CODE = re.compile(r"^```\{python\}|`\{python\}\s", re.M)
# src/core/lib/glob.ts, isGlob: a string with glob syntax (a leading "!", *, ?, a class, braces or an extglob).
_IS_GLOB = re.compile(r"\\(.)|(^!|\*|\?|[\].+)]\?|\[[^\\\]]+\]|\{[^\\}]+\}|\(\?[:!=][^\\)]+\)|\([^|]+\|[^\\)]+\))")


# --------------------------------------------------------------------------- Quarto's globs


def full_glob(glob: str, root: Path, mode: str = "auto") -> str:
    """A ``project: render`` or ``resources`` glob as Quarto 1.11 expands it, relative to ``root`` (src/core/path.ts, ``resolveGlobs``).

    ``mode`` is ``"auto"`` for the render list (a pattern with glob syntax is "smart") and
    ``"always"`` for resources. A smart glob that does not start with ``/`` gets ``**/`` in front,
    so it matches at any depth; a leading ``/`` roots it at the project.
    """
    smart = mode == "always" or (mode == "auto" and bool(_IS_GLOB.search(glob)))
    if glob.startswith("\\!"):
        glob = glob[1:]
    if smart:
        glob = re.sub(r"^\.([/\\])+", r"\1", glob)
        if glob.endswith("/"):
            glob += "**/*"
        elif (Path(root) / glob.lstrip("/")).is_dir():
            glob += "/**/*"
    if not glob.startswith("/"):
        return "**/" + glob if smart else glob
    return glob[1:]


def _hidden(rel: Path) -> bool:
    # src/project/project-context.ts, projectHiddenIgnoreGlob: hidden and "_" names are never inputs
    return any(part.startswith((".", "_")) for part in rel.parts)


def expand(globs: Sequence[str], root: Path = PROJ_ROOT, mode: str = "auto") -> list[str]:
    """The project-relative files that ``globs`` select under ``root``, as Quarto resolves them (hidden and ``_`` paths left out)."""
    root = Path(root)
    found: dict[str, None] = {}
    for glob in globs:
        for path in sorted(root.glob(full_glob(glob, root, mode))):
            rel = path.relative_to(root)
            if path.is_file() and not _hidden(rel):
                found[rel.as_posix()] = None
    return list(found)


def render_pages(root: Path = PROJ_ROOT) -> list[str]:
    """The pages ``quarto render`` renders: ``project: render`` of ``root``'s ``_quarto.yml``, resolved as Quarto does."""
    cfg = yaml.safe_load((Path(root) / "_quarto.yml").read_text(encoding="utf-8"))
    return expand(cfg["project"]["render"], root, "auto")


# --------------------------------------------------------------------------- what each page depends on


def computes(page: Path) -> bool:
    """Whether a ``.qmd`` page runs Python when rendered (a ``{python}`` chunk or inline expression)."""
    return page.suffix == ".qmd" and bool(_CODE.search(page.read_text(encoding="utf-8")))


def page_inputs(page: str, root: Path = PROJ_ROOT) -> list[Path]:
    """The files whose change means ``page`` must be rendered again (see the module docstring)."""
    from analysis.downloads import source_files

    path = Path(root) / page
    inputs = [path]
    if computes(path):
        inputs += [Path(root) / name for name in CODE_INPUTS] + [paths.raw_dir(), paths.processed_dir()]
    if page == "data.qmd":
        inputs += [Path(root) / rel for rel in source_files(root)]
    return inputs


def site_wide_digest(root: Path = PROJ_ROOT) -> str:
    """Digest of what every page carries, and of the list of pages itself."""
    return stamps.digest([Path(root) / name for name in SITE_WIDE], root) + ":" + ",".join(render_pages(root))


def output_of(page: str, site_dir: Path) -> Path:
    """Where Quarto writes ``page`` in the site."""
    return Path(site_dir) / re.sub(r"\.(qmd|ipynb|md)$", ".html", page)


@dataclass(frozen=True)
class Plan:
    """What a render must do: everything (with the reason) or the listed pages, with the digests to record after it."""

    render_all: bool
    reason: str
    pages: tuple[str, ...]
    digests: dict[str, str]
    site_wide: str


def plan(root: Path = PROJ_ROOT, site_dir: Path | None = None, stamp_root: Path = stamps.STAMP_ROOT) -> Plan:
    """Decide what to render: all pages (and why), or only those whose inputs changed or whose output is missing."""
    root = Path(root)
    site_dir = Path(site_dir) if site_dir is not None else root / "_site"
    pages = render_pages(root)
    digests = {page: stamps.digest(page_inputs(page, root), root) for page in pages}
    wide = site_wide_digest(root)
    if not site_dir.is_dir():
        return Plan(True, f"{site_dir.name}/ does not exist yet", tuple(pages), digests, wide)
    if not stamps.is_current(STEP, SITE_STAMP, wide, stamp_root):
        return Plan(
            True,
            "what every page carries (_quarto.yml, styles.css, assets/) or the list of pages changed since the last render here",
            tuple(pages),
            digests,
            wide,
        )
    todo = tuple(
        page for page in pages if not output_of(page, site_dir).is_file() or not stamps.is_current(STEP, page, digests[page], stamp_root)
    )
    return Plan(False, "", todo, digests, wide)


def render(quarto: str, root: Path = PROJ_ROOT, stamp_root: Path = stamps.STAMP_ROOT, *, changed_only: bool = True) -> list[str]:
    """Render the site with ``quarto`` (all of it, or with ``changed_only`` only what changed); return the pages rendered.

    Prints what it does and why. Each page's stamp is written only after Quarto succeeded;
    raises :class:`analysis.data.errors.PublishError` (one line) when Quarto fails.
    """
    from analysis.data.errors import PublishError

    p = plan(root, stamp_root=stamp_root)
    everything = p.render_all or not changed_only
    if not everything and not p.pages:
        print("the site is up to date: no page's inputs changed since the last render here")
        return []
    commands = [[quarto, "render"]] if everything else [[quarto, "render", page] for page in p.pages]
    if everything:
        print(f"rendering every page: {p.reason if changed_only else 'asked to render all'}")
    for command in commands:
        if not everything:
            print(f"rendering {command[-1]} (its inputs changed)")
        done = subprocess.run(command, cwd=root, env=os.environ.copy(), check=False)
        if done.returncode != 0:
            raise PublishError(f"quarto {' '.join(command[1:])}: Quarto stopped with exit code {done.returncode} (its messages are above)")
        if not everything:
            stamps.record(STEP, command[-1], p.digests[command[-1]], stamp_root)
    if everything:
        for page, value in p.digests.items():
            stamps.record(STEP, page, value, stamp_root)
    stamps.record(STEP, SITE_STAMP, p.site_wide, stamp_root)
    return list(p.pages) if not everything else list(p.digests)
