"""Compare backbones from the Teach wizard, offscreen, on real Fashion-MNIST images."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from core.compare.comparison import CompareConfig
from core.images.decode import load_for_model
from core.runtime.loading import load_predictor
from gui.wizard.wizard import BACKBONE, EVALUATE
from tests import fashion
from tests.gui.test_wizard import CLASSES, PER_CLASS, import_tree

needs_fashion = pytest.mark.skipif(not fashion.available(),
                                   reason="dataset-fashion-mnist missing")


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    """The wizard test's images, and one unseen test image per class."""
    root = tmp_path_factory.mktemp("compare_gui")
    fashion.write_tree(root / "train", PER_CLASS, seed=5, classes=CLASSES)
    held_out = fashion.write_tree(root / "held_out", 2, seed=7, classes=CLASSES, split="t10k")
    return root / "train", held_out


@pytest.mark.slow
@needs_fashion
def test_compare_fills_table_and_plot_and_use_this_one_saves_a_bundle(
        bare_window, qtbot, trees, tmp_path):
    train_tree, held_out = trees
    wizard = bare_window.teach.new_model()
    import_tree(wizard, qtbot, train_tree, tmp_path / "project")
    wizard.next()
    page = wizard.backbone_page
    assert wizard.currentId() == BACKBONE
    page.table.set_ticked(["EfficientNetLite0", "LeNet5", "MobileNetV2"])
    assert page.table.ticked() == ["LeNet5", "EfficientNetLite0", "MobileNetV2"]  # table order
    assert page.compare_button.isEnabled() and "3" in page.compare_button.text()

    window = page.compare(config=CompareConfig(epochs=40, int8=False, scratch_epochs=15))
    with qtbot.waitSignal(window.finished, timeout=180000):
        pass
    assert window.table.rowCount() == 3, window.message.text()
    trained = [r for r in window.rows if r.backbone != "MobileNetV2"]
    assert {r.backbone for r in trained} == {"EfficientNetLite0", "LeNet5"}
    assert all(r.error is None and 0 <= r.val_accuracy <= 1 for r in trained)
    # No weights offline: a row that says so, with the way to get them; never a random model.
    assert window.table.select("MobileNetV2")
    missing = window.table.selected()
    assert missing.result is None and "not on this computer" in missing.error
    assert "MobileNetV2" in window.message.text()
    assert window.download_button.isVisibleTo(window) and not window.use_button.isEnabled()
    best = window.table.best_cells()
    assert best["Latency ms"] == "LeNet5"  # 32 px and 80 thousand weights
    assert best["Parameters"] == "LeNet5"
    assert not window.plot.pixmap().isNull() and window.plot.pixmap().width() > 300

    # Sorting by accuracy keeps every row; choosing a row shows its confusion matrix.
    window.table.sortItems(1, Qt.DescendingOrder)
    assert window.table.select("EfficientNetLite0")
    lite0 = window.table.selected()
    assert sum(map(sum, window.matrix.counts())) == sum(map(sum, lite0.evaluation["confusion"]))
    assert lite0.val_accuracy >= 0.8

    assert window.use_button.isEnabled()
    window.use_button.click()
    qtbot.waitUntil(lambda: wizard.currentId() == EVALUATE, timeout=120000)
    bundle_path = wizard.state.bundle_path
    assert bundle_path is not None and (bundle_path / "model.keras").is_file()
    assert wizard.state.result is lite0.result  # no retraining
    predictor = load_predictor(str(bundle_path))
    for name, paths in held_out.items():
        for path in paths:
            scores = predictor.predict_one(load_for_model(path, predictor.input_size))
            assert predictor.class_names[int(scores.argmax())] == name, path

    # Saved in the project: reopening shows the same rows, and "Use this one" rebuilds
    # the chosen model from the head kept in the project (no model in memory, no training).
    from gui.compare.window import CompareWindow

    again = CompareWindow(wizard.project)
    qtbot.addWidget(again)
    assert "last comparison" in again.headline.text()
    assert [r.to_dict() for r in again.rows] == [r.to_dict() for r in window.rows]
    assert again.table.select("EfficientNetLite0") and again.table.selected().result is None
    assert again.use_button.isEnabled()
    with qtbot.waitSignal(again.used, timeout=120000) as used:
        again.use_button.click()
    row, rebuilt = used.args
    assert row.result is not None and row.result is not lite0.result
    predictor = load_predictor(str(rebuilt))
    for name, paths in held_out.items():
        for path in paths:
            scores = predictor.predict_one(load_for_model(path, predictor.input_size))
            assert predictor.class_names[int(scores.argmax())] == name, path
    # "Compare again" reruns the same backbones in seconds (embeddings cached) and
    # makes the models usable again.
    qtbot.waitUntil(again.again_button.isEnabled)  # once the saving job has ended
    with qtbot.waitSignal(again.finished, timeout=120000):
        again.again_button.click()
    assert [r.backbone for r in again.rows] == [r.backbone for r in window.rows]
    assert again.table.select("EfficientNetLite0") and again.use_button.isEnabled()
    again.shutdown()
    wizard.close()


def test_teach_menu_shows_the_saved_comparison_or_asks_for_a_project(bare_window, tmp_path):
    from core.compare import comparison as compare
    from core.teach.dataset import Project

    teach = bare_window.teach
    menu = next(a.menu() for a in bare_window.menuBar().actions() if a.text() == "&Teach")
    action = next(a for a in menu.actions() if a.text() == "&Compare backbones…")
    action.trigger()
    assert bare_window.tabs.currentWidget() is teach
    box = teach.ask_box
    assert box is not None and box.isVisible() and "no project is open" in box.text()
    box.button(QMessageBox.Cancel).click()
    assert teach.ask_box is None and teach.wizard is None

    project = Project.create(tmp_path / "shoes")
    rows = [compare.Row("LeNet5", val_accuracy=0.8, macro_f1=0.79, params=61706, size_mb=0.24,
                        latency_ms=0.05, images_per_second=20000.0, input_size=32, epochs=40,
                        pretrained=False),
            compare.Row("MobileNetV2", error="MobileNetV2's weights are not on this computer.")]
    compare.save(project.root, compare.Comparison(rows, ["sandal", "sneaker"],
                                                  compare.CompareConfig()))
    teach.open_project(project.root)
    action.trigger()
    window = teach.wizard.backbone_page.compare_window
    assert window.isVisible() and "last comparison" in window.headline.text()
    assert [r.backbone for r in window.rows] == ["LeNet5", "MobileNetV2"]
    assert window.table.selected().backbone == "LeNet5"
    assert not window.use_button.isEnabled()  # this comparison kept no trained model
    assert "kept no trained model" in window.use_button.toolTip()
    teach.wizard.close()
