"""Models written by other tools, in their own conventions, give the answers their
own runtime gives.

Each file is made with the tool that normally makes it (TF's TFLiteConverter
for full-int8 and uint8 files, tf2onnx with ``inputs_as_nchw`` and a logits
output, ``tf.saved_model.save`` with two outputs, tf-keras with ``/`` in layer
names, a fixed-batch ONNX, the ONNX Model Zoo's synset.txt), checked in its own
runtime first (LiteRT, ONNX Runtime, TensorFlow, tf-keras, fed by hand here),
then the app's top-1 must agree with it on real photos (>= 95%) with every
score in [0, 1]. The models are tiny (two convolutions on 32 px) so this takes
seconds; the photos are the session's four, each also flipped and shifted.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from core.images.decode import load_for_model
from core.runtime import model_files
from core.runtime.loading import load_predictor

SIZE = 32
CLASSES = ["tench", "goldfish", "great white shark", "tiger shark", "hammerhead"]
SYNSET = ["n01440764 tench, Tinca tinca", "n01443537 goldfish, Carassius auratus",
          "n01484850 great white shark", "n01491361 tiger shark",
          "n01494475 hammerhead, hammerhead shark"]
TORCH_MEAN, TORCH_STD = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])


@pytest.fixture(scope="module")
def images(photos):
    """(16, 32, 32, 3) uint8: each photo as is, flipped, and shifted two ways."""
    base = np.stack([load_for_model(p, SIZE + 8) for p in photos.values()])
    views = [base[:, 4:-4, 4:-4], base[:, 4:-4, 4:-4, ::-1], base[:, :-8, :-8], base[:, 8:, 8:]]
    return np.ascontiguousarray(np.concatenate(views))


def tf_input(images):
    return (images / 127.5 - 1).astype(np.float32)


def torch_input(images):
    return ((images / 255 - TORCH_MEAN) / TORCH_STD).astype(np.float32)


def keras_model(logits: bool, classes: int = len(CLASSES)):
    """A tiny float classifier on [-1, 1] input; its scores are decisive (large
    logits), so a quantised copy keeps the same top-1."""
    import keras

    keras.utils.set_random_seed(0)
    inputs = keras.Input((SIZE, SIZE, 3), name="input")
    x = keras.layers.Conv2D(8, 3, strides=2, activation="relu")(inputs)
    x = keras.layers.Conv2D(16, 3, strides=2, activation="relu")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dense(classes, name="logits")(x)
    if not logits:
        x = keras.layers.Softmax(name="probabilities")(x)
    model = keras.Model(inputs, x)
    kernel, bias = model.get_layer("logits").get_weights()
    model.get_layer("logits").set_weights([kernel * 8, bias])
    return model


def write_labels(folder, names=CLASSES, file="labels.txt"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / file).write_text("\n".join(names) + "\n")


def agreement(app_scores, own_scores) -> tuple[float, float]:
    """(top-1 agreement, max score difference) and every app score in [0, 1]."""
    assert app_scores.min() >= 0 and app_scores.max() <= 1
    # probabilities (an int8 softmax sums to 1 within a few of its 1/256 steps)
    np.testing.assert_allclose(app_scores.sum(axis=1), 1, atol=0.02)
    top1 = float((app_scores.argmax(1) == own_scores.argmax(1)).mean())
    return top1, float(np.abs(app_scores - own_scores).max())


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def record(kind, app_scores, own_scores):
    """Agreement of the app with the file's own runtime, printed for the closing table."""
    top1, diff = agreement(app_scores, own_scores)
    print(f"\n{kind}: top-1 agreement {top1:.0%}, max score difference {diff:.2e}")
    assert top1 >= 0.95, kind


# --------------------------------------------------------------------------
# TFLite, fully integer-quantised by TF's converter

def quantised_tflite(model, images, dtype):
    import tensorflow as tf

    def representative():
        for image in tf_input(images):
            yield [image[None]]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = converter.inference_output_type = dtype
    return converter.convert()


def litert_by_hand(path, floats):
    """The file in LiteRT, quantised and dequantised by its tensors' own numbers."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path))
    interpreter.allocate_tensors()
    inp, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    (in_scale, in_zero), (out_scale, out_zero) = inp["quantization"], out["quantization"]
    rows = []
    for x in floats:
        info = np.iinfo(inp["dtype"])
        q = np.clip(np.round(x / in_scale + in_zero), info.min, info.max).astype(inp["dtype"])
        interpreter.set_tensor(inp["index"], q[None])
        interpreter.invoke()
        rows.append((interpreter.get_tensor(out["index"])[0].astype(np.float32) - out_zero)
                    * out_scale)
    return np.stack(rows)


@pytest.mark.parametrize("dtype_name", ["int8", "uint8"])
def test_a_fully_quantised_tflite_scores_as_litert_does(tmp_path, images, dtype_name):
    import tensorflow as tf

    model = keras_model(logits=False)
    path = tmp_path / "model.tflite"
    path.write_bytes(quantised_tflite(model, images, getattr(tf, dtype_name)))
    write_labels(tmp_path)
    own = litert_by_hand(path, tf_input(images))
    # its own runtime first: the quantised file keeps the float model's answers
    assert (own.argmax(1) == np.asarray(model(tf_input(images))).argmax(1)).mean() >= 0.9
    predictor = load_predictor(str(path))
    assert predictor.input_rule.preprocessing == "tf"
    record(f"TFLite full {dtype_name}", predictor.predict(images), own)


# --------------------------------------------------------------------------
# ONNX in the Model Zoo's conventions: NCHW, ImageNet mean/std, logits, synset.txt

def onnx_file(model, path, batch=None, nchw=True):
    import tensorflow as tf
    from tf2onnx import convert

    spec = (tf.TensorSpec((batch, SIZE, SIZE, 3), tf.float32, name="input"),)
    proto, _ = convert.from_function(tf.function(lambda x: model(x)), input_signature=spec,
                                     opset=17, inputs_as_nchw=["input"] if nchw else None)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(proto.SerializeToString())


@pytest.fixture(scope="module")
def zoo_onnx(tmp_path_factory):
    folder = tmp_path_factory.mktemp("zoo")
    onnx_file(keras_model(logits=True), folder / "model.onnx")
    write_labels(folder, SYNSET, "synset.txt")
    (folder / "model.json").write_text(json.dumps({"preprocessing": "torch"}))
    return folder


def onnx_by_hand(path, x):
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})[0]


def test_a_zoo_style_logits_onnx_scores_as_onnx_runtime_does(zoo_onnx, images):
    logits = np.concatenate([onnx_by_hand(zoo_onnx / "model.onnx", torch_input(images[i:i + 1])
                                          .transpose(0, 3, 1, 2)) for i in range(len(images))])
    assert np.abs(logits).max() > 1  # logits indeed, as the zoo's files give
    predictor = load_predictor(str(zoo_onnx / "model.onnx"))
    assert predictor.class_names == [line.split(" ", 1)[1] for line in SYNSET]
    assert predictor.class_names[0] == "tench, Tinca tinca"
    assert predictor.channels_first and "softmax" in predictor.description
    record("ONNX NCHW logits (zoo)", predictor.predict(images), softmax(logits))


def test_a_fixed_batch_onnx_runs_any_batch_in_pieces(tmp_path, images, caplog):
    path = tmp_path / "fixed" / "model.onnx"
    model = keras_model(logits=False)
    onnx_file(model, path, batch=1, nchw=False)
    write_labels(path.parent)
    own = np.concatenate([onnx_by_hand(path, tf_input(images[i:i + 1]))
                          for i in range(len(images))])
    predictor = load_predictor(str(path))
    assert "1 image at a time" in predictor.description
    with caplog.at_level("INFO"):
        scores = predictor.predict(images)
        predictor.predict(images[:3])
    assert sum("in pieces" in r.getMessage() for r in caplog.records) == 1  # said once
    record("ONNX fixed batch 1", scores, own)


# --------------------------------------------------------------------------
# SavedModel with two outputs

def test_a_savedmodel_with_two_outputs_scores_from_its_probabilities(tmp_path, images):
    import tensorflow as tf

    model = keras_model(logits=False)

    class Classifier(tf.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        @tf.function(input_signature=[tf.TensorSpec((None, SIZE, SIZE, 3), tf.float32)])
        def serve(self, images):
            probabilities = self.model(images)
            return {"probabilities": probabilities,
                    "class_index": tf.argmax(probabilities, axis=-1)}

    module = Classifier()
    folder = tmp_path / "saved"
    tf.saved_model.save(module, str(folder), signatures={"serving_default": module.serve})
    write_labels(tmp_path)  # beside the folder, not inside
    loaded = tf.saved_model.load(str(folder))
    own = loaded.signatures["serving_default"](images=tf.constant(tf_input(images)))
    own = own["probabilities"].numpy()
    predictor = load_predictor(str(folder))
    assert "'probabilities'" in predictor.description
    record("SavedModel, two outputs", predictor.predict(images), own)


# --------------------------------------------------------------------------
# Keras 2 (tf-keras) with '/' in layer names

SLASHED = """
import sys
import numpy as np
import tf_keras as k2
L = k2.layers
out, images = sys.argv[1], np.load(sys.argv[2])
k2.utils.set_random_seed(0)
inp = L.Input((32, 32, 3), name="input_1")
x = L.Conv2D(8, 3, strides=2, name="conv1/conv")(inp)
x = L.BatchNormalization(name="conv1/bn")(x)
x = L.ReLU(6.0, name="conv1/relu")(x)
y = L.Conv2D(8, 3, padding="same", name="block1/conv")(x)
x = L.Add(name="block1/add")([x, y])
x = L.GlobalAveragePooling2D(name="pool/gap")(x)
x = L.Dense(5, activation="softmax", name="predictions/dense")(x)
model = k2.Model(inp, x)
model.save(out + "/model.h5")
np.save(out + "/own.npy", model.predict(images / 127.5 - 1, verbose=0))
"""


def test_a_keras2_h5_with_slashes_in_layer_names_scores_as_tf_keras(tmp_path, images):
    np.save(tmp_path / "images.npy", images)
    (tmp_path / "maker.py").write_text(SLASHED)
    run = subprocess.run([sys.executable, str(tmp_path / "maker.py"), str(tmp_path),
                          str(tmp_path / "images.npy")], capture_output=True, text=True,
                         timeout=300, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert run.returncode == 0, run.stderr[-3000:]
    write_labels(tmp_path)
    predictor = load_predictor(str(tmp_path / "model.h5"))
    record("Keras 2 .h5, '/' in names", predictor.predict(images), np.load(tmp_path / "own.npy"))


# --------------------------------------------------------------------------
# Labels, renamed files and inputs the app cannot feed

def test_a_model_with_1000_outputs_and_no_labels_gets_imagenet_names(tmp_path):
    import tensorflow as tf

    path = tmp_path / "model.tflite"
    path.write_bytes(tf.lite.TFLiteConverter.from_keras_model(
        keras_model(logits=False, classes=1000)).convert())
    predictor = load_predictor(str(path))
    assert len(predictor.class_names) == 1000 and predictor.class_names[0] == "tench"
    assert "ImageNet" in predictor.description


def test_a_tflite_file_named_onnx_opens_as_tflite(tmp_path, images):
    import tensorflow as tf

    path = tmp_path / "model.onnx"
    path.write_bytes(tf.lite.TFLiteConverter.from_keras_model(keras_model(False)).convert())
    write_labels(tmp_path)
    assert model_files.locate(path) == (path, "tflite")
    assert load_predictor(str(path)).runtime.startswith("LiteRT")


def onnx_of(function, specs, path):
    import tensorflow as tf
    from tf2onnx import convert

    proto, _ = convert.from_function(tf.function(function), input_signature=specs, opset=17)
    path.write_bytes(proto.SerializeToString())
    write_labels(path.parent, ["a", "b"])
    return path


@pytest.mark.parametrize("case, expected", [
    ("two inputs", "takes 2 inputs"),
    ("not an image", "2-dimensional input"),
    ("one channel", r"one-channel \(greyscale\)"),
])
def test_inputs_the_app_cannot_feed_get_a_sentence(tmp_path, case, expected):
    import tensorflow as tf

    def spec(*shape, name="x"):
        return tf.TensorSpec(shape, tf.float32, name=name)

    made = {
        "two inputs": (lambda x, y: tf.stack([tf.reduce_mean(x), tf.reduce_mean(y)])[None],
                       (spec(None, 8, 8, 3), spec(None, 8, 8, 3, name="y"))),
        "not an image": (lambda x: x[:, :2] * 2.0, (spec(None, 4),)),
        "one channel": (lambda x: tf.reduce_mean(x, axis=[1, 2]) * tf.ones((1, 2)),
                        (spec(None, 8, 8, 1),)),
    }[case]
    path = onnx_of(*made, tmp_path / "model.onnx")
    with pytest.raises(model_files.ModelFileError, match=expected) as caught:
        load_predictor(str(path))
    assert "the app runs image classifiers" in str(caught.value)


def test_a_keras_file_with_two_inputs_gets_the_same_sentence(tmp_path):
    import keras

    a, b = keras.Input((8, 8, 3), name="a"), keras.Input((8, 8, 3), name="b")
    pooled = keras.layers.GlobalAveragePooling2D()(keras.layers.Add()([a, b]))
    keras.Model([a, b], keras.layers.Dense(2)(pooled)).save(tmp_path / "two.keras")
    write_labels(tmp_path, ["x", "y"])
    with pytest.raises(model_files.ModelFileError, match="takes 2 inputs \\('a', 'b'\\)"):
        load_predictor(str(tmp_path / "two.keras"))


def test_a_broken_savedmodel_gets_a_sentence(tmp_path):
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "saved_model.pb").write_bytes(b"\x08\x01 not a saved model")
    write_labels(folder)
    with pytest.raises(model_files.ModelFileError, match="SavedModel folder TensorFlow cannot"):
        load_predictor(str(folder))


def test_zoo_label_lines_lose_their_wordnet_id():
    assert model_files.parse_labels("\n".join(SYNSET))[:2] == ["tench, Tinca tinca",
                                                             "goldfish, Carassius auratus"]


def test_the_classification_output_is_picked_by_rule_or_named_in_a_sentence():
    from core.runtime.outputs import pick_output

    shapes = [[None, 5], [None, 5], [None]]
    names = ["logits", "probabilities", "class_index"]
    assert pick_output(names, shapes, CLASSES, {}, "m") == 1  # probabilities before logits
    assert pick_output(names, shapes, CLASSES, {"output": "logits"}, "m") == 0
    assert pick_output(["a", "b"], [[None, 3], [None, 5]], CLASSES, {}, "m") == 1
    with pytest.raises(model_files.ModelFileError, match=r"2 outputs \('a', 'b'\).*\"output\""):
        pick_output(["a", "b"], [[None, 5], [None, 5]], CLASSES, {}, "m")


def test_a_fixed_batch_of_4_takes_6_images_in_two_padded_pieces():
    from core.runtime.runners import Classification

    class FixedFour:
        runtime, device = "fake", "CPU"

        def outputs(self, batch):
            assert len(batch) == 4
            return [np.zeros((4, 2)), batch.reshape(4, -1)[:, :2] * 1.0]

    batch = np.arange(6 * 2, dtype=np.float32).reshape(6, 2)
    scores = Classification(FixedFour(), output=1, softmax=False, batch_size=4)(batch)
    np.testing.assert_array_equal(scores, batch)


def test_a_tensor_quantised_per_channel_is_a_sentence():
    from core.runtime.runners import quantization

    detail = {"name": "x", "quantization": (0.1, 0),
              "quantization_parameters": {"scales": np.array([0.1, 0.2])}}
    with pytest.raises(model_files.ModelFileError, match="quantised per channel"):
        quantization(detail)


def test_a_refusal_keeps_its_cause_whole():
    from core.runtime.errors import refusal_cause

    config = "{" + ", ".join(f"'k{i}': {i}" for i in range(200)) + "}"
    exc = TypeError(f"Error when deserializing class 'Conv2D' using config={config}.\n\n"
                    "Exception encountered: Argument `name` must be a string and cannot "
                    "contain character `/`. Received: name=conv1/conv (of type str)")
    assert refusal_cause(exc) == ("TypeError: Argument `name` must be a string and cannot "
                                  "contain character `/`.")


# --------------------------------------------------------------------------
# The slow tier: real tf-keras applications saved as .h5

APPLICATION = """
import sys, numpy as np, tf_keras as k2
name, out = sys.argv[1:3]
model = getattr(k2.applications, name)(weights=None, input_shape=(96, 96, 3), classes=5)
model.save(out + "/model.h5")
x = np.random.default_rng(0).uniform(0, 255, (4, 96, 96, 3)).astype("float32")
np.save(out + "/x.npy", x)
np.save(out + "/own.npy", model(x).numpy())
"""


@pytest.mark.slow
@pytest.mark.parametrize("name", ["DenseNet121", "MobileNetV3Small"])
def test_a_tf_keras_application_opens_as_it_was_saved(tmp_path, name):
    from core.runtime.keras_files import load_keras2_h5

    (tmp_path / "maker.py").write_text(APPLICATION)
    run = subprocess.run([sys.executable, str(tmp_path / "maker.py"), name, str(tmp_path)],
                         capture_output=True, text=True, timeout=600,
                         env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert run.returncode == 0, run.stderr[-3000:]
    model = load_keras2_h5(tmp_path / "model.h5")
    np.testing.assert_allclose(np.asarray(model(np.load(tmp_path / "x.npy"))),
                               np.load(tmp_path / "own.npy"), atol=1e-5)
    shutil.copy(tmp_path / "model.h5", tmp_path / "copy.h5")  # the app's own path too
    write_labels(tmp_path)
    assert load_predictor(str(tmp_path / "copy.h5")).output_classes == 5
