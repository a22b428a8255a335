"""Image: one picture, its top-k classes and where the model looked (Grad-CAM)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.classify.gradcam import gradcam_overlay
from core.classify.image import classify_image
from core.runtime.inference import top_k

from ..file_filters import IMAGE_FILTER
from ..widgets.drop import AcceptsFileDrops
from ..widgets.frame_view import FrameView
from ..widgets.topk_bars import TopKBars
from ..workers import JobSlot, JobWorker


class ImagePanel(AcceptsFileDrops, QWidget):
    """Open or drop an image; its classes as bars; a Grad-CAM overlay on demand."""

    classified = Signal(object)   # core.classify.image.ImageScores
    heatmap_shown = Signal()
    failed = Signal(str)

    def __init__(self, models, options, settings, parent=None):
        super().__init__(parent)
        self.models, self.options, self.settings = models, options, settings
        self._slot = JobSlot(self)
        self._cam_slot = JobSlot(self)
        self.current = None      # the ImageScores shown
        self.cam_class = None    # the class index Grad-CAM shows; None: the best
        self._predictor = None   # the model that scored it
        self._build()
        self._connect()
        self.setAcceptDrops(True)

    def _build(self) -> None:
        self.open_button = QPushButton("Open image…")
        self.open_button.setToolTip("Open an image (Ctrl+O), or drop one here")
        self.cam_box = QCheckBox("Show where the model looked (Grad-CAM)")
        self.cam_box.setChecked(self.settings.value("image/gradcam", "false") == "true")
        self.name_label = QLabel("")
        bar = QHBoxLayout()
        bar.addWidget(self.open_button)
        bar.addWidget(self.cam_box)
        bar.addStretch(1)
        bar.addWidget(self.name_label)
        self.view = FrameView("Open an image or drop one here to see what the model makes of it.")
        self.bars = TopKBars(placeholder="The best classes for the image appear here.")
        self.bars.setToolTip("With Grad-CAM on, click a class to see where the model saw it")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setMaximumWidth(320)
        side = QVBoxLayout()
        side.addWidget(self.bars)
        side.addWidget(self.message)
        side.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.view, 1)
        body.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(body, 1)

    def _connect(self) -> None:
        self.open_button.clicked.connect(self.open_dialog)
        self.cam_box.toggled.connect(self._cam_toggled)
        self.bars.clicked.connect(self.show_cam_for)
        self.models.changed.connect(self._model_changed)
        self.options.changed.connect(self._show_bars)

    # --- opening ----------------------------------------------------------
    def open_dialog(self) -> None:
        start = str(self.settings.value("image/last_dir", str(Path.home())))
        path, _ = QFileDialog.getOpenFileName(self, "Open an image", start, IMAGE_FILTER)
        if path:
            self.open(Path(path))

    def open(self, path: Path) -> None:
        """Classify the image at ``path`` in the background."""
        predictor = self.models.predictor
        if predictor is None:
            self._say("No model is ready yet: wait for it to load, or pick one in Models.")
            return
        self.settings.setValue("image/last_dir", str(Path(path).parent))
        self._cam_slot.retire()
        worker = JobWorker(classify_image, predictor, Path(path))
        worker.succeeded.connect(lambda result, p=predictor: self._classified(result, p))
        worker.failed.connect(self._failed)
        self.name_label.setText(Path(path).name)
        self._say("Classifying…")
        self._slot.start(worker)

    def _classified(self, result, predictor) -> None:
        self.current, self._predictor, self.cam_class = result, predictor, None
        self.view.set_overlay(None)
        self.view.set_frame(result.rgb)
        self._show_bars()
        self._say(f"{result.rgb.shape[1]} × {result.rgb.shape[0]} pixels, "
                  f"classified by {predictor.description}.")
        self.classified.emit(result)
        if self.cam_box.isChecked() and self.cam_box.isEnabled():
            self._start_cam()

    def _failed(self, sentence: str) -> None:
        self.current = None
        self.view.set_frame(None)
        self.bars.clear()
        self._say(sentence)
        self.failed.emit(sentence)

    def _show_bars(self) -> None:
        if self.current is not None:
            self.bars.set_predictions(top_k(self.current.scores, self._predictor.class_names,
                                            self.options.k, self.options.threshold),
                                      self._predictor.description)
            if self.cam_class is not None:
                self.bars.choose(self._predictor.class_names[self.cam_class])

    # --- Grad-CAM ---------------------------------------------------------
    def _cam_toggled(self, on: bool) -> None:
        self.settings.setValue("image/gradcam", "true" if on else "false")
        if not on:
            self._cam_slot.retire()
            self.view.set_overlay(None)
        elif self.current is not None:
            self._start_cam()

    def show_cam_for(self, label: str) -> None:
        """Grad-CAM for the class ``label`` (a clicked bar) instead of the best one."""
        if self.current is None or label not in self._predictor.class_names:
            return  # "unknown" is no class of the model
        self.cam_class = list(self._predictor.class_names).index(label)
        self.bars.choose(label)
        if self.cam_box.isChecked() and self.cam_box.isEnabled():
            self._start_cam()

    def _start_cam(self) -> None:
        index = self._cam_index()
        worker = JobWorker(gradcam_overlay, self._predictor, self.current.rgb, index)
        worker.succeeded.connect(lambda overlay, i=index: self._show_overlay(overlay, i))
        worker.failed.connect(self._say)
        label = self._predictor.class_names[index]
        self._say(f"Finding where the model saw “{label}”…" if self._predictor.model_loaded
                  else f"Preparing Grad-CAM for “{label}” (loading TensorFlow and the model "
                       "once: a few seconds)…")
        self._cam_slot.start(worker)

    def _cam_index(self) -> int:
        best = int(self.current.scores.argmax())
        return best if self.cam_class is None else self.cam_class

    def _show_overlay(self, overlay, index: int) -> None:
        if not self.cam_box.isChecked():
            return
        self.view.set_overlay(overlay)
        label = self._predictor.class_names[index]
        h, w = self.current.rgb.shape[:2]
        cropped = " The model only sees the centre square." if h != w else ""
        self._say(f"Red and yellow: the parts of the image that made the model say "
                  f"“{label}”.{cropped}")
        self.heatmap_shown.emit()

    # --- reactions --------------------------------------------------------
    def _model_changed(self, predictor) -> None:
        # A .tflite / .onnx / SavedModel has no Keras model to take gradients of.
        self.cam_box.setEnabled(predictor.has_model)
        self.cam_box.setToolTip("" if predictor.has_model else no_gradcam_reason(self.models.ref))
        if self.current is not None:
            self.bars.clear()  # the old model's answer must not sit under the new one's name
            self.view.set_overlay(None)
            self.open(self.current.path)

    def files_dropped(self, paths) -> None:
        files = [p for p in paths if p.is_file()]
        if files:
            self.open(files[0])

    def shutdown(self) -> None:
        for slot in (self._slot, self._cam_slot):
            slot.shutdown()

    def _say(self, sentence: str) -> None:
        self.message.setText(sentence)


def no_gradcam_reason(ref) -> str:
    """Why a model opened from ``ref`` offers no Grad-CAM, in one sentence."""
    suffix = Path(str(ref)).suffix.lower()
    what = f"this {suffix} file" if suffix else "this SavedModel folder"
    return f"Grad-CAM needs a Keras model; {what} has none."
