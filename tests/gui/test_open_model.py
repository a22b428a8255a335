"""File > Open model…: a .tflite and an .onnx made elsewhere, used in the Image panel."""
from __future__ import annotations

import numpy as np
import pytest

SIZE = 64
LABELS = ["left", "middle", "right"]


@pytest.fixture(scope="module")
def float_model_files(tmp_path_factory):
    """A small float-input CNN (expects [-1, 1]) as model.tflite and model.onnx (no labels
    beside the .tflite), and as an ONNX Model Zoo style logits.onnx (no softmax)."""
    import keras
    import tensorflow as tf
    from tf2onnx import convert

    keras.utils.set_random_seed(1)
    inputs = keras.Input((SIZE, SIZE, 3))
    x = keras.layers.Conv2D(8, 3, strides=2, activation="relu")(inputs)
    x = keras.layers.DepthwiseConv2D(3, strides=2, activation="relu")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    logits = keras.layers.Dense(3)(x)
    model = keras.Model(inputs, keras.layers.Softmax()(logits))
    folder = tmp_path_factory.mktemp("elsewhere")
    (folder / "tflite").mkdir()
    (folder / "tflite" / "model.tflite").write_bytes(
        tf.lite.TFLiteConverter.from_keras_model(model).convert())
    spec = (tf.TensorSpec((None, SIZE, SIZE, 3), tf.float32, name="pixels"),)
    proto, _ = convert.from_function(tf.function(lambda t: model(t)), input_signature=spec,
                                     opset=17)
    (folder / "onnx").mkdir()
    (folder / "onnx" / "model.onnx").write_bytes(proto.SerializeToString())
    (folder / "onnx" / "labels.txt").write_text("0 left\n1 middle\n2 right\n")
    proto, _ = convert.from_function(tf.function(keras.Model(inputs, logits)),
                                     input_signature=spec, opset=17)
    (folder / "logits").mkdir()
    (folder / "logits" / "model.onnx").write_bytes(proto.SerializeToString())
    (folder / "logits" / "labels.txt").write_text("0 left\n1 middle\n2 right\n")
    (folder / "names.txt").write_text("left\nmiddle\nright\n")
    return folder


def _open(window, qtbot, monkeypatch, answers):
    from PySide6.QtWidgets import QFileDialog

    asked = []

    def pick(*args, **kwargs):
        asked.append(args[1])
        return str(answers.pop(0)), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", pick)
    action = next(a for a in window.menuBar().actions()[0].menu().actions()
                  if a.text() == "Open &model…")
    with qtbot.waitSignal(window.models.changed, timeout=120000):
        action.trigger()
    return asked


def _classify(window, qtbot, photo):
    panel = window.classify.image
    window.classify.show(panel)
    with qtbot.waitSignal(panel.classified, timeout=30000) as got:
        panel.open(photo)
    return panel, got.args[0]


def test_a_tflite_file_without_labels_asks_for_them_and_classifies_like_litert(
        bare_window, qtbot, monkeypatch, float_model_files, photos):
    from ai_edge_litert.interpreter import Interpreter

    from core.images.decode import load_for_model

    model = float_model_files / "tflite" / "model.tflite"
    asked = _open(bare_window, qtbot, monkeypatch, [model, float_model_files / "names.txt"])
    assert len(asked) == 2 and "Class names" in asked[1]
    predictor = bare_window.models.predictor
    assert predictor.class_names == LABELS and predictor.model is None
    panel, result = _classify(bare_window, qtbot, photos["chelsea"])
    assert not panel.cam_box.isEnabled() and not panel.cam_box.isHidden()  # and says why:
    assert panel.cam_box.toolTip() == "Grad-CAM needs a Keras model; this .tflite file has none."
    interpreter = Interpreter(model_path=str(model))
    interpreter.allocate_tensors()
    # a float-input file from elsewhere sees the largest centre square (fraction 1)
    image = load_for_model(photos["chelsea"], SIZE, fraction=1.0)[None]
    image = image.astype(np.float32) / 127.5 - 1
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], image)
    interpreter.invoke()
    own = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])[0]
    np.testing.assert_allclose(result.scores, own, atol=1e-5)
    assert panel.bars.labels()[0] == LABELS[int(own.argmax())]


def test_an_onnx_file_with_labels_beside_it_opens_without_asking(
        bare_window, qtbot, monkeypatch, float_model_files, photos):
    import onnxruntime

    from core.images.decode import load_for_model

    model = float_model_files / "onnx" / "model.onnx"
    asked = _open(bare_window, qtbot, monkeypatch, [model])
    assert len(asked) == 1 and bare_window.models.predictor.runtime.startswith("ONNX")
    _, result = _classify(bare_window, qtbot, photos["coffee"])
    session = onnxruntime.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    image = load_for_model(photos["coffee"], SIZE, fraction=1.0)[None]
    image = image.astype(np.float32) / 127.5 - 1
    np.testing.assert_allclose(result.scores, session.run(None, {"pixels": image})[0][0],
                               atol=1e-5)
    assert "model.onnx" in bare_window.model_label.text()


def test_a_teachable_machine_h5_opens_in_the_image_panel_with_grad_cam(
        bare_window, qtbot, monkeypatch, photos, tmp_path_factory):
    from tests.keras2 import LABELS as TM_LABELS
    from tests.keras2 import teachable_folder

    folder = teachable_folder(tmp_path_factory, photos)
    asked = _open(bare_window, qtbot, monkeypatch, [folder / "keras_model.h5"])
    assert len(asked) == 1  # labels.txt beside it: nothing to ask
    predictor = bare_window.models.predictor
    assert predictor.class_names == TM_LABELS and predictor.model is not None
    panel, result = _classify(bare_window, qtbot, photos["coffee"])
    assert panel.cam_box.isEnabled() and panel.cam_box.toolTip() == ""
    expected = np.load(folder / "tm_scores.npy")[0]  # Teachable Machine's snippet, coffee
    np.testing.assert_allclose(result.scores, expected, atol=5e-4)  # 0.875 crop: 1.6e-3 off
    with qtbot.waitSignal(panel.heatmap_shown, timeout=60000):
        panel.cam_box.setChecked(True)  # its MobileNet-like base is found inside the file
    assert panel.view.has_overlay()
    panel.cam_box.setChecked(False)


def test_the_input_section_tries_a_choice_on_a_photo_and_keeps_it(
        bare_window, qtbot, monkeypatch, float_model_files, tmp_path):
    """A float-input ONNX giving logits: its scores are probabilities (softmaxed, and the
    description says so); choosing "caffe BGR mean" and "whole image squashed" changes
    the top five on the sample photo at once; "Use and save" writes model.json beside
    the file, the model reopens under it, and opening it again reads it."""
    import json
    import shutil

    folder = tmp_path / "zoo"
    shutil.copytree(float_model_files / "logits", folder)
    model = folder / "model.onnx"
    _open(bare_window, qtbot, monkeypatch, [model])
    dialog = bare_window.input_dialog
    assert dialog.isVisible() and dialog.preprocessing.isEnabled()
    assert dialog.preprocessing.currentText() == "[-1, 1]"
    assert dialog.crop.currentText() == "largest square"
    qtbot.waitUntil(lambda: len(dialog.bars.labels()) == 3, timeout=30000)
    before = [p.score for p in sorted(dialog._last, key=lambda p: p.label)]
    assert all(0 <= p <= 1 for p in before) and abs(sum(before) - 1) < 1e-4
    assert "logits" in bare_window.models.predictor.description
    with qtbot.waitSignal(dialog.previewed, timeout=30000) as got:
        dialog.preprocessing.setCurrentIndex(dialog.preprocessing.findData("caffe"))
    caffe = [p.score for p in sorted(got.args[0], key=lambda p: p.label)]
    assert not np.allclose(before, caffe, atol=1e-4)
    assert "caffe BGR mean" in dialog.rule_text.text()
    with qtbot.waitSignal(dialog.previewed, timeout=30000) as got:
        dialog.crop.setCurrentIndex(dialog.crop.findText("whole image squashed"))
    assert not np.allclose(caffe, [p.score for p in sorted(got.args[0], key=lambda p: p.label)],
                           atol=1e-6)
    assert bare_window.models.predictor.input_rule.preprocessing == "tf"  # only tried so far
    with qtbot.waitSignal(bare_window.models.changed, timeout=120000):
        dialog.save_button.click()
    kept = json.loads((folder / "model.json").read_text())
    assert kept == {"preprocessing": "caffe", "crop_fraction": 0.0}
    rule = bare_window.models.predictor.input_rule
    assert (rule.preprocessing, rule.crop) == ("caffe", 0.0)
    assert "caffe BGR mean" in bare_window.model_label.toolTip()
    _open(bare_window, qtbot, monkeypatch, [model])  # opened again: the choice is read
    dialog = bare_window.input_dialog
    assert dialog.preprocessing.currentText() == "caffe BGR mean"
    assert dialog.crop.currentText() == "whole image squashed"
    qtbot.waitUntil(lambda: len(dialog.bars.labels()) == 3, timeout=30000)
    dialog.close()


def test_a_long_model_description_is_elided_with_the_whole_in_the_tooltip(bare_window):
    from types import SimpleNamespace

    description = ("/home/someone/Downloads/models/" + "deep/" * 20
                   + "mobilenet_v2_1.0_224_quantized.tflite (1001 classes, uint8 input)")
    rule = SimpleNamespace(describe=lambda: "224 px uint8 NHWC input")
    bare_window._model_ready(SimpleNamespace(description=description, input_rule=rule,
                                             runtime="LiteRT", device="CPU"))
    shown = bare_window.model_label.text()
    assert len(shown) <= 60 and "…" in shown and shown.endswith("uint8 input)")
    tip = bare_window.model_label.toolTip()
    assert f"Model: {description}" in tip and "Input rule: 224 px uint8 NHWC input" in tip
