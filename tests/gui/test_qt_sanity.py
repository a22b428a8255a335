"""The Qt binding itself: reference-count faults that crash the app after minutes of use.

PySide6 6.12.0 on CPython 3.11 drops one reference to ``True`` on every
``Signal.emit()`` made from Python, and one reference to ``None`` on every
call of a method returning void (``QLabel.setText``, ``QWidget.update``...).
The Live panel makes a few of each per frame, so at 30 frames/s the counts
reach zero after roughly ten minutes and the interpreter aborts
("bool_dealloc" / "none_dealloc"). PySide6 6.11.3 is fine, and from CPython
3.12 both objects are immortal. Fix: pin PySide6 below 6.12, or Python 3.12+.

What each test checks, by Python version:
- before 3.12: the count of ``True`` / ``None`` does not fall while the binding is
  called (the leak itself);
- from 3.12 (PEP 683): a dropped reference can no longer free them, and their
  counts no longer move, so the tests check what makes the leak harmless there:
  both objects are immortal (their count is pinned at a value of 2**29 or more).
"""
from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel

CALLS = 50  # few enough not to abort a process whose counts are already low
IMMORTAL_SINGLETONS = sys.version_info >= (3, 12)  # PEP 683
IMMORTAL_COUNT = 1 << 29  # CPython pins an immortal object's count at 2**30 - 1 or above


class _Emitter(QObject):
    changed = Signal(object)


def assert_not_freed_by_calls(obj, before: int) -> None:
    """``obj`` (True or None) cannot be freed by the binding's calls on this Python."""
    if IMMORTAL_SINGLETONS:
        assert sys.getrefcount(obj) >= IMMORTAL_COUNT, f"{obj} should be immortal here"
    else:
        assert sys.getrefcount(obj) >= before - 10, f"the binding leaks references to {obj}"


def test_emitting_a_signal_keeps_the_count_of_true():
    emitter = _Emitter()
    emitter.changed.connect(lambda value: None)
    before = sys.getrefcount(True)
    for n in range(CALLS):
        emitter.changed.emit(n)
    assert_not_freed_by_calls(True, before)


def test_calling_a_void_method_keeps_the_count_of_none(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for n in range(CALLS):
        label.setText(str(n))
    assert_not_freed_by_calls(None, before)
