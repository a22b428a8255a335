"""Predictor: one model behind one runner, the only way the app scores images.

Every model the app runs (a backbone, a bundle, a .keras/.h5/.tflite/.onnx
file, a SavedModel, a model in training) is a :class:`Predictor`, built with
everything it is (runner, class names, input rule, threshold, description);
core.runtime.runners chooses the runner. :func:`top_k` and the "unknown"
rule turn its scores into answers.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from core.base.jobs import Progress, no_progress
from core.runtime.input_rule import InputRule
from core.runtime.runners import LiteRT, litert_cache_path, make_runner


@dataclass(frozen=True)
class Prediction:
    label: str
    score: float


def top_k(scores: np.ndarray, class_names: list[str], k: int = 5,
          threshold: float = 0.0) -> list[Prediction]:
    """The ``k`` best classes of one score vector, best first.

    When the best score is below ``threshold`` the answer is a single
    "unknown" prediction carrying that score.
    """
    order = np.argsort(scores)[::-1][:k]
    return unknown_below([Prediction(class_names[i], float(scores[i])) for i in order],
                         threshold)


UNKNOWN = "unknown"


def unknown_below(predictions: list[Prediction], threshold: float) -> list[Prediction]:
    """The "unknown" rule, the one place it lives: when the best score of
    ``predictions`` (best first) is below ``threshold``, the answer is a single
    "unknown" prediction carrying that score; otherwise they are unchanged."""
    if threshold > 0 and predictions and predictions[0].score < threshold:
        return [Prediction(UNKNOWN, predictions[0].score)]
    return predictions


class KerasModel:
    """The Keras model behind a predictor: given, or loaded by ``load()`` on first use
    (a predictor started from its LiteRT file alone needs TensorFlow only for
    Grad-CAM, int8 and export). Shared by a predictor's twins; thread-safe."""

    def __init__(self, model=None, load=None):
        self._model, self._load = model, load
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return self._model is not None or self._load is not None

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def get(self):
        if self._model is None and self._load is not None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model


class Predictor:
    """Scores batches of RGB uint8 images (N, S, S, 3) -> (N, classes).

    Everything it is comes in the constructor: ``runner`` (core.runtime.runners;
    it names the ``runtime`` and the ``device``), ``class_names``, ``rule``
    (core.runtime.input_rule: the input size, the preprocessing, the
    ``crop_fraction`` of an image's centre it sees),
    ``description``, ``threshold`` (the model's own "unknown" threshold: a
    trained bundle's; 0 for ImageNet backbones), ``model`` (the Keras model,
    for Grad-CAM, int8 and export, or a :class:`KerasModel` that loads it on
    first use; None for files only their own runtime runs)
    and ``channels_first`` (an NCHW input, as PyTorch exports have).
    A Keras model the app runs always takes uint8 RGB, its preprocessing inside
    (core.runtime.keras_files.uint8_model puts a file's in front); a model file
    without one gets ``rule.preprocessing`` applied here, in numpy.
    Thread-safe: one call runs at a time.
    """

    def __init__(self, runner, class_names, rule: InputRule, description: str,
                 threshold: float = 0.0, model=None, channels_first: bool = False,
                 runtime: str | None = None):
        self.runner = runner
        self._keras = model if isinstance(model, KerasModel) else KerasModel(model)
        self.class_names = list(class_names)
        self.input_rule = replace(rule, layout="NCHW") if channels_first else rule
        self.input_size, self.crop_fraction = rule.size, rule.crop
        # a description naming the rule names its layout too
        self.description = description.replace(rule.describe(), self.input_rule.describe())
        self.threshold = float(threshold)
        self.channels_first = channels_first
        self.runtime, self.device = runtime or runner.runtime, runner.device
        self._lock = threading.Lock()

    def predict(self, images: np.ndarray) -> np.ndarray:
        images = np.ascontiguousarray(images, dtype=np.uint8)
        if images.ndim == 3:
            images = images[None]
        x = images
        if self.input_rule.preprocessing != "inside" and not self.has_model:
            from core.models.preprocessing import steps

            x = steps(self.input_rule.preprocessing).apply(images)
        if self.channels_first:
            x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
        with self._lock:
            return self.runner(x)

    def predict_one(self, image: np.ndarray) -> np.ndarray:
        return self.predict(image[None])[0]

    @property
    def model(self):
        """The Keras model behind this predictor, loaded now if it was not yet
        (importing TensorFlow: call it from a worker), or None when there is none."""
        return self._keras.get()

    @property
    def has_model(self) -> bool:
        """Whether a Keras model stands behind it (loaded or not): Grad-CAM, int8, export."""
        return self._keras.available

    @property
    def model_loaded(self) -> bool:
        """Whether :attr:`model` answers at once (False: it loads TensorFlow first)."""
        return self._keras.loaded

    @cached_property
    def output_classes(self) -> int:
        """How many scores the model gives (one call on a black image)."""
        size = self.input_size
        return int(self.predict(np.zeros((1, size, size, 3), np.uint8)).shape[-1])

    @property
    def litert_path(self) -> Path | None:
        """The LiteRT file this Keras model runs as, or None (another runtime, or
        a model file with no Keras model behind it: no int8 version of it is made)."""
        return self.runner.path if isinstance(self.runner, LiteRT) and self.has_model else None

    def with_own_runtime(self, litert_path: Path | None = None, threads: int | None = None,
                         description: str | None = None,
                         runtime: str | None = None) -> "Predictor":
        """This predictor on a runner of its own, for a job that calls it at another
        batch size (resizing a shared interpreter would stall the panels calling it
        at batch 1), running ``litert_path`` when given (an int8 version of the same
        model) on ``threads`` threads (default: all cores; a Ray actor holding one
        CPU uses one). Runtimes that take any batch are shared as they are."""
        runner = self.runner.twin(threads, litert_path)
        if runner is self.runner and description is None and runtime is None:
            return self
        return Predictor(runner, self.class_names, self.input_rule,
                         description or self.description, self.threshold, self._keras,
                         self.channels_first, runtime)


def keras_rule(model) -> InputRule:
    """The input rule of the app's own uint8-RGB Keras models: the evaluation crop."""
    from core.images.decode import CROP_FRACTION

    return InputRule(int(model.input_shape[1]), "uint8", "inside", CROP_FRACTION)


def make_predictor(model, class_names, key: str | None, description: str = "",
                   progress: Progress = no_progress, litert_target: Path | None = None,
                   threshold: float = 0.0, rule: InputRule | None = None) -> Predictor:
    """The fastest Predictor for the uint8-RGB Keras ``model`` here
    (core.runtime.runners.make_runner); its LiteRT file is ``litert_target`` when
    given (a bundle's own), else cached by ``key`` (None: not converted, a compiled
    Keras call: for a model still changing, such as one in training)."""
    target = litert_target or (litert_cache_path(key) if key is not None else None)
    runner = make_runner(lambda: model, target, progress)
    return Predictor(runner, class_names, rule or keras_rule(model),
                     description or model.name, threshold, model)
