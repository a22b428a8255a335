"""Feature maps: what each block computes for an image, from the stem to the head.

The input image sits beside the chosen block's channels. Grad-CAM for any
class of the top five, at the chosen block, is drawn over the input image.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from core.learn.feature_maps import (
    channel_grid,
    compute,
    gradcam_at,
    load_model,
    read_image,
    to_rgb,
)
from core.learn.layout import shape_text
from core.runtime.inference import top_k

from ..file_filters import IMAGE_FILTER
from ..workers import JobSlot, JobWorker
from .picker import ModelPicker

TOP_CLASSES = 5


def to_pixmap(array: np.ndarray) -> QPixmap:
    """(H, W) floats in [0, 1] (grey) or (H, W, 3|4) uint8 as a QPixmap."""
    if array.ndim == 2:
        grey = np.ascontiguousarray((np.clip(array, 0, 1) * 255).astype(np.uint8))
        image = QImage(grey.data, grey.shape[1], grey.shape[0], grey.strides[0],
                       QImage.Format_Grayscale8)
    else:
        data = np.ascontiguousarray(array)
        fmt = QImage.Format_RGBA8888 if data.shape[2] == 4 else QImage.Format_RGB888
        image = QImage(data.data, data.shape[1], data.shape[0], data.strides[0], fmt)
    return QPixmap.fromImage(image.copy())


class ScaledLabel(QLabel):
    """A picture that keeps its aspect ratio as the label resizes."""

    def __init__(self, text: str):
        super().__init__(text)
        self.setAlignment(Qt.AlignCenter)
        self.setMinimumSize(200, 200)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setWordWrap(True)
        self._pixmap = None

    def show_pixmap(self, pixmap: QPixmap) -> None:
        self._pixmap = pixmap
        self._rescale()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._pixmap is not None:
            self.setPixmap(self._pixmap.scaled(self.size(), Qt.KeepAspectRatio,
                                               Qt.FastTransformation))


class FeatureMapsPage(QWidget):
    def __init__(self, current_image=None, parent=None):
        super().__init__(parent)
        self.current_image = current_image  # () -> RGB array or None (the Image tab's)
        self.explorer = None
        self.rgb = None
        self.maps: dict = {}
        self._model_slot, self._image_slot, self._maps_slot, self._cam_slot = (
            JobSlot(self) for _ in range(4))
        self._build()

    def _build(self) -> None:
        self.picker = ModelPicker("EfficientNetLite0")
        self.open_button = QPushButton("Open image…")
        self.use_image_button = QPushButton("Use the Image tab's picture")
        self.block_combo = QComboBox()
        self.block_combo.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.prev_button, self.next_button = QPushButton("◀ Earlier"), QPushButton("Later ▶")
        self.class_combo = QComboBox()
        self.class_combo.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.cam_button = QPushButton("Grad-CAM here")
        self.cam_button.setToolTip("Where the chosen class's evidence lies, at the chosen block")
        self.input_view = ScaledLabel("Open an image to see what each block makes of it.")
        self.grid_view = ScaledLabel("")
        self.caption = QLabel("")
        self.caption.setWordWrap(True)
        top = QHBoxLayout()
        for w in (QLabel("Model:"), self.picker, self.open_button, self.use_image_button):
            top.addWidget(w)
        steps = QHBoxLayout()
        for w in (QLabel("Block:"), self.block_combo, self.prev_button, self.next_button,
                  QLabel("Class:"), self.class_combo, self.cam_button):
            steps.addWidget(w)
        steps.addStretch(1)
        pictures = QHBoxLayout()
        pictures.addWidget(self.input_view, 2)
        pictures.addWidget(self.grid_view, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(steps)
        layout.addLayout(pictures, 1)
        layout.addWidget(self.caption)
        self.picker.chosen.connect(self.load_model)
        self.open_button.clicked.connect(self._open_dialog)
        self.use_image_button.clicked.connect(self._use_image_tab)
        self.block_combo.currentIndexChanged.connect(lambda _: self._show_block())
        self.prev_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(+1))
        self.cam_button.clicked.connect(self.show_gradcam)
        self._enable()

    def _enable(self) -> None:
        ready = bool(self.maps)
        for w in (self.block_combo, self.prev_button, self.next_button, self.class_combo,
                  self.cam_button):
            w.setEnabled(ready)
        self.use_image_button.setEnabled(self.current_image is not None)

    # --- model and image --------------------------------------------------
    def load_model(self, ref: str) -> None:
        self.picker.set_ref(ref)
        self.explorer, self.maps = None, {}
        self._enable()
        self.caption.setText(f"Loading {ref}…")
        worker = JobWorker(load_model, ref)
        worker.succeeded.connect(self._model_ready)
        worker.failed.connect(self.caption.setText)
        self._model_slot.start(worker)

    def _model_ready(self, explorer) -> None:
        self.explorer = explorer
        self.block_combo.blockSignals(True)
        self.block_combo.clear()
        for b in explorer.arch.blocks:
            self.block_combo.addItem(f"{b.name}  ({b.kind.replace('_', ' ')}, "
                                     f"{shape_text(b.output_shape)})", b.name)
        self.block_combo.setCurrentIndex(min(1, len(explorer.arch.blocks) - 1))
        self.block_combo.blockSignals(False)
        note = "" if explorer.pretrained else (" Its ImageNet weights are not on this computer, "
                                               "so these are random weights: the maps show the "
                                               "structure, not what it learned.")
        self.caption.setText(f"{explorer.arch.name} is ready.{note}")
        if self.rgb is not None:
            self._compute()

    def _open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open an image", "", IMAGE_FILTER)
        if path:
            self.open_image(path)

    def open_image(self, path) -> None:
        """Decode ``path`` in the background, then show it (and its maps)."""
        worker = JobWorker(read_image, path)
        worker.succeeded.connect(self.set_image)
        worker.failed.connect(self.caption.setText)
        self._image_slot.start(worker)

    def _use_image_tab(self) -> None:
        rgb = self.current_image() if self.current_image else None
        if rgb is None:
            self.caption.setText("The Image tab has no picture yet: open one there first.")
        else:
            self._image_slot.retire()  # an image still being opened would replace this one
            self.set_image(rgb)

    def set_image(self, rgb: np.ndarray) -> None:
        self.rgb = rgb
        self.input_view.show_pixmap(to_pixmap(rgb))
        if self.explorer is not None:
            self._compute()

    def _compute(self) -> None:
        self.caption.setText("Running the image through the model…")
        worker = JobWorker(compute, self.explorer, self.rgb)
        worker.succeeded.connect(self._maps_ready)
        worker.failed.connect(self.caption.setText)
        self._maps_slot.start(worker)

    def _maps_ready(self, maps: dict) -> None:
        self.maps = maps
        self._fill_classes()
        self._enable()
        self._show_block()

    def _fill_classes(self) -> None:
        self.class_combo.clear()
        scores = np.asarray(self.maps[self.explorer.arch.blocks[-1].name]).reshape(-1)
        names = self.explorer.class_names or tuple(str(i) for i in range(scores.size))
        # top_k labels each class with its index here: Grad-CAM wants the index,
        # and a name can stand for two classes (ImageNet has two "crane"s).
        for best in top_k(scores, range(scores.size), TOP_CLASSES):
            self.class_combo.addItem(f"{names[best.label]} ({best.score:.2f})", best.label)

    # --- stepping ---------------------------------------------------------
    def step(self, delta: int) -> None:
        index = self.block_combo.currentIndex() + delta
        if 0 <= index < self.block_combo.count():
            self.block_combo.setCurrentIndex(index)

    def current_block(self):
        name = self.block_combo.currentData()
        return self.explorer.arch.block(name) if self.explorer and name else None

    def _show_block(self) -> None:
        block = self.current_block()
        if block is None or block.name not in self.maps:
            return
        activation = self.maps[block.name]
        self.grid_view.show_pixmap(to_pixmap(to_rgb(channel_grid(activation))))
        self.input_view.show_pixmap(to_pixmap(self.rgb))
        channels = activation.shape[-1]
        shown = "" if activation.ndim == 1 or channels <= 64 else " (the first 64 shown)"
        what = "values" if activation.ndim == 1 else "channels"
        self.caption.setText(f"{block.name}: {block.kind.replace('_', ' ')}, output "
                             f"{shape_text(activation.shape)}: {channels} {what}{shown}, "
                             "each scaled to its own range (yellow = strong, dark = weak).")
        self.prev_button.setEnabled(self.block_combo.currentIndex() > 0)
        self.next_button.setEnabled(self.block_combo.currentIndex() < self.block_combo.count() - 1)

    # --- Grad-CAM ---------------------------------------------------------
    def show_gradcam(self) -> None:
        block, class_index = self.current_block(), self.class_combo.currentData()
        if block is None or class_index is None:
            return
        self.caption.setText(f"Grad-CAM at {block.name}…")
        worker = JobWorker(gradcam_at, self.explorer, self.rgb, class_index, block.name)
        worker.succeeded.connect(self._cam_ready)
        worker.failed.connect(self.caption.setText)
        self._cam_slot.start(worker)

    def _cam_ready(self, overlay) -> None:
        base = to_pixmap(self.rgb).toImage().convertToFormat(QImage.Format_ARGB32)
        painter = QPainter(base)
        painter.drawImage(0, 0, to_pixmap(overlay).toImage())
        painter.end()
        self.input_view.show_pixmap(QPixmap.fromImage(base))
        self.caption.setText(f"Grad-CAM for '{self.class_combo.currentText()}' at "
                             f"{self.current_block().name}: red where that class's evidence is.")

    def shutdown(self) -> None:
        for slot in (self._model_slot, self._image_slot, self._maps_slot, self._cam_slot):
            slot.shutdown()

