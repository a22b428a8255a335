"""Image panel: open or drop a photo, top-k bars, Grad-CAM overlay."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

CATS = {"tabby", "tiger cat", "Egyptian cat"}


@pytest.fixture
def panel(window):
    window.classify.show(window.classify.image)
    return window.classify.image


def test_open_shows_top_k_bars(panel, photos, qtbot):
    panel.options.k_box.setValue(3)
    with qtbot.waitSignal(panel.classified, timeout=10000) as got:
        panel.open(photos["coffee"])
    assert got.args[0].rgb.shape == (400, 600, 3)
    assert panel.bars.labels()[0] == "espresso" and len(panel.bars.labels()) == 3
    assert panel.view.image().width() == 600
    panel.options.k_box.setValue(5)  # top-k applies at once, without re-running
    assert len(panel.bars.labels()) == 5
    assert panel.settings.value("classify/top_k") in (5, "5")


def test_gradcam_overlay_toggles(panel, photos, qtbot):
    with qtbot.waitSignal(panel.classified, timeout=10000):
        panel.open(photos["coffee"])
    with qtbot.waitSignal(panel.heatmap_shown, timeout=30000):
        panel.cam_box.setChecked(True)
    assert panel.view.has_overlay()
    shown = panel.view.image()
    assert (shown.width(), shown.height()) == (600, 400)
    assert "espresso" in panel.message.text()
    panel.cam_box.setChecked(False)
    assert not panel.view.has_overlay()
    # With the box ticked, the next image gets its map straight away.
    panel.cam_box.setChecked(True)
    with qtbot.waitSignal(panel.heatmap_shown, timeout=30000):
        panel.open(photos["chelsea"])
    assert panel.view.has_overlay()
    assert panel.bars.labels()[0] in CATS


def test_a_click_on_any_bar_shows_grad_cam_for_that_class(panel, photos, qtbot):
    with qtbot.waitSignal(panel.classified, timeout=10000):
        panel.open(photos["coffee"])
    with qtbot.waitSignal(panel.heatmap_shown, timeout=30000):
        panel.cam_box.setChecked(True)
    second = panel.bars.labels()[1]
    y = 4 + 1 * 34 + 10  # inside the second row
    with qtbot.waitSignal(panel.heatmap_shown, timeout=30000):
        qtbot.mouseClick(panel.bars, Qt.LeftButton, pos=QPointF(20, y).toPoint())
    assert f"say “{second}”" in panel.message.text()
    assert panel.cam_class == list(panel._predictor.class_names).index(second)
    panel.options.k_box.setValue(3)  # the chosen class stays chosen
    assert panel.cam_class is not None
    with qtbot.waitSignal(panel.classified, timeout=10000):
        panel.open(photos["chelsea"])  # a new image starts from its best class again
    assert panel.cam_class is None


def test_dropped_image_and_a_corrupt_one(panel, photos, qtbot, tmp_path):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photos["chelsea"]))])
    with qtbot.waitSignal(panel.classified, timeout=10000):
        panel.dropEvent(QDropEvent(QPointF(5, 5), Qt.CopyAction, mime, Qt.LeftButton,
                                   Qt.NoModifier))
    assert panel.bars.labels()[0] in CATS
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n garbage")
    with qtbot.waitSignal(panel.failed, timeout=10000) as failed:
        panel.open(bad)
    assert failed.args[0] == "bad.png: not an image this app can read (corrupt or unknown format)"
    assert panel.message.text() == failed.args[0] and panel.bars.labels() == []


def test_ctrl_o_opens_an_image_from_any_tab(window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    asked = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *a, **k: asked.append(a) or ("", ""))
    window.tabs.setCurrentWidget(window.classify.models_panel)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key_O, Qt.ControlModifier)
    assert asked and asked[0][1] == "Open an image"
    assert window.classify_tabs.currentWidget() is window.classify.image


def test_threshold_turns_a_weak_guess_into_unknown(panel, photos, qtbot):
    with qtbot.waitSignal(panel.classified, timeout=10000) as got:
        panel.open(photos["astronaut"])
    best = float(np.max(got.args[0].scores))
    panel.options.set_threshold(min(0.99, best + 0.01))
    assert panel.bars.labels() == ["unknown"]
    panel.options.set_threshold(0.0)
