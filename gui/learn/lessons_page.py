"""Learn > Lessons: a paper's claim, its smallest experiment run here, and a verdict.

The page is thin: core.learn.lessons runs the lesson (a core job in a
JobWorker); points reach the chart and finished variants the table as they
come, so a stopped run keeps what finished. The verdict is core's sentence.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.learn.layout import count_text
from core.learn.lessons import results as saved
from core.learn.lessons.catalog import LESSONS, LessonSettings
from core.learn.lessons.data import BUILT_IN_NAMES
from core.learn.lessons.runner import Point, VariantResult
from core.learn.lessons.seeds import number_text, run_seeds, seeds_text

from ..widgets.job_bar import JobBar
from ..widgets.message_line import MessageLine
from ..widgets.tables import style_row_table
from ..workers import JobWorker
from .lesson_chart import LessonChart

COLUMNS = ["Variant", "Depth", "Params", "MACs", "ms / 32 images", "Training error",
           "Validation accuracy"]


class LessonsPage(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.lessons = QListWidget()
        for lesson in LESSONS:
            self.lessons.addItem(lesson.title)
        self.lessons.setMinimumWidth(240)
        self.lessons.setMaximumWidth(280)
        self.title, self.claim, self.citation, self.estimate = (QLabel() for _ in range(4))
        self.title.setStyleSheet("font-size: 15pt; font-weight: bold")
        for label in (self.claim, self.citation, self.estimate):
            label.setWordWrap(True)
        self.citation.setStyleSheet("font-style: italic")
        self.chart = LessonChart()
        self.table = QTableWidget(0, len(COLUMNS))
        style_row_table(self.table, COLUMNS)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.verdict = MessageLine()
        self.verdict.setStyleSheet("font-weight: bold")
        self.job = JobBar("Stop")
        self.job.ended.connect(self._ended)
        self.data_folder: str | None = None
        self.result = None  # the LessonResult shown, once a run finished or one is opened
        self._build_layout()
        self.lessons.currentRowChanged.connect(self.show_lesson)
        self.lessons.setCurrentRow(0)

    def _build_layout(self) -> None:
        self.full = QCheckBox("Full version (closer to the paper; much longer)")
        self.seed = QSpinBox()
        self.seed.setRange(0, 9999)
        self.seed.setPrefix("seed ")
        self.runs = QSpinBox()
        self.runs.setRange(1, 5)
        self.runs.setPrefix("runs: ")
        self.runs.setToolTip("Run once per seed (seed, seed + 1, …): the table shows the mean "
                             "and, in brackets, the lowest and highest; the verdict agrees only "
                             "when every run agrees")
        self.data_button = QPushButton()
        self.data_button.setToolTip("Choose a folder of your images, one sub-folder per class")
        self.data_button.clicked.connect(self._choose_data)
        self.run_button = QPushButton("Run")
        self.run_button.clicked.connect(self.run)
        self.save_button = QPushButton("Save results…")
        self.open_button = QPushButton("Open results…")
        self.png_button = QPushButton("Chart as PNG…")
        self.csv_button = QPushButton("Points as CSV…")
        for button, slot in ((self.save_button, self._save), (self.open_button, self._open),
                             (self.png_button, self._save_png), (self.csv_button, self._save_csv)):
            button.clicked.connect(slot)
        controls = QHBoxLayout()
        for widget in (self.run_button, self.full, self.seed, self.runs, QLabel("Data:"),
                       self.data_button):
            controls.addWidget(widget)
        controls.addStretch(1)
        files = QHBoxLayout()
        files.addStretch(1)
        for widget in (self.save_button, self.open_button, self.png_button, self.csv_button):
            files.addWidget(widget)
        right = QWidget()
        column = QVBoxLayout(right)
        for widget in (self.title, self.claim, self.citation, self.estimate):
            column.addWidget(widget)
        column.addLayout(controls)
        column.addWidget(self.job)
        results = QSplitter(Qt.Vertical)
        results.addWidget(self.chart)
        results.addWidget(self.table)
        results.setSizes([380, 160])
        column.addWidget(results, 1)
        column.addWidget(self.verdict)
        column.addLayout(files)
        splitter = QSplitter()
        splitter.addWidget(self.lessons)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        QVBoxLayout(self).addWidget(splitter)

    def lesson(self):
        return LESSONS[max(0, self.lessons.currentRow())]

    def show_lesson(self, row: int) -> None:
        """Show a lesson's claim; a run of another lesson is stopped and dropped."""
        self.job.slot.retire()
        self.job.hide()
        lesson = LESSONS[row]
        self.title.setText(lesson.title)
        self.claim.setText(f"<b>The claim.</b> {lesson.claim}")
        self.citation.setText(lesson.citation)
        self.estimate.setText(f"<b>Measured here:</b> {lesson.measures}. About "
                              f"{lesson.quick_minutes:g} min on 2 CPU cores (full version: "
                              f"roughly {lesson.full_minutes:g} min, estimated).")
        self._show_data()
        self._clear()
        self.verdict.say("Press Run: the verdict compares this run with the paper's claim.")
        self.run_button.setEnabled(True)

    def settings(self) -> LessonSettings:
        return LessonSettings(quick=not self.full.isChecked(), seed=self.seed.value(),
                              data=self.data_folder)

    def seeds(self, settings: LessonSettings) -> list[int]:
        return list(range(settings.seed, settings.seed + self.runs.value()))

    def run(self, settings: LessonSettings | None = None) -> JobWorker:
        """Run the shown lesson once per seed (``settings``: tests pass small ones)."""
        lesson = self.lesson()
        settings = settings or self.settings()
        self._clear()
        self.verdict.say("Running…")
        worker = JobWorker(run_seeds, lesson.key, settings, self.seeds(settings),
                           partial_kw="on_partial")
        self.run_button.setEnabled(False)
        for signal, slot in ((worker.partial, self._partial), (worker.succeeded, self._finished),
                             (worker.failed, self.verdict.say), (worker.cancelled, self._stopped)):
            signal.connect(slot)
        return self.job.run(worker, f"{lesson.title}…")

    def shutdown(self) -> None:
        self.job.shutdown()

    def _clear(self) -> None:
        lesson = self.lesson()
        self.chart.reset(lesson.x_label, lesson.y_label)
        self.table.setRowCount(0)
        self._show_result(None)

    def _show_result(self, result) -> None:
        self.result = result
        for button in (self.save_button, self.png_button, self.csv_button):
            button.setEnabled(result is not None)

    def _partial(self, value) -> None:
        if isinstance(value, Point):
            self.chart.add(value)
        elif isinstance(value, VariantResult):
            self._add_row(value)

    def _add_row(self, v: VariantResult, result=None) -> None:
        """A variant's row; with a finished ``result`` of several seeds, their spread."""
        cells = [v.name, str(v.depth), count_text(v.params), count_text(v.macs),
                 f"{v.latency_ms:.1f}" if v.latency_ms is not None else "-",
                 number_text(result, v, "train_error"), number_text(result, v, "val_accuracy")]
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column, text in enumerate(cells):
            self.table.setItem(row, column, QTableWidgetItem(text))

    def _finished(self, result) -> None:
        self._show_result(result)
        self.table.setRowCount(0)  # the rows again, with the spread over several seeds
        for variant in result.variants:
            self._add_row(variant, result)
        self.verdict.say(f"{result.verdict} ({result.seconds:.0f} s, {seeds_text(result)})")

    def show_saved(self, result) -> None:
        """Show a reopened result: its lesson, chart, table and verdict."""
        self.lessons.setCurrentRow([lesson.key for lesson in LESSONS].index(result.lesson))
        for point in saved.points(result):
            self.chart.add(point)
        self._finished(result)

    def _save(self) -> None:
        path = self._ask_path("Save the results", f"{self.result.lesson}.json", "JSON (*.json)")
        if path:
            self._write(lambda: saved.save(self.result, path), path)

    def _save_csv(self) -> None:
        path = self._ask_path("Save the chart's points", f"{self.result.lesson}.csv",
                              "CSV (*.csv)")
        if path:
            self._write(lambda: Path(path).write_text(saved.to_csv(self.result)), path)

    def _save_png(self) -> None:
        path = self._ask_path("Save the chart", f"{self.result.lesson}.png", "PNG (*.png)")
        if path and not self.chart.grab().save(path):
            self.verdict.say(f"Could not write {path}: choose another folder.")

    def _open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open saved results", "", "JSON (*.json)")
        if path:
            try:
                self.show_saved(saved.load(path))
            except (OSError, ValueError) as exc:
                self.verdict.say(str(exc))

    def _ask_path(self, title: str, name: str, kind: str) -> str:
        return QFileDialog.getSaveFileName(self, title, name, kind)[0]

    def _write(self, write, path: str) -> None:
        try:
            write()
        except OSError as exc:
            self.verdict.say(f"Could not write {path} ({exc.strerror or exc}).")

    def _stopped(self) -> None:
        self.verdict.say("Stopped: the variants that finished stay in the table; no verdict.")

    def _ended(self) -> None:
        self.run_button.setEnabled(True)

    def _choose_data(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "A folder with one sub-folder per class")
        self.data_folder = folder or None
        self._show_data()

    def _show_data(self) -> None:
        self.data_button.setText(self.data_folder or BUILT_IN_NAMES[self.lesson().built_in])
