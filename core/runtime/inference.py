"""Predictor: a model behind the fastest runtime measured on this machine.

On the CPU that is LiteRT with XNNPACK (about 30x model.predict at batch 1,
equal to Keras within float rounding); on a GPU it is a ``tf.function`` call.
Converting to LiteRT takes seconds, so the converted file is cached, keyed
by what the model is made of (see :func:`litert_file`).
"""
from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.base import paths
from core.base.jobs import Progress, no_progress
from core.images.decode import CROP_FRACTION


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


def device_description() -> str:
    """'CPU' or the GPU's name, turning on memory growth on each GPU."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        with contextlib.suppress(RuntimeError):  # already initialised
            tf.config.experimental.set_memory_growth(gpu, True)
    if not gpus:
        return "CPU"
    details = tf.config.experimental.get_device_details(gpus[0])
    return f"GPU: {details.get('device_name', gpus[0].name)}"


def litert_cache_path(key: str) -> Path:
    """Where the LiteRT conversion of the model identified by ``key`` is cached."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return paths.cache_dir("litert") / f"{digest}.tflite"


def litert_file(model, key: str, progress: Progress = no_progress) -> Path:
    """Convert ``model`` to LiteRT once; later calls with ``key`` reuse the file."""
    return _ensure_litert(litert_cache_path(key), lambda: model, progress)


def _ensure_litert(target: Path, make_model, progress: Progress) -> Path:
    if not target.exists():
        progress(0.5, "Optimising the model for this CPU (once per model)")
        paths.atomic_write_bytes(target, convert_to_litert(make_model()))
    return target


def keras_runner(model):
    """``model`` compiled for repeated calls (``predict()`` is not meant for
    loops): ``runner(batch) -> numpy outputs``. No XLA: it is 5-10x slower on
    depthwise models here."""
    import tensorflow as tf

    call = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
    return lambda batch: call(batch).numpy()


def litert_runtime_name() -> str:
    return f"LiteRT (XNNPACK, {os.cpu_count()} threads)"


def make_runner(make_model, litert_target: Path | None, progress: Progress = no_progress):
    """The one runtime choice for calling a model many times on this machine.

    On a CPU: LiteRT/XNNPACK from ``litert_target``, converted from
    ``make_model()`` only when the file is not there yet. On a GPU, or when
    the model cannot be cached (``litert_target`` None: random weights would
    pay the conversion on every run): a compiled Keras call. Returns
    ``(runner, runtime, device)``; ``runner(batch) -> numpy outputs``.
    """
    device = device_description()
    if device == "CPU" and litert_target is not None:
        path = _ensure_litert(litert_target, make_model, progress)
        return LiteRT(path), litert_runtime_name(), device
    runtime = "TensorFlow" if device == "CPU" else f"TensorFlow on {device}"
    return keras_runner(make_model()), runtime, device


def convert_to_litert(model) -> bytes:
    """Float32 LiteRT flatbuffer of a Keras model with a dynamic batch size."""
    import tensorflow as tf

    # The converter prints a list of captured tensors on stdout; keep stdout
    # clean for the command line's JSON.
    with contextlib.redirect_stdout(io.StringIO()):
        converter = tf.lite.TFLiteConverter.from_keras_model(model)
        return converter.convert()


class LiteRT:
    """A LiteRT model file called on batches: ``runner(batch) -> float32 outputs``.

    The input is resized to each new batch shape and cast to the model's input
    type; a quantised output is turned back into real values. Not thread-safe.
    """

    def __init__(self, path: Path, threads: int | None = None):
        from ai_edge_litert.interpreter import Interpreter

        self.path = Path(path)
        self.interpreter = Interpreter(model_path=str(path),
                                       num_threads=threads or os.cpu_count())
        self._input = self.interpreter.get_input_details()[0]
        self._shape = None

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        interpreter = self.interpreter
        if batch.shape != self._shape:
            interpreter.resize_tensor_input(self._input["index"], list(batch.shape))
            interpreter.allocate_tensors()
            self._output = interpreter.get_output_details()[0]
            self._shape = batch.shape
        interpreter.set_tensor(self._input["index"],
                               np.ascontiguousarray(batch, self._input["dtype"]))
        interpreter.invoke()
        scores = interpreter.get_tensor(self._output["index"]).astype(np.float32)
        scale, zero = self._output["quantization"]
        return (scores - zero) * scale if scale else scores


class Predictor:
    """Scores batches of RGB uint8 images (N, S, S, 3) -> (N, classes).

    Thread-safe: one call runs at a time. ``runtime`` names what runs it,
    ``device`` where ("CPU" or the GPU's name); ``threshold`` is the model's
    own "unknown" threshold (a trained bundle's; 0 for ImageNet backbones);
    ``crop_fraction`` how much of an image's centre it was made to see
    (core.images.decode.fit_square).
    """

    crop_fraction = CROP_FRACTION

    def __init__(self, model, class_names: list[str], litert_path: Path | None = None,
                 description: str = "", runner: tuple | None = None):
        self.model = model
        self.class_names = list(class_names)
        self.input_size = int(model.input_shape[1])
        self.description = description or model.name
        self.threshold = 0.0
        self._lock = threading.Lock()
        if runner is None:  # a given LiteRT file, else Keras itself
            runner = ((LiteRT(litert_path), litert_runtime_name(), "CPU")
                      if litert_path is not None else (keras_runner(model), "TensorFlow", "CPU"))
        self._run, self.runtime, self.device = runner

    def predict(self, images: np.ndarray) -> np.ndarray:
        images = np.ascontiguousarray(images, dtype=np.uint8)
        if images.ndim == 3:
            images = images[None]
        with self._lock:
            return self._run(images)

    def predict_one(self, image: np.ndarray) -> np.ndarray:
        return self.predict(image[None])[0]

    @property
    def litert_path(self) -> Path | None:
        """The LiteRT model file this predictor runs, or None on another runtime."""
        return self._run.path if isinstance(self._run, LiteRT) else None

    def with_own_runtime(self, litert_path: Path | None = None,
                         threads: int | None = None) -> "Predictor":
        """This predictor on an interpreter of its own, for a job that calls it
        at another batch size (resizing a shared interpreter would stall the
        panels calling it at batch 1), running ``litert_path`` when given (an
        int8 version of the same model) on ``threads`` threads (default: all
        cores; a Ray actor holding one CPU uses one). Other runtimes are
        shared as they are."""
        if self.litert_path is None:
            return self
        twin = copy.copy(self)
        twin._lock = threading.Lock()
        twin._run = LiteRT(litert_path or self.litert_path, threads)
        return twin


def make_predictor(model, class_names, key: str, description: str = "",
                   progress: Progress = no_progress,
                   litert_target: Path | None = None) -> Predictor:
    """The fastest Predictor for ``model`` here (:func:`make_runner`); its LiteRT
    file is ``litert_target`` when given (a bundle's own), else cached by ``key``."""
    runner = make_runner(lambda: model, litert_target or litert_cache_path(key), progress)
    return Predictor(model, class_names, description=description, runner=runner)
