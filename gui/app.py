"""Start the GUI: the window first, TensorFlow afterwards in the background."""
from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

from core import APP_NAME, APP_VERSION
from core.base import logs

from .workers import leave


def make_app(argv=None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv)
    QCoreApplication.setOrganizationName("BackboneStudio")
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(APP_VERSION)
    return app


def run_gui() -> int:
    app = make_app()
    from .main_window import MainWindow

    logs.setup()  # tracebacks go to the log file, never to the terminal
    window = MainWindow()
    sys.excepthook = lambda *exc: _unexpected(window, *exc)
    window.show()
    # The default model loads once the window has been painted.
    QTimer.singleShot(50, window.load_initial_model)
    return leave(app.exec())  # a job that could not stop never delays nor aborts the exit


def _unexpected(window, exc_type, exc, tb) -> None:
    """An error no code expected: log its traceback, tell the user in a sentence."""
    logging.getLogger("backbone_studio").critical("unexpected error", exc_info=(exc_type, exc, tb))
    window.statusBar().showMessage(
        f"Something went wrong ({exc_type.__name__}); the details are in the log "
        "(Help > Open log folder).")
