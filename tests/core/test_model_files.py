"""Opening the models people already have, each checked against its own runtime.

The Keras 2 file is Teachable-Machine-like, written and scored by tf-keras
(tests/keras2.py); the .tflite and .onnx files made from it are scored with
LiteRT and ONNX Runtime directly.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.images.decode import load_for_model
from core.runtime import model_files
from core.runtime.loading import load_predictor
from tests.keras2 import LABELS, SIZE, teachable_folder

ROOT = Path(__file__).resolve().parents[2]

@pytest.fixture(scope="module")
def photo_batch(photos):
    return np.stack([load_for_model(p, SIZE) for p in photos.values()])


@pytest.fixture(scope="module")
def keras2_folder(tmp_path_factory, photos):
    return teachable_folder(tmp_path_factory, photos)


def test_a_keras2_h5_with_depthwise_layers_opens_and_scores_like_tf_keras(keras2_folder,
                                                                         photo_batch):
    import h5py

    with h5py.File(keras2_folder / "keras_model.h5") as f:
        assert '"groups": 1' in f.attrs["model_config"]  # what Keras 3 refuses on its own
    predictor = load_predictor(str(keras2_folder / "keras_model.h5"))
    assert predictor.class_names == LABELS and predictor.input_size == SIZE
    assert predictor.input_rule.preprocessing == "tf" and predictor.model is not None
    assert predictor.crop_fraction == 1.0  # Teachable Machine's largest centre square
    expected = np.load(keras2_folder / "keras2_scores.npy")
    np.testing.assert_allclose(predictor.predict(photo_batch), expected, atol=1e-5)


def test_classify_command_opens_a_keras2_file(keras2_folder, photos):
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    run = subprocess.run([sys.executable, str(ROOT / "main.py"), "classify", str(photos["coffee"]),
                          "--model", str(keras2_folder / "keras_model.h5"), "--format", "json",
                          "--top-k", "3"], capture_output=True, text=True, timeout=300,
                         env=env, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    (entry,) = json.loads(run.stdout)
    # What Teachable Machine's own snippet makes of the same file (coffee comes first),
    # to within the two resamplers' difference (1e-4 here; the 87.5% crop is 1.6e-3 off).
    expected = np.load(keras2_folder / "tm_scores.npy")[0]
    assert entry["predictions"][0]["label"] == LABELS[int(expected.argmax())]
    assert entry["predictions"][0]["score"] == pytest.approx(float(expected.max()), abs=5e-4)


def test_a_keras2_file_exports_with_parity_and_its_labels(keras2_folder, tmp_path, photos):
    from core.export import exporter as export

    results = export.export_bundle(keras2_folder / "keras_model.h5", tmp_path,
                                   ["tflite", "onnx"], list(photos.values()))
    assert [r.ok for r in results] == [True, True], [r.error for r in results]
    assert all(r.parity.top1_agreement == 1.0 for r in results)
    assert (tmp_path / "labels.txt").read_text().splitlines() == ["0 bag", "1 sneaker",
                                                                  "2 trouser"]
    assert load_predictor(str(tmp_path / "model.onnx")).class_names == LABELS


def test_a_keras2_file_with_a_lambda_layer_is_refused(keras2_folder):
    (keras2_folder / "lambda_only").mkdir(exist_ok=True)
    target = keras2_folder / "lambda_only" / "lambda.h5"
    shutil.copy(keras2_folder / "lambda.h5", target)
    (target.parent / "labels.txt").write_text("a\nb\nc\nd\n")
    with pytest.raises(model_files.ModelFileError, match="safe mode"):
        load_predictor(str(target))


@pytest.fixture(scope="module")
def converted(keras2_folder, tmp_path_factory):
    """model.tflite and model.onnx (float input) made from the Keras 2 model, with labels."""
    import tensorflow as tf
    from tf2onnx import convert

    from core.runtime.keras_files import load_keras2_h5

    model = load_keras2_h5(keras2_folder / "keras_model.h5")
    folder = tmp_path_factory.mktemp("converted")
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    (folder / "tflite").mkdir()
    (folder / "tflite" / "model.tflite").write_bytes(converter.convert())
    (folder / "onnx").mkdir()
    spec = (tf.TensorSpec((None, SIZE, SIZE, 3), tf.float32, name="input"),)
    proto, _ = convert.from_function(tf.function(lambda x: model(x)), input_signature=spec,
                                     opset=17)
    (folder / "onnx" / "model.onnx").write_bytes(proto.SerializeToString())
    for sub in ("tflite", "onnx"):
        shutil.copy(keras2_folder / "labels.txt", folder / sub / "labels.txt")
    return folder


def test_a_tflite_file_opens_and_agrees_with_litert(converted, photo_batch):
    from ai_edge_litert.interpreter import Interpreter

    predictor = load_predictor(str(converted / "tflite" / "model.tflite"))
    assert predictor.model is None and predictor.runtime.startswith("LiteRT")
    interpreter = Interpreter(model_path=str(converted / "tflite" / "model.tflite"))
    interpreter.allocate_tensors()
    ours = predictor.predict(photo_batch)
    for image, scores in zip(photo_batch, ours):
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"],
                               (image[None] / 127.5 - 1).astype(np.float32))
        interpreter.invoke()
        own = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])[0]
        np.testing.assert_allclose(scores, own, atol=1e-5)


def test_an_onnx_file_in_a_folder_opens_and_agrees_with_onnx_runtime(converted, photo_batch):
    import onnxruntime

    predictor = load_predictor(str(converted / "onnx"))  # the folder: one model + labels
    assert predictor.class_names == LABELS and predictor.runtime.startswith("ONNX")
    session = onnxruntime.InferenceSession(str(converted / "onnx" / "model.onnx"),
                                           providers=["CPUExecutionProvider"])
    own = session.run(None, {"input": (photo_batch / 127.5 - 1).astype(np.float32)})[0]
    np.testing.assert_allclose(predictor.predict(photo_batch), own, atol=1e-5)


def test_missing_labels_say_which_file_to_add_and_a_picked_file_is_remembered(converted,
                                                                              tmp_path):
    lone = tmp_path / "model.tflite"
    shutil.copy(converted / "tflite" / "model.tflite", lone)
    with pytest.raises(model_files.LabelsMissing, match="put a labels.txt beside it"):
        load_predictor(str(lone))
    picked = tmp_path / "names" / "classes.txt"
    picked.parent.mkdir()
    picked.write_text("bag\nsneaker\ntrouser\n")
    model_files.remember_labels(lone, picked)
    assert load_predictor(str(lone)).class_names == LABELS
    (tmp_path / "labels.txt").write_text("0 one\n1 two\n")
    with pytest.raises(model_files.ModelFileError, match="gives 3 scores but its labels name 2"):
        load_predictor(str(lone))


def test_labels_files_and_folders_with_several_models():
    assert model_files.parse_labels("0 Class 1\n1 dog\n\n2: cat") == ["Class 1", "dog", "cat"]
    assert model_files.parse_labels("cat\ndog\n") == ["cat", "dog"]
    with pytest.raises(model_files.ModelFileError, match="not a model file"):
        model_files.locate(Path(__file__))


def test_plain_keras_file_and_savedmodel_open(tmp_path_factory, tmp_path, photos):
    import keras

    from tests.bundles import SIZE as BUNDLE_SIZE
    from tests.bundles import small_bundle

    photo_batch = np.stack([load_for_model(p, BUNDLE_SIZE) for p in photos.values()])
    folder = small_bundle(tmp_path_factory)
    model = keras.saving.load_model(folder / "model.keras")
    shutil.copy(folder / "model.keras", tmp_path / "classifier.keras")
    (tmp_path / "labels.txt").write_text("\n".join(json.loads(
        (folder / "model.json").read_text())["class_names"]))
    expected = np.asarray(model(photo_batch))
    plain = load_predictor(str(tmp_path / "classifier.keras"))
    assert plain.input_rule.preprocessing == "inside"
    np.testing.assert_allclose(plain.predict(photo_batch), expected, atol=1e-5)
    saved = tmp_path / "saved"
    model.export(str(saved), format="tf_saved_model", verbose=False)
    shutil.copy(tmp_path / "labels.txt", saved / "labels.txt")
    np.testing.assert_allclose(load_predictor(str(saved)).predict(photo_batch), expected,
                               atol=1e-5)


def test_opened_files_classify_folders_and_offer_no_int8(converted, photos):
    from core.classify.folder import classify_folder
    from core.classify.int8 import Int8Unavailable, int8_version

    for name in ("tflite/model.tflite", "onnx/model.onnx"):
        predictor = load_predictor(str(converted / name))
        rows = []
        classify_folder(predictor, [photos["coffee"].parent], 3, None, rows.extend)
        assert len(rows) == len(photos) and all(r.error is None for r in rows), name
        with pytest.raises(Int8Unavailable):
            int8_version(predictor)
