"""The comparison's results table: a sortable row per backbone, the best per column marked."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QTableWidget

from ..widgets.backbone_table import SortItem
from ..widgets.tables import style_row_table

BEST = QBrush(QColor("#d7f3dc"))
# (header, Row attribute, text format, True when higher is better, None: not ranked)
COLUMNS = (
    ("Backbone", "backbone", "{}", None),
    ("Accuracy", "val_accuracy", "{:.1%}", True),
    ("Macro F1", "macro_f1", "{:.3f}", True),
    ("Parameters", "params", "{:,}", False),
    ("Size MB", "size_mb", "{:.1f}", False),
    ("int8 MB", "size_int8_mb", "{:.1f}", False),
    ("Latency ms", "latency_ms", "{:.2f}", False),
    ("Images/s", "images_per_second", "{:.0f}", True),
    ("Embedding s", "embedding_seconds", "{:.1f}", False),
    ("Training s", "train_seconds", "{:.1f}", False),
    ("Worst class", "worst_class", "{}", None),
    ("Note", "error", "{}", None),
)
ROW_ROLE = Qt.UserRole


class ResultsTable(QTableWidget):
    """Rows of :class:`core.compare.comparison.Row`; click a header to sort. Best cells
    are bold on green."""

    def __init__(self, parent=None):
        super().__init__(0, len(COLUMNS), parent)
        style_row_table(self, [c[0] for c in COLUMNS])
        self.rows = []

    def set_rows(self, rows) -> None:
        selected = self.selected()
        self.rows = list(rows)
        self.setSortingEnabled(False)
        self.setRowCount(0)
        for row in self.rows:
            self._add(row)
        self._mark_best()
        self.setSortingEnabled(True)
        if selected is not None:
            self.select(selected.backbone)

    def _add(self, row) -> None:
        index = self.rowCount()
        self.insertRow(index)
        for column, (_, attr, fmt, _) in enumerate(COLUMNS):
            value = getattr(row, attr)
            text = "—" if value is None else fmt.format(value)
            if attr == "worst_class" and value is not None and row.worst_class_recall is not None:
                text += f" ({row.worst_class_recall:.0%} found)"
            key = value if isinstance(value, (int, float)) else (str(value or "").lower())
            if value is None and isinstance(key, str) and fmt != "{}":
                key = float("inf")  # rows without a number sort last (ascending)
            item = SortItem(text, key)
            if attr == "error" and value:
                item.setToolTip(value)
            if fmt != "{}":
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            item.setData(ROW_ROLE, row)
            self.setItem(index, column, item)

    def _mark_best(self) -> None:
        for column, (_, attr, _, higher) in enumerate(COLUMNS):
            if higher is None:
                continue
            values = [getattr(r, attr) for r in self.rows if getattr(r, attr) is not None]
            if len(values) < 2:
                continue
            best = max(values) if higher else min(values)
            for index in range(self.rowCount()):
                item = self.item(index, column)
                if getattr(item.data(ROW_ROLE), attr) == best:
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                    item.setBackground(BEST)
                    item.setToolTip("Best in this column")

    def best_cells(self) -> dict[str, str]:
        """Column header -> backbone of the cell marked best (for tests and screenshots)."""
        out = {}
        for column, (header, *_rest) in enumerate(COLUMNS):
            for index in range(self.rowCount()):
                if self.item(index, column).toolTip() == "Best in this column":
                    out[header] = self.item(index, 0).data(ROW_ROLE).backbone
        return out

    def select(self, backbone: str) -> bool:
        for index in range(self.rowCount()):
            if self.item(index, 0).data(ROW_ROLE).backbone == backbone:
                self.selectRow(index)
                return True
        return False

    def selected(self):
        """The selected :class:`core.compare.comparison.Row`, or None."""
        indexes = self.selectionModel().selectedRows() if self.selectionModel() else []
        return self.item(indexes[0].row(), 0).data(ROW_ROLE) if indexes else None
