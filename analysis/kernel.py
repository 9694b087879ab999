"""The project's Jupyter kernel: ipykernel's ``python3`` kernelspec, started with CurveZMQ transport encryption.

ipykernel 7 warns "Kernel is running over TCP without encryption" whenever a kernel is started
over TCP without CurveZMQ keys. jupyter_client can provision those keys itself
(``KernelManager.transport_encryption``), but only a client that is configured to ask for them
does so, and Quarto starts its kernels with an unconfigured ``nbclient.NotebookClient``
(``src/resources/jupyter/notebook.py`` in quarto-cli: ``NotebookClient(nb, resources=...)``, no
``config``), so no Jupyter configuration file reaches it. What every client does read is the
kernelspec. So the project installs its own ``python3`` kernelspec into the environment
(:func:`install_kernelspec`, run by ``make env``): ipykernel's own kernel.json, unchanged except
that it names a kernel provisioner, :class:`EncryptedLocalProvisioner` (registered in
``pyproject.toml`` under ``jupyter_client.kernel_provisioners``), which asks jupyter_client for
CurveZMQ keys before the kernel starts. Every client of this environment (``python -m analysis
run-notebooks``, nbval, Quarto, JupyterLab) then talks to an encrypted kernel, and the kernel
has nothing to warn about. The display name stays "Python 3 (ipykernel)", which JupyterLab writes
into a notebook's metadata (:func:`notebook_kernelspec`).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

#: The kernel's name: notebooks and the ``.qmd`` pages ask for it (``jupyter: python3``).
KERNEL_NAME = "python3"

#: Entry-point name of :class:`EncryptedLocalProvisioner` (``pyproject.toml``).
PROVISIONER_NAME = "gwent-ncpi-curve"


class EncryptedLocalProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, asking for CurveZMQ transport encryption unless the caller chose otherwise.

    The policy ``"auto"`` makes jupyter_client generate a CurveZMQ key pair for each kernel it
    starts (the kernelspec declares ``supported_encryption: ["curve"]``), write it into the
    connection file and use it for every socket it opens to the kernel. A client that passes
    ``transport_encryption`` itself keeps its own choice.
    """

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        import zmq

        if zmq.has("curve"):
            kwargs.setdefault("transport_encryption", "auto")
        return await super().pre_launch(**kwargs)


def kernelspec_dict() -> dict[str, Any]:
    """The project's ``kernel.json``: ipykernel's own, with the interpreter left as ``python`` and :data:`PROVISIONER_NAME` named.

    ``python`` as the first argument is what ipykernel's wheel installs: jupyter_client replaces it
    with the interpreter that starts the kernel, so the file holds no machine path.
    """
    from ipykernel.kernelspec import get_kernel_dict

    spec = get_kernel_dict()
    spec["argv"] = ["python", *spec["argv"][1:]]
    spec["metadata"] = {**spec.get("metadata", {}), "kernel_provisioner": {"provisioner_name": PROVISIONER_NAME, "config": {}}}
    return spec


def kernelspec_dir(prefix: str | Path | None = None) -> Path:
    """Where the environment's ``python3`` kernelspec lives: ``<prefix>/share/jupyter/kernels/python3``."""
    return Path(prefix if prefix is not None else sys.prefix) / "share" / "jupyter" / "kernels" / KERNEL_NAME


def install_kernelspec(prefix: str | Path | None = None) -> Path:
    """Write :func:`kernelspec_dict` as the ``python3`` kernelspec of the environment at ``prefix`` (default: this one).

    Replaces the kernel.json that ipykernel's wheel installed there (its logos are kept, or copied
    from ipykernel when missing). Writing the same content twice changes nothing. Returns the
    kernel.json path.
    """
    from ipykernel.kernelspec import RESOURCES

    folder = kernelspec_dir(prefix)
    folder.mkdir(parents=True, exist_ok=True)
    for logo in Path(RESOURCES).iterdir():
        if not (folder / logo.name).exists():
            shutil.copy(logo, folder / logo.name)
    path = folder / "kernel.json"
    text = json.dumps(kernelspec_dict(), indent=1) + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def installed_kernelspec():
    """The ``python3`` kernelspec that Jupyter finds from this environment (a :class:`jupyter_client.kernelspec.KernelSpec`)."""
    from jupyter_client.kernelspec import KernelSpecManager

    return KernelSpecManager().get_kernel_spec(KERNEL_NAME)


def notebook_kernelspec() -> dict[str, str]:
    """The ``metadata.kernelspec`` JupyterLab writes into a notebook run on the project's kernel: name, display name, language."""
    spec = installed_kernelspec()
    return {"display_name": spec.display_name, "language": spec.language, "name": KERNEL_NAME}
