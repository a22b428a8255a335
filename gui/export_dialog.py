"""Export model: choose formats and a folder; each format is written, then checked.

Reachable from the wizard's Save page (the model just trained, checked on
the project's validation images) and from File > Export model… (a bundle or
Keras model file opened from disk, checked on the bundled sample images).
The export (core.export.exporter.export_source) runs in a JobWorker; the
parity table shows, per format, its top-1 agreement with the Keras model,
the largest score difference, pass or fail, and for int8 the agreement per
class.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from core.export.exporter import (
    FLOAT_TOLERANCE,
    FORMATS,
    INT8_MIN_AGREEMENT,
    RECORDS,
    export_source,
)

from .widgets.job_bar import JobBar
from .workers import JobWorker

COLUMNS = ("Format", "Top-1 agreement", "Max score difference", "Check", "Per class")
TITLES = {name: RECORDS[name].title for name in FORMATS}


def parity_rows(class_names, results) -> list[tuple[str, str, str, str, str]]:
    """The table's text, one row per format (plain strings: tested without widgets)."""
    rows = []
    for result in results:
        title, parity = TITLES[result.format], result.parity
        if parity is None:
            rows.append((title, "–", "–", "Failed", result.error or ""))
            continue
        per_class = ""
        if RECORDS[result.format].quantized:
            per_class = ", ".join(f"{class_names[c]} {a:.0%}" for c, a in parity.per_class)
        rows.append((title, f"{parity.top1_agreement:.1%} of {parity.images}",
                     f"{parity.max_abs_diff:.1e}", "Passed" if result.ok else "Failed",
                     per_class or (result.error or "")))
    return rows


def failure_notes(results) -> str:
    """The sentences of the formats that failed, one per line."""
    return "\n".join(r.error for r in results if not r.ok)


class ExportDialog(QDialog):
    """``source``: ``(model, meta)`` or a bundle / Keras model path; ``image_paths``: the
    real images to check (and calibrate int8) on, None for the bundled samples."""

    exported = Signal(object)  # the list of core.export.exporter.ExportResult

    def __init__(self, source, default_folder: Path, image_paths=None, parent=None,
                 what: str = ""):
        super().__init__(parent)
        self.setWindowTitle("Export model")
        self.source, self.image_paths = source, image_paths
        self.results = None
        checked_on = (f"{len(image_paths)} validation images of the project" if image_paths
                      else "the sample images shipped with the app")
        self.intro = intro = QLabel(
            f"Export {what or 'the model'} for use in your own code. Each format "
            f"is run in its own runtime on {checked_on} and compared with the "
            "Keras model before it counts as done: float formats must give the same "
            f"top class on every image and scores within {FLOAT_TOLERANCE:g}; int8 "
            f"must agree on at least {INT8_MIN_AGREEMENT:.0%} of the images.")
        intro.setWordWrap(True)
        self.boxes = {}
        formats = QHBoxLayout()
        for name in FORMATS:
            box = QCheckBox(TITLES[name])
            box.setChecked(name in ("keras", "tflite", "tflite-int8", "onnx"))
            box.toggled.connect(self._update)
            self.boxes[name] = box
            formats.addWidget(box)
        formats.addStretch(1)
        self.folder = QLineEdit(str(default_folder))
        self.folder.textChanged.connect(self._update)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._choose)
        row = QHBoxLayout()
        row.addWidget(QLabel("Folder"))
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        self.export_button = QPushButton("Export")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start)
        self.jobs = JobBar()
        self.jobs.ended.connect(self._update)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        close = QDialogButtonBox(QDialogButtonBox.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(formats)
        layout.addLayout(row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.jobs)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(close)
        self.resize(820, 460)
        self._update()

    def chosen_formats(self) -> list[str]:
        return [name for name, box in self.boxes.items() if box.isChecked()]

    def _choose(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export into folder", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def start(self) -> None:
        folder, formats = self.folder.text().strip(), self.chosen_formats()
        if not folder or not formats or self.jobs.busy():
            return
        worker = JobWorker(export_source, self.source, Path(folder), formats, self.image_paths)
        worker.succeeded.connect(self._done)
        worker.failed.connect(self.message.setText)
        worker.cancelled.connect(lambda: self.message.setText("Export cancelled."))
        self.table.setRowCount(0)
        self.message.setText("")
        self.jobs.run(worker, "Exporting…")
        self._update()

    def _done(self, outcome) -> None:
        class_names, results = outcome
        self.results = results
        rows = parity_rows(class_names, results)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if c == 3:
                    item.setForeground(Qt.darkGreen if text == "Passed" else Qt.red)
                self.table.setItem(r, c, item)
        failed = sum(not r.ok for r in results)
        folder = self.folder.text().strip()
        self.message.setText(
            f"{len(results) - failed} of {len(results)} formats written to {folder}, each with "
            "labels.txt, model.json and a README.txt showing how to use it in Python."
            + (f" {failed} failed their check and were not saved:\n{failure_notes(results)}"
               if failed else ""))
        self.exported.emit(results)

    def _update(self) -> None:
        self.export_button.setEnabled(not self.jobs.busy() and bool(self.chosen_formats())
                                      and bool(self.folder.text().strip()))

    def done(self, code: int) -> None:  # closing cancels a running export
        self.jobs.shutdown()
        super().done(code)
