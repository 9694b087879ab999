"""Where a processed set's figures come from, as the set itself says: its ``datapackage.json``'s ``sources`` and ``x_audit``.

``python -m analysis process`` writes both beside the tables (:func:`header`, through the one gate
out): ``sources`` is the Frictionless Data Package property (each source's ``title`` and ``path``,
its web address), holding the package's source record (``source.csv``, with the fields the standard
has no name for as ``x_<field>``, :func:`analysis.extras.source.as_source`) or else ``audit.json``'s
sources; ``x_audit`` is ``audit.json`` as read (:func:`analysis.data.audit_package.audit_document`:
id, force, title, sources, licence, what the document says of each sample). The site's pages read
them back (:func:`read_provenance`), so no page loads the raw package.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.data.audit_package import AuditMeta, audit_document, parse_audit_json
from analysis.data.errors import AuditDataError
from analysis.data.package import MAX_DESCRIPTOR_BYTES, read_json
from analysis.data.paths import display_path
from analysis.extras import source

if TYPE_CHECKING:
    from analysis.data.audit_data import AuditData

#: The data package property that holds ``audit.json`` as read (the standard has none for it).
AUDIT = "x_audit"

#: How to replace a processed set that lacks what this module reads.
REBUILD = "rebuild it with `python -m analysis process`"


def header(data: AuditData) -> dict[str, Any]:
    """The processed data package's ``sources`` and ``x_audit`` for ``data`` (merged into its header by the pipeline)."""
    record = data.extra("source")
    sources = [source.as_source(record)] if record is not None else [{"title": t, "path": u} for t, u in data.meta.sources]
    return {"sources": sources, AUDIT: audit_document(data.meta)}


@dataclass(frozen=True)
class Provenance:
    """What a processed set says about where its figures come from.

    ``meta`` is ``audit.json`` as the set carries it (:class:`~analysis.data.audit_package.AuditMeta`);
    ``record`` the source record (``source.csv``'s fields, typed) when the package has one, else
    ``None``; ``licenses`` the processed data package's licences.
    """

    meta: AuditMeta
    record: Mapping[str, Any] | None
    licenses: tuple[Mapping[str, Any], ...]

    @property
    def source_line(self) -> str:
        """Where the figures come from, in one line (the "Source:" line of every chart), as :attr:`analysis.data.audit_data.AuditData.source_line`."""
        from analysis.narrative.style import source_line

        return source_line(self.record, self.meta)


def provenance(descriptor: Any, shown: str) -> Provenance:
    """Read :class:`Provenance` from a processed data package's descriptor (parsed JSON); ``shown`` names its file in messages.

    ``x_audit`` is checked as ``audit.json`` is (:func:`analysis.data.audit_package.parse_audit_json`);
    ``sources`` must be a non-empty list of sources with a title, at most one of them a source record,
    checked field by field against ``source.csv``'s schema (:func:`analysis.extras.source.from_source`);
    ``licenses`` a list of objects. Any fault raises :class:`AuditDataError` naming the file and the
    source (its position in ``sources``, from 1) or the field.
    """
    if not isinstance(descriptor, Mapping):
        raise AuditDataError(shown, "not a data package", expected="a JSON object", found=type(descriptor).__name__)
    if AUDIT not in descriptor:
        raise AuditDataError(
            shown,
            f"the set does not say what the audit is (no '{AUDIT}')",
            expected=f"a set published by this version of the project: {REBUILD}",
            found="a set without it",
        )
    meta = parse_audit_json(json.dumps(descriptor[AUDIT]), f"{shown} ({AUDIT})")
    sources = descriptor.get("sources")
    if not isinstance(sources, list) or not sources:
        raise AuditDataError(
            shown, "no sources", column="sources", expected="a non-empty list of sources, each with a title", found=repr(sources)
        )
    records = []
    for i, entry in enumerate(sources, start=1):
        where = f"{shown}, source {i}"
        if not isinstance(entry, Mapping) or not isinstance(entry.get("title"), str) or not entry["title"].strip():
            raise AuditDataError(where, "not a source", expected="an object with a non-empty title", found=repr(entry))
        if source.is_record(entry):
            records.append(source.from_source(entry, where))
    if len(records) > 1:
        raise AuditDataError(shown, "more than one source record", column="sources", expected="at most 1", found=str(len(records)))
    licenses = descriptor.get("licenses", [])
    if not isinstance(licenses, list) or not all(isinstance(lic, Mapping) and isinstance(lic.get("name"), str) for lic in licenses):
        raise AuditDataError(
            shown, "licences not usable", column="licenses", expected="a list of objects with a name", found=repr(licenses)
        )
    return Provenance(meta, records[0] if records else None, tuple(licenses))


def read_provenance(folder: str | Path) -> Provenance:
    """:func:`provenance` of the processed set in ``folder`` (its ``datapackage.json``, read within bounds)."""
    path = Path(folder) / "datapackage.json"
    shown = display_path(path)
    return provenance(read_json(path, shown, "data package descriptor", limit=MAX_DESCRIPTOR_BYTES), shown)
