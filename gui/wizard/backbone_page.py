"""Page 2, Backbone: the registry's table, a recommendation for this much data, image size."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QFormLayout, QHeaderView, QLabel,
                               QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWizardPage)

from core import backbones, weights

from .common import MessageLine

COLUMNS = ("Backbone", "Family", "Input", "Parameters", "ImageNet top-1", "GMACs", "Size",
           "Weights", "When to use it")
STATUS_WORDS = {"bundled": "bundled ✓", "cached": "downloaded ✓",
                "downloadable": "not here (Models tab)", "none": "none: from scratch"}
class _Item(QTableWidgetItem):
    def __init__(self, text: str, key=None):
        super().__init__(text)
        self.key = text.lower() if key is None else key
        self.setFlags(Qt.ItemIsSelectable | Qt.ItemIsEnabled)

    def __lt__(self, other) -> bool:
        return self.key < other.key


class BackbonePage(QWizardPage):
    """Pick the backbone whose frozen features the new head learns from."""

    def __init__(self, state, settings, parent=None):
        super().__init__(parent)
        self.state, self.settings = state, settings
        self.setTitle("Backbone: the pretrained network your model builds on")
        self.setSubTitle("Its ImageNet features stay frozen; only a small head learns your "
                         "classes. Bigger backbones see more but are slower.")
        self.advice = QLabel("")
        self.advice.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.Stretch)
        self.size = QSpinBox()
        self.size.setRange(32, 600)
        self.size.setSingleStep(16)
        self.size.setSuffix(" px")
        self.size.setToolTip("Images are resized to this square before the backbone sees "
                             "them; the backbone's own size is usually best.")
        self.pretrained = QCheckBox("Start from ImageNet weights (uncheck only to see what "
                                    "transfer learning buys)")
        self.pretrained.setChecked(True)
        self.message = MessageLine()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldsStayAtSizeHint)
        form.addRow("Image size", self.size)
        form.addRow("", self.pretrained)
        layout = QVBoxLayout(self)
        layout.addWidget(self.advice)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(self.message)
        self._fill()
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.pretrained.toggled.connect(self.completeChanged)

    def _fill(self) -> None:
        self.table.setSortingEnabled(False)
        for spec in backbones.all_backbones():
            row = self.table.rowCount()
            self.table.insertRow(row)
            size = f"{spec.input_size} px" if spec.input_size else "any"
            cells = [_Item(spec.name), _Item(spec.family), _Item(size, spec.input_size or 0),
                     _Item(f"{spec.params / 1e6:.1f} M", spec.params),
                     _Item(f"{spec.top1:.1f}%" if spec.top1 else "—", spec.top1 or 0.0),
                     _Item(f"{spec.gmacs:.2f}", spec.gmacs),
                     _Item(f"{spec.size_mb:.0f} MB" if spec.size_mb >= 1 else
                           f"{spec.size_mb:.2f} MB", spec.size_mb),
                     _Item("", ""), _Item(spec.use_case)]
            cells[0].setData(Qt.UserRole, spec.name)
            cells[-1].setToolTip(spec.use_case)
            for column, cell in enumerate(cells):
                self.table.setItem(row, column, cell)
        # Registry order (families, oldest first) until the user sorts by a column.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.AscendingOrder)
        self.table.setSortingEnabled(True)

    def initializePage(self) -> None:
        """Refresh weights status and the advice for the project's size."""
        count = self.state.image_count()
        name, why = backbones.recommend(count)
        self.recommended = name
        weights_column = COLUMNS.index("Weights")
        for row in range(self.table.rowCount()):
            spec = backbones.get(self.table.item(row, 0).data(Qt.UserRole))
            status = weights.status(spec)
            self.table.item(row, weights_column).setText(STATUS_WORDS[status])
            self.table.item(row, weights_column).key = status
            font = QFont(self.table.item(row, 0).font())
            font.setBold(spec.name == name)
            self.table.item(row, 0).setFont(font)
            self.table.item(row, 0).setText(f"{spec.name} (recommended)" if spec.name == name
                                            else spec.name)
        self.advice.setText(f"<b>Recommended: {name}</b> — {count} images is {why}.")
        self.select(self.settings.value("teach/backbone", name) if self.selected() is None
                    else self.selected().name)

    def select(self, name: str) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(Qt.UserRole) == name:
                self.table.selectRow(row)
                self.table.scrollToItem(self.table.item(row, 0))
                return
        if name != backbones.DEFAULT_BACKBONE:
            self.select(backbones.DEFAULT_BACKBONE)

    def selected(self):
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return backbones.get(self.table.item(rows[0].row(), 0).data(Qt.UserRole))

    def _selection_changed(self) -> None:
        spec = self.selected()
        if spec is None:
            return
        self.size.setValue(spec.input_size or 224)
        status = weights.status(spec)
        self.pretrained.setEnabled(status != "none")
        self.message.say(weights.missing_sentence(spec) if status in ("downloadable", "none")
                         else f"{spec.name}: {spec.use_case}")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        spec = self.selected()
        if spec is None:
            return False
        # Random weights need no file; pretrained ones must be here.
        return weights.status(spec) != "downloadable" or not self.pretrained.isChecked()

    def validatePage(self) -> bool:
        spec = self.selected()
        config = self.state.config
        config.backbone, config.input_size = spec.name, self.size.value()
        config.pretrained = self.pretrained.isChecked()
        self.settings.setValue("teach/backbone", spec.name)
        return True
