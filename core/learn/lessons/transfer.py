"""Lesson 4's experiment: from scratch against frozen pretrained features + a head.

The same few labelled images per class train LeNet-5 from scratch (32 px) and a
softmax head on EfficientNet-Lite0's pooled ImageNet features (the bundled
weights, computed once for every image at the backbone's own 224 px: its
features were learnt at that size, and at 64 px the same Fashion-MNIST images
scored about 7 points lower with 10 per class). Both train the same epochs with
the same optimiser and batches and are scored on the same validation images.
"""
from __future__ import annotations

import numpy as np

from core.base.jobs import check_stop, sub_progress
from core.learn.lessons import data
from core.learn.lessons.runner import Point, TrainSettings, Variant, train_one

BACKBONE = "EfficientNetLite0"
SCRATCH_SIZE = 32
SCRATCH, FROZEN = "LeNet-5 from scratch", "pretrained features + head"


def compare(splits, sizes, epochs: int, seed: int, progress, should_stop, on_partial):
    """``splits``: the same images at SCRATCH_SIZE and feature_size() px.

    -> ({n: scratch accuracy}, {n: frozen accuracy}, VariantResults, data description).
    """
    small, large = splits
    features = embed(large, sub_progress(progress, 0.0, 0.3), should_stop)
    scratch, frozen, results = {}, {}, []
    train = TrainSettings(epochs, seed, batch_size=16)
    for i, n in enumerate(sizes):
        keep = data.per_class_indices(small.y_train, n, seed)
        share = sub_progress(progress, 0.3 + 0.7 * i / len(sizes), 0.3 + 0.7 * (i + 1) / len(sizes))
        runs = ((SCRATCH, _subset(small, keep), lambda: lenet(small.classes), scratch),
                (FROZEN, _subset(features, keep), lambda: head(features), frozen))
        for j, (name, split, build, found) in enumerate(runs):
            check_stop(should_stop)
            result = train_one(Variant(f"{name}, {n}/class", build), split, train,
                               sub_progress(share, j / 2, (j + 1) / 2), should_stop)
            result.extra = {"series": name, "images_per_class": n}
            found[n] = result.val_accuracy
            results.append(result)
            on_partial(result)
            on_partial(Point(name, n, result.val_accuracy, dashed=name == SCRATCH))
    progress(1.0, "done")
    return scratch, frozen, results, small.describe()


def _subset(split: data.Split, keep: np.ndarray) -> data.Split:
    return data.Split(split.x_train[keep], split.y_train[keep], split.x_val, split.y_val,
                      split.class_names, split.source)


def feature_size() -> int:
    """The backbone's own input size, at which its ImageNet features were learnt."""
    from core.models import backbones

    return backbones.get(BACKBONE).input_size


def embed(split: data.Split, progress, should_stop, chunk: int = 64) -> data.Split:
    """``split`` with every image replaced by its pooled pretrained features,
    computed ``chunk`` images at a time (at 224 px, no copy of all the images)."""
    from core.models.build import build_feature_extractor

    progress(0.0, f"building {BACKBONE}")
    extractor = build_feature_extractor(BACKBONE, input_size=split.size)
    total, done = len(split.y_train) + len(split.y_val), [0]

    def vectors(images: np.ndarray) -> np.ndarray:
        out = []
        for start in range(0, len(images), chunk):
            check_stop(should_stop)
            out.append(np.asarray(extractor.predict_on_batch(images[start:start + chunk])))
            done[0] += len(out[-1])
            progress(done[0] / total, f"pretrained features {done[0]}/{total}")
        return np.concatenate(out).astype(np.float32)

    return data.Split(vectors(split.x_train), split.y_train, vectors(split.x_val), split.y_val,
                      split.class_names, split.source)


def lenet(classes: int):
    """LeNet-5 (core.models.scratch) on uint8 images scaled to [0, 1]."""
    import keras

    from core.models.scratch import LeNet5

    inputs = keras.Input((SCRATCH_SIZE, SCRATCH_SIZE, 3), dtype="uint8", name="image")
    x = keras.layers.Rescaling(1 / 255, name="rescale")(inputs)
    net = LeNet5(classes=classes, input_shape=(SCRATCH_SIZE, SCRATCH_SIZE, 3))
    return keras.Model(inputs, net(x), name="lenet5_scratch")


def head(features: data.Split):
    """The new head: one softmax layer on the frozen features."""
    import keras

    inputs = keras.Input(features.x_train.shape[1:], name="features")
    outputs = keras.layers.Dense(features.classes, activation="softmax", name="predictions")(inputs)
    return keras.Model(inputs, outputs, name="head")
