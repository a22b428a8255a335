"""Train a lesson's variants one after another on one split, reporting every epoch.

A variant is a name and a function that builds its Keras model. Each is
trained with the same seed, optimiser, batch size and number of epochs; after
every epoch the runner sends two :class:`Point`-s (training and validation
error) to ``on_partial``, and a finished variant sends its
:class:`VariantResult`, so a view keeps what finished when a run is stopped.
``should_stop()`` is checked after every batch (Keras's ``stop_training``),
and the runner raises core.base.jobs.Cancelled.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np

from core.base.jobs import Progress, ShouldStop, check_stop, never_stop, no_progress, sub_progress

Partial = Callable[[object], None]


def no_partial(value) -> None:
    """An ``on_partial`` that ignores everything."""


@dataclass
class Point:
    """One point of one line of a lesson's chart."""
    series: str  # e.g. "plain-8 training"
    x: float     # the epoch, or the images per class
    y: float     # an error or an accuracy, in [0, 1]
    dashed: bool = False  # validation lines are dashed


@dataclass
class VariantResult:
    name: str
    depth: int  # weight layers (conv, depthwise, dense) on the longest path
    shortcut: bool
    params: int
    macs: int
    latency_ms: float | None  # one batch of LATENCY_BATCH images, fastest of 15, here
    train_error: list[float] = field(default_factory=list)  # per epoch, in [0, 1]
    val_error: list[float] = field(default_factory=list)
    val_accuracy: float | None = None
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)  # lesson-specific numbers (body params, ...)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Variant:
    name: str
    build: Callable[[], object]  # -> a compiled-to-be Keras model
    shortcut: bool = False


@dataclass
class TrainSettings:
    epochs: int
    seed: int = 0
    batch_size: int = 32
    learning_rate: float = 0.01  # SGD with momentum 0.9, as the papers train


LATENCY_BATCH = 32


def train_variants(variants: list[Variant], split, settings: TrainSettings,
                   progress: Progress = no_progress, should_stop: ShouldStop = never_stop,
                   on_partial: Partial = no_partial, describe_extra=None) -> list[VariantResult]:
    """Train every variant on ``split`` (core.learn.lessons.data.Split) in turn.

    ``describe_extra(arch) -> dict`` adds lesson-specific numbers to a result.
    """
    results = []
    for i, variant in enumerate(variants):
        check_stop(should_stop)
        share = sub_progress(_named(progress, variant.name), i / len(variants),
                             (i + 1) / len(variants))
        result = train_one(variant, split, settings, share, should_stop, on_partial,
                           describe_extra)
        results.append(result)
        on_partial(result)
    progress(1.0, "done")
    return results


def _named(progress: Progress, name: str) -> Progress:
    """``progress`` with every message starting with the variant's name."""
    return lambda fraction, message: progress(fraction, f"{name}: {message}")


def train_one(variant: Variant, split, settings: TrainSettings, progress: Progress = no_progress,
              should_stop: ShouldStop = never_stop, on_partial: Partial = no_partial,
              describe_extra=None) -> VariantResult:
    """Build, measure and train one variant; raises Cancelled when told to stop."""
    import keras

    from core.learn.architecture import describe

    keras.utils.set_random_seed(settings.seed)
    model = variant.build()
    arch = describe(model, variant.name)
    result = VariantResult(variant.name, arch.depth, variant.shortcut, arch.params, arch.macs,
                           measure_latency(model, split.x_train.shape[1:]),
                           extra=describe_extra(arch) if describe_extra else {})
    model.compile(optimizer=keras.optimizers.SGD(settings.learning_rate, momentum=0.9),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    started = time.monotonic()

    def epoch_done(epoch: int, logs: dict) -> None:
        result.train_error.append(1.0 - float(logs["accuracy"]))
        result.val_error.append(1.0 - float(logs["val_accuracy"]))
        on_partial(Point(f"{variant.name} training", epoch + 1, result.train_error[-1]))
        on_partial(Point(f"{variant.name} validation", epoch + 1, result.val_error[-1], True))
        progress((epoch + 1) / settings.epochs,
                 f"epoch {epoch + 1}/{settings.epochs}, training error "
                 f"{result.train_error[-1]:.1%}")

    progress(0.0, f"training {settings.epochs} epochs")
    model.fit(_batches(split, settings), validation_data=(split.x_val, split.y_val),
              epochs=settings.epochs, shuffle=False, verbose=0,
              callbacks=[_callback(epoch_done, should_stop)])
    check_stop(should_stop)
    result.val_accuracy = 1.0 - result.val_error[-1] if result.val_error else None
    result.seconds = time.monotonic() - started
    return result


def _batches(split, settings: TrainSettings):
    """The training images, reshuffled every epoch, in full batches only.

    Why full: with TensorFlow 2.21's oneDNN kernels on the CPU, a training step
    on a short last batch through an Add of BatchNorm outputs corrupts the heap
    (a residual net aborts the process), so the short batch is dropped.
    """
    import tensorflow as tf

    batch = min(settings.batch_size, len(split.y_train))
    data = tf.data.Dataset.from_tensor_slices((split.x_train, split.y_train))
    data = data.shuffle(len(split.y_train), seed=settings.seed, reshuffle_each_iteration=True)
    return data.batch(batch, drop_remainder=True)


def _callback(epoch_done, should_stop: ShouldStop):
    """A Keras callback: ``epoch_done(epoch, logs)`` each epoch; stops when told to."""
    import keras

    class Reporter(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if should_stop():
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            if not should_stop():
                epoch_done(epoch, logs or {})

    return Reporter()


def measure_latency(model, shape: tuple, repeats: int = 15) -> float:
    """Milliseconds for one batch of LATENCY_BATCH inputs of ``shape`` (an image's
    or a feature vector's): the fastest of ``repeats`` after a warm-up, since other
    programs on a shared CPU only ever add time."""
    batch = np.zeros((LATENCY_BATCH, *shape), model.inputs[0].dtype)
    model.predict_on_batch(batch)  # the first call traces the graph
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.predict_on_batch(batch)
        times.append(time.perf_counter() - start)
    return float(min(times) * 1000)
