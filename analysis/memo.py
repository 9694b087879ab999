"""Results of the slowest pure computations, shared on disk by every process of one run when the run asks for it.

A test run computes Gwent's practice-area tables (the hierarchical rank posterior, the sample-mix
integer programmes) in many processes: the test workers, ``process`` in child processes, the
notebooks' kernels; a ``report`` computes them in ``process`` and again in two notebooks. With
:data:`ENV` naming a folder, :func:`memoised` keeps each result there, keyed by the function and the
exact bytes of its arguments, and every process of the run reads it instead of computing it again.
``report`` (:func:`one_run`) and the test suite set it; without it (``process``, the notebooks, the
site) nothing is kept and every call computes.

The folder is meant to live as long as one run (the test suite makes a fresh one per run and
removes it at the end; tests of determinism unset it), so a result never outlives the code
that computed it. Writes are atomic (a unique temporary name, then a rename), so processes that
compute the same result at once each write whole files and any of them may be read.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

#: The environment variable naming the run's folder of results (unset: nothing is kept).
ENV = "ANALYSIS_RUN_MEMO"

F = TypeVar("F", bound=Callable[..., Any])


def _key(func: Callable[..., Any], args: tuple, kwargs: dict) -> str:
    """A digest of the function's name and its arguments' pickled bytes (arrays by dtype, shape and values)."""
    blob = pickle.dumps((func.__module__, func.__qualname__, args, sorted(kwargs.items())), protocol=5)
    return hashlib.sha256(blob).hexdigest()


def memoised(func: F) -> F:
    """``func`` reading and writing its results in the folder :data:`ENV` names, when it names one; ``func`` itself otherwise.

    For pure functions of picklable arguments (numbers, tuples, numpy arrays, frozen dataclasses of them).
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        folder = os.environ.get(ENV)
        if not folder:
            return func(*args, **kwargs)
        path = Path(folder) / f"{func.__name__}-{_key(func, args, kwargs)}.pickle"
        try:
            return pickle.loads(path.read_bytes())
        except FileNotFoundError:
            pass
        except Exception:  # a torn or unreadable file: computed again and replaced below
            pass
        result = func(*args, **kwargs)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(result, protocol=5))
        os.replace(tmp, path)
        return result

    return wrapper  # type: ignore[return-value]


@contextlib.contextmanager
def one_run() -> Iterator[None]:
    """Within the block, this process, its child processes and its kernels share one new folder of results, removed at the end.

    A folder :data:`ENV` already names (the test suite's) is used as it is and kept.
    """
    if os.environ.get(ENV):
        yield
        return
    folder = tempfile.mkdtemp(prefix="analysis-memo-")
    os.environ[ENV] = folder
    try:
        yield
    finally:
        os.environ.pop(ENV, None)
        shutil.rmtree(folder, ignore_errors=True)
