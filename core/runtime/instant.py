"""Answers without TensorFlow: a Predictor from a model's LiteRT file alone.

Importing TensorFlow costs 5-15 s and about 700 MB; a converted model runs
without it. :func:`instant_predictor` opens a bundle's ``model.tflite`` or a
backbone's cached LiteRT conversion with LiteRT and numpy alone; the Keras
model behind it loads on first need (Grad-CAM, int8, export: see
core.runtime.inference.KerasModel). Where no runtime file exists yet (an older
bundle, a backbone never converted) or a GPU is present, it returns None and
says why in the log: the caller takes the TensorFlow path
(core.runtime.loading), as it does when ``BACKBONE_STUDIO_INSTANT=0``.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from core.base import paths
from core.images.decode import CROP_FRACTION
from core.models import backbones
from core.models.imagenet import imagenet_class_names
from core.runtime import bundle
from core.runtime.checks import check_model_file
from core.runtime.errors import ModelFileError
from core.runtime.inference import KerasModel, Predictor
from core.runtime.input_rule import InputRule
from core.runtime.model_ref import ModelRef
from core.runtime.runners import LiteRT, gpu_visible, litert_cache_path

log = logging.getLogger(__name__)
SWITCH = "BACKBONE_STUDIO_INSTANT"  # "0": always load through TensorFlow (to measure, to compare)


def instant_predictor(model: ModelRef) -> Predictor | None:
    """A LiteRT Predictor for a bundle or a backbone from its runtime file, or None."""
    if model.kind not in ("bundle", "backbone"):
        return None
    if os.environ.get(SWITCH) == "0":
        log.info("%s=0: %s loads through TensorFlow", SWITCH, model.name)
        return None
    if gpu_visible():
        log.info("A GPU is present: %s runs through TensorFlow on it", model.name)
        return None
    if model.kind == "bundle":
        return _bundle(model.path)
    return _backbone(backbones.get(model.name))


def backbone_key(spec) -> str:
    """The cache key of a backbone's ImageNet classifier (its LiteRT conversion)."""
    from core.models.weights import identity

    return paths.cache_key(spec.name, "classifier", identity(spec, include_top=True))


def _bundle(folder: Path) -> Predictor | None:
    litert = bundle.litert_path(folder)
    if litert is None:
        log.info("%s has no usable %s (an older bundle?): loading it with TensorFlow",
                 folder.name, bundle.LITERT_FILE)
        return None
    meta = bundle.read_meta(folder)
    check_model_file(folder / bundle.MODEL_FILE)  # a damaged bundle says so now, not at Grad-CAM
    rule = InputRule(int(meta["input_size"]), "uint8", "inside", CROP_FRACTION)
    return Predictor(LiteRT(litert), meta["class_names"], rule,
                     f"{folder.name} ({meta.get('backbone', 'custom')})",
                     float(meta.get("threshold") or 0.0),
                     KerasModel(load=lambda: bundle.load(folder)[0]))


def _backbone(spec) -> Predictor | None:
    from core.models.errors import WeightsMissing

    try:
        file = litert_cache_path(backbone_key(spec))
        check_model_file(file)
    except (ModelFileError, WeightsMissing):  # never converted (or its weights are not here)
        log.info("%s has no LiteRT conversion here yet: building it with TensorFlow",
                 spec.name)
        return None
    rule = InputRule(spec.input_size, "uint8", "inside", CROP_FRACTION)

    def build():
        from core.models.build import build_classifier

        return build_classifier(spec.name)

    return Predictor(LiteRT(file), imagenet_class_names(), rule, f"{spec.name} (ImageNet)",
                     model=KerasModel(load=build))
