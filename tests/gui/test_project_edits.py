"""Project edits keep their rule in the window, on real Fashion-MNIST images.

Evaluate's relabel and drop go through the wizard's state like the Data page's
edits (``project_edited``: the Data page follows); a full disk during an edit
reaches the fault box and leaves the project as it was; the comparison window
hands its worker a snapshot of the project; the wizard's Compare and the
``compare`` command start from the same settings.
"""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from cli import build_parser
from cli.compare import config_from
from core.compare import comparison
from core.compare.comparison import train_config_for
from core.teach.dataset import Project
from gui.wizard.evaluate_page import PREDICTION_ROLE
from tests import fashion
from tests.disks import replace_fails_like_a_full_disk

pytestmark = pytest.mark.skipif(not fashion.available(), reason="dataset-fashion-mnist missing")
CLASSES = ("bag", "trouser")


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("edits_tree")
    fashion.write_tree(root, 12, seed=4, classes=CLASSES)
    return root


@pytest.fixture(scope="module")
def result(tree):
    """LeNet-5 trained a few epochs on the tree (seconds): an Evaluate page to act on."""
    from core.teach.dataset import load_folder
    from core.teach.training import TrainConfig, train

    items, names = load_folder(tree)
    return train(items, names, TrainConfig(backbone="LeNet5", epochs=3, patience=0,
                                           val_split=0.25))


def open_project(bare_window, qtbot, tree, folder):
    """The wizard with ``tree`` imported (images referenced) into a project at ``folder``."""
    project = Project.create(folder)
    project.import_tree(tree, copy=False)
    wizard = bare_window.teach.new_model()
    wizard.state.set_project(project)
    data = wizard.data_page
    qtbot.waitUntil(lambda: data.warnings_title.text().startswith("Checks:"), timeout=30000)
    return wizard, project


def evaluate_page(wizard, result):
    wizard.state.set_result(result)
    page = wizard.evaluate_page
    page.initializePage()
    return page


def choose(page, class_name: str):
    """A validation image labelled ``class_name`` on the Evaluate page, chosen."""
    row = CLASSES.index(class_name)
    column = next(c for c in range(len(CLASSES)) if page.matrix.counts()[row][c])
    page.show_cell(row, column)
    item = page.cell_grid.item(0)
    item.setSelected(True)
    return item


def class_list(data) -> list[str]:
    return [data.classes.item(r).text() for r in range(data.classes.count())]


def test_evaluate_relabel_and_drop_tell_the_views(bare_window, qtbot, tree, result, tmp_path):
    wizard, project = open_project(bare_window, qtbot, tree, tmp_path / "project")
    page, data = evaluate_page(wizard, result), wizard.data_page
    assert class_list(data) == ["bag  (12)", "trouser  (12)"]

    item = choose(page, "bag")
    page.target.setCurrentText("trouser")
    with qtbot.waitSignal(wizard.state.project_edited, timeout=5000):
        page.move_button.click()
    assert not item.flags() & Qt.ItemIsEnabled and "now 'trouser'" in item.text()
    assert project.counts() == {"bag": 11, "trouser": 13}
    assert class_list(data) == ["bag  (11)", "trouser  (13)"]  # the Data page followed
    assert Project.open(project.root).counts() == project.counts()

    item = choose(page, "trouser")
    with qtbot.waitSignal(wizard.state.project_edited, timeout=5000):
        page.drop_button.click()
    assert "dropped" in item.text()
    assert class_list(data) == ["bag  (11)", "trouser  (12)"]
    assert Project.open(project.root).counts() == {"bag": 11, "trouser": 12}
    assert item.data(PREDICTION_ROLE).path not in [str(p) for p, _ in project.labelled()]
    assert page.message.text().startswith("2 change(s) saved to the project")


def test_a_full_disk_during_an_edit_reaches_the_fault_box(bare_window, qtbot, tree, result,
                                                         tmp_path, monkeypatch):
    wizard, project = open_project(bare_window, qtbot, tree, tmp_path / "project")
    page, data = evaluate_page(wizard, result), wizard.data_page
    before = [(s.path, s.class_name) for s in project.samples]
    replace_fails_like_a_full_disk(monkeypatch, "project.json")

    item = choose(page, "bag")
    page.target.setCurrentText("trouser")
    with qtbot.assertNotEmitted(wizard.state.project_edited):
        page.move_button.click()
    assert item.flags() & Qt.ItemIsEnabled  # not marked: nothing changed
    assert page.message.text().startswith("The disk is full")
    box = bare_window.fault_box
    assert box.isVisible() and box.text() == page.message.text()
    box.close()
    assert [(s.path, s.class_name) for s in project.samples] == before
    assert class_list(data) == ["bag  (12)", "trouser  (12)"]

    # The Data page's edits take the same road.
    data.select_class("bag")
    with qtbot.assertNotEmitted(wizard.state.project_edited):
        data.rename_class("handbag")
    assert data.message.text().startswith("The disk is full")
    assert bare_window.fault_box.isVisible()
    bare_window.fault_box.close()
    assert project.classes == list(CLASSES)
    monkeypatch.undo()
    assert [(s.path, s.class_name) for s in Project.open(project.root).samples] == before


def test_an_import_batch_on_a_full_disk_reaches_the_fault_box(bare_window, qtbot, tree,
                                                               tmp_path, monkeypatch):
    """What a worker brought in is recorded on the GUI thread (TeachState.apply): when
    the manifest cannot be saved, the fault box says so and the project is unchanged."""
    wizard, project = open_project(bare_window, qtbot, tree, tmp_path / "project")
    more = fashion.write_tree(tmp_path / "more", 2, seed=9, classes=("coat",))["coat"]
    batches = []
    project.add_images(more, "coat", copy=False, on_added=batches.append)  # as the worker does
    before = [(s.path, s.class_name) for s in project.samples]
    replace_fails_like_a_full_disk(monkeypatch, "project.json")
    with qtbot.assertNotEmitted(wizard.state.project_edited):
        sentences = [wizard.state.apply(batch) for batch in batches]
    assert all(s.startswith("The disk is full") for s in sentences)
    assert bare_window.fault_box.isVisible()
    bare_window.fault_box.close()
    assert [(s.path, s.class_name) for s in project.samples] == before
    assert project.classes == list(CLASSES)


def test_the_comparison_runs_on_a_snapshot_with_the_command_lines_settings(
        bare_window, qtbot, tree, tmp_path, monkeypatch):
    wizard, project = open_project(bare_window, qtbot, tree, tmp_path / "project")
    given = []

    def compare(source, names, config, progress, should_stop, on_row):
        given.append((source, [(s.path, s.class_name) for s in source.samples], config))
        return comparison.Comparison([], list(source.classes), config)

    monkeypatch.setattr(comparison, "compare", compare)
    page = wizard.backbone_page
    window = page.compare(["LeNet5", "EfficientNetLite0"])
    with qtbot.waitSignal(window.finished, timeout=10000):
        pass
    source, samples, config = given[0]
    assert source is not project and source.root == project.root
    assert samples == [(s.path, s.class_name) for s in project.samples]
    project.move_samples(project.samples_of("bag")[:3], "trouser")  # the GUI thread edits on
    assert source.counts() == {"bag": 12, "trouser": 12}

    args = build_parser().parse_args(["compare", str(tree), "--backbones", "LeNet5"])
    assert config == config_from(args) == page.compare_config()
    assert config.epochs == comparison.CompareConfig().epochs
    # A from-scratch backbone starts at the size it trains at alone (AlexNet: 128 px).
    page.select("AlexNet")
    assert page.size.value() == train_config_for("AlexNet", config).size == 128
    window.close()
