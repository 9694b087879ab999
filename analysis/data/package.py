"""Read the Frictionless data package that describes the raw files, check files against it, and keep its checksums."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.data.errors import AuditDataError
from analysis.data.paths import DATAPACKAGE, RAW_DIR, display_path

_INT = re.compile(r"[+-]?[0-9]+")
_YEARMONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


def load_descriptor(raw_dir: str | Path = RAW_DIR) -> dict[str, Any]:
    """Return the parsed ``datapackage.json`` of ``raw_dir`` (the project's own when the folder has none)."""
    path = Path(raw_dir) / "datapackage.json"
    if not path.exists():
        path = DATAPACKAGE
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def resource_descriptor(descriptor: dict[str, Any], name: str) -> dict[str, Any]:
    """Return the resource called ``name`` from a data package descriptor."""
    for res in descriptor["resources"]:
        if res["name"] == name:
            return res
    raise KeyError(f"the data package has no resource named {name!r}")


def sha256(path: str | Path) -> str:
    """Return the file's SHA-256 in the data package's ``sha256:<hex>`` form."""
    return "sha256:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()


def stale_hashes(raw_dir: str | Path = RAW_DIR) -> list[str]:
    """Names of resources whose recorded hash or byte count no longer matches the file."""
    raw_dir = Path(raw_dir)
    stale = []
    for res in load_descriptor(raw_dir)["resources"]:
        path = raw_dir / res["path"]
        if res.get("hash") != sha256(path) or res.get("bytes") != path.stat().st_size:
            stale.append(res["name"])
    return stale


def update_hashes(raw_dir: str | Path = RAW_DIR) -> list[str]:
    """Record each raw file's SHA-256 and size in ``datapackage.json``; return the names that changed.

    Run after a deliberate, reviewed change to a raw file (``python -m analysis hashes``).
    """
    raw_dir = Path(raw_dir)
    path = raw_dir / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    changed = []
    for res in descriptor["resources"]:
        file = raw_dir / res["path"]
        new = (sha256(file), file.stat().st_size)
        if (res.get("hash"), res.get("bytes")) != new:
            res["hash"], res["bytes"] = new
            changed.append(res["name"])
    if changed:
        text = json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return changed


def _decode(path: Path, shown: str) -> str:
    if not path.exists():
        raise AuditDataError(shown, "file not found")
    data = path.read_bytes()
    if not data.strip():
        raise AuditDataError(shown, "file is empty", expected="a header line and data rows")
    if data.startswith(b"\xef\xbb\xbf"):
        raise AuditDataError(
            shown,
            "file starts with a UTF-8 byte-order mark (BOM)",
            expected="UTF-8 without a BOM (re-save the file as plain UTF-8)",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise AuditDataError(
            shown,
            f"file is not valid UTF-8 (byte {err.start}, line {line})",
            expected="UTF-8 text",
            found=f"byte 0x{data[err.start]:02x}",
        ) from None


def _convert(value: str, field: dict[str, Any]) -> Any:
    """Convert one CSV cell to the field's type; raise ``ValueError`` with the expectation on failure."""
    kind = field.get("type", "string")
    if kind == "string":
        return value
    if kind == "integer":
        if not _INT.fullmatch(value):
            raise ValueError("an integer")
        return int(value)
    if kind == "date":
        try:
            if len(value) != 10:
                raise ValueError
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError("a date in YYYY-MM-DD form") from None
    if kind == "yearmonth":
        if not _YEARMONTH.fullmatch(value):
            raise ValueError("a month in YYYY-MM form")
        return value
    raise ValueError(f"a supported field type (the schema says {kind!r})")


def read_resource(raw_dir: str | Path, name: str, descriptor: dict[str, Any] | None = None) -> pd.DataFrame:
    """Read one raw CSV and check it against its schema in the data package.

    Checks, in order: the file exists, is not empty, is UTF-8 without a BOM; the header
    names exactly the schema's fields in order; every row has one value per field; each
    value has the field's type and meets its constraints (required, enum, minimum,
    pattern, unique); the primary key is unique. Values are never coerced: ``"3.0"`` is
    not an integer and ``" good"`` is not a grade. Returns a DataFrame with Python-typed
    columns (``int64`` for integers, ``object`` otherwise). Any failure raises
    :class:`AuditDataError`.
    """
    raw_dir = Path(raw_dir)
    descriptor = descriptor or load_descriptor(raw_dir)
    res = resource_descriptor(descriptor, name)
    path = raw_dir / res["path"]
    shown = display_path(path)
    fields = res["schema"]["fields"]
    names = [f["name"] for f in fields]

    text = _decode(path, shown)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    for col in names:
        if col not in header:
            raise AuditDataError(
                shown, f"missing column '{col}'", expected=f"columns {', '.join(names)}", found=f"columns {', '.join(header)}"
            )
    if header != names:
        extra = [c for c in header if c not in names]
        problem = f"unexpected column '{extra[0]}'" if extra else "columns are out of order or repeated"
        raise AuditDataError(shown, problem, expected=f"columns {', '.join(names)}", found=f"columns {', '.join(header)}")
    if not body:
        raise AuditDataError(shown, "file has a header but no data rows", expected="at least one data row")

    records = []
    for i, values in enumerate(body, start=1):
        if not values:
            raise AuditDataError(shown, "blank line", row=i, expected=f"{len(names)} values (remove the blank line)", found="nothing")
        if len(values) != len(names):
            raise AuditDataError(shown, "wrong number of values", row=i, expected=f"{len(names)} values", found=f"{len(values)}")
        record = {}
        for field, value in zip(fields, values, strict=True):
            col = field["name"]
            cons = field.get("constraints", {})
            if value == "":
                if cons.get("required"):
                    raise AuditDataError(shown, "missing value", row=i, column=col, expected="a value", found="an empty cell")
                record[col] = None
                continue
            try:
                converted = _convert(value, field)
            except ValueError as err:
                raise AuditDataError(shown, f"not {err.args[0]}", row=i, column=col, expected=str(err.args[0]), found=repr(value)) from None
            if "enum" in cons and converted not in cons["enum"]:
                raise AuditDataError(
                    shown,
                    "value not allowed",
                    row=i,
                    column=col,
                    expected="one of " + ", ".join(repr(v) for v in cons["enum"]),
                    found=repr(value),
                )
            if "minimum" in cons and converted < cons["minimum"]:
                raise AuditDataError(
                    shown, "value below the minimum", row=i, column=col, expected=f"a value >= {cons['minimum']}", found=repr(value)
                )
            if "pattern" in cons and not re.fullmatch(cons["pattern"], value):
                raise AuditDataError(
                    shown, "value does not match the pattern", row=i, column=col, expected=f"pattern {cons['pattern']}", found=repr(value)
                )
            record[col] = converted
        records.append(record)

    frame = pd.DataFrame.from_records(records, columns=names)
    for field in fields:
        col = field["name"]
        if field.get("constraints", {}).get("unique"):
            _check_unique(frame, [col], shown)
        if field.get("type") == "integer" and frame[col].notna().all():
            frame[col] = frame[col].astype("int64")
        else:
            frame[col] = frame[col].astype("object")
    key = res["schema"].get("primaryKey")
    if key:
        _check_unique(frame, [key] if isinstance(key, str) else list(key), shown)
    return frame


def _check_unique(frame: pd.DataFrame, cols: list[str], shown: str) -> None:
    dup = frame.duplicated(subset=cols, keep=False)
    if dup.any():
        rows = [int(i) + 1 for i in frame.index[dup]]
        key = ", ".join(f"{c}={frame.loc[frame.index[dup][0], c]!r}" for c in cols)
        raise AuditDataError(
            shown,
            "duplicate key",
            row=rows,
            column=", ".join(cols),
            expected=f"each ({', '.join(cols)}) once",
            found=f"{key} {len(rows)} times",
        )


def check_foreign_keys(raw_dir: str | Path, tables: dict[str, pd.DataFrame], descriptor: dict[str, Any] | None = None) -> None:
    """Check every foreign key declared in the data package between the loaded ``tables``."""
    raw_dir = Path(raw_dir)
    descriptor = descriptor or load_descriptor(raw_dir)
    for res in descriptor["resources"]:
        if res["name"] not in tables:
            continue
        for fk in res["schema"].get("foreignKeys", []):
            ref = fk["reference"]
            if ref["resource"] not in tables:
                continue
            child = tables[res["name"]]
            parent = tables[ref["resource"]]
            keys = set(map(tuple, parent[ref["fields"]].to_numpy().tolist()))
            for i, values in enumerate(child[fk["fields"]].itertuples(index=False), start=1):
                if tuple(values) not in keys:
                    raise AuditDataError(
                        display_path(raw_dir / res["path"]),
                        "value has no match in the referenced table",
                        row=i,
                        column=", ".join(fk["fields"]),
                        expected=f"a value of {', '.join(ref['fields'])} in {resource_descriptor(descriptor, ref['resource'])['path']}",
                        found=repr(values[0] if len(values) == 1 else tuple(values)),
                    )
