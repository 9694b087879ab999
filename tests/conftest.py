"""Shared fixtures: a scratch copy of the raw data that a test may break on purpose, and helpers to edit and load it."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from analysis.data.paths import RAW_DIR

#: The made-up audit packages of every published shape (tests/fixtures/packages/README.md).
PACKAGES = Path(__file__).parent / "fixtures" / "packages"

if TYPE_CHECKING:  # the loader is imported where it is used: the controlling process of a parallel run needs none of it
    from analysis.data.load import AuditData

#: The practice-area codes the issues name, in the report's order (tests check the data against them).
AREA_CODES = [
    "s47_enquiries",
    "domestic_abuse",
    "other_referrals",
    "child_sexual_exploitation",
    "missing_children",
    "police_protection_s46",
    "sex_offender_management",
    "children_in_custody",
]


@pytest.fixture
def raw_copy(tmp_path: Path) -> Path:
    """A copy of data/raw in a temporary folder (tests edit it to make malformed input)."""
    dest = tmp_path / "raw"
    shutil.copytree(RAW_DIR, dest)
    return dest


def replace_line(path: Path, old: str, new: str) -> None:
    """Replace exactly one whole line ``old`` of a CSV with ``new`` (fails if not found once)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines.count(old) == 1, f"{old!r} is not exactly one line of {path.name}"
    lines[lines.index(old)] = new
    path.write_text("\n".join(lines), encoding="utf-8")


def load_edited(raw: Path) -> AuditData:
    """Record the edited files' checksums (as a reviewer would after checking the change), then load and validate ``raw``.

    For tests of the checks that come after the checksum: schema, keys and identities.
    """
    from analysis.data.load import load_audit
    from analysis.data.package import update_hashes

    update_hashes(raw)
    return load_audit(raw)


@pytest.fixture(scope="session")
def gwent_published(request, tmp_path_factory) -> Path:
    """Gwent's processed set as ``process`` publishes it from data/raw, built once per test run and shared by every worker; read it only.

    The first worker to ask builds it under a lock in the run's shared temporary folder; the others
    wait for it and reuse it (the pytest-xdist recipe for a session fixture computed once).
    """
    import fcntl

    from analysis.data.publish import MARKER
    from analysis.pipeline import process

    root = _run_shared(request, tmp_path_factory)
    out = root / "gwent_published" / "processed"
    with open(root / "gwent_published.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / MARKER).exists():
            out.parent.mkdir(exist_ok=True)
            process(RAW_DIR, out)
    return out


def _run_shared(request, tmp_path_factory) -> Path:
    """The folder every worker of this run shares (the run's base temporary folder; its parent under pytest-xdist)."""
    root = tmp_path_factory.getbasetemp()
    return root.parent if hasattr(request.config, "workerinput") else root


#: ``report``'s stand-in for Quarto in :func:`package_report`: it refuses a project without its files (exit 3), keeps the
#: site source it was given under ``_site/source`` (``index.qmd`` also at ``_site/index.qmd``) and writes ``_site/index.html``.
STUB_QUARTO = (
    "#!/bin/sh\n"
    "test -f _quarto.yml && test -f index.qmd && test -d notebooks && test -f data/processed/contents.csv || exit 3\n"
    "mkdir -p ../_site/source && cp -R . ../_site/source/ && cp index.qmd ../_site/index.qmd && echo rendered > ../_site/index.html\n"
)

#: An environment variable set while :func:`package_report` runs ``report``: no file of a report may hold its value.
REPORT_SENTINEL = ("ANALYSIS_HOSTILE_SENTINEL", "sentinel-value-7f3a9c")


@pytest.fixture(scope="session")
def kept_kernel():
    """One kernel for every report this worker builds (:func:`analysis.notebooks.keep_kernel`), shut down at the end of the run.

    It serves only :func:`package_report`'s builds (``kept_kernel.serving()``); every other test starts kernels of its own."""
    from analysis.notebooks import keep_kernel

    with keep_kernel() as kept:
        yield kept


@pytest.fixture(scope="session")
def package_report(request, tmp_path_factory, kept_kernel):
    """``package_report(name)``: the folder of ``python -m analysis report`` on the fixture package ``name``, built once per run.

    Every test of a report reads the same folder: the first worker to ask for a package builds its
    report (in the worker's :func:`kept_kernel`) under a lock in the run's shared temporary folder (as :func:`gwent_published` does), with
    :data:`STUB_QUARTO` as Quarto and :data:`REPORT_SENTINEL` in the environment, and checks that the
    tracked notebooks did not change; the others wait for it and reuse it. Read it only.
    """
    import fcntl
    import stat

    from analysis.cli import main
    from analysis.data.paths import NOTEBOOKS_DIR

    shared = _run_shared(request, tmp_path_factory) / "package_reports"
    shared.mkdir(exist_ok=True)
    stub = shared / "bin" / "quarto"

    def build(name: str) -> Path:
        out = shared / name / "out"
        with open(shared / f"{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (out / "index.html").is_file():
                if not stub.is_file():
                    stub.parent.mkdir(exist_ok=True)
                    stub.write_text(STUB_QUARTO, encoding="utf-8")
                    stub.chmod(stub.stat().st_mode | stat.S_IXUSR)
                before = {p.name: p.read_bytes() for p in NOTEBOOKS_DIR.glob("*.ipynb")}
                with pytest.MonkeyPatch.context() as env, kept_kernel.serving():
                    env.setenv("QUARTO", str(stub))
                    env.setenv(*REPORT_SENTINEL)
                    assert main(["report", "--raw", str(PACKAGES / name), "--out", str(out), "-q"]) == 0, name
                assert {p.name: p.read_bytes() for p in NOTEBOOKS_DIR.glob("*.ipynb")} == before, "the tracked notebooks changed"
        return out

    return build


@pytest.fixture(scope="session")
def gwent_payload(gwent_published) -> dict[str, bytes]:
    """The bytes of Gwent's processed set as this run computed them (:func:`gwent_published`), by file name: the set ``payload`` gives."""
    from analysis.data.publish import set_files

    return {p.name: p.read_bytes() for p in set_files(gwent_published)}


@pytest.fixture
def gwent_computed_once(gwent_payload, monkeypatch) -> dict[str, bytes]:
    """``process`` (and the command line's) on data/raw publishes this run's one computed set instead of computing it again.

    For tests whose subject is publishing (what is written, replaced, ignored, said), not computing:
    the computing is checked once per run, on the same bytes (``gwent_published`` is computed from
    data/raw by ``process``; tests/golden/ compares it with the committed set and re-runs it). Any
    other raw folder (an edited copy, a fixture package) is loaded and computed as usual.
    """
    import analysis.pipeline as pipeline

    load, compute = pipeline.load_audit, pipeline.payload
    unedited = object()

    def load_audit(raw_dir=RAW_DIR, *args, **kwargs):
        if not args and not kwargs and Path(raw_dir).resolve() == RAW_DIR.resolve():
            return unedited
        return load(raw_dir, *args, **kwargs)

    def payload(data):
        return dict(gwent_payload) if data is unedited else compute(data)

    monkeypatch.setattr(pipeline, "load_audit", load_audit)
    monkeypatch.setattr(pipeline, "payload", payload)
    return gwent_payload


#: ``python -c QUICK_PROCESS PROCESSED_DIR process ...``: the command line's ``process`` with the committed processed set as
#: its payload (nothing loaded or computed), for tests of publishing in a child process (kills, interrupts, mounts).
QUICK_PROCESS = """
import sys
from pathlib import Path
import analysis.pipeline as pipeline
from analysis.data.publish import set_files
committed = {p.name: p.read_bytes() for p in set_files(sys.argv[1])}
pipeline.load_audit = lambda raw: None
pipeline.payload = lambda data: committed
from analysis.cli import main
sys.exit(main(sys.argv[2:]))
"""


# --------------------------------------------------------------------------- the suite leaves the working tree as it found it


def _tree_state() -> str | None:
    """The git working tree's state (status, diff of tracked files, untracked files' bytes), or None outside a checkout."""
    import hashlib
    import subprocess

    root = RAW_DIR.parents[1]

    def git(*args: str) -> bytes:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, check=True).stdout

    try:
        status = git("status", "--porcelain", "--untracked-files=all")
        diff = git("diff", "HEAD", "--binary")
    except (OSError, subprocess.CalledProcessError):
        return None
    digest = hashlib.sha256(status + diff)
    for line in status.decode().splitlines():
        if line.startswith("?? "):
            path = root / line[3:]
            if path.is_file():
                digest.update(path.read_bytes())
    return status.decode() + "\n" + digest.hexdigest()


def pytest_sessionstart(session):
    session.config._tree_state_at_start = _tree_state()


def pytest_sessionfinish(session, exitstatus):
    """Fail the run if any test, notebook (nbval) or page run changed, added or removed a file in the checkout."""
    before = getattr(session.config, "_tree_state_at_start", None)
    after = _tree_state()
    if before is not None and after is not None and before != after:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = "the test run changed the working tree (git status before and after differ); tests and notebooks must only read"
        if reporter is not None:
            reporter.write_line(f"ERROR: {message}", red=True)
            reporter.write_line("before:\n" + before.rsplit("\n", 1)[0] + "\nafter:\n" + after.rsplit("\n", 1)[0])
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def edit_figure(raw: Path, row: int, **values: str) -> None:
    """Set columns of data row ``row`` (1-based, header excluded) of figures.csv, e.g. ``edit_figure(raw, 2, count="7")``."""
    import csv
    import io

    path = raw / "figures.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    for col, value in values.items():
        rows[row][rows[0].index(col)] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def drop_figures(raw: Path, *rows: int) -> None:
    """Remove data rows ``rows`` (1-based) from figures.csv."""
    path = raw / "figures.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join(line for i, line in enumerate(lines) if i not in rows), encoding="utf-8")


#: Where a run's temporary folders go when the machine has room in memory for them (:func:`_temporary_folders_in_memory`).
MEMORY_FOLDER = Path("/dev/shm")

#: The room in :data:`MEMORY_FOLDER` a run needs (it writes about 600 MB) before its temporary folders go there.
MEMORY_NEEDED = 2 * 1024**3

#: The name of a run's folder in :data:`MEMORY_FOLDER`, followed by the controlling process's id.
MEMORY_PREFIX = "analysis-tests-"


def _temporary_folders_in_memory(config) -> None:
    """Put the run's temporary folders (``tmp_path``; the workers' under it) in memory, when nobody chose a ``--basetemp``.

    Most tests copy, edit and publish small files; on a shared disk their time goes to its latency.
    Only where :data:`MEMORY_FOLDER` is a writable file system with :data:`MEMORY_NEEDED` free; the
    folder is removed when the run ends, and folders of runs that were killed are removed by the next.
    """
    import tempfile

    if config.option.basetemp or not MEMORY_FOLDER.is_dir() or not os.access(MEMORY_FOLDER, os.W_OK):
        return
    for old in MEMORY_FOLDER.glob(f"{MEMORY_PREFIX}*"):
        pid = old.name[len(MEMORY_PREFIX) :].split("-")[0]
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(old, ignore_errors=True)
        except (ValueError, PermissionError):
            pass
    if shutil.disk_usage(MEMORY_FOLDER).free < MEMORY_NEEDED:
        return
    config._memory_folder = Path(tempfile.mkdtemp(prefix=f"{MEMORY_PREFIX}{os.getpid()}-", dir=MEMORY_FOLDER))
    config.option.basetemp = str(config._memory_folder / "run")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    """Compile the exact test's loops once, in the controlling process, when numba's cache does not hold them yet.

    ``make env`` leaves them cached (``python -m analysis warm-up``); this covers an edit of
    ``analysis/stats/_fisher_kernels.py`` since, so that the test workers load the loops instead of
    each compiling them. Runs before pytest's own hook, which reads ``--basetemp``
    (:func:`_temporary_folders_in_memory`).
    """
    if hasattr(config, "workerinput"):
        return
    _temporary_folders_in_memory(config)
    from analysis.stats.fisher_network import kernels_cached, warm_up

    if not kernels_cached():
        warm_up()
    _share_slow_results(config)


def _share_slow_results(config) -> None:
    """One folder of slow results for the whole run (:func:`analysis.memo.one_run`): the workers, the child processes and the kernels inherit it.

    Entered by the controlling process before the workers start and left when the run ends
    (:func:`pytest_unconfigure`), so a result is computed once per run by this run's code. Tests of
    determinism compute without it (the ``fresh_computation`` fixture).
    """
    import contextlib

    from analysis.memo import one_run

    config._memo_run = contextlib.ExitStack()
    config._memo_run.enter_context(one_run())


def pytest_unconfigure(config):
    run = getattr(config, "_memo_run", None)
    if run is not None:
        run.close()
    memory = getattr(config, "_memory_folder", None)
    if memory is not None:
        shutil.rmtree(memory, ignore_errors=True)


@pytest.fixture
def fresh_computation(monkeypatch) -> None:
    """Every slow result computed afresh in this test (and the child processes it starts): for tests that a result repeats itself."""
    from analysis.memo import ENV

    monkeypatch.delenv(ENV, raising=False)


# --------------------------------------------------------------------------- unit tests stay pure

#: Where the pure tests live: no child process, no copy of data/raw, no notebook run (issue 29, item 6).
UNIT_DIR = Path(__file__).parent / "unit"


class ImpureUnitTest(AssertionError):
    """A test under tests/unit/ started a child process, copied data/raw or ran a notebook."""


def _is_unit(item) -> bool:
    return Path(str(item.path)).is_relative_to(UNIT_DIR)


def _forbid(what: str):
    def refuse(*args, **kwargs):
        raise ImpureUnitTest(
            f"a unit test may not {what}: move the test to tests/packages/, tests/gates/, tests/golden/, tests/notebooks/ or tests/site/"
        )

    return refuse


def _guarded_copy(original, what: str):
    """``original`` (a shutil copy function), refusing a source inside data/raw."""

    def copy(src, *args, **kwargs):
        if Path(src).resolve().is_relative_to(RAW_DIR.resolve()):
            _forbid(what)()
        return original(src, *args, **kwargs)

    return copy


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    with _purity(item):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    with _purity(item):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    with _purity(item):
        yield


def _purity(item):
    """While a test under tests/unit/ (and its fixtures) runs: child processes, copies of data/raw and notebook runs raise ImpureUnitTest."""
    import contextlib
    import subprocess
    import sys

    stack = contextlib.ExitStack()
    if not _is_unit(item):
        return stack
    patch = pytest.MonkeyPatch()
    stack.callback(patch.undo)
    patch.setattr(subprocess.Popen, "__init__", _forbid("start a child process"))
    for name in ("system", "posix_spawn", "posix_spawnp", "fork", "forkpty", "execv", "execve", "execvp", "execvpe"):
        if hasattr(os, name):
            patch.setattr(os, name, _forbid("start a child process"))
    for name in ("copytree", "copy", "copy2", "copyfile"):
        patch.setattr(shutil, name, _guarded_copy(getattr(shutil, name), "copy data/raw"))
    nbclient = sys.modules.get("nbclient")  # not imported here (it costs seconds); a kernel it would start is a child process anyway
    if nbclient is not None:
        patch.setattr(nbclient.NotebookClient, "execute", _forbid("run a notebook"))
        patch.setattr(nbclient.NotebookClient, "async_execute", _forbid("run a notebook"))
    return stack


# --------------------------------------------------------------------------- messages on stderr

#: A stage's progress line (:func:`analysis.log.step`): ``name: 0.41 s``.
_STAGE_LINE = re.compile(r"^[^:]+: \d+(\.\d+)? s$")


def messages(err: str) -> list[str]:
    """The lines of ``err`` that are messages, not the stages' progress lines (``load: 0.41 s``, which ``-q`` silences)."""
    return [line for line in err.splitlines() if not _STAGE_LINE.match(line)]
