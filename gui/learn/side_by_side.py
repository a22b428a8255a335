"""Two architectures side by side, stage beside stage, with their totals compared."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QGridLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.learn.layout import aligned, compare_rows

from .arch_view import ArchitectureView
from .picker import ArchitectureLoader, ModelPicker


class SideBySidePage(QWidget):
    """Pick two models; each stage (56×56, 28×28, ...) starts at the same height in both."""

    def __init__(self, cache: dict, parent=None):
        super().__init__(parent)
        self.pickers = [ModelPicker("VGG16"), ModelPicker("ResNet50")]
        self.loaders = [ArchitectureLoader(cache, self), ArchitectureLoader(cache, self)]
        self.views = [ArchitectureView(), ArchitectureView()]
        self.archs = [None, None]
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["", "left", "right"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.table.setMaximumHeight(170)
        self.status = QLabel("Stages are aligned by resolution; click blocks to open them.")
        grid = QGridLayout()
        splitter = QSplitter()
        for i in range(2):
            grid.addWidget(self.pickers[i], 0, i)
            splitter.addWidget(self.views[i])
            self.views[i].relayout = self._relayout
            self.views[i].show_stages = True
            self.pickers[i].chosen.connect(lambda ref, i=i: self.show_model(i, ref))
            self.loaders[i].loaded.connect(lambda ref, arch, i=i: self._loaded(i, arch))
            self.loaders[i].failed.connect(self.status.setText)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.table)
        layout.addWidget(self.status)
        left, right = (v.verticalScrollBar() for v in self.views)
        left.valueChanged.connect(right.setValue)
        right.valueChanged.connect(left.setValue)

    def show_models(self, left: str, right: str) -> None:
        self.show_model(0, left)
        self.show_model(1, right)

    def show_model(self, i: int, ref: str) -> None:
        self.pickers[i].set_ref(ref)
        self.status.setText(f"Building {ref}…")
        self.loaders[i].load(ref)

    def _loaded(self, i: int, arch) -> None:
        self.archs[i] = arch
        self.views[i].arch = arch
        self.views[i].expanded = set()
        self._relayout()
        if all(self.archs):
            self._fill_table()
            self.status.setText("Stages are aligned by resolution; click blocks to open them.")

    def _relayout(self) -> None:
        ready = [i for i in range(2) if self.archs[i] is not None]
        lays = aligned([self.archs[i] for i in ready], [self.views[i].expanded for i in ready])
        for i, lay in zip(ready, lays):
            self.views[i].show_layout(lay)

    def _fill_table(self) -> None:
        rows = compare_rows(self.archs)
        self.table.setHorizontalHeaderLabels(["", self.archs[0].name, self.archs[1].name])
        self.table.setRowCount(len(rows))
        for r, (what, values) in enumerate(rows):
            for c, text in enumerate([what, *values]):
                self.table.setItem(r, c, QTableWidgetItem(text))

    def shutdown(self) -> None:
        for loader in self.loaders:
            loader.shutdown()
