"""File > Open model…'s Input section: how images reach a model made elsewhere.

Shown beside the window once a model file opens. The user picks the
preprocessing in plain words and the crop (core.runtime.input_choice's
PREPROCESSING and CROPS), reads the whole rule in words, and sees the top five
on a sample photo change as they choose (scored in a worker, the model not
reloaded). "Use and save" keeps the choice in the model.json beside the file
(or the app's settings when that folder cannot be written) and opens the
model again under it.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
)

from core.runtime import input_choice

from .widgets.frame_view import qimage_from_array
from .widgets.message_line import MessageLine
from .widgets.topk_bars import TopKBars
from .workers import JobSlot, JobWorker

THUMBNAIL = 160
INSIDE_NOTE = "This model takes 0-255 images and preprocesses them itself."


def sample_photo() -> Path:
    """The photo the choices are tried on: the bundled coffee photo (an ImageNet class)."""
    from core.runtime.formats import sample_images

    found = sample_images()
    return next((p for p in found if p.name == "coffee.jpg"), found[0])


def _score(predictor, rule, photo: Path, progress, should_stop):
    from core.images.decode import load_rgb

    return input_choice.preview(predictor, rule, load_rgb(photo), progress=progress)


class InputDialog(QDialog):
    """The Input section for the model file ``model_path``, opened as ``ref`` in ``models``
    (gui.model_state.ModelState); it follows that model as it loads and reloads."""

    previewed = Signal(list)  # the top five shown (core.runtime.inference.Prediction)
    saved = Signal(object)    # core.runtime.input_choice.Saved

    def __init__(self, models, ref: str, model_path: Path, parent=None):
        super().__init__(parent)
        self.models, self.ref, self.model_path = models, ref, Path(model_path)
        self.predictor = None
        self._last: list = []  # the top five shown
        self.photo = sample_photo()
        self._slot = JobSlot(self)
        self.setWindowTitle(f"Open model: {self.model_path.name}")
        self.preprocessing = QComboBox()
        for mode, words in input_choice.PREPROCESSING:
            self.preprocessing.addItem(words, mode)
        self.crop = QComboBox()
        for fraction, words in input_choice.CROPS:
            self.crop.addItem(words, fraction)
        self.rule_text = QLabel("Opening the model…")
        self.rule_text.setWordWrap(True)
        self.bars = TopKBars(placeholder="The top five on the sample photo show here.")
        self.message = MessageLine()
        self.buttons = QDialogButtonBox(QDialogButtonBox.Close)
        self.save_button = self.buttons.addButton("Use and save", QDialogButtonBox.AcceptRole)
        self._lay_out()
        self._enable(False)
        self.preprocessing.currentIndexChanged.connect(self._chosen)
        self.crop.currentIndexChanged.connect(self._chosen)
        self.save_button.clicked.connect(self.save)
        self.buttons.rejected.connect(self.close)
        models.changed.connect(self._model_changed)
        if models.predictor is not None and models.ref == ref:
            self._model_changed(models.predictor)

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.addRow("Preprocessing", self.preprocessing)
        form.addRow("Crop", self.crop)
        form.addRow(self.rule_text)
        box = QGroupBox("Input")
        box.setLayout(form)
        photo = QLabel()
        photo.setPixmap(_thumbnail(self.photo))
        photo.setAlignment(Qt.AlignTop)
        sample = QHBoxLayout()
        sample.addWidget(photo)
        sample.addWidget(self.bars, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addWidget(QLabel(f"Top five on {self.photo.name} under this choice:"))
        layout.addLayout(sample)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(560, 420)

    # --- the model ----------------------------------------------------------
    def _model_changed(self, predictor) -> None:
        if self.models.ref != self.ref:
            return  # another model took its place: this section is not about it
        self.predictor = predictor
        rule = predictor.input_rule
        for combo, value in ((self.preprocessing, rule.preprocessing), (self.crop, rule.crop)):
            combo.blockSignals(True)
            index = combo.findData(value)
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)
        self._enable(True)
        inside = rule.preprocessing == "inside"
        self.preprocessing.setEnabled(not inside)
        self.preprocessing.setToolTip(INSIDE_NOTE if inside else "")
        self._chosen()

    def _enable(self, on: bool) -> None:
        for widget in (self.preprocessing, self.crop, self.save_button):
            widget.setEnabled(on)

    # --- the choice ---------------------------------------------------------
    def rule(self):
        """The input rule as chosen now (core.runtime.input_rule.InputRule)."""
        return input_choice.with_choice(self.predictor.input_rule,
                                        self.preprocessing.currentData(),
                                        float(self.crop.currentData()))

    def _chosen(self) -> None:
        if self.predictor is None:
            return
        rule = self.rule()
        self.rule_text.setText(rule.describe() + ("" if rule.preprocessing != "inside"
                                                  else f". {INSIDE_NOTE}"))
        worker = JobWorker(_score, self.predictor, rule, self.photo)
        worker.succeeded.connect(self._scored)
        worker.failed.connect(self.message.say)
        self._slot.start(worker)

    def _scored(self, predictions) -> None:
        self._last = list(predictions)
        self.bars.set_predictions(predictions)
        self.previewed.emit(list(predictions))

    def save(self) -> None:
        """Keep the choice beside the model (or in the app's settings) and reopen it."""
        from core.base.faults import sentence
        from core.runtime.model_files import metadata_beside

        if self.predictor is None:
            return
        try:
            where = input_choice.save(self.model_path, input_choice.choice_of(self.rule()),
                                      metadata_beside(self.model_path))
        except OSError as exc:
            self.message.say(sentence(exc))
            return
        self.message.say(f"{where.describe()} Opening the model again with it…")
        self.saved.emit(where)
        self.models.load(self.ref)

    def done(self, result: int) -> None:
        self._slot.shutdown()
        super().done(result)

    def closeEvent(self, event) -> None:
        self._slot.shutdown()
        super().closeEvent(event)


def _thumbnail(photo: Path) -> QPixmap:
    from core.images.decode import ImageError, fit_square, load_rgb

    try:
        rgb = fit_square(load_rgb(photo, THUMBNAIL), THUMBNAIL, fraction=1.0)
    except ImageError:
        return QPixmap()
    return QPixmap.fromImage(qimage_from_array(rgb))
