"""The user's choice of how images reach a model made elsewhere, tried and kept.

File > Open model…'s Input section offers the preprocessing (:data:`PREPROCESSING`,
core.models.preprocessing's modes in plain words) and the crop (:data:`CROPS`);
:func:`preview` scores a sample photo under a choice without reloading the model,
and :func:`save` keeps it where the model is read from next time: the keys
``preprocessing`` and ``crop_fraction`` of the ``model.json`` beside the file
(merged with what is there), or, when that folder cannot be written, the app's
own settings (:func:`remembered`, which core.runtime.model_files.metadata_beside
lays over the file's metadata). numpy only: the Keras case imports Keras lazily.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from core.base import faults, paths
from core.base.jobs import Progress, ShouldStop, check_stop, never_stop, no_progress
from core.images.decode import CROP_FRACTION, WHOLE_IMAGE, fit_square
from core.models.preprocessing import LAYER_NAME, PLAIN_NAMES
from core.runtime.inference import Prediction, Predictor, top_k
from core.runtime.input_rule import InputRule

# What the Input section offers, in the order it lists them.
PREPROCESSING = tuple((mode, PLAIN_NAMES[mode])
                      for mode in ("tf", "unit", "torch", "caffe", "builtin", "lite"))
CROPS = ((1.0, "largest square"), (CROP_FRACTION, "87.5% centre"),
         (WHOLE_IMAGE, "whole image squashed"))
BESIDE = "model.json"
KEYS = ("preprocessing", "crop_fraction")


@dataclass(frozen=True)
class Saved:
    """Where :func:`save` kept a choice: ``path`` and whether it is the app's settings."""

    path: Path
    in_app_settings: bool

    def describe(self) -> str:
        return ("Saved in the app's settings (the model's folder cannot be written)."
                if self.in_app_settings else f"Saved in {self.path}.")


def choice_of(rule: InputRule) -> dict:
    """``rule``'s preprocessing and crop as ``model.json`` keys (no preprocessing key for
    a model that preprocesses inside: there is nothing to choose)."""
    out = {"crop_fraction": float(rule.crop)}
    if rule.preprocessing != "inside":
        out["preprocessing"] = rule.preprocessing
    return out


def with_choice(rule: InputRule, preprocessing: str | None, crop: float) -> InputRule:
    """``rule`` with the chosen crop, and the chosen preprocessing when it has one to choose."""
    mode = rule.preprocessing if rule.preprocessing == "inside" or not preprocessing \
        else preprocessing
    return replace(rule, preprocessing=mode, crop=float(crop))


# --------------------------------------------------------------------------
# Trying a choice

def preview(predictor: Predictor, rule: InputRule, rgb: np.ndarray, k: int = 5,
            progress: Progress = no_progress,
            should_stop: ShouldStop = never_stop) -> list[Prediction]:
    """The top ``k`` of ``predictor`` on the image ``rgb`` (H, W, 3 uint8) had its input
    ``rule`` been the chosen one; the model is not reloaded. A job: runs in a worker."""
    progress(0.3, "Scoring the sample photo…")
    check_stop(should_stop)
    image = fit_square(rgb, rule.size, fraction=rule.crop)[None]
    scores = _scorer(predictor, rule)(image)[0]
    return top_k(scores, predictor.class_names, k)


def _scorer(predictor: Predictor, rule: InputRule):
    """Something that scores uint8 batches under ``rule``."""
    if rule.preprocessing == predictor.input_rule.preprocessing:
        return predictor.predict
    if not predictor.has_model:  # preprocessing is applied in numpy before the runner
        return Predictor(predictor.runner, predictor.class_names, rule, predictor.description,
                         channels_first=predictor.channels_first,
                         runtime=predictor.runtime).predict
    model = _with_preprocessing(predictor.model, rule.preprocessing)
    return lambda batch: np.asarray(model(batch, training=False))


def _with_preprocessing(model, mode: str):
    """A uint8 Keras model whose preprocessing block is ``mode``'s; the other layers
    (and their weights) are shared with ``model``."""
    import keras

    from core.models.preprocess_layers import preprocess_block

    if not any(layer.name == LAYER_NAME for layer in model.layers):
        return model  # preprocessing inside: nothing to swap

    def swap(layer):
        return preprocess_block(mode) if layer.name == LAYER_NAME else layer

    return keras.models.clone_model(model, clone_function=swap)


# --------------------------------------------------------------------------
# Keeping a choice

def save(model_path, choice: dict, beside: dict) -> Saved:
    """Keep ``choice`` (``preprocessing`` and ``crop_fraction``) for the model at
    ``model_path``: in the ``model.json`` beside it (a SavedModel folder: inside),
    written atomically over ``beside`` (the metadata read there now, so its other keys
    stay), else, when that folder cannot be written, in the app's settings.
    Raises OSError only when neither can be written."""
    model_path = Path(model_path)
    folder = model_path if model_path.is_dir() else model_path.parent
    own = {k: v for k, v in choice.items() if k in KEYS}
    target = folder / BESIDE
    try:
        paths.atomic_write_text(target, json.dumps({**_file_keys(target, beside), **own},
                                                   indent=1))
    except OSError as exc:
        if not faults.is_write_fault(exc, folder):
            raise
        return Saved(_remember(model_path, own), True)
    _forget(model_path)
    return Saved(target, False)


def _file_keys(target: Path, beside: dict) -> dict:
    """What the written file keeps: its own keys, else the metadata read beside."""
    try:
        doc = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        doc = None
    return dict(doc if isinstance(doc, dict) else beside)


def _settings_file() -> Path:
    return paths.cache_dir("model_inputs") / "inputs.json"


def remembered(model_path) -> dict:
    """The choice kept in the app's settings for ``model_path`` (a read-only folder), or {}."""
    found = paths.read_record(_settings_file()).get(str(Path(model_path).resolve()))
    return {k: v for k, v in found.items() if k in KEYS} if isinstance(found, dict) else {}


def _remember(model_path: Path, choice: dict) -> Path:
    paths.update_record(_settings_file(), str(model_path.resolve()), choice)
    return _settings_file()


def _forget(model_path: Path) -> None:
    """Drop a choice kept in the app's settings once the file beside holds one."""
    if remembered(model_path):
        paths.update_record(_settings_file(), str(model_path.resolve()), None)
