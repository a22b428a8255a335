"""An image view that keeps the aspect ratio, with an optional heat-map overlay."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget


def qimage_from_array(array: np.ndarray) -> QImage:
    """A QImage owning a copy of an (H, W, 3) RGB or (H, W, 4) RGBA uint8 array."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    h, w, channels = array.shape
    fmt = QImage.Format_RGBA8888 if channels == 4 else QImage.Format_RGB888
    return QImage(array.data, w, h, channels * w, fmt).copy()


class FrameView(QWidget):
    """Shows one RGB frame scaled to fit, centred on a dark background."""

    def __init__(self, placeholder: str = "", parent=None):
        super().__init__(parent)
        self._image: QImage | None = None
        self._overlay: QImage | None = None
        self._placeholder = placeholder
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumSize(320, 240)
        self.setAttribute(Qt.WA_OpaquePaintEvent)  # paintEvent covers every pixel

    def set_frame(self, rgb: np.ndarray | None, mirror: bool = False) -> None:
        if rgb is None:
            self._image = None
        else:
            self._image = qimage_from_array(rgb[:, ::-1] if mirror else rgb)
        self.update()

    def set_overlay(self, rgba: np.ndarray | None) -> None:
        """An RGBA image the frame's size drawn over it (None removes it)."""
        self._overlay = None if rgba is None else qimage_from_array(rgba)
        self.update()

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.update()

    def image(self) -> QImage | None:
        """What is shown: the frame with its overlay, at the frame's own size."""
        if self._image is None:
            return None
        if self._overlay is None:
            return self._image.copy()
        out = self._image.convertToFormat(QImage.Format_RGB32)
        painter = QPainter(out)
        painter.drawImage(out.rect(), self._overlay)
        painter.end()
        return out

    def has_overlay(self) -> bool:
        return self._overlay is not None

    def sizeHint(self) -> QSize:
        return QSize(640, 480)

    def target_rect(self) -> QRectF:
        """Where the frame is drawn inside the widget."""
        if self._image is None:
            return QRectF()
        size = self._image.size().scaled(self.size(), Qt.KeepAspectRatio)
        x = (self.width() - size.width()) / 2
        y = (self.height() - size.height()) / 2
        return QRectF(x, y, size.width(), size.height())

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#202124"))
        if self._image is None:
            painter.setPen(QColor("#c8cacc"))  # light grey on the dark backdrop, any theme
            painter.drawText(self.rect().adjusted(20, 20, -20, -20),
                             Qt.AlignCenter | Qt.TextWordWrap, self._placeholder)
            return
        painter.setRenderHint(QPainter.SmoothPixmapTransform)
        target = self.target_rect()
        painter.drawImage(target, self._image)
        if self._overlay is not None:
            painter.drawImage(target, self._overlay)
