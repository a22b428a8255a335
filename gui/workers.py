"""Run core jobs off the GUI thread and turn their callbacks into signals.

A core job is ``fn(*args, progress=..., should_stop=..., **kwargs)``. A
:class:`JobWorker` runs it on a QThread; it never touches a widget. Errors
cross back as sentences, never tracebacks. :class:`JobSlot` keeps one job of
a kind alive: starting a new one cancels the one it replaces.
"""
from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time

from PySide6.QtCore import QObject, QThread, Signal

from core.jobs import Cancelled

log = logging.getLogger(__name__)


def background_priority(niceness: int = 10) -> None:
    """Let the GUI thread win the CPU over the calling (worker) thread.

    On Linux a thread has its own nice value, and threads it starts inherit
    it (a decode pool, a capture thread). Elsewhere this does nothing.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)


def user_message(exc: BaseException) -> str:
    """The sentence to show for an error from core."""
    text = str(exc).strip().strip("'\"")
    return text or f"Something went wrong ({type(exc).__name__})."


class JobWorker(QThread):
    """One run of one core job. Signals carry plain Python values."""

    progressed = Signal(float, str)
    partial = Signal(object)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, fn, *args, partial_kw: str | None = None, **kwargs):
        super().__init__()
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self._partial_kw = partial_kw
        self._stop = threading.Event()
        self._last_emit = 0.0

    def stop(self) -> None:
        self._stop.set()

    def should_stop(self) -> bool:
        return self._stop.is_set()

    def _progress(self, fraction: float, message: str) -> None:
        now = time.monotonic()  # at most ~30 updates a second reach the GUI
        if fraction >= 1.0 or now - self._last_emit > 0.033:
            self._last_emit = now
            self.progressed.emit(float(fraction), message)

    def run(self) -> None:
        background_priority()
        kwargs = dict(self._kwargs, progress=self._progress, should_stop=self.should_stop)
        if self._partial_kw:
            kwargs[self._partial_kw] = self.partial.emit
        try:
            result = self._fn(*self._args, **kwargs)
        except Cancelled:
            self.cancelled.emit()
        except Exception as exc:  # every failure reaches the user as a sentence
            log.exception("job %s failed", getattr(self._fn, "__name__", self._fn))
            self.failed.emit(user_message(exc))
        else:
            self.succeeded.emit(result)


class JobSlot(QObject):
    """Holds at most one running job; a new one cancels the one it replaces."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.worker: JobWorker | None = None
        self._retired: list[JobWorker] = []

    def start(self, worker: JobWorker) -> JobWorker:
        self.cancel()
        self.worker = worker
        worker.finished.connect(lambda w=worker: self._forget(w))
        worker.start()
        return worker

    def cancel(self) -> None:
        if self.worker is not None and self.worker.isRunning():
            self.worker.stop()
            self._retired.append(self.worker)  # keep it alive until it ends
        self.worker = None

    def is_busy(self) -> bool:
        return self.worker is not None and self.worker.isRunning()

    def wait(self, ms: int = 10000) -> bool:
        """Block until every job of this slot has ended (used on close and in tests)."""
        workers = [w for w in [self.worker, *self._retired] if w is not None]
        return all(w.wait(ms) for w in workers)

    def _forget(self, worker: JobWorker) -> None:
        if worker in self._retired:
            self._retired.remove(worker)
        if worker is self.worker:
            self.worker = None
