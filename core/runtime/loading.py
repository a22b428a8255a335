"""Turn a model reference (a backbone name or a bundle folder) into a Predictor."""
from __future__ import annotations

import sys
from pathlib import Path

from core.base import paths
from core.base.jobs import Progress, ShouldStop, check_stop, never_stop, no_progress, sub_progress
from core.base.startup import IMPORT_SHARE, import_tensorflow, ticking
from core.models import backbones
from core.models.imagenet import imagenet_class_names
from core.runtime.bundle import is_bundle


def load_predictor(ref: str, progress: Progress = no_progress,
                   should_stop: ShouldStop = never_stop):
    """A Predictor for ``ref``: a registry backbone's ImageNet classifier, a bundle,
    or a model file / SavedModel / folder holding one (core.runtime.model_files).

    Raises ``WeightsMissing``/``WeightsCorrupt`` (core.models.weights) with a sentence
    to show, ``UnknownBackbone`` for a name the registry lacks.
    """
    progress(0.05, "Loading TensorFlow")
    from core.runtime.inference import make_predictor

    check_stop(should_stop)
    if is_bundle(ref):
        return _bundle_predictor(Path(ref), progress)
    if Path(ref).exists():  # a model file, a SavedModel, or a folder holding one
        from core.runtime.model_files import load_predictor as load_model_file

        return load_model_file(ref, progress)
    spec = backbones.get(ref)
    progress(0.2, f"Building {spec.name}")
    from core.models.build import build_classifier

    with ticking(progress, 0.2, 0.5, "build", f"Building {spec.name}"):
        model = build_classifier(spec.name)
    check_stop(should_stop)
    from core.models.weights import identity

    key = f"{spec.name}|classifier|{identity(spec, include_top=True)}"
    predictor = make_predictor(model, imagenet_class_names(), key,
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
    key = f"bundle|{paths.file_hash(folder / 'model.keras')}"
    predictor = make_predictor(model, meta["class_names"], key, description, progress,
                               litert_target=bundle.litert_path(folder))
    predictor.threshold = float(meta.get("threshold") or 0.0)
    progress(1.0, f"{folder.name} ready")
    return predictor


def load_model(ref: str, progress: Progress = no_progress,
               should_stop: ShouldStop = never_stop):
    """TensorFlow (when not imported yet), then ``core.runtime.loading.load_predictor(ref)``."""
    fresh = "keras" not in sys.modules
    import_tensorflow(progress)
    rest = sub_progress(progress, IMPORT_SHARE, 1.0) if fresh else progress
    return load_predictor(ref, rest, should_stop)
