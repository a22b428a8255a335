"""Closing the window while a job that cannot stop at once runs: a clean exit, at once.

The real app (gui.app.run_gui) runs in its own process, offscreen; a job that
sleeps 20 s without looking at ``should_stop`` (as a big backbone being built
does) sits in the Models tab's "Measure speed" slot when the window is closed.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from gui.app import make_app, run_gui
from gui.main_window import MainWindow
from gui.workers import JobWorker

def build_a_big_backbone(progress, should_stop):
    time.sleep(20)  # never asks should_stop, like a model being built

def close_while_busy():
    window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
    window.classify.models_panel._survey_slot.start(JobWorker(build_a_big_backbone))
    print("closing", time.time(), flush=True)
    window.close()

MainWindow.load_initial_model = lambda self: None  # no model: only the slow job runs
make_app()
QTimer.singleShot(300, close_while_busy)
sys.exit(run_gui())
"""


def test_closing_during_a_job_that_cannot_stop_exits_cleanly_within_3_seconds(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path),
               PYTHONPATH=str(ROOT))
    process = subprocess.Popen([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = process.stdout.readline()
        assert line.startswith("closing"), process.stderr.read()
        closed = float(line.split()[1])
        code = process.wait(timeout=15)
        ended = time.time()
    finally:
        process.kill()
    stderr = process.stderr.read()
    assert code == 0, stderr
    assert "Destroyed while thread" not in stderr
    assert ended - closed < 3.0, f"the process took {ended - closed:.1f} s to end"
