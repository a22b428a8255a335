"""Evaluate's "Try it" tab: drop or open an image, or run a video or a camera,
and see the new model's answer before saving it (Teachable Machine's preview).

The trained Keras model is wrapped once by core.teach.try_model.live_predictor.
Images go through core.teach.try_model.try_image; a camera or a video runs in
the Live panel's gui.classify.live_runner.LiveRunner (newest frame wins). One job
runs at a time, and a camera or video stops when the tab or the page is left.
"""
from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.classify.camera import Capture, LiveSettings, describe_source
from core.teach.try_model import live_predictor, try_image

from ..classify.live_panel import VIDEO_FILTER
from ..classify.live_runner import LiveRunner
from ..file_filters import IMAGE_FILTER
from ..widgets.drop import AcceptsFileDrops
from ..widgets.frame_view import FrameView
from ..widgets.topk_bars import TopKBars
from ..workers import JobSlot, JobWorker

VIDEO_SUFFIXES = frozenset(re.findall(r"\*(\.\w+)", VIDEO_FILTER))
K = 5


class TryIt(AcceptsFileDrops, QWidget):
    """An image, a video or a camera in, the trained model's top-k out.

    The model is the wizard's training result (:meth:`set_result`), not saved yet.
    """

    frame_shown = Signal(object)   # the core.classify.camera.LiveResult just displayed
    source_ended = Signal(str)     # the sentence shown when a camera or video stops

    def __init__(self, parent=None):
        super().__init__(parent)
        self.result = None
        self.path: Path | None = None
        self.last_result = None
        self.make_capture = Capture  # source -> Capture (tests may pass a fake camera)
        self._predictor = None
        self._slot = JobSlot(self)  # an image being tried
        self.runner = LiveRunner(self)  # a camera or a video
        self.runner.frame.connect(self._show_frame)
        self.runner.ended.connect(self._finished)
        self._build()
        self._set_running(False)
        self.setAcceptDrops(True)

    def _build(self) -> None:
        self.open_button = QPushButton("Try an image…")
        self.open_button.clicked.connect(self.open_dialog)
        self.camera_box = QSpinBox()
        self.camera_box.setRange(0, 9)
        self.camera_box.setPrefix("Camera ")
        self.camera_box.setToolTip("Which camera: 0 is the first one")
        self.camera_button = QPushButton("Start camera")
        self.camera_button.clicked.connect(lambda: self.start_source(self.camera_box.value()))
        self.video_button = QPushButton("Open video…")
        self.video_button.clicked.connect(self.open_video)
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.stop)
        bar = QHBoxLayout()
        for widget in (self.open_button, self.camera_box, self.camera_button, self.video_button,
                       self.stop_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        self.view = FrameView("Drop an image or a video here, or start a camera, to see what "
                              "the model says.")
        self.view.setMinimumSize(200, 150)
        self.bars = TopKBars(placeholder="The model's answer appears here.")
        self.stats = QLabel("")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        side = QVBoxLayout()
        side.addWidget(self.bars, 1)
        side.addWidget(self.stats)
        side.addWidget(self.message)
        body = QHBoxLayout()
        body.addWidget(self.view, 2)
        body.addLayout(side, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(body, 1)

    def set_result(self, result) -> None:
        """A new training result: a running source stops, an image already tried is asked again."""
        was_running = self.is_running()
        self._end_source()
        self.result, self._predictor = result, None
        self.bars.clear()
        self.stats.setText("")
        if was_running:
            self.message.setText("The model changed: start the camera or video again to try "
                                 "the new one.")
        if self.path is not None and result is not None:
            self.try_path(self.path)

    # --- images -------------------------------------------------------------
    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Try the model on an image", "",
                                              IMAGE_FILTER)
        if path:
            self.try_path(Path(path))

    def files_dropped(self, paths) -> None:
        files = [p for p in paths if p.is_file()]
        if not files:
            return
        if files[0].suffix.lower() in VIDEO_SUFFIXES:
            self.start_source(files[0])
        else:
            self.try_path(files[0])

    def try_path(self, path: Path) -> JobWorker | None:
        if self.result is None:
            self.message.setText("Train a model first.")
            return None
        self._end_source()
        self.path = Path(path)
        worker = JobWorker(try_image, self.predictor(), self.path, K)
        worker.succeeded.connect(self._show_image)
        worker.failed.connect(self._failed)
        self.stats.setText("")
        self.message.setText(f"Asking the model about {self.path.name}…")
        self._slot.start(worker)
        return worker

    def _show_image(self, answer) -> None:
        rgb, predictions = answer
        self.view.set_frame(rgb)
        self.bars.set_predictions(predictions)
        best = predictions[0]
        self.message.setText(f"{self.path.name}: “{best.label}” ({best.score:.0%}).")

    def _failed(self, sentence: str) -> None:
        self.last_result = None
        self.view.set_frame(None)
        self.bars.clear()
        self.stats.setText("")
        self.message.setText(sentence)

    # --- a camera or a video --------------------------------------------------
    def open_video(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Try the model on a video", "",
                                              VIDEO_FILTER)
        if path:
            self.start_source(Path(path))

    def start_source(self, source) -> JobWorker | None:
        """Classify each newest frame of ``source`` (a camera number or a video path)
        with the trained model until it ends, Stop, or the page is left."""
        if self.result is None:
            self.message.setText("Train a model first.")
            return None
        self._slot.retire()  # an image still being tried
        worker = self.runner.start(self.make_capture(source),
                                   LiveSettings(self.predictor(), K, self.result.threshold))
        self.last_result = None
        self.stats.setText("")
        self.message.setText(f"Opening {describe_source(source)}…")
        self._set_running(True)
        return worker

    def predictor(self):
        """The training result as a core.runtime.inference.Predictor, made once per result."""
        if self._predictor is None:
            self._predictor = live_predictor(self.result.model, self.result.class_names,
                                             self.result.threshold)
        return self._predictor

    def is_running(self) -> bool:
        """True from starting a camera or video until its end is shown."""
        return self.runner.is_running()

    def stop(self) -> None:
        """Stop the camera or video now; its thread ends on its own within a frame."""
        if self.is_running():
            self._end_source()
            self._finished("Stopped.")

    def _end_source(self) -> None:
        """Retire a running camera or video job without hearing from it again."""
        if self.is_running():
            self.runner.end()
            self._set_running(False)

    def _show_frame(self, result) -> None:
        self.last_result = result
        self.view.set_frame(result.frame.image)
        self.bars.set_predictions(result.predictions)
        self.stats.setText(f"{result.fps:.1f} frames/s · {result.latency_ms:.0f} ms per frame")
        if self.message.text().startswith("Opening"):
            self.message.setText("")
        self.frame_shown.emit(result)

    def _finished(self, sentence: str, failed: bool = False) -> None:
        self._set_running(False)
        if failed:  # a source that failed leaves no old picture behind
            self._failed(sentence)
        self.message.setText(sentence)
        self.source_ended.emit(sentence)

    def _set_running(self, running: bool) -> None:
        self.stop_button.setEnabled(running)

    # --- leaving --------------------------------------------------------------
    def hideEvent(self, event) -> None:
        """Leaving the tab, the page or the wizard stops a camera or video
        (a minimised window, a spontaneous hide, does not)."""
        if not event.spontaneous():
            self.stop()
        super().hideEvent(event)

    def shutdown(self) -> None:
        """Stop whatever runs and wait for its thread (closing the wizard)."""
        self._set_running(False)
        self.runner.shutdown()
        self._slot.shutdown()
