"""Evaluate's "Try it" tab: drop or open an image and see the new model's answer
before saving it (Teachable Machine's preview)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from core.images import IMAGE_EXTENSIONS
from core.try_model import try_image

from ..widgets.drop import AcceptsFileDrops
from ..widgets.frame_view import FrameView
from ..widgets.topk_bars import TopKBars
from ..workers import JobSlot, JobWorker

IMAGE_FILTER = "Images (" + " ".join(f"*{e}" for e in sorted(IMAGE_EXTENSIONS)) + ")"


class TryIt(AcceptsFileDrops, QWidget):
    """One image in, the trained model's top-k out; the model is the wizard's result."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.result = None
        self.path: Path | None = None
        self._slot = JobSlot(self)
        self.open_button = QPushButton("Try an image…")
        self.open_button.clicked.connect(self.open_dialog)
        self.view = FrameView("Drop an image here to see what the model says.")
        self.view.setMinimumSize(200, 150)
        self.bars = TopKBars(placeholder="The model's answer appears here.")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        side = QVBoxLayout()
        side.addWidget(self.open_button)
        side.addWidget(self.bars, 1)
        side.addWidget(self.message)
        layout = QHBoxLayout(self)
        layout.addWidget(self.view, 2)
        layout.addLayout(side, 1)
        self.setAcceptDrops(True)

    def set_result(self, result) -> None:
        """A new training result: an image already tried is asked again."""
        self.result = result
        self.bars.clear()
        if self.path is not None and result is not None:
            self.try_path(self.path)

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Try the model on an image", "",
                                              IMAGE_FILTER)
        if path:
            self.try_path(Path(path))

    def files_dropped(self, paths) -> None:
        files = [p for p in paths if p.is_file()]
        if files:
            self.try_path(files[0])

    def try_path(self, path: Path) -> JobWorker | None:
        if self.result is None:
            self.message.setText("Train a model first.")
            return None
        self.path = Path(path)
        result = self.result
        worker = JobWorker(try_image, result.model, result.class_names, self.path, 5,
                           result.threshold)
        worker.succeeded.connect(self._show)
        worker.failed.connect(self._failed)
        self.message.setText(f"Asking the model about {self.path.name}…")
        self._slot.start(worker)
        return worker

    def _show(self, answer) -> None:
        rgb, predictions = answer
        self.view.set_frame(rgb)
        self.bars.set_predictions(predictions)
        best = predictions[0]
        self.message.setText(f"{self.path.name}: “{best.label}” ({best.score:.0%}).")

    def _failed(self, sentence: str) -> None:
        self.view.set_frame(None)
        self.bars.clear()
        self.message.setText(sentence)

    def shutdown(self) -> None:
        self._slot.shutdown()
