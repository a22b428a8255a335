"""Thumbnails made on a background thread, newest request first.

Views ask for the thumbnails of the rows they paint, so a folder of
thousands of photos decodes only what is on screen.
"""
from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtGui import QImage

from core.images.decode import ImageError, load_for_model

from .frame_view import qimage_from_array

MAX_WANTED = 256  # requests kept waiting: more than a screen of rows, fewer than a folder


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
