"""Speed: float / int8 for folder runs, int8 only once its agreement is measured."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from core.classify.int8 import int8_version

from ..workers import JobSlot, JobWorker

FLOAT, INT8 = 0, 1


class SpeedChoice(QWidget):
    """A "Speed" box. Choosing int8 makes the model's int8 version (once) and
    measures how often it agrees with float on its calibration images; the
    sentence goes out through ``said`` and only then do folder runs use it.
    Float is the default, and a new model goes back to float."""

    said = Signal(str)

    def __init__(self, models, parent=None):
        super().__init__(parent)
        self.models = models
        self._slot = JobSlot(self)
        self._ready = None  # (predictor, core.classify.int8.Int8Version) once measured
        self.box = QComboBox()
        self.box.addItems(["float", "int8"])
        self.box.setToolTip("float: the model as trained. int8: faster on a CPU; before it is "
                            "used, the app measures how often it gives float's top answer.")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Speed"))
        layout.addWidget(self.box)
        self.box.currentIndexChanged.connect(self._chosen)
        models.changed.connect(lambda _predictor: self._back_to_float())

    def litert_file_for(self, predictor):
        """The int8 file to run ``predictor``'s model with, or None for float."""
        ready = self._ready
        if self.box.currentIndex() == INT8 and ready and ready[0] is predictor:
            return ready[1].path
        return None

    def shutdown(self) -> None:
        self._slot.shutdown()

    def _chosen(self, index: int) -> None:
        if index == FLOAT:
            self._slot.retire()
            self.said.emit("Folder runs use the float model.")
            return
        predictor = self.models.predictor
        if predictor is None:
            self._refused("No model is ready yet: wait for it to load, or pick one in Models.")
        elif self._ready and self._ready[0] is predictor:
            self._measured(predictor, self._ready[1])
        else:
            worker = JobWorker(int8_version, predictor)
            worker.progressed.connect(lambda fraction, message: self.said.emit(message))
            worker.succeeded.connect(lambda version, p=predictor: self._measured(p, version))
            worker.failed.connect(self._refused)
            self._slot.start(worker)
            self.said.emit("Making the int8 version and measuring it against float…")

    def _measured(self, predictor, version) -> None:
        self._ready = (predictor, version)
        self.box.setItemText(INT8, f"int8 ({version.agreement:.0%} agree)")
        self.said.emit(f"{version.describe()}. Folder runs now use int8; "
                       "choose float to go back.")

    def _refused(self, sentence: str) -> None:
        self._back_to_float()
        self.said.emit(sentence)

    def _back_to_float(self) -> None:
        self._slot.retire()
        self._ready = None
        self.box.blockSignals(True)
        self.box.setCurrentIndex(FLOAT)
        self.box.setItemText(INT8, "int8")
        self.box.blockSignals(False)
