"""Training, evaluation and bundles on real Fashion-MNIST images.

The module trains EfficientNet-Lite0 (bundled ImageNet weights) a few times
on 10 classes x 30 images; the embedding cache (one session-wide data home,
see tests/conftest.py) makes every run after the first take seconds.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from core.base.jobs import Cancelled
from core.runtime import bundle
from core.teach import dataset, embeddings, evaluation, training
from tests import fashion

pytestmark = pytest.mark.skipif(not fashion.available(), reason="dataset-fashion-mnist missing")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHANCE = 0.1


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """(items, class names) of 10 classes x 30 training images."""
    root = tmp_path_factory.mktemp("fashion30")
    fashion.write_tree(root, 30, seed=3)
    return dataset.load_folder(root)


@pytest.fixture(scope="module")
def held_out(tmp_path_factory):
    """10 classes x 10 images from Fashion-MNIST's separate test split."""
    root = tmp_path_factory.mktemp("fashion_test")
    fashion.write_tree(root, 10, seed=3, split="t10k")
    return dataset.load_folder(root)[0]


@pytest.fixture(scope="module")
def trained(data):
    items, classes = data
    epochs = []
    result = training.train(items, classes, training.TrainConfig(epochs=12, patience=0),
                            on_epoch=lambda n, logs: epochs.append((n, logs)))
    return result, epochs


def _predict(model, items, size):
    from core.images.decode import load_for_model

    images = np.stack([load_for_model(p, size) for p, _ in items])
    return np.asarray(model.predict(images, batch_size=32, verbose=0))


def test_frozen_lite0_head_learns_far_better_than_chance(trained, data):
    result, epochs = trained
    assert result.val_accuracy >= 0.6, result.history
    assert len(result.val_items) == 60 and len(result.train_items) == 240
    assert [n for n, _ in epochs] == list(range(1, 13))
    assert set(epochs[-1][1]) >= {"loss", "accuracy", "val_loss", "val_accuracy",
                                 "eta_seconds", "stage"}
    assert result.best_epoch == first_best(result.history["val_accuracy"])


def test_final_model_classifies_raw_images_like_validation_said(trained):
    """The returned model is image -> preprocess -> backbone -> head, and its
    scores on the validation files equal the ones validation reported."""
    result, _ = trained
    model = result.model
    assert [layer.name for layer in model.layers] == ["image", "preprocess", "backbone", "head"]
    assert model.input.dtype == "uint8"
    scores = _predict(model, result.val_items, 224)
    reported = np.array([p.score for p in result.validation.predictions])
    np.testing.assert_allclose(scores.max(axis=1), reported, atol=1e-4)


def test_held_out_images_confirm_the_validation_accuracy(trained, held_out):
    result, _ = trained
    scores = _predict(result.model, held_out, 224)
    index = {c: i for i, c in enumerate(result.class_names)}
    report = evaluation.evaluate_scores(scores, [index[c] for _, c in held_out],
                                        result.class_names, [p for p, _ in held_out])
    assert report.accuracy >= 0.55
    assert abs(report.accuracy - result.val_accuracy) < 0.2
    assert sum(map(sum, report.confusion)) == report.count == len(held_out)
    assert np.trace(np.array(report.confusion)) == round(report.accuracy * report.count)
    mistakes = report.misclassified
    assert all(m.true != m.predicted for m in mistakes)
    assert [m.score for m in mistakes] == sorted((m.score for m in mistakes), reverse=True)
    assert sum(len(report.cell(t, p)) for t in report.class_names
               for p in report.class_names) == report.count


def test_embeddings_come_from_the_cache_the_second_time(data):
    items, _ = data
    files = [p for p, _ in items[:40]]

    def no_extractor():
        raise AssertionError("the backbone should not be needed")

    again = embeddings.embed(files, "EfficientNetLite0", 224, no_extractor)
    assert again.computed == 0 and not again.failed
    assert again.vectors.shape == (40, 1280) and np.abs(again.vectors).sum(axis=1).min() > 0


def test_cancel_mid_training_returns_the_best_model_so_far(data):
    items, classes = data
    seen = []
    result = training.train(items, classes, training.TrainConfig(epochs=30, patience=0),
                            should_stop=lambda: len(seen) >= 3,
                            on_epoch=lambda n, logs: seen.append(n))
    assert result.cancelled
    assert 3 <= len(result.history["loss"]) <= 4
    assert result.model is not None and result.val_accuracy > CHANCE
    assert result.best_epoch == first_best(result.history["val_accuracy"])
    assert_kept_best_weights(result)


def first_best(values) -> int:
    """The kept epoch's rule: the best value, the earliest of equal ones (1-based)."""
    return 1 + int(np.argmax(values))  # argmax returns the first of equal maxima


def assert_kept_best_weights(result):
    """The model's validation accuracy and loss, recomputed, are the kept epoch's."""
    scores = _predict(result.model, result.val_items, 224)
    truth = np.array([result.class_names.index(c) for _, c in result.val_items])
    kept = result.best_epoch - 1
    assert np.mean(scores.argmax(axis=1) == truth) == pytest.approx(
        result.history["val_accuracy"][kept], abs=1e-6)
    loss = -np.mean(np.log(scores[np.arange(len(truth)), truth]))
    assert loss == pytest.approx(result.history["val_loss"][kept], abs=2e-3)


@pytest.mark.slow  # end to end, seconds: the full suite runs it
def test_early_stopping_stops_patience_epochs_after_the_last_progress(data):
    """Progress is a better validation accuracy or a lower validation loss."""
    items, classes = data
    config = training.TrainConfig(epochs=40, patience=2, learning_rate=0.02)
    result = training.train(items, classes, config)
    accuracy, loss = result.history["val_accuracy"], result.history["val_loss"]
    epochs_run = len(loss)
    assert epochs_run < 40
    progress = [e for e in range(epochs_run)
                if e == 0 or accuracy[e] > max(accuracy[:e]) or loss[e] < min(loss[:e])]
    assert epochs_run == progress[-1] + 1 + 2
    assert result.best_epoch == first_best(accuracy)
    assert_kept_best_weights(result)


def test_cancel_before_any_epoch_raises_cancelled(data):
    items, classes = data
    with pytest.raises(Cancelled):
        training.train(items, classes, should_stop=lambda: True)


def test_unusable_inputs_are_refused_with_a_sentence(data, tmp_path):
    items, classes = data
    with pytest.raises(training.TrainingError, match="no images"):
        training.train(items, [*classes, "hats"])
    with pytest.raises(training.TrainingError, match="at least two"):
        training.train([i for i in items if i.class_name == "bag"], ["bag"])


def test_unreadable_images_are_skipped_not_fatal(data, tmp_path):
    items, classes = data
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image at all")
    subset = [i for i in items if i.class_name in ("bag", "trouser")]
    result = training.train([*subset, (broken, "bag")], ["bag", "trouser"],
                            training.TrainConfig(epochs=2))
    assert [p for p, _ in result.skipped] == [str(broken)]
    assert len(result.train_items) + len(result.val_items) == len(subset)


def test_without_validation_the_training_loss_picks_the_weights(data):
    items, classes = data
    subset = [i for i in items if i.class_name in ("bag", "trouser")]
    result = training.train(subset, ["bag", "trouser"],
                            training.TrainConfig(val_split=0, epochs=3))
    assert result.val_items == [] and result.validation is None and result.threshold == 0.0
    assert result.history["val_loss"] == [None] * 3
    assert result.best_epoch == first_best(result.history["accuracy"])
    assert result.bundle_meta()["metrics"]["val_accuracy"] is None


@pytest.mark.slow
def test_augmented_training_and_fine_tuning_keep_batchnorm_frozen(data):
    """Through the frozen base with augmentation, then the top layers unfrozen."""
    import keras

    items, classes = data
    subset = [i for i in items if i.class_name in ("bag", "trouser", "sneaker")][::2]
    config = training.TrainConfig(augment=True, epochs=1, fine_tune_layers=12,
                                  fine_tune_epochs=1, input_size=64, batch_size=16,
                                  class_weights=True)
    result = training.train(subset, ["bag", "sneaker", "trouser"], config)
    assert result.history["stage"] == [1, 2]
    assert result.model.input_shape == (None, 64, 64, 3)
    base = result.model.get_layer("backbone")
    trainable = [layer for layer in base.layers if layer.trainable and layer.weights]
    assert trainable and all(not isinstance(layer, keras.layers.BatchNormalization)
                             for layer in trainable)
    assert all(layer in base.layers[-12:] for layer in trainable)
    assert result.val_accuracy is not None


@pytest.fixture(scope="module")
def saved(trained, tmp_path_factory):
    """The trained model saved as a bundle (saving converts to LiteRT: ~10 s)."""
    result, _ = trained
    return bundle.save(tmp_path_factory.mktemp("bundles") / "shoes", result.model,
                       result.bundle_meta())


def test_bundle_round_trip_keeps_model_meta_and_litert(trained, saved, held_out):
    result, _ = trained
    path = saved
    model, meta = bundle.load(path)
    assert meta["class_names"] == result.class_names and meta["input_size"] == 224
    assert meta["backbone"] == "EfficientNetLite0" and meta["schema_version"] == 1
    assert meta["threshold"] == result.threshold and meta["app_version"]
    assert meta["metrics"]["val_accuracy"] == result.val_accuracy
    assert bundle.litert_path(path).stat().st_size > 1_000_000
    np.testing.assert_allclose(_predict(model, held_out[:8], 224),
                               _predict(result.model, held_out[:8], 224), atol=1e-5)
    assert [p.name for p in path.parent.iterdir()] == ["shoes"]  # no temporary left


def test_bundle_errors_say_what_is_wrong(tmp_path, saved):
    import shutil

    with pytest.raises(bundle.BundleError, match="not a model bundle"):
        bundle.load(tmp_path)
    path = shutil.copytree(saved, tmp_path / "b")
    meta = json.loads((path / bundle.META_FILE).read_text())
    meta["schema_version"] = bundle.SCHEMA_VERSION + 1
    (path / bundle.META_FILE).write_text(json.dumps(meta))
    with pytest.raises(bundle.BundleError, match="newer version of Backbone Studio"):
        bundle.load(path)


MIRRORED = textwrap.dedent("""
    import json, sys
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from core.teach import dataset
    from core.teach import training
    items, classes = dataset.load_folder(sys.argv[1])
    out = {}
    for name, extra in (("head", {}), ("images", dict(augment=True, fine_tune_layers=5,
                                                      fine_tune_epochs=1, input_size=32))):
        config = training.TrainConfig(epochs=1, batch_size=8, devices=("/cpu:0", "/cpu:1"),
                                      **extra)
        result = training.train(items, classes, config)
        out[name] = {"replicas": result.replicas,
                     "model_replicas": result.model.distribute_strategy.num_replicas_in_sync,
                     "stages": result.history["stage"], "val": result.val_accuracy}
    out["strategy"] = type(training._strategy(("/cpu:0", "/cpu:1"))).__name__
    print(json.dumps(out))
""")


@pytest.mark.slow
def test_training_under_mirrored_strategy_on_two_logical_cpus(tmp_path):
    """Logical devices must exist before TensorFlow starts: a fresh process."""
    fashion.write_tree(tmp_path / "data", 8, seed=5, classes=("bag", "trouser", "sneaker"))
    run = subprocess.run([sys.executable, "-c", MIRRORED, str(tmp_path / "data")],
                         capture_output=True, text=True, cwd=ROOT, timeout=300,
                         env={**os.environ, "PYTHONPATH": ROOT})
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["strategy"] == "MirroredStrategy"
    assert out["head"]["stages"] == [1] and out["head"]["val"] is not None
    assert out["images"]["stages"] == [1, 2] and out["images"]["val"] is not None
    assert out["head"]["replicas"] == 2 and out["images"]["replicas"] == 2
    # The model handed back is a plain copy, safe to save and convert.
    assert out["head"]["model_replicas"] == 1 and out["images"]["model_replicas"] == 1


@pytest.mark.slow
def test_the_same_seed_gives_the_same_head_with_a_cold_or_a_warm_cache(tmp_path, monkeypatch):
    root = tmp_path / "three"
    fashion.write_tree(root, 12, seed=5, classes=("coat", "pullover", "shirt"))
    items, classes = dataset.load_folder(root)
    monkeypatch.setenv("BACKBONE_STUDIO_HOME", str(tmp_path / "cold_home"))
    config = training.TrainConfig(epochs=3, patience=0)
    cold = training.train(items, classes, config)  # computes every embedding
    warm = training.train(items, classes, config)  # reads them all from the cache
    assert cold.history["loss"] == warm.history["loss"]
    assert cold.val_accuracy == warm.val_accuracy
