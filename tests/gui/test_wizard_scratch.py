"""LeNet-5 in the wizard: trained from scratch, with defaults that learn, and an honest
Evaluate page."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from gui.wizard.evaluate_page import CELL_TAB, headline
from gui.wizard.wizard import EVALUATE, SETTINGS, TRAIN
from tests import fashion
from tests.gui.test_wizard import import_tree, write_video

pytestmark = pytest.mark.skipif(not fashion.available(), reason="dataset-fashion-mnist missing")
CLASSES = ("pullover", "sandal", "trouser")
PER_CLASS = 20


def test_lenet5_from_scratch_with_the_wizard_defaults(bare_window, qtbot, tmp_path):
    fashion.write_tree(tmp_path / "tree", PER_CLASS, seed=21, classes=CLASSES)
    wizard = bare_window.teach.new_model()
    import_tree(wizard, qtbot, tmp_path / "tree", tmp_path / "project")
    wizard.next()
    page = wizard.backbone_page
    page.select("LeNet5")
    assert page.pretrained.isHidden()  # no "Start from ImageNet weights" to tick
    assert "trained from scratch" in page.message.text()
    wizard.next()
    assert wizard.currentId() == SETTINGS
    settings = wizard.settings_page
    assert settings.title() == "Settings: trained from scratch"
    assert settings.epochs.value() == 60 and settings.patience.value() == 15
    assert not settings.advanced_form.isRowVisible(settings.fine_tune)
    wizard.next()  # train with the default settings, untouched
    assert wizard.currentId() == TRAIN and "from scratch" in wizard.train_page.title()
    with qtbot.waitSignal(wizard.train_page.jobs.ended, timeout=240000):
        pass
    result = wizard.state.result
    assert result is not None, wizard.train_page.message.text()
    chance = 1 / len(CLASSES)
    assert result.val_accuracy >= chance + 0.3, result.history["val_accuracy"]
    # The kept epoch is the best validation accuracy, the earliest of equal ones.
    history = result.history["val_accuracy"]
    assert result.best_epoch == history.index(max(history)) + 1

    wizard.next()
    assert wizard.currentId() == EVALUATE
    evaluate = wizard.evaluate_page
    text = evaluate.headline.text()
    assert f"kept epoch {result.best_epoch} of {len(history)}" in text
    assert "best validation accuracy" in text and "Near chance" not in text
    wrong = len(result.validation.misclassified)
    assert evaluate.tabs.tabText(0) == (f"Mistakes ({wrong}), most confident first" if wrong
                                        else "No mistakes")
    evaluate.show_cell(0, 0)
    assert evaluate.tabs.tabText(1).startswith(f"'{CLASSES[0]}' predicted as")
    evaluate.initializePage()  # what a retrain's return does: every tab rebuilt
    assert evaluate.tabs.tabText(1) == CELL_TAB and evaluate.cell_grid.count() == 0


def _result(accuracy: float, threshold: float, classes: int = 3, wrong: int = 1):
    evaluation = SimpleNamespace(accuracy=accuracy, count=9, misclassified=[None] * wrong,
                                 class_names=[str(i) for i in range(classes)])
    result = SimpleNamespace(best_epoch=2, history={"loss": [1, 1, 1]}, threshold=threshold,
                             config=SimpleNamespace(backbone="LeNet5"))
    return result, evaluation


def test_headline_threshold_wording_and_near_chance_warning():
    text = headline(*_result(1.0, 0.0, wrong=0))
    assert "under 0.0%" not in text and "no “unknown” threshold" in text
    assert "under 42.0% will be called “unknown”" in headline(*_result(0.9, 0.42))
    assert "Near chance" in headline(*_result(0.4, 0.0))  # 3 classes: chance is 33%
    assert "Near chance" not in headline(*_result(0.8, 0.0))
    assert text.startswith("<b>LeNet5</b>: ")  # the model the page shows, named


def test_try_it_gives_the_new_models_answer_before_saving(bare_window, qtbot, tmp_path):
    """Evaluate's Try it tab runs the trained (unsaved) model on a dropped image, a video
    and a camera; Stop and closing the wizard end a running video."""
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    from core.classify.camera import Capture
    from core.teach.dataset import load_folder
    from core.teach.training import TrainConfig, train

    fashion.write_tree(tmp_path / "tree", 12, seed=4, classes=("bag", "trouser"))
    items, names = load_folder(tmp_path / "tree")
    result = train(items, names, TrainConfig(backbone="LeNet5", epochs=15, patience=0))
    wizard = bare_window.teach.new_model()
    page = wizard.evaluate_page
    page.state.set_result(result)
    page.try_it.set_result(result)
    probe = fashion.write_tree(tmp_path / "probe", 1, seed=99, classes=("trouser",),
                               split="t10k")["trouser"][0]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(probe))])
    drop = QDropEvent(QPointF(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    page.try_it.dropEvent(drop)
    qtbot.waitUntil(lambda: page.try_it.bars.labels() != [], timeout=20000)
    assert page.try_it.bars.labels()[0] == "trouser"  # an easy pair: the model has learned it
    assert page.try_it.message.text().startswith(probe.name)
    assert page.try_it.view.image() is not None

    # The same unseen trouser as a video: every frame classified gets the same answer.
    try_it, shown = page.try_it, []
    try_it.frame_shown.connect(shown.append)
    video = write_video(tmp_path / "trouser.avi", [probe], frames_each=30)
    with qtbot.waitSignal(try_it.source_ended, timeout=20000) as ended:
        try_it.start_source(video)
    assert "ended after 30 frames" in ended.args[0] and ended.args[0] in try_it.message.text()
    assert shown and {r.predictions[0].label for r in shown} == {"trouser"}
    assert try_it.bars.labels() == ["trouser", "bag"]  # the last frame's answer stays
    assert "frames/s" in try_it.stats.text() and not try_it.stop_button.isEnabled()

    # Stop ends a longer video at once; a camera that is not there is a sentence.
    before = len(shown)
    try_it.start_source(write_video(tmp_path / "long.avi", [probe], frames_each=300))
    qtbot.waitUntil(lambda: len(shown) > before, timeout=20000)
    assert try_it.is_running()
    try_it.stop_button.click()
    assert not try_it.is_running() and try_it.message.text() == "Stopped."
    try_it.camera_box.setValue(9)
    with qtbot.waitSignal(try_it.source_ended, timeout=20000) as ended:
        try_it.camera_button.click()
    assert ended.args[0].startswith("Camera 9 could not be opened"), ended.args[0]
    assert try_it.bars.labels() == [] and try_it.view.image() is None

    captures = []
    try_it.make_capture = lambda source: captures.append(Capture(source)) or captures[-1]
    before = len(shown)
    try_it.start_source(tmp_path / "long.avi")
    qtbot.waitUntil(lambda: len(shown) > before, timeout=20000)
    wizard.reject()  # closing the wizard waits for its threads
    assert not try_it.is_running() and not captures[0].is_alive()
