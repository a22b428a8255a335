"""The input rule a user picks for a model made elsewhere: tried on a photo, then kept."""
from __future__ import annotations

import json

import numpy as np
import pytest

from core.images.decode import WHOLE_IMAGE
from core.runtime import input_choice
from core.runtime.inference import Predictor
from core.runtime.input_rule import InputRule, input_rule
from core.runtime.model_files import metadata_beside


class MeanRunner:
    """Scores = the batch's mean per channel: what preprocessing did shows in them."""

    runtime, device = "test", "CPU"

    def __call__(self, x):
        return np.asarray(x, np.float32).mean(axis=(1, 2))


def _predictor(mode="tf", crop=1.0):
    return Predictor(MeanRunner(), ["r", "g", "b"], InputRule(8, "float32", mode, crop), "test")


def test_a_preview_scores_under_the_chosen_preprocessing_without_reloading():
    predictor = _predictor()
    rgb = np.zeros((8, 8, 3), np.uint8)
    rgb[..., 0] = 255
    as_is = input_choice.preview(predictor, predictor.input_rule, rgb, k=3)
    assert (as_is[0].label, as_is[0].score, as_is[1].score) == ("r", 1.0, -1.0)
    caffe = input_choice.with_choice(predictor.input_rule, "caffe", 1.0)
    swapped = input_choice.preview(predictor, caffe, rgb, k=3)  # BGR: red is last
    assert swapped[0].label == "b" and swapped[0].score == pytest.approx(255 - 123.68)
    assert predictor.input_rule.preprocessing == "tf"  # the model in use is unchanged


def test_the_crop_choice_decides_what_the_preview_sees():
    predictor = _predictor(mode="unit")
    rgb = np.zeros((8, 32, 3), np.uint8)
    rgb[:, :12, 0] = 255  # red only at the left edge
    square = input_choice.preview(predictor, predictor.input_rule, rgb, k=1)[0]
    whole = input_choice.preview(predictor, input_choice.with_choice(
        predictor.input_rule, None, WHOLE_IMAGE), rgb, k=1)[0]
    assert square.label != "r" and whole.label == "r"


def test_a_model_that_preprocesses_inside_keeps_doing_so():
    rule = InputRule(8, "uint8", "inside", 0.875)
    assert input_choice.with_choice(rule, "caffe", 1.0) == InputRule(8, "uint8", "inside", 1.0)
    assert input_choice.choice_of(rule) == {"crop_fraction": 0.875}


def test_a_choice_is_saved_beside_the_model_merged_and_read_back(tmp_path):
    model = tmp_path / "model.onnx"
    model.write_bytes(b"onnx")
    (tmp_path / "model.json").write_text(json.dumps({"class_names": ["a", "b"]}))
    saved = input_choice.save(model, {"preprocessing": "torch", "crop_fraction": 0.875},
                              metadata_beside(model))
    assert saved.path == tmp_path / "model.json" and not saved.in_app_settings
    meta = metadata_beside(model)
    assert meta == {"class_names": ["a", "b"], "preprocessing": "torch", "crop_fraction": 0.875}
    rule = input_rule((1, 8, 8, 3), "float32", meta)
    assert (rule.preprocessing, rule.crop) == ("torch", 0.875)


def test_another_metadata_file_beside_keeps_its_keys(tmp_path):
    model = tmp_path / "net.tflite"
    model.write_bytes(b"TFL3")
    (tmp_path / "metadata.json").write_text(json.dumps({"labels": ["x", "y"]}))
    input_choice.save(model, {"crop_fraction": WHOLE_IMAGE}, metadata_beside(model))
    assert metadata_beside(model) == {"labels": ["x", "y"], "crop_fraction": 0.0}
    assert input_rule((1, 8, 8, 3), "float32", metadata_beside(model)).crop == WHOLE_IMAGE


def test_a_read_only_folder_keeps_the_choice_in_the_apps_settings(tmp_path, monkeypatch):
    import errno

    from core.base import paths

    folder = tmp_path / "shared"
    folder.mkdir()
    model = folder / "model.onnx"
    model.write_bytes(b"onnx")
    write = paths.atomic_write_text

    def read_only(path, text):  # as a read-only mount answers (root ignores chmod)
        if path.parent == folder:
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return write(path, text)

    monkeypatch.setattr(paths, "atomic_write_text", read_only)
    saved = input_choice.save(model, {"preprocessing": "caffe", "crop_fraction": 1.0}, {})
    assert saved.in_app_settings and "settings" in saved.describe()
    assert not (folder / "model.json").exists()
    assert metadata_beside(model) == {"preprocessing": "caffe", "crop_fraction": 1.0}
    monkeypatch.setattr(paths, "atomic_write_text", write)
    input_choice.save(model, {"preprocessing": "unit", "crop_fraction": 1.0}, {})
    assert input_choice.remembered(model) == {}  # the file beside holds it now
    assert metadata_beside(model)["preprocessing"] == "unit"


def test_the_rule_in_words_names_every_part():
    text = input_rule((1, 224, 224, 3), "float32",
                      {"preprocessing": "torch", "crop_fraction": 0.875}).describe()
    for part in ("224 px", "float32", "NHWC", "ImageNet mean/std", "(0.485, 0.456, 0.406)",
                 "(0.229, 0.224, 0.225)", "centre 87.5%"):
        assert part in text, part
    nchw = Predictor(MeanRunner(), ["a"], InputRule(8, "float32", "tf", 1.0), "t",
                     channels_first=True)
    assert "NCHW" in nchw.input_rule.describe()


def test_a_keras_models_preview_swaps_its_preprocessing_block_only():
    """A float-input Keras file runs as a uint8 model with its preprocessing in front
    (core.runtime.keras_files.uint8_model): a preview under another mode swaps that
    block and keeps every other layer and weight."""
    import keras

    from core.models.preprocessing import steps
    from core.runtime.keras_files import uint8_model

    inputs = keras.Input((8, 8, 3))
    x = keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(2, 3)(inputs))
    plain = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(x))
    rule = InputRule(8, "float32", "tf", 1.0)
    predictor = Predictor(MeanRunner(), ["a", "b", "c"], rule, "test",
                          model=uint8_model(plain, rule))
    rgb = np.random.default_rng(0).integers(0, 255, (8, 8, 3), dtype=np.uint8)
    caffe = input_choice.preview(predictor, input_choice.with_choice(rule, "caffe", 1.0), rgb)
    expected = np.asarray(plain(steps("caffe").apply(rgb[None])))[0]
    assert [p.score for p in caffe] == pytest.approx(sorted(expected, reverse=True), abs=1e-5)
