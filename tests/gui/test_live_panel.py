"""Live panel: a video file written from real photos stands in for the camera."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from tests.gui.conftest import NoCamera

CATS = {"tabby", "tiger cat", "Egyptian cat"}


@pytest.fixture
def live(window):
    window.classify.show(window.classify.live)
    return window.classify.live


def test_video_frames_get_predictions_until_the_video_ends(live, video, qtbot):
    shown = []
    live.frame_shown.connect(shown.append)
    with qtbot.waitSignal(live.source_ended, timeout=15000) as ended:
        live.start_source(video)
    assert "ended after 30 frames" in ended.args[0]
    assert ended.args[0] in live.message.text()
    assert len(shown) >= 10
    assert shown[0].predictions[0].label == "espresso"
    assert shown[-1].predictions[0].label in CATS
    assert live.bars.labels()[0] in CATS  # the last frame's classes stay on screen
    assert "frames/s" in live.stats.text() and "ms per frame" in live.stats.text()
    assert not live.is_running() and not live.pause_button.isEnabled()


def test_pause_snapshot_mirror_and_stop(live, video, qtbot, tmp_path):
    live.start_source(video)
    qtbot.waitUntil(lambda: live.last_result is not None, timeout=10000)
    qtbot.keyClick(live, Qt.Key_Space)  # Space pauses
    assert live.pause_button.isChecked() and "Paused" in live.message.text()
    paused_at = live.last_result.frame.index
    live.mirror_button.setChecked(True)
    path = tmp_path / "snap.png"
    assert live.save_snapshot(path)
    saved = QImage(str(path))
    shown = live.last_result.frame.image
    assert (saved.width(), saved.height()) == (shown.shape[1], shown.shape[0])
    left = saved.pixelColor(0, 0)
    assert np.allclose([left.red(), left.green(), left.blue()], shown[0, -1], atol=2)  # mirrored
    qtbot.keyClick(live, Qt.Key_Space)  # and resumes
    qtbot.waitUntil(lambda: live.last_result.frame.index > paused_at, timeout=5000)
    with qtbot.waitSignal(live.source_ended, timeout=3000) as ended:
        qtbot.keyClick(live, Qt.Key_Escape)  # Esc stops
    assert ended.args[0] == "Stopped."


def test_space_pauses_while_the_camera_number_box_has_focus(live, video, qtbot):
    live.window().activateWindow()
    live.camera_box.setFocus()
    qtbot.waitUntil(live.camera_box.hasFocus, timeout=3000)
    live.start_source(video)
    qtbot.waitUntil(lambda: live.last_result is not None, timeout=10000)
    qtbot.keyClick(live.camera_box, Qt.Key_Space)
    assert live.pause_button.isChecked() and "Paused" in live.message.text()
    live.stop()
    qtbot.waitUntil(lambda: not live.is_running(), timeout=5000)


def test_a_missing_camera_gives_a_sentence_not_a_freeze(live, qtbot):
    from core.classify.camera import Capture

    live.make_capture = lambda source: Capture(source, opener=NoCamera)
    live.camera_box.setValue(2)
    with qtbot.waitSignal(live.source_ended, timeout=5000) as ended:
        qtbot.mouseClick(live.camera_button, Qt.LeftButton)
    assert ended.args[0].startswith("Camera 2 could not be opened")
    assert live.settings.value("live/camera") in (2, "2")


def test_without_a_model_the_panel_says_so(bare_window, video):
    live = bare_window.classify.live
    live.start_source(video)
    assert not live.is_running()
    assert "No model is ready yet" in live.message.text()


def test_without_a_camera_the_box_says_so_and_start_camera_looks_again(live, qtbot):
    live.find_cameras = lambda: []
    qtbot.mouseClick(live.camera_button, Qt.LeftButton)
    assert live.message.text().startswith("No camera found")
    assert live.camera_box.text() == "No camera found" and not live.camera_box.isEnabled()
    assert not live.is_running()
    live.find_cameras = lambda: [0, 2]  # one plugged in since (and its metadata node)
    live._offer_cameras()
    assert live.camera_box.isEnabled() and live.camera_box.maximum() == 2


def test_cameras_are_the_video_files_of_dev_on_linux(tmp_path, monkeypatch):
    import sys

    from core.classify.camera import camera_indices

    for name in ("video0", "video1", "video10", "videonot", "null"):
        (tmp_path / name).touch()
    monkeypatch.setattr(sys, "platform", "linux")
    assert camera_indices(tmp_path) == [0, 1, 10]
    assert camera_indices(tmp_path / "empty") == []
    monkeypatch.setattr(sys, "platform", "win32")
    assert camera_indices(tmp_path) is None
