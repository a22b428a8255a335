"""Top-k and the "unknown" threshold, shared by the Live, Folder and Image panels."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QSpinBox, QWidget


class ClassifyOptions(QWidget):
    """Two spin boxes remembered in the window's QSettings; ``changed`` on any edit."""

    changed = Signal()

    def __init__(self, settings, parent=None):
        super().__init__(parent)
        self.settings = settings
        self.k_box = QSpinBox()
        self.k_box.setRange(1, 10)
        self.k_box.setValue(int(settings.value("classify/top_k", 5)))
        self.k_box.setToolTip("How many of the best classes to show for each image")
        self.threshold_box = QDoubleSpinBox()
        self.threshold_box.setRange(0.0, 0.99)
        self.threshold_box.setSingleStep(0.05)
        self.threshold_box.setDecimals(2)
        self.threshold_box.setValue(float(settings.value("classify/threshold", 0.0)))
        self.threshold_box.setToolTip(
            "Call an image \"unknown\" when its best score is below this (0 = never)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        for widget in (QLabel("Top-k"), self.k_box, QLabel("  Unknown below"), self.threshold_box):
            layout.addWidget(widget)
        self.k_box.valueChanged.connect(self._changed)
        self.threshold_box.valueChanged.connect(self._changed)

    @property
    def k(self) -> int:
        return self.k_box.value()

    @property
    def threshold(self) -> float:
        return self.threshold_box.value()

    def set_threshold(self, value: float) -> None:
        self.threshold_box.setValue(value)

    def _changed(self) -> None:
        self.settings.setValue("classify/top_k", self.k)
        self.settings.setValue("classify/threshold", self.threshold)
        self.changed.emit()
