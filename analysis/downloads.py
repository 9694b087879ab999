"""The site's "Code and data" downloads: the project's source as one zip file, and a copy of each notebook.

Built by the site build itself (``_quarto.yml`` runs ``assets/pre_render.py`` before every
render, which calls :func:`build_downloads` on the project being rendered: Quarto runs the script
from that project's folder), into its ``downloads/`` (git-ignored), which the site publishes as a
resource. Every file is written under a temporary name of its own and renamed into place, so
two renders at once (of the same project or of copies) never trip over each other. The archive holds the files a fresh checkout holds, found by walking
the project and leaving out what :data:`EXCLUDED` names (environments, build output, caches), so
it needs no git. Its bytes are the same on every build of the same files: names sorted, every
entry dated 1980-01-01 with the same permissions, one compression level.

The project has no public repository yet. When it has one, set ``website: repo-url:`` in
``_quarto.yml`` (Quarto's own setting for it); the Data page then links to it beside the archive
(:func:`repository_url`).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from pathlib import Path

import yaml

from analysis.data.paths import NOTEBOOKS_DIR, PROJ_ROOT

#: Where :func:`build_downloads` writes (git-ignored; copied to the site by ``project: resources``).
DOWNLOADS_DIR = PROJ_ROOT / "downloads"
#: File name of the source archive, and the folder every entry sits in when unpacked.
ARCHIVE_NAME = "gwent-ncpi-analysis-source.zip"
ARCHIVE_ROOT = "gwent-ncpi-analysis"

#: Names (at any depth) and top-level folders never put in the archive: environments, build output, caches.
EXCLUDED = frozenset(
    {
        ".git",
        ".venv",
        ".build",
        ".quarto",
        "_site",
        "downloads",
        "__pycache__",
        ".pytest_cache",
        ".ipynb_checkpoints",
        ".ruff_cache",
        ".DS_Store",
    }
)
_EXCLUDED_SUFFIXES = (".pyc", ".tmp", ".egg-info")
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def _tracked(root: Path) -> list[Path] | None:
    """The files git tracks under ``root`` (relative paths), or ``None`` outside a git checkout."""
    import subprocess

    try:
        done = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0 or not done.stdout:
        return None
    return [Path(p) for p in done.stdout.decode("utf-8").split("\0") if p]


def source_files(root: Path = PROJ_ROOT) -> list[Path]:
    """Every file of the project that a checkout holds, relative to ``root``, sorted.

    In a git checkout these are the tracked files (so scratch files that tools write for a moment,
    such as nbqa's, never enter the archive); elsewhere every file but environments and build output.
    """
    tracked = _tracked(Path(root))
    if tracked is not None:
        return sorted((p for p in tracked if (Path(root) / p).is_file()), key=lambda p: p.as_posix())
    out = []
    for path in Path(root).rglob("*"):
        rel = path.relative_to(root)
        if any(part in EXCLUDED or part.endswith(_EXCLUDED_SUFFIXES) for part in rel.parts):
            continue
        if rel.parts[0] == "data" and rel.name.startswith(".processed."):  # publish's lock and staging files
            continue
        if path.is_file():
            out.append(rel)
    return sorted(out, key=lambda p: p.as_posix())


@contextlib.contextmanager
def _replacing(path: Path):
    """A temporary file beside ``path`` with a name of its own (so that two builds at once never share one), renamed to ``path`` on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def write_archive(path: Path, root: Path = PROJ_ROOT) -> Path:
    """Write the source archive of ``root`` to ``path``: deterministic bytes (see the module docstring)."""
    path = Path(path)
    with _replacing(path) as tmp, zipfile.ZipFile(tmp, "w") as zf:
        for rel in source_files(root):
            info = zipfile.ZipInfo(f"{ARCHIVE_ROOT}/{rel.as_posix()}", date_time=_FIXED_DATE)
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, (Path(root) / rel).read_bytes(), compresslevel=9)
    return path


def build_downloads(out: Path = DOWNLOADS_DIR, root: Path = PROJ_ROOT) -> list[Path]:
    """Write the source archive and a copy of each notebook (``notebooks/NN_name.ipynb``) under ``out``; return the paths."""
    out = Path(out)
    written = [write_archive(out / ARCHIVE_NAME, root)]
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    for nb in sorted((Path(root) / NOTEBOOKS_DIR.name).glob("[0-9][0-9]_*.ipynb")):
        target = out / "notebooks" / nb.name
        data = nb.read_bytes()
        if not target.is_file() or target.read_bytes() != data:
            with _replacing(target) as tmp:
                tmp.write_bytes(data)
        written.append(target)
    return written


def repository_url(config: Path = PROJ_ROOT / "_quarto.yml") -> str | None:
    """The public repository's address, ``website: repo-url:`` in ``_quarto.yml``, or None while it is not set."""
    website = (yaml.safe_load(Path(config).read_text(encoding="utf-8")) or {}).get("website") or {}
    url = website.get("repo-url")
    return str(url) if url else None
