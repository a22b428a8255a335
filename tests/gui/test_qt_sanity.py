"""The Qt binding itself: reference-count faults that crash the app after minutes of use.

PySide6 6.12.0 on CPython 3.11 drops one reference to ``True`` on every
``Signal.emit()`` made from Python, and one reference to ``None`` on every
call of a method returning void (``QLabel.setText``, ``QWidget.update``...).
The Live panel makes a few of each per frame, so at 30 frames/s the counts
reach zero after roughly ten minutes and the interpreter aborts
("bool_dealloc" / "none_dealloc"). PySide6 6.11.3 is fine, and from CPython
3.12 both objects are immortal. Fix: pin PySide6 below 6.12, or Python 3.12+.
"""
from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel

CALLS = 50  # few enough not to abort a process whose counts are already low


class _Emitter(QObject):
    changed = Signal(object)


def test_emitting_a_signal_keeps_the_count_of_true():
    emitter = _Emitter()
    emitter.changed.connect(lambda value: None)
    before = sys.getrefcount(True)
    for n in range(CALLS):
        emitter.changed.emit(n)
    assert sys.getrefcount(True) >= before - 10


def test_calling_a_void_method_keeps_the_count_of_none(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for n in range(CALLS):
        label.setText(str(n))
    assert sys.getrefcount(None) >= before - 10
