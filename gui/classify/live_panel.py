"""Live: classify a camera or a video file frame by frame.

Capture and inference run off the GUI thread (core.classify.camera.classify_live in
a worker, through gui.classify.live_runner); this panel only shows the newest result
it is handed.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.base import faults
from core.classify.camera import Capture, LiveSettings, camera_indices

from ..fault_box import report_if_disk_fault
from ..widgets.frame_view import FrameView
from ..widgets.topk_bars import TopKBars
from .live_runner import LiveRunner

SIDE_WIDTH = 300
VIDEO_FILTER = "Videos (*.mp4 *.avi *.mov *.mkv *.webm *.m4v *.mpg *.mpeg *.wmv);;All files (*)"


NO_CAMERA = "No camera found: plug one in and press Start camera again, or open a video."


class LivePanel(QWidget):
    """Camera or video in, frames with top-k bars, FPS and latency out."""

    frame_shown = Signal(object)   # the core.classify.camera.LiveResult just displayed
    source_ended = Signal(str)     # the sentence shown when a source stops
    find_cameras = staticmethod(camera_indices)  # () -> numbers, or None: cannot tell

    def __init__(self, models, options, settings, parent=None):
        super().__init__(parent)
        self.models, self.options, self.settings = models, options, settings
        self.runner = LiveRunner(self)
        self.make_capture = Capture  # source -> Capture (tests pass a fake camera)
        self.last_result = None
        self._build()
        self._connect()
        self._set_running(False)

    # --- construction -----------------------------------------------------
    def _build(self) -> None:
        self.camera_box = QSpinBox()
        self.camera_box.setPrefix("Camera ")
        self._offer_cameras()
        self.camera_box.setValue(int(self.settings.value("live/camera", 0)))
        # A number box would swallow Space as typed text; let it reach the Pause shortcut.
        self.camera_box.installEventFilter(self)
        self.camera_button = QPushButton("Start camera")
        self.video_button = QPushButton("Open video…")
        self.pause_button = QPushButton("Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip("Pause or resume (Space)")
        self.snapshot_button = QPushButton("Snapshot…")
        self.mirror_button = QPushButton("Mirror")
        self.mirror_button.setCheckable(True)
        self.mirror_button.setChecked(self.settings.value("live/mirror", "false") == "true")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop the camera or video (Esc)")
        bar = QHBoxLayout()
        for widget in (self.camera_box, self.camera_button, self.video_button, self.pause_button,
                       self.snapshot_button, self.mirror_button, self.stop_button):
            bar.addWidget(widget)
        bar.addStretch(1)

        self.view = FrameView("Start a camera or open a video file to classify what it shows.")
        self.bars = TopKBars(placeholder="Predictions for each frame appear here.")
        self.stats = QLabel("")
        self.stats.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        # A fixed-width side column: text changing every frame must not
        # re-layout (and repaint) the video.
        side_panel = QWidget()
        side_panel.setFixedWidth(SIDE_WIDTH)
        side = QVBoxLayout(side_panel)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.bars)
        side.addWidget(self.stats)
        side.addWidget(self.message)
        side.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.view, 1)
        body.addWidget(side_panel)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(body, 1)

    def _connect(self) -> None:
        self.camera_button.clicked.connect(self.start_camera)
        self.video_button.clicked.connect(self.open_video)
        self.pause_button.toggled.connect(self.set_paused)
        self.snapshot_button.clicked.connect(self.snapshot)
        self.mirror_button.toggled.connect(self._mirror_toggled)
        self.stop_button.clicked.connect(self.stop)
        self.runner.frame.connect(self._show)
        self.runner.ended.connect(self._finished)
        self.models.changed.connect(self._model_changed)
        self.options.changed.connect(self._options_changed)
        # Window-wide keys that act only while this panel is the visible tab.
        QShortcut(QKeySequence(Qt.Key_Space), self,
                  lambda: self.is_running() and self.pause_button.toggle())
        QShortcut(QKeySequence(Qt.Key_Escape), self, self.stop)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.camera_box and event.type() == QEvent.ShortcutOverride
                and event.key() == Qt.Key_Space):
            event.ignore()  # not claimed by the box: the window's shortcut handles it
            return True
        return super().eventFilter(watched, event)

    # --- sources ----------------------------------------------------------
    def _offer_cameras(self) -> bool:
        """Offer the cameras there are (0-9 where they cannot be listed); False: none."""
        found = self.find_cameras()
        if found is None:
            found = range(10)
        self.camera_box.setEnabled(bool(found))
        self.camera_box.setSpecialValueText("No camera found" if not found else "")
        self.camera_box.setRange(min(found, default=0), max(found, default=0))
        return bool(found)

    def start_camera(self) -> None:
        if not self._offer_cameras():  # looked again: one may have been plugged in
            self._say(NO_CAMERA)
            return
        self.settings.setValue("live/camera", self.camera_box.value())
        self.start_source(self.camera_box.value())

    def open_video(self) -> None:
        start = str(self.settings.value("live/video_dir", str(Path.home())))
        path, _ = QFileDialog.getOpenFileName(self, "Open a video", start, VIDEO_FILTER)
        if path:
            self.settings.setValue("live/video_dir", str(Path(path).parent))
            self.start_source(Path(path))

    def start_source(self, source) -> None:
        """Classify ``source`` (a camera index or a video path) until it ends or Stop."""
        predictor = self.models.predictor
        if predictor is None:
            self._say("No model is ready yet: wait for it to load, or pick one in Models.")
            return
        self.runner.start(self.make_capture(source),
                          LiveSettings(predictor, self.options.k, self.options.threshold))
        self.pause_button.setChecked(False)
        self._say("Opening " + (f"camera {source}…" if isinstance(source, int)
                                else f"'{Path(source).name}'…"))
        self._set_running(True)

    def stop(self) -> None:
        self.runner.cancel()

    def is_running(self) -> bool:
        """True from starting a source until its end is shown (the thread may linger)."""
        return self.runner.is_running()

    def set_paused(self, paused: bool) -> None:
        if self.runner.capture is not None:
            self.runner.capture.paused = paused
        self.pause_button.setText("Resume" if paused else "Pause")
        if paused and self.is_running():
            self._say("Paused: press Space or Resume to go on.")
        elif self.is_running():
            self._say("")

    def shutdown(self) -> None:
        self.runner.shutdown()

    # --- results ----------------------------------------------------------
    def _show(self, result) -> None:
        self.last_result = result
        self.view.set_frame(result.frame.image, mirror=self.mirror_button.isChecked())
        self.bars.set_predictions(result.predictions, getattr(result.predictor, "description", ""))
        self.stats.setText(f"{result.fps:.1f} frames/s · {result.latency_ms:.1f} ms per frame\n"
                           f"{result.dropped} frames skipped to stay current")
        if self.message.text().startswith("Opening"):
            self._say("")
        self.frame_shown.emit(result)

    def _finished(self, sentence: str, failed: bool = False) -> None:
        self._set_running(False)
        if failed:  # a camera that failed shows nothing of its last frame
            self.clear("No picture: the source failed.")
        self._say(sentence)
        self.source_ended.emit(sentence)

    def clear(self, placeholder: str) -> None:
        """Empty the frame, bars and statistics until the next frame arrives."""
        self.last_result = None
        self.view.set_frame(None)
        self.view.set_placeholder(placeholder)
        self.bars.clear()
        self.stats.setText("")

    def snapshot(self) -> None:
        if self.view.image() is None:
            self._say("Nothing to save yet: start a camera or a video first.")
            return
        name = time.strftime("snapshot-%Y%m%d-%H%M%S.png")
        start = Path(str(self.settings.value("live/snapshot_dir", str(Path.home())))) / name
        path, _ = QFileDialog.getSaveFileName(self, "Save snapshot", str(start),
                                              "Images (*.png *.jpg)")
        if path:
            self.settings.setValue("live/snapshot_dir", str(Path(path).parent))
            self.save_snapshot(Path(path))

    def save_snapshot(self, path: Path) -> bool:
        """Save the frame shown (mirrored if the view is) to ``path``."""
        image, path = self.view.image(), Path(path)
        tmp = path.with_name(f".{path.stem}.partial{path.suffix}")  # Qt picks the format by it
        try:
            if image is None or not image.save(str(tmp)):
                faults.check_writable(path.parent)  # says why when it can (full, read-only)
                raise OSError(f"Could not save '{path}': check that the folder exists and "
                              "you may write to it.")
            os.replace(tmp, path)
        except OSError as exc:
            if tmp.parent.is_dir():
                tmp.unlink(missing_ok=True)
            self._say(report_if_disk_fault(exc) if faults.is_disk_fault(exc) else str(exc))
            return False
        self._say(f"Saved {path.name}.")
        return True

    # --- reactions --------------------------------------------------------
    def _model_changed(self, predictor) -> None:
        if self.runner.live_settings is not None:
            self.runner.live_settings.predictor = predictor  # the worker's next frame uses it
        self.clear(f"Waiting for the next frame ({predictor.description})…" if self.is_running()
                   else f"Start a camera or open a video to classify with "
                        f"{predictor.description}.")

    def _options_changed(self) -> None:
        if self.runner.live_settings is not None:
            live = self.runner.live_settings
            live.k, live.threshold = self.options.k, self.options.threshold

    def _mirror_toggled(self, mirrored: bool) -> None:
        self.settings.setValue("live/mirror", "true" if mirrored else "false")
        if self.last_result is not None:
            self.view.set_frame(self.last_result.frame.image, mirror=mirrored)

    def _set_running(self, running: bool) -> None:
        self.pause_button.setEnabled(running)
        self.stop_button.setEnabled(running)

    def _say(self, sentence: str) -> None:
        self.message.setText(sentence)
