"""The data side of training: decoded images or cached embeddings as arrays.

A :class:`Sets` holds training and validation arrays (embeddings (N, F) or
uint8 images (N, S, S, 3)) with their labels and the samples they came from,
and knows how to hand them to ``model.fit`` (with augmentation for images).
The functions take a :class:`DataSource`: what a training run tells the data
side (its settings, classes, how to build the frozen extractor, when to stop)
and the list unreadable images are reported into.
TensorFlow and Keras are imported inside functions only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from core.base.jobs import Cancelled, ShouldStop, never_stop, sub_progress


class TrainingError(Exception):
    """Training cannot start with these inputs; ``str()`` is the user's sentence."""


@dataclass
class DataSource:
    """What the data side needs from a training run.

    ``extractor()`` builds the frozen feature extractor (uint8 images ->
    embeddings), called only when embeddings must be computed; images that
    cannot be read are appended to ``skipped`` as (path, reason).
    """

    config: object  # core.teach.training.TrainConfig
    class_names: list[str]
    extractor: Callable[[], object]
    should_stop: ShouldStop = never_stop
    skipped: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Sets:
    """Training and validation arrays: embeddings (N, F) or images (N, S, S, 3)."""

    train_x: np.ndarray
    train_y: np.ndarray
    val_x: np.ndarray
    val_y: np.ndarray
    train_items: list
    val_items: list
    images: bool

    def steps(self, batch_size: int) -> int:
        return max(1, -(-len(self.train_y) // batch_size))

    def class_weight(self, classes: int) -> dict[int, float]:
        """Balanced weights: n / (classes * n_c), so each class counts the same."""
        counts = np.bincount(self.train_y, minlength=classes)
        return {c: len(self.train_y) / (classes * n) for c, n in enumerate(counts) if n}

    def fit_arguments(self, config) -> dict:
        if not self.images:
            val = (self.val_x, self.val_y) if self.val_y.size else None
            return dict(x=self.train_x, y=self.train_y, batch_size=config.batch_size,
                        validation_data=val, shuffle=True)
        augment = _augmenter(config) if config.augment else None
        train = _image_dataset(self.train_x, self.train_y, config.batch_size,
                               shuffle_seed=config.seed, augment=augment)
        val = (_image_dataset(self.val_x, self.val_y, config.batch_size)
               if self.val_y.size else None)
        return dict(x=train, validation_data=val, shuffle=False)  # the dataset shuffles


def _labels(run: DataSource, items) -> np.ndarray:
    index = {name: i for i, name in enumerate(run.class_names)}
    return np.array([index[c] for _, c in items], dtype=np.int64)


def embedding_sets(run: DataSource, train_items, val_items, progress) -> Sets:
    from core.teach.embeddings import embed

    items = list(train_items) + list(val_items)
    result = embed([p for p, _ in items], run.config.backbone, run.config.size, run.extractor,
                   run.config.weights_choice, progress, run.should_stop)
    for index, reason in result.failed.items():
        run.skipped.append((str(items[index][0]), reason))
    keep = [i for i in range(len(items)) if i not in result.failed]
    n_train = len(train_items)
    train_rows = [i for i in keep if i < n_train]
    val_rows = [i for i in keep if i >= n_train]
    train_kept = [items[i] for i in train_rows]
    val_kept = [items[i] for i in val_rows]
    return _checked(Sets(result.vectors[train_rows], _labels(run, train_kept),
                          result.vectors[val_rows], _labels(run, val_kept),
                          train_kept, val_kept, images=False))


def image_sets(run: DataSource, train_items, val_items, progress) -> Sets:
    total = max(1, len(train_items) + len(val_items))
    share = len(train_items) / total
    train_x, train_kept = _load_images(run, train_items, sub_progress(progress, 0, share))
    val_x, val_kept = _load_images(run, val_items, sub_progress(progress, share, 1))
    return _checked(Sets(train_x, _labels(run, train_kept), val_x, _labels(run, val_kept),
                          train_kept, val_kept, images=True))


def _checked(sets: Sets) -> Sets:
    if not len(sets.train_y):
        raise TrainingError("None of the training images could be read; see the "
                            "unreadable files in the data warnings.")
    return sets


def _load_images(run: DataSource, items, progress) -> tuple[np.ndarray, list]:
    """Decode ``items`` into one uint8 array; unreadable ones go to ``run.skipped``."""
    from core.images.decode import ImageError, load_for_model

    size = run.config.size
    images = np.empty((len(items), size, size, 3), np.uint8)
    kept = []
    for n, item in enumerate(items):
        if run.should_stop():
            raise Cancelled()
        try:
            images[len(kept)] = load_for_model(item[0], size)
            kept.append(item)
        except ImageError as exc:
            run.skipped.append((str(item[0]), exc.reason))
        progress((n + 1) / len(items), f"Loading images: {n + 1} of {len(items)}")
    return images[:len(kept)], kept


def _image_dataset(images, labels, batch_size, shuffle_seed=None, augment=None):
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((images, labels))
    if shuffle_seed is not None:
        ds = ds.shuffle(len(labels), seed=shuffle_seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)
    if augment is not None:
        ds = ds.map(lambda x, y: (augment(x), y), num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def _augmenter(config):
    """uint8 batch -> randomly changed uint8 batch, per ``config.augmentation``."""
    import keras
    import tensorflow as tf

    a, seed, layers = config.augmentation, config.seed, []
    if a.flip:
        layers.append(keras.layers.RandomFlip("horizontal", seed=seed))
    if a.rotation:
        layers.append(keras.layers.RandomRotation(a.rotation, fill_mode="nearest", seed=seed))
    if a.zoom:
        layers.append(keras.layers.RandomZoom(a.zoom, fill_mode="nearest", seed=seed))
    if a.contrast:
        layers.append(keras.layers.RandomContrast(a.contrast, seed=seed))
    if a.brightness:
        layers.append(keras.layers.RandomBrightness(a.brightness, value_range=(0, 255),
                                                    seed=seed))

    def augment(images):
        x = tf.cast(images, tf.float32)
        for layer in layers:
            x = layer(x, training=True)
        return tf.cast(tf.clip_by_value(tf.round(x), 0, 255), tf.uint8)

    return augment


def validation_scores(model, sets: Sets, batch_size: int) -> np.ndarray:
    """Scores of the validation samples by the final model."""
    from core.runtime.runners import KerasCall

    if not sets.images:  # the full model's head on the cached embeddings
        return np.asarray(model.get_layer("head")(sets.val_x, training=False))
    call = KerasCall(model)
    return np.concatenate([call(sets.val_x[i:i + batch_size])
                           for i in range(0, len(sets.val_x), batch_size)])
