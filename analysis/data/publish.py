"""Write processed tables deterministically and atomically, with a generated data dictionary (``datapackage.json``)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.data.package import sha256
from analysis.grades import GRADES

if TYPE_CHECKING:
    from analysis.data.load import AuditData


@dataclass(frozen=True)
class TableSpec:
    """Description of one processed CSV: its file name, title, description and one description per column.

    The column descriptions are the data dictionary; :func:`write_tables` refuses a table whose
    columns differ from them, so the dictionary cannot drift from the files.
    """

    path: str
    title: str
    description: str
    columns: Mapping[str, str]
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Stage:
    """A step of the pipeline: a function from the loaded audit data to named tables, and their specs."""

    name: str
    build: Callable[[AuditData, Path], dict[str, pd.DataFrame]]
    tables: tuple[TableSpec, ...]


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """Serialise a table as UTF-8 CSV with ``\\n`` line ends and floats at full (round-trip) precision."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _field_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        return "number"
    return "string"


def _resource(spec: TableSpec, frame: pd.DataFrame, data: bytes) -> dict:
    fields = []
    for col in frame.columns:
        entry = {"name": col, "type": _field_type(frame[col]), "description": spec.columns[col]}
        values = frame[col].dropna()
        if len(values) and values.astype(str).isin(GRADES).all() and "grade" in col:
            entry["constraints"] = {"enum": [g for g in GRADES]}
        fields.append(entry)
    res = {
        "name": Path(spec.path).stem,
        "path": spec.path,
        "title": spec.title,
        "description": spec.description,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": len(data),
        "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
        "schema": {"fields": fields},
    }
    if spec.notes:
        res["x_notes"] = list(spec.notes)
    return res


def _atomic_write(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() == data:
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_tables(tables: Mapping[str, pd.DataFrame], specs: Mapping[str, TableSpec], out_dir: str | Path) -> list[Path]:
    """Write ``tables`` (file name -> DataFrame) into ``out_dir`` and record them in its ``datapackage.json``.

    Every table is checked against its spec and serialised in memory before any file is touched,
    so an error leaves ``out_dir`` as it was. Each file is then replaced atomically (written to a
    temporary file in the same folder and renamed); unchanged files are left alone. The
    ``datapackage.json`` in ``out_dir`` keeps the resources of files not written now, so stages may
    write their tables separately. Returns the paths written, sorted.
    """
    out_dir = Path(out_dir)
    payload: dict[str, bytes] = {}
    resources: dict[str, dict] = {}
    for name in sorted(tables):
        frame = tables[name]
        if name not in specs:
            raise ValueError(f"no TableSpec describes {name!r}")
        spec = specs[name]
        if list(frame.columns) != list(spec.columns):
            raise ValueError(f"{name}: columns {list(frame.columns)} differ from the spec's {list(spec.columns)}")
        data = csv_bytes(frame)
        payload[name] = data
        resources[name] = _resource(spec, frame, data)

    out_dir.mkdir(parents=True, exist_ok=True)
    dp_path = out_dir / "datapackage.json"
    existing = json.loads(dp_path.read_text(encoding="utf-8")) if dp_path.exists() else {}
    merged = {r["path"]: r for r in existing.get("resources", []) if (out_dir / r["path"]).exists()}
    merged.update(resources)
    descriptor = {
        "name": "gwent-child-protection-audit-2019-processed",
        "title": "Processed tables of the Gwent 2019 child protection case-file audit",
        "description": "Tables written by the project's code (python -m analysis process, and the notebooks) from the raw data package in data/raw. Do not edit by hand: delete and rebuild.",
        "licenses": [
            {
                "name": "OGL-UK-3.0",
                "title": "Open Government Licence v3.0",
                "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
            }
        ],
        "resources": [merged[k] for k in sorted(merged)],
    }
    dp_bytes = (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    written = []
    for name, data in payload.items():
        _atomic_write(out_dir / name, data)
        written.append(out_dir / name)
    _atomic_write(dp_path, dp_bytes)
    return sorted(written)


def verify_processed(out_dir: str | Path) -> list[str]:
    """Names of processed files whose bytes no longer match the hash recorded in ``datapackage.json``."""
    out_dir = Path(out_dir)
    descriptor = json.loads((out_dir / "datapackage.json").read_text(encoding="utf-8"))
    return [r["path"] for r in descriptor["resources"] if sha256(out_dir / r["path"]) != r["hash"]]
