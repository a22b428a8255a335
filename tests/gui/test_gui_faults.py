"""Disk faults in the window: the panel says what happened and what to do; nothing half-written."""
from __future__ import annotations

import pytest

from tests.disks import replace_fails_like_a_full_disk
from tests.gui.conftest import classify


@pytest.fixture
def classified(window, qtbot, photo_folder):
    panel = window.classify.folder
    classify(panel, qtbot, photo_folder)
    return panel


def test_export_onto_a_read_only_disk_is_a_sentence(window, classified, read_only_disk):
    assert not classified.export_to(read_only_disk / "results.csv")
    assert classified.message.text().endswith("is on a read-only disk. Choose a folder you "
                                              "can write to.")
    assert [p.name for p in read_only_disk.iterdir()] == ["old.txt"]  # nothing added
    box = window.fault_box  # and a message box says it, without blocking the window
    assert box.isVisible() and box.text() == classified.message.text()
    box.close()


def test_export_onto_a_full_disk_leaves_no_half_file(window, classified, tmp_path,
                                                    monkeypatch):
    replace_fails_like_a_full_disk(monkeypatch, "results.csv")
    out = tmp_path / "out"
    out.mkdir()
    assert not classified.export_to(out / "results.csv")
    assert classified.message.text().startswith("The disk is full")
    assert list(out.iterdir()) == []  # neither the CSV nor its temporary
    assert window.fault_box.isVisible() and window.fault_box.text().startswith("The disk is full")
    window.fault_box.close()


def test_a_job_that_hits_a_read_only_disk_opens_a_message_box(window, classified, qtbot,
                                                              read_only_disk):
    """Copy into class folders runs in a worker: its disk fault reaches the window too."""
    with qtbot.waitSignal(classified.finished, timeout=30000) as ended:
        classified.copy_to(read_only_disk)
    assert "read-only" in ended.args[0]
    qtbot.waitUntil(lambda: getattr(window, "fault_box", None) is not None
                    and window.fault_box.isVisible(), timeout=5000)
    assert window.fault_box.text() == ended.args[0]
    window.fault_box.close()
    assert [p.name for p in read_only_disk.iterdir()] == ["old.txt"]  # nothing added
