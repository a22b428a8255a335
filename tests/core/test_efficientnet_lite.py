"""EfficientNet-Lite0, Lite1 and Lite2 with their bundled ImageNet weights, on real photos."""
from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
from skimage import data

from core.base.paths import resources_dir
from core.images.decode import fit_square
from core.models import efficientnet_lite as lite
from core.models import torch_state

CAT_CLASSES = {"tabby", "tiger_cat", "Egyptian_cat"}
KERAS_CLASS_INDEX_MD5 = "c2c37ea517e94d9795004a39431a14cb"


@pytest.fixture(scope="module")
def lite_home(tmp_path_factory):
    """Points the app's data home at a temporary folder for this module."""
    home = tmp_path_factory.mktemp("backbone_studio_home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BACKBONE_STUDIO_HOME", str(home))
        yield home


@pytest.fixture(scope="module")
def model(lite_home):
    return lite.EfficientNetLite0()


@pytest.fixture(scope="module")
def class_names():
    index = json.loads((resources_dir() / "imagenet_class_index.json").read_text())
    return [index[str(i)][1] for i in range(len(index))]


def top_classes(model, rgb, class_names, k):
    """[(class name, probability)] for the k most likely classes of a photo."""
    x = (fit_square(rgb, lite.LITE0_INPUT_SIZE).astype(np.float32) - 127.0) / 128.0
    probabilities = np.asarray(model(x[None], training=False))[0]
    best = np.argsort(probabilities)[::-1][:k]
    return [(class_names[i], float(probabilities[i])) for i in best]


def test_class_index_is_the_keras_file(class_names):
    raw = (resources_dir() / "imagenet_class_index.json").read_bytes()
    assert hashlib.md5(raw).hexdigest() == KERAS_CLASS_INDEX_MD5
    assert len(class_names) == 1000
    assert class_names[967] == "espresso"
    assert [class_names[i] for i in (281, 282, 285)] == ["tabby", "tiger_cat", "Egyptian_cat"]


def test_parameter_count(model):
    assert model.count_params() == lite.LITE0_PARAMS == 4_694_024
    assert model.output_shape == (None, 1000)
    assert model.get_layer("top_activation").output.shape[-1] == lite.LITE0_FEATURES


def test_headless_average_pooling_gives_embedding(lite_home):
    backbone = lite.EfficientNetLite0(include_top=False, pooling="avg")
    assert backbone.output_shape == (None, lite.LITE0_FEATURES)
    embedding = np.asarray(backbone(np.zeros((1, 224, 224, 3), np.float32)))
    assert embedding.shape == (1, 1280) and np.isfinite(embedding).all()


def test_coffee_is_espresso(model, class_names):
    (name, probability), *_ = top_classes(model, data.coffee(), class_names, 1)
    assert name == "espresso"
    assert probability > 0.8


def test_chelsea_is_a_cat(model, class_names):
    top3 = top_classes(model, data.chelsea(), class_names, 3)
    assert CAT_CLASSES & {name for name, _ in top3}, top3


def test_conversion_is_cached(model, lite_home):
    path = lite.bundled_weights_path()
    assert path.parent == lite_home / "weights"
    before = path.stat().st_mtime_ns
    assert lite.bundled_weights_path() == path
    assert path.stat().st_mtime_ns == before


class _CallsOsSystem:
    def __reduce__(self):
        return (os.system, ("echo hi",))


def test_restricted_unpickler_refuses_code(tmp_path):
    payload = pickle.dumps(_CallsOsSystem(), protocol=2)
    with pytest.raises(pickle.UnpicklingError):
        torch_state.RestrictedUnpickler(io.BytesIO(payload)).load()
    evil = tmp_path / "evil.pth"
    evil.write_bytes(pickle.dumps(torch_state.LEGACY_MAGIC, protocol=2) + payload)
    with pytest.raises(pickle.UnpicklingError):
        torch_state.read_torch_state_dict(evil)


def test_keras_weights_file_round_trip(model, tmp_path):
    saved = tmp_path / "lite0.weights.h5"
    model.save_weights(saved)
    headless = lite.EfficientNetLite0(include_top=False, weights=str(saved))
    expected = model.get_layer("top_conv").get_weights()[0]
    np.testing.assert_array_equal(headless.get_layer("top_conv").get_weights()[0], expected)


def test_importing_does_not_load_tensorflow():
    code = ("import sys, core.models.efficientnet_lite; "
            "assert not {'tensorflow', 'keras'} & set(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=resources_dir().parent)


@pytest.mark.parametrize("name, size, params, blocks", [
    ("EfficientNetLite1", 240, 5_470_344, 21), ("EfficientNetLite2", 260, 6_150_168, 21)])
@pytest.mark.slow
def test_bigger_lites_recognise_coffee_and_equal_their_litert_conversion(
        lite_home, class_names, name, size, params, blocks):
    """Lite1/Lite2 through the app's own path: uint8 in, preprocessing inside,
    then the LiteRT file Classify runs on this CPU."""
    from core.models.build import build_classifier
    from core.runtime.runners import LiteRT, convert_to_litert

    assert len(lite.blocks(name)) == blocks
    model = build_classifier(name)
    assert model.count_params() == params and model.input_shape[1:] == (size, size, 3)
    batch = np.stack([fit_square(data.coffee(), size), fit_square(data.chelsea(), size)])
    scores = np.asarray(model(batch, training=False))
    assert class_names[int(scores[0].argmax())] == "espresso"
    assert CAT_CLASSES & {class_names[i] for i in np.argsort(scores[1])[::-1][:3]}
    litert = lite_home / f"{name}.tflite"
    litert.write_bytes(convert_to_litert(model))
    np.testing.assert_allclose(LiteRT(litert)(batch), scores, atol=1e-5)


def test_rounding_follows_the_efficientnet_reference():
    assert [lite.round_filters(f, 1.1) for f in (16, 24, 40, 80, 112, 192, 320)] == \
        [16, 24, 48, 88, 120, 208, 352]
    assert [lite.round_repeats(r, 1.2) for r in (2, 2, 3, 3, 4)] == [3, 3, 4, 4, 5]
