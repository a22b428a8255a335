"""Page 6, Save: write the model bundle, use it in Classify with one click, or export it."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWizardPage,
)

from core.runtime import bundle
from core.runtime.errors import BundleError

from ..widgets.job_bar import JobBar
from ..widgets.message_line import MessageLine
from ..widgets.text import percent, unknown_rule
from ..workers import JobWorker


def save_bundle(path, model, meta, progress, should_stop):
    """core.runtime.bundle.save as a job (saving is atomic, so it is not cancelled midway)."""
    from core.runtime.bundle import save

    return save(path, model, meta, progress)


def same_folder(a, b) -> bool:
    return Path(a).absolute().resolve() == Path(b).absolute().resolve()


def existing_words(folder: Path) -> str:
    """What a saved bundle holds, in a few words: its backbone, classes and date."""
    try:
        meta = bundle.read_meta(folder)
    except (BundleError, OSError, ValueError):  # still a bundle the user may want
        return "its details could not be read"
    return (f"{meta['backbone']}, {len(meta['class_names'])} classes, saved "
            f"{str(meta.get('created', '?'))[:10]}")


class SavePage(QWizardPage):
    """Choose a folder, save, and hand the bundle to Classify.

    A new model is offered a folder no bundle holds yet; saving over a bundle
    asks first, and the bundle Classify is using (``model_in_use()``, its
    reference) is never replaced.
    """

    def __init__(self, state, settings, use_in_classify, model_in_use=lambda: None,
                 parent=None):
        super().__init__(parent)
        self.state, self.settings = state, settings
        self._use_in_classify = use_in_classify
        self._model_in_use = model_in_use
        self._proposed_for = None  # the result the folder shown was proposed for
        self.confirm_box = None    # "replace the saved model?", while it is shown
        self.setTitle("Save: a model bundle the whole app can use")
        self.setSubTitle("A folder with the model (preprocessing inside), its class names, the "
                         "“unknown” threshold and how well it did.")
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.folder = QLineEdit()
        self.folder.textChanged.connect(self.completeChanged)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._choose)
        self.save_button = QPushButton("Save")
        self.save_button.setShortcut(QKeySequence.Save)
        self.save_button.clicked.connect(self.save)
        self.use_button = QPushButton("Use in Classify")
        self.use_button.setShortcut(QKeySequence("Ctrl+U"))
        self.use_button.clicked.connect(self.use_in_classify)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Write the model as .keras, SavedModel, TFLite (float, "
                                      "int8) or ONNX, each checked on your validation images")
        self.export_button.clicked.connect(self.export)
        row = QHBoxLayout()
        row.addWidget(QLabel("Bundle folder"))
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        self.jobs = JobBar()
        self.jobs.cancel_button.hide()  # a bundle is written whole or not at all
        self.jobs.ended.connect(self._update)
        self.message = MessageLine()
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(row)
        layout.addLayout(buttons)
        layout.addWidget(self.jobs)
        layout.addWidget(self.message)
        layout.addStretch(1)

    def initializePage(self) -> None:
        result, project = self.state.result, self.state.project
        meta = result.bundle_meta()
        self.summary.setText(
            f"<b>{meta['backbone']}</b> → {len(result.class_names)} classes "
            f"({', '.join(result.class_names)}); validation accuracy "
            f"{percent(result.val_accuracy)}; {unknown_rule(result.threshold)}; "
            f"{meta['input_size']} px images.")
        if self.state.bundle_path is not None:  # saved already (Compare's "Use this one")
            self.folder.setText(str(self.state.bundle_path))
        elif result is not self._proposed_for or not self.folder.text():
            self.folder.setText(str(bundle.default_folder(project.root, meta["backbone"])))
        self._proposed_for = result
        self.message.say("")
        self._update()

    def _choose(self) -> None:
        folder, _ = QFileDialog.getSaveFileName(self, "Save the model bundle as a folder",
                                                self.folder.text())
        if folder:
            self.folder.setText(folder)

    def save(self) -> None:
        text = self.folder.text().strip()
        if not text or self.jobs.busy():
            return
        target = Path(text)
        in_use = self._model_in_use()
        if in_use and bundle.is_bundle(target) and same_folder(in_use, target):
            self.message.say(f"'{target.name}' is the model Classify is using, so it is not "
                             "replaced. Save under another folder name.")
        elif bundle.is_bundle(target):
            self._confirm_replace(target)
        else:
            self._write(target)

    def _confirm_replace(self, target: Path) -> None:
        """Ask before a saved bundle is replaced; Replace saves, anything else keeps it."""
        box = QMessageBox(QMessageBox.Warning, "Replace the saved model?",
                          f"'{target.name}' in {target.parent} already holds a saved model "
                          f"({existing_words(target)}). Replace it with the model you just "
                          "trained? The saved one is deleted.", parent=self)
        replace = box.addButton("Replace", QMessageBox.DestructiveRole)
        box.setDefaultButton(box.addButton(QMessageBox.Cancel))
        box.setWindowModality(Qt.WindowModal)

        def chosen(button):
            self.confirm_box = None
            if button is replace:
                self._write(target)
            else:
                self.message.say("Nothing was replaced; choose another folder name to keep both.")

        box.buttonClicked.connect(chosen)
        self.confirm_box = box
        box.open()  # not exec(): the window keeps running

    def _write(self, target: Path) -> None:
        result = self.state.result
        worker = JobWorker(save_bundle, target, result.model, result.bundle_meta())
        worker.succeeded.connect(self._saved)
        worker.failed.connect(self.message.say)
        self.message.say("")
        self.jobs.run(worker, "Saving…")
        self._update()

    def _saved(self, path) -> None:
        self.state.bundle_path = Path(path)
        self.settings.setValue("teach/last_bundle", str(path))
        self.message.say(f"Saved '{Path(path).name}' in {Path(path).parent}. Press "
                         "“Use in Classify” to try it on a camera, a folder or an image.")

    def use_in_classify(self) -> None:
        if self.state.bundle_path is not None:
            self._use_in_classify(self.state.bundle_path)

    def export(self) -> None:
        """The export dialog for the model just trained, checked on the validation images."""
        from ..export_dialog import ExportDialog

        result = self.state.result
        if result is None:
            return
        base = Path(self.folder.text().strip() or "model")
        images = [item.path for item in result.val_items] or None
        self.export_dialog = ExportDialog((result.model, result.bundle_meta()),
                                          base.parent / f"{base.name}-export", images, self,
                                          "the model you trained")
        self.export_dialog.show()

    def _update(self) -> None:
        idle = not self.jobs.busy()
        self.export_button.setEnabled(idle and self.state.result is not None)
        self.save_button.setEnabled(idle and self.state.result is not None)
        self.use_button.setEnabled(idle and self.state.bundle_path is not None)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.state.bundle_path is not None and not self.jobs.busy()

    def shutdown(self) -> None:
        self.jobs.shutdown()
