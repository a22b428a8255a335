"""The Folder panel's table: one row per file, sortable by score, filterable by class."""
from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QRegularExpression,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from core.classify.folder import FileResult
from core.runtime.inference import UNKNOWN

FILE, CLASS, SCORE, MODEL = range(4)
HEADERS = ("File", "Class", "Score", "Model")
SORT_ROLE = Qt.UserRole
ERROR = "unreadable"
# Thumbnails kept (48 px: about 9 kB each): a few screens of rows; others load again
# when scrolled back to, so memory stays flat for 10,000 rows (docs/PERFORMANCE.md).
KEPT_THUMBNAILS = 600


class ResultsModel(QAbstractTableModel):
    """Holds core.classify.folder.FileResult rows; the "unknown" threshold applies as
    they are shown."""

    def __init__(self, thumbnails, parent=None):
        super().__init__(parent)
        self.rows: list[FileResult] = []
        self.threshold = 0.0
        self._thumbs: OrderedDict[str, object] = OrderedDict()  # path -> QImage, LRU
        self._row_of: dict[str, int] = {}
        self._thumbnails = thumbnails
        thumbnails.ready.connect(self._thumbnail_ready)

    # --- contents ---------------------------------------------------------
    def append(self, results: list[FileResult]) -> None:
        start = len(self.rows)
        self.beginInsertRows(QModelIndex(), start, start + len(results) - 1)
        for n, result in enumerate(results, start):
            self._row_of[str(result.path)] = n
        self.rows.extend(results)
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self.rows, self._thumbs, self._row_of = [], OrderedDict(), {}
        self._thumbnails.forget_requests()
        self.endResetModel()

    def set_threshold(self, threshold: float) -> None:
        self.threshold = threshold
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, MODEL))

    def label(self, result: FileResult) -> str:
        """What the table calls a row: its class, "unknown" or "unreadable"."""
        if result.error or not result.predictions:
            return ERROR
        return self.shown(result).label

    def shown(self, result: FileResult) -> FileResult:
        """The row as exported and copied: core's "unknown" rule at the current threshold."""
        return result.with_threshold(self.threshold)

    def classes(self) -> list[str]:
        return sorted({self.label(r) for r in self.rows})

    # --- Qt model ---------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        result, column = self.rows[index.row()], index.column()
        if role == Qt.DisplayRole:
            return self._display(result, column)
        if role == SORT_ROLE:
            return self._sort_key(result, column)
        if role == Qt.DecorationRole and column == FILE:
            return self._thumbnail(str(result.path))
        if role == Qt.ToolTipRole:
            return self._tooltip(result)
        if role == Qt.ForegroundRole and column == CLASS:
            label = self.label(result)
            return QColor("#c62828") if label == ERROR else \
                QColor("#757575") if label == UNKNOWN else None
        if role == Qt.TextAlignmentRole and column == SCORE:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None

    def _display(self, result: FileResult, column: int):
        if column == FILE:
            return result.path.name
        if column == CLASS:
            return self.label(result)
        if column == MODEL:
            return result.model
        return f"{result.score * 100:.1f}%" if result.predictions else ""

    def _sort_key(self, result: FileResult, column: int):
        if column == SCORE:
            return result.score if result.predictions else -1.0
        return self._display(result, column).lower()

    def _tooltip(self, result: FileResult) -> str:
        if result.error:
            return result.error
        lines = [f"{p.label}: {p.score * 100:.1f}%" for p in result.top_k]
        return f"{result.path}\n" + "\n".join(lines) + f"\nby {result.model}"

    def _thumbnail(self, path: str):
        if path in self._thumbs:
            self._thumbs.move_to_end(path)
            return self._thumbs[path]
        self._thumbs[path] = None  # asked once; the loader answers later
        self._thumbnails.request(path)
        while len(self._thumbs) > KEPT_THUMBNAILS:  # the rows scrolled away longest ago
            self._thumbs.popitem(last=False)
        return None

    def _thumbnail_ready(self, path: str, image) -> None:
        row = self._row_of.get(path)
        if row is None or image.isNull() or path not in self._thumbs:
            return  # a cleared table, a bad file, or a row evicted since it asked
        self._thumbs[path] = image
        index = self.index(row, FILE)
        self.dataChanged.emit(index, index, [Qt.DecorationRole])


class ResultsFilter(QSortFilterProxyModel):
    """Sorts by the model's sort keys; shows one class or all of them."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(CLASS)
        self.setDynamicSortFilter(True)

    def show_class(self, label: str | None) -> None:
        """Only rows labelled ``label`` (None: every row)."""
        pattern = "" if label is None else f"^{QRegularExpression.escape(label)}$"
        self.setFilterRegularExpression(QRegularExpression(pattern))

    def visible_results(self) -> list[FileResult]:
        """The rows shown, in the order shown, as exported (threshold applied)."""
        model: ResultsModel = self.sourceModel()
        return [model.shown(model.rows[self.mapToSource(self.index(r, 0)).row()])
                for r in range(self.rowCount())]
