"""Markdown copies of the site's Glossary and Reproduce pages for JupyterLab, generated from their ``.qmd`` sources.

The notebooks link to the glossary (``../glossary.md#kappa``) and to the Reproduce page
(``../reproduce.md``). JupyterLab shows a ``.qmd`` file as raw Quarto source (Python chunks,
placeholders instead of numbers, the ``{#term}`` anchors as text), so the links point at plain
Markdown copies that :func:`write_lab_pages` generates from the same sources: the chunks and
inline expressions run (as Quarto runs them, in order, at the project root), what they print
replaces them, each ``{#term}`` heading anchor becomes an HTML anchor JupyterLab can scroll to,
and captions and links read as plain Markdown. The copies are tracked, like the notebooks'
outputs; ``python -m analysis lab-pages`` (part of ``make notebooks``) rewrites them and a test
checks that they are current. On the website the same links lead to the rendered pages: the
post-render step (``assets/post_render.py``) points them at ``glossary.html`` and ``reproduce.html``.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import yaml

from analysis.data.paths import PROJ_ROOT

#: Site page -> its Markdown copy for JupyterLab.
LAB_PAGES = {"glossary.qmd": "glossary.md", "reproduce.qmd": "reproduce.md"}

_CHUNK = re.compile(r"^```\{python\}[^\n]*\n(.*?)^```[ \t]*\n?", re.M | re.S)
_INLINE = re.compile(r"`\{python\}\s+([^`]+)`")
_OPTION = re.compile(r"^#\|\s?(.*)$")
_HEADING_ID = re.compile(r"^(#{1,6}) (.*?)\s*\{#([A-Za-z0-9_-]+)\}[ \t]*$", re.M)
_CAPTION = re.compile(r"^: (.*?)\s*\{#(?:tbl|fig)-[a-z0-9-]+\}[ \t]*$", re.M)


def _options(code: str) -> dict:
    lines = []
    for line in code.splitlines():
        m = _OPTION.match(line)
        if not m:
            break
        lines.append(m.group(1))
    return (yaml.safe_load("\n".join(lines)) or {}) if lines else {}


def _front_matter(text: str) -> tuple[dict, str]:
    m = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.S)
    if not m:
        raise ValueError("a .qmd page starts with YAML front matter")
    return yaml.safe_load(m.group(1)) or {}, m.group(2)


def _inline(text: str, namespace: dict) -> str:
    return _INLINE.sub(lambda m: str(eval(m.group(1).strip(), namespace)), text)


def _to_lab_links(text: str) -> str:
    for page, copy in LAB_PAGES.items():
        text = re.sub(rf"\]\({re.escape(page)}(#[^)\s]*)?\)", lambda m, c=copy: f"]({c}{m.group(1) or ''})", text)
    return text


def lab_markdown(page: str, root: Path = PROJ_ROOT) -> str:
    """The Markdown copy of the site page ``page`` (a key of :data:`LAB_PAGES`), its code run at ``root``."""
    source = Path(root) / page
    front, body = _front_matter(source.read_text(encoding="utf-8"))
    namespace: dict = {"__name__": "__main__"}
    parts, pos = [], 0
    old = Path.cwd()
    os.chdir(root)
    try:
        for m in _CHUNK.finditer(body):
            parts.append(_inline(body[pos : m.start()], namespace))
            shown = io.StringIO()
            with contextlib.redirect_stdout(shown):
                exec(compile(m.group(1), page, "exec"), namespace)
            if _options(m.group(1)).get("output") == "asis":
                parts.append(shown.getvalue())
            pos = m.end()
        parts.append(_inline(body[pos:], namespace))
    finally:
        os.chdir(old)
    text = "".join(parts)
    text = _HEADING_ID.sub(lambda m: f'<a id="{m.group(3)}" name="{m.group(3)}"></a>\n\n{m.group(1)} {m.group(2)}', text)
    text = _CAPTION.sub(lambda m: f"*Table: {m.group(1)}*", text)
    text = re.sub(r"\n{3,}", "\n\n", _to_lab_links(text)).strip()
    head = [
        f"<!-- Generated from {page} by `python -m analysis lab-pages` for reading in JupyterLab: edit {page}, not this file. -->",
        "",
        f"# {front.get('title', page)}",
        "",
    ]
    if front.get("subtitle"):
        head += [f"*{front['subtitle']}*", ""]
    return "\n".join(head) + "\n" + text + "\n"


def stale_lab_pages(root: Path = PROJ_ROOT) -> list[str]:
    """The Markdown copies that are missing or differ from what their sources give now."""
    out = []
    for page, copy in LAB_PAGES.items():
        path = Path(root) / copy
        if not path.is_file() or path.read_text(encoding="utf-8") != lab_markdown(page, root):
            out.append(copy)
    return out


def write_lab_pages(root: Path = PROJ_ROOT) -> list[str]:
    """Write every Markdown copy whose text changed; return the copies written."""
    written = []
    for page, copy in LAB_PAGES.items():
        path = Path(root) / copy
        text = lab_markdown(page, root)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
            written.append(copy)
    return written


def lab_pages_digest(root: Path = PROJ_ROOT) -> str:
    """Digest of what the copies are built from and of the copies themselves (``lab-pages --changed`` skips when it is unchanged)."""
    from analysis import stamps
    from analysis.data import paths

    names = [*LAB_PAGES, *LAB_PAGES.values(), "analysis", "requirements.txt"]
    return stamps.digest([Path(root) / n for n in names] + [paths.raw_dir(), paths.processed_dir()], root)


#: A link in a rendered page to a Markdown copy (any ``../`` prefix, any anchor).
SITE_LINK = re.compile(r'(href=")([^":#?]*?)\b(' + "|".join(re.escape(Path(c).stem) for c in LAB_PAGES.values()) + r')\.md((?:#[^"]*)?")')


def site_links(html_text: str) -> str:
    """``html_text`` with its links to the Markdown copies pointed at the rendered pages (``glossary.md#x`` -> ``glossary.html#x``)."""
    return SITE_LINK.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}.html{m.group(4)}", html_text)
