"""The sentence a page or window has for the user, errors and outcomes alike."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel


class MessageLine(QLabel):
    """The sentence a page has for the user (errors and outcomes alike)."""

    def __init__(self, parent=None):
        super().__init__("", parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextSelectableByMouse)

    def say(self, sentence: str) -> None:
        self.setText(sentence)
