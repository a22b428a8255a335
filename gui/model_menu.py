"""File > Open model… and File > Export model…: models in and out of the app.

Open model takes any model file the app opens (core.runtime.model_files: a bundle,
.keras, Keras 2 .h5 such as Teachable Machine's, .tflite, .onnx, a SavedModel)
and loads it into Classify; when nothing beside the file names its classes,
the user picks a labels file once (remembered for that model). A model file
then shows its Input section (gui.open_model_dialog): the preprocessing and
crop, tried on a sample photo and kept beside the file. Export model
exports the bundle or Keras model in use (or one picked from disk).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox

from core.runtime.bundle import is_bundle

MODEL_FILTER = ("Models (*.keras *.h5 *.hdf5 *.tflite *.onnx model.json saved_model.pb);;"
                "All files (*)")


def model_file_actions(window) -> list[QAction]:
    """The File menu's Open model… and Export model… entries for ``window``."""
    open_action = QAction("Open &model…", window)
    open_action.setShortcut(QKeySequence("Ctrl+Alt+O"))
    open_action.triggered.connect(lambda: open_model_dialog(window))
    export_action = QAction("&Export model…", window)
    export_action.setShortcut(QKeySequence("Ctrl+E"))
    export_action.triggered.connect(lambda: export_model_dialog(window))
    return [open_action, export_action]


def open_model_dialog(window) -> None:
    settings = window.settings
    picked, _ = QFileDialog.getOpenFileName(window, "Open a model",
                                            str(settings.value("models/last_file_dir", "")),
                                            MODEL_FILTER)
    if picked:
        settings.setValue("models/last_file_dir", str(Path(picked).parent))
        open_model(window, picked)


def open_model(window, picked) -> None:
    """Load the model ``picked`` names (core.runtime.model_ref) into Classify, asking for
    its class names when nothing names them."""
    from core.models.backbones import UnknownBackbone
    from core.runtime.model_files import ModelFileError, find_labels, remember_labels
    from core.runtime.model_ref import resolve

    try:
        ref = resolve(Path(picked))
    except (ModelFileError, UnknownBackbone) as exc:
        window.statusBar().showMessage(str(exc))
        return
    if ref.kind != "bundle":
        model_path = ref.path
        if find_labels(model_path, look_inside=False) is None:
            labels, _ = QFileDialog.getOpenFileName(
                window, f"Class names for {model_path.name} (labels.txt: one per line)",
                str(model_path.parent), "Labels (*.txt *.json);;All files (*)")
            if labels:
                try:
                    remember_labels(model_path, labels)
                except ModelFileError as exc:
                    window.statusBar().showMessage(str(exc))
                    return
    window.models.load(str(ref))
    if ref.kind != "bundle" and ref.path is not None:
        show_input_section(window, str(ref), ref.path)


def show_input_section(window, ref: str, model_path: Path) -> None:
    """The Input section (gui.open_model_dialog) for the model file just opened; it
    replaces the one shown for an earlier file."""
    from .open_model_dialog import InputDialog

    earlier = getattr(window, "input_dialog", None)
    if earlier is not None:
        earlier.close()
    dialog = InputDialog(window.models, ref, model_path, parent=window)
    window.input_dialog = dialog  # kept for tests and so it outlives this call
    dialog.show()


def exportable(ref) -> bool:
    """Whether ``ref`` (the model in use) is a saved Keras model to export."""
    from core.models.backbones import UnknownBackbone
    from core.runtime.model_files import ModelFileError
    from core.runtime.model_ref import resolve

    try:
        return bool(ref) and resolve(ref).exportable
    except (ModelFileError, UnknownBackbone):
        return False


def export_model_dialog(window, ref=None) -> None:
    """The export dialog for ``ref``, the model in use, or a bundle folder the user picks."""
    from .export_dialog import ExportDialog

    ref = ref or (window.models.ref if exportable(window.models.ref) else None)
    if ref is None:
        picked = QFileDialog.getExistingDirectory(
            window, "Choose a model bundle to export",
            str(window.settings.value("models/last_bundle_dir", "")))
        if not picked:
            return
        if not is_bundle(picked):
            QMessageBox.information(window, "Export model",
                                    f"'{Path(picked).name}' is not a model bundle: choose the "
                                    "folder Teach saved (it holds model.json and model.keras).")
            return
        ref = picked
    ref = Path(ref)
    dialog = ExportDialog(str(ref), ref.parent / f"{ref.stem}-export", parent=window,
                          what=f"'{ref.name}'")
    window.export_dialog = dialog  # kept for tests and so it outlives this call
    dialog.show()
