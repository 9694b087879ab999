"""Read the Frictionless data package that describes the raw files, check each file's checksum, and read each table strictly.

Every failure raises :class:`analysis.data.errors.AuditDataError` with a one-line message naming
the file (and, where there is one, the row and column). Nothing is coerced, guessed or skipped.
Reading is bounded whatever the input: no file larger than its limit
(:func:`analysis.data.schemas.max_bytes`) is read, JSON is read within the bounds of
:mod:`analysis.data.strict_json`, and every number is range-checked before it is converted.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd

from analysis.data.errors import AuditDataError, shorten
from analysis.data.paths import RAW_DIR, display_path
from analysis.data.schemas import DEFAULT_MAX_BYTES, SCHEMAS, load_schema, max_bytes, max_rows
from analysis.data.strict_json import INT_MAX, INT_MIN, MAX_JSON_DEPTH, parse_json_text

_INT = re.compile(r"[+-]?[0-9]+")
_YEARMONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
#: Unicode's control characters (category Cc): U+0000 to U+001F and U+007F to U+009F.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")

#: Longest text (a ``string`` cell) of any table (characters): room for a quoted passage, not for a page of
#: text. (Numbers and dates have their own checks.)
MAX_TEXT_CHARS = 2000

#: Largest ``datapackage.json`` read (bytes); today's is about 60 kB.
MAX_DESCRIPTOR_BYTES = 2**20

#: How a recorded hash must be written: the algorithm, a colon, 64 lower-case hexadecimal digits.
HASH_NOTATION = re.compile(r"sha256:[0-9a-f]{64}")

# Fields of any length are read (and then judged by the schema), whatever another library set the
# csv module's global limit to: the outcome must not depend on what was imported first.
csv.field_size_limit(2**31 - 1)

#: What to do after a reviewed change to a raw file.
HASH_HINT = "review the change, then run `python -m analysis hashes --update`"


def read_file_bytes(path: Path, shown: str, what: str = "file", *, limit: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    An :class:`AuditDataError` for a missing path, a directory, a link, an unreadable file or a file
    larger than ``limit`` (refused from its size, before it is read, so memory stays bounded).
    """
    if path.is_symlink():
        raise AuditDataError(shown, f"{what} is a symbolic link", expected="a regular file inside the data folder", found="a link")
    if not path.exists():
        raise AuditDataError(shown, f"{what} not found", expected="a file", found="nothing at that path")
    if not path.is_file():
        raise AuditDataError(
            shown, f"{what} is not a regular file", expected="a file", found="a directory" if path.is_dir() else "a special file"
        )
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            data = b"" if size > limit else fh.read(limit + 1)
    except OSError as err:
        raise AuditDataError(
            shown, f"{what} cannot be read", expected="a readable file", found=err.strerror or type(err).__name__
        ) from None
    if size > limit or len(data) > limit:
        raise AuditDataError(
            shown,
            f"{what} is larger than the project reads",
            expected=f"at most {limit:,} bytes",
            found=f"{max(size, len(data)):,} bytes",
        )
    return data


def parse_json(data: bytes, shown: str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON ``data`` (UTF-8 without a BOM) strictly and within bounds (:func:`analysis.data.strict_json.parse_json_text`)."""
    return parse_json_text(_decode_text(data, shown), shown, max_depth=max_depth)


def read_json(path: Path, shown: str, what: str = "JSON file", *, limit: int, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Read and parse a JSON file of at most ``limit`` bytes (:func:`read_file_bytes`, :func:`parse_json`)."""
    return parse_json(read_file_bytes(path, shown, what, limit=limit), shown, max_depth=max_depth)


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

    A missing folder or file, invalid UTF-8 or JSON, JSON past the bounds of :func:`parse_json_text`, a
    file over :data:`MAX_DESCRIPTOR_BYTES`, or a descriptor without usable resources raises
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
    if not path.exists() and not path.is_symlink():
        raise AuditDataError(
            shown,
            "data package descriptor not found",
            expected=f"datapackage.json beside the package's files: run `python -m analysis hashes --update --raw {display_path(raw_dir)}` to write it",
            found="no file",
        )
    descriptor = read_json(path, shown, "data package descriptor", limit=MAX_DESCRIPTOR_BYTES)
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


def _line_endings_changed(data: bytes, recorded_hash: str, recorded_bytes: int) -> str | None:
    """How ``data`` differs from the recorded file if only its line endings were converted (``"CRLF"`` or ``"LF"``), else None."""
    if b"\r\n" in data:
        lf = data.replace(b"\r\n", b"\n")
        if len(lf) == recorded_bytes and sha256_bytes(lf) == recorded_hash:
            return "CRLF"
    if b"\n" in data:
        crlf = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        if len(crlf) == recorded_bytes and sha256_bytes(crlf) == recorded_hash:
            return "LF"
    return None


def _checkout_error(data: bytes, res: dict[str, Any], shown: str, endings: str) -> AuditDataError:
    other = "LF" if endings == "CRLF" else "CRLF"
    kind = "Windows line endings (CRLF)" if endings == "CRLF" else "Unix line endings (LF)"
    return AuditDataError(
        shown,
        f"file has {kind} where the recorded checksum is of the same file with {other} endings: the checkout or copy converted them, "
        "the data did not change. Fix the checkout, not the hashes: `git config core.autocrlf false`, then "
        f"`git checkout HEAD -- {shown}` (the repository's .gitattributes keeps data files byte-exact), or copy the file again unconverted",
        expected=f"{res.get('hash')} ({res.get('bytes')} bytes)",
        found=f"{sha256_bytes(data)} ({len(data)} bytes)",
    )


def check_recorded_checksum(res: dict[str, Any], descriptor_shown: str) -> tuple[str, int]:
    """The ``hash`` and ``bytes`` recorded for resource ``res``, checked for their notation (an :class:`AuditDataError` names the descriptor)."""
    recorded_hash, recorded_bytes = res.get("hash"), res.get("bytes")
    where = f"resource '{shorten(res['name'])}'"
    if recorded_hash is None or recorded_bytes is None:
        raise AuditDataError(
            descriptor_shown,
            f"{where} has no recorded {'hash' if recorded_hash is None else 'size'} ({HASH_HINT})",
            expected="'hash' and 'bytes'",
            found="none",
        )
    if not isinstance(recorded_hash, str) or not HASH_NOTATION.fullmatch(recorded_hash):
        raise AuditDataError(
            descriptor_shown,
            f"{where} records its hash in another notation",
            expected="'sha256:' and 64 lower-case hexadecimal digits, as `python -m analysis hashes --update` writes it",
            found=repr(shorten(str(recorded_hash), 90)),
        )
    if type(recorded_bytes) is not int or recorded_bytes < 0:
        raise AuditDataError(
            descriptor_shown, f"{where} records its size in another form", expected="'bytes' as a whole number", found=repr(recorded_bytes)
        )
    return recorded_hash, recorded_bytes


def check_checksum(data: bytes, res: dict[str, Any], shown: str, descriptor_shown: str = "datapackage.json") -> None:
    """The file's bytes match the ``hash`` and ``bytes`` recorded for it; else an error naming both hashes and the way forward.

    A recorded hash in another notation is named as such (in the descriptor), and a file whose only
    change is converted line endings (a Windows checkout) is named as such, with the way to fix the
    checkout: its hashes must not be rewritten.
    """
    recorded_hash, recorded_bytes = check_recorded_checksum(res, descriptor_shown)
    found_hash = sha256_bytes(data)
    if recorded_hash != found_hash or recorded_bytes != len(data):
        endings = _line_endings_changed(data, recorded_hash, recorded_bytes)
        if endings:
            raise _checkout_error(data, res, shown, endings)
        raise AuditDataError(
            shown,
            f"file differs from the checksum recorded in datapackage.json ({HASH_HINT})",
            expected=f"{recorded_hash} ({recorded_bytes} bytes)",
            found=f"{found_hash} ({len(data)} bytes)",
        )


def resource_bytes(raw_dir: str | Path, res: dict[str, Any], check: bool = True) -> tuple[bytes, str]:
    """The raw bytes of resource ``res`` in ``raw_dir`` and its display name; checked against the recorded checksum when ``check``.

    A file larger than the resource's limit (:func:`analysis.data.schemas.max_bytes`) is refused before it is read.
    """
    path = Path(raw_dir) / res["path"]
    shown = display_path(path)
    data = read_file_bytes(path, shown, limit=max_bytes(res["name"]))
    if check:
        check_checksum(data, res, shown, display_path(Path(raw_dir) / "datapackage.json"))
    return data, shown


def _converted_line_endings(res: dict[str, Any], data: bytes, shown: str) -> None:
    """Raise the checkout error if ``data`` differs from its recorded checksum only by converted line endings."""
    recorded_hash, recorded_bytes = res.get("hash"), res.get("bytes")
    if isinstance(recorded_hash, str) and type(recorded_bytes) is int:
        endings = _line_endings_changed(data, recorded_hash, recorded_bytes)
        if endings:
            raise _checkout_error(data, res, shown, endings)


def stale_hashes(raw_dir: str | Path = RAW_DIR) -> list[str]:
    """Names of resources whose recorded hash or byte count no longer matches the file.

    A file that differs only by converted line endings raises :class:`AuditDataError` (its checkout
    needs fixing, not its hash).
    """
    stale = []
    for res in load_descriptor(raw_dir)["resources"]:
        data, shown = resource_bytes(raw_dir, res, check=False)
        if res.get("hash") != sha256_bytes(data) or res.get("bytes") != len(data):
            _converted_line_endings(res, data, shown)
            stale.append(res["name"])
    return stale


def update_hashes(raw_dir: str | Path = RAW_DIR) -> list[str]:
    """Record each raw file's SHA-256 and size in ``datapackage.json``; return the names that changed.

    Run after a deliberate, reviewed change to a raw file (``python -m analysis hashes --update``).
    The descriptor is replaced atomically. In a folder with no ``datapackage.json`` (a new audit
    package), :func:`new_descriptor` writes one. A file whose only change is converted line endings
    (a checkout that turned LF into CRLF) is refused before anything is written: recording its hash
    would make every other checkout fail.
    """
    raw_dir = Path(raw_dir)
    path = raw_dir / "datapackage.json"
    if raw_dir.is_dir() and not path.exists() and not path.is_symlink():
        return new_descriptor(raw_dir)
    descriptor = load_descriptor(raw_dir)
    described = {r["path"] for r in descriptor["resources"]}
    added = [_known_resource(raw_dir, name) for name in _undescribed(raw_dir, described)]
    changed = []
    for res in descriptor["resources"]:
        data, shown = resource_bytes(raw_dir, res, check=False)
        new = (sha256_bytes(data), len(data))
        if (res.get("hash"), res.get("bytes")) != new:
            _converted_line_endings(res, data, shown)
            res["hash"], res["bytes"] = new
            changed.append(res["name"])
    descriptor["resources"].extend(added)
    changed.extend(r["name"] for r in added)
    if changed:
        _write_descriptor(path, descriptor)
    return changed


def _undescribed(raw_dir: Path, described: set[str]) -> list[str]:
    """The resource names of the ``.csv``/``.json`` files in ``raw_dir`` that no resource describes; refuse a file the project cannot read.

    The project reads ``audit.json`` and the CSV files named by :data:`analysis.data.schemas.SCHEMAS`
    (``figures.csv``, ``cases.csv``, ...); any other such file is refused,
    naming it, before anything is written.
    """
    from analysis.data.schemas import SCHEMAS

    known = {f"{name}.csv": name for name in SCHEMAS} | {"audit.json": "audit"}
    out = []
    for p in sorted(raw_dir.iterdir()):
        if p.name == "datapackage.json" or p.suffix not in (".csv", ".json") or p.name in described or not p.is_file():
            continue
        if p.name not in known:
            raise AuditDataError(
                display_path(p),
                "the project does not know how to read this file, so hashes --update will not describe it",
                expected="only files of an audit package: " + ", ".join(sorted(known)),
                found=p.name,
            )
        out.append(known[p.name])
    return out


def _known_resource(raw_dir: Path, name: str) -> dict[str, Any]:
    """The descriptor entry of a further CSV the project reads (:data:`analysis.data.schemas.SCHEMAS`): its schema, size and sha256."""
    from analysis.data.schemas import SCHEMAS

    path = raw_dir / f"{name}.csv"
    data = read_file_bytes(path, display_path(path))
    return {
        "name": name,
        "path": path.name,
        "title": name.replace("_", " ").capitalize(),
        "description": f"The package's {name.replace('_', ' ')} table, read with the project's schema for it.",
        "schema": json.loads(json.dumps(SCHEMAS[name])),
        "bytes": len(data),
        "hash": sha256_bytes(data),
    }


def _control_character(value: str) -> str | None:
    found = _CONTROL.search(value)
    return f"U+{ord(found.group()):04X}" if found else None


# --------------------------------------------------------------------------- the schema is part of what is checked


def _first_difference(want: Any, got: Any, path: str = "") -> tuple[str, str, str] | None:
    """The first place where ``got`` differs from ``want``: (path such as ``constraints.enum[3]``, expected, found), or None.

    Compared as JSON values, types included (``1`` is not ``true`` and ``0`` is not ``0.0``); the
    order of an object's keys does not matter.
    """
    if isinstance(want, dict) and isinstance(got, dict):
        for key in [*want, *(k for k in got if k not in want)]:
            where = f"{path}.{key}" if path else str(key)
            if key not in got:
                return where, json.dumps(want[key], ensure_ascii=False), "nothing"
            if key not in want:
                return where, "nothing", json.dumps(got[key], ensure_ascii=False)
            diff = _first_difference(want[key], got[key], where)
            if diff:
                return diff
        return None
    if isinstance(want, list) and isinstance(got, list):
        for i, (x, y) in enumerate(zip(want, got, strict=False)):
            diff = _first_difference(x, y, f"{path}[{i}]")
            if diff:
                return diff
        if len(want) != len(got):
            i = min(len(want), len(got))
            return (
                f"{path}[{i}]",
                json.dumps(want[i], ensure_ascii=False) if i < len(want) else "nothing",
                json.dumps(got[i], ensure_ascii=False) if i < len(got) else "nothing",
            )
        return None
    if type(want) is type(got) and want == got:
        return None
    return path or "schema", json.dumps(want, ensure_ascii=False), json.dumps(got, ensure_ascii=False)


def check_schema(res: dict[str, Any], shown: str, expected: dict[str, dict[str, Any]] | None = None) -> None:
    """The schema the descriptor gives resource ``res`` is exactly the one the project reads it with.

    ``expected`` maps resource names to schemas (default :data:`analysis.data.schemas.SCHEMAS`).
    Any difference (a type, an enum, a constraint, a renamed, added or moved field, a key) raises
    one :class:`AuditDataError` naming the descriptor ``shown``, the resource, the field and the
    first place that differs, e.g. ``resource 'case_samples', field 'n': schema differs from the
    project's at constraints.minimum: expected 0; found -1``. The checks that follow (types,
    constraints, keys) rely on this schema, so an edited descriptor cannot change what they accept.
    """
    schemas = SCHEMAS if expected is None else expected
    name = res["name"]
    where = f"resource '{shorten(name)}'"
    hint = "the project reads this resource with the schema in analysis/data/schemas.py"
    if name not in schemas:
        raise AuditDataError(
            shown,
            f"{where} is not one the project has a schema for (see analysis/data/schemas.py)",
            expected="one of " + ", ".join(schemas),
            found=repr(shorten(name)),
        )
    want, got = schemas[name], res["schema"]
    if _first_difference(want, got) is None:
        return
    want_names = [f["name"] for f in want["fields"]]
    got_names = [f.get("name") for f in got["fields"]]
    if want_names != got_names:
        missing = [n for n in want_names if n not in got_names]
        extra = [n for n in got_names if n not in want_names]
        if missing:
            i = want_names.index(missing[0])
            instead = (
                f" (the descriptor has field {shorten(got_names[i])!r} in its place)"
                if i < len(got_names) and got_names[i] in extra
                else ""
            )
            problem = f"{where}: field '{missing[0]}' is missing from the descriptor's schema{instead}"
        elif extra:
            problem = f"{where}: field {shorten(str(extra[0]))!r} is not in the project's schema"
        else:
            problem = f"{where}: the fields are in another order or repeated"
        raise AuditDataError(
            shown, f"{problem} ({hint})", expected="fields " + ", ".join(want_names), found="fields " + ", ".join(map(str, got_names))
        )
    for want_field, got_field in zip(want["fields"], got["fields"], strict=True):
        diff = _first_difference(want_field, got_field)
        if diff:
            raise AuditDataError(
                shown,
                f"{where}, field '{want_field['name']}': schema differs from the project's at {diff[0]} ({hint})",
                expected=diff[1],
                found=diff[2],
            )
    diff = _first_difference({k: v for k, v in want.items() if k != "fields"}, {k: v for k, v in got.items() if k != "fields"})
    raise AuditDataError(
        shown,
        f"{where}: schema differs from the project's at {diff[0] if diff else 'schema'} ({hint})",
        expected=diff[1] if diff else "the project's schema",
        found=diff[2] if diff else "another",
    )


# --------------------------------------------------------------------------- the strict CSV reader


class _BadValue(ValueError):
    """A CSV value that does not convert to its field's type (``problem``, ``expected``)."""

    def __init__(self, problem: str, expected: str) -> None:
        super().__init__(problem)
        self.problem, self.expected = problem, expected


def _convert(value: str, field: dict[str, Any]) -> Any:
    """Convert one CSV cell to the field's type; raise :class:`_BadValue` on failure (integers range-checked before conversion)."""
    kind = field.get("type", "string")
    if kind == "string":
        return value
    if kind == "integer":
        if not _INT.fullmatch(value):
            raise _BadValue("not an integer", "an integer")
        if len(value.lstrip("+-").lstrip("0")) > 19 or not INT_MIN <= int(value) <= INT_MAX:
            raise _BadValue("integer out of range", f"an integer from {INT_MIN:,} to {INT_MAX:,}")
        return int(value)
    if kind == "date":
        try:
            if len(value) != 10:
                raise ValueError
            return dt.date.fromisoformat(value)
        except ValueError:
            raise _BadValue("not a date in YYYY-MM-DD form", "a date in YYYY-MM-DD form") from None
    if kind == "yearmonth":
        if not _YEARMONTH.fullmatch(value):
            raise _BadValue("not a month in YYYY-MM form", "a month in YYYY-MM form")
        return value
    raise _BadValue(f"field type {shorten(str(kind))!r} is not one the reader supports", "string, integer, date or yearmonth")


def read_resource(raw_dir: str | Path, name: str, descriptor: dict[str, Any] | None = None, *, check: bool = True) -> pd.DataFrame:
    """Read one raw CSV, checked against its recorded checksum (when ``check``) and its schema in the data package.

    The descriptor's schema for the resource must first be the project's (:func:`check_schema`).
    Then, in order: the file exists and is a regular, readable file within its size limit; its
    sha256 and size match the descriptor; then the checks of :func:`parse_table`. Returns a
    DataFrame with Python-typed columns (``int64`` for integers, ``object`` otherwise). Any failure
    raises :class:`AuditDataError`.
    """
    raw_dir = Path(raw_dir)
    descriptor = descriptor if descriptor is not None else load_descriptor(raw_dir)
    shown_dp = display_path(raw_dir / "datapackage.json")
    res = resource_descriptor(descriptor, name, shown_dp)
    check_schema(res, shown_dp)
    data, shown = resource_bytes(raw_dir, res, check=check)
    return parse_table(data, res["schema"], shown, max_rows=max_rows(res["name"]))


def _check_header(header: list[str], names: list[str], shown: str) -> None:
    for col in names:
        if col not in header:
            raise AuditDataError(
                shown, f"missing column '{col}'", expected=f"columns {', '.join(names)}", found=f"columns {', '.join(header)}"
            )
    if header != names:
        extra = [c for c in header if c not in names]
        problem = f"unexpected column '{extra[0]}'" if extra else "columns are out of order or repeated"
        raise AuditDataError(shown, problem, expected=f"columns {', '.join(names)}", found=f"columns {', '.join(header)}")


def read_value(value: str, field: dict[str, Any], shown: str) -> Any:
    """One value outside a table (e.g. a field of a JSON object) checked and converted against its schema ``field``, as the reader checks a cell.

    The message names ``shown`` and the field's name (no row): see :func:`_value`.
    """
    return _value(value, field, None, shown)


def _value(value: str, field: dict[str, Any], i: int | None, shown: str) -> Any:
    """One checked and converted cell of data row ``i`` (``None``: a value outside a table, no row named)."""
    col = field["name"]
    cons = field.get("constraints", {})
    bad = _control_character(value)
    if bad:
        raise AuditDataError(
            shown, "control character in a value", row=i, column=col, expected="printable text (no NUL, tab or line break)", found=bad
        )
    if field.get("type", "string") == "string" and len(value) > MAX_TEXT_CHARS:
        raise AuditDataError(
            shown,
            "value too long",
            row=i,
            column=col,
            expected=f"at most {MAX_TEXT_CHARS:,} characters",
            found=f"{len(value):,} characters",
        )
    if value == "":
        if cons.get("required"):
            raise AuditDataError(shown, "missing value", row=i, column=col, expected="a value", found="an empty cell")
        return None
    try:
        converted = _convert(value, field)
    except _BadValue as err:
        raise AuditDataError(shown, err.problem, row=i, column=col, expected=err.expected, found=repr(shorten(value))) from None
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
    if "maximum" in cons and converted > cons["maximum"]:
        raise AuditDataError(
            shown, "value above the maximum", row=i, column=col, expected=f"a value <= {cons['maximum']}", found=repr(value)
        )
    if "pattern" in cons and not re.fullmatch(cons["pattern"], value):
        raise AuditDataError(
            shown, "value does not match the pattern", row=i, column=col, expected=f"pattern {cons['pattern']}", found=repr(shorten(value))
        )
    if value != value.strip():
        raise AuditDataError(
            shown,
            "value starts or ends with white space",
            row=i,
            column=col,
            expected="the value without spaces around it (refused, not stripped: ' A1' and 'A1' would be two different values)",
            found=repr(shorten(value)),
        )
    return converted


#: Constraint keys the reader enforces; a schema with any other is a bug (see tests/test_schemas.py).
SUPPORTED_CONSTRAINTS = frozenset({"required", "unique", "enum", "minimum", "maximum", "pattern"})
#: Field types the reader converts.
SUPPORTED_TYPES = frozenset({"string", "integer", "date", "yearmonth"})


#: Smallest file read by :func:`_parse_plain` (bytes); smaller files take the row-by-row road only.
_PLAIN_FROM_BYTES = 2**20
#: Bytes no plain table holds: a quote, a carriage return, any other control character, anything outside ASCII.
_PLAIN_REFUSED = np.array([b in (34, 13) or (b < 32 and b != 10) or b >= 127 for b in range(256)])
#: Byte sequences no plain table holds: a value starting or ending with a space, an empty value, a blank line.
_PLAIN_PATTERNS = (b" ,", b", ", b" \n", b"\n ", b",,", b",\n", b"\n,", b"\n\n")


def _parse_plain(data: bytes, schema: dict[str, Any], shown: str, max_rows: int | None) -> pd.DataFrame | None:
    """A large table of strings with nothing to query, read column by column (pandas' C reader); None to take the row-by-row road.

    Only for a file of at least :data:`_PLAIN_FROM_BYTES` whose fields are all strings with no
    pattern, in ASCII. Every rule of :func:`parse_table` is checked on the whole file at once: no
    quote, carriage return or other control character, no empty value or blank line, no value
    starting or ending with a space, the header exactly the fields, one value per field on every line (the same comma
    count), then each distinct value of a non-unique column checked as the row-by-row road checks
    it, and the unique columns unique. Anything that does not pass returns None: the row-by-row
    road then reads the file and reports the first problem with its row, so every message is the
    same whichever road is taken. Repeated values are read as categories (one string each, not one
    per cell), which keeps a million-row case file in a few hundred megabytes.
    """
    fields = schema["fields"]
    names = [f["name"] for f in fields]
    plain = all(f.get("type", "string") == "string" and set(f.get("constraints", {})) <= {"required", "unique", "enum"} for f in fields)
    if len(data) < _PLAIN_FROM_BYTES or not plain or not data.strip():
        return None
    raw = np.frombuffer(data, dtype=np.uint8)
    body = data[:-1] if data.endswith(b"\n") else data
    if _PLAIN_REFUSED[raw].any() or any(p in data for p in _PLAIN_PATTERNS) or body[:1] in (b" ", b",") or body[-1:] in (b" ", b","):
        return None
    header_end = data.find(b"\n")
    if header_end < 0 or data[:header_end].decode("ascii").split(",") != names:
        return None
    rows = data.count(b"\n", header_end + 1) + (0 if data.endswith(b"\n") else 1)
    if rows == 0:
        return None
    if max_rows is not None and rows > max_rows:
        raise AuditDataError(
            shown, "more rows than the project reads", row=max_rows + 1, expected=f"at most {max_rows:,} data rows", found="more"
        )
    ends = np.flatnonzero(raw == 10)
    bounds = ends if raw[-1] == 10 else np.append(ends, raw.size)  # the header's end, then the end of every data line
    commas = np.diff(np.searchsorted(np.flatnonzero(raw == 44), bounds))  # commas on each data line
    del raw, ends, bounds
    if commas.size != rows or (commas != len(names) - 1).any():
        return None
    repeated = {f["name"]: "category" for f in fields if not f.get("constraints", {}).get("unique")}
    frame = pd.read_csv(
        io.BytesIO(data), dtype={name: repeated.get(name, object) for name in names}, keep_default_na=False, na_filter=False, engine="c"
    )
    if list(frame.columns) != names or len(frame) != rows:
        return None
    for field in fields:
        col = field["name"]
        if col in repeated:
            for value in frame[col].cat.categories:
                try:
                    _value(str(value), field, 1, shown)
                except AuditDataError:
                    return None
            frame[col] = frame[col].astype(object)
        elif frame[col].duplicated().any():
            return None
    key = schema.get("primaryKey")
    unique = {f["name"] for f in fields if f.get("constraints", {}).get("unique")}
    if key and key not in unique and frame.duplicated(subset=[key] if isinstance(key, str) else list(key)).any():
        return None
    return frame


#: Most distinct values of one column a table read remembers (each checked once, then shared by every row holding it).
_SEEN_LIMIT = 10_000
_UNSEEN = object()


def parse_table(data: bytes, schema: dict[str, Any], shown: str, *, max_rows: int | None = None) -> pd.DataFrame:
    """Parse CSV ``data`` strictly against a Table Schema; ``shown`` names the file in errors.

    Checks, in order: the data is not empty; it is UTF-8 without a BOM; the header names exactly the
    schema's fields in order; then row by row, as the CSV is read (so a bad row stops the reading
    there): it parses as CSV (a quoted field cut short or a stray quote is an error); it has one
    value per field; no value holds a control character (NUL, tab, line break, ...); each value has
    the field's type (integers within a signed 64-bit range, checked before conversion) and meets
    its constraints (required, enum, minimum, maximum, pattern); no value starts or ends with white
    space (one rule for every table and case file: such a value is refused, never stripped); then
    the unique fields and the primary key are unique. Values are never coerced: ``"3.0"`` is not an
    integer and ``" good"`` is not a grade. Returns a DataFrame with Python-typed columns
    (``int64`` for integers, ``object`` otherwise). Any failure raises :class:`AuditDataError`,
    as does a table of more than ``max_rows`` data rows (refused at the first row past it).

    A value repeated in a column that need not be unique (a grade, an area) is checked once and the
    one checked object is shared by every row that holds it, so a case file of a million rows costs
    one string per case id, not one per cell.
    """
    fast = _parse_plain(data, schema, shown, max_rows)
    if fast is not None:
        return fast
    fields = schema["fields"]
    names = [f["name"] for f in fields]
    if not data.strip():
        raise AuditDataError(shown, "file is empty", expected="a header line and data rows")
    text = _decode_text(data, shown)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    del text
    columns: list[list[Any]] = [[] for _ in names]
    seen: list[dict[str, Any] | None] = [None if f.get("constraints", {}).get("unique") else {} for f in fields]
    header: list[str] | None = None
    i = 0
    try:
        for values in reader:
            if header is None:
                header = values
                _check_header(header, names, shown)
                continue
            i += 1
            if not values:
                raise AuditDataError(shown, "blank line", row=i, expected=f"{len(names)} values (remove the blank line)", found="nothing")
            if len(values) != len(names):
                raise AuditDataError(shown, "wrong number of values", row=i, expected=f"{len(names)} values", found=f"{len(values)}")
            if max_rows is not None and i > max_rows:
                raise AuditDataError(
                    shown, "more rows than the project reads", row=i, expected=f"at most {max_rows:,} data rows", found="more"
                )
            for column, field, value, known in zip(columns, fields, values, seen, strict=True):
                if known is None:
                    column.append(_value(value, field, i, shown))
                    continue
                checked = known.get(value, _UNSEEN)
                if checked is _UNSEEN:
                    checked = _value(value, field, i, shown)
                    if len(known) < _SEEN_LIMIT:
                        known[value] = checked
                column.append(checked)
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
    if i == 0:
        raise AuditDataError(shown, "file has a header but no data rows", expected="at least one data row")

    frame = pd.DataFrame(dict(zip(names, columns, strict=True)), columns=names)
    del columns
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
    further = _undescribed(raw_dir, {AUDIT_FILE, FIGURES_FILE, "cases.csv"})
    if (raw_dir / "cases.csv").exists():
        cases_bytes = read_file_bytes(raw_dir / "cases.csv", display_path(raw_dir / "cases.csv"), limit=max_bytes("cases"))
        descriptor["resources"].append(
            {
                "name": "cases",
                "path": "cases.csv",
                "title": "The force's and the inspectors' grade of each force-selected case",
                "description": "Case-level grades held by the force: with them the pairing of the two gradings is known, not only its totals.",
                "schema": load_schema("cases"),
                "bytes": len(cases_bytes),
                "hash": sha256_bytes(cases_bytes),
            }
        )
    descriptor["resources"].extend(_known_resource(raw_dir, name) for name in further)
    _write_descriptor(raw_dir / "datapackage.json", descriptor)
    return [r["name"] for r in descriptor["resources"]]
