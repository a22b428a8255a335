"""Faults the user must act on (a full or read-only disk, a denied folder)
reach one place, which shows them in a message box.

A panel still writes the sentence in its own message line; :func:`report`
also sends it to the window, which shows a non-blocking, window-modal box
saying what happened and what to do (core.base.faults words it). Job failures
that are disk faults are reported by gui.workers on the GUI thread.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class FaultHub(QObject):
    fault = Signal(str)


_hub: FaultHub | None = None


def hub() -> FaultHub:
    global _hub
    if _hub is None:
        _hub = FaultHub()
    return _hub


def report(sentence: str) -> None:
    """Tell the window about a fault the user must fix (call on the GUI thread)."""
    hub().fault.emit(sentence)


def report_if_disk_fault(exc: BaseException) -> str:
    """The sentence for ``exc``; reported as a fault when the disk is the cause."""
    from core.base import faults

    sentence = faults.sentence(exc)
    if faults.is_disk_fault(exc):
        report(sentence)
    return sentence
