"""Turn a model reference (a backbone name or a bundle folder) into a Predictor."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import backbones, paths
from .bundle import is_bundle
from .jobs import Progress, ShouldStop, check_stop, never_stop, no_progress, sub_progress


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

    from .startup import ticking

    with ticking(progress, 0.2, 0.5, "build", f"Building {spec.name}"):
        model = build_classifier(spec.name)
    check_stop(should_stop)
    from .weights import identity

    key = f"{spec.name}|classifier|{identity(spec, include_top=True)}"
    predictor = make_predictor(model, imagenet_class_names(), key,
                               description=f"{spec.name} (ImageNet)",
                               progress=sub_progress(progress, 0.5, 1.0))
    progress(1.0, f"{spec.name} ready")
    return predictor


def _bundle_predictor(folder: Path, progress: Progress):
    from . import bundle
    from .inference import make_predictor

    progress(0.3, f"Loading {folder.name}")
    model, meta = bundle.load(folder)
    description = f"{folder.name} ({meta.get('backbone', 'custom')})"
    key = f"bundle|{paths.file_hash(folder / 'model.keras')}"
    predictor = make_predictor(model, meta["class_names"], key, description, progress,
                               litert_target=bundle.litert_path(folder))
    predictor.threshold = float(meta.get("threshold") or 0.0)
    progress(1.0, f"{folder.name} ready")
    return predictor


@dataclass
class ImageScores:
    """One image and its model's scores (all classes, not yet cut to top-k)."""

    path: Path
    rgb: "np.ndarray"
    scores: "np.ndarray"


def classify_image(predictor, path, progress: Progress = no_progress,
                   should_stop: ShouldStop = never_stop) -> ImageScores:
    """Decode ``path`` and score it; raises core.images.ImageError (a sentence).

    The picture kept for showing is decoded at reduced scale when it is much
    larger than a screen (a 12 MP JPEG at 1/2); the scores come from the
    decode the Folder job uses, so both give the same numbers for a file.
    """
    from .images import DISPLAY_SHORT_SIDE, load_for_model, load_rgb

    rgb = load_rgb(path, at_least=DISPLAY_SHORT_SIDE)
    check_stop(should_stop)
    scores = predictor.predict_one(load_for_model(path, predictor.input_size,
                                                  fraction=predictor.crop_fraction))
    return ImageScores(Path(path), rgb, scores)
