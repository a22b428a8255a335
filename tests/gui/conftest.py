"""GUI fixtures: a main window with private settings, no thread left behind, a folder
of photos and a video for the classify panels (and the helpers that drive them)."""
from __future__ import annotations

import shutil
import threading

import cv2
import pytest
from PySide6.QtCore import QSettings, QThread

from core.images.decode import load_rgb


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


@pytest.fixture(autouse=True)
def cameras_unlisted(monkeypatch):
    """Live offers cameras 0-9, as where they cannot be listed (tests that need none say so)."""
    from gui.classify.live_panel import LivePanel

    monkeypatch.setattr(LivePanel, "find_cameras", staticmethod(lambda: None))


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


@pytest.fixture(scope="module")
def photo_folder(photos, tmp_path_factory):
    """The session's photos and one corrupt "broken.jpg", in one folder."""
    root = tmp_path_factory.mktemp("folder_panel")
    for path in photos.values():
        shutil.copy(path, root / path.name)
    (root / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")
    return root


@pytest.fixture(scope="module")
def video(photos, tmp_path_factory):
    """mp4v video: coffee for 15 frames, then chelsea for 15, at 30 fps."""
    path = tmp_path_factory.mktemp("live") / "photos.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (320, 240))
    assert writer.isOpened()
    for name in ("coffee", "chelsea"):
        bgr = cv2.cvtColor(cv2.resize(load_rgb(photos[name]), (320, 240)), cv2.COLOR_RGB2BGR)
        for _ in range(15):
            writer.write(bgr)
    writer.release()
    return path


def classify(panel, qtbot, folder):
    """Classify ``folder`` in the folder panel; returns its closing sentence."""
    with qtbot.waitSignal(panel.finished, timeout=60000) as done:
        panel.classify([folder])
    return done.args[0]


class NoCamera:
    """A camera device that is not there: what cv2.VideoCapture gives for it."""

    def __init__(self, source):
        pass

    def isOpened(self):
        return False

    def release(self):
        pass
