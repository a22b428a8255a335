"""A progress bar, its message and a Cancel button for one job at a time."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from ..workers import JobSlot, JobWorker


class JobBar(QWidget):
    """A progress bar, its message and a Cancel button for one job at a time.

    ``run(worker)`` starts the worker in the bar's :class:`JobSlot` (which
    cancels any job it replaces); the bar shows while a job runs.
    """

    ended = Signal()

    def __init__(self, cancel_text: str = "Cancel", parent=None):
        super().__init__(parent)
        self.slot = JobSlot(self)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.label = QLabel("")
        self.cancel_button = QPushButton(cancel_text)
        self.cancel_button.clicked.connect(self.cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.label, 2)
        layout.addWidget(self.cancel_button)
        self.hide()

    def run(self, worker: JobWorker, sentence: str = "") -> JobWorker:
        worker.progressed.connect(self._progress)
        worker.ended.connect(self._ended)
        self.bar.setValue(0)
        self.label.setText(sentence)
        self.cancel_button.setEnabled(True)
        self.show()
        return self.slot.start(worker)

    def busy(self) -> bool:
        return self.slot.is_busy()

    def cancel(self) -> None:
        """Ask the running job to stop; its own signals say when it has."""
        if self.slot.is_busy():
            self.slot.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText("Stopping…")

    def shutdown(self) -> None:
        self.slot.shutdown()

    def _progress(self, fraction: float, message: str) -> None:
        self.bar.setValue(int(fraction * 1000))
        if self.cancel_button.isEnabled():
            self.label.setText(message)

    def _ended(self) -> None:
        self.hide()
        self.ended.emit()
