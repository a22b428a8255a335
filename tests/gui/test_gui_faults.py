"""Disk faults in the window: the panel says what happened and what to do; nothing half-written."""
from __future__ import annotations

import errno
import os
import subprocess

import pytest

from tests.gui.test_folder_panel import classify, photo_folder  # noqa: F401  (fixture)


@pytest.fixture
def read_only_disk(tmp_path):
    disk = tmp_path / "ro"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1M", "tmpfs", str(disk)],
                      capture_output=True).returncode != 0:
        pytest.skip("this machine does not let the test mount a tmpfs")
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.fixture
def classified(window, qtbot, photo_folder):  # noqa: F811
    panel = window.classify.folder
    classify(panel, qtbot, photo_folder)
    return panel


def test_export_onto_a_read_only_disk_is_a_sentence(window, classified, read_only_disk):
    assert not classified.export_to(read_only_disk / "results.csv")
    assert classified.message.text().endswith("is on a read-only disk. Choose a folder you "
                                              "can write to.")
    assert list(read_only_disk.iterdir()) == []
    box = window.fault_box  # and a message box says it, without blocking the window
    assert box.isVisible() and box.text() == classified.message.text()
    box.close()


def test_export_onto_a_full_disk_leaves_no_half_file(window, classified, tmp_path,
                                                    monkeypatch):
    real_replace = os.replace

    def full(src, dst, *args, **kwargs):
        if str(dst).endswith("results.csv"):
            raise OSError(errno.ENOSPC, "No space left on device", str(src), None, str(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", full)
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
    assert list(read_only_disk.iterdir()) == []
