"""Read the Frictionless data package that describes the raw files, check each file's checksum, and read each table strictly.

Every failure raises :class:`analysis.data.errors.AuditDataError` with a one-line message naming
the file (and, where there is one, the row and column). Nothing is coerced, guessed or skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import unicodedata
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from analysis.data.errors import AuditDataError, shorten
from analysis.data.paths import RAW_DIR, display_path

_INT = re.compile(r"[+-]?[0-9]+")
_YEARMONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")

# Fields of any length are read (and then judged by the schema), whatever another library set the
# csv module's global limit to: the outcome must not depend on what was imported first.
csv.field_size_limit(2**31 - 1)

#: What to do after a reviewed change to a raw file.
HASH_HINT = "review the change, then run `python -m analysis hashes --update`"


def read_file_bytes(path: Path, shown: str, what: str = "file") -> bytes:
    """The bytes of a regular file; an :class:`AuditDataError` for a missing path, a directory, a link or an unreadable file."""
    if path.is_symlink():
        raise AuditDataError(shown, f"{what} is a symbolic link", expected="a regular file inside the data folder", found="a link")
    if not path.exists():
        raise AuditDataError(shown, f"{what} not found", expected="a file", found="nothing at that path")
    if not path.is_file():
        raise AuditDataError(
            shown, f"{what} is not a regular file", expected="a file", found="a directory" if path.is_dir() else "a special file"
        )
    try:
        return path.read_bytes()
    except OSError as err:
        raise AuditDataError(
            shown, f"{what} cannot be read", expected="a readable file", found=err.strerror or type(err).__name__
        ) from None


def _decode_text(data: bytes, shown: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        raise AuditDataError(
            shown, "file starts with a UTF-8 byte-order mark (BOM)", expected="UTF-8 without a BOM (re-save the file as plain UTF-8)"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise AuditDataError(
            shown, f"file is not valid UTF-8 (byte {err.start}, line {line})", expected="UTF-8 text", found=f"byte 0x{data[err.start]:02x}"
        ) from None


def _check_descriptor(descriptor: Any, shown: str) -> dict[str, Any]:
    """The descriptor's structure: a ``resources`` list, each with a unique name, a safe relative path and a schema."""
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list) or not descriptor["resources"]:
        raise AuditDataError(
            shown, "not a data package", expected="a JSON object with a non-empty 'resources' list", found=type(descriptor).__name__
        )
    seen: set[str] = set()
    for i, res in enumerate(descriptor["resources"], start=1):
        where = f"resource {i}"
        if not isinstance(res, dict):
            raise AuditDataError(shown, f"{where} is not an object", expected="a resource object", found=type(res).__name__)
        name, path, schema = res.get("name"), res.get("path"), res.get("schema")
        if not isinstance(name, str) or not name or name in seen:
            raise AuditDataError(shown, f"{where} has a missing or repeated name", expected="a unique 'name'", found=repr(name))
        seen.add(name)
        pure = PurePosixPath(path) if isinstance(path, str) else None
        if pure is None or pure.is_absolute() or ".." in pure.parts or len(pure.parts) != 1 or not path.endswith((".csv", ".json")):
            raise AuditDataError(
                shown,
                f"resource '{name}' has an unsafe or missing path",
                expected="a .csv or .json file name inside the folder",
                found=repr(path),
            )
        if path.endswith(".json"):
            continue  # a JSON document (audit.json): checked by its own reader, no table schema
        fields = schema.get("fields") if isinstance(schema, dict) else None
        if not isinstance(fields, list) or not fields or not all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in fields):
            raise AuditDataError(
                shown, f"resource '{name}' has no usable schema", expected="'schema' with a list of named 'fields'", found=repr(schema)[:60]
            )
    return descriptor


def load_descriptor(raw_dir: str | Path = RAW_DIR) -> dict[str, Any]:
    """Return the parsed and structurally checked ``datapackage.json`` of ``raw_dir``.

    A missing folder or file, invalid UTF-8 or JSON, or a descriptor without usable resources raises
    :class:`AuditDataError`: there is no fallback to another descriptor.
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise AuditDataError(
            display_path(raw_dir),
            "raw data folder not found",
            expected="a folder holding datapackage.json and the raw CSVs",
            found="no folder",
        )
    path = raw_dir / "datapackage.json"
    shown = display_path(path)
    text = _decode_text(read_file_bytes(path, shown, "data package descriptor"), shown)
    try:
        descriptor = json.loads(text)
    except json.JSONDecodeError as err:
        raise AuditDataError(
            shown, f"invalid JSON at line {err.lineno}, column {err.colno}", expected="a JSON data package", found=err.msg
        ) from None
    return _check_descriptor(descriptor, shown)


def resource_descriptor(descriptor: dict[str, Any], name: str, shown: str = "datapackage.json") -> dict[str, Any]:
    """Return the resource called ``name`` from a data package descriptor (an :class:`AuditDataError` if there is none)."""
    for res in descriptor["resources"]:
        if res["name"] == name:
            return res
    raise AuditDataError(
        shown, "missing resource", expected=f"a resource named '{name}'", found=", ".join(r["name"] for r in descriptor["resources"])
    )


def sha256_bytes(data: bytes) -> str:
    """SHA-256 of ``data`` in the data package's ``sha256:<hex>`` form."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def sha256(path: str | Path) -> str:
    """Return the file's SHA-256 in the data package's ``sha256:<hex>`` form."""
    return sha256_bytes(Path(path).read_bytes())


def check_checksum(data: bytes, res: dict[str, Any], shown: str) -> None:
    """The file's bytes match the ``hash`` and ``bytes`` recorded for it; else an error naming both hashes and the way forward."""
    recorded_hash, recorded_bytes = res.get("hash"), res.get("bytes")
    found_hash = sha256_bytes(data)
    if recorded_hash != found_hash or recorded_bytes != len(data):
        raise AuditDataError(
            shown,
            f"file differs from the checksum recorded in datapackage.json ({HASH_HINT})",
            expected=f"{recorded_hash} ({recorded_bytes} bytes)",
            found=f"{found_hash} ({len(data)} bytes)",
        )


def resource_bytes(raw_dir: str | Path, res: dict[str, Any], check: bool = True) -> tuple[bytes, str]:
    """The raw bytes of resource ``res`` in ``raw_dir`` and its display name; checked against the recorded checksum when ``check``."""
    path = Path(raw_dir) / res["path"]
    shown = display_path(path)
    data = read_file_bytes(path, shown)
    if check:
        check_checksum(data, res, shown)
    return data, shown


def stale_hashes(raw_dir: str | Path = RAW_DIR) -> list[str]:
    """Names of resources whose recorded hash or byte count no longer matches the file."""
    stale = []
    for res in load_descriptor(raw_dir)["resources"]:
        data, _ = resource_bytes(raw_dir, res, check=False)
        if res.get("hash") != sha256_bytes(data) or res.get("bytes") != len(data):
            stale.append(res["name"])
    return stale


def update_hashes(raw_dir: str | Path = RAW_DIR) -> list[str]:
    """Record each raw file's SHA-256 and size in ``datapackage.json``; return the names that changed.

    Run after a deliberate, reviewed change to a raw file (``python -m analysis hashes --update``).
    The descriptor is replaced atomically. In a folder with no ``datapackage.json`` (a new audit
    package), :func:`new_descriptor` writes one.
    """
    raw_dir = Path(raw_dir)
    path = raw_dir / "datapackage.json"
    if raw_dir.is_dir() and not path.exists() and not path.is_symlink():
        return new_descriptor(raw_dir)
    descriptor = load_descriptor(raw_dir)
    changed = []
    for res in descriptor["resources"]:
        data, _ = resource_bytes(raw_dir, res, check=False)
        new = (sha256_bytes(data), len(data))
        if (res.get("hash"), res.get("bytes")) != new:
            res["hash"], res["bytes"] = new
            changed.append(res["name"])
    if changed:
        text = json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    return changed


def _control_character(value: str) -> str | None:
    for ch in value:
        if unicodedata.category(ch) == "Cc":
            return f"U+{ord(ch):04X}"
    return None


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


def read_resource(raw_dir: str | Path, name: str, descriptor: dict[str, Any] | None = None, *, check: bool = True) -> pd.DataFrame:
    """Read one raw CSV, checked against its recorded checksum (when ``check``) and its schema in the data package.

    Checks, in order: the file exists and is a regular, readable file; its sha256 and size match
    the descriptor; it is UTF-8 without a BOM; it parses as CSV (a quoted field cut short or a stray
    quote is an error); the header names exactly the schema's fields in order; every row has one
    value per field; no value holds a control character (NUL, tab, line break, ...); each value has
    the field's type and meets its constraints (required, enum, minimum, pattern, unique); the
    primary key is unique. Values are never coerced: ``"3.0"`` is not an integer and ``" good"`` is
    not a grade. Returns a DataFrame with Python-typed columns (``int64`` for integers, ``object``
    otherwise). Any failure raises :class:`AuditDataError`.
    """
    raw_dir = Path(raw_dir)
    descriptor = descriptor if descriptor is not None else load_descriptor(raw_dir)
    res = resource_descriptor(descriptor, name, display_path(raw_dir / "datapackage.json"))
    data, shown = resource_bytes(raw_dir, res, check=check)
    return parse_table(data, res["schema"], shown)


def parse_table(data: bytes, schema: dict[str, Any], shown: str) -> pd.DataFrame:
    """Parse CSV ``data`` strictly against a Table Schema (see :func:`read_resource`); ``shown`` names the file in errors."""
    fields = schema["fields"]
    names = [f["name"] for f in fields]
    if not data.strip():
        raise AuditDataError(shown, "file is empty", expected="a header line and data rows")
    text = _decode_text(data, shown)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = []
    try:
        for values in reader:
            rows.append(values)
    except csv.Error as err:
        raise AuditDataError(
            shown,
            f"not valid CSV at line {reader.line_num} ({err})",
            row=max(reader.line_num - 1, 1),
            expected="comma-separated values, quoted fields closed",
            found="a quoted field cut short"
            if "end of data" in str(err)
            else ("a field longer than the CSV reader's limit" if "field limit" in str(err) else "a stray quote or a malformed line"),
        ) from None
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
            bad = _control_character(value)
            if bad:
                raise AuditDataError(
                    shown,
                    "control character in a value",
                    row=i,
                    column=col,
                    expected="printable text (no NUL, tab or line break)",
                    found=bad,
                )
            if value == "":
                if cons.get("required"):
                    raise AuditDataError(shown, "missing value", row=i, column=col, expected="a value", found="an empty cell")
                record[col] = None
                continue
            try:
                converted = _convert(value, field)
            except ValueError as err:
                raise AuditDataError(
                    shown, f"not {err.args[0]}", row=i, column=col, expected=str(err.args[0]), found=repr(shorten(value))
                ) from None
            if "enum" in cons and converted not in cons["enum"]:
                raise AuditDataError(
                    shown,
                    "value not allowed",
                    row=i,
                    column=col,
                    expected="one of " + ", ".join(repr(v) for v in cons["enum"]),
                    found=repr(shorten(value)),
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
    key = schema.get("primaryKey")
    if key:
        _check_unique(frame, [key] if isinstance(key, str) else list(key), shown)
    return frame


def _check_unique(frame: pd.DataFrame, cols: list[str], shown: str) -> None:
    dup = frame.duplicated(subset=cols, keep=False)
    if dup.any():
        rows = [int(i) + 1 for i in frame.index[dup]]
        first = frame.loc[frame.index[dup][0]]
        key = ", ".join(f"{c}={getattr(first[c], 'item', lambda v=first[c]: v)()!r}" for c in cols)
        raise AuditDataError(
            shown,
            "duplicate key",
            row=rows,
            column=", ".join(cols),
            expected=f"each ({', '.join(cols)}) once",
            found=f"{key} {len(rows)} times",
        )


def check_foreign_keys(tables: dict[str, pd.DataFrame], descriptor: dict[str, Any], files: dict[str, str]) -> None:
    """Check every foreign key declared in the data package between the loaded ``tables``.

    ``files`` maps each resource name to the file name shown in errors. A key whose referenced
    resource was not loaded is an error too: no declared key goes unchecked.
    """
    for res in descriptor["resources"]:
        if res["name"] not in tables:
            continue
        for fk in res["schema"].get("foreignKeys", []):
            ref = fk["reference"]
            shown = files[res["name"]]
            if ref["resource"] not in tables:
                raise AuditDataError(
                    shown,
                    "foreign key refers to a table that was not loaded",
                    expected="a resource of the data package",
                    found=ref["resource"],
                )
            child = tables[res["name"]]
            parent = tables[ref["resource"]]
            keys = set(map(tuple, parent[ref["fields"]].astype(object).to_numpy().tolist()))
            values = [tuple(v) for v in child[fk["fields"]].astype(object).itertuples(index=False)]
            bad = [i for i, v in enumerate(values, start=1) if v not in keys and not any(pd.isna(x) for x in v)]
            if bad:
                first = values[bad[0] - 1]
                raise AuditDataError(
                    shown,
                    "value has no match in the referenced table",
                    row=bad if len(bad) > 1 else bad[0],
                    column=", ".join(fk["fields"]),
                    expected=f"a value of {', '.join(ref['fields'])} in {files[ref['resource']]}",
                    found=repr(first[0] if len(first) == 1 else first),
                )


def _write_descriptor(path: Path, descriptor: dict[str, Any]) -> None:
    text = json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def new_descriptor(raw_dir: str | Path) -> list[str]:
    """Write ``datapackage.json`` for a new audit package holding ``audit.json`` and ``figures.csv``; return the resources described.

    The descriptor takes its name, title, licence and sources from ``audit.json`` (which must be
    valid), describes ``figures.csv`` with the project's schema and records both files' sha256 and
    size. The figures themselves are checked when the package is loaded.
    """
    from analysis.data.audit_package import AUDIT_FILE, FIGURES_FILE, FIGURES_SCHEMA, parse_audit_json

    raw_dir = Path(raw_dir)
    for name in (AUDIT_FILE, FIGURES_FILE):
        if not (raw_dir / name).exists():
            raise AuditDataError(
                display_path(raw_dir / name),
                "an audit package needs this file before its datapackage.json can be written",
                expected=f"{AUDIT_FILE} and {FIGURES_FILE} in {display_path(raw_dir)}",
                found="no file",
            )
    audit_bytes = read_file_bytes(raw_dir / AUDIT_FILE, display_path(raw_dir / AUDIT_FILE))
    meta = parse_audit_json(_decode_text(audit_bytes, display_path(raw_dir / AUDIT_FILE)), display_path(raw_dir / AUDIT_FILE))
    sources = [{"title": title, "path": url} for title, url in meta.sources]
    figures_bytes = read_file_bytes(raw_dir / FIGURES_FILE, display_path(raw_dir / FIGURES_FILE))
    descriptor = {
        "name": meta.id,
        "title": meta.title,
        "description": f"Published case-file audit figures: {meta.title} ({meta.force}, published {meta.published}). Only published figures are data.",
        "licenses": [{"name": meta.licence}],
        "sources": sources,
        "resources": [
            {
                "name": "audit",
                "path": AUDIT_FILE,
                "format": "json",
                "title": "What the audit is",
                "description": "The audit's id, force, title, publication date, grade scale (best first), sources and licence.",
                "sources": sources,
                "bytes": len(audit_bytes),
                "hash": sha256_bytes(audit_bytes),
            },
            {
                "name": "figures",
                "path": FIGURES_FILE,
                "title": "Every published figure of the case-file audit, one a row",
                "description": "Each row is one published figure about the grades of one sample, graded by one grader, in one practice area or all.",
                "sources": sources,
                "schema": json.loads(json.dumps(FIGURES_SCHEMA)),
                "bytes": len(figures_bytes),
                "hash": sha256_bytes(figures_bytes),
            },
        ],
    }
    _write_descriptor(raw_dir / "datapackage.json", descriptor)
    return ["audit", "figures"]
