"""Project paths, found from the package's own location (never from the current directory)."""

from __future__ import annotations

from pathlib import Path

PROJ_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJ_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
PROCESSED_DIR = DATA_DIR / "processed"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
DATAPACKAGE = RAW_DIR / "datapackage.json"


def display_path(path: str | Path) -> str:
    """Return ``path`` relative to the project root when it lies inside it, else as given.

    Used in error messages and outputs so that no machine-specific absolute path appears.
    """
    p = Path(path)
    try:
        return p.resolve().relative_to(PROJ_ROOT).as_posix()
    except ValueError:
        return p.as_posix()
