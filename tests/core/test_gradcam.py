"""Grad-CAM on the app's nested models: ImageNet classifiers and trained heads."""
from __future__ import annotations

import numpy as np
import pytest

from core.classify.gradcam import (
    GradCam,
    GradCamError,
    _logits,
    colorize,
    crop_box,
    last_feature_map,
)
from core.images.decode import fit_square, load_rgb


@pytest.fixture(scope="module")
def coffee(photos):
    return load_rgb(photos["coffee"])


@pytest.fixture(scope="module")
def coffee_map(default_predictor, coffee):
    cam = GradCam(default_predictor.model)
    scores = default_predictor.predict_one(fit_square(coffee, default_predictor.input_size))
    assert default_predictor.class_names[int(scores.argmax())] == "espresso"
    return cam, cam(coffee, int(scores.argmax()))


def test_imagenet_classifier_map_has_the_image_size(coffee, coffee_map):
    cam, heat = coffee_map
    assert cam.feature_layer.name == "top_activation"
    assert heat.shape == coffee.shape[:2] and heat.dtype == np.float32
    assert heat.min() >= 0.0 and heat.max() == pytest.approx(1.0, abs=0.02)
    assert heat.std() > 0.1  # not constant


def test_espresso_is_hottest_on_the_cup(coffee_map):
    """skimage's coffee (400 x 600): the cup and its crema fill rows 20-240, columns 170-420."""
    _, heat = coffee_map
    y, x = np.unravel_index(np.argmax(heat), heat.shape)
    assert 20 <= y <= 240 and 170 <= x <= 420
    cup = heat[20:240, 170:420].mean()
    rest = (heat.sum() - heat[20:240, 170:420].sum()) / (heat.size - 220 * 250)
    assert cup > 3 * rest


def test_trained_head_bundle_shape(coffee):
    """Input -> preprocess -> headless backbone (avg-pooled) -> dropout -> dense softmax."""
    import keras

    from core.models.build import build_feature_extractor

    features = build_feature_extractor("EfficientNetLite0")
    x = keras.layers.Dropout(0.2, name="head_dropout")(features.output)
    out = keras.layers.Dense(3, activation="softmax", name="head")(x)
    model = keras.Model(features.input, out)
    heat = GradCam(model)(coffee, 1)
    assert heat.shape == coffee.shape[:2]
    assert heat.std() > 0.05


def test_backbone_ending_in_its_feature_map():
    """A backbone whose last layer is the map itself, pooled by the head outside it."""
    import keras

    from core.models.preprocess_layers import Preprocess

    inner_in = keras.Input((32, 32, 3))
    h = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="conv")(inner_in)
    backbone = keras.Model(inner_in, h, name="backbone")
    image = keras.Input((32, 32, 3), dtype="uint8")
    x = backbone(Preprocess("unit", name="preprocess")(image))
    x = keras.layers.GlobalAveragePooling2D()(x)
    model = keras.Model(image, keras.layers.Dense(2, activation="softmax")(x))
    rgb = np.random.default_rng(0).integers(0, 255, (48, 40, 3), dtype=np.uint8)
    cam = GradCam(model)
    assert cam.feature_layer.name == "conv"
    heat = cam(rgb, 0)
    assert heat.shape == (48, 40) and heat.max() <= 1.0


def test_models_without_a_backbone_layer_are_refused():
    import keras

    image = keras.Input((8, 8, 3))
    model = keras.Model(image, keras.layers.Dense(2)(keras.layers.Flatten()(image)))
    with pytest.raises(GradCamError, match="no layer named 'backbone'"):
        GradCam(model)


def test_feature_map_skips_pooled_one_pixel_maps():
    """MobileNetV3 pools to 1 x 1 but keeps 4-D: the map is the layer before."""
    import keras

    net = keras.applications.MobileNetV3Small(weights=None, input_shape=(224, 224, 3))
    layer = last_feature_map(net)
    assert layer.output.shape[1] == 7


def test_logits_leave_out_the_softmax():
    import keras

    dense = keras.layers.Dense(4, activation="softmax")
    x = np.random.default_rng(1).normal(size=(2, 3)).astype("float32")
    probabilities = np.asarray(dense(x))
    logits = np.asarray(_logits(dense, x))
    assert np.allclose(np.asarray(keras.ops.softmax(logits)), probabilities, atol=1e-6)


def test_crop_box_matches_fit_square():
    """Channels encode x and y: the crop's corners are where crop_box says."""
    h, w, size = 400, 600, 224
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    rgb = np.stack([xs / (w - 1) * 255, ys / (h - 1) * 255, xs * 0], axis=2).astype(np.uint8)
    top, left, ch, cw = crop_box((h, w), size)
    assert (top, ch) == pytest.approx((25, 350)) and (left, cw) == pytest.approx((125, 350))
    crop = fit_square(rgb, size).astype(float)
    assert crop[0, 0, 0] == pytest.approx(left / (w - 1) * 255, abs=3)
    assert crop[0, -1, 0] == pytest.approx((left + cw) / (w - 1) * 255, abs=3)
    assert crop[0, 0, 1] == pytest.approx(top / (h - 1) * 255, abs=3)
    assert crop[-1, 0, 1] == pytest.approx((top + ch) / (h - 1) * 255, abs=3)


def test_colorize_is_clear_where_cold_and_red_where_hot():
    heat = np.array([[0.0, 0.5, 1.0]], np.float32)
    rgba = colorize(heat)
    assert rgba.shape == (1, 3, 4) and rgba.dtype == np.uint8
    assert rgba[0, 0, 3] == 0 and rgba[0, 2, 3] > rgba[0, 1, 3] > 0
    assert rgba[0, 2, 0] > 200 and rgba[0, 2, 2] < 50  # hot is red


def _tiny_nested_model():
    """uint8 image -> preprocess -> "backbone" (one conv) -> pooled softmax head, with
    all-ones kernels so that every pixel counts for class 0."""
    import keras

    from core.models.preprocess_layers import preprocess_block

    inner_in = keras.Input((16, 16, 3))
    h = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="conv",
                            kernel_initializer="ones")(inner_in)
    backbone = keras.Model(inner_in, h, name="backbone")
    image = keras.Input((16, 16, 3), dtype="uint8")
    x = backbone(preprocess_block("unit")(image))
    x = keras.layers.GlobalAveragePooling2D()(x)
    head = keras.layers.Dense(2, activation="softmax", kernel_initializer="ones")
    return keras.Model(image, head(x))


@pytest.mark.parametrize("crop, columns", [(1.0, (40, 120)), (224 / 256, (45, 115))])
def test_gradcam_explains_the_part_of_the_image_the_predictor_classifies(crop, columns):
    """A model opened with crop 1.0 sees the largest centre square: its Grad-CAM covers
    that square; with the app's 87.5% crop, the smaller centre."""
    from types import SimpleNamespace

    from core.classify.gradcam import gradcam_overlay

    model = _tiny_nested_model()
    predictor = SimpleNamespace(model=model, crop_fraction=crop)
    rgb = np.random.default_rng(3).integers(0, 255, (80, 160, 3), dtype=np.uint8)
    alpha = gradcam_overlay(predictor, rgb, 0)[..., 3]
    seen = np.flatnonzero(alpha.any(axis=0))
    assert (seen.min(), seen.max() + 1) == pytest.approx(columns, abs=2)
    assert not alpha[:, :columns[0] - 2].any() and not alpha[:, columns[1] + 2:].any()


def test_crop_box_of_the_whole_image_squashed():
    from core.images.decode import WHOLE_IMAGE

    assert crop_box((80, 160), 16, WHOLE_IMAGE) == (0.0, 0.0, 80.0, 160.0)
    assert fit_square(np.zeros((80, 160, 3), np.uint8), 16, fraction=WHOLE_IMAGE).shape == (
        16, 16, 3)
