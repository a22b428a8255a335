"""Run core jobs off the GUI thread and turn their callbacks into signals.

A core job is ``fn(*args, progress=..., should_stop=..., **kwargs)``. A
:class:`JobWorker` runs it on a QThread; it never touches a widget. Errors
cross back as sentences, never tracebacks. :class:`JobSlot` keeps one job of
a kind alive: starting a new one cancels the one it replaces.

Closing the window stops every job cooperatively. A job that cannot stop at
once (a big backbone being built, a model being loaded) is *detached*: it
runs on unseen, held here so Qt never destroys its running thread, and
:func:`leave` ends the process without waiting for it.
"""
from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time

from PySide6.QtCore import QObject, QThread, Signal

from core.base import faults, logs
from core.base.jobs import Cancelled

log = logging.getLogger(__name__)

SHUTDOWN_WAIT_MS = 1000  # how long a closing slot waits for its jobs to stop
_detached: set = set()   # jobs still running after their slot shut down (see leave)


def background_priority(niceness: int = 10) -> None:
    """Let the GUI thread win the CPU over the calling (worker) thread.

    On Linux a thread has its own nice value, and threads it starts inherit
    it (a decode pool, a capture thread). Elsewhere this does nothing.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)


class JobWorker(QThread):
    """One run of one core job. Signals carry plain Python values.

    The job's callbacks fire on the worker thread; each is relayed to the
    public signals on the GUI thread, at delivery time, only while the worker
    is not :meth:`retire`-d. So a job replaced by a newer one never reaches a
    view, even with results already on their way, and no view needs a guard.
    ``ended`` follows succeeded / failed / cancelled once the thread is done.
    """

    progressed = Signal(float, str)
    partial = Signal(object)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    ended = Signal()

    # Emitted on the worker thread; delivered to the relay slots on the GUI thread.
    _raw_progress = Signal(float, str)
    _raw_partial = Signal(object)
    _raw_outcome = Signal(str, object)

    def __init__(self, fn, *args, partial_kw: str | None = None, **kwargs):
        super().__init__()
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self._partial_kw = partial_kw
        self._stop = threading.Event()
        self._retired = False
        self._last_emit = 0.0
        self._raw_progress.connect(self._relay_progress)
        self._raw_partial.connect(self._relay_partial)
        self._raw_outcome.connect(self._relay_outcome)
        self.finished.connect(self._relay_finished)

    def stop(self) -> None:
        """Ask the job to stop; it still reports how it ended (``cancelled``)."""
        self._stop.set()

    def retire(self) -> None:
        """Stop the job and silence it: nothing it emits from now on reaches a view."""
        self._retired = True
        self._stop.set()

    def is_retired(self) -> bool:
        return self._retired

    def should_stop(self) -> bool:
        return self._stop.is_set()

    def _progress(self, fraction: float, message: str) -> None:
        now = time.monotonic()  # at most ~30 updates a second reach the GUI
        if fraction >= 1.0 or now - self._last_emit > 0.033:
            self._last_emit = now
            self._raw_progress.emit(float(fraction), message)

    def run(self) -> None:
        background_priority()
        kwargs = dict(self._kwargs, progress=self._progress, should_stop=self.should_stop)
        if self._partial_kw:
            kwargs[self._partial_kw] = self._raw_partial.emit
        try:
            result = self._fn(*self._args, **kwargs)
        except Cancelled:
            self._raw_outcome.emit("cancelled", None)
        except Exception as exc:  # every failure reaches the user as a sentence
            logs.log_failure(log, exc, f"job {getattr(self._fn, '__name__', self._fn)} failed")
            # The sentence to show (core.base.faults words a full disk), and whether
            # the window should also put it in a message box.
            self._raw_outcome.emit("failed", (faults.sentence(exc), faults.is_disk_fault(exc)))
        else:
            self._raw_outcome.emit("succeeded", result)

    # --- relays, on the GUI thread ------------------------------------------
    def _relay_progress(self, fraction: float, message: str) -> None:
        if not self._retired:
            self.progressed.emit(fraction, message)

    def _relay_partial(self, value) -> None:
        if not self._retired:
            self.partial.emit(value)

    def _relay_outcome(self, outcome: str, value) -> None:
        if self._retired:
            return
        if outcome == "succeeded":
            self.succeeded.emit(value)
        elif outcome == "failed":
            sentence, disk_fault = value
            self.failed.emit(sentence)
            if disk_fault:  # the window shows it in a message box too
                from .fault_box import report

                report(sentence)
        else:
            self.cancelled.emit()

    def _relay_finished(self) -> None:
        if not self._retired:
            self.ended.emit()


class JobSlot(QObject):
    """Holds at most one job; starting a new one retires the one it replaces.

    :meth:`cancel` asks the current job to stop and lets it report that it
    did (a cancelled folder run keeps its rows); :meth:`start` retires the
    previous job, so only the newest job's progress, partial results and
    outcome ever reach the view.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.worker: JobWorker | None = None
        self._running: list[JobWorker] = []

    def start(self, worker: JobWorker) -> JobWorker:
        if self.worker is not None:
            self.worker.retire()
        self.worker = worker
        self._running.append(worker)  # kept alive until its thread ends
        worker.finished.connect(lambda w=worker: self._forget(w))
        worker.start()
        return worker

    def cancel(self) -> None:
        """Ask the current job to stop; it reports ``cancelled`` when it has."""
        if self.worker is not None:
            self.worker.stop()

    def retire(self) -> None:
        """Stop the current job without hearing from it again (closing a view)."""
        if self.worker is not None:
            self.worker.retire()
        self.worker = None

    def shutdown(self, ms: int = SHUTDOWN_WAIT_MS) -> bool:
        """Retire the current job and give every job of this slot ``ms`` to end.

        One still running then is detached (see the module's docstring); returns
        whether every job had ended.
        """
        self.retire()
        if self.wait(ms):
            return True
        for worker in self._running:
            if worker.isRunning():
                _detached.add(worker)
                worker.finished.connect(lambda w=worker: _detached.discard(w))
        return False

    def is_busy(self) -> bool:
        return self.worker is not None and self.worker.isRunning()

    def wait(self, ms: int = 10000) -> bool:
        """Block until every job of this slot has ended (used on close and in tests)."""
        return all(w.wait(ms) for w in list(self._running))

    def _forget(self, worker: JobWorker) -> None:
        if worker in self._running:
            self._running.remove(worker)


def threads_left() -> bool:
    """Whether a detached job or another Python thread (an import in the
    background) still runs."""
    if any(worker.isRunning() for worker in list(_detached)):
        return True
    return any(t.is_alive() for t in threading.enumerate()
               if t is not threading.main_thread() and not isinstance(t, threading._DummyThread))


def leave(code: int) -> int:
    """``code`` once the event loop has ended; with threads still running (a job
    that could not stop), the process ends here at once, with ``code``: Python's
    own exit would wait for them, or destroy a running QThread (an abort). What
    the app writes is written atomically, so nothing is left half-written."""
    if not threads_left():
        return code
    log.info("leaving with a job still running (it could not stop at once)")
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)
