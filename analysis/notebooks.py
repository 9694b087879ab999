"""Execute the project's notebooks in place, deterministically (no timing metadata), in reading order, and only when needed."""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import json
import os
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis import memo, stamps
from analysis.data.paths import NOTEBOOKS_DIR, PROCESSED_DIR, PROCESSED_ENV, PROJ_ROOT, RAW_DIR, RAW_ENV

#: Where :func:`run_notebooks` records what each notebook was last executed on (git-ignored, never published).
STAMP_DIR = PROJ_ROOT / ".build" / "notebook-stamps"

#: What every notebook's outputs depend on besides its code: the audit package it loads, the processed set, the pinned packages.
DATA_INPUTS = (RAW_DIR, PROCESSED_DIR, PROJ_ROOT / "requirements.txt")

#: The package whose modules a notebook's fingerprint follows (:func:`code_files`).
PACKAGE = "analysis"

#: The notebook metadata namespace of this project (also read by :mod:`analysis.report` for ``needs``).
METADATA_KEY = "analysis"


def notebook_paths() -> list[Path]:
    """The project's notebooks in reading order (their zero-padded names)."""
    return sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))


#: Run silently in a shared kernel before each notebook (:func:`shared_kernel`), last: the namespace, the output history and
#: the execution counter start afresh, as in a new kernel; imported modules stay loaded (they hold no notebook's state).
FRESH_SESSION = "get_ipython().reset(new_session=True, aggressive=False)"

#: The environment variables a notebook reads (the package, the processed set, the run's shared results): a shared
#: kernel is given this process's values of them before each notebook, as a kernel of its own would inherit them.
KERNEL_ENV = (RAW_ENV, PROCESSED_ENV, memo.ENV)


def session_code(folder: Path) -> str:
    """The code a shared kernel runs before a notebook from ``folder``: that folder as the working folder, this process's
    :data:`KERNEL_ENV`, then :data:`FRESH_SESSION` (which also removes the names this code used)."""
    values = {name: os.environ.get(name) for name in KERNEL_ENV}
    return "\n".join(
        [
            "import os as _session_os",
            f"_session_os.chdir({str(Path(folder).resolve())!r})",
            f"_session_os.environ.update({ {k: v for k, v in values.items() if v is not None}!r})",
            f"for _session_name in {[k for k, v in values.items() if v is None]!r}:",
            "    _session_os.environ.pop(_session_name, None)",
            FRESH_SESSION,
        ]
    )


@dataclass
class SharedKernel:
    """A kernel manager and, once its kernel has started, the one client every notebook of :func:`shared_kernel` talks through."""

    km: Any
    kc: Any = None


@contextlib.contextmanager
def _new_kernel() -> Iterator[SharedKernel]:
    from jupyter_core.utils import run_sync
    from nbclient import NotebookClient
    from nbformat.v4 import new_notebook

    from analysis.kernel import KERNEL_NAME

    kernel = SharedKernel(NotebookClient(new_notebook(), kernel_name=KERNEL_NAME).create_kernel_manager())
    try:
        yield kernel
    finally:
        if kernel.kc is not None:
            kernel.kc.stop_channels()
        if kernel.km.has_kernel:
            run_sync(kernel.km.shutdown_kernel)(now=True)
        run_sync(kernel.km.cleanup_resources)()


class KeptKernel:
    """One kernel kept for several runs of notebooks (:func:`keep_kernel`); it serves :func:`shared_kernel` only inside :meth:`serving`."""

    def __init__(self) -> None:
        self._stack = contextlib.ExitStack()
        self.kernel: SharedKernel | None = None

    @contextlib.contextmanager
    def serving(self) -> Iterator[None]:
        """Within the block, :func:`shared_kernel` gives this kernel (started when first needed) and leaves it running."""
        global _serving
        previous, _serving = _serving, self
        try:
            yield
        finally:
            _serving = previous

    def _get(self) -> SharedKernel:
        if self.kernel is None:
            self.kernel = self._stack.enter_context(_new_kernel())
        return self.kernel


#: The kept kernel serving :func:`shared_kernel`, inside :meth:`KeptKernel.serving`.
_serving: KeptKernel | None = None


@contextlib.contextmanager
def keep_kernel() -> Iterator[KeptKernel]:
    """A kernel to keep for several runs, shut down (if it was started) when the block ends.

    For a process that writes several reports one after another (the test suite builds one per
    fixture package): each report, run inside :meth:`KeptKernel.serving`, still gives each notebook a
    fresh session in its own folder with this process's :data:`KERNEL_ENV`, but the kernel and its
    imports are paid for once.
    """
    kept = KeptKernel()
    with kept._stack:
        yield kept


@contextlib.contextmanager
def shared_kernel() -> Iterator[SharedKernel]:
    """One kernel for several notebooks executed one after another (:func:`execute` with ``kernel=``).

    Starting a kernel and importing the analysis costs a few seconds per notebook, and a new client of a
    running kernel a fifth of a second; a report executes six notebooks on one package, so it starts
    one kernel, talks to it through one client, and gives each notebook a fresh session in it
    (:func:`session_code`). The kernel is shut down when the block ends, however it ends; inside
    :meth:`KeptKernel.serving` it is that kept kernel, left running.
    """
    if _serving is not None:
        yield _serving._get()
        return
    with _new_kernel() as kernel:
        yield kernel


def execute(nb, folder: Path, timeout: int = 600, shown: str = "notebook", kernel: SharedKernel | None = None) -> None:
    """Execute notebook ``nb`` in place (in memory) from ``folder`` with the ``python3`` kernel, recording no timing metadata.

    ``kernel``, from :func:`shared_kernel`, runs the notebook in a fresh session of that kernel
    (started here if it has not started yet) instead of a kernel of its own. A failing cell raises
    :class:`analysis.data.errors.PublishError` naming the notebook and the cell, with the error's
    last line (no traceback).
    """
    from jupyter_core.utils import run_sync
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from analysis.data.errors import PublishError
    from analysis.kernel import KERNEL_NAME, notebook_kernelspec

    client = NotebookClient(
        nb,
        km=kernel.km if kernel is not None else None,
        timeout=timeout,
        kernel_name=KERNEL_NAME,
        record_timing=False,
        resources={"metadata": {"path": str(Path(folder).resolve())}},
    )
    if kernel is not None:

        async def fresh_session(**_):
            reply = await client.async_wait_for_reply(client.kc.execute(session_code(folder), silent=True, store_history=False))
            if reply is None or reply["content"].get("status") != "ok":
                raise PublishError(f"{shown}: the shared kernel could not start a fresh session")

        if kernel.kc is None:  # the first notebook: nbclient starts the kernel and its client, then the hook runs
            client.on_notebook_start = fresh_session
        else:
            client.kc = kernel.kc
            run_sync(fresh_session)()
    try:
        # The kernel's own log goes to a discarded stream: jupyter_client interrupts a kernel before shutting it down, and ipykernel
        # logs that interrupt as an error after a run that succeeded. A failing cell is reported below from the notebook's outputs.
        client.execute(stderr=subprocess.DEVNULL)
    except CellExecutionError as err:
        index = next((i for i, c in enumerate(nb.cells) if any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
        last = f"{err.ename}: {err.evalue}".splitlines()[0] if getattr(err, "ename", None) else str(err).strip().splitlines()[-1]
        raise PublishError(f"{shown}: cell {index + 1 if index is not None else '?'} failed: {last}") from None
    finally:
        if kernel is not None and kernel.kc is None:
            kernel.kc = client.kc  # kept for the next notebook (shut down with the kernel)
    nb.metadata["kernelspec"] = notebook_kernelspec()
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)


def notebook_code(path: Path) -> str:
    """The Python of a notebook's code cells, one after the other (IPython's ``%`` and ``!`` lines left out)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = [
        "".join(c.get("source", "")) if isinstance(c.get("source"), list) else c.get("source", "")
        for c in nb.get("cells", [])
        if c.get("cell_type") == "code"
    ]
    return "\n".join(line for cell in cells for line in cell.splitlines() if not line.lstrip().startswith(("%", "!")))


def _module_file(name: str, code_root: Path) -> Path | None:
    parts = name.split(".")
    for candidate in (code_root.joinpath(*parts).with_suffix(".py"), code_root.joinpath(*parts, "__init__.py")):
        if candidate.is_file():
            return candidate
    return None


def _imported(tree: ast.AST, package: str) -> set[str]:
    """Dotted names of the ``package`` modules a module imports anywhere (also inside functions); ``from a import b`` gives ``a`` and ``a.b``."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {n for n in names if n == package or n.startswith(package + ".")}


@functools.lru_cache(maxsize=1024)
def _module_imports(text: str, package: str) -> frozenset[str]:
    """:func:`_imported` of a module's source text, parsed once per distinct text (a run hashes every notebook's closure)."""
    return frozenset(_imported(ast.parse(text), package))


def code_files(source: str, code_root: Path = PROJ_ROOT, package: str = PACKAGE) -> list[Path]:
    """Every file of ``package`` (under ``code_root``) that ``source`` runs when imported: its imports, theirs, and so on, with each package's ``__init__.py``."""
    seen: dict[str, Path] = {}
    todo = sorted(_imported(ast.parse(source), package))
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for i in range(1, len(parts) + 1):  # importing a.b.c runs a/__init__.py and a/b/__init__.py first
            prefix = ".".join(parts[:i])
            if prefix in seen:
                continue
            path = _module_file(prefix, Path(code_root))
            if path is None:
                continue  # a name imported from a module, not a module
            seen[prefix] = path
            todo.extend(_module_imports(path.read_text(encoding="utf-8"), package) - set(seen))
    return sorted(set(seen.values()))


def _without_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                node.body = node.body[1:] or [ast.Pass()]
    return tree


def code_digest(path: Path) -> str:
    """SHA-256 of what a module does: its syntax tree without docstrings, comments or layout (a docstring-only change leaves it unchanged)."""
    return _text_digest(Path(path).read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1024)
def _text_digest(text: str) -> str:
    tree = _without_docstrings(ast.parse(text))
    return hashlib.sha256(ast.dump(tree, include_attributes=False).encode()).hexdigest()


def inputs_digest(notebook: Path, *, code_root: Path = PROJ_ROOT, data: Iterable[Path] = DATA_INPUTS) -> str:
    """SHA-256 of what a notebook's outputs are computed from, besides the notebook itself.

    The bytes of ``data`` (the audit package, the processed set, ``requirements.txt``) and, for each
    module of :data:`PACKAGE` that the notebook's code imports directly or through other modules
    (:func:`code_files`), its path and :func:`code_digest`. A change to a module the notebook does
    not import, or to a docstring or comment, leaves it unchanged: such a change cannot alter what
    the notebook shows, so it needs no re-execution (nbval still re-executes every notebook in the tests).
    """
    digest = hashlib.sha256()
    for root in data:
        for path in stamps.files(Path(root)):
            rel = path.relative_to(PROJ_ROOT).as_posix() if path.is_relative_to(PROJ_ROOT) else path.name
            digest.update(rel.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    for path in code_files(notebook_code(notebook), code_root):
        rel = path.relative_to(code_root).as_posix()
        digest.update(rel.encode() + b"\0" + code_digest(path).encode())
    return digest.hexdigest()


def notebook_digest(path: Path, inputs_hash: str) -> str:
    """SHA-256 of a notebook's bytes together with its :func:`inputs_digest`: what its stored outputs were computed from."""
    return hashlib.sha256(Path(path).read_bytes() + b"\0" + inputs_hash.encode()).hexdigest()


def _stamp(path: Path, stamp_dir: Path) -> Path:
    return stamp_dir / f"{Path(path).name}.sha256"


def is_current(path: Path, inputs_hash: str, stamp_dir: Path = STAMP_DIR) -> bool:
    """True when ``path`` was last executed by :func:`run_notebooks` on exactly these inputs and has not changed since."""
    stamp = _stamp(path, stamp_dir)
    return stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == notebook_digest(path, inputs_hash)


def execute_notebook(path: Path, timeout: int = 600, inputs_hash: str | None = None) -> None:
    """Execute one notebook from its own folder on the project's kernel and save it with its outputs.

    Executes as :func:`execute` does (no timing metadata, the kernelspec as JupyterLab writes it, a
    failing cell reported in one line and the notebook on disk left unchanged), and records in the
    notebook's metadata (``analysis.inputs_sha256``) the :func:`inputs_digest` of what its outputs
    were computed from, so that a test can tell a committed notebook that was not re-executed after
    its inputs changed.
    """
    import nbformat

    path = Path(path).resolve()
    nb = nbformat.read(path, as_version=4)
    execute(nb, path.parent, timeout, shown=path.name)
    nb.metadata.setdefault(METADATA_KEY, {})["inputs_sha256"] = inputs_hash if inputs_hash is not None else inputs_digest(path)
    text = nbformat.writes(nb) + "\n"
    tmp = path.with_suffix(".ipynb.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def executed_on(path: Path) -> str | None:
    """The :func:`inputs_digest` a notebook was last executed on by :func:`execute_notebook` (None if it does not say)."""
    import nbformat

    return nbformat.read(Path(path), as_version=4).metadata.get(METADATA_KEY, {}).get("inputs_sha256")


def run_notebooks(
    paths: Iterable[Path] | None = None, timeout: int = 600, *, only_changed: bool = False, stamp_dir: Path = STAMP_DIR
) -> list[Path]:
    """Execute each notebook (default: all, in reading order) in place; return the paths executed.

    With ``only_changed``, a notebook is skipped when its stamp in ``stamp_dir`` says it was
    executed on the same notebook bytes, code of the modules it imports, data and pinned packages
    (:func:`is_current`, :func:`inputs_digest`). Every executed notebook of the project gets a fresh stamp.
    """
    done = []
    for path in list(paths) if paths is not None else notebook_paths():
        path = Path(path).resolve()
        inputs_hash = inputs_digest(path)
        if only_changed and is_current(path, inputs_hash, stamp_dir):
            continue
        execute_notebook(path, timeout, inputs_hash)
        if stamp_dir != STAMP_DIR or path.is_relative_to(PROJ_ROOT):  # a notebook from elsewhere leaves no stamp in the project
            stamp = _stamp(path, stamp_dir)
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.write_text(notebook_digest(path, inputs_hash) + "\n", encoding="utf-8")
        done.append(path)
    return done
