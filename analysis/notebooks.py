"""Execute the project's notebooks in place, deterministically (no timing metadata), in reading order."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from analysis.data.paths import NOTEBOOKS_DIR


def notebook_paths() -> list[Path]:
    """The project's notebooks in reading order (their zero-padded names)."""
    return sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))


def run_notebooks(paths: Iterable[Path] | None = None, timeout: int = 600) -> list[Path]:
    """Execute each notebook from its own folder and save it with its outputs; return the paths.

    Execution uses the ``python3`` kernel of the current environment, records no timing metadata
    and stops at the first failing cell (the notebook on disk is then left unchanged).
    """
    import nbformat
    from nbclient import NotebookClient

    done = []
    for path in list(paths) if paths is not None else notebook_paths():
        path = Path(path).resolve()
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            record_timing=False,
            resources={"metadata": {"path": str(path.parent)}},
        )
        client.execute()
        for cell in nb.cells:
            cell.get("metadata", {}).pop("execution", None)
        text = nbformat.writes(nb) + "\n"
        tmp = path.with_suffix(".ipynb.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        done.append(path)
    return done
