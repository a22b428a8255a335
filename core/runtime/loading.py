"""Turn what a user names as a model (core.runtime.model_ref) into a Predictor."""
from __future__ import annotations

import sys
from pathlib import Path

from core.base import paths
from core.base.jobs import Progress, ShouldStop, check_stop, never_stop, no_progress, sub_progress
from core.base.startup import IMPORT_SHARE, import_tensorflow, ticking
from core.models import backbones
from core.models.imagenet import imagenet_class_names
from core.runtime.errors import ModelFileError
from core.runtime.instant import backbone_key, instant_predictor
from core.runtime.model_ref import resolve


def load_predictor(ref, progress: Progress = no_progress,
                   should_stop: ShouldStop = never_stop):
    """A Predictor for ``ref`` (core.runtime.model_ref.resolve): a registry backbone's
    ImageNet classifier, a bundle, or a model file / SavedModel / folder holding one
    (core.runtime.model_files). Without TensorFlow where the model has a runtime file
    (core.runtime.instant; a .tflite or .onnx file); otherwise TensorFlow is imported
    first, its share of ``progress`` ticking (core.base.startup).

    Raises ``WeightsMissing``/``WeightsCorrupt`` (core.models.weights) with a sentence
    to show, ``UnknownBackbone`` for a name the registry lacks.
    """
    model = resolve(ref)
    instant = instant_predictor(model)
    if instant is not None:
        progress(1.0, f"{model.name} ready")
        return instant
    if model.kind in ("tflite", "onnx"):  # their own runtimes: no TensorFlow
        return _model_file_predictor(model.path, progress)
    if "keras" not in sys.modules:
        import_tensorflow(progress)
        progress = sub_progress(progress, IMPORT_SHARE, 1.0)
    check_stop(should_stop)
    if model.kind == "bundle":
        return _bundle_predictor(model.path, progress)
    if model.kind == "backbone":
        return _backbone_predictor(backbones.get(model.name), progress, should_stop)
    return _model_file_predictor(model.path, progress)


def _model_file_predictor(path: Path, progress: Progress):
    from core.runtime.model_files import load_predictor as load_model_file

    return load_model_file(path, progress)


def _backbone_predictor(spec, progress: Progress, should_stop: ShouldStop):
    from core.models.build import build_classifier
    from core.runtime.inference import make_predictor

    progress(0.2, f"Building {spec.name}")
    with ticking(progress, 0.2, 0.5, "build", f"Building {spec.name}"):
        model = build_classifier(spec.name)
    check_stop(should_stop)
    predictor = make_predictor(model, imagenet_class_names(), backbone_key(spec),
                               description=f"{spec.name} (ImageNet)",
                               progress=sub_progress(progress, 0.5, 1.0))
    progress(1.0, f"{spec.name} ready")
    return predictor


def _bundle_predictor(folder: Path, progress: Progress):
    from core.runtime import bundle
    from core.runtime.inference import make_predictor

    progress(0.3, f"Loading {folder.name}")
    model, meta = bundle.load(folder)
    description = f"{folder.name} ({meta.get('backbone', 'custom')})"
    key = paths.cache_key("bundle", paths.file_hash(folder / bundle.MODEL_FILE))
    predictor = make_predictor(model, meta["class_names"], key, description, progress,
                               litert_target=bundle.litert_path(folder),
                               threshold=float(meta.get("threshold") or 0.0))
    progress(1.0, f"{folder.name} ready")
    return predictor


def load_keras_model(ref, progress: Progress = no_progress,
                     labels_required: bool = True) -> tuple:
    """``(keras_model, meta)`` of a bundle or a Keras model file (core.runtime.model_ref),
    for what needs the Keras graph itself: export, Architecture, feature maps.

    The model takes uint8 RGB (a float-input file gets its preprocessing in
    front); ``meta`` has the class names, input size, backbone, threshold and, for a
    model file, the crop its input rule sees (``crop_fraction``).
    Raises ModelFileError for a backbone name or for formats without a Keras model
    (.tflite, .onnx, SavedModel), and ``LabelsMissing`` for a file nothing names the
    classes of unless ``labels_required`` is False (its ``class_names`` are then []).
    """
    from core.runtime import bundle, model_files

    model = resolve(ref)
    progress(0.0, f"Loading {model.name}…")
    if model.kind == "bundle":
        return bundle.load(model.path)
    if not model.exportable:
        raise ModelFileError(
            f"{model.name} is a {model.kind}{' file' if model.path else ''}: it holds no "
            "Keras layer graph to show as blocks or export (a bundle, .keras or .h5 does). "
            "Open the .keras or .h5 model it was made from, or its bundle.")
    labels = model_files.find_labels(model.path)
    if labels is None and labels_required:
        raise model_files.LabelsMissing(model.path)
    keras_model, rule = model_files.open_keras_model(model.path,
                                                     model_files.metadata_beside(model.path))
    meta = {"class_names": labels or [], "input_size": rule.size, "backbone": model.path.stem,
            "threshold": 0.0, "metrics": {}, "source": str(model.path),
            "crop_fraction": rule.crop}
    return keras_model, meta
