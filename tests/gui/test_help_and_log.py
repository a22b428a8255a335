"""Help > About says the version, runtime and data folder; tracebacks go to the log file."""
from __future__ import annotations

import errno
import sys
import threading

import pytest

from core import APP_VERSION
from core.base import logs, paths


@pytest.fixture
def log_file(monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    logs.stop()
    path = logs.setup()
    yield path
    logs.stop()


def _help_actions(window) -> dict:
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    return {a.text(): a for a in menu.actions()}


def test_about_names_version_runtime_and_data_folder(window):
    from gui.help_menu import about_text

    assert set(_help_actions(window)) >= {"&About", "Open &log folder"}
    text = about_text(window.models.predictor)
    assert APP_VERSION in text and str(paths.data_home()) in text
    assert window.models.predictor.runtime in text and "TensorFlow" in text
    assert str(logs.log_file()) in text


def test_a_failed_job_logs_its_traceback_to_the_file_not_the_terminal(qtbot, log_file, capfd):
    from gui.workers import JobWorker

    def write_to_full_disk(progress, should_stop):
        raise OSError(errno.ENOSPC, "No space left on device", "/media/stick/results.csv")

    worker = JobWorker(write_to_full_disk)
    with qtbot.waitSignal(worker.failed) as failed:
        worker.start()
    worker.wait()
    assert failed.args[0].startswith("The disk is full") and "results.csv" in failed.args[0]
    assert "Traceback" not in capfd.readouterr().err
    text = log_file.read_text()
    assert "Traceback" in text and "write_to_full_disk" in text


def test_an_expected_failure_is_a_warning_line_without_a_traceback(qtbot, log_file, tmp_path):
    from core.images.decode import load_rgb
    from gui.workers import JobWorker

    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")

    def read_empty(progress, should_stop):
        return load_rgb(empty)

    worker, before = JobWorker(read_empty), log_file.stat().st_size if log_file.exists() else 0
    with qtbot.waitSignal(worker.failed) as failed:
        worker.start()
    worker.wait()
    assert failed.args[0] == "empty.jpg: the file is empty"
    text = log_file.read_text()[before:]  # this test's lines only
    assert "WARNING" in text and "empty.jpg: the file is empty" in text
    assert "Traceback" not in text and "ERROR" not in text


def test_open_log_folder_makes_the_folder(bare_window, log_file, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    _help_actions(bare_window)["Open &log folder"].trigger()
    assert opened and opened[0].toLocalFile() == str(logs.log_dir()) and logs.log_dir().is_dir()
