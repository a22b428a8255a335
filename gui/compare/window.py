"""The comparison window: progress, the results table, the plot, one row's mistakes.

Opened from the Teach wizard's Backbone page with the ticked backbones, or
from Teach > Compare backbones… on the open project's saved comparison. The
job is :func:`core.compare.comparison.compare` in a :class:`gui.workers.JobWorker`; rows
arrive one by one (``on_row``), so a cancelled run keeps the finished ones.
The plot is core's own picture (:mod:`core.compare.plot`), the same PNG the
command line writes. "Use this one" saves the chosen backbone's trained model
as a bundle in a worker (:func:`core.compare.kept_models.save_bundle`: no
retraining; on a reopened comparison the model is rebuilt from the head kept in
the project) and tells the wizard (``used``). A comparison runs on a snapshot of
the project (:meth:`core.teach.dataset.Project.snapshot`), never the live one.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.compare import comparison as core_compare
from core.compare.kept_models import save_bundle
from core.compare.plot import render
from core.runtime import bundle

from ..fault_box import report_if_disk_fault
from ..widgets.confusion import ConfusionMatrix
from ..widgets.job_bar import JobBar
from ..widgets.message_line import MessageLine
from ..widgets.text import percent, short_name
from ..widgets.thumbnails import ThumbnailGrid
from ..workers import JobWorker
from .table import ResultsTable


def _weights_status(row) -> str | None:
    from core.models import backbones, weights

    return None if row is None else weights.status(backbones.get(row.backbone))


USE_TIP = ("Save the chosen backbone's trained model as a bundle and continue the wizard "
           "with it (no retraining)")


class CompareWindow(QWidget):
    """Compare backbones on a project; ``used(row, bundle_path)`` after "Use this one"."""

    used = Signal(object, object)
    finished = Signal()

    def __init__(self, project, parent=None):
        super().__init__(parent)
        self.setWindowFlag(Qt.Window)
        self.setWindowTitle(f"Compare backbones on {project.root.name}")
        self.project = project
        self.rows: list = []
        self.config = core_compare.CompareConfig()
        self._plot_image = None
        self._build()
        saved = core_compare.load(project.root)
        if saved is not None:
            self.config = saved.config
            self.show_rows(saved.rows, "The last comparison of this project"
                           + (" (stopped early)" if saved.cancelled else "") + ".")
        self.resize(1200, 860)

    def _build(self) -> None:
        self.headline = QLabel("")
        self.headline.setWordWrap(True)
        self.jobs = JobBar("Stop")
        self.jobs.ended.connect(self._update)
        self.table = ResultsTable()
        self.table.itemSelectionChanged.connect(self._row_chosen)
        self.plot = QLabel()
        self.plot.setAlignment(Qt.AlignCenter)
        self.plot.setMinimumSize(440, 280)
        self.plot.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Ignored)
        self.matrix = ConfusionMatrix()
        self.mistakes = ThumbnailGrid(72)
        details = QTabWidget()
        details.addTab(self.plot, "Accuracy vs speed")
        details.addTab(self.matrix, "Confusion matrix (chosen row)")
        details.addTab(self.mistakes, "Mistakes (chosen row)")
        self.details = details
        split = QSplitter(Qt.Vertical)
        split.addWidget(self.table)
        split.addWidget(details)
        split.setSizes([300, 520])
        self.csv_button = QPushButton("Export CSV…")
        self.png_button = QPushButton("Export plot PNG…")
        self.download_button = QPushButton("Download weights")
        self.import_button = QPushButton("Import weights…")
        for button in (self.download_button, self.import_button):
            button.setToolTip("The chosen backbone's ImageNet weights are not here: get them, "
                              "then compare again")
        self.download_button.clicked.connect(self.download_selected)
        self.import_button.clicked.connect(self._import_dialog)
        self.again_button = QPushButton("Compare again")
        self.again_button.setToolTip("The same backbones and settings on the project as it is "
                                     "now; embeddings already computed are reused")
        self.again_button.clicked.connect(lambda: self.start([r.backbone for r in self.rows],
                                                             self.config))
        self.use_button = QPushButton("Use this one")
        self.use_button.setToolTip(USE_TIP)
        self.csv_button.clicked.connect(lambda: self._export("csv"))
        self.png_button.clicked.connect(lambda: self._export("png"))
        self.use_button.clicked.connect(self.use_selected)
        buttons = QHBoxLayout()
        for button in (self.csv_button, self.png_button):
            buttons.addWidget(button)
        buttons.addWidget(self.again_button)
        buttons.addStretch(1)
        buttons.addWidget(self.download_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.use_button)
        self.message = MessageLine()
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.jobs)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self._update()

    # --- running -----------------------------------------------------------
    def start(self, names, config=None) -> JobWorker:
        """Compare ``names`` on the project (replacing the rows shown)."""
        config = self.config = config or core_compare.CompareConfig()
        self.show_rows([], f"Comparing {len(names)} backbones on {len(self.project.samples)} "
                           f"images: {', '.join(names)}.")
        # A copy of the project: edits made while it runs wait for the next comparison.
        worker = JobWorker(core_compare.compare, self.project.snapshot(), list(names), config,
                           partial_kw="on_row")
        worker.partial.connect(self._row_arrived)
        worker.succeeded.connect(lambda c: self._done(c.rows, "Comparison finished."))
        worker.cancelled.connect(lambda: self._done(self.rows, "Stopped: the finished "
                                                              "rows are kept."))
        worker.failed.connect(self.message.say)
        self.jobs.run(worker, "Starting…")
        self._update()
        return worker

    def busy(self) -> bool:
        return self.jobs.busy()

    def cancel(self) -> None:
        self.jobs.cancel()

    def _row_arrived(self, row) -> None:
        self.show_rows(self.rows + [row])

    def _done(self, rows, sentence: str) -> None:
        self.show_rows(rows, sentence)
        failed = [r for r in rows if r.error]
        self.message.say(" ".join(f"{r.backbone}: {r.error}" for r in failed))
        self.finished.emit()

    # --- showing -------------------------------------------------------------
    def show_rows(self, rows, headline: str | None = None) -> None:
        self.rows = list(rows)
        if headline is not None:
            self.headline.setText(headline)
        self.table.set_rows(self.rows)
        self._plot_image = render(self.rows)
        self._show_plot()
        if self.table.selected() is None and self.rows:
            best = max((r for r in self.rows if r.val_accuracy is not None),
                       key=lambda r: r.val_accuracy, default=None)
            if best is not None:
                self.table.select(best.backbone)
        self._update()

    def _show_plot(self) -> None:
        if self._plot_image is None:
            return
        image = self._plot_image
        qimage = QImage(image.data, image.shape[1], image.shape[0], image.strides[0],
                        QImage.Format_RGB888).copy()
        pixmap = QPixmap.fromImage(qimage)
        size = self.plot.size()
        if size.width() > 50 and size.height() > 50:
            pixmap = pixmap.scaled(size, Qt.KeepAspectRatio, Qt.SmoothTransformation)
        self.plot.setPixmap(pixmap)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._show_plot()

    def _row_chosen(self) -> None:
        row = self.table.selected()
        evaluation = row.evaluation if row is not None else None
        if evaluation is None:
            self.matrix.set_matrix([], [])
            self.mistakes.set_images([])
        else:
            self.matrix.set_matrix(evaluation["class_names"], evaluation["confusion"])
            self.mistakes.set_images([
                (m["path"], f"{m['predicted']} {m['score']:.0%}\nis {m['true']}",
                 f"{short_name(m['path'])}: labelled '{m['true']}', predicted "
                 f"'{m['predicted']}' ({percent(m['score'])})")
                for m in evaluation["misclassified"]])
        self._update()

    def _update(self) -> None:
        idle = not self.jobs.busy()
        row = self.table.selected()
        usable = idle and row is not None and (row.result is not None or bool(row.model_file))
        self.use_button.setEnabled(usable)
        if row is not None and row.result is None and not row.model_file and row.error is None:
            self.use_button.setToolTip("Compare again to use this backbone: this comparison "
                                       "kept no trained model for it.")
        else:
            self.use_button.setToolTip(USE_TIP)
        self.csv_button.setEnabled(bool(self.rows))
        self.png_button.setEnabled(bool(self.rows))
        self.again_button.setEnabled(idle and bool(self.rows))
        missing = row is not None and row.error is not None and _weights_status(row) in (
            "downloadable", "cached")
        self.download_button.setVisible(missing)
        self.import_button.setVisible(missing)
        self.download_button.setEnabled(idle)  # both files; one already here is kept
        self.import_button.setEnabled(idle)

    # --- actions -------------------------------------------------------------
    def export_csv(self, path) -> Path:
        return core_compare.write_csv(path, self.rows)

    def export_png(self, path) -> Path:
        from core.compare.plot import write_png

        return write_png(path, self.rows)

    def _export(self, kind: str) -> None:
        default = str(self.project.root / f"comparison.{kind}")
        path, _ = QFileDialog.getSaveFileName(self, f"Export the comparison as {kind.upper()}",
                                              default, f"{kind.upper()} (*.{kind})")
        if not path:
            return
        try:
            written = self.export_csv(path) if kind == "csv" else self.export_png(path)
        except OSError as exc:
            self.message.say(report_if_disk_fault(exc))
        else:
            self.message.say(f"Wrote {written}.")

    def download_selected(self) -> JobWorker | None:
        """Download the chosen row's missing weights (then compare again)."""
        from core.models import backbones
        from core.models.fetch import download_for_backbone

        row = self.table.selected()
        if row is None or self.jobs.busy():
            return None
        return self._weights_job(JobWorker(download_for_backbone, backbones.get(row.backbone)),
                                 f"Downloading {row.backbone}'s weights…")

    def _import_dialog(self) -> None:
        from core.models import backbones
        from core.models.fetch import import_for_backbone

        row = self.table.selected()
        if row is None or self.jobs.busy():
            return
        spec = backbones.get(row.backbone)
        path, _ = QFileDialog.getOpenFileName(
            self, f"Import {spec.name} weights ({spec.notop_weights.filename})", "",
            "Keras weights (*.h5 *.keras);;All files (*)")
        if path:
            self._weights_job(JobWorker(import_for_backbone, spec, Path(path)),
                              f"Importing '{Path(path).name}'…")

    def _weights_job(self, worker, sentence: str) -> JobWorker:
        worker.succeeded.connect(lambda _path: self.message.say(
            "The weights are here now: compare again to include this backbone."))
        worker.failed.connect(self.message.say)
        worker.cancelled.connect(lambda: self.message.say("Stopped; nothing was kept."))
        self.jobs.run(worker, sentence)
        self._update()
        return worker

    def bundle_folder(self, row) -> Path:
        return bundle.default_folder(self.project.root, row.backbone)

    def use_selected(self) -> JobWorker | None:
        """Save the chosen row's trained model as a bundle; ``used`` follows."""
        row = self.table.selected()
        if row is None or (row.result is None and not row.model_file) or self.jobs.busy():
            return None
        worker = JobWorker(save_bundle, self.bundle_folder(row), row, self.project.root,
                           self.project.labelled())
        worker.succeeded.connect(lambda outcome, row=row: self._saved(row, *outcome))
        worker.failed.connect(self.message.say)
        self.jobs.run(worker, f"Saving {row.backbone}…" if row.result is not None
                      else f"Rebuilding {row.backbone} from the model kept in the project…")
        self._update()
        return worker

    def _saved(self, row, result, path) -> None:
        row.result = result  # a rebuilt model stays usable while the window lives
        self.message.say(f"Saved {row.backbone}'s model as '{Path(path).name}' in "
                         f"{Path(path).parent}.")
        self.used.emit(row, Path(path))

    def shutdown(self) -> None:
        self.jobs.shutdown()
        self.mistakes.shutdown()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)
