"""A full, read-only or vanished disk under train --out, export --to and classify --output.

Each case must end in exit 2 and one sentence on stderr (no traceback), and
leave nothing that looks complete. Two ways to make a disk fail, both run:
a real 1 MB tmpfs mounted by the test (filled up, or remounted read-only;
skipped where mounting is refused), and a patched ``os.replace``/``open``
that fails like a full disk (runs everywhere).
"""
from __future__ import annotations

import builtins
import errno
from pathlib import Path

import pytest

from cli import run
from tests import fashion
from tests.disks import replace_fails_like_a_full_disk

pytestmark = pytest.mark.skipif(not fashion.available(), reason="dataset-fashion-mnist missing")

TINY = ("--backbone", "LeNet5", "--epochs", "1", "--batch-size", "8", "--patience", "0")


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("fault_data")
    fashion.write_tree(root / "data", 6, seed=3, classes=("bag", "trouser"))
    return root / "data"


@pytest.fixture(scope="module")
def lenet_bundle(data, tmp_path_factory):
    """A real, tiny bundle (LeNet-5 on two Fashion-MNIST classes) on a healthy disk."""
    out = tmp_path_factory.mktemp("fault_bundle") / "model"
    assert run(["train", str(data), "--out", str(out), *TINY]) == 0
    return out


def _one_sentence(capsys, *words) -> str:
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("error: ") and "Traceback" not in err, err
    for word in words:
        assert word in err, err
    return err


def _listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_train_onto_a_full_disk(data, full_disk, capsys):
    status = run(["train", str(data), "--out", str(full_disk / "model"), *TINY])
    assert status == 2
    _one_sentence(capsys, "disk is full", "Free some space")
    assert _listing(full_disk) == {"filler"}  # no half bundle, no temporary folder


def test_train_onto_a_read_only_disk_fails_before_training(data, read_only_disk, capsys):
    status = run(["train", str(data), "--out", str(read_only_disk / "model"), *TINY])
    assert status == 2
    err = _one_sentence(capsys, "read-only disk")
    assert "Epoch" not in err and _listing(read_only_disk) == {"old.txt"}


def test_export_onto_full_and_read_only_disks(lenet_bundle, full_disk, read_only_disk, capsys):
    for disk, words in ((full_disk, "disk is full"), (read_only_disk, "read-only")):
        before = _listing(disk)
        status = run(["export", str(lenet_bundle), "--to", str(disk / "out"),
                      "--formats", "tflite"])
        assert status == 2
        _one_sentence(capsys, words)
        assert _listing(disk) - before <= {"out"}  # at most the empty folder it made
        assert not any((disk / "out").glob("*.tflite")) if (disk / "out").exists() else True


def test_classify_output_onto_full_and_read_only_disks(lenet_bundle, data, full_disk,
                                                       read_only_disk, capsys):
    for disk, words in ((full_disk, "disk is full"), (read_only_disk, "read-only")):
        before = _listing(disk)
        status = run(["classify", str(data), "--model", str(lenet_bundle),
                      "--format", "csv", "--output", str(disk / "results.csv")])
        assert status == 2
        _one_sentence(capsys, words)
        assert _listing(disk) == before


def test_classify_output_when_a_write_fails_like_a_full_disk(lenet_bundle, data, tmp_path,
                                                             monkeypatch, capsys):
    """Where no tmpfs can be mounted: ``os.replace`` fails as on a full disk."""
    replace_fails_like_a_full_disk(monkeypatch, "results.csv")
    status = run(["classify", str(data), "--model", str(lenet_bundle),
                  "--format", "csv", "--output", str(tmp_path / "results.csv")])
    assert status == 2
    _one_sentence(capsys, "disk is full", "results.csv")
    assert list(tmp_path.iterdir()) == []  # the temporary file went too


def test_train_when_open_fails_like_a_read_only_disk(data, tmp_path, monkeypatch, capsys):
    real_open = builtins.open
    out = tmp_path / "model"

    def read_only(file, mode="r", *args, **kwargs):
        if str(tmp_path) in str(file) and any(m in mode for m in "wax"):
            raise OSError(errno.EROFS, "Read-only file system", str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", read_only)
    status = run(["train", str(data), "--out", str(out), *TINY])
    assert status == 2
    _one_sentence(capsys, "read-only disk")
    assert not any(p.name.startswith(".model") for p in tmp_path.iterdir())
    assert not out.exists()


def test_export_into_a_folder_deleted_while_in_use(lenet_bundle, tmp_path, monkeypatch, capsys):
    import shutil

    from core.export import exporter as export

    out = tmp_path / "out"
    from dataclasses import replace

    keras_format = export.RECORDS["keras"]  # Keras writes its zip without making folders

    def vanish_then_write(model, target, text, batch):
        shutil.rmtree(out)  # someone deletes the folder mid-export
        keras_format.write(model, target, text, batch)

    monkeypatch.setitem(export.RECORDS, "keras", replace(keras_format, write=vanish_then_write))
    status = run(["export", str(lenet_bundle), "--to", str(out), "--formats", "keras"])
    assert status == 2
    _one_sentence(capsys, "does not exist", "deleted")
    assert not out.exists()
