"""Execute the project's notebooks in place, deterministically (no timing metadata), in reading order."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from analysis.data.paths import NOTEBOOKS_DIR


def notebook_paths() -> list[Path]:
    """The project's notebooks in reading order (their zero-padded names)."""
    return sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))


def execute(nb, folder: Path, timeout: int = 600, shown: str = "notebook") -> None:
    """Execute notebook ``nb`` in place (in memory) from ``folder`` with the ``python3`` kernel, recording no timing metadata.

    A failing cell raises :class:`analysis.data.errors.PublishError` naming the notebook and the
    cell, with the error's last line (no traceback).
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from analysis.data.errors import PublishError

    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", record_timing=False, resources={"metadata": {"path": str(Path(folder).resolve())}}
    )
    try:
        client.execute()
    except CellExecutionError as err:
        index = next((i for i, c in enumerate(nb.cells) if any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
        last = f"{err.ename}: {err.evalue}".splitlines()[0] if getattr(err, "ename", None) else str(err).strip().splitlines()[-1]
        raise PublishError(f"{shown}: cell {index + 1 if index is not None else '?'} failed: {last}") from None
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)


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
