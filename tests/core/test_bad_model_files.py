"""Bad model files reach the user as a sentence: cut, altered, or described by a bad model.json."""
from __future__ import annotations

import json
import shutil

import pytest

from core.runtime.bundle import BundleError, litert_path
from core.runtime.checks import ModelFileError, check_model_file
from core.runtime.loading import load_predictor
from tests.bundles import small_bundle


@pytest.fixture
def bundle_copy(tmp_path_factory, tmp_path):
    """A private copy of the session's small trained bundle, to damage."""
    folder = tmp_path / "copy"
    shutil.copytree(small_bundle(tmp_path_factory), folder)
    return folder


def _cut(path, fraction: float) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * fraction)])


def _sentence_from_load(folder) -> str:
    with pytest.raises(BundleError) as caught:
        load_predictor(str(folder))
    text = str(caught.value)
    assert "Traceback" not in text and len(text.splitlines()) == 1
    return text


@pytest.mark.parametrize("fraction", [0.0, 0.5, 0.99])
def test_a_truncated_keras_file_in_a_bundle(bundle_copy, fraction):
    _cut(bundle_copy / "model.keras", fraction)
    text = _sentence_from_load(bundle_copy)
    assert "model.keras" in text and ("truncated" in text or "empty" in text)


def test_an_altered_keras_file_fails_its_checksum(bundle_copy):
    data = bytearray((bundle_copy / "model.keras").read_bytes())
    middle = len(data) // 2
    data[middle:middle + 64] = bytes(64)  # bytes changed inside the weights
    (bundle_copy / "model.keras").write_bytes(bytes(data))
    assert "damaged" in _sentence_from_load(bundle_copy)


def test_bundle_descriptions_missing_malformed_and_newer(bundle_copy):
    meta = bundle_copy / "model.json"
    doc = json.loads(meta.read_text())
    meta.write_text(json.dumps({**doc, "schema_version": 99}))
    assert "newer version of Backbone Studio" in _sentence_from_load(bundle_copy)
    meta.write_text('{"schema_version": 1, "class_names": [')  # cut mid-write
    assert "could not be read" in _sentence_from_load(bundle_copy)
    meta.write_text(json.dumps({k: v for k, v in doc.items() if k != "class_names"}))
    assert "lacks class_names" in _sentence_from_load(bundle_copy)
    meta.unlink()  # then the folder is no bundle: it holds model files without a description
    text = _sentence_from_load(bundle_copy)
    assert "is not a model bundle" in text or "holds several models" in text


def test_a_damaged_litert_file_is_not_used(bundle_copy):
    """The LiteRT file is only a faster copy of model.keras: a cut one is skipped, and
    load_predictor converts model.keras again (core.runtime.loading's path for a bundle
    without one)."""
    assert litert_path(bundle_copy) == bundle_copy / "model.tflite"
    _cut(bundle_copy / "model.tflite", 0.6)
    assert litert_path(bundle_copy) is None


def test_cut_tflite_and_onnx_files(bundle_copy, tmp_path):
    tflite = bundle_copy / "model.tflite"
    check_model_file(tflite)  # whole: passes
    for fraction in (0.1, 0.7):
        cut = tmp_path / f"cut{fraction}.tflite"
        cut.write_bytes(tflite.read_bytes()[:int(tflite.stat().st_size * fraction)])
        with pytest.raises(ModelFileError, match="tflite is (damaged|not a TensorFlow Lite)"):
            check_model_file(cut)
    onnx_file = _small_onnx(tmp_path / "model.onnx")
    check_model_file(onnx_file)
    _cut(onnx_file, 0.5)
    with pytest.raises(ModelFileError, match="damaged or truncated"):
        check_model_file(onnx_file)
    renamed = tmp_path / "photo.keras"
    renamed.write_bytes(b"\xff\xd8\xff\xe0 not a zip at all")
    with pytest.raises(ModelFileError, match="not a whole Keras file"):
        check_model_file(renamed)


def _small_onnx(path):
    """A real (tiny) ONNX model: softmax(x @ W)."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    weights = numpy_helper.from_array(np.random.default_rng(0).random((64, 3), np.float32), "W")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "W"], ["logits"]),
         helper.make_node("Softmax", ["logits"], ["scores"], axis=1)],
        "tiny", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, 3])], [weights])
    onnx.save(helper.make_model(graph), str(path))
    return path


@pytest.mark.parametrize("suffix", [".tflite", ".onnx", ".keras"])
def test_a_cut_model_file_opened_directly(tmp_path, tmp_path_factory, suffix):
    """File > Open model / --model FILE on a half-copied file: one sentence."""
    source = {".tflite": small_bundle(tmp_path_factory) / "model.tflite",
              ".keras": small_bundle(tmp_path_factory) / "model.keras",
              ".onnx": _small_onnx(tmp_path / "whole.onnx")}[suffix]
    cut = tmp_path / "cut" / f"model{suffix}"
    cut.parent.mkdir()
    cut.write_bytes(source.read_bytes()[:source.stat().st_size // 2])
    (cut.parent / "labels.txt").write_text("0 a\n1 b\n2 c\n")
    with pytest.raises(BundleError) as caught:
        load_predictor(str(cut))
    assert "model" + suffix in str(caught.value) and "damaged" in str(caught.value) \
        or "truncated" in str(caught.value), str(caught.value)
