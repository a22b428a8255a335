"""core.teach.dataset on real Fashion-MNIST images: manifest, classes, checks, split."""
from __future__ import annotations

import json
import os
import shutil
from collections import Counter

import pytest

from core.teach import dataset
from core.teach.dataset import Project, ProjectError
from tests import fashion

pytestmark = pytest.mark.skipif(not fashion.available(), reason="dataset-fashion-mnist missing")

CLASSES = ("trouser", "bag", "sneaker")


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """A DATA_DIR: trouser 12, bag 12, sneaker 3 images."""
    root = tmp_path_factory.mktemp("tree")
    fashion.write_tree(root, 12, seed=1, classes=CLASSES[:2])
    fashion.write_tree(root, 3, seed=1, classes=CLASSES[2:])
    return root


def test_import_tree_copies_every_image_and_survives_a_reload(tree, tmp_path):
    project = Project.create(tmp_path / "p")
    fractions = []
    added = project.import_tree(tree, progress=lambda f, m: fractions.append(f))
    assert len(added) == 27 and fractions[-1] == 1.0
    again = Project.open(tmp_path / "p")
    assert again.classes == ["bag", "sneaker", "trouser"]
    assert again.counts() == {"bag": 12, "sneaker": 3, "trouser": 12}
    for item in again.labelled():
        assert item.path.is_file() and item.path.is_relative_to(tmp_path / "p" / "images")
        source = tree / item.class_name / item.path.name
        assert item.path.read_bytes() == source.read_bytes()


def test_referenced_images_stay_where_they_are(tree, tmp_path):
    project = Project.create(tmp_path / "p")
    project.add_images(sorted((tree / "bag").iterdir())[:4], "bag", copy=False)
    again = Project.open(tmp_path / "p")
    assert [s.referenced for s in again.samples] == [True] * 4
    assert {i.path.parent for i in again.labelled()} == {tree / "bag"}
    assert not (tmp_path / "p" / "images").exists()


def test_manifest_round_trip_keeps_order_classes_and_times(tree, tmp_path):
    project = Project.create(tmp_path / "p")
    project.add_class("zebra")
    project.add_images(sorted((tree / "trouser").iterdir())[:2], "trouser")
    doc = json.loads((tmp_path / "p" / dataset.MANIFEST).read_text())
    assert doc["schema_version"] == dataset.SCHEMA_VERSION
    assert doc["classes"] == ["zebra", "trouser"]
    assert [s["class"] for s in doc["samples"]] == ["trouser", "trouser"]
    again = Project.open(tmp_path / "p")
    assert [s.to_json() for s in again.samples] == doc["samples"]
    assert all(s.added.endswith("+00:00") for s in again.samples)


def test_rename_merge_move_and_delete(tree, tmp_path):
    project = Project.create(tmp_path / "p")
    project.import_tree(tree)
    project.rename_class("sneaker", "shoe")
    with pytest.raises(ProjectError):
        project.rename_class("shoe", "bag")
    project.merge_classes(["shoe", "trouser"], "wearable")
    assert project.classes == ["bag", "wearable"]
    assert project.counts() == {"bag": 12, "wearable": 15}
    one_bag = project.samples_of("bag")[0]
    project.move_samples([one_bag.path], "wearable")
    doomed = project.samples_of("wearable")[:2]
    project.delete_samples(doomed)
    assert not any(project.absolute(s).exists() for s in doomed)
    again = Project.open(tmp_path / "p")
    assert again.counts() == {"bag": 11, "wearable": 14}
    wearable_files = [again.absolute(s) for s in again.samples_of("wearable")]
    again.delete_class("wearable")
    assert Project.open(tmp_path / "p").counts() == {"bag": 11}
    assert not any(p.exists() for p in wearable_files)


def test_deleting_a_referenced_sample_never_deletes_the_users_file(tree, tmp_path):
    project = Project.create(tmp_path / "p")
    source = sorted((tree / "bag").iterdir())[0]
    project.add_images([source], "bag", copy=False)
    project.delete_samples([str(source)])
    assert source.is_file() and project.samples == []


def test_warnings_name_small_classes_imbalance_duplicates_and_unreadable(tree, tmp_path):
    project = Project.create(tmp_path / "p")
    project.import_tree(tree)
    bag = sorted((tree / "bag").iterdir())
    project.add_images([bag[0]], "trouser")  # the same picture under two classes
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n but not really")
    project.add_images([broken], "bag")
    warnings = project.warnings()
    kinds = Counter(w.kind for w in warnings)
    assert kinds == {"few_images": 1, "imbalance": 1, "duplicate": 1, "unreadable": 1}
    by_kind = {w.kind: w for w in warnings}
    assert by_kind["few_images"].class_name == "sneaker"
    assert by_kind["unreadable"].paths[0].name == "broken.png"
    assert {p.name for p in by_kind["duplicate"].paths} == {bag[0].name}
    assert len(by_kind["duplicate"].paths) == 2


def test_a_balanced_readable_project_has_no_warnings(tree, tmp_path):
    project = Project.create(tmp_path / "p")
    for name in ("bag", "trouser"):
        project.add_images(sorted((tree / name).iterdir()), name)
    assert project.warnings() == []


def test_split_is_stratified_seeded_and_disjoint(tmp_path):
    items = [dataset.LabelledImage(tmp_path / f"{c}{i}.png", c)
             for c, n in (("a", 50), ("b", 20), ("c", 3), ("d", 1)) for i in range(n)]
    train, val = dataset.split(items, 0.2, seed=7)
    assert Counter(c for _, c in val) == {"a": 10, "b": 4, "c": 1}
    assert Counter(c for _, c in train) == {"a": 40, "b": 16, "c": 2, "d": 1}
    assert set(train).isdisjoint(val) and len(train) + len(val) == len(items)
    assert dataset.split(items, 0.2, seed=7) == (train, val)
    assert dataset.split(items, 0.2, seed=8)[1] != val
    assert dataset.split(items, 0.0, seed=7) == (items, [])


def test_open_recovers_from_a_crash_between_copy_and_manifest(tree, tmp_path):
    """A copy renamed into place but not yet in the manifest is adopted; a
    half-written temporary file is removed; the manifest stays valid."""
    project = Project.create(tmp_path / "p")
    project.add_images(sorted((tree / "bag").iterdir())[:3], "bag")
    folder = tmp_path / "p" / "images" / "bag"
    shutil.copy(sorted((tree / "bag").iterdir())[5], folder / "late.png")
    (folder / ".half.png.123.tmp").write_bytes(b"\x89PNG partial")
    again = Project.open(tmp_path / "p")
    assert again.counts() == {"bag": 4}
    assert "images/bag/late.png" in {s.path for s in again.samples}
    assert not (folder / ".half.png.123.tmp").exists()
    assert Project.open(tmp_path / "p").counts() == {"bag": 4}  # adoption was saved


def test_a_worker_import_only_writes_files_until_adopted(tree, tmp_path):
    """With ``on_added`` the job (a worker's half) copies files and hands back
    batches; the project and its manifest change only when they are adopted."""
    project = Project.create(tmp_path / "p")
    batches = []
    brought = project.import_tree(tree, on_added=batches.append)
    assert len(brought) == 27 and project.samples == [] and project.classes == []
    manifest = tmp_path / "p" / dataset.MANIFEST
    assert json.loads(manifest.read_text())["samples"] == []  # nothing recorded yet...
    for batch in batches:
        project.adopt(batch)
    assert project.counts() == {"bag": 12, "sneaker": 3, "trouser": 12}
    assert Project.open(tmp_path / "p").counts() == project.counts()  # ...now saved


def test_copies_of_a_new_class_survive_a_crash_before_they_were_recorded(tree, tmp_path):
    project = Project.create(tmp_path / "p")
    project.import_tree(tree, on_added=lambda batch: None)  # the app died before adopting
    assert Project.open(tmp_path / "p").counts() == {"bag": 12, "sneaker": 3, "trouser": 12}


def test_a_captured_frame_is_a_png_sample(tmp_path):
    import cv2
    from skimage import data

    project = Project.create(tmp_path / "p")
    rgb = data.chelsea()
    sample = project.add_frame("cat", rgb)
    assert Project.open(tmp_path / "p").counts() == {"cat": 1}
    written = cv2.cvtColor(cv2.imread(str(project.absolute(sample))), cv2.COLOR_BGR2RGB)
    assert (written == rgb).all()  # lossless, right colours


def test_manifest_writes_are_atomic(tree, tmp_path, monkeypatch):
    """If writing the new manifest dies before the rename, the old one is intact."""
    project = Project.create(tmp_path / "p")
    project.add_images(sorted((tree / "bag").iterdir())[:2], "bag")
    before = (tmp_path / "p" / dataset.MANIFEST).read_bytes()

    def crash(src, dst):
        raise OSError("disk pulled out")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        project.add_class("shoe")
    monkeypatch.undo()
    assert (tmp_path / "p" / dataset.MANIFEST).read_bytes() == before
    assert Project.open(tmp_path / "p").classes == ["bag"]
    assert not list((tmp_path / "p").glob(".*.tmp")), "open() clears the dead temporary"


def test_cancelled_import_keeps_what_it_copied(tree, tmp_path):
    from core.base.jobs import Cancelled

    project = Project.create(tmp_path / "p")
    calls = []
    with pytest.raises(Cancelled):
        project.import_tree(tree, progress=lambda f, m: calls.append(f),
                            should_stop=lambda: len(calls) >= 5)
    again = Project.open(tmp_path / "p")
    assert len(again.samples) == 5
    assert all(i.path.is_file() for i in again.labelled())


def test_load_folder_reads_a_data_dir_and_a_project(tree, tmp_path):
    items, classes = dataset.load_folder(tree)
    assert classes == ["bag", "sneaker", "trouser"] and len(items) == 27
    project = Project.create(tmp_path / "p")
    project.import_tree(tree)
    project.rename_class("bag", "handbag")
    items, classes = dataset.load_folder(tmp_path / "p")
    assert classes == ["handbag", "sneaker", "trouser"]
    assert Counter(c for _, c in items)["handbag"] == 12
    with pytest.raises(ProjectError):
        dataset.load_folder(tmp_path / "nothing-here")


def test_open_refuses_a_newer_or_foreign_manifest(tmp_path):
    (tmp_path / dataset.MANIFEST).write_text(json.dumps(
        {"schema_version": dataset.SCHEMA_VERSION + 1, "classes": [], "samples": []}))
    with pytest.raises(ProjectError, match="newer version"):
        Project.open(tmp_path)
    (tmp_path / dataset.MANIFEST).write_text("[1, 2]")
    with pytest.raises(ProjectError, match="not a Backbone Studio project"):
        Project.open(tmp_path)
    with pytest.raises(ProjectError, match="not a project"):
        Project.open(tmp_path / "elsewhere")
