"""Models tab: the backbone table, switching models in the background, weights."""
from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt, QTimer

from core.models import backbones


@pytest.fixture
def panel(window):
    window.tabs.setCurrentWidget(window.classify.models_panel)
    return window.classify.models_panel


def row_of(panel, name):
    table = panel.table
    return next(r for r in range(table.rowCount()) if table.item(r, 0).data(Qt.UserRole) == name)


def cell(panel, name, column: str):
    return panel.table.item(row_of(panel, name), panel.table.columns.index(column)).text()


def test_every_backbone_has_a_row_with_its_numbers(panel, qtbot):
    assert panel.table.rowCount() == len(backbones.all_backbones())
    assert panel.table.columnCount() == len(panel.table.columns)
    assert cell(panel, "EfficientNetLite0", "Backbone") == "EfficientNetLite0 (in use)"
    assert cell(panel, "EfficientNetLite0", "Weights") == "bundled ✓"
    assert cell(panel, "ResNet50", "Parameters") == "25.6 M"
    assert cell(panel, "ResNet50", "ImageNet top-1") == "74.9%"
    assert cell(panel, "LeNet5", "Weights") == "none: train it"
    # The speed of the model in use is measured once, in the background.
    qtbot.waitUntil(lambda: cell(panel, "EfficientNetLite0", "Speed here").endswith("images/s"),
                    timeout=15000)
    assert float(cell(panel, "EfficientNetLite0", "Speed here").split()[0]) > 5


def test_a_backbone_without_weights_says_what_to_do(panel, qtbot):
    panel.select("VGG16")
    assert cell(panel, "VGG16", "Weights") == "not here: download"
    assert "VGG16's ImageNet weights are not on this computer" in panel.details.text()
    assert not panel.use_button.isEnabled() and panel.download_button.isEnabled()
    loads = []
    panel.models.loading.connect(loads.append)
    panel.use_selected()
    assert not loads and "Download them" in panel.message.text()
    panel.select("LeNet5")
    assert "no pretrained weights" in panel.details.text()
    assert not panel.import_button.isEnabled()


def test_use_this_model_loads_in_the_background(panel, window, qtbot, monkeypatch):
    """The window keeps painting while the model loads: a 10 ms timer keeps ticking."""
    monkeypatch.setenv("BACKBONE_STUDIO_INSTANT", "0")  # a load that builds the model: seconds
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(10)
    panel.select("EfficientNetLite0")
    with qtbot.waitSignal(window.models.changed, timeout=60000):
        qtbot.mouseClick(panel.use_button, Qt.LeftButton)
        assert window.models.is_loading()
    timer.stop()
    assert window.model_label.text() == "Model: EfficientNetLite0 (ImageNet)"
    assert window.runtime_label.text().startswith("Runtime: LiteRT")
    assert window.device_label.text() == "Device: CPU"
    assert len(ticks) > 10
    assert "is in use" in panel.message.text()


def test_a_failed_switch_keeps_the_model_in_use(window, qtbot):
    with qtbot.waitSignal(window.models.failed, timeout=30000) as failed:
        window.models.load("VGG16")
    assert "VGG16's ImageNet weights" in failed.args[0]
    assert window.model_label.text() == "Model: EfficientNetLite0 (ImageNet)"
    assert window.classify.models_panel.message.text() == failed.args[0]


def test_download_shows_progress_and_cancels(panel, qtbot, monkeypatch):
    from core.base.jobs import check_stop

    def fake_download(spec, progress, should_stop):
        for n in range(1000):
            check_stop(should_stop)
            progress(n / 1000, f"Downloading {spec.name}: {n} MB")
            time.sleep(0.005)

    monkeypatch.setattr("gui.classify.models_panel.download_for_backbone", fake_download)
    panel.select("VGG16")
    qtbot.mouseClick(panel.download_button, Qt.LeftButton)
    assert panel.progress.isVisible() and panel.cancel_button.isVisible()
    qtbot.waitUntil(lambda: panel.progress.value() > 0, timeout=5000)
    assert panel.message.text().startswith("Downloading VGG16")
    qtbot.mouseClick(panel.cancel_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not panel.progress.isVisible(), timeout=2000)
    assert panel.message.text() == "Download cancelled; nothing was kept."


@pytest.mark.filterwarnings("ignore:Skipping nested container")  # the wrong file, on purpose
def test_import_weights_checks_the_file_fits(panel, qtbot, tmp_path, monkeypatch):
    import keras

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    panel.refresh()
    mine = tmp_path / "my_mobilenet.weights.h5"
    keras.applications.MobileNetV2(weights=None).save_weights(str(mine))
    panel.select("MobileNetV2")
    spec = backbones.get("MobileNetV2")
    with qtbot.waitSignal(panel.message_changed, timeout=60000,
                          check_params_cb=lambda m: "ready" in m or "not fit" in m) as done:
        panel.import_file(spec, mine)
    assert done.args[0] == "MobileNetV2's weights are ready: press “Use this model”."
    assert cell(panel, "MobileNetV2", "Weights") == "downloaded ✓"
    assert panel.use_button.isEnabled()
    wrong = tmp_path / "lenet.weights.h5"
    keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)]).save_weights(str(wrong))
    with qtbot.waitSignal(panel.message_changed, timeout=60000,
                          check_params_cb=lambda m: "does not fit" in m):
        panel.import_file(backbones.get("ResNet50"), wrong)
    assert cell(panel, "ResNet50", "Weights") == "not here: download"


def test_open_model_refuses_a_plain_folder(panel, tmp_path):
    panel.open_bundle(tmp_path)
    assert "is not a saved model" in panel.message.text()


@pytest.mark.slow  # end to end, seconds: the full suite runs it
def test_a_trained_bundle_classifies_and_explains(window, photos, qtbot, tmp_path):
    """Open model… on a bundle with a (random) head: it loads, classifies, has a Grad-CAM."""
    import keras

    from core.models.build import build_feature_extractor
    from core.runtime import bundle

    features = build_feature_extractor("EfficientNetLite0")
    head = keras.layers.Dense(2, activation="softmax", name="head")(features.output)
    folder = bundle.save(tmp_path / "cups", keras.Model(features.input, head),
                         {"class_names": ["cup", "cat"], "input_size": 224,
                          "backbone": "EfficientNetLite0", "threshold": 0.0, "metrics": {}})
    with qtbot.waitSignal(window.models.changed, timeout=60000):
        window.classify.models_panel.open_bundle(folder)
    assert window.model_label.text() == "Model: cups (EfficientNetLite0)"
    image = window.classify.image
    image.cam_box.setChecked(True)
    with qtbot.waitSignal(image.heatmap_shown, timeout=60000):
        image.open(photos["coffee"])
    assert set(image.bars.labels()) == {"cup", "cat"}
    assert image.view.has_overlay()
