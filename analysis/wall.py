"""A hard wall on the time ``process`` may compute: past it, the stage still running stops with one line naming it, and nothing is published.

Every costly step counts its work before it starts (:mod:`analysis.stats.budget`), so the wall
should never be met; it is there so that no package of any shape runs without end. The pipeline
names each stage as it enters it (:func:`stage`); :func:`wall` arms a timer for the whole
computation (load and build, not the publishing, which is short and atomic). The timer raises
:class:`TimeLimitExceeded` in the main thread at the next Python instruction; should a compiled
routine keep the interpreter busy past a grace period, a watchdog thread prints the same line and
ends the process (nothing has been written by then: publishing starts only after the wall is lifted).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator

#: Default of ``--max-seconds``.
DEFAULT_SECONDS = 120.0

#: Seconds the watchdog waits past the wall for the main thread to stop by itself.
GRACE_SECONDS = 10.0

_current = ["loading the audit package"]


class TimeLimitExceeded(BaseException):
    """The computation ran past ``seconds`` while in stage ``stage``."""

    def __init__(self, stage: str, seconds: float):
        self.stage, self.seconds = stage, seconds
        super().__init__(
            f"stage {stage!r} was still running after {seconds:g} seconds, the limit set by --max-seconds; nothing was published "
            "(raise --max-seconds, or narrow the figures)"
        )


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    """Name the stage that runs inside the block (the wall's message names it)."""
    before = _current[0]
    _current[0] = name
    try:
        yield
    finally:
        _current[0] = before


@contextlib.contextmanager
def wall(seconds: float | None) -> Iterator[None]:
    """Raise :class:`TimeLimitExceeded` if the block runs longer than ``seconds`` (None: no wall; only in the main thread)."""
    if seconds is None or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    if seconds <= 0:
        raise ValueError("the time limit must be positive")

    def stop(signum, frame):
        raise TimeLimitExceeded(_current[0], seconds)

    def last_resort() -> None:
        print(f"error: {TimeLimitExceeded(_current[0], seconds)}", file=sys.stderr, flush=True)
        os._exit(1)

    watchdog = threading.Timer(seconds + GRACE_SECONDS, last_resort)
    watchdog.daemon = True
    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    watchdog.start()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        watchdog.cancel()
        signal.signal(signal.SIGALRM, previous)
