"""The Teach wizard driven end to end on real Fashion-MNIST images, offscreen.

Training uses the bundled EfficientNet-Lite0; the embedding cache lives in the
session's data home (tests/conftest.py), so every run after the first one
trains in seconds.
"""
from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QMessageBox, QWizard

from core.classify.camera import Capture
from core.images.decode import fit_square, load_for_model
from core.runtime import bundle
from core.runtime.inference import top_k
from core.teach.dataset import Project
from core.teach.evaluation import evaluate_model
from gui.wizard.wizard import BACKBONE, EVALUATE, SAVE, SETTINGS, TRAIN
from tests import fashion

pytestmark = pytest.mark.skipif(not fashion.available(), reason="dataset-fashion-mnist missing")
CLASSES = ("bag", "sneaker", "trouser")  # as imported: sorted by folder name
PER_CLASS = 15


@pytest.fixture(scope="module")
def fashion_tree(tmp_path_factory):
    """3 classes x 15 real Fashion-MNIST images, one sub-folder per class."""
    root = tmp_path_factory.mktemp("fashion_tree")
    fashion.write_tree(root, PER_CLASS, seed=5, classes=CLASSES)
    return root


@pytest.fixture
def wizard(bare_window):
    return bare_window.teach.new_model()


def import_tree(wizard, qtbot, tree, project_dir):
    """New project at ``project_dir``, ``tree`` imported and checked."""
    data = wizard.data_page
    data.new_project(str(project_dir))
    with qtbot.waitSignal(data.jobs.ended, timeout=60000):
        data.import_folder(str(tree))
    qtbot.waitUntil(lambda: data.warnings_title.text().startswith("Checks:"), timeout=30000)
    return data


def write_video(path, images, frames_each: int, size: int = 112):
    """An MJPG .avi at 30 fps showing each of ``images`` (files) for ``frames_each`` frames."""
    from core.images.decode import load_rgb

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, (size, size))
    assert writer.isOpened()
    for image in images:
        bgr = cv2.cvtColor(cv2.resize(load_rgb(image), (size, size)), cv2.COLOR_RGB2BGR)
        for _ in range(frames_each):
            writer.write(bgr)
    writer.release()
    return path


def go_to_training(wizard, qtbot, epochs: int):
    """From the Data page to a running training of ``epochs`` epochs."""
    wizard.next()
    assert wizard.currentId() == BACKBONE
    wizard.next()
    assert wizard.currentId() == SETTINGS
    wizard.settings_page.epochs.setValue(epochs)
    wizard.settings_page.patience.setValue(0)  # run every epoch
    wizard.next()
    assert wizard.currentId() == TRAIN and wizard.train_page.busy()


@pytest.mark.slow  # end to end, seconds: the full suite runs it
def test_import_train_evaluate_save_and_use_in_classify(bare_window, wizard, qtbot,
                                                        fashion_tree, tmp_path):
    data = import_tree(wizard, qtbot, fashion_tree, tmp_path / "project")
    assert wizard.project.counts() == {name: PER_CLASS for name in CLASSES}
    assert data.warning_messages() == []
    assert [data.classes.item(r).text() for r in range(3)] == [f"{n}  ({PER_CLASS})"
                                                             for n in CLASSES]
    assert data.grid.count() == PER_CLASS  # the first class's thumbnails
    assert wizard.button(QWizard.NextButton).isEnabled()

    go_to_training(wizard, qtbot, epochs=4)
    assert wizard.backbone_page.recommended == "EfficientNetLite0"
    train = wizard.train_page
    with qtbot.waitSignal(train.jobs.ended, timeout=150000):
        pass
    result = wizard.state.result
    assert result is not None and not result.cancelled, train.message.text()
    assert [e["epoch"] for e in train.epochs_seen] == [1, 2, 3, 4]
    assert [x for x, _ in train.curves.loss.points("train")] == [1, 2, 3, 4]
    assert len(train.curves.accuracy.points("val")) == 4
    assert train.message.text().startswith("Finished 4 epochs")

    wizard.next()
    assert wizard.currentId() == EVALUATE
    page = wizard.evaluate_page
    # core.teach.evaluation on the same model and validation images gives the same numbers
    core = evaluate_model(lambda x: result.model.predict(x, verbose=0), result.val_items,
                          result.class_names, result.config.size)
    assert page.matrix.counts() == core.confusion
    assert sum(map(sum, core.confusion)) == len(result.val_items) == 3 * 3
    assert [row[0] for row in page.table_rows()] == list(CLASSES)
    assert [row[2] for row in page.table_rows()] == [f"{c.recall * 100:.1f}%"
                                                    for c in core.classes]
    assert f"Accuracy {core.accuracy * 100:.1f}%" in page.headline.text()
    qtbot.mouseClick(page.matrix, Qt.LeftButton,
                     pos=page.matrix.cell_rect(1, 1).center().toPoint())
    in_cell = core.cell(CLASSES[1], CLASSES[1])
    assert sorted(page.cell_grid.paths()) == sorted(p.path for p in in_cell)
    assert page.tabs.currentWidget() is page.cell_grid

    # Try it: a video of real images gets the unsaved model's answers; leaving the page stops it.
    page.tabs.setCurrentWidget(page.try_it)
    try_it, captures = page.try_it, []
    try_it.make_capture = lambda source: captures.append(Capture(source)) or captures[-1]
    video = write_video(tmp_path / "try.avi", sorted((fashion_tree / "trouser").iterdir())[:2],
                        frames_each=150)  # 10 s: still playing when the page is left
    with qtbot.waitSignal(try_it.frame_shown, timeout=60000) as shown:
        try_it.start_source(video)
    # The answer is the trained Keras model's own for that frame: same crop, same threshold.
    first = shown.args[0]
    scores = np.asarray(result.model(fit_square(first.frame.image,
                                                int(result.model.input_shape[1]))[None]))[0]
    expected = top_k(scores, list(CLASSES), 5, result.threshold)
    assert [p.label for p in first.predictions] == [p.label for p in expected]
    assert np.allclose([p.score for p in first.predictions], [p.score for p in expected],
                       atol=1e-4)
    assert try_it.bars.labels() == [p.label for p in try_it.last_result.predictions]
    assert try_it.is_running() and try_it.stop_button.isEnabled()

    wizard.next()
    assert wizard.currentId() == SAVE
    assert not try_it.is_running() and try_it.message.text() == "Stopped."
    qtbot.waitUntil(lambda: not captures[0].is_alive(), timeout=5000)  # no thread left reading
    save = wizard.save_page
    target = tmp_path / "bundle"
    save.folder.setText(str(target))
    with qtbot.waitSignal(save.jobs.ended, timeout=150000):
        save.save()
    assert bundle.is_bundle(target), save.message.text()
    meta = bundle.read_meta(target)
    assert meta["class_names"] == list(CLASSES) and meta["threshold"] == result.threshold
    assert wizard.button(QWizard.FinishButton).isEnabled()

    with qtbot.waitSignal(bare_window.models.changed, timeout=120000):
        save.use_button.click()
    assert bare_window.models.ref == str(target)
    assert list(bare_window.models.predictor.class_names) == list(CLASSES)
    assert bare_window.tabs.currentWidget() is bare_window.classify_tabs


@pytest.mark.slow  # end to end, seconds: the full suite runs it
def test_stop_during_training_keeps_a_usable_model_and_the_project(wizard, qtbot,
                                                                   fashion_tree, tmp_path):
    import_tree(wizard, qtbot, fashion_tree, tmp_path / "project")
    go_to_training(wizard, qtbot, epochs=400)
    train = wizard.train_page
    qtbot.waitUntil(lambda: len(train.epochs_seen) >= 2, timeout=150000)
    with qtbot.waitSignal(train.jobs.ended, timeout=60000):
        train.stop()
    result = wizard.state.result
    assert result is not None and result.cancelled
    assert 2 <= len(result.history["loss"]) < 400
    assert train.message.text().startswith("Stopped after")
    path, name = result.val_items[0]
    scores = result.model.predict(load_for_model(path, result.config.size)[None], verbose=0)
    assert scores.shape == (1, len(CLASSES)) and np.isclose(scores.sum(), 1, atol=1e-4)
    wizard.next()  # the kept model is evaluated like any other
    assert sum(map(sum, wizard.evaluate_page.matrix.counts())) == len(result.val_items)
    reopened = Project.open(tmp_path / "project")
    assert reopened.counts() == {name: PER_CLASS for name in CLASSES}
    assert all(reopened.absolute(s).is_file() for s in reopened.samples)


    # One click relabels a validation image; Retrain trains on the corrected project.
    page = wizard.evaluate_page
    counts = page.matrix.counts()
    row, column = next((r, c) for r in range(3) for c in range(3) if counts[r][c])
    page.show_cell(row, column)
    item = page.cell_grid.item(0)
    item.setSelected(True)
    new_class = CLASSES[(row + 1) % 3]
    page.target.setCurrentText(new_class)
    page.move_button.click()
    assert not item.flags() & Qt.ItemIsEnabled and "now" in item.text()
    relabelled = item.data(Qt.UserRole)
    assert Project.open(tmp_path / "project").counts()[CLASSES[row]] == PER_CLASS - 1
    page.retrain_button.click()
    assert wizard.currentId() == TRAIN and train.busy()
    qtbot.waitUntil(lambda: len(train.epochs_seen) >= 1, timeout=150000)
    with qtbot.waitSignal(train.jobs.ended, timeout=60000):
        train.stop()
    again = wizard.state.result
    assert again is not result and again.cancelled
    assert (relabelled, new_class) in [(str(p), c) for p, c in again.train_items + again.val_items]


def test_corrupt_image_in_the_import_is_a_warning_not_a_crash(wizard, qtbot, tmp_path):
    tree = tmp_path / "tree"
    fashion.write_tree(tree, 3, seed=1, classes=("coat", "bag"))
    (tree / "bag" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n this is not an image")
    data = import_tree(wizard, qtbot, tree, tmp_path / "project")
    messages = data.warning_messages()
    assert any(m.startswith("broken.png cannot be used") for m in messages), messages
    assert any("'coat' has 3 image(s)" in m for m in messages), messages
    assert wizard.project.counts() == {"coat": 3, "bag": 4}
    assert data.isComplete()  # warnings never block


def test_classes_and_samples_can_be_edited_and_images_dropped(wizard, qtbot, tmp_path):
    tree = tmp_path / "tree"
    fashion.write_tree(tree, 4, seed=2, classes=("coat", "bag", "dress"))
    data = import_tree(wizard, qtbot, tree, tmp_path / "project")
    project = wizard.project
    data.select_class("coat")
    data.rename_class("jacket")
    data.add_class("shoe")
    assert project.classes == ["bag", "jacket", "dress", "shoe"]
    # Next follows training's own rule: an empty class is refused before Train.
    assert not data.isComplete() and "shoe" in data.ready_label.text()
    data.select_class("bag")
    data.classes.item(project.classes.index("dress")).setSelected(True)
    data.merge_classes("bag")
    assert project.counts() == {"jacket": 4, "bag": 8, "shoe": 0}
    data.select_class("bag")
    data.grid.item(0).setSelected(True)
    data.grid.item(1).setSelected(True)
    data.move_samples("shoe")
    data.grid.item(0).setSelected(True)
    data.delete_samples()
    assert project.counts() == {"jacket": 4, "bag": 5, "shoe": 2}

    data.select_class("shoe")
    extra = fashion.write_tree(tmp_path / "extra", 2, seed=9, classes=("sneaker",))["sneaker"]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in extra])
    drop = QDropEvent(QPointF(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    with qtbot.waitSignal(data.jobs.ended, timeout=30000):
        data.grid.dropEvent(drop)
    assert project.counts()["shoe"] == 4 and data.grid.count() == 4
    data.select_class("jacket")
    data.delete_class(confirm=False)
    assert Project.open(project.root).counts() == {"bag": 5, "shoe": 4}
    assert data.isComplete() and data.ready_label.text() == ""
    data.add_class("bag")  # a refused change is a sentence, not an exception
    assert "already a class called 'bag'" in data.message.text()


def test_capture_frames_of_a_video_into_a_class(wizard, qtbot, tmp_path):
    from gui.wizard.capture import CaptureDialog

    video = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 30, (64, 48))
    for n in range(60):
        writer.write(np.full((48, 64, 3), n * 4, np.uint8))
    writer.release()
    wizard.data_page.new_project(str(tmp_path / "project"))
    dialog = CaptureDialog(wizard.state, None, wizard.data_page.settings, wizard)
    dialog.video_path.setText(str(video))
    dialog.video_radio.setChecked(True)
    dialog.class_box.setCurrentText("grey")
    dialog.every.setValue(20)
    dialog.start()
    qtbot.waitUntil(dialog.start_button.isEnabled, timeout=30000)
    assert "ended after 60 frames" in dialog.message.text(), dialog.message.text()
    assert wizard.project.counts() == {"grey": 3}  # frames 0, 20 and 40

    dialog.key_radio.setChecked(True)  # "on a key": Space saves the next frame
    dialog.start()
    # Offscreen, the wizard keeps the focus; press the dialog's own Space shortcut.
    space = [s for s in dialog.findChildren(QShortcut) if s.key() == QKeySequence(Qt.Key_Space)]
    space[0].activated.emit()
    qtbot.waitUntil(lambda: dialog.saved == 1, timeout=30000)
    dialog.stop()
    qtbot.waitUntil(dialog.start_button.isEnabled, timeout=30000)
    assert wizard.project.counts() == {"grey": 4}
    dialog.done(0)


def test_settings_are_remembered_for_the_next_model(bare_window, qtbot, settings):
    first = bare_window.teach.new_model()
    first.settings_page.epochs.setValue(7)
    first.settings_page.augment.setChecked(True)
    first.settings_page.fine_tune.setChecked(True)
    first.settings_page.validatePage()
    assert first.state.config.epochs == 7 and first.state.config.fine_tune_layers == 20
    first.close()
    second = bare_window.teach.new_model()
    assert second is not first
    assert second.settings_page.values()["epochs"] == 7
    assert second.settings_page.augment.isChecked() and second.settings_page.fine_tune.isChecked()


def train_to_evaluate(wizard, qtbot, tree, project_dir, epochs: int = 2):
    """A project imported from ``tree``, trained for ``epochs`` epochs; the wizard on Evaluate."""
    import_tree(wizard, qtbot, tree, project_dir)
    go_to_training(wizard, qtbot, epochs=epochs)
    with qtbot.waitSignal(wizard.train_page.jobs.ended, timeout=150000):
        pass
    assert wizard.state.result is not None, wizard.train_page.message.text()
    wizard.next()
    assert wizard.currentId() == EVALUATE
    return wizard.state.result


def save_and_wait(save, qtbot):
    with qtbot.waitSignal(save.jobs.ended, timeout=150000):
        save.save()


@pytest.mark.slow  # end to end, seconds: the full suite runs it
def test_a_save_never_replaces_a_bundle_unasked_nor_the_one_in_use(bare_window, wizard, qtbot,
                                                                   fashion_tree, tmp_path):
    project = tmp_path / "project"
    result = train_to_evaluate(wizard, qtbot, fashion_tree, project)
    wizard.next()
    save = wizard.save_page
    first = bundle.default_folder(project, "EfficientNetLite0")
    assert save.folder.text() == str(first)
    save_and_wait(save, qtbot)
    assert bundle.is_bundle(first), save.message.text()
    created = (first / bundle.META_FILE).stat().st_mtime_ns

    # A new model is offered a fresh folder, never the saved one.
    wizard.state.set_result(dataclasses.replace(result))  # as a retrain makes
    save.initializePage()
    assert save.folder.text() == str(first.with_name(first.name + "-2"))

    # Saving onto a saved bundle asks; Cancel keeps it, Replace replaces it.
    save.folder.setText(str(first))
    save.save()
    assert save.confirm_box is not None and not save.jobs.busy()
    assert "already holds a saved model" in save.confirm_box.text()
    save.confirm_box.button(QMessageBox.Cancel).click()
    assert (first / bundle.META_FILE).stat().st_mtime_ns == created
    assert save.message.text().startswith("Nothing was replaced")
    save.save()
    with qtbot.waitSignal(save.jobs.ended, timeout=150000):
        next(b for b in save.confirm_box.buttons() if b.text() == "Replace").click()
    assert (first / bundle.META_FILE).stat().st_mtime_ns != created

    # The bundle Classify is using is never replaced: a sentence says so.
    with qtbot.waitSignal(bare_window.models.changed, timeout=120000):
        save.use_button.click()
    in_use = (first / bundle.META_FILE).stat().st_mtime_ns
    save.save()
    assert save.confirm_box is None and not save.jobs.busy()
    assert "is the model Classify is using" in save.message.text()
    assert (first / bundle.META_FILE).stat().st_mtime_ns == in_use


def test_another_backbone_after_use_this_one_trains_again(wizard, qtbot, fashion_tree,
                                                          tmp_path):
    """Compare's "Use this one" goes to Evaluate; choosing another backbone then goes
    through Settings and Train again, never to Evaluate showing the compared model."""
    from types import SimpleNamespace

    result = train_to_evaluate(wizard, qtbot, fashion_tree, tmp_path / "project")
    page = wizard.backbone_page
    while wizard.currentId() != BACKBONE:
        wizard.back()
    row = SimpleNamespace(backbone="EfficientNetLite0", input_size=result.config.size,
                          result=result)
    page._use_compared(row, None)  # what the comparison window's "Use this one" calls
    assert wizard.currentId() == EVALUATE and wizard.state.result is result
    assert "EfficientNetLite0" in wizard.evaluate_page.headline.text()

    wizard.back()
    assert wizard.currentId() == BACKBONE
    page.select("LeNet5")
    wizard.next()
    assert wizard.currentId() == SETTINGS
    assert wizard.state.result is None and wizard.state.config.backbone == "LeNet5"

    # Changed settings drop a trained model too.
    wizard.state.set_result(result)
    wizard.settings_page.epochs.setValue(wizard.state.config.epochs + 1)
    assert wizard.settings_page.validatePage() and wizard.state.result is None
