"""A project edit whose save fails (a full disk) leaves the project as it was, in memory
and on disk; a snapshot for a worker does not follow later edits. Real Fashion-MNIST images."""
from __future__ import annotations

import errno

import pytest

from core.teach.dataset import Added, Project, Sample
from tests import fashion
from tests.disks import replace_fails_like_a_full_disk

pytestmark = pytest.mark.skipif(not fashion.available(), reason="dataset-fashion-mnist missing")

CLASSES = ("bag", "sneaker", "trouser")


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("rollback_tree")
    fashion.write_tree(root, 4, seed=3, classes=CLASSES)
    return root


@pytest.fixture
def project(tree, tmp_path):
    project = Project.create(tmp_path / "project")
    project.import_tree(tree)
    return project


def state(project: Project) -> tuple:
    """What a project holds: its classes and every sample's path and class, in order."""
    return list(project.classes), [(s.path, s.class_name) for s in project.samples]


EDITS = {
    "add_class": lambda p: p.add_class("coat"),
    "rename_class": lambda p: p.rename_class("bag", "handbag"),
    "merge_classes": lambda p: p.merge_classes(["bag", "sneaker"], "things"),
    "delete_class": lambda p: p.delete_class("sneaker"),
    "move_samples": lambda p: p.move_samples(p.samples_of("bag")[:2], "trouser"),
    "delete_samples": lambda p: p.delete_samples(p.samples_of("trouser")[:3]),
    "adopt": lambda p: p.adopt(Added([Sample(p.samples[0].path, "coat")], ["coat"])),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_failed_save_puts_the_project_back(project, monkeypatch, edit):
    before = state(project)
    samples, classes = list(project.samples), project.classes
    files = [project.absolute(s) for s in project.samples]
    replace_fails_like_a_full_disk(monkeypatch, "project.json")
    with pytest.raises(OSError) as raised:
        EDITS[edit](project)
    assert raised.value.errno == errno.ENOSPC
    assert state(project) == before  # memory is what the disk still says
    assert project.samples == samples and all(a is b for a, b in zip(project.samples, samples))
    assert project.classes is classes  # the same lists: views holding them see the rollback
    monkeypatch.undo()
    assert state(Project.open(project.root)) == before
    assert all(f.is_file() for f in files)  # nothing deleted for an edit that did not happen


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_the_same_edit_on_a_working_disk_is_saved(project, edit):
    before = state(project)
    EDITS[edit](project)
    assert state(project) != before
    assert state(Project.open(project.root)) == state(project)


def test_a_refused_edit_changes_nothing(project):
    before = state(project)
    with pytest.raises(Exception):
        project.move_samples(project.samples_of("bag"), "no such class")
    with pytest.raises(Exception):
        project.rename_class("bag", "trouser")
    assert state(project) == before


def test_a_snapshot_does_not_follow_later_edits(project):
    snapshot = project.snapshot()
    assert state(snapshot) == state(project) and snapshot.root == project.root
    assert snapshot.labelled() == project.labelled()
    project.move_samples(project.samples_of("bag"), "trouser")
    project.add_class("coat")
    assert "coat" not in snapshot.classes
    assert snapshot.counts() == {name: 4 for name in CLASSES}
    snapshot.samples[0].class_name = "changed on the copy"
    assert all(s.class_name != "changed on the copy" for s in project.samples)
