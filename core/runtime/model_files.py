"""Open the models people already have: .keras, Keras 2 .h5, .tflite, .onnx, SavedModel.

:func:`load_predictor` turns a model file (or a folder holding one, or a
SavedModel folder) and its class names into a Predictor the whole app uses.
Each format runs in its own runtime: Keras models go through
core.runtime.inference (LiteRT on a CPU), ``.tflite`` through LiteRT, ``.onnx``
through ONNX Runtime, a SavedModel through TensorFlow. Only Keras files
give ``predictor.model`` (Grad-CAM and export need it); the others have
``model = None``.

Class names come from, in order: a ``labels.txt`` or ``synset.txt`` beside the
file, or inside then beside a SavedModel folder (lines ``0 name`` as Teachable
Machine writes them, ``n01440764 tench, Tinca tinca`` as the ONNX Model Zoo
does, or plain ``name``), a metadata JSON there (``model.json``,
``metadata.json`` or ``<stem>.json`` with ``class_names`` or ``labels``), the
metadata this app embeds in its exports, or a labels file the user picked once
(:func:`remember_labels`). Without any, a model giving 1000 scores gets
ImageNet's names; any other, :class:`LabelsMissing` says which file to add.
A file is opened as what its content is, whatever its suffix says
(core.runtime.checks.content_kind). docs/MODEL_FILES.md has the whole contract.

How images go in (:class:`InputRule`) is read from the file where it says so:
a uint8 input means preprocessing is inside (this app's models and exports);
a float input gets a preprocessing mode from the metadata JSON's
``preprocessing`` key, else the per-source rule :data:`FLOAT_INPUT_MODE`
(``tf``: RGB scaled to [-1, 1], as Teachable Machine and most Keras image
models expect). Keras files load in core.runtime.keras_files (Keras 2 ``.h5`` repaired
on the way in, safe mode always on); the others in core.runtime.tflite_onnx.
"""
from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from core.base import paths
from core.base.jobs import Progress, no_progress
from core.runtime import input_choice, keras_files, tflite_onnx
from core.runtime.checks import KIND_NAMES, check_model_file, content_kind
from core.runtime.errors import LabelsMissing, ModelFileError, refusal_cause  # noqa: F401 (callers catch model_files.LabelsMissing)
from core.runtime.formats import embedded_metadata
from core.runtime.outputs import labels_or_imagenet

log = logging.getLogger(__name__)

SUFFIXES = {".keras": "keras", ".h5": "h5", ".hdf5": "h5", ".tflite": "tflite",
            ".onnx": "onnx"}
SAVEDMODEL_FILE = "saved_model.pb"
LABEL_FILES = ("labels.txt", "synset.txt")  # synset.txt: the ONNX Model Zoo's
META_FILES = ("model.json", "metadata.json")


# --------------------------------------------------------------------------
# Finding the model and its class names

def locate(ref) -> tuple[Path, str]:
    """``(model path, kind)`` for a file, a SavedModel folder or a folder holding one model."""
    path = Path(ref)
    if not path.exists():
        raise ModelFileError(f"{path} does not exist.")
    if path.is_dir():
        if _is_savedmodel(path):
            return path, "savedmodel"
        found = _model_files_in(path)
        if len(found) == 1:
            return locate(found[0])
        if not found:
            raise ModelFileError(f"{path} is not a model bundle (no model.json and model.keras) "
                                 "and holds no model file (.keras, .h5, .tflite, .onnx or a "
                                 "SavedModel).")
        names = ", ".join(p.name for p in found)
        raise ModelFileError(f"{path.name} holds several models ({names}): open one of them.")
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise ModelFileError(f"{path.name} is not a model file this app opens (.keras, .h5, "
                             ".tflite, .onnx, a SavedModel folder or a bundle).")
    actual = content_kind(path)
    if actual is not None and actual != kind:
        # a renamed file: opened as what its content is, and said once in the log
        log.warning("%s is a %s file named %s: opening it as %s", path.name,
                    KIND_NAMES[actual], path.suffix, KIND_NAMES[actual])
        return path, actual
    return path, kind


def _is_savedmodel(folder: Path) -> bool:
    return (folder / SAVEDMODEL_FILE).is_file()


def _model_files_in(folder: Path) -> list[Path]:
    found = [p for p in sorted(folder.iterdir())
             if not p.name.startswith(".") and p.suffix.lower() in SUFFIXES and p.is_file()]
    found += [p for p in sorted(folder.iterdir()) if p.is_dir() and _is_savedmodel(p)]
    return found


def parse_labels(text: str) -> list[str]:
    """Class names from a labels file: ``0 name`` (Teachable Machine), ``n01440764
    tench, Tinca tinca`` (a WordNet id first: the ONNX Model Zoo's synset.txt; the
    id is dropped) or ``name`` lines."""
    names = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            match = re.fullmatch(r"(\d+|n\d{8})[\s:,]+(.+)", line)
            names.append(match.group(2).strip() if match else line)
    return names


def _labels_from_json(file: Path) -> list[str] | None:
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict):
        return None
    names = doc.get("class_names") or doc.get("labels")
    return [str(n) for n in names] if isinstance(names, list) and names else None


def _folders_of(model_path: Path) -> list[Path]:
    """Where a model's labels and metadata may lie: beside a file; inside, then
    beside, a SavedModel folder."""
    return [model_path, model_path.parent] if model_path.is_dir() else [model_path.parent]


def metadata_beside(model_path: Path) -> dict:
    """The metadata JSON beside (or inside, for a folder) the model, or {}, with the input
    choice kept in the app's settings laid over it (core.runtime.input_choice)."""
    return {**_metadata_file_beside(model_path), **input_choice.remembered(model_path)}


def _metadata_file_beside(model_path: Path) -> dict:
    for file in (folder / name for folder in _folders_of(model_path)
                 for name in (*META_FILES, f"{model_path.stem}.json")):
        if file.is_file() and file != model_path:
            try:
                doc = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(doc, dict):
                return doc
    return {}


def find_labels(model_path: Path, look_inside: bool = True) -> list[str] | None:
    """The model's class names from the places the module docstring lists, or None.

    ``look_inside`` False skips the metadata embedded in the file (reading it
    imports TensorFlow or ONNX: not on a GUI thread)."""
    for file in (folder / name for folder in _folders_of(model_path) for name in LABEL_FILES):
        if file.is_file():
            return parse_labels(file.read_text(encoding="utf-8", errors="replace"))
    names = metadata_beside(model_path)
    found = names.get("class_names") or names.get("labels")
    if isinstance(found, list) and found:
        return [str(n) for n in found]
    embedded = _embedded_labels(model_path) if look_inside else None
    if embedded:
        return embedded
    remembered = _remembered().get(str(model_path.resolve()))
    if remembered and Path(remembered).is_file():
        return labels_from_file(Path(remembered))
    return None


def labels_from_file(file: Path) -> list[str]:
    """Class names from a user-picked ``labels.txt`` or metadata JSON."""
    if file.suffix.lower() == ".json":
        names = _labels_from_json(file)
        if not names:
            raise ModelFileError(f"{file.name} has no \"class_names\" list.")
        return names
    names = parse_labels(file.read_text(encoding="utf-8", errors="replace"))
    if not names:
        raise ModelFileError(f"{file.name} is empty: write one class name per line.")
    return names


def _embedded_labels(model_path: Path) -> list[str] | None:
    try:
        return list(embedded_metadata(model_path)["class_names"])
    except Exception:  # no metadata, or not one of ours
        return None


def _remembered_file() -> Path:
    return paths.cache_dir("model_labels") / "labels.json"


def _remembered() -> dict:
    return paths.read_record(_remembered_file())


def remember_labels(model_path, labels_file) -> None:
    """Use ``labels_file`` for ``model_path`` from now on (the user picked it)."""
    model_path, _ = locate(model_path)
    labels_from_file(Path(labels_file))  # refuse a file that gives no names
    paths.update_record(_remembered_file(), str(model_path.resolve()),
                        str(Path(labels_file).resolve()))


# --------------------------------------------------------------------------
# Loading

def load_predictor(ref, progress: Progress = no_progress):
    """A Predictor for the model file, SavedModel or model folder ``ref``.

    Raises :class:`ModelFileError` (or :class:`LabelsMissing`) with a sentence.
    """
    model_path, kind = locate(ref)
    labels = find_labels(model_path)  # None: ImageNet's for 1000 scores, else LabelsMissing
    meta = metadata_beside(model_path)
    progress(0.2, f"Opening {model_path.name}")
    check_model_file(model_path, kind)  # a cut or altered file: a sentence before a runtime
    try:
        if kind in ("keras", "h5"):
            predictor = _load_keras(model_path, labels, meta, progress)
        else:
            predictor = _load_runtime_file(model_path, labels, meta, progress, kind)
    except ModelFileError:
        raise
    except Exception as exc:  # each runtime raises its own kinds for a bad file
        log.warning("Could not open %s: %s", model_path, exc)
        raise ModelFileError(f"{model_path.name} could not be opened as a {kind} model "
                             f"({refusal_cause(exc)}).") from None
    outputs, names = predictor.output_classes, len(predictor.class_names)
    if outputs != names:
        raise ModelFileError(f"{model_path.name} gives {outputs} scores but its labels name "
                             f"{names} classes; fix the labels file.")
    progress(1.0, f"{model_path.name} ready")
    return predictor


def _load_keras(path: Path, labels, meta, progress):
    from core.runtime.inference import make_predictor

    model, rule = open_keras_model(path, meta)
    labels, note = labels_or_imagenet(labels, int(model.output_shape[-1]), path)
    key = paths.cache_key("file", paths.file_hash(path), rule)
    notes = "; ".join(filter(None, (rule.describe(), note)))
    return make_predictor(model, labels, key, f"{path.name} ({notes})", progress,
                          threshold=float(meta.get("threshold") or 0.0), rule=rule)


def open_keras_model(path: Path, meta: dict) -> tuple:
    """``(model, rule)`` of a .keras / Keras 2 .h5 file (by its content) as a uint8-RGB
    Keras model (core.runtime.keras_files.open_keras_model; raises ModelFileError)."""
    return keras_files.open_keras_model(path, meta, locate(path)[1])


def _load_runtime_file(path: Path, labels, meta, progress, kind: str):
    loader = {"tflite": tflite_onnx.load_tflite, "onnx": tflite_onnx.load_onnx,
              "savedmodel": tflite_onnx.load_savedmodel}[kind]
    return loader(path, labels, meta, progress)
