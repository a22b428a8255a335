"""A confusion-matrix heat map whose cells can be clicked (or chosen with the keys)."""
from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

HIT, MISS = QColor("#1a73e8"), QColor("#d93025")
MIN_CELL, MAX_CELL = 28, 64


class ConfusionMatrix(QWidget):
    """Rows are true classes, columns predicted ones; colour is the share of the row.

    ``cell_clicked(true_index, predicted_index)`` when a cell is clicked or
    Enter is pressed on the current cell (arrow keys move it).
    """

    cell_clicked = Signal(int, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._names: list[str] = []
        self._counts: list[list[int]] = []
        self.current: tuple[int, int] | None = None
        self.setFocusPolicy(Qt.StrongFocus)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumSize(200, 160)

    def set_matrix(self, class_names, counts) -> None:
        self._names = list(class_names)
        self._counts = [list(map(int, row)) for row in counts]
        self.current = None
        self.updateGeometry()
        self.update()

    def counts(self) -> list[list[int]]:
        return [list(row) for row in self._counts]

    # --- geometry ---------------------------------------------------------
    def _label_width(self) -> int:
        metrics = self.fontMetrics()
        return min(160, max([metrics.horizontalAdvance(n) for n in self._names] + [40]) + 12)

    def _grid(self) -> tuple[float, float, float]:
        """(left, top, cell size) of the matrix inside the widget."""
        n = max(1, len(self._names))
        line = self.fontMetrics().height()
        left, top = self._label_width() + line + 4, 2 * line + 8
        cell = min((self.width() - left - 4) / n, (self.height() - top - 4) / n, MAX_CELL * 2)
        return left, top, max(8.0, cell)

    def cell_rect(self, row: int, column: int) -> QRectF:
        left, top, cell = self._grid()
        return QRectF(left + column * cell, top + row * cell, cell, cell)

    def cell_at(self, point) -> tuple[int, int] | None:
        left, top, cell = self._grid()
        column, row = int((point.x() - left) // cell), int((point.y() - top) // cell)
        n = len(self._names)
        return (row, column) if 0 <= row < n and 0 <= column < n and point.x() >= left \
            and point.y() >= top else None

    def sizeHint(self) -> QSize:
        n = max(1, len(self._names))
        line = self.fontMetrics().height()
        return QSize(int(self._label_width() + line + 8 + n * MIN_CELL * 1.5),
                     int(2 * line + 12 + n * MIN_CELL * 1.5))

    # --- input ------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        cell = self.cell_at(event.position())
        if cell is not None:
            self.choose(*cell)

    def keyPressEvent(self, event) -> None:
        moves = {Qt.Key_Left: (0, -1), Qt.Key_Right: (0, 1), Qt.Key_Up: (-1, 0),
                 Qt.Key_Down: (1, 0)}
        n = len(self._names)
        if event.key() in moves and n:
            row, column = self.current or (0, 0)
            dr, dc = moves[event.key()]
            self.current = (min(n - 1, max(0, row + dr)), min(n - 1, max(0, column + dc)))
            self.update()
        elif event.key() in (Qt.Key_Return, Qt.Key_Enter, Qt.Key_Space) and self.current:
            self.choose(*self.current)
        else:
            super().keyPressEvent(event)

    def choose(self, row: int, column: int) -> None:
        self.current = (row, column)
        self.update()
        self.cell_clicked.emit(row, column)

    # --- painting ---------------------------------------------------------
    def paintEvent(self, event) -> None:
        if not self._names:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        text = self.palette().color(QPalette.WindowText)
        left, top, cell = self._grid()
        n, line = len(self._names), self.fontMetrics().height()
        painter.setPen(text)
        painter.drawText(QRectF(left, 0, n * cell, line), Qt.AlignCenter, "predicted class")
        painter.save()
        painter.translate(line, top + n * cell / 2)
        painter.rotate(-90)
        painter.drawText(QRectF(-n * cell / 2, -line, n * cell, line), Qt.AlignCenter,
                         "true class")
        painter.restore()
        for i, name in enumerate(self._names):
            metrics = painter.fontMetrics()
            short = metrics.elidedText(name, Qt.ElideRight, int(cell) - 2)
            painter.drawText(QRectF(left + i * cell, line + 4, cell, line), Qt.AlignCenter, short)
            label = metrics.elidedText(name, Qt.ElideRight, self._label_width() - 8)
            painter.drawText(QRectF(line + 4, top + i * cell, self._label_width() - 8, cell),
                             Qt.AlignRight | Qt.AlignVCenter, label)
        for row, counts in enumerate(self._counts):
            total = max(1, sum(counts))
            for column, count in enumerate(counts):
                self._paint_cell(painter, row, column, count, count / total)

    def _paint_cell(self, painter, row, column, count, share) -> None:
        rect = self.cell_rect(row, column).adjusted(1, 1, -1, -1)
        colour = QColor(HIT if row == column else MISS)
        colour.setAlphaF(0.08 + 0.92 * share if count else 0.03)
        painter.setPen(Qt.NoPen)
        painter.setBrush(colour)
        painter.drawRect(rect)
        painter.setPen(QColor("white") if share > 0.55 else
                       self.palette().color(QPalette.WindowText))
        painter.drawText(rect, Qt.AlignCenter, str(count))
        if self.current == (row, column):
            painter.setPen(QPen(self.palette().color(QPalette.Highlight), 3))
            painter.setBrush(Qt.NoBrush)
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
