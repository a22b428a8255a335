"""Models: every backbone with its numbers; pick one, get its weights, open a bundle."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.models import backbones, weights
from core.models.fetch import download_for_backbone, import_for_backbone
from core.runtime.speeds import measure_speed

from ..widgets.backbone_table import BackboneTable
from ..workers import JobSlot, JobWorker

STATUS_WORDS = {"bundled": "bundled ✓", "cached": "downloaded ✓",
                "downloadable": "not here: download", "none": "none: train it"}
WEIGHTS_FILTER = "Keras weights (*.h5 *.keras);;All files (*)"


def _speeds() -> dict:
    from core.runtime.speeds import measured_speeds

    return measured_speeds()


class ModelsPanel(QWidget):
    """The backbone table; "Use this model" loads through the window's ModelState."""

    message_changed = Signal(str)

    def __init__(self, models, settings, parent=None):
        super().__init__(parent)
        self.models, self.settings = models, settings
        self._download_slot = JobSlot(self)
        self._speed_slot = JobSlot(self)
        self._survey_slot = JobSlot(self)  # "Measure speed": every backbone
        self._row_messages: dict[str, str] = {}  # the last news about each backbone
        self._message_row: str | None = None
        self._build()
        self._connect()
        self.refresh()
        self.select(backbones.DEFAULT_BACKBONE)

    # --- construction -----------------------------------------------------
    def _build(self) -> None:
        self.table = BackboneTable(STATUS_WORDS, show_speed=True)
        self.title = QLabel("")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.title.setFont(font)
        self.details = QLabel("")
        self.details.setWordWrap(True)
        self.use_button = QPushButton("Use this model")
        self.download_button = QPushButton("Download weights")
        self.import_button = QPushButton("Import weights…")
        self.open_button = QPushButton("Open model folder…")
        self.open_button.setToolTip("Open a model you trained (a bundle folder with model.json)")
        self.speed_button = QPushButton("Measure speed")
        self.speed_button.setToolTip("Measure every backbone's batch-1 speed on this computer, "
                                     "smallest first (those without weights here: the "
                                     "architecture's speed, with random weights)")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel download")
        self.cancel_button.hide()
        buttons = QHBoxLayout()
        for widget in (self.use_button, self.download_button, self.import_button,
                       self.open_button, self.speed_button, self.progress, self.cancel_button):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.title)
        layout.addWidget(self.details)
        layout.addLayout(buttons)
        layout.addWidget(self.message)

    def _connect(self) -> None:
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemDoubleClicked.connect(lambda item: self.use_selected())
        self.use_button.clicked.connect(self.use_selected)
        self.download_button.clicked.connect(self.download_selected)
        self.import_button.clicked.connect(self.import_dialog)
        self.open_button.clicked.connect(self.open_dialog)
        self.cancel_button.clicked.connect(self._cancel)
        self.speed_button.clicked.connect(lambda: self.measure_speeds())
        self.models.loading.connect(lambda ref: self._say(f"Loading {_ref_name(ref)}…"))
        self.models.changed.connect(self._model_changed)
        self.models.failed.connect(self._say)

    # --- the table --------------------------------------------------------
    def refresh(self) -> None:
        """Re-read weights status and measured speeds into the table."""
        from core.classify.speed_survey import architecture_speeds

        self.table.architecture_speeds = architecture_speeds()
        self.table.refresh(_speeds(), marked=self.models.ref, mark=" (in use)")

    def select(self, name: str) -> None:
        self.table.select(name)

    def selected(self):
        return self.table.selected()

    def _selection_changed(self) -> None:
        spec = self.selected()
        if spec is None:
            return
        if spec.name in self._row_messages:
            self._say(self._row_messages[spec.name], spec.name)
        elif self._message_row is not None:
            self._say("")  # that message was about another backbone
        status = weights.status(spec)
        self.title.setText(f"{spec.name} · {spec.family}")
        top1 = f", {spec.top1:.1f}% ImageNet top-1" if spec.top1 else ""
        text = f"{spec.use_case} {spec.params / 1e6:.1f} M parameters{top1}."
        if status in ("downloadable", "none"):
            text += "\n" + weights.missing_sentence(spec)
        self.details.setText(text)
        self.use_button.setEnabled(status in ("bundled", "cached"))
        busy = self._download_slot.is_busy()
        self.download_button.setEnabled(status == "downloadable" and not busy)
        self.import_button.setEnabled(status != "none" and not busy)

    # --- actions ----------------------------------------------------------
    def use_selected(self) -> None:
        spec = self.selected()
        if spec is None:
            return
        if weights.status(spec) in ("downloadable", "none"):
            self._say(weights.missing_sentence(spec), spec.name)
            return
        self.models.load(spec.name)

    def open_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Open a model folder", str(self.settings.value("models/last_bundle_dir", "")))
        if folder:
            self.open_bundle(Path(folder))

    def open_bundle(self, folder: Path) -> None:
        from core.runtime.model_files import ModelFileError
        from core.runtime.model_ref import resolve

        # A SavedModel, or a folder holding one model file and its labels, opens too.
        try:
            resolve(folder)
        except ModelFileError:
            self._say(f"'{folder.name}' is not a saved model: choose the folder Teach saved "
                      "(model.json and model.keras), or a folder holding one model file; "
                      "File > Open model… opens a model file itself.")
            return
        self.settings.setValue("models/last_bundle_dir", str(folder.parent))
        self.models.load(str(folder))

    def download_selected(self) -> None:
        spec = self.selected()
        if spec is None or weights.status(spec) != "downloadable":
            return
        self._run_weights_job(JobWorker(download_for_backbone, spec), spec,
                              f"Downloading {spec.name}'s weights…")

    def import_dialog(self) -> None:
        spec = self.selected()
        if spec is None or spec.top_weights is None:
            return
        start = str(self.settings.value("models/last_weights_dir", str(Path.home())))
        path, _ = QFileDialog.getOpenFileName(
            self, f"Import {spec.name} weights ({spec.top_weights.filename})", start,
            WEIGHTS_FILTER)
        if path:
            self.settings.setValue("models/last_weights_dir", str(Path(path).parent))
            self.import_file(spec, Path(path))

    def import_file(self, spec, path: Path) -> None:
        self._run_weights_job(JobWorker(import_for_backbone, spec, path), spec,
                              f"Importing '{path.name}' for {spec.name}…")

    def _run_weights_job(self, worker, spec, sentence: str) -> None:
        worker.progressed.connect(lambda f, m: (self.progress.setValue(int(f * 1000)),
                                                self._say(m)))
        worker.succeeded.connect(lambda path: self._weights_done(
            f"{spec.name}'s weights are ready: press “Use this model”.", spec.name))
        worker.failed.connect(lambda sentence: self._weights_done(sentence, spec.name))
        worker.cancelled.connect(
            lambda: self._weights_done("Download cancelled; nothing was kept.", spec.name))
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self._say(sentence)
        self._download_slot.start(worker)
        self._selection_changed()

    def _weights_done(self, sentence: str, row: str | None = None) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self.refresh()
        self._say(sentence, row)

    # --- speed ------------------------------------------------------------
    def _model_changed(self, predictor) -> None:
        name = _ref_name(self.models.ref or "")
        self._say(f"{predictor.description} is in use ({predictor.runtime}).")
        self.refresh()
        if self.models.ref in {b.name for b in backbones.all_backbones()} \
                and name not in _speeds():
            worker = JobWorker(measure_speed, predictor)
            worker.succeeded.connect(lambda speed: self._speed_measured(name, speed))
            self._speed_slot.start(worker)

    def measure_speeds(self, names=None) -> JobWorker:
        """Measure ``names`` (default: every backbone), smallest first; rows update as they come."""
        from core.classify.speed_survey import survey

        worker = JobWorker(survey, names, partial_kw="on_speed")
        worker.progressed.connect(lambda f, m: (self.progress.setValue(int(f * 1000)),
                                                self._say(m)))
        worker.partial.connect(lambda _measured: self.refresh())
        worker.succeeded.connect(lambda out: self._speeds_done(f"Measured {len(out)} backbones "
                                                               "on this computer."))
        worker.failed.connect(self._speeds_done)
        worker.cancelled.connect(lambda: self._speeds_done("Stopped; the speeds measured so "
                                                           "far are kept."))
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.setText("Stop measuring")
        self.cancel_button.show()
        self.speed_button.setEnabled(False)
        self._survey_slot.start(worker)
        return worker

    def _speeds_done(self, sentence: str) -> None:
        self.speed_button.setEnabled(True)
        self.cancel_button.setText("Cancel download")
        self._weights_done(sentence)

    def _cancel(self) -> None:
        self._download_slot.cancel()
        self._survey_slot.cancel()

    def _speed_measured(self, name: str, images_per_second: float) -> None:
        from core.runtime.speeds import record_speed

        record_speed(name, images_per_second)
        self.refresh()

    def shutdown(self) -> None:
        for slot in (self._download_slot, self._speed_slot, self._survey_slot):
            slot.shutdown()

    def _say(self, sentence: str, row: str | None = None) -> None:
        """Show ``sentence``; one about a ``row`` (a backbone) shows only while it is selected."""
        self._message_row = row
        if row is not None:
            self._row_messages[row] = sentence
        self.message.setText(sentence)
        self.message_changed.emit(sentence)


def _ref_name(ref: str) -> str:
    return Path(ref).name if ("/" in ref or "\\" in ref) else ref
