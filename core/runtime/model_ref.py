"""What a user names as a model, resolved once: :func:`resolve`.

A user names a model by a registry name ("MobileNetV2"), a bundle folder
(or its ``model.json``), a model file (.keras, .h5, .tflite, .onnx), a
SavedModel folder (or its ``saved_model.pb``) or a folder holding one model
file. Classify, Architecture, feature maps, export, compare and the window's
File > Open model all ask :func:`resolve` what it is, so one rule decides.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.models import backbones
from core.runtime import bundle
from core.runtime.model_files import SAVEDMODEL_FILE, locate

KERAS_KINDS = ("backbone", "bundle", "keras", "h5")  # a Keras graph behind them
EXPORTABLE_KINDS = ("bundle", "keras", "h5")  # a trained Keras model to export


@dataclass(frozen=True)
class ModelRef:
    """A resolved model: ``kind`` is "backbone", "bundle", or the file's format
    ("keras", "h5", "tflite", "onnx", "savedmodel"); ``name`` is what to call it
    (the backbone's registry name, the folder's or the file's name); ``path``
    the bundle folder or model file (None for a backbone)."""

    kind: str
    name: str
    path: Path | None = None

    def __str__(self) -> str:
        return self.name if self.path is None else str(self.path)

    @property
    def has_keras_model(self) -> bool:
        return self.kind in KERAS_KINDS

    @property
    def exportable(self) -> bool:
        return self.kind in EXPORTABLE_KINDS


def resolve(ref) -> ModelRef:
    """The :class:`ModelRef` for ``ref`` (a name, a path, or a ModelRef).

    Raises ``core.models.backbones.UnknownBackbone`` for a name that is neither
    a path nor a backbone, ``ModelFileError`` for a path that holds no model
    (each with a sentence to show).
    """
    if isinstance(ref, ModelRef):
        return ref
    path = Path(ref)
    if path.name in (bundle.META_FILE, SAVEDMODEL_FILE) and path.is_file():
        path = path.parent  # a picked model.json or saved_model.pb names its folder
    if bundle.is_bundle(path):
        return ModelRef("bundle", path.name, path)
    if path.exists():
        found, kind = locate(path)
        return ModelRef(kind, found.name, found)
    return ModelRef("backbone", backbones.get(str(ref)).name)
