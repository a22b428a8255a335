"""The model the Classify panels use, loaded in the background."""
from __future__ import annotations

import contextlib
import sys
import threading

from PySide6.QtCore import QObject, Signal

from .workers import JobSlot, JobWorker, background_priority


def _load(ref: str, progress, should_stop):
    """The model from its runtime file alone, or TensorFlow then the model: the bar
    moves through both (core.runtime.loading)."""
    from core.runtime.loading import load_predictor

    return load_predictor(ref, progress, should_stop)


class ModelState(QObject):
    """Owns the current Predictor; panels listen, never load models themselves."""

    loading = Signal(str)          # a reference started loading
    progressed = Signal(float, str)
    changed = Signal(object)       # the new Predictor
    failed = Signal(str)           # a sentence
    tensorflow_loading = Signal()  # imported in the background after an instant model
    tensorflow_ready = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.predictor = None
        self.ref: str | None = None
        self._slot = JobSlot(self)
        self._warming = False

    def load(self, ref: str) -> None:
        """Load ``ref`` (backbone name or bundle folder) without blocking.

        A load replaced by a newer one never becomes current, however late it ends.
        """
        worker = JobWorker(_load, ref)
        worker.progressed.connect(self.progressed)
        worker.succeeded.connect(lambda p, r=ref: self._done(r, p))
        worker.failed.connect(self.failed)
        self.loading.emit(ref)
        self._slot.start(worker)

    def _done(self, ref: str, predictor) -> None:
        self.ref, self.predictor = ref, predictor
        self.changed.emit(predictor)
        self._warm_up_tensorflow()

    def _warm_up_tensorflow(self) -> None:
        """Import TensorFlow at low priority once the model answers without it, so
        Grad-CAM, Teach and Architecture are ready soon after. A daemon thread, not
        a job: an import cannot be cancelled, and closing the window must not wait."""
        if "keras" in sys.modules or self._warming:
            return
        self._warming = True
        self.tensorflow_loading.emit()
        threading.Thread(target=self._import_tensorflow, name="tensorflow-warm-up",
                         daemon=True).start()

    def _import_tensorflow(self) -> None:
        from core.base.startup import import_tensorflow

        background_priority()
        import_tensorflow()
        with contextlib.suppress(RuntimeError):  # the window closed meanwhile
            self.tensorflow_ready.emit()

    def is_loading(self) -> bool:
        return self._slot.is_busy()

    def shutdown(self) -> None:
        self._slot.shutdown()
