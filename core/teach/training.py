"""Frozen-base fine-tuning: a small head on a pretrained backbone.

:func:`train` is one long job (``progress``/``should_stop``, plus
``on_epoch`` for live curves). What it does depends on the settings:

- no augmentation (the default): each image's embedding is computed once
  through the frozen backbone and cached on disk (:mod:`core.teach.embeddings`);
  the head (Dropout + Dense softmax) trains on those, in seconds;
- augmentation: images are flipped, rotated, zoomed and their contrast and
  brightness changed on the fly, so every epoch runs the frozen base;
- ``fine_tune_layers`` N > 0: a second stage unfreezes the base's top N
  layers (BatchNormalization stays frozen, and the base is called with
  ``training=False`` so its statistics never move: the Keras transfer-learning
  recipe) and trains at a tenth of the learning rate;
- backbones without pretrained weights (LeNet-5, AlexNet) train every layer
  from scratch on the images.

The result's model is always the full model, raw RGB uint8 in:
``image -> preprocess -> backbone -> head``. The weights kept are those of
the epoch with the best validation accuracy, the earliest of equally good
ones (:func:`epoch_score`), also when training stops early or is cancelled.
Several GPUs train under ``tf.distribute.MirroredStrategy``.

The "unknown" threshold (:func:`choose_threshold`) is chosen on validation.
TensorFlow and Keras are imported inside functions only.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Callable, Sequence

import numpy as np

from core.base.jobs import (
    Cancelled,
    Progress,
    ShouldStop,
    check_stop,
    never_stop,
    no_progress,
    sub_progress,
)
from core.models import backbones
from core.teach import dataset
from core.teach.dataset import LabelledImage
from core.teach.evaluation import Evaluation, evaluate_scores
from core.teach.train_config import Augmentation, TrainConfig, defaults_for  # noqa: F401 (re-exported)
from core.teach.training_data import (
    DataSource,
    TrainingError,
    embedding_sets,
    image_sets,
    validation_scores,
)

PREPARE_SHARE = 0.3  # of the progress bar, for embeddings or loading images
MAX_REJECTED_CORRECT = 0.10  # the threshold may call at most this share of right answers unknown


@dataclass
class TrainResult:
    """What :func:`train` made: ``model`` is the full model (uint8 images in).

    ``history`` maps "loss", "accuracy", "val_loss", "val_accuracy" and
    "stage" to one value per epoch; ``best_epoch`` (1-based) is the epoch
    whose weights were kept; ``validation`` scores the kept model on the
    validation samples (None without any); ``skipped`` lists unreadable
    images as (path, reason); ``replicas`` is how many devices trained it.
    """

    model: object
    class_names: list[str]
    config: TrainConfig
    history: dict[str, list]
    best_epoch: int
    threshold: float
    validation: Evaluation | None
    train_items: list[LabelledImage]
    val_items: list[LabelledImage]
    skipped: list[tuple[str, str]]
    cancelled: bool
    seconds: float
    replicas: int = 1

    @property
    def val_accuracy(self) -> float | None:
        return self.validation.accuracy if self.validation else None

    def bundle_meta(self) -> dict:
        """The metadata :func:`core.runtime.bundle.save` wants for this model."""
        metrics = {"val_accuracy": self.val_accuracy,
                   "train_samples": len(self.train_items),
                   "val_samples": len(self.val_items),
                   "epochs_run": len(self.history["loss"]), "best_epoch": self.best_epoch,
                   "cancelled": self.cancelled}
        if self.validation:
            metrics["val_classes"] = [asdict(c) for c in self.validation.classes]
        return {"class_names": self.class_names, "input_size": self.config.size,
                "backbone": backbones.get(self.config.backbone).name,
                "threshold": self.threshold, "metrics": metrics,
                "training": self.config.to_dict()}


OnEpoch = Callable[[int, dict], None]


def train(samples: Sequence, class_names: Sequence[str], config: TrainConfig | None = None,
          progress: Progress = no_progress, should_stop: ShouldStop = never_stop,
          on_epoch: OnEpoch | None = None) -> TrainResult:
    """Train a classifier of ``class_names`` on ``samples`` ((path, class) pairs).

    ``on_epoch(epoch, logs)`` is called after every epoch (``epoch`` counts
    from 1 across both stages; ``logs`` holds loss, accuracy, val_loss,
    val_accuracy, stage, seconds and eta_seconds). Cancelling during
    training returns the best model so far with ``cancelled`` True; before
    the first epoch it raises :class:`Cancelled`. Raises
    :class:`TrainingError` for unusable inputs and ``WeightsMissing`` when
    the backbone's weights are not here. Seeds Python, NumPy and TensorFlow.
    """
    config = config or TrainConfig()
    items = _check_inputs(samples, class_names)
    import keras

    keras.utils.set_random_seed(config.seed)
    train_items, val_items = dataset.split(items, config.val_split, config.seed)
    run = _Run(config, list(class_names), progress, should_stop, on_epoch)
    return run.start(train_items, val_items)


def data_problem(samples, class_names) -> str | None:
    """Why these samples cannot be trained on yet (a sentence), or None.

    The one rule for "ready to train": the wizard's Data page asks it before
    it lets the user go on, and :func:`train` refuses with the same words.
    """
    try:
        _check_inputs(samples, class_names)
    except TrainingError as exc:
        return str(exc)
    return None


def _check_inputs(samples, class_names) -> list[LabelledImage]:
    if len(set(class_names)) != len(class_names):
        raise TrainingError("Two classes have the same name; rename one.")
    items = [LabelledImage(*sample) for sample in samples]
    unknown = sorted({c for _, c in items} - set(class_names))
    if unknown:
        raise TrainingError(f"Some samples are labelled with unknown classes: {unknown}.")
    empty = [name for name in class_names if not any(c == name for _, c in items)]
    if empty:
        raise TrainingError(f"These classes have no images: {', '.join(empty)}. Add images "
                            "or delete the classes.")
    if len(class_names) < 2:
        raise TrainingError("A classifier needs at least two classes.")
    return items


def choose_threshold(top_scores: np.ndarray, correct: np.ndarray) -> float:
    """The "unknown" threshold from validation predictions.

    ``top_scores`` are the best class score of each validation sample and
    ``correct`` whether that class was right. The threshold t maximises
    (share of wrong answers scoring below t) - (share of right answers
    scoring below t), among cuts that call at most 10% of the right answers
    unknown. It is 0 (never unknown) when validation has no wrong or no
    right answers, or when no cut separates them.
    """
    top_scores, correct = np.asarray(top_scores, float), np.asarray(correct, bool)
    wrong = top_scores[~correct]
    right = top_scores[correct]
    if len(wrong) == 0 or len(right) == 0:
        return 0.0
    best, best_gain = 0.0, 0.0
    for t in np.unique(top_scores):
        rejected_right = float((right < t).mean())
        gain = float((wrong < t).mean()) - rejected_right
        if rejected_right <= MAX_REJECTED_CORRECT and gain > best_gain:
            best, best_gain = float(t), gain
    return best


class _Run:
    """One call of :func:`train`: its settings, model pieces and history."""

    def __init__(self, config, class_names, progress, should_stop, on_epoch):
        self.config, self.class_names = config, class_names
        self.spec = backbones.get(config.backbone)
        self.progress, self.should_stop, self.on_epoch = progress, should_stop, on_epoch
        self.history = {k: [] for k in ("loss", "accuracy", "val_loss", "val_accuracy", "stage")}
        self.cancelled = False
        self.best_epoch = 0
        self.best_score = self.best_loss = None  # over both stages (see epoch_score)
        self.skipped: list[tuple[str, str]] = []
        self.epoch_seconds: list[tuple[int, float]] = []
        self.started = time.monotonic()
        self.fine_tune = config.fine_tune_layers > 0 and not config.from_scratch
        self.planned_epochs = config.planned_epochs
        self._base = None
        self.data = DataSource(config, class_names, self.extractor, should_stop, self.skipped)

    def start(self, train_items, val_items) -> TrainResult:
        self.strategy = _strategy(self.config.devices)
        prepare = sub_progress(self.progress, 0.0, PREPARE_SHARE)
        if self.config.from_scratch or self.config.augment:
            sets = image_sets(self.data, train_items, val_items, prepare)
            model = self._fit_images(sets)
            if self.fine_tune and not self.cancelled:
                model = self._fine_tune(model, sets, built_in_scope=True)
            return self._finish(self._plain(model), sets)
        sets = embedding_sets(self.data, train_items, val_items, prepare)
        model = self._assemble(self._fit_head(sets))
        if self.fine_tune and not self.cancelled:
            try:  # the second stage needs the images themselves
                images = image_sets(self.data, sets.train_items, sets.val_items,
                                    lambda f, m: self.epoch_progress(0.0, m))
            except Cancelled:
                self.cancelled = True
            else:
                sets = images
                model = self._fine_tune(model, sets, built_in_scope=False)
        return self._finish(self._plain(model), sets)

    # ------------------------------------------------------------ the models

    def base(self):
        """The backbone the embeddings come from (built once, outside any strategy)."""
        if self._base is None:
            self._base = self._build_base(self.config.weights_choice)
            self._base.trainable = self.config.from_scratch
        return self._base

    def _build_base(self, weights_choice):
        from core.models.build import build_base

        return build_base(self.spec, include_top=False, weights_choice=weights_choice,
                          input_size=self.config.size, pooling="avg")

    def extractor(self):
        """uint8 images -> embeddings, through :meth:`base`."""
        import keras

        inputs, features = self._front(self.base())
        return keras.Model(inputs, features, name=f"{self.spec.key}_features")

    def _front(self, base):
        from core.models.build import image_front

        return image_front(self.spec, base, self.config.size, frozen=not self.config.from_scratch)

    def _head(self):
        import keras

        return keras.Sequential([
            keras.Input(shape=(self.spec.features,)),
            keras.layers.Dropout(self.config.dropout, name="dropout"),
            keras.layers.Dense(len(self.class_names), activation="softmax", name="predictions"),
        ], name="head")

    def _full_model(self, base, head):
        import keras

        inputs, x = self._front(base)
        return keras.Model(inputs, head(x), name=f"{self.spec.key}_classifier")

    def _assemble(self, trained_head):
        """The full model on :meth:`base`, with a plain copy of the trained head."""
        head = self._head()
        head.set_weights(trained_head.get_weights())
        return self._full_model(self.base(), head)

    def _rebuilt(self, model):
        """The same model built afresh in the current scope, with its weights."""
        copy = self._full_model(self._build_base(None), self._head())
        copy.set_weights(model.get_weights())
        return copy

    def _plain(self, model):
        """``model`` with ordinary variables (rebuilt when trained on several devices)."""
        if self.strategy.num_replicas_in_sync == 1:
            return model
        return self._rebuilt(model)

    # ------------------------------------------------------------ the stages

    def _fit_head(self, sets):
        import keras

        # Seeded again here: whether the embeddings were cached or computed
        # (building the backbone draws random numbers) must not change the head.
        keras.utils.set_random_seed(self.config.seed)
        with self.strategy.scope():
            head = self._head()
            _compile(head, self.config.learning_rate)
        self._fit(head, sets, stage=1, epochs=self.config.epochs)
        return head

    def _fit_images(self, sets):
        with self.strategy.scope():
            base = self._build_base(self.config.weights_choice)
            base.trainable = self.config.from_scratch
            model = self._full_model(base, self._head())
            _compile(model, self.config.learning_rate)
        self._fit(model, sets, stage=1, epochs=self.config.epochs)
        return model

    def _fine_tune(self, model, sets, built_in_scope: bool):
        with self.strategy.scope():
            if self.strategy.num_replicas_in_sync > 1 and not built_in_scope:
                model = self._rebuilt(model)  # its variables must live in the scope
            _unfreeze_top(model, self.config.fine_tune_layers)
            _compile(model, self.config.learning_rate / 10)
        self._fit(model, sets, stage=2, epochs=self.config.fine_tune_epochs)
        return model

    def _fit(self, model, sets, stage: int, epochs: int):
        if not self.history["loss"]:
            check_stop(self.should_stop)  # nothing trained yet: nothing to keep
        monitor = _monitor(self, stage, sets.steps(self.config.batch_size))
        weights = sets.class_weight(len(self.class_names)) if self.config.class_weights else None
        model.fit(**sets.fit_arguments(self.config), epochs=epochs, callbacks=[monitor],
                  class_weight=weights, verbose=0)
        if not self.history["loss"]:
            raise Cancelled()

    # -------------------------------------------------------------- results

    def record_epoch(self, stage: int, logs: dict, seconds: float) -> dict:
        """Append one epoch to the history and tell ``on_epoch``; returns its logs."""
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            value = logs.get(key)
            self.history[key].append(None if value is None else float(value))
        self.history["stage"].append(stage)
        self.epoch_seconds.append((stage, seconds))
        epoch = len(self.history["loss"])
        # The ETA assumes the rest runs at this stage's pace so far.
        this_stage = [t for s, t in self.epoch_seconds if s == stage]
        per_epoch = sum(this_stage) / len(this_stage)
        out = {k: values[-1] for k, values in self.history.items()}
        out.update(seconds=seconds, eta_seconds=max(0, self.planned_epochs - epoch) * per_epoch)
        if self.on_epoch is not None:
            self.on_epoch(epoch, out)
        return out

    def epoch_progress(self, fraction_of_epoch: float, message: str) -> None:
        done = (len(self.history["loss"]) + fraction_of_epoch) / max(1, self.planned_epochs)
        self.progress(PREPARE_SHARE + (1 - PREPARE_SHARE) * min(1.0, done), message)

    def _finish(self, model, sets) -> TrainResult:
        validation, threshold = None, 0.0
        if sets.val_y.size:
            scores = validation_scores(model, sets, self.config.batch_size)
            validation = evaluate_scores(scores, sets.val_y, self.class_names,
                                         [p for p, _ in sets.val_items])
            threshold = choose_threshold(scores.max(axis=1), scores.argmax(axis=1) == sets.val_y)
        self.progress(1.0, "Cancelled: kept the best model so far" if self.cancelled
                      else "Training finished")
        return TrainResult(model, self.class_names, self.config, self.history,
                           self.best_epoch, threshold, validation, sets.train_items,
                           sets.val_items, self.skipped, self.cancelled,
                           time.monotonic() - self.started,
                           self.strategy.num_replicas_in_sync)


# ------------------------------------------------------------- keras pieces

def _strategy(devices):
    """MirroredStrategy over ``devices``, or over every GPU when there are several."""
    import tensorflow as tf

    if devices:
        return tf.distribute.MirroredStrategy(devices=list(devices))
    if len(tf.config.list_logical_devices("GPU")) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def _compile(model, learning_rate: float) -> None:
    import keras

    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])


def _unfreeze_top(model, count: int) -> None:
    """Make the backbone's top ``count`` layers trainable, BatchNorm excepted."""
    import keras

    from core.models.build import BACKBONE_LAYER

    base = model.get_layer(BACKBONE_LAYER)
    base.trainable = True
    first = len(base.layers) - count
    for index, layer in enumerate(base.layers):
        is_norm = isinstance(layer, keras.layers.BatchNormalization)
        layer.trainable = index >= first and not is_norm


def _monitor(run: _Run, stage: int, steps: int):
    """A Keras callback: progress, cancel, early stopping, best weights kept."""
    import keras

    class Monitor(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            # A second stage starts from the first stage's kept weights and beats them or not.
            self.best_weights = self.model.get_weights() if run.best_score is not None else None
            self.waited = 0

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch_started = time.monotonic()

        def on_train_batch_end(self, batch, logs=None):
            if run.should_stop():
                run.cancelled = True
                self.model.stop_training = True
            epoch = len(run.history["loss"]) + 1
            run.epoch_progress((batch + 1) / steps,
                               f"Epoch {epoch} of {run.planned_epochs} (stage {stage})")

        def on_epoch_end(self, epoch, logs=None):
            logs = run.record_epoch(stage, logs or {},
                                    time.monotonic() - self.epoch_started)
            score, loss = epoch_score(logs)
            better = run.best_score is None or score > run.best_score  # ties: the earlier
            lower = run.best_loss is None or loss < run.best_loss
            if better:
                run.best_score, self.best_weights = score, self.model.get_weights()
                run.best_epoch = len(run.history["loss"])
            if lower:
                run.best_loss = loss
            # Patience counts epochs that neither score better nor lower the loss.
            self.waited = 0 if better or lower else self.waited + 1
            if run.config.patience and self.waited >= run.config.patience:
                self.model.stop_training = True
            if run.should_stop():
                run.cancelled = True
                self.model.stop_training = True
            run.epoch_progress(0.0, _epoch_message(len(run.history["loss"]), logs))

        def on_train_end(self, logs=None):
            if self.best_weights is not None:
                self.model.set_weights(self.best_weights)

    return Monitor()


def epoch_score(logs: dict) -> tuple[float, float]:
    """``(score, loss)`` of one epoch: the kept epoch is the one with the best score.

    The score is the validation accuracy (the training accuracy when no
    images were kept aside); among epochs with the same score the earliest
    is kept. ``loss`` (validation, else training) only decides when training
    has stopped making progress.
    """
    if logs.get("val_accuracy") is not None:
        return float(logs["val_accuracy"]), float(logs["val_loss"])
    return float(logs["accuracy"]), float(logs["loss"])


KEPT_EPOCH_RULE = ("The model kept is the epoch with the best validation accuracy "
                   "(the earliest of equally good ones).")


def _epoch_message(epoch: int, logs: dict) -> str:
    text = f"Epoch {epoch}: accuracy {logs['accuracy']:.2f}"
    if logs.get("val_accuracy") is not None:
        text += f", validation {logs['val_accuracy']:.2f}"
    return text


# From scratch every layer learns from random weights: a small set gives only a few
# steps per epoch, so 10 epochs leave LeNet-5 at chance where 60 reach ~90% (issue 13).
# Augmentation stays off: on a few dozen images it slows learning more than it helps.
