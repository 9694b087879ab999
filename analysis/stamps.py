"""Content stamps under ``.build/`` (git-ignored): what a build step last ran on, so that ``make`` repeats only the steps whose inputs changed.

A stamp is the SHA-256 over the project-relative paths and bytes of a step's input files
(:func:`digest`); a step is current when its stamp holds the same digest. Jupyter's checkpoint
folders, caches and hidden files are never inputs.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from analysis.data.paths import PROJ_ROOT

#: Environment variable naming another folder for the stamps (tests that run ``make`` with a stub Quarto use it).
STAMP_ENV = "ANALYSIS_STAMPS"
#: Where stamps live (git-ignored, never published): ``.build/``, or ``$ANALYSIS_STAMPS``.
STAMP_ROOT = Path(os.environ[STAMP_ENV]) if os.environ.get(STAMP_ENV) else PROJ_ROOT / ".build"

#: Folder names that never hold inputs: Jupyter's checkpoints, Python's caches.
SKIPPED = frozenset({".ipynb_checkpoints", "__pycache__"})


def files(root: Path) -> list[Path]:
    """``root`` itself if it is a file, else every file under it, sorted, without :data:`SKIPPED` folders or hidden files; none if it is missing."""
    root = Path(root)
    if root.is_file():
        return [root]
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not SKIPPED & set(p.relative_to(root).parts) and not p.name.startswith("."))


def digest(inputs: Iterable[Path], root: Path = PROJ_ROOT) -> str:
    """SHA-256 over the paths (relative to ``root``) and bytes of every file in ``inputs`` (files or folders), in a fixed order.

    A missing input counts too (as its name alone), so that deleting a file changes the digest.
    """
    h = hashlib.sha256()
    for item in inputs:
        item = Path(item)
        found = files(item)
        rel = item.relative_to(root).as_posix() if item.is_relative_to(root) else item.name
        if not found:
            h.update(b"missing\0" + rel.encode() + b"\0")
        for path in found:
            name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
            h.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def stamp_path(step: str, name: str, stamp_root: Path = STAMP_ROOT) -> Path:
    """The stamp file of ``name`` (a page, a folder) for the build ``step``."""
    return Path(stamp_root) / step / (name.replace("/", "__") + ".sha256")


def is_current(step: str, name: str, value: str, stamp_root: Path = STAMP_ROOT) -> bool:
    """True when the stamp of ``name`` for ``step`` holds ``value``."""
    path = stamp_path(step, name, stamp_root)
    return path.is_file() and path.read_text(encoding="utf-8").strip() == value


def record(step: str, name: str, value: str, stamp_root: Path = STAMP_ROOT) -> None:
    """Write ``value`` as the stamp of ``name`` for ``step``."""
    path = stamp_path(step, name, stamp_root)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value + "\n", encoding="utf-8")


def process_digest(raw_dir: Path, out_dir: Path) -> str:
    """Digest of what ``python -m analysis process`` reads and writes: the package, ``analysis/``, the pinned packages and the processed set in ``out_dir``.

    ``process --changed`` (``make process``) does nothing when it equals the stamp of the last run,
    so that ``make site`` with nothing changed is quick (this module imports nothing heavy for it).
    """
    return digest([Path(raw_dir), PROJ_ROOT / "analysis", PROJ_ROOT / "requirements.txt", Path(out_dir)])
