"""The model the Classify panels use, loaded in the background."""
from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QObject, Signal

from .workers import JobSlot, JobWorker


def _import_tensorflow_once(progress) -> None:
    """Import TensorFlow and Keras, then move their objects out of the GC's sight.

    The import leaves about 360,000 long-lived objects; without the freeze
    every full collection walks them and stalls the window for ~300 ms.
    Frozen once, here, so that models loaded later can still be freed.
    """
    if "keras" in sys.modules:
        return
    progress(0.02, "Loading TensorFlow")
    import keras  # noqa: F401
    import tensorflow  # noqa: F401

    gc.freeze()


def _load(ref: str, progress, should_stop):
    _import_tensorflow_once(progress)
    from core.classify import load_predictor

    return load_predictor(ref, progress, should_stop)


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
