"""Drag and drop of files and folders from a file manager."""
from __future__ import annotations

from pathlib import Path


def dropped_paths(mime) -> list[Path]:
    """The local files and folders in a drop's QMimeData (others are ignored)."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def accept_local_drops(event) -> None:
    """dragEnterEvent/dragMoveEvent body: accept drops that carry local paths."""
    if dropped_paths(event.mimeData()):
        event.acceptProposedAction()
    else:
        event.ignore()


class AcceptsFileDrops:
    """Mixin for a QWidget: local files and folders dropped on it are handed to
    ``self.files_dropped(paths)``; other drops are refused."""

    def dragEnterEvent(self, event) -> None:
        accept_local_drops(event)

    def dragMoveEvent(self, event) -> None:
        accept_local_drops(event)

    def dropEvent(self, event) -> None:
        paths = dropped_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.files_dropped(paths)
