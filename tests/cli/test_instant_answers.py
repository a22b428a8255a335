"""Answers without TensorFlow: with a converted model at hand, `classify` never
imports TensorFlow or Keras, and gives the answers the TensorFlow path gives."""
from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.images.decode import load_for_model
from core.runtime.loading import load_predictor
from tests.bundles import small_bundle

from .conftest import ROOT

BLOCKER = """
import runpy, sys
class Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("tensorflow", "keras", "tf_keras"):
            raise ImportError(f"{name} is blocked in this test")
sys.meta_path.insert(0, Blocked())
sys.argv = ["main.py", *sys.argv[1:]]
runpy.run_path("main.py", run_name="__main__")
"""


def classify_without_tensorflow(model, *images) -> list[dict]:
    """``main.py classify`` in a new process where importing TensorFlow or Keras fails."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = subprocess.run([sys.executable, "-c", BLOCKER, "classify", "--model", str(model),
                          "--format", "json", "--top-k", "1000", "--threshold", "0",
                          *map(str, images)],
                         capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def scores_of(entry, class_names) -> np.ndarray:
    by_label = {p["label"]: p["score"] for p in entry["predictions"]}
    return np.array([by_label.get(name, 0.0) for name in class_names])


def keras_scores(model, images) -> np.ndarray:
    """The Keras model's own answer: the reference every fast path must give."""
    size = int(model.input_shape[1])
    return np.asarray(model(np.stack([load_for_model(p, size) for p in images]),
                            training=False))


@pytest.fixture(scope="module")
def bundle_folder(tmp_path_factory):
    return small_bundle(tmp_path_factory)


def test_a_bundle_answers_without_tensorflow_as_its_keras_model_does(bundle_folder, photos):
    images = list(photos.values())
    entries = classify_without_tensorflow(bundle_folder, *images)
    predictor = load_predictor(str(bundle_folder))
    assert predictor.runtime.startswith("LiteRT") and not predictor.model_loaded
    reference = keras_scores(predictor.model, images)  # loads the Keras model now
    got = np.stack([scores_of(e, predictor.class_names) for e in entries])
    np.testing.assert_allclose(got, reference, atol=1e-5)  # the JSON keeps 6 digits


def test_the_default_backbone_answers_from_its_cached_conversion(default_predictor, photos,
                                                                monkeypatch):
    images = [photos["coffee"], photos["chelsea"]]
    entries = classify_without_tensorflow("EfficientNetLite0", *images)
    # Today's path: TensorFlow builds the model, then runs the same cached LiteRT file.
    monkeypatch.setattr("core.runtime.loading.instant_predictor", lambda model: None)
    today = load_predictor("EfficientNetLite0")
    assert today.model_loaded and today.litert_path is not None
    reference = today.predict(np.stack([load_for_model(p, today.input_size) for p in images]))
    got = np.stack([scores_of(e, today.class_names) for e in entries])
    assert [e["predictions"][0]["label"] for e in entries] == [
        today.class_names[i] for i in reference.argmax(1)]
    # ImageNet names two classes "crane" and two "maillot": compare the others by name.
    unique = [i for i, name in enumerate(today.class_names)
              if today.class_names.count(name) == 1]
    np.testing.assert_allclose(got[:, unique], reference[:, unique], atol=1e-5)  # 6 digits


def test_a_tflite_file_answers_without_tensorflow(bundle_folder, photos, tmp_path):
    file = shutil.copy(bundle_folder / "model.tflite", tmp_path / "fashion.tflite")
    classes = json.loads((bundle_folder / "model.json").read_text())["class_names"]
    (tmp_path / "labels.txt").write_text("\n".join(classes))
    entries = classify_without_tensorflow(file, photos["coffee"])
    assert entries[0]["predictions"][0]["label"] in classes


def test_an_older_bundle_without_its_litert_file_takes_the_tensorflow_path(
        bundle_folder, photos, tmp_path, caplog):
    older = Path(shutil.copytree(bundle_folder, tmp_path / "older"))
    (older / "model.tflite").unlink()
    with caplog.at_level(logging.INFO, logger="core.runtime.instant"):
        predictor = load_predictor(str(older))
    assert "has no usable model.tflite" in caplog.text and predictor.model_loaded
    instant = load_predictor(str(bundle_folder))
    batch = np.stack([load_for_model(p, predictor.input_size) for p in photos.values()])
    np.testing.assert_allclose(predictor.predict(batch), instant.predict(batch), atol=1e-5)
