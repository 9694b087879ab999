"""Stages that say what they are doing: one line per stage with its time on stderr, through the standard :mod:`logging` module.

The long commands (``process``, ``report``, ``panel``) wrap each stage in :func:`step`, which names
the stage for the time limit (:func:`analysis.wall.stage`) and, when it ends, logs one line such as
``load: 0.41 s`` on the ``analysis`` logger. Nothing is shown until :func:`configure` attaches a
handler (the command line does; ``-q`` leaves it silent), so notebooks and the site, which call the
same code, print nothing. On an interactive terminal the handler also shows the stage that is
running as a status line, overwritten when the stage ends. Only stderr is ever written: nothing of
it reaches a published file.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Iterator
from typing import TextIO

from analysis.wall import stage as entering

#: The project's logger; every stage line goes through it.
LOGGER = logging.getLogger("analysis")


class StageHandler(logging.StreamHandler):
    """Writes each record as one line; on a terminal, first clears the status line of the stage that is running."""

    def __init__(self, stream: TextIO):
        super().__init__(stream)
        self.interactive = bool(getattr(stream, "isatty", lambda: False)())
        self.setFormatter(logging.Formatter("%(message)s"))

    def status(self, text: str) -> None:
        """Show ``text`` as the line of the stage now running (terminal only; replaced by the next line)."""
        if self.interactive:
            self.stream.write(f"\r\x1b[K{text}")
            self.flush()

    def emit(self, record: logging.LogRecord) -> None:
        if self.interactive:
            self.stream.write("\r\x1b[K")
        super().emit(record)


def reset() -> None:
    """Detach what :func:`configure` attached: the ``analysis`` logger is silent again, as it is on import."""
    for old in [h for h in LOGGER.handlers if isinstance(h, (StageHandler, logging.NullHandler))]:
        LOGGER.removeHandler(old)
    LOGGER.setLevel(logging.NOTSET)
    LOGGER.propagate = True


def configure(quiet: bool = False, stream: TextIO | None = None) -> logging.Handler | None:
    """Show stage lines on ``stream`` (default: stderr), or nothing with ``quiet``; return the handler attached (None when quiet).

    Replaces what an earlier call attached (:func:`reset`), so calling it twice does not double the lines.
    """
    reset()
    LOGGER.propagate = False
    if quiet:
        LOGGER.addHandler(logging.NullHandler())
        LOGGER.setLevel(logging.WARNING)
        return None
    handler = StageHandler(stream if stream is not None else sys.stderr)
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)
    return handler


def _status(text: str) -> None:
    for handler in LOGGER.handlers:
        if isinstance(handler, StageHandler) and LOGGER.isEnabledFor(logging.INFO):
            handler.status(text)


def seconds_text(seconds: float) -> str:
    """A duration for a stage line: ``0.41 s``, ``12.3 s`` (two significant figures under ten seconds, one decimal above)."""
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


@contextlib.contextmanager
def step(name: str) -> Iterator[None]:
    """Run the block as the stage ``name``: named for the time limit, then one line ``name: <seconds>`` on the ``analysis`` logger.

    A stage that raises logs nothing (the command's one error line says what went wrong).
    """
    _status(f"{name} ...")
    start = time.perf_counter()
    try:
        with entering(name):
            yield
    except BaseException:
        _status("")  # the error line that follows starts on a clean line
        raise
    LOGGER.info("%s: %s", name, seconds_text(time.perf_counter() - start))
