"""GUI fixtures: a main window with private settings, and no thread left behind."""
from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QSettings, QThread


@pytest.fixture(autouse=True)
def no_threads_left(monkeypatch):
    """Fail a test that leaves a QThread or a Python thread running.

    Every QThread started from Python during the test is recorded (which also
    keeps it alive, so none is destroyed while running).
    """
    started: list[QThread] = []
    original_start = QThread.start

    def recording_start(self, *args):
        started.append(self)
        return original_start(self, *args)

    monkeypatch.setattr(QThread, "start", recording_start)
    before = set(threading.enumerate())
    yield
    running = [t for t in started if not t.wait(3000)]
    leftover = [t for t in set(threading.enumerate()) - before
                if not isinstance(t, threading._DummyThread) and (t.join(3) or t.is_alive())]
    assert not running, f"QThreads still running after the test: {running}"
    assert not leftover, f"threads still running after the test: {leftover}"


@pytest.fixture
def settings(tmp_path):
    """QSettings in a temporary ini file: tests never touch the user's settings."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)


def use_predictor(window, predictor, ref: str = "EfficientNetLite0") -> None:
    """Make ``predictor`` the window's model as ModelState does when a load finishes."""
    window.models.ref, window.models.predictor = ref, predictor
    window.models.changed.emit(predictor)


@pytest.fixture
def bare_window(qtbot, settings):
    """A MainWindow with no model loaded yet."""
    from gui.main_window import MainWindow

    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.resize(1100, 760)
    window.show()
    yield window
    window.close()  # stops every panel's jobs and waits for them


@pytest.fixture
def window(bare_window, default_predictor):
    """A MainWindow whose model is the session's EfficientNet-Lite0."""
    use_predictor(bare_window, default_predictor)
    return bare_window
