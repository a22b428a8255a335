"""core.base.faults: each operating-system fault as its sentence; other errors keep their own."""
from __future__ import annotations

import errno

import pytest

from core.base import faults


@pytest.mark.parametrize("code, words", [
    (errno.ENOSPC, "The disk is full"), (errno.EROFS, "is on a read-only disk"),
    (errno.EACCES, "You do not have permission"), (errno.ENOENT, "moved or deleted"),
])
def test_each_fault_is_its_sentence(code, words):
    exc = OSError(code, "strerror", "/media/stick/out.csv")
    assert words in faults.sentence(exc) and "'/media/stick/out.csv'" in faults.sentence(exc)
    assert faults.is_disk_fault(exc)


def test_temporary_names_are_shown_as_their_folder():
    exc = OSError(errno.ENOSPC, "No space left on device", "/media/stick/.out.csv.123.tmp")
    assert "the folder '/media/stick'" in faults.sentence(exc)


def test_tensorflow_style_errors_are_recognised_by_their_words():
    class NotFoundError(Exception):
        pass

    exc = NotFoundError("/out/savedmodel/variables; Read-only file system")
    assert faults.is_disk_fault(exc) and "read-only disk" in faults.sentence(exc)


def test_a_sentence_raised_from_none_stands_alone():
    try:
        try:
            raise OSError(errno.EACCES, "Permission denied", "/x")
        except OSError:
            raise ValueError("The bundle's model.json is damaged.") from None
    except ValueError as exc:
        assert faults.sentence(exc) == "The bundle's model.json is damaged."
        assert not faults.is_disk_fault(exc)


def test_writing_names_the_target_when_the_error_names_no_file(tmp_path):
    with pytest.raises(OSError) as caught, faults.writing(tmp_path / "bundle"):
        raise OSError(errno.ENOSPC, "No space left on device")
    assert caught.value.filename == str(tmp_path / "bundle")


def test_check_writable_finds_the_nearest_existing_folder(tmp_path):
    faults.check_writable(tmp_path / "not" / "yet")  # tmp_path is writable: passes
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OSError):
        faults.check_writable(blocker / "sub")
