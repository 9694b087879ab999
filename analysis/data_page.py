"""The Data page: every raw and processed file for download, the data dictionary of each folder, and the licence statement.

``data.qmd`` calls these functions at render time. The lists and dictionaries are generated from
each folder's ``datapackage.json``, so they cannot drift from the files; a described file that is
missing raises :class:`analysis.data.errors.AuditDataError` naming it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd

from analysis.data import paths
from analysis.data.errors import AuditDataError
from analysis.display import breakable, code_name, pipe_table
from analysis.narrative.style import Markup, as_text, code, link, prose, web_address
from analysis.site import REBUILD_HINT, processed_folder, provenance, raw_folder


@dataclass(frozen=True)
class DataFile:
    """One downloadable data file: its path in the project and on the site (``data/<kind>/<name>``), title, description and size."""

    path: str
    kind: str
    title: str
    description: str
    bytes: int


def _descriptor(folder: Path) -> dict[str, Any]:
    path = folder / "datapackage.json"
    if not path.is_file():
        raise AuditDataError(paths.display_path(path), f"data package not found; {REBUILD_HINT}", found="no file")
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def data_files(raw_dir: str | Path | None = None, processed_dir: str | Path | None = None) -> list[DataFile]:
    """Every raw and processed data file, for download: each folder's ``datapackage.json`` then its resources.

    Files on disk that the data package does not describe are listed too (titled as such), so
    nothing in the folders is hidden; a described file that is missing raises
    :class:`AuditDataError`.
    """
    out = []
    for kind, folder in (("raw", raw_folder(raw_dir)), ("processed", processed_folder(processed_dir))):
        desc = _descriptor(folder)
        entries = [
            (
                "datapackage.json",
                "Data package (" + kind + ")",
                "The data dictionary of this folder in Frictionless Data Package form: every file's schema, licence and checksum.",
            )
        ]
        entries += [(r["path"], r.get("title", r["name"]), r.get("description", "")) for r in desc.get("resources", [])]
        described = {e[0] for e in entries}
        extra = sorted(p.name for p in folder.iterdir() if p.is_file() and p.suffix in {".csv", ".json"} and p.name not in described)
        entries += [(name, name, "Not described in the data package.") for name in extra]
        for name, title, description in entries:
            path = folder / name
            if not path.is_file():
                raise AuditDataError(paths.display_path(path), "file listed in the data package not found", found="no file")
            out.append(DataFile(f"data/{kind}/{name}", kind, title, description, path.stat().st_size))
    return out


def size_text(n: int) -> str:
    """A file size in bytes or kB (base 1000), e.g. ``"1.3 kB"``."""
    return f"{n} bytes" if n < 1000 else f"{n / 1000:.1f} kB"


def download_table(files: Sequence[DataFile], kind: str, link_base: str = "") -> str:
    """Markdown table of the ``kind`` files ("raw" or "processed"), each name a download link relative to ``link_base``."""
    rows = [f for f in files if f.kind == kind]
    frame = pd.DataFrame(
        {
            "File": [Markup(f"[{breakable(Path(f.path).name)}]({quote(link_base + f.path)})") for f in rows],
            "What it holds": [f.title for f in rows],
            "Size": [size_text(f.bytes) for f in rows],
        }
    )
    return pipe_table(frame, right=("Size",), caption=f"Downloadable {kind} files", label=f"tbl-files-{kind}")


def _constraints(field: Mapping[str, Any]) -> str:
    cons = field.get("constraints", {})
    parts = []
    if cons.get("required"):
        parts.append("required")
    if "enum" in cons:
        parts.append("one of: " + ", ".join(breakable(v) for v in cons["enum"]))
    for key, word in (("minimum", "at least"), ("maximum", "at most")):
        if key in cons:
            parts.append(f"{word} {as_text(cons[key])}")
    if "pattern" in cons:
        parts.append(f"pattern {code(cons['pattern'])}")
    return Markup("; ".join(parts))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def data_dictionary(kind: str, folder: str | Path | None = None, heading_level: int = 3, *, fold: bool = True) -> str:
    """The data dictionary of the ``kind`` ("raw" or "processed") data package, as Markdown.

    For each file: its title, its description and notes, and a captioned table of its columns
    (name, type, description, allowed values), generated from the folder's ``datapackage.json``.
    With ``fold`` (the Data page), each file is one closed ``<details>`` block whose summary is its
    title and file name, so that a reader opens the one they want and the page stays short on a
    phone; without it, each file has a heading of ``heading_level``. Column and file names break
    only after a separator (:func:`analysis.display.breakable`).
    The descriptor's words are text (:func:`analysis.narrative.style.prose`: only its inline code stays code).
    """
    if kind not in ("raw", "processed"):
        raise ValueError("kind must be 'raw' or 'processed'")
    folder = Path(folder) if folder is not None else (paths.raw_dir() if kind == "raw" else paths.processed_dir())
    desc = _descriptor(folder)
    parts = []
    for res in desc.get("resources", []):
        rel = f"data/{kind}/{res['path']}"
        title = res.get("title", res["name"])
        if fold:
            parts.append(f'<details class="data-dictionary-file">\n<summary>{as_text(title)} ({code_name(res["path"])})</summary>\n')
        else:
            parts.append(f"{'#' * heading_level} {prose(title)}\n")
        parts.append(f"File {code(rel)}. {prose(res.get('description', ''))}\n")
        notes = [prose(n) for n in res.get("x_notes", [])]
        if res.get("x_section"):
            notes.append(f"Report section: {prose(res['x_section'])}.")
        parts += [f"- {n}" for n in notes]
        if notes:
            parts.append("")
        fields = res.get("schema", {}).get("fields", [])
        if res["path"].endswith(".json"):
            from analysis.data.audit_package import AUDIT_FIELDS

            fields = [{"name": n, "type": t, "description": d} for n, t, d in AUDIT_FIELDS] if res["path"] == "audit.json" else []
        frame = pd.DataFrame(
            {
                "Column": [code_name(f["name"]) for f in fields],
                "Type": [f.get("type", "string") for f in fields],
                "Description": [prose(f.get("description", f.get("title", ""))) for f in fields],
                "Allowed values": [_constraints(f) for f in fields],
            }
        )
        parts.append(pipe_table(frame, caption=f"Columns of {rel}", label=f"tbl-dict-{kind}-{_slug(res['name'])}"))
        if fold:
            parts.append("</details>\n")
    return "\n".join(parts)


def licence_statement(processed_dir: str | Path | None = None) -> str:
    """The licence and source statement, as Markdown, from the processed data package: its licences and sources (:func:`analysis.site.provenance`).

    The source record (``source.csv``) where the package has one, else ``audit.json``'s title, force,
    date and sources. The package's words are text (:func:`analysis.narrative.style.as_text`) and its
    addresses links only when they are http(s).
    """
    data = provenance(processed_dir)
    source = data.record
    licences = "; ".join(
        link(lic.get("title", lic["name"]), lic["path"]) if lic.get("path") else as_text(lic.get("title", lic["name"]))
        for lic in data.licenses
    )
    if source is None:
        meta = data.meta
        where = "; ".join(link(title, url) for title, url in meta.sources)
        return (
            f"The figures come from *{as_text(meta.title)}* ({as_text(meta.force)}, published {meta.published}): {where}. They are transcribed "
            f"here as published and are re-used under {licences or as_text(meta.licence)}. The processed files are derived from them by this "
            "project's code and are released under the same licence."
        )
    published = pd.Timestamp(str(source["publication_month"]) + "-01")
    address = web_address(source["url"])
    return (
        f"The figures come from *{as_text(source['title'])}*, published by {as_text(source['inspectorate'])} in {published.strftime('%B %Y')} "
        f"(ISBN {as_text(source['isbn'])}), at {f'<{address}>' if address else as_text(source['url'])}. They are transcribed here as published and are re-used under the {licences}. "
        "Contains public sector information licensed under the Open Government Licence v3.0. The processed files are derived "
        "from them by this project's code and are released under the same licence."
    )
