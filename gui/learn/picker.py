"""Choose a model to look inside: a backbone, or a bundle folder; built off the GUI thread."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QPushButton, QWidget

from core.models.backbones import all_backbones
from core.runtime.bundle import is_bundle

from ..workers import JobSlot, JobWorker


class ModelPicker(QWidget):
    """A backbone list plus "Open bundle…"; emits ``chosen(ref)``."""

    chosen = Signal(str)

    def __init__(self, initial: str = "ResNet50", parent=None):
        super().__init__(parent)
        self.combo = QComboBox()
        for spec in all_backbones():
            self.combo.addItem(spec.name, spec.name)
        self.open_button = QPushButton("Open bundle…")
        self.open_button.setToolTip("Look inside a model you trained (a bundle folder)")
        self.file_button = QPushButton("Open file…")
        self.file_button.setToolTip("Look inside a Keras model file (.keras, or a Keras 2 .h5 "
                                    "such as Teachable Machine's)")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.combo, 1)
        row.addWidget(self.open_button)
        row.addWidget(self.file_button)
        self.set_ref(initial)
        self.combo.activated.connect(lambda _: self.chosen.emit(self.ref()))
        self.open_button.clicked.connect(self._open_bundle)
        self.file_button.clicked.connect(self._open_file)

    def ref(self) -> str:
        return self.combo.currentData()

    def set_ref(self, ref: str) -> None:
        index = self.combo.findData(ref)
        if index < 0:
            self.combo.addItem(_label(ref), ref)
            index = self.combo.count() - 1
        self.combo.setCurrentIndex(index)

    def offer_bundle(self, ref: str) -> None:
        """Add a bundle (e.g. the model Classify uses) to the list without choosing it."""
        if ref and Path(ref).is_dir() and is_bundle(ref) and self.combo.findData(ref) < 0:
            self.combo.addItem(f"{Path(ref).name} (bundle)", ref)

    def _open_bundle(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a model bundle")
        if folder:
            self.set_ref(folder)
            self.chosen.emit(folder)

    def _open_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a Keras model", "",
                                              "Keras models (*.keras *.h5 *.hdf5)")
        if path:
            self.set_ref(path)
            self.chosen.emit(path)


def _label(ref: str) -> str:
    path = Path(ref)
    return f"{path.name} (bundle)" if path.is_dir() else path.name


class ArchitectureLoader(QObject):
    """Builds architectures in a worker, remembers each one; one job at a time per loader."""

    loaded = Signal(str, object)  # ref, core.learn.architecture.Architecture
    failed = Signal(str)
    progressed = Signal(float, str)

    def __init__(self, cache: dict, parent=None):
        super().__init__(parent)
        self.cache = cache
        self.slot = JobSlot(self)

    def load(self, ref: str) -> None:
        if ref in self.cache:
            self.loaded.emit(ref, self.cache[ref])
            return
        from core.learn.architecture import inspect
        worker = JobWorker(inspect, ref)
        worker.succeeded.connect(lambda arch, ref=ref: self._done(ref, arch))
        worker.failed.connect(self.failed)
        worker.progressed.connect(self.progressed)
        self.slot.start(worker)

    def _done(self, ref: str, arch) -> None:
        self.cache[ref] = arch
        self.loaded.emit(ref, arch)

    def shutdown(self) -> None:
        self.slot.shutdown()
