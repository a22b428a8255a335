"""Thumbnails made on a background thread, newest request first, and a grid of them.

Views ask for the thumbnails of the rows they paint, so a folder of
thousands of photos decodes only what is on screen.
"""
from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QSize, Qt, QThread, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem, QStyle

from core.images.decode import ImageError, load_for_model

from .frame_view import qimage_from_array

MAX_WANTED = 256  # requests kept waiting: more than a screen of rows, fewer than a folder
PATH_ROLE = Qt.UserRole
THUMB = 96
ICON_CACHE = 2000  # thumbnails kept per grid (a few MB); older ones are made again


class _ThumbnailThread(QThread):
    made = Signal(str, QImage)

    def __init__(self, size: int):
        super().__init__()
        self.size = size
        self._wanted: list[str] = []
        self._cond = threading.Condition()
        self._stopping = False

    def want(self, path: str) -> None:
        with self._cond:
            self._wanted.append(path)
            del self._wanted[:-MAX_WANTED]  # rows scrolled past long ago are not made
            self._cond.notify()

    def forget_all(self) -> None:
        with self._cond:
            self._wanted.clear()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify()

    def run(self) -> None:
        from ..workers import background_priority

        background_priority()
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._wanted or self._stopping)
                if self._stopping:
                    return
                path = self._wanted.pop()  # the newest request: what is on screen now
            try:
                # A 12 MP JPEG decodes at 1/8 scale here: a few ms, not 100.
                image = qimage_from_array(load_for_model(path, self.size))
            except ImageError:
                image = QImage()  # a bad file: the row shows its error instead
            self.made.emit(path, image)


class ThumbnailLoader(QObject):
    """``request(path)``; ``ready(path, QImage)`` follows (a null image for bad files)."""

    ready = Signal(str, QImage)

    def __init__(self, size: int = 48, parent=None):
        super().__init__(parent)
        self.size = size
        self._thread: _ThumbnailThread | None = None

    def request(self, path: str) -> None:
        if self._thread is None:
            self._thread = _ThumbnailThread(self.size)
            self._thread.made.connect(self.ready)
            self._thread.start(QThread.LowPriority)
        self._thread.want(path)

    def forget_requests(self) -> None:
        """Drop requests not yet served (a new folder replaces the old one)."""
        if self._thread is not None:
            self._thread.forget_all()

    def stop(self) -> None:
        """End the thread and wait for it (the panel is closing)."""
        if self._thread is not None:
            self._thread.stop()
            self._thread.wait()
            self._thread = None


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
