"""The model the Classify panels use, loaded in the background."""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from .workers import JobSlot, JobWorker


def _import_tensorflow_once(progress) -> None:
    """Import TensorFlow and Keras, then freeze their objects (core.base.startup)."""
    from core.base.startup import import_tensorflow

    import_tensorflow(progress)


def _load(ref: str, progress, should_stop):
    """TensorFlow, then the model: the bar moves through both (core.base.startup)."""
    from core.runtime.loading import load_model

    return load_model(ref, progress, should_stop)


class ModelState(QObject):
    """Owns the current Predictor; panels listen, never load models themselves."""

    loading = Signal(str)          # a reference started loading
    progressed = Signal(float, str)
    changed = Signal(object)       # the new Predictor
    failed = Signal(str)           # a sentence

    def __init__(self, parent=None):
        super().__init__(parent)
        self.predictor = None
        self.ref: str | None = None
        self._slot = JobSlot(self)

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

    def is_loading(self) -> bool:
        return self._slot.is_busy()

    def shutdown(self) -> None:
        self._slot.shutdown()
