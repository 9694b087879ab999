"""The one gate out: publish the whole set of processed tables at once, in a canonical, machine-independent form.

:func:`publish` serialises every table (floats to :data:`SIGNIFICANT_DIGITS` significant digits,
so last-bit noise from BLAS kernels or CPU features never reaches a file), writes the set and its
generated data dictionary (``datapackage.json``) into a staging folder beside ``--out``, checks it,
and swaps it in with one atomic rename. A kill, a full disk or an error therefore leaves either
the complete old set or the complete new set. A lock beside ``--out`` makes a second concurrent
run fail at once with a clear message.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import json
import math
import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.data.errors import PublishError
from analysis.data.paths import display_path

if TYPE_CHECKING:
    from analysis.data.load import AuditData


@dataclass(frozen=True)
class TableSpec:
    """Description of one processed CSV: its file name, title, description and one description per column.

    The column descriptions are the data dictionary; :func:`serialise` refuses a table whose
    columns differ from them, so the dictionary cannot drift from the files.
    """

    path: str
    title: str
    description: str
    columns: Mapping[str, str]
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Stage:
    """A step of the pipeline: a pure function from the validated audit data to named tables, and their specs.

    ``build`` returns, for each table it can write, the table; for each table the audit's figures
    cannot support, a sentence saying why (a ``str`` in place of the table). ``specs`` gives the
    specs of the stage's tables for an audit (their columns can depend on its grade scale).
    """

    name: str
    build: Callable[[AuditData], dict[str, pd.DataFrame | str]]
    specs: Callable[[AuditData], tuple[TableSpec, ...]]


#: Floats are written with this many significant digits: far more than any figure needs, and
#: far fewer than the ~16 at which different BLAS kernels or CPUs can disagree.
SIGNIFICANT_DIGITS = 12

#: The processed data package's description when the raw package does not give one (``x_processed``).
DEFAULT_DESCRIPTION = (
    "Tables written by the project's code (python -m analysis process) from an audit package. Do not edit by hand: delete and rebuild."
)


def package_header(raw_descriptor: Mapping) -> dict:
    """Name, title, description and licences of the processed data package, from the raw package's descriptor.

    The name is the raw package's name with ``-processed``; the title and description come from
    the raw descriptor's optional ``x_processed`` object, else from its title; the licences are
    the raw package's.
    """
    extra = raw_descriptor.get("x_processed", {})
    name = raw_descriptor.get("name", "audit")
    return {
        "name": f"{name}-processed",
        "title": extra.get("title", f"Processed tables: {raw_descriptor.get('title', name)}"),
        "description": extra.get("description", DEFAULT_DESCRIPTION),
        "licenses": raw_descriptor.get("licenses", []),
    }


def format_float(value: float) -> str:
    """One canonical text form of a float: :data:`SIGNIFICANT_DIGITS` significant digits, no negative zero, empty for NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = f"{float(value):.{SIGNIFICANT_DIGITS}g}"
    return "0" if text in ("-0", "0") else text


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_float_dtype(series):
            out[col] = [format_float(v) for v in series.to_numpy(dtype=float, na_value=np.nan)]
        elif series.dtype == object and any(isinstance(v, float) for v in series):
            out[col] = [format_float(v) if isinstance(v, float) else v for v in series]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """Serialise a table as UTF-8 CSV with ``\\n`` line ends and every float in :func:`format_float`'s canonical form."""
    return _canonical(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")


def _field_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        return "number"
    return "string"


def _resource(spec: TableSpec, frame: pd.DataFrame, data: bytes, grades: Sequence[str]) -> dict:
    fields = []
    for col in frame.columns:
        entry = {"name": col, "type": _field_type(frame[col]), "description": spec.columns[col]}
        values = frame[col].dropna()
        if len(values) and values.astype(str).isin(grades).all() and "grade" in col:
            entry["constraints"] = {"enum": list(grades)}
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


def serialise(
    tables: Mapping[str, pd.DataFrame], specs: Mapping[str, TableSpec], grades: Sequence[str], header: Mapping
) -> dict[str, bytes]:
    """The bytes of every file of the processed set: each table as canonical CSV, and the ``datapackage.json`` describing them.

    Every table must have a spec and exactly the spec's columns, in order. ``grades`` is the
    audit's scale (columns holding only grades get it as their allowed values); ``header`` the
    package's name, title, description and licences (:func:`package_header`). Raises
    ``ValueError`` otherwise (a bug, not bad input).
    """
    payload: dict[str, bytes] = {}
    resources = []
    for name in sorted(tables):
        frame = tables[name]
        if name not in specs:
            raise ValueError(f"no TableSpec describes {name!r}")
        spec = specs[name]
        if list(frame.columns) != list(spec.columns):
            raise ValueError(f"{name}: columns {list(frame.columns)} differ from the spec's {list(spec.columns)}")
        data = csv_bytes(frame)
        payload[name] = data
        resources.append(_resource(spec, frame, data, grades))
    descriptor = {**header, "resources": resources}
    payload["datapackage.json"] = (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    return payload


# --------------------------------------------------------------------------- publishing the set

#: Environment variable that makes :func:`publish` kill its own process at a named point (tests only).
KILL_AT_ENV = "ANALYSIS_TEST_KILL_AT"
#: The points :data:`KILL_AT_ENV` may name, in order.
KILL_POINTS = ("locked", "staging", "staged", "swapped")


def _fault(point: str) -> None:
    if os.environ.get(KILL_AT_ENV) == point:
        os.kill(os.getpid(), 9)


def _prefix(out_dir: Path) -> str:
    return f".{out_dir.name}."


def lock_path(out_dir: str | Path) -> Path:
    """The lock file of ``out_dir``: a hidden file beside it, present only while a run publishes."""
    out_dir = Path(out_dir)
    return out_dir.parent / f"{_prefix(out_dir)}lock"


class _Lock:
    """An exclusive, non-blocking ``flock`` on :func:`lock_path`; released (and the file removed) on exit, and by the OS if killed."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.path = lock_path(out_dir)
        self.fd: int | None = None

    def __enter__(self) -> _Lock:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise PublishError(f"{display_path(self.path)}: cannot create the lock file beside the output folder: {err.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if os.fstat(fd).st_ino != os.stat(self.path).st_ino:  # the lock file was removed and remade by a run that just ended
                raise BlockingIOError
        except (BlockingIOError, FileNotFoundError):
            os.close(fd)
            raise PublishError(
                f"{display_path(self.out_dir)}: another run is publishing to this folder "
                f"(lock {display_path(self.path)}); wait for it to finish, then run again"
            ) from None
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            self.path.unlink(missing_ok=True)
            os.close(self.fd)
            self.fd = None


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux's ``renameat2(RENAME_EXCHANGE)``; False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EPERM):
        return False
    raise OSError(code, os.strerror(code), os.fsdecode(a))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _current_set(out_dir: Path) -> dict[str, bytes] | None:
    """The files of an existing processed set in ``out_dir`` (None if it holds none). Refuses a folder with other files."""
    if not out_dir.exists():
        return None
    if not out_dir.is_dir() or out_dir.is_symlink():
        raise PublishError(f"{display_path(out_dir)}: the output folder is a file, not a folder; choose a folder")
    names = sorted(p.name for p in out_dir.iterdir())
    if not names:
        return {}
    listed: list[str] = []
    dp = out_dir / "datapackage.json"
    try:
        listed = [r["path"] for r in json.loads(dp.read_text(encoding="utf-8"))["resources"]]
    except (OSError, ValueError, KeyError, TypeError):
        listed = []
    foreign = [n for n in names if n != "datapackage.json" and n not in listed] if dp.is_file() else names
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise PublishError(
            f"{display_path(out_dir)}: the output folder holds files this project did not publish ({shown}); "
            "it would be replaced as a whole, so choose an empty or new folder"
        )
    out = {}
    for name in names:
        path = out_dir / name
        out[name] = path.read_bytes() if path.is_file() else b""
    return out


def check_out(out_dir: str | Path) -> None:
    """Refuse an output path that is a file, lies under a file, or holds files other than a processed set (before any work)."""
    out_dir = Path(os.path.abspath(out_dir))
    for folder in [out_dir, *out_dir.parents]:
        if folder.exists() and not folder.is_dir():
            where = "is a file" if folder == out_dir else f"lies under {display_path(folder)}, which is a file"
            raise PublishError(f"{display_path(out_dir)}: the output folder {where}; choose a folder")
        if folder.exists():
            break
    _current_set(out_dir)


def _clean_leftovers(out_dir: Path) -> None:
    """Remove staging folders of runs that were killed, and restore a set left aside by a killed swap."""
    prefix = _prefix(out_dir)
    leftovers = sorted(p for p in out_dir.parent.glob(prefix + "*") if p.name != lock_path(out_dir).name)
    aside = [p for p in leftovers if p.name.startswith(prefix + "old-")]
    if not out_dir.exists() and aside:
        os.rename(aside[-1], out_dir)
    for p in leftovers:
        if p.exists():
            shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()


def publish(payload: Mapping[str, bytes], out_dir: str | Path) -> bool:
    """Replace the processed set in ``out_dir`` with ``payload`` (file name -> bytes) as a whole; return True if anything changed.

    Steps, under :func:`lock_path`'s lock: clean up what killed runs left; stop if ``out_dir``
    already holds exactly these bytes; write every file into a new staging folder beside
    ``out_dir`` (mode from the umask, fsynced), read them back and compare; then swap the staging
    folder and ``out_dir`` in one atomic ``renameat2`` exchange (where the system lacks it, two
    renames, which the next run repairs if killed between them) and delete the old set.
    ``out_dir`` must not hold files other than a processed set. Raises :class:`PublishError` with a
    one-line message on any failure, leaving the old set in place and no staging folder.
    """
    out_dir = Path(os.path.abspath(out_dir))
    parent = out_dir.parent
    if not parent.is_dir():
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise PublishError(f"{display_path(parent)}: cannot create the folder for the output: {err.strerror}") from None
    with _Lock(out_dir):
        _fault("locked")
        try:
            _clean_leftovers(out_dir)
        except OSError as err:
            raise PublishError(f"{display_path(out_dir.parent)}: cannot clear what an interrupted run left: {err.strerror}") from None
        current = _current_set(out_dir)
        if current == dict(payload):
            return False
        staging = parent / f"{_prefix(out_dir)}staging-{os.getpid()}"
        try:
            staging.mkdir()
            _fault("staging")
            for name in sorted(payload):
                with open(staging / name, "xb") as fh:
                    fh.write(payload[name])
                    fh.flush()
                    os.fsync(fh.fileno())
            _fsync_dir(staging)
            for name in sorted(payload):
                if (staging / name).read_bytes() != payload[name]:
                    raise OSError(errno.EIO, "a staged file does not read back as written", str(staging / name))
            _fault("staged")
            if current is None:
                os.rename(staging, out_dir)
            elif _exchange(staging, out_dir):
                _fault("swapped")
                shutil.rmtree(staging)
            else:
                aside = parent / f"{_prefix(out_dir)}old-{os.getpid()}"
                os.rename(out_dir, aside)
                os.rename(staging, out_dir)
                shutil.rmtree(aside)
            _fsync_dir(parent)
        except OSError as err:
            shutil.rmtree(staging, ignore_errors=True)
            where = display_path(err.filename) if err.filename else display_path(out_dir)
            raise PublishError(
                f"{where}: could not publish the processed set ({err.strerror or err}); the previous set is unchanged"
            ) from None
    return True
