"""The registry against the installed keras.applications: builds, widths, preprocessing."""
from __future__ import annotations

import importlib

import keras
import numpy as np
import pytest

from core.models import backbones
from core.models.build import build_base, build_feature_extractor
from core.models.preprocess_layers import Preprocess

KERAS_BACKBONES = [b for b in backbones.all_backbones() if b.weights_kind == "keras"]
SMALL = 96  # every family accepts this input without weights


def _keras_module(spec):
    factory = getattr(keras.applications, spec.name)
    return importlib.import_module(factory.__module__)


def _each_backbone_fast_tier_one_per_family():
    """Every backbone; all but the smallest of each family are in the slow tier
    (the big ones take 15-30 s each to build here)."""
    smallest = {}
    for spec in backbones.all_backbones():
        if spec.family not in smallest or spec.params < smallest[spec.family].params:
            smallest[spec.family] = spec
    fast = {spec.name for spec in smallest.values()}
    return [pytest.param(spec, id=spec.name, marks=() if spec.name in fast else pytest.mark.slow)
            for spec in backbones.all_backbones()]


@pytest.mark.parametrize("spec", _each_backbone_fast_tier_one_per_family())
def test_every_backbone_builds_with_random_weights_at_a_small_input(spec):
    base = build_base(spec, include_top=False, weights_choice=None, input_size=SMALL,
                      pooling="avg")
    try:
        assert base.output_shape == (None, spec.features)
    finally:
        del base
        keras.backend.clear_session()


@pytest.mark.parametrize("spec", KERAS_BACKBONES, ids=lambda s: s.name)
def test_preprocessing_is_the_one_keras_documents(spec):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(2, 8, 8, 3)).astype("float32")
    expected = _keras_module(spec).preprocess_input(images.copy())
    ours = Preprocess(spec.preprocessing)(images.astype("uint8"))
    np.testing.assert_allclose(np.asarray(ours), np.asarray(expected), rtol=1e-5, atol=1e-4)


def test_registry_matches_keras_for_a_cheap_backbone():
    spec = backbones.get("MobileNetV2")
    model = keras.applications.MobileNetV2(weights=None)
    assert model.count_params() == spec.params
    assert model.input_shape[1] == spec.input_size


def test_feature_extractor_takes_raw_uint8_images():
    model = build_feature_extractor("MobileNetV2", weights_choice=None, input_size=SMALL)
    assert model.input.dtype == "uint8"
    assert model.layers[1].name == "preprocess" and model.get_layer("backbone")
    out = model(np.zeros((1, SMALL, SMALL, 3), "uint8"))
    assert tuple(out.shape) == (1, 1280)
