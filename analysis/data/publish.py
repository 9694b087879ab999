"""The one gate out: publish the whole set of processed tables at once, in a canonical, machine-independent form.

:func:`publish` serialises every table (floats to :data:`SIGNIFICANT_DIGITS` significant digits,
so last-bit noise from BLAS kernels or CPU features never reaches a file), writes the set and its
generated data dictionary (``datapackage.json``) into a staging folder beside ``--out``, checks it,
and swaps it in with one atomic rename. A kill, a full disk or an error therefore leaves either
the complete old set or the complete new set. A lock beside ``--out`` makes a second concurrent
run fail at once with a clear message.

Nothing the project did not write is ever replaced or removed: ``--out`` is accepted only when it
is missing, empty, or holds a set this project published (recognised by its :data:`MARKER` file,
which lists the set's files), and only hidden names of the project's own form beside ``--out``
(:func:`lock_path`, ``.<out>.analysis-staging-<pid>-<hex>``, ``.<out>.analysis-old-<pid>-<hex>``)
are ever removed.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import hashlib
import json
import math
import os
import re
import secrets
import shutil
import signal
import stat
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.data.errors import AuditDataError, PublishError
from analysis.data.paths import display_path
from analysis.data.strict_json import parse_json_text

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
    return with_marker(payload)


# --------------------------------------------------------------------------- the mark of a set this project published

#: The file that marks a folder as a processed set this project published; it lists the set's files.
#: Only a folder holding it (and nothing but the files it lists) is ever replaced by :func:`publish`.
MARKER = ".analysis-processed-set"
_MARKER_HEAD = (
    "This folder is a processed set written by `python -m analysis process`.",
    "Each run replaces the whole folder: do not edit its files or keep other files in it.",
    "Files:",
)
#: Largest marker file read (bytes).
_MARKER_MAX_BYTES = 2**20


def marker_bytes(names: list[str] | set[str]) -> bytes:
    """The bytes of the :data:`MARKER` file of a set holding the files ``names``."""
    return ("\n".join([*_MARKER_HEAD, *sorted(names)]) + "\n").encode("utf-8")


def with_marker(payload: Mapping[str, bytes]) -> dict[str, bytes]:
    """``payload`` with its :data:`MARKER` file (listing every other file), the form :func:`publish` writes."""
    files = {name: data for name, data in payload.items() if name != MARKER}
    return {**files, MARKER: marker_bytes(set(files))}


#: The folder JupyterLab makes beside a file it opens (``.ipynb_checkpoints``): never published, never a foreign file.
CHECKPOINTS = ".ipynb_checkpoints"


def _is_checkpoints(entry: os.DirEntry | Path) -> bool:
    """Whether ``entry`` is a Jupyter checkpoint folder (a real folder, not a link, named :data:`CHECKPOINTS`)."""
    path = Path(entry.path) if isinstance(entry, os.DirEntry) else Path(entry)
    return path.name == CHECKPOINTS and path.is_dir() and not path.is_symlink()


def set_files(folder: str | Path) -> list[Path]:
    """The files of a processed set in ``folder``, sorted by name: every entry but Jupyter's checkpoint folder.

    The one reader of a set's folder for the tests, the site and the notebooks: opening a file
    in JupyterLab makes ``.ipynb_checkpoints/`` beside it, which is not part of the set.
    """
    return sorted((p for p in Path(folder).iterdir() if not _is_checkpoints(p)), key=lambda p: p.name)


def _marked_files(out_dir: Path) -> set[str] | None:
    """The files the :data:`MARKER` in ``out_dir`` lists, or None if there is no valid marker."""
    path = out_dir / MARKER
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > _MARKER_MAX_BYTES:
            return None
        lines = path.read_bytes().decode("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    if tuple(lines[: len(_MARKER_HEAD)]) != _MARKER_HEAD:
        return None
    return {n for n in lines[len(_MARKER_HEAD) :] if n and "/" not in n and n not in (".", "..", MARKER)}


# --------------------------------------------------------------------------- publishing the set

#: Environment variable that makes :func:`publish` kill its own process at a named point (tests only).
KILL_AT_ENV = "ANALYSIS_TEST_KILL_AT"
#: Environment variable that makes :func:`publish` send itself Ctrl-C (SIGINT) at a named point (tests only).
INTERRUPT_AT_ENV = "ANALYSIS_TEST_INTERRUPT_AT"
#: The points :data:`KILL_AT_ENV` and :data:`INTERRUPT_AT_ENV` may name, in order.
KILL_POINTS = ("locked", "staging", "staged", "swapped")


def _fault(point: str) -> None:
    if os.environ.get(KILL_AT_ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get(INTERRUPT_AT_ENV) == point:
        os.kill(os.getpid(), signal.SIGINT)


def _prefix(out_dir: Path) -> str:
    """The start of every name the project gives a file or folder beside ``out_dir``."""
    return f".{out_dir.name}.analysis-"


def _shown(out_dir: Path) -> str:
    """``out_dir`` for messages, its last part not resolved (a link is named, not where it points)."""
    return (Path(display_path(out_dir.parent)) / out_dir.name).as_posix()


def lock_path(out_dir: str | Path) -> Path:
    """The lock file of ``out_dir``: a hidden file beside it, present only while a run publishes."""
    out_dir = Path(out_dir)
    return out_dir.parent / f"{_prefix(out_dir)}lock"


def _leftover(out_dir: Path) -> re.Pattern[str]:
    """The names of the staging folders and set-aside sets that runs publishing to ``out_dir`` create."""
    return re.compile(re.escape(_prefix(out_dir)) + r"(staging|old)-[0-9]+-[0-9a-f]{8}")


def _new_name(out_dir: Path, kind: str) -> Path:
    return out_dir.parent / f"{_prefix(out_dir)}{kind}-{os.getpid()}-{secrets.token_hex(4)}"


class _Lock:
    """An exclusive, non-blocking ``flock`` on :func:`lock_path`; released (and the file removed) on exit, and by the OS if killed."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.path = lock_path(out_dir)
        self.fd: int | None = None

    def __enter__(self) -> _Lock:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        except OSError as err:
            raise PublishError(f"{display_path(self.path)}: cannot create the lock file beside the output folder: {err.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if os.fstat(fd).st_ino != os.stat(self.path).st_ino:  # the lock file was removed and remade by a run that just ended
                raise BlockingIOError
        except (BlockingIOError, FileNotFoundError):
            os.close(fd)
            raise PublishError(
                f"{_shown(self.out_dir)}: another run is publishing to this folder "
                f"(lock {display_path(self.path)}); wait for it to finish, then run again"
            ) from None
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            self.path.unlink(missing_ok=True)
            os.close(self.fd)
            self.fd = None


class _SignalsDeferred:
    """Hold Ctrl-C (SIGINT), SIGTERM and SIGHUP for the block; one that arrives meanwhile is delivered as the block ends.

    The swap and the record that it happened (:class:`Progress`) are then one step for a signal:
    an interrupt comes before both or after both.
    """

    SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM, signal.SIGHUP})

    def __enter__(self) -> None:
        try:
            self.old = signal.pthread_sigmask(signal.SIG_BLOCK, self.SIGNALS)
        except (AttributeError, OSError, ValueError):  # a system without signal masks
            self.old = None

    def __exit__(self, *exc) -> None:
        if self.old is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, self.old)


@dataclass
class Progress:
    """How far a run got in replacing the set in ``out_dir``: what an interrupted run says is in place.

    :func:`publish` sets ``swapped`` in the same uninterruptible step as the swap itself, so the
    message of :meth:`interrupted` is true whenever Ctrl-C arrives.
    """

    out_dir: Path
    swapped: bool = False

    def interrupted(self) -> str:
        """One line saying which set is in ``out_dir`` after an interrupt."""
        out_dir = Path(os.path.abspath(self.out_dir))
        shown = _shown(out_dir)
        if self.swapped:
            return f"interrupted after the new processed set was swapped in: the new set is in place in {shown} (the next run removes anything left beside it)"
        if _marked_files(out_dir) is not None:
            return f"interrupted before the new processed set was swapped in: the previous set in {shown} is unchanged and in place"
        if os.path.lexists(out_dir):
            return f"interrupted before the new processed set was swapped in: {shown} is unchanged"
        return f"interrupted before anything was published: {shown} was not created"


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


def _check_path(out_dir: Path) -> None:
    """Refuse an ``out_dir`` that is a link, a file, under a file, or a mount point: the swap renames it, so it must be a plain folder or nothing."""
    shown = _shown(out_dir)
    if out_dir.is_symlink():
        target = os.readlink(out_dir)
        kind = "a folder" if out_dir.is_dir() else ("a file" if out_dir.exists() else "nothing: the link is dangling")
        raise PublishError(
            f"{shown}: the output folder is a symbolic link (to {target}, which is {kind}); publishing replaces --out by a rename, "
            "which would replace the link, not what it points to: give the real folder as --out"
        )
    for folder in [out_dir, *out_dir.parents]:
        if folder.exists() and not folder.is_dir():
            if folder == out_dir:
                what = "a file" if folder.is_file() else "not a folder (a special file)"
                raise PublishError(f"{shown}: the output folder is {what}; choose a folder")
            raise PublishError(f"{shown}: the output folder lies under {display_path(folder)}, which is a file; choose a folder")
        if folder.exists():
            break
    if out_dir.is_dir() and os.path.ismount(out_dir):
        raise PublishError(
            f"{shown}: the output folder is a mount point; publishing swaps in a new folder by a rename beside it, "
            "which cannot replace a mount point: choose a folder inside it as --out"
        )


def _described_files(out_dir: Path) -> set[str]:
    """The files the ``datapackage.json`` of a marked set in ``out_dir`` describes (none if it cannot be read)."""
    path = out_dir / "datapackage.json"
    try:
        if not stat.S_ISREG(path.lstat().st_mode) or path.stat().st_size > _MARKER_MAX_BYTES * 8:
            return set()
        resources = parse_json_text(path.read_bytes().decode("utf-8"), "datapackage.json").get("resources", [])
        return {r["path"] for r in resources if isinstance(r, dict) and isinstance(r.get("path"), str) and "/" not in r["path"]}
    except (OSError, UnicodeDecodeError, AuditDataError, AttributeError):
        return set()


def _current_set(out_dir: Path) -> dict[str, int] | None:
    """The files (name -> size) of the set in ``out_dir``: None if there is no folder, {} if it is empty.

    Refuses (:class:`PublishError`) a folder that is not empty and not a set this project published:
    one without a valid :data:`MARKER`, or with any entry that neither the marker nor the set's own
    ``datapackage.json`` lists (the latter so that a set updated by a merge, its marker not yet
    rewritten, is still recognised). Jupyter's checkpoint folder (:data:`CHECKPOINTS`) is not part
    of the set and is left out.
    """
    if not os.path.lexists(out_dir):
        return None
    _check_path(out_dir)
    try:
        entries = sorted((e for e in os.scandir(out_dir) if not _is_checkpoints(e)), key=lambda e: e.name)
    except OSError as err:
        raise PublishError(f"{_shown(out_dir)}: cannot read the output folder: {err.strerror}") from None
    if not entries:
        return {}
    listed = _marked_files(out_dir)
    if listed is None:
        names = [e.name for e in entries]
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        raise PublishError(
            f"{_shown(out_dir)}: the output folder holds files this project did not publish ({shown}; no {MARKER} file marks it "
            "as a processed set of this project); it would be replaced as a whole, so choose an empty or new folder"
        )
    listed |= _described_files(out_dir)
    foreign = [e.name for e in entries if e.name != MARKER and (e.name not in listed or not e.is_file(follow_symlinks=False))]
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise PublishError(
            f"{_shown(out_dir)}: the output folder holds files this project did not publish ({shown}); "
            "it would be replaced as a whole, so choose an empty or new folder"
        )
    return {e.name: e.stat(follow_symlinks=False).st_size for e in entries}


def _holds(out_dir: Path, current: dict[str, int], payload: Mapping[str, bytes]) -> bool:
    """Whether the set in ``out_dir`` is byte for byte ``payload`` (sizes compared first: nothing large is read)."""
    if set(current) != set(payload) or any(current[n] != len(payload[n]) for n in current):
        return False
    return all((out_dir / name).read_bytes() == data for name, data in payload.items())


def check_out(out_dir: str | Path) -> None:
    """Refuse, before any work, an output path that cannot take the set or holds what this project did not publish.

    ``out_dir`` must be missing, an empty folder, or a set this project published (its
    :data:`MARKER` lists every file in it); not a symbolic link, a file, a path under a file or a
    mount point. Raises :class:`PublishError` with one line naming ``out_dir``.
    """
    out_dir = Path(os.path.abspath(out_dir))
    _check_path(out_dir)
    _current_set(out_dir)


def _only_files(folder: Path) -> bool:
    try:
        return all(e.is_file(follow_symlinks=False) or _is_checkpoints(e) for e in os.scandir(folder))
    except OSError:
        return False


def _clean_leftovers(out_dir: Path) -> None:
    """Remove the staging folders and set-aside sets that killed runs left beside ``out_dir``; restore a set left aside by a killed swap.

    Only folders named by the project's own pattern (:func:`_leftover`) and holding nothing but
    plain files are touched: a user's folder beside ``--out`` is never removed, whatever its name.
    """
    pattern = _leftover(out_dir)
    found = [p for p in out_dir.parent.iterdir() if pattern.fullmatch(p.name) and p.is_dir() and not p.is_symlink() and _only_files(p)]
    aside = sorted((p for p in found if p.name[len(_prefix(out_dir)) :].startswith("old-")), key=lambda p: p.stat().st_mtime_ns)
    if not os.path.lexists(out_dir) and aside:
        os.rename(aside[-1], out_dir)
    for p in found:
        if p.exists():
            shutil.rmtree(p)


def _failed(err: OSError, out_dir: Path, existed: bool) -> PublishError:
    """The one-line error for a failure before the swap (the previous set, if any, is still in place)."""
    unchanged = "the previous set is unchanged" if existed else f"nothing was written to {_shown(out_dir)}"
    if err.errno in (errno.EXDEV, errno.EBUSY):
        return PublishError(
            f"{_shown(out_dir)}: could not swap the new processed set in ({err.strerror}): the output folder is a mount point "
            f"or on another file system than the folder that holds it; choose a folder inside it as --out; {unchanged}"
        )
    return PublishError(f"{_shown(out_dir)}: could not publish the processed set ({err.strerror or err}); {unchanged}")


def publish(payload: Mapping[str, bytes], out_dir: str | Path, progress: Progress | None = None) -> bool:
    """Replace the processed set in ``out_dir`` with ``payload`` (file name -> bytes) as a whole; return True if anything changed.

    The set written is ``payload`` with its :data:`MARKER` (:func:`with_marker`). Steps, under
    :func:`lock_path`'s lock: clean up what killed runs left (:func:`_clean_leftovers`); check
    ``out_dir`` (:func:`check_out`'s rules); stop if it already holds exactly these bytes; write
    every file into a new staging folder beside ``out_dir`` (mode from the umask, fsynced), read
    them back and compare; then, with Ctrl-C held, swap the staging folder and ``out_dir`` in one
    atomic ``renameat2`` exchange (where the system lacks it, two renames, which the next run
    repairs if killed between them) and record the swap in ``progress``; finally delete the old
    set. Raises :class:`PublishError` with a one-line message on any failure, naming ``out_dir``
    and which set is in place.
    """
    payload = with_marker(payload)
    out_dir = Path(os.path.abspath(out_dir))
    progress = progress if progress is not None else Progress(out_dir)
    parent = out_dir.parent
    _check_path(out_dir)
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
            raise PublishError(f"{display_path(parent)}: cannot clear what an interrupted run left: {err.strerror}") from None
        current = _current_set(out_dir)
        if current is not None and _holds(out_dir, current, payload):
            return False
        staging = _new_name(out_dir, "staging")
        aside = _new_name(out_dir, "old")
        old: Path | None = None
        made = False  # only a staging folder this run made is ever removed
        try:
            staging.mkdir()
            made = True
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
            with _SignalsDeferred():
                if current is None:
                    os.rename(staging, out_dir)
                elif _exchange(staging, out_dir):
                    old = staging
                else:
                    os.rename(out_dir, aside)
                    old = aside
                    os.rename(staging, out_dir)
                progress.swapped = True
                _fault("swapped")
        except OSError as err:
            if not progress.swapped:
                if old == aside and not os.path.lexists(out_dir):
                    with contextlib.suppress(OSError):  # the second rename failed: put the previous set back (else the next run does)
                        os.rename(aside, out_dir)
                if made:
                    shutil.rmtree(staging, ignore_errors=True)
                raise _failed(err, out_dir, current is not None) from None
            raise
        except BaseException:  # Ctrl-C or exit before the swap: leave no staging folder
            if made and not progress.swapped:
                shutil.rmtree(staging, ignore_errors=True)
            raise
        try:
            if old is not None:
                shutil.rmtree(old)
            _fsync_dir(parent)
        except OSError as err:
            raise PublishError(
                f"{_shown(out_dir)}: the new processed set is in place, but the previous one, set aside beside it, "
                f"could not be removed ({err.strerror}); the next run removes it"
            ) from None
    return True
