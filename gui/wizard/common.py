"""Pieces every wizard page uses: a job bar, a message line, thumbnails in a grid."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QStyle,
    QWidget,
)

from ..widgets.thumbnails import ThumbnailLoader
from ..workers import JobSlot, JobWorker

PATH_ROLE = Qt.UserRole
THUMB = 96
ICON_CACHE = 2000  # thumbnails kept per grid (a few MB); older ones are made again


class MessageLine(QLabel):
    """The sentence a page has for the user (errors and outcomes alike)."""

    def __init__(self, parent=None):
        super().__init__("", parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextSelectableByMouse)

    def say(self, sentence: str) -> None:
        self.setText(sentence)


class JobBar(QWidget):
    """A progress bar, its message and a Cancel button for one job at a time.

    ``run(worker)`` starts the worker in the bar's :class:`JobSlot` (which
    cancels any job it replaces); the bar shows while a job runs.
    """

    ended = Signal()

    def __init__(self, cancel_text: str = "Cancel", parent=None):
        super().__init__(parent)
        self.slot = JobSlot(self)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.label = QLabel("")
        self.cancel_button = QPushButton(cancel_text)
        self.cancel_button.clicked.connect(self.cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.label, 2)
        layout.addWidget(self.cancel_button)
        self.hide()

    def run(self, worker: JobWorker, sentence: str = "") -> JobWorker:
        worker.progressed.connect(self._progress)
        worker.ended.connect(self._ended)
        self.bar.setValue(0)
        self.label.setText(sentence)
        self.cancel_button.setEnabled(True)
        self.show()
        return self.slot.start(worker)

    def busy(self) -> bool:
        return self.slot.is_busy()

    def cancel(self) -> None:
        """Ask the running job to stop; its own signals say when it has."""
        if self.slot.is_busy():
            self.slot.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText("Stopping…")

    def shutdown(self) -> None:
        self.slot.shutdown()

    def _progress(self, fraction: float, message: str) -> None:
        self.bar.setValue(int(fraction * 1000))
        if self.cancel_button.isEnabled():
            self.label.setText(message)

    def _ended(self) -> None:
        self.hide()
        self.ended.emit()


class ThumbnailGrid(QListWidget):
    """Image files as a grid of thumbnails made in the background.

    Each item keeps its file in ``PATH_ROLE``; an unreadable file gets a
    warning icon. Call :meth:`shutdown` before the grid goes away.
    """

    def __init__(self, size: int = THUMB, parent=None):
        super().__init__(parent)
        self.setViewMode(QListView.IconMode)
        self.setResizeMode(QListView.Adjust)
        self.setMovement(QListView.Static)
        self.setIconSize(QSize(size, size))
        self.setGridSize(QSize(size + 28, size + 34))
        self.setUniformItemSizes(True)
        self.setWordWrap(True)
        self.loader = ThumbnailLoader(size, self)
        self.loader.ready.connect(self._thumbnail_ready)
        self._items: dict[str, list[QListWidgetItem]] = {}
        self._icons: dict[str, QIcon] = {}
        blank = QPixmap(size, size)
        blank.fill(Qt.lightGray)
        self._blank = QIcon(blank)

    def set_images(self, entries) -> None:
        """``entries``: (path, caption, tooltip) triples, shown in order."""
        self.clear()
        self._items.clear()
        self.loader.forget_requests()
        for path, caption, tooltip in entries:
            self.add_image(path, caption, tooltip)

    def add_image(self, path, caption: str, tooltip: str = "") -> QListWidgetItem:
        key = str(path)
        item = QListWidgetItem(self._icons.get(key, self._blank), caption)
        item.setData(PATH_ROLE, key)
        item.setToolTip(tooltip or key)
        self.addItem(item)
        self._items.setdefault(key, []).append(item)
        if key not in self._icons:
            self.loader.request(key)
        return item

    def selected_paths(self) -> list[str]:
        return [item.data(PATH_ROLE) for item in self.selectedItems()]

    def paths(self) -> list[str]:
        return [self.item(row).data(PATH_ROLE) for row in range(self.count())]

    def _thumbnail_ready(self, path: str, image) -> None:
        if image.isNull():
            icon = self.style().standardIcon(QStyle.SP_MessageBoxWarning)
        else:
            icon = QIcon(QPixmap.fromImage(image))
        self._icons[path] = icon
        if len(self._icons) > ICON_CACHE:
            self._icons.pop(next(iter(self._icons)))
        for item in self._items.get(path, []):
            item.setIcon(icon)

    def shutdown(self) -> None:
        self.loader.stop()


def short_name(path) -> str:
    return Path(path).name


def percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
