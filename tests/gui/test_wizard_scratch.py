"""LeNet-5 in the wizard: trained from scratch, with defaults that learn, and an honest Evaluate page."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from gui.wizard.evaluate_page import CELL_TAB, headline
from gui.wizard.wizard import EVALUATE, SETTINGS, TRAIN
from tests import fashion
from tests.gui.test_wizard import import_tree

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
    result = SimpleNamespace(best_epoch=2, history={"loss": [1, 1, 1]}, threshold=threshold)
    return result, evaluation


def test_headline_threshold_wording_and_near_chance_warning():
    text = headline(*_result(1.0, 0.0, wrong=0))
    assert "under 0.0%" not in text and "no “unknown” threshold" in text
    assert "under 42.0% will be called “unknown”" in headline(*_result(0.9, 0.42))
    assert "Near chance" in headline(*_result(0.4, 0.0))  # 3 classes: chance is 33%
    assert "Near chance" not in headline(*_result(0.8, 0.0))


def test_try_it_gives_the_new_models_answer_before_saving(bare_window, qtbot, tmp_path):
    """Evaluate's Try it tab runs the trained (unsaved) model on a dropped image."""
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    from core.dataset import load_folder
    from core.training import TrainConfig, train

    fashion.write_tree(tmp_path / "tree", 12, seed=4, classes=("bag", "trouser"))
    items, names = load_folder(tmp_path / "tree")
    result = train(items, names, TrainConfig(backbone="LeNet5", epochs=15, patience=0))
    page = bare_window.teach.new_model().evaluate_page
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
