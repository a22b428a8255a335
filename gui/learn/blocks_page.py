"""One architecture as blocks: header with totals, the diagram, export."""
from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from core.base import faults
from core.learn.layout import totals_text

from .arch_view import ArchitectureView
from .picker import ArchitectureLoader, ModelPicker

HINT = ("Click a block to open it into its layers, click again to close it. "
        "Wheel to zoom, drag to pan. Red arcs and lines are skip connections.")


class BlocksPage(QWidget):
    def __init__(self, cache: dict, parent=None):
        super().__init__(parent)
        self.picker = ModelPicker("ResNet50")
        self.loader = ArchitectureLoader(cache, self)
        self.header = QLabel("Choose a model to see its blocks.")
        self.header.setWordWrap(True)
        self.header.setStyleSheet("font-weight: bold")
        self.view = ArchitectureView()
        self.fit_button = QPushButton("Fit")
        self.png_button = QPushButton("Export PNG…")
        self.svg_button = QPushButton("Export SVG…")
        for b in (self.png_button, self.svg_button):
            b.setEnabled(False)
        self.status = QLabel(HINT)
        self.status.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("Model:"))
        top.addWidget(self.picker, 1)
        top.addWidget(self.fit_button)
        top.addWidget(self.png_button)
        top.addWidget(self.svg_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.header)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        self.picker.chosen.connect(self.show_model)
        self.loader.loaded.connect(self._loaded)
        self.loader.failed.connect(self._failed)
        self.loader.progressed.connect(lambda f, m: self.status.setText(m))
        self.fit_button.clicked.connect(self.view.fit)
        self.png_button.clicked.connect(lambda: self._export("png"))
        self.svg_button.clicked.connect(lambda: self._export("svg"))

    def show_model(self, ref: str) -> None:
        self.picker.set_ref(ref)
        self.header.setText(f"Building {ref}… (architecture only, no weights needed)")
        self.loader.load(ref)

    def _loaded(self, ref: str, arch) -> None:
        self.header.setText(f"{arch.name}: {totals_text(arch)}")
        self.view.set_architecture(arch)
        self.status.setText(HINT)
        for b in (self.png_button, self.svg_button):
            b.setEnabled(True)

    def _failed(self, message: str) -> None:
        self.header.setText(message)
        self.status.setText(HINT)

    def _export(self, kind: str) -> None:
        arch = self.view.arch
        name = f"{arch.name}.{kind}".replace("/", "_")
        path, _ = QFileDialog.getSaveFileName(self, f"Export the diagram as {kind.upper()}",
                                              name, f"{kind.upper()} (*.{kind})")
        if not path:
            return
        try:
            (self.view.export_svg if kind == "svg" else self.view.export_png)(path)
        except OSError as exc:
            self.status.setText(faults.sentence(exc))
        else:
            self.status.setText(f"Saved {path}")

    def shutdown(self) -> None:
        self.loader.shutdown()
