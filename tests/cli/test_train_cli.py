"""``main.py train`` and ``main.py evaluate`` as a user runs them: subprocesses."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import fashion

from .conftest import cli

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not fashion.available(), reason="dataset-fashion-mnist missing")]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Train on 10 classes x 20 images plus one broken file; returns (run, bundle)."""
    root = tmp_path_factory.mktemp("cli")
    fashion.write_tree(root / "data", 20, seed=11)
    (root / "data" / "bag" / "broken.png").write_bytes(b"this is not a png")
    out = root / "model"
    run = cli("train", root / "data", "--out", out, "--epochs", "8", "--format", "json")
    return run, out


def test_train_writes_a_bundle_and_one_json_document(trained):
    run, out = trained
    assert run.returncode == 1, run.stderr[-2000:]  # 1: one input failed, model still made
    doc = json.loads(run.stdout)
    assert doc["backbone"] == "EfficientNetLite0" and len(doc["class_names"]) == 10
    assert doc["train_samples"] + doc["val_samples"] == 200
    assert doc["val_accuracy"] >= 0.5  # chance is 0.1
    assert [Path(s["path"]).name for s in doc["skipped"]] == ["broken.png"]
    assert len(doc["history"]["loss"]) == doc["epochs_run"] <= 8
    meta = json.loads((out / "model.json").read_text())
    assert meta["class_names"] == doc["class_names"] and meta["threshold"] == doc["threshold"]
    assert (out / "model.keras").is_file() and (out / "model.tflite").is_file()
    assert "Epoch" in run.stderr  # progress goes to stderr


def test_evaluate_on_held_out_images_reproduces_validation(trained, tmp_path):
    run, out = trained
    val_accuracy = json.loads(run.stdout)["val_accuracy"]
    fashion.write_tree(tmp_path / "test", 10, seed=11, split="t10k")
    result = cli("evaluate", out, tmp_path / "test", "--format", "json")
    assert result.returncode == 0, result.stderr[-2000:]
    doc = json.loads(result.stdout)
    assert doc["count"] == 100 and sum(map(sum, doc["confusion"])) == 100
    assert abs(doc["accuracy"] - val_accuracy) < 0.2
    assert sum(c["support"] for c in doc["classes"]) == 100
    scores = [m["score"] for m in doc["misclassified"]]
    assert scores == sorted(scores, reverse=True)
    assert len(scores) == round(100 * (1 - doc["accuracy"]))


def test_evaluate_text_shows_the_table_and_the_matrix(trained, tmp_path):
    _, out = trained
    fashion.write_tree(tmp_path / "test", 3, seed=12, split="t10k", classes=("bag", "trouser"))
    result = cli("evaluate", out, tmp_path / "test")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("accuracy ") and "on 6 images" in result.stdout
    assert "confusion (rows: true class" in result.stdout


def test_setup_errors_exit_2_with_a_sentence(trained, tmp_path):
    _, out = trained
    missing = cli("train", tmp_path / "nowhere", "--out", tmp_path / "b")
    assert missing.returncode == 2 and "is not a folder" in missing.stderr
    fashion.write_tree(tmp_path / "one", 3, classes=("bag",))
    one_class = cli("train", tmp_path / "one", "--out", tmp_path / "b")
    assert one_class.returncode == 2 and "at least two classes" in one_class.stderr
    backbone = cli("train", tmp_path / "one", "--out", tmp_path / "b", "--backbone", "Nope")
    assert backbone.returncode == 2 and "unknown backbone" in backbone.stderr
    not_bundle = cli("evaluate", tmp_path, tmp_path / "one")
    assert not_bundle.returncode == 2 and "not a model bundle" in not_bundle.stderr
    assert not (tmp_path / "b").exists()


@pytest.mark.slow
def test_headline_transfer_beats_a_random_base(tmp_path):
    """10 classes x 100 images: the bundled ImageNet Lite0 reaches >= 0.80 on
    validation, held-out images confirm it, and a random base does far worse."""
    fashion.write_tree(tmp_path / "data", 100, seed=0)
    fashion.write_tree(tmp_path / "test", 100, seed=0, split="t10k")
    runs = {}
    for weights in ("imagenet", "random"):
        run = cli("train", tmp_path / "data", "--out", tmp_path / weights,
                  "--weights", weights, "--format", "json", timeout=600)
        assert run.returncode == 0, run.stderr[-2000:]
        runs[weights] = json.loads(run.stdout)
    assert runs["imagenet"]["val_samples"] == 200
    assert runs["imagenet"]["val_accuracy"] >= 0.80
    held_out = cli("evaluate", tmp_path / "imagenet", tmp_path / "test", "--format", "json")
    assert held_out.returncode == 0, held_out.stderr[-2000:]
    accuracy = json.loads(held_out.stdout)["accuracy"]
    assert accuracy >= 0.78 and abs(accuracy - runs["imagenet"]["val_accuracy"]) < 0.05
    assert runs["random"]["val_accuracy"] <= runs["imagenet"]["val_accuracy"] - 0.3
