"""Start the GUI: the window first, TensorFlow afterwards in the background."""
from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

from core import APP_NAME, APP_VERSION


def make_app(argv=None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv)
    QCoreApplication.setOrganizationName("BackboneStudio")
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(APP_VERSION)
    return app


def run_gui() -> int:
    app = make_app()
    from .main_window import MainWindow

    window = MainWindow()
    window.show()
    # The default model loads once the window has been painted.
    QTimer.singleShot(50, window.load_initial_model)
    return app.exec()
