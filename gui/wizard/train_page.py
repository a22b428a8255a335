"""Page 4, Train: core.teach.training.train in a worker, its epochs drawn as they come."""
from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWizardPage

from core.base.jobs import duration

from ..widgets.job_bar import JobBar
from ..widgets.message_line import MessageLine
from ..widgets.text import percent
from ..workers import JobWorker
from .curves import TrainingCurves


def run_training(items, class_names, config, progress, should_stop, on_epoch):
    """core.teach.training.train, with each epoch passed on as one dict (a signal's one value)."""
    from core.teach.training import train

    return train(items, class_names, config, progress, should_stop,
                 on_epoch=lambda epoch, logs: on_epoch(dict(logs, epoch=epoch)))


def eta_words(seconds: float) -> str:
    return "almost done" if seconds < 1 else f"about {duration(seconds)} left"


class TrainPage(QWizardPage):
    """Trains as soon as it is shown; Stop keeps the best model so far."""

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.setTitle("Train: the head learns your classes")
        self.setSubTitle("Watch validation: when it stops improving, more epochs will not help. "
                         "Stopping keeps the best model so far.")
        self.epochs_seen: list[dict] = []
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.curves = TrainingCurves()
        self.epoch_label = QLabel("")
        self.eta_label = QLabel("")
        self.again_button = QPushButton("Train again")
        self.again_button.clicked.connect(self.start)
        row = QHBoxLayout()
        row.addWidget(self.epoch_label)
        row.addStretch(1)
        row.addWidget(self.eta_label)
        row.addWidget(self.again_button)
        self.jobs = JobBar("Stop (keep the best so far)")
        self.jobs.ended.connect(self._ended)
        self.message = MessageLine()
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.curves, 1)
        layout.addLayout(row)
        layout.addWidget(self.jobs)
        layout.addWidget(self.message)

    def initializePage(self) -> None:
        self.start()

    def cleanupPage(self) -> None:
        """Going back stops a training run; its result is not kept."""
        self.jobs.slot.retire()
        self.jobs.hide()
        self.again_button.setEnabled(True)

    def start(self) -> None:
        """Train on the project's samples with the chosen backbone and settings."""
        project = self.state.project
        config = dataclasses.replace(self.state.config)
        items, classes = project.labelled(), list(project.classes)
        self.epochs = config.planned_epochs
        self.setTitle(f"Train: {config.backbone} learns every layer from scratch"
                      if config.from_scratch else "Train: the head learns your classes")
        self.epochs_seen = []
        self.curves.reset(self.epochs)
        self.summary.setText(
            f"{config.backbone} at {config.size} px, {len(items)} images in {len(classes)} "
            f"classes, {int(config.val_split * 100)}% kept for validation, up to "
            f"{self.epochs} epochs{' with augmentation' if config.augment else ''}.")
        self.epoch_label.setText("Preparing…")
        self.eta_label.setText("")
        self.message.say("")
        self.state.set_result(None)
        worker = JobWorker(run_training, items, classes, config, partial_kw="on_epoch")
        worker.partial.connect(self._epoch)
        worker.succeeded.connect(self._done)
        worker.failed.connect(self.message.say)
        worker.cancelled.connect(lambda: self.message.say(
            "Stopped before the first epoch ended: there is no model to keep yet."))
        self.again_button.setEnabled(False)
        self.jobs.run(worker, "Starting…")
        self.completeChanged.emit()

    def stop(self) -> None:
        """Stop training; the best epoch so far becomes the model."""
        self.jobs.cancel()

    def busy(self) -> bool:
        return self.jobs.busy()

    def _epoch(self, logs: dict) -> None:
        self.epochs_seen.append(logs)
        epoch = logs["epoch"]
        self.curves.add_epoch(epoch, logs, self.epochs)
        stage = " (fine-tuning the backbone)" if logs.get("stage") == 2 else ""
        self.epoch_label.setText(
            f"Epoch {epoch} of {self.epochs}{stage}: accuracy {percent(logs.get('accuracy'))}, "
            f"validation {percent(logs.get('val_accuracy'))}")
        self.eta_label.setText(eta_words(logs.get("eta_seconds", 0.0)))

    def _done(self, result) -> None:
        self.state.set_result(result)
        ran = len(result.history["loss"])
        accuracy = (f"validation accuracy {percent(result.val_accuracy)}"
                    if result.validation else "no validation images")
        head = (f"Stopped after {ran} epochs; kept" if result.cancelled
                else f"Finished {ran} epochs in {result.seconds:.0f} s; kept")
        sentence = f"{head} epoch {result.best_epoch} ({accuracy})."
        if result.skipped:
            sentence += (f" {len(result.skipped)} image(s) could not be read and were left "
                         "out (see the Data page's checks).")
        self.message.say(sentence)
        self.eta_label.setText("")

    def _ended(self) -> None:
        self.again_button.setEnabled(True)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.state.result is not None and not self.jobs.busy()

    def shutdown(self) -> None:
        self.jobs.shutdown()
