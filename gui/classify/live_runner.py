"""One camera or video classified frame by frame: the loop the Live panel and
Teach's Try it share.

core.classify.camera.classify_live runs in a worker (capture and inference off
the GUI thread, the newest frame wins). :class:`LiveRunner` hands on only the
answers of the model its :class:`~core.classify.camera.LiveSettings` name now,
and says in one sentence how the source ended. The views show what it hands on.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from core.classify.camera import Capture, LiveSettings, classify_live

from ..workers import JobSlot, JobWorker


class LiveRunner(QObject):
    """At most one running source; starting another replaces it."""

    frame = Signal(object)     # a core.classify.camera.LiveResult of the current model
    ended = Signal(str, bool)  # the sentence to show, and whether the source failed

    def __init__(self, parent=None):
        super().__init__(parent)
        self.capture: Capture | None = None
        # Read by the worker on every frame: a new model or k takes effect on the next one.
        self.live_settings: LiveSettings | None = None
        self._slot = JobSlot(self)

    def start(self, capture: Capture, live_settings: LiveSettings) -> JobWorker:
        """Classify each newest frame of ``capture`` until it ends, or :meth:`cancel`
        or :meth:`end` stops it."""
        self.capture, self.live_settings = capture, live_settings
        worker = JobWorker(classify_live, capture, live_settings, partial_kw="on_result")
        worker.partial.connect(self._frame)
        worker.succeeded.connect(lambda ended: self._ended(ended.message))
        worker.failed.connect(lambda sentence: self._ended(sentence, failed=True))
        worker.cancelled.connect(lambda: self._ended("Stopped."))
        self._slot.start(worker)
        return worker

    def is_running(self) -> bool:
        """True from :meth:`start` until its end is reported (the thread may linger)."""
        return self.capture is not None

    def cancel(self) -> None:
        """Ask the source to stop; ``ended("Stopped.", False)`` follows once it has."""
        if self.is_running():
            self._slot.cancel()

    def end(self) -> None:
        """Stop the source now without hearing from it again (its thread ends within a frame)."""
        self._slot.retire()
        self.capture = None

    def shutdown(self) -> None:
        """Stop whatever runs and wait for its thread (the view is closing)."""
        self.capture = None
        self._slot.shutdown()

    def _frame(self, result) -> None:
        if result.predictor is self.live_settings.predictor:  # else a replaced model's answer
            self.frame.emit(result)

    def _ended(self, sentence: str, failed: bool = False) -> None:
        self.capture = None
        self.ended.emit(sentence, failed)
