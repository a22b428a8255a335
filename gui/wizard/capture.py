"""Capture frames from a camera or a video file into a class of the project.

:func:`core.classify.camera.capture_frames` is the job: it drives a
:class:`core.classify.camera.Capture` and saves every N-th frame, or the next frame
each time the user asks for one (Space). The worker writes each frame into
the project's folder (:meth:`core.teach.dataset.Project.add_frame`, atomically);
the GUI thread records it in the project (``TeachState.apply``).
:class:`CaptureDialog` is its window.
"""
from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
)

from core.classify.camera import Capture, capture_frames

from ..widgets.frame_view import FrameView
from ..widgets.message_line import MessageLine
from ..workers import JobSlot, JobWorker

VIDEO_FILTER = "Videos (*.mp4 *.avi *.mov *.mkv *.webm *.m4v);;All files (*)"


class CaptureDialog(QDialog):
    """Pick a source, a class and a mode; watch the preview; frames are saved as they come."""

    def __init__(self, state, class_name, settings, parent=None):
        super().__init__(parent)
        self.state, self.project, self.settings = state, state.project, settings
        self.setWindowTitle("Capture images")
        self.setModal(True)
        self._slot = JobSlot(self)
        self._snap = threading.Event()
        self.saved = 0
        self._build(class_name)
        QShortcut(QKeySequence(Qt.Key_Space), self, activated=self.snap)

    def _build(self, class_name) -> None:
        self.camera_radio = QRadioButton("Camera number")
        self.camera_index = QSpinBox()
        self.camera_index.setRange(0, 9)
        self.video_radio = QRadioButton("Video file")
        self.video_path = QLineEdit(self.settings.value("teach/capture_video", ""))
        self.video_path.setMinimumWidth(360)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._choose_video)
        (self.video_radio if self.video_path.text() else self.camera_radio).setChecked(True)
        self.class_box = QComboBox()
        self.class_box.setEditable(True)
        self.class_box.setMinimumWidth(200)
        self.class_box.addItems(self.project.classes)
        if class_name:
            self.class_box.setCurrentText(class_name)
        self.every_radio = QRadioButton("One frame in every")
        self.every = QSpinBox()
        self.every.setRange(1, 1000)
        self.every.setValue(10)
        self.every.setSuffix(" frames")
        self.key_radio = QRadioButton("When I press Space")
        self.every_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.every_radio)
        group.addButton(self.key_radio)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldsStayAtSizeHint)
        form.addRow(self.camera_radio, self.camera_index)
        video = QHBoxLayout()
        video.addWidget(self.video_path, 1)
        video.addWidget(browse)
        form.addRow(self.video_radio, video)
        form.addRow("Into class", self.class_box)
        form.addRow(self.every_radio, self.every)
        form.addRow(self.key_radio, QLabel(""))
        self.preview = FrameView("The preview appears here once capturing starts.")
        self.start_button = QPushButton("Start")
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.stop)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for button in (self.start_button, self.stop_button, self.close_button):
            button.setFocusPolicy(Qt.NoFocus)  # Space must reach the snap shortcut
            buttons.addWidget(button)
        self.message = MessageLine()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._set_running(False)

    def _choose_video(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Capture from a video", "", VIDEO_FILTER)
        if path:
            self.video_path.setText(path)
            self.video_radio.setChecked(True)

    def source(self):
        if self.video_radio.isChecked():
            return self.video_path.text().strip()
        return self.camera_index.value()

    def start(self) -> None:
        class_name, source = self.class_box.currentText().strip(), self.source()
        if not class_name or source == "":
            self.message.say("Choose a class and a camera or a video file first.")
            return
        if isinstance(source, str):
            self.settings.setValue("teach/capture_video", source)
        every = self.every.value() if self.every_radio.isChecked() else 0

        def save(rgb):  # on the worker: write the file; the GUI thread records it
            batch = []
            self.project.add_frame(class_name, rgb, on_added=batch.append)
            return batch[0]

        worker = JobWorker(capture_frames, Capture(source), save, every, self._snap,
                           partial_kw="on_frame")
        worker.partial.connect(self._frame)
        worker.succeeded.connect(self._ended)
        worker.failed.connect(self._ended)
        worker.cancelled.connect(lambda: self._ended(
            f"Stopped. Saved {self.saved} frames into '{class_name}'."))
        self.saved, self.class_name = 0, class_name
        self._snap.clear()
        self.message.say(f"Capturing into '{class_name}'…" + (
            " Press Space to save a frame." if not every else ""))
        self._slot.start(worker)
        self._set_running(True)

    def snap(self) -> None:
        """Save the next frame (the "on a key" mode)."""
        if self._slot.is_busy():
            self._snap.set()

    def stop(self) -> None:
        self._slot.cancel()

    def _frame(self, payload) -> None:
        rgb, saved, added = payload
        if added is not None:
            self.state.apply(added)
        self.preview.set_frame(rgb)
        if saved != self.saved:
            self.saved = saved
            self.message.say(f"Saved {saved} frames into '{self.class_name}'.")

    def _ended(self, sentence: str) -> None:
        self.message.say(sentence)
        self._set_running(False)

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        for widget in (self.camera_radio, self.camera_index, self.video_radio, self.video_path,
                       self.class_box, self.every_radio, self.every, self.key_radio):
            widget.setEnabled(not running)

    def shutdown(self) -> None:
        self._slot.shutdown()

    def done(self, result: int) -> None:
        self.shutdown()
        super().done(result)
