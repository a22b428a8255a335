"""No stale screens: after a model switch or a failure, no panel shows the old answer."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.gui.conftest import NoCamera, use_predictor


@pytest.fixture
def other_model(default_predictor):
    """A second model for the switch: the same network under another name."""
    other = copy.copy(default_predictor)
    other.description = "Another model (test)"
    return other


def test_live_clears_on_a_model_switch_until_the_next_frame(window, video, qtbot,
                                                            other_model):
    live = window.classify.live
    window.classify.show(live)
    with qtbot.waitSignal(live.source_ended, timeout=15000):
        live.start_source(video)
    assert live.bars.labels() and live.view.image() is not None  # the last frame stays
    use_predictor(window, other_model, "other")
    assert live.bars.labels() == [] and live.view.image() is None and live.stats.text() == ""
    assert live.last_result is None
    shown = []
    live.frame_shown.connect(shown.append)
    with qtbot.waitSignal(live.source_ended, timeout=15000):
        live.start_source(video)
    assert shown and all(r.predictor is other_model for r in shown)  # only the new model's


def test_live_clears_when_the_camera_fails(window, video, qtbot):
    from core.classify.camera import Capture

    live = window.classify.live
    with qtbot.waitSignal(live.source_ended, timeout=15000):
        live.start_source(video)
    assert live.bars.labels()

    live.make_capture = lambda source: Capture(source, opener=NoCamera)
    with qtbot.waitSignal(live.source_ended, timeout=5000):
        qtbot.mouseClick(live.camera_button, Qt.LeftButton)
    assert live.bars.labels() == [] and live.view.image() is None
    assert "could not be opened" in live.message.text()


def test_image_is_classified_again_by_the_new_model(window, photos, qtbot, other_model):
    panel = window.classify.image
    with qtbot.waitSignal(panel.classified, timeout=20000):
        panel.open(photos["coffee"])
    assert "classified by EfficientNet" in panel.message.text()
    with qtbot.waitSignal(panel.classified, timeout=20000):
        use_predictor(window, other_model, "other")
        assert panel.bars.labels() == []  # nothing of the old answer while the new one runs
    assert panel.message.text().endswith("classified by Another model (test).")
    assert panel.bars.labels()[0] == "espresso"


def test_models_tab_shows_the_selected_rows_message_only(window, qtbot, monkeypatch):
    panel = window.classify.models_panel

    def offline(spec, progress, should_stop):
        raise RuntimeError(f"Could not download {spec.name}'s weights: no connection.")

    monkeypatch.setattr("gui.classify.models_panel.download_for_backbone", offline)
    panel.select("VGG16")
    with qtbot.waitSignal(panel.message_changed, timeout=5000,
                          check_params_cb=lambda m: "Could not download" in m):
        qtbot.mouseClick(panel.download_button, Qt.LeftButton)
    panel.select("ResNet50")
    assert "VGG16" not in panel.message.text()
    panel.select("VGG16")  # its own news comes back with it
    assert panel.message.text() == "Could not download VGG16's weights: no connection."


def test_folder_rows_name_their_model_and_clear_on_a_model_switch(window, photo_folder, qtbot,
                                                                  other_model, tmp_path):
    from gui.classify.results_model import CLASS, FILE, MODEL
    from tests.gui.conftest import classify

    panel = window.classify.folder
    window.classify.show(panel)
    classify(panel, qtbot, photo_folder)
    proxy = panel.proxy
    assert proxy.headerData(MODEL, Qt.Horizontal) == "Model"
    assert {proxy.index(r, MODEL).data() for r in range(proxy.rowCount())} == {
        "EfficientNetLite0 (ImageNet)"}

    # Under the "unknown" threshold a row keeps its real top-k in the CSV, and its model.
    window.classify.options.set_threshold(0.99)
    coffee = next(r for r in range(proxy.rowCount())
                  if proxy.index(r, FILE).data() == "coffee.jpg")
    assert proxy.index(coffee, CLASS).data() == "unknown"
    assert panel.export_to(tmp_path / "rows.csv") and panel.export_to(tmp_path / "rows.json")
    import csv
    import json

    with open(tmp_path / "rows.csv", newline="") as f:
        rows = {Path(r["path"]).name: r for r in csv.DictReader(f)}
    assert rows["coffee.jpg"]["label"] == "unknown"
    assert rows["coffee.jpg"]["top_k"].startswith("espresso:")
    assert rows["coffee.jpg"]["model"] == "EfficientNetLite0 (ImageNet)"
    entries = {Path(e["path"]).name: e for e in json.loads((tmp_path / "rows.json").read_text())}
    assert entries["coffee.jpg"]["predictions"][0]["label"] == "unknown"
    assert entries["coffee.jpg"]["top_k"][0]["label"] == "espresso"
    assert entries["coffee.jpg"]["model"] == "EfficientNetLite0 (ImageNet)"

    use_predictor(window, other_model, "other")
    assert proxy.rowCount() == 0 and "were cleared" in panel.message.text()
    assert "Another model (test)" in panel.message.text()


def test_image_and_live_answers_name_their_model(window, photos, video, qtbot, other_model):
    image = window.classify.image
    with qtbot.waitSignal(image.classified, timeout=20000):
        image.open(photos["coffee"])
    assert image.bars.caption() == "Answer of EfficientNetLite0 (ImageNet)"
    with qtbot.waitSignal(image.classified, timeout=20000):
        use_predictor(window, other_model, "other")
    assert image.bars.caption() == "Answer of Another model (test)"

    live = window.classify.live
    with qtbot.waitSignal(live.source_ended, timeout=15000):
        live.start_source(video)
    assert live.bars.labels() and live.bars.caption() == "Answer of Another model (test)"
