"""Preprocessing as stock Keras layers: bundles load in plain Keras, old bundles still open."""
from __future__ import annotations

import json
import subprocess
import sys

import keras
import numpy as np
import pytest

from core.models import backbones
from core.models.preprocess_layers import Preprocess, migrate, preprocess_block
from core.models.preprocessing import MODES, STEPS
from core.runtime import bundle
from tests.bundles import small_bundle


def _rgb(shape=(2, 8, 8, 3)):
    return np.random.default_rng(0).integers(0, 256, size=shape).astype("uint8")


def test_every_mode_the_registry_uses_is_a_stock_block_equal_to_the_old_layer():
    used = {spec.preprocessing for spec in backbones.all_backbones()}
    assert used <= set(MODES)
    images = _rgb()
    for mode in MODES:
        block = preprocess_block(mode)
        kinds = {type(layer).__name__ for layer in block.layers}
        assert kinds <= {"Rescaling", "Conv2D"}, mode
        ours = np.asarray(block(images))
        np.testing.assert_allclose(ours, np.asarray(Preprocess(mode)(images)), atol=1e-6)
        np.testing.assert_allclose(ours, STEPS[mode].apply(images), atol=1e-5)
    caffe = np.asarray(preprocess_block("caffe")(images))  # BGR minus the BGR mean
    np.testing.assert_allclose(caffe[..., 0], images[..., 2] - 103.939, atol=1e-4)


def test_lite_and_unit_are_the_documented_formulas():
    images = _rgb()
    np.testing.assert_allclose(np.asarray(preprocess_block("lite")(images)),
                               (images.astype(np.float32) - 127) / 128, atol=1e-6)
    np.testing.assert_allclose(np.asarray(preprocess_block("unit")(images)),
                               images / 255.0, atol=1e-6)


def test_a_bundle_holds_only_stock_layers(tmp_path_factory):
    model, _ = bundle.load(small_bundle(tmp_path_factory))
    config = json.dumps(model.get_config())
    assert "BackboneStudio" not in config and "Preprocess" not in config
    assert model.get_layer("preprocess").layers[0].name == "scale"


FRESH = """
import json, sys
import numpy as np
import keras
model = keras.saving.load_model(sys.argv[1], safe_mode=True)
images = np.load(sys.argv[2])
print(json.dumps({"scores": np.asarray(model(images)).tolist(),
                  "app": sorted(m for m in sys.modules if m.split('.')[0] in ('core', 'gui'))}))
"""


def test_plain_keras_in_a_fresh_process_loads_a_bundle_and_scores_like_the_app(
        tmp_path_factory, tmp_path, photos):
    from core.images.decode import load_for_model
    from core.runtime.loading import load_predictor

    folder = small_bundle(tmp_path_factory)
    predictor = load_predictor(str(folder))
    images = np.stack([load_for_model(p, predictor.input_size) for p in photos.values()])
    np.save(tmp_path / "images.npy", images)
    script = tmp_path / "plain.py"
    script.write_text(FRESH)
    run = subprocess.run([sys.executable, str(script), str(folder / "model.keras"),
                          str(tmp_path / "images.npy")], capture_output=True, text=True,
                         timeout=180, cwd=tmp_path, env={"PATH": "/usr/bin:/bin",
                                                         "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert run.returncode == 0, run.stderr[-2000:]
    doc = json.loads(run.stdout.strip().splitlines()[-1])
    assert doc["app"] == []  # the app's code was never imported
    np.testing.assert_allclose(np.array(doc["scores"]), predictor.predict(images), atol=1e-5)


def test_a_bundle_saved_with_the_old_layer_opens_with_stock_layers(tmp_path_factory, tmp_path):
    new_model, meta = bundle.load(small_bundle(tmp_path_factory))
    size, mode = meta["input_size"], backbones.get(meta["backbone"]).preprocessing
    inputs = keras.Input((size, size, 3), dtype="uint8", name="image")
    x = Preprocess(mode, name="preprocess")(inputs)
    for layer in new_model.layers[2:]:  # backbone, dropout, head: a plain chain
        x = layer(x)
    old = keras.Model(inputs, x)
    old_folder = tmp_path / "old"
    old_folder.mkdir()
    old.save(old_folder / "model.keras")
    (old_folder / "model.json").write_text(json.dumps({"schema_version": 1, **meta}))
    loaded, _ = bundle.load(old_folder)
    assert not any(isinstance(layer, Preprocess) for layer in loaded.layers)
    images = _rgb((3, size, size, 3))
    np.testing.assert_allclose(np.asarray(loaded(images)), np.asarray(new_model(images)),
                               atol=1e-5)
    assert migrate(loaded) is loaded



def test_a_keras_file_with_a_lambda_layer_is_refused(tmp_path, tmp_path_factory):
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Lambda(lambda t: t * 2)(inputs))
    folder = tmp_path / "lambda"
    folder.mkdir()
    model.save(folder / "model.keras")
    meta = json.loads((small_bundle(tmp_path_factory) / "model.json").read_text())
    (folder / "model.json").write_text(json.dumps(meta))
    with pytest.raises(bundle.BundleError, match="could not be loaded"):
        bundle.load(folder)
