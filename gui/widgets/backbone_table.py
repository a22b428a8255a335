"""The registry as a sortable table: one row per backbone, shared by the
Models tab and the wizard's Backbone page."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

from core.models import backbones, weights

from .tables import style_row_table

BASE_COLUMNS = ("Backbone", "Family", "Input", "Parameters", "ImageNet top-1", "GMACs", "Size")
SPEED_COLUMN = "Speed here"
TAIL_COLUMNS = ("Weights", "When to use it")


class SortItem(QTableWidgetItem):
    """A read-only cell shown as ``text`` and sorted by ``key``."""

    def __init__(self, text: str, key=None):
        super().__init__(text)
        self.key = text.lower() if key is None else key
        self.setFlags(Qt.ItemIsSelectable | Qt.ItemIsEnabled)

    def __lt__(self, other) -> bool:
        try:
            return self.key < other.key
        except TypeError:
            return str(self.key) < str(other.key)


def _size_text(spec) -> str:
    return f"{spec.size_mb:.0f} MB" if spec.size_mb >= 1 else f"{spec.size_mb:.2f} MB"


class BackboneTable(QTableWidget):
    """Every backbone with its numbers; ``status_words`` names each weights status."""

    def __init__(self, status_words: dict, show_speed: bool = False, checkable: bool = False,
                 parent=None):
        self.columns = BASE_COLUMNS + ((SPEED_COLUMN,) if show_speed else ()) + TAIL_COLUMNS
        super().__init__(0, len(self.columns), parent)
        self.status_words, self.show_speed = status_words, show_speed
        self.checkable = checkable  # a tick box per row (the backbones to compare)
        self.architecture_speeds: dict = {}  # measured with random weights
        style_row_table(self, self.columns)

    def refresh(self, speeds: dict | None = None, marked: str | None = None,
                mark: str = "") -> None:
        """Rebuild the rows (weights status, speeds), keeping the selection.

        The row of backbone ``marked`` is bold and its name followed by ``mark``.
        Rows stay in registry order (families, oldest first) until a header is clicked.
        """
        selected, ticked = self.selected(), set(self.ticked())
        self.setSortingEnabled(False)
        self.setRowCount(0)
        for spec in backbones.all_backbones():
            self._add_row(spec, (speeds or {}).get(spec.name), spec.name == marked, mark)
            if self.checkable:
                item = self.item(self.rowCount() - 1, 0)
                item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
                item.setCheckState(Qt.Checked if spec.name in ticked else Qt.Unchecked)
        self.horizontalHeader().setSortIndicator(-1, Qt.AscendingOrder)
        self.setSortingEnabled(True)
        if selected is not None:
            self.select(selected.name)

    def _add_row(self, spec, speed, is_marked: bool, mark: str) -> None:
        status = weights.status(spec)
        cells = [SortItem(spec.name + (mark if is_marked else ""), spec.name.lower()),
                 SortItem(spec.family),
                 SortItem(f"{spec.input_size} px", spec.input_size),
                 SortItem(f"{spec.params / 1e6:.1f} M", spec.params),
                 SortItem(f"{spec.top1:.1f}%" if spec.top1 else "—", spec.top1 or 0.0),
                 SortItem(f"{spec.gmacs:.2f}", spec.gmacs),
                 SortItem(_size_text(spec), spec.size_mb)]
        if self.show_speed:
            cells.append(self._speed_cell(spec, speed))
        cells += [SortItem(self.status_words[status], status), SortItem(spec.use_case)]
        cells[0].setData(Qt.UserRole, spec.name)
        cells[-1].setToolTip(spec.use_case)
        if is_marked:
            font = QFont(cells[0].font())
            font.setBold(True)
            for cell in cells:
                cell.setFont(font)
        row = self.rowCount()
        self.insertRow(row)
        for column, cell in enumerate(cells):
            self.setItem(row, column, cell)

    def _speed_cell(self, spec, speed) -> SortItem:
        if speed:
            return SortItem(f"{speed:.0f} images/s", speed)
        architecture = self.architecture_speeds.get(spec.name)
        if architecture:
            item = SortItem(f"{architecture:.0f} images/s (architecture only)", architecture)
            item.setToolTip("Measured with random weights: its weights are not on this "
                            "computer, but the same operations run at the same speed.")
            return item
        return SortItem("not run yet", 0.0)

    def select(self, name: str) -> bool:
        """Select ``name``'s row; False when no row has that backbone."""
        for row in range(self.rowCount()):
            if self.item(row, 0).data(Qt.UserRole) == name:
                self.selectRow(row)
                self.scrollToItem(self.item(row, 0))
                return True
        return False

    def ticked(self) -> list[str]:
        """Names of the ticked backbones, in table order (empty unless ``checkable``)."""
        if not self.checkable:
            return []
        return [self.item(r, 0).data(Qt.UserRole) for r in range(self.rowCount())
                if self.item(r, 0).checkState() == Qt.Checked]

    def set_ticked(self, names) -> None:
        names = set(names)
        for r in range(self.rowCount()):
            item = self.item(r, 0)
            item.setCheckState(Qt.Checked if item.data(Qt.UserRole) in names else Qt.Unchecked)

    def selected(self):
        """The selected backbone's registry entry, or None."""
        rows = self.selectionModel().selectedRows()
        if not rows:
            return None
        return backbones.get(self.item(rows[0].row(), 0).data(Qt.UserRole))
