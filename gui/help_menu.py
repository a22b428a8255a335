"""Help menu: About (version, runtime, data folder) and Open log folder."""
from __future__ import annotations

import platform
import sys

from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QMessageBox

from core import APP_NAME, APP_VERSION
from core.base import logs, paths


def about_text(predictor=None) -> str:
    """What Help > About says: the version, what runs the model, where files live."""
    tensorflow = sys.modules.get("tensorflow")
    keras = sys.modules.get("keras")
    runtime = (f"{predictor.runtime} on {predictor.device}" if predictor is not None
               else "no model loaded yet")
    lines = [
        f"<b>{APP_NAME} {APP_VERSION}</b>: classic CNN backbones, offline.",
        f"Model: {predictor.description if predictor is not None else 'none'}",
        f"Runtime: {runtime}",
        f"Python {platform.python_version()}, PySide6 {PYSIDE_VERSION}, "
        + (f"TensorFlow {tensorflow.__version__}, Keras {keras.__version__}"
           if tensorflow is not None and keras is not None else "TensorFlow not loaded yet"),
        f"Data folder: {paths.data_home()}",
        f"Log file: {logs.log_file()}",
    ]
    return "<br>".join(lines)


def open_log_folder() -> bool:
    """Show the log folder in the system's file manager; False if none could open it."""
    folder = logs.log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def add_help_actions(window, menu) -> None:
    """Fill ``menu`` with About and Open log folder for ``window`` (a MainWindow)."""
    about = QAction("&About", window)
    about.triggered.connect(
        lambda: QMessageBox.about(window, f"About {APP_NAME}", about_text(window.models.predictor)))
    logs_action = QAction("Open &log folder", window)
    logs_action.setToolTip(f"Where error details are written: {logs.log_dir()}")

    def open_logs() -> None:
        if not open_log_folder():
            window.statusBar().showMessage(f"The log folder is {logs.log_dir()}.")

    logs_action.triggered.connect(open_logs)
    menu.addActions([about, logs_action])
