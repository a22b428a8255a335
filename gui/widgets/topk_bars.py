"""Top-k predictions as labelled confidence bars."""
from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

ROW_HEIGHT = 34
BAR_HEIGHT = 10
UNKNOWN = "unknown"


class TopKBars(QWidget):
    """Paints one row per prediction: the label and percentage above a bar, and
    under them the name of the model that gave the answer. The chosen row (the
    first unless ``choose`` says otherwise) is in bold; a click on a row emits
    ``clicked`` with its label."""

    clicked = Signal(str)

    def __init__(self, parent=None, placeholder: str = "No predictions yet."):
        super().__init__(parent)
        self._rows: list[tuple[str, float]] = []
        self._chosen = 0
        self._model = ""
        self._placeholder = placeholder
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Minimum)
        self.setMinimumWidth(220)

    def set_predictions(self, predictions, model: str = "") -> None:
        """``predictions``: objects with ``label`` and ``score`` (0..1), best first;
        ``model``: the name of the model that made them, shown under the bars."""
        rows = [(p.label, float(p.score)) for p in predictions]
        if len(rows) != len(self._rows):
            self.updateGeometry()  # only a new row count changes the layout
        self._rows, self._model = rows, model if rows else ""
        self._chosen = 0
        self.update()

    def choose(self, label: str) -> None:
        """Show the row of ``label`` in bold (no row when it is not shown)."""
        self._chosen = self.labels().index(label) if label in self.labels() else -1
        self.update()

    def row_at(self, y: float) -> str | None:
        """The label of the row at height ``y`` (widget pixels), or None."""
        n = int((y - 4) // ROW_HEIGHT)
        return self._rows[n][0] if y >= 4 and n < len(self._rows) else None

    def mousePressEvent(self, event) -> None:
        label = self.row_at(event.position().y())
        if label is not None:
            self.clicked.emit(label)
        super().mousePressEvent(event)

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.update()

    def clear(self) -> None:
        self.set_predictions([])

    def labels(self) -> list[str]:
        return [label for label, _ in self._rows]

    def caption(self) -> str:
        """The line under the bars naming the model ("" when none is named)."""
        return f"Answer of {self._model}" if self._model else ""

    def sizeHint(self) -> QSize:
        return QSize(260, self._height())

    def minimumSizeHint(self) -> QSize:
        return QSize(220, self._height())

    def _height(self) -> int:
        return max(1, len(self._rows)) * ROW_HEIGHT + 8 + (ROW_HEIGHT // 2 if self._model else 0)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        palette = self.palette()
        if not self._rows:
            painter.setPen(palette.color(QPalette.PlaceholderText))
            painter.drawText(self.rect().adjusted(4, 4, -4, -4), Qt.AlignLeft | Qt.TextWordWrap,
                             self._placeholder)
            return
        width = self.width() - 8
        metrics = painter.fontMetrics()
        highlight = palette.color(QPalette.Highlight)
        for n, (label, score) in enumerate(self._rows):
            top = 4 + n * ROW_HEIGHT
            text_rect = QRectF(4, top, width, metrics.height())
            percent = f"{score * 100:.1f}%"
            painter.setPen(palette.color(QPalette.WindowText))
            font = painter.font()
            font.setBold(n == self._chosen)
            painter.setFont(font)
            name = painter.fontMetrics().elidedText(
                label, Qt.ElideRight, int(width - metrics.horizontalAdvance(percent) - 12))
            painter.drawText(text_rect, Qt.AlignLeft | Qt.AlignVCenter, name)
            painter.drawText(text_rect, Qt.AlignRight | Qt.AlignVCenter, percent)
            bar = QRectF(4, top + metrics.height() + 3, width, BAR_HEIGHT)
            painter.setPen(Qt.NoPen)
            painter.setBrush(palette.color(QPalette.Midlight))
            painter.drawRoundedRect(bar, 3, 3)
            colour = QColor("#9e9e9e") if label == UNKNOWN else highlight
            if n > 0:
                colour = colour.lighter(130)
            painter.setBrush(colour)
            painter.drawRoundedRect(QRectF(bar.x(), bar.y(), max(2.0, width * score), BAR_HEIGHT),
                                    3, 3)
        if self._model:
            font = painter.font()
            font.setBold(False)
            painter.setFont(font)
            painter.setPen(palette.color(QPalette.PlaceholderText))
            caption = QRectF(4, 4 + len(self._rows) * ROW_HEIGHT, width, metrics.height())
            painter.drawText(caption, Qt.AlignLeft | Qt.AlignVCenter,
                             metrics.elidedText(self.caption(), Qt.ElideRight, int(width)))
