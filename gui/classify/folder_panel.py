"""Folder: classify every image in a folder, results streaming into a table."""
from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.base.jobs import duration
from core.classify.folder import best_batch_size, classify_folder, copy_into_class_folders, export

from ..fault_box import report_if_disk_fault
from ..widgets.drop import AcceptsFileDrops
from ..widgets.thumbnails import ThumbnailLoader
from ..workers import JobSlot, JobWorker
from .results_model import CLASS, FILE, MODEL, SCORE, ResultsFilter, ResultsModel
from .speed_choice import SpeedChoice

ALL_CLASSES = "All classes"
THUMBNAIL = 48


class FolderPanel(AcceptsFileDrops, QWidget):
    """Choose or drop a folder; export, filter, sort and copy the results."""

    finished = Signal(str)  # the sentence shown when a run ends (done, cancelled, failed)
    open_requested = Signal(object)  # a row's Path, double-clicked: show it in the Image view

    def __init__(self, models, options, settings, parent=None):
        super().__init__(parent)
        self.models, self.options, self.settings = models, options, settings
        self._slot = JobSlot(self)
        self._copy_slot = JobSlot(self)
        self._started = 0.0
        self.thumbnails = ThumbnailLoader(THUMBNAIL, self)
        self.results = ResultsModel(self.thumbnails, self)
        self.results.set_threshold(options.threshold)
        self.proxy = ResultsFilter(self)
        self.proxy.setSourceModel(self.results)
        self._build()
        self._connect()
        self.setAcceptDrops(True)
        self._set_running(False)

    # --- construction -----------------------------------------------------
    def _build(self) -> None:
        self.choose_button = QPushButton("Choose folder…")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop classifying (Esc); the rows so far stay")
        self.class_box = QComboBox()
        self.class_box.setMinimumContentsLength(16)
        self.class_box.addItem(ALL_CLASSES)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save the rows shown as CSV or JSON")
        self.copy_button = QPushButton("Copy into class folders…")
        self.copy_button.setToolTip("Copy the rows shown into one sub-folder per class; "
                                    "the originals are never moved or changed")
        self.speed = SpeedChoice(self.models)
        bar = QHBoxLayout()
        for widget in (self.choose_button, self.cancel_button, self.speed):
            bar.addWidget(widget)
        bar.addStretch(1)
        for widget in (QLabel("Show"), self.class_box, self.export_button, self.copy_button):
            bar.addWidget(widget)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.rate = QLabel("Choose a folder, or drop one here.")
        status = QHBoxLayout()
        status.addWidget(self.progress, 1)
        status.addWidget(self.rate, 2)
        self.table = self._make_table()
        self.message = QLabel("")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(status)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)

    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.proxy)
        table.setSortingEnabled(True)
        table.sortByColumn(-1, Qt.AscendingOrder)  # input order until a header is clicked
        table.setSelectionBehavior(QAbstractItemView.SelectRows)
        table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        table.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
        table.verticalHeader().setDefaultSectionSize(THUMBNAIL + 6)
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        header.setSectionResizeMode(FILE, QHeaderView.Stretch)
        header.setSectionResizeMode(CLASS, QHeaderView.Interactive)
        header.resizeSection(CLASS, 260)
        header.setSectionResizeMode(SCORE, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(MODEL, QHeaderView.Interactive)
        header.resizeSection(MODEL, 220)
        return table

    def _connect(self) -> None:
        self.choose_button.clicked.connect(self.choose_folder)
        self.cancel_button.clicked.connect(self.cancel)
        self.export_button.clicked.connect(self.export_dialog)
        self.copy_button.clicked.connect(self.copy_dialog)
        self.class_box.currentTextChanged.connect(self._class_chosen)
        self.speed.said.connect(self._say)
        self.options.changed.connect(self._options_changed)
        self.models.changed.connect(self._model_changed)
        self.results.rowsInserted.connect(self._refresh_classes)
        self.table.doubleClicked.connect(self._row_opened)
        QShortcut(QKeySequence(Qt.Key_Escape), self, self.cancel)

    def _row_opened(self, index) -> None:
        """Double-click: the row's image in the Image view (all its top-k, Grad-CAM)."""
        result = self.results.rows[self.proxy.mapToSource(index).row()]
        self.open_requested.emit(Path(result.path))

    # --- running ----------------------------------------------------------
    def choose_folder(self) -> None:
        start = str(self.settings.value("folder/last", str(Path.home())))
        folder = QFileDialog.getExistingDirectory(self, "Classify a folder", start)
        if folder:
            self.classify([Path(folder)])

    def classify(self, paths: list[Path]) -> None:
        """Classify the images in ``paths`` (folders are searched, sub-folders too)."""
        predictor = self.models.predictor
        if predictor is None:
            self._say("No model is ready yet: wait for it to load, or pick one in Models.")
            return
        first = paths[0] if paths[0].is_dir() else paths[0].parent
        self.settings.setValue("folder/last", str(first))
        self.results.clear()
        self._set_class_filter(ALL_CLASSES)
        # Rows keep every score; the table applies the threshold as it is moved.
        worker = JobWorker(classify_folder, predictor, [str(p) for p in paths], self.options.k,
                           best_batch_size(predictor), threshold=0.0, partial_kw="on_results",
                           litert_file=self.speed.litert_file_for(predictor))
        worker.partial.connect(self.results.append)
        worker.progressed.connect(self._progressed)
        worker.succeeded.connect(self._done)
        worker.failed.connect(self._end)
        worker.cancelled.connect(lambda: self._end(
            f"Cancelled after {self.results.rowCount()} images; the rows so far are kept."))
        self._started = time.monotonic()
        self.progress.setValue(0)
        self._say(f"Classifying {', '.join(p.name for p in paths)} with {predictor.description}…")
        self._slot.start(worker)
        self._set_running(True)

    def cancel(self) -> None:
        self._slot.cancel()
        self._copy_slot.cancel()

    def is_running(self) -> bool:
        return self._slot.is_busy()

    def shutdown(self) -> None:
        self._slot.shutdown()
        self._copy_slot.shutdown()
        self.speed.shutdown()
        self.thumbnails.stop()

    def _progressed(self, fraction: float, message: str) -> None:
        """``message`` is the job's own count ("12 of 50 images"): the rows shown lag behind
        it (they arrive a few times a second), so a total worked out from them is wrong."""
        self.progress.setValue(int(fraction * 1000))
        done, elapsed = self.results.rowCount(), time.monotonic() - self._started
        if done and fraction > 0:
            left = elapsed * (1 - fraction) / fraction
            self.rate.setText(f"{message} · {done / elapsed:.0f} images/s"
                              f" · {duration(left)} left")

    def _done(self, count: int) -> None:
        elapsed = time.monotonic() - self._started
        bad = sum(1 for r in self.results.rows if r.error)
        self.progress.setValue(1000)
        self.rate.setText(f"{count} images in {duration(elapsed)} · "
                          f"{count / max(elapsed, 1e-6):.0f} images/s")
        unread = f"; {bad} could not be read (see their rows)" if bad else ""
        self._end(f"Classified {count - bad} images{unread}." if count else
                  "No images found there: this app reads JPEG, PNG, BMP, TIFF, WebP and GIF.")

    def _end(self, sentence: str) -> None:
        self._set_running(False)
        self._say(sentence)
        self.finished.emit(sentence)

    # --- filter, export, copy ---------------------------------------------
    def _refresh_classes(self) -> None:
        wanted = [ALL_CLASSES, *self.results.classes()]
        have = [self.class_box.itemText(i) for i in range(self.class_box.count())]
        if wanted != have:
            current = self.class_box.currentText()
            self.class_box.blockSignals(True)
            self.class_box.clear()
            self.class_box.addItems(wanted)
            self.class_box.setCurrentText(current if current in wanted else ALL_CLASSES)
            self.class_box.blockSignals(False)

    def _set_class_filter(self, label: str) -> None:
        self.class_box.setCurrentText(label)
        self._class_chosen(label)

    def _class_chosen(self, label: str) -> None:
        self.proxy.show_class(None if label in ("", ALL_CLASSES) else label)

    def _model_changed(self, predictor) -> None:
        """Another model: the rows (and a run) of the one before are dropped, not kept
        under the new model's name."""
        if not self.results.rows and not self.is_running():
            return
        before = self.results.rows[0].model if self.results.rows else "the model before"
        self._slot.retire()
        self.results.clear()
        self._set_class_filter(ALL_CLASSES)
        self._set_running(False)
        self.progress.setValue(0)
        self.rate.setText("Choose a folder, or drop one here.")
        self._say(f"The rows of {before} were cleared: the model is now "
                  f"{predictor.description}. Classify the folder again to see its answers.")

    def _options_changed(self) -> None:
        self.results.set_threshold(self.options.threshold)
        self._refresh_classes()
        self.proxy.invalidate()

    def export_dialog(self) -> None:
        start = Path(str(self.settings.value("folder/last", str(Path.home())))) / "results.csv"
        path, chosen = QFileDialog.getSaveFileName(self, "Export results", str(start),
                                                   "CSV (*.csv);;JSON (*.json)")
        if path:
            if not Path(path).suffix:
                path += ".json" if "json" in chosen.lower() else ".csv"
            self.export_to(Path(path))

    def export_to(self, path: Path) -> bool:
        """Write the rows shown to ``path`` (.csv or .json)."""
        rows = self.proxy.visible_results()
        try:
            export(rows, path)
        except OSError as exc:
            self._say(report_if_disk_fault(exc))  # full, read-only, denied: what to do
            return False
        self._say(f"Exported {len(rows)} rows to {path.name}.")
        return True

    def copy_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Copy into class folders under…",
                                                  str(self.settings.value("folder/last", "")))
        if folder:
            self.copy_to(Path(folder))

    def copy_to(self, destination: Path) -> None:
        """Copy the rows shown into ``destination/<class>/`` in the background."""
        rows = self.proxy.visible_results()
        worker = JobWorker(copy_into_class_folders, rows, destination)
        worker.progressed.connect(lambda f, m: (self.progress.setValue(int(f * 1000)),
                                                self.rate.setText(m)))
        worker.succeeded.connect(lambda n: self._end(
            f"Copied {n} images into class folders under '{destination}'. "
            "The originals are unchanged."))
        worker.failed.connect(self._end)
        worker.cancelled.connect(
            lambda: self._end("Copying cancelled; the copies made so far stay."))
        self._copy_slot.start(worker)
        self._set_running(True)

    # --- drops and state --------------------------------------------------
    def files_dropped(self, paths) -> None:
        self.classify(paths)

    def _set_running(self, running: bool) -> None:
        self.cancel_button.setEnabled(running)
        for button in (self.choose_button, self.export_button, self.copy_button):
            button.setEnabled(not running)

    def _say(self, sentence: str) -> None:
        self.message.setText(sentence)

