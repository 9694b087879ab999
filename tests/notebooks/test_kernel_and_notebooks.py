"""The project's Jupyter kernel starts without the TCP warning, notebooks store what JupyterLab writes, and re-runs are skipped when nothing changed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from analysis import kernel
from analysis.data.errors import PublishError
from analysis.data.paths import NOTEBOOKS_DIR, PROJ_ROOT
from analysis.notebooks import executed_on, inputs_digest, is_current, notebook_paths, run_notebooks

WARNING = "without encryption"

PROBE = "from ipykernel.kernelapp import IPKernelApp\napp = IPKernelApp.instance()\nprint(app.transport, app.curve_secretkey is not None)"

#: How Quarto starts a kernel (quarto-cli, src/resources/jupyter/notebook.py, notebook_init): an
#: nbclient NotebookClient with no configuration, the kernel named by the notebook's metadata.
QUARTO_LIKE = r"""
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
client = NotebookClient(nb, resources={"metadata": {"path": "."}})
client.allow_errors = False
client.record_timing = False
client.create_kernel_manager()
client.start_new_kernel()
client.start_new_kernel_client()
client.execute()
print(nb.cells[0].outputs[0]["text"].strip())
"""


def probe_notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(PROBE)]
    nbformat.write(nb, path)
    return path


def test_the_installed_python3_kernelspec_is_the_projects():
    spec = kernel.installed_kernelspec()
    assert spec.metadata["kernel_provisioner"]["provisioner_name"] == kernel.PROVISIONER_NAME
    assert "curve" in spec.metadata["supported_encryption"]
    assert spec.argv[0] == "python", "no machine path in the kernelspec"
    assert json.loads((kernel.kernelspec_dir() / "kernel.json").read_text()) == kernel.kernelspec_dict()


def test_the_provisioner_is_registered_under_its_name():
    from jupyter_client.provisioning import KernelProvisionerFactory

    factory = KernelProvisionerFactory.instance()
    assert factory._check_availability(kernel.PROVISIONER_NAME)
    assert factory.provisioners[kernel.PROVISIONER_NAME].load() is kernel.EncryptedLocalProvisioner


def test_install_kernelspec_writes_the_spec_once(tmp_path):
    path = kernel.install_kernelspec(prefix=tmp_path)
    assert path == tmp_path / "share" / "jupyter" / "kernels" / "python3" / "kernel.json"
    first = path.stat().st_mtime_ns
    kernel.install_kernelspec(prefix=tmp_path)
    assert path.stat().st_mtime_ns == first
    assert (path.parent / "logo-64x64.png").is_file()


def test_run_notebooks_starts_an_encrypted_kernel_and_prints_no_warning(tmp_path):
    nb = probe_notebook(tmp_path / "probe.ipynb")
    proc = subprocess.run([sys.executable, "-m", "analysis", "run-notebooks", str(nb)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert WARNING not in proc.stderr and "WARNING" not in proc.stderr, proc.stderr
    out = nbformat.read(nb, as_version=4).cells[0].outputs[0]["text"]
    assert out.strip() == "tcp True", "the kernel holds CurveZMQ keys"


def test_a_kernel_started_as_quarto_starts_it_is_encrypted_and_silent(tmp_path):
    nb = probe_notebook(tmp_path / "probe.ipynb")
    script = tmp_path / "quarto_like.py"
    script.write_text(QUARTO_LIKE)
    proc = subprocess.run([sys.executable, str(script), str(nb)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert WARNING not in proc.stderr and "WARNING" not in proc.stderr, proc.stderr
    assert proc.stdout.strip() == "tcp True"


def test_without_the_projects_kernelspec_the_warning_appears(tmp_path):
    """The check above can fail: ipykernel's own kernelspec (no provisioner) still warns."""
    from ipykernel.kernelspec import get_kernel_dict

    plain = tmp_path / "jupyter" / "kernels" / "python3"
    plain.mkdir(parents=True)
    (plain / "kernel.json").write_text(json.dumps(get_kernel_dict()))
    nb = probe_notebook(tmp_path / "probe.ipynb")
    script = tmp_path / "quarto_like.py"
    script.write_text(QUARTO_LIKE)
    env = {**__import__("os").environ, "JUPYTER_PATH": str(tmp_path / "jupyter")}
    proc = subprocess.run([sys.executable, str(script), str(nb)], cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    assert WARNING in proc.stderr
    assert proc.stdout.strip() == "tcp False"


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_notebook_metadata_is_what_jupyterlab_writes(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"] == kernel.notebook_kernelspec()
    assert nb["metadata"]["kernelspec"]["display_name"] == "Python 3 (ipykernel)"
    # JupyterLab saves with nbformat: one-space indent, sorted keys, a final newline
    assert path.read_text(encoding="utf-8") == nbformat.writes(nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)) + "\n"


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_notebook_opens_on_a_markdown_title_not_a_raw_cell(path):
    nb = nbformat.read(path, as_version=4)
    assert all(c.cell_type != "raw" for c in nb.cells), "no raw cell shown to analysts"
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    # Quarto takes a first level-1 heading with nothing before it as the page title
    # (src/core/jupyter/jupyter-fixups.ts, fixupFrontMatter); only one such heading per notebook
    assert sum(line.startswith("# ") for c in nb.cells if c.cell_type == "markdown" for line in c.source.splitlines()) == 1


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_notebook_links_resolve_from_the_notebooks_folder(path):
    """JupyterLab (make lab serves the project folder) opens a relative link from the notebook's folder; Quarto rewrites .qmd to .html."""
    import re

    nb = nbformat.read(path, as_version=4)
    texts = [c.source for c in nb.cells if c.cell_type == "markdown"]
    texts += ["".join(o.get("data", {}).get("text/markdown", "")) for c in nb.cells for o in c.get("outputs", [])]
    links = [m for t in texts for m in re.findall(r"\]\(([^)\s]+)\)", t) if not re.match(r"^[a-z]+:", m)]
    assert links, "the notebook links to the glossary or the Reproduce page"
    missing = [link for link in links if not (NOTEBOOKS_DIR / link.split("#")[0]).resolve().is_file()]
    assert not missing, missing
    assert all((NOTEBOOKS_DIR / link.split("#")[0]).resolve().is_relative_to(PROJ_ROOT) for link in links)


def test_re_runs_are_skipped_until_something_changes(tmp_path):
    nb = probe_notebook(tmp_path / "probe.ipynb")
    stamps = tmp_path / "stamps"
    digest = inputs_digest(nb)
    assert not is_current(nb, digest, stamps)
    assert run_notebooks([nb], only_changed=True, stamp_dir=stamps) == [nb.resolve()]
    assert is_current(nb, digest, stamps)
    assert run_notebooks([nb], only_changed=True, stamp_dir=stamps) == []
    # a change to the notebook, or to what it depends on, makes it run again
    assert not is_current(nb, "another digest", stamps)
    text = json.loads(nb.read_text())
    text["cells"][0]["source"] = PROBE + "\n"
    nb.write_text(json.dumps(text))
    assert run_notebooks([nb], only_changed=True, stamp_dir=stamps) == [nb.resolve()]


def test_inputs_digest_follows_file_contents(tmp_path):
    nb = probe_notebook(tmp_path / "probe.ipynb")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.py").write_text("1")
    first = inputs_digest(nb, data=[tmp_path / "a"])
    assert inputs_digest(nb, data=[tmp_path / "a"]) == first
    (tmp_path / "a" / "x.py").write_text("2")
    assert inputs_digest(nb, data=[tmp_path / "a"]) != first


def test_an_executed_notebook_records_the_inputs_it_was_executed_on(tmp_path):
    nb = probe_notebook(tmp_path / "probe.ipynb")
    assert executed_on(nb) is None
    run_notebooks([nb], stamp_dir=tmp_path / "stamps")
    assert executed_on(nb) == inputs_digest(nb)


def test_a_failing_cell_is_named_in_one_line_and_the_notebook_is_left_unchanged(tmp_path):
    nb = probe_notebook(tmp_path / "probe.ipynb")
    text = json.loads(nb.read_text())
    text["cells"][0]["source"] = "raise ValueError('made up for the test')\n"
    nb.write_text(json.dumps(text))
    before = nb.read_bytes()
    with pytest.raises(PublishError, match=r"probe.ipynb: cell 1 failed: ValueError: made up for the test"):
        run_notebooks([nb], stamp_dir=tmp_path / "stamps")
    assert nb.read_bytes() == before


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_committed_notebook_was_executed_on_the_current_inputs(path):
    """After a change to what a notebook shows (the code of a module it imports, the data, requirements.txt), make notebooks re-executes it and it is committed with it."""
    assert executed_on(path) == inputs_digest(path), f"{path.name} was executed on other inputs: run make notebooks and commit it"


def test_notebooks_in_a_shared_kernel_each_start_a_fresh_session(tmp_path):
    """``report``'s shared kernel: a name defined by one notebook is gone in the next, and each counts its cells from 1."""
    from analysis.notebooks import execute, shared_kernel

    first, second = nbformat.v4.new_notebook(), nbformat.v4.new_notebook()
    first.cells = [nbformat.v4.new_code_cell("import os\nleft_behind = os.getpid()"), nbformat.v4.new_code_cell("left_behind")]
    second.cells = [
        nbformat.v4.new_code_cell("'left_behind' in dir()"),
        nbformat.v4.new_code_cell("import os\nos.getpid()"),
    ]
    with shared_kernel() as kernel:
        execute(first, tmp_path, kernel=kernel)
        execute(second, tmp_path, kernel=kernel)
        assert kernel.km.has_kernel
    assert not kernel.km.has_kernel, "the kernel outlived its block"
    assert [c.execution_count for c in first.cells] == [c.execution_count for c in second.cells] == [1, 2]
    assert second.cells[0].outputs[0]["data"]["text/plain"] == "False"
    pid = first.cells[1].outputs[0]["data"]["text/plain"]
    assert second.cells[1].outputs[0]["data"]["text/plain"] == pid, "the second notebook ran in another kernel"


def test_a_kept_kernel_serves_runs_from_other_folders_with_their_own_environment(tmp_path, monkeypatch):
    """While a kept kernel is serving, it is every shared kernel; each notebook runs in its own folder, with this process's
    package and processed-set variables as they are when it runs (set, changed or unset), and the kernel is shut down at the end."""
    from analysis.data.paths import PROCESSED_ENV, RAW_ENV
    from analysis.notebooks import execute, keep_kernel, shared_kernel

    def probe() -> nbformat.NotebookNode:
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_code_cell(
                f"import os\n(os.getcwd(), os.environ.get({RAW_ENV!r}), os.environ.get({PROCESSED_ENV!r}), os.getpid(), sorted(dir()))"
            )
        ]
        return nb

    seen = []
    with keep_kernel() as keeper:
        for i, raw in enumerate(["first-package", "second-package", None]):
            folder = tmp_path / f"report{i}"
            folder.mkdir()
            if raw is None:
                monkeypatch.delenv(RAW_ENV, raising=False)
            else:
                monkeypatch.setenv(RAW_ENV, raw)
            monkeypatch.setenv(PROCESSED_ENV, f"processed-{i}")
            with keeper.serving(), shared_kernel() as kernel:
                nb = probe()
                execute(nb, folder, kernel=kernel)
                seen.append(eval(nb.cells[0].outputs[0]["data"]["text/plain"]))
        kept = kernel
        assert kept.km.has_kernel, "a kept kernel was shut down at the end of one report"
        with shared_kernel() as other:
            assert other is not kept, "outside serving() a shared kernel is the kept one"
    assert not kept.km.has_kernel, "the kept kernel outlived its block"
    assert [s[:3] for s in seen] == [
        (str((tmp_path / f"report{i}").resolve()), raw, f"processed-{i}") for i, raw in enumerate(["first-package", "second-package", None])
    ]
    assert len({s[3] for s in seen}) == 1, "the reports ran in different kernels"
    assert all(not [n for n in s[4] if n.startswith("_session")] for s in seen), "the session code left its names in the notebook"


def test_a_failing_cell_in_a_shared_kernel_is_named_and_the_kernel_is_shut_down(tmp_path):
    from analysis.notebooks import execute, shared_kernel

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("1 / 0")]
    with pytest.raises(PublishError, match=r"copy\.ipynb: cell 1 failed: ZeroDivisionError"), shared_kernel() as kernel:
        execute(nb, tmp_path, shown="copy.ipynb", kernel=kernel)
    assert not kernel.km.has_kernel
