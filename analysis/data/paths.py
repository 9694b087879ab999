"""Project paths, found from the package's own location (never from the current directory)."""

from __future__ import annotations

import os
from pathlib import Path

PROJ_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJ_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
PROCESSED_DIR = DATA_DIR / "processed"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
DATAPACKAGE = RAW_DIR / "datapackage.json"


#: Environment variables that point the notebooks and the site at another audit package and its processed set
#: (``python -m analysis report`` sets both); unset, they read Gwent's ``data/raw`` and ``data/processed``.
RAW_ENV = "ANALYSIS_RAW"
PROCESSED_ENV = "ANALYSIS_PROCESSED"


def raw_dir() -> Path:
    """The audit package the notebooks and the site read: ``$ANALYSIS_RAW`` if set, else ``data/raw``."""
    return Path(os.environ[RAW_ENV]) if os.environ.get(RAW_ENV) else RAW_DIR


def processed_dir() -> Path:
    """The processed set the site reads: ``$ANALYSIS_PROCESSED`` if set, else ``data/processed``."""
    return Path(os.environ[PROCESSED_ENV]) if os.environ.get(PROCESSED_ENV) else PROCESSED_DIR


def display_path(path: str | Path) -> str:
    """Return ``path`` relative to the project root when it lies inside it, else as given.

    Used in error messages and outputs so that no machine-specific absolute path appears.
    """
    p = Path(path)
    try:
        return p.resolve().relative_to(PROJ_ROOT).as_posix()
    except ValueError:
        return p.as_posix()
