"""Runners: what calls a model on a batch, and the one place that chooses it.

A runner is ``runner(batch) -> float32 outputs`` with ``runtime`` (what runs
it, in words), ``device`` (where: "CPU" or the GPU's name) and
``twin(threads, path)`` (a runner of its own for a job at another batch size).
On the CPU the fastest is LiteRT with XNNPACK (about 30x ``model.predict`` at
batch 1, equal to Keras within float rounding); on a GPU, a ``tf.function``
call. Converting to LiteRT takes seconds, so converted files are cached by
key (:func:`litert_cache_path`). :func:`make_runner` is the only runtime
choice for a Keras model; model files made elsewhere run in the runtime their
format names (:class:`OnnxSession`, :class:`SavedModelCall`, :class:`LiteRT`).
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import os
from pathlib import Path
from typing import Protocol

import numpy as np

from core.base import paths
from core.base.jobs import Progress, no_progress


class Runner(Protocol):
    runtime: str
    device: str

    def __call__(self, batch: np.ndarray) -> np.ndarray: ...

    def twin(self, threads: int | None = None, path: Path | None = None) -> "Runner": ...


def gpu_visible() -> bool:
    """Whether an NVIDIA GPU is visible to this process, asked without TensorFlow
    (the driver's device list; CUDA_VISIBLE_DEVICES="" or "-1" hides them)."""
    if os.environ.get("CUDA_VISIBLE_DEVICES", None) in ("", "-1"):
        return False
    gpus = Path("/proc/driver/nvidia/gpus")
    return gpus.is_dir() and any(gpus.iterdir())


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


def convert_to_litert(model) -> bytes:
    """Float32 LiteRT flatbuffer of a Keras model with a dynamic batch size."""
    import tensorflow as tf

    # The converter prints a list of captured tensors on stdout; keep stdout
    # clean for the command line's JSON.
    with contextlib.redirect_stdout(io.StringIO()):
        converter = tf.lite.TFLiteConverter.from_keras_model(model)
        return converter.convert()


def make_runner(make_model, litert_target: Path | None, progress: Progress = no_progress):
    """The one runtime choice for calling a Keras model many times on this machine.

    On a CPU: LiteRT/XNNPACK from ``litert_target``, converted from
    ``make_model()`` only when the file is not there yet. On a GPU, or when
    the model is not to be converted (``litert_target`` None: an unsaved or
    random model would pay the conversion on every run): a compiled Keras call.
    """
    device = device_description()
    if device == "CPU" and litert_target is not None:
        return LiteRT(_ensure_litert(litert_target, make_model, progress))
    return KerasCall(make_model(), device)


class LiteRT:
    """A LiteRT model file called on batches.

    The input is resized to each new batch shape and cast to the model's input
    type; a quantised output is turned back into real values. Not thread-safe:
    :class:`core.runtime.inference.Predictor` holds a lock around it.
    """

    device = "CPU"

    def __init__(self, path: Path, threads: int | None = None):
        from ai_edge_litert.interpreter import Interpreter

        self.path = Path(path)
        threads = threads or os.cpu_count()
        self.runtime = f"LiteRT (XNNPACK, {threads} threads)"
        self.interpreter = Interpreter(model_path=str(path), num_threads=threads)
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

    def twin(self, threads: int | None = None, path: Path | None = None) -> "LiteRT":
        """An interpreter of its own (of ``path``, an int8 version, when given)."""
        return LiteRT(path or self.path, threads)

    @property
    def input_details(self) -> dict:
        return self._input


class KerasCall:
    """A Keras model compiled for repeated calls (``predict()`` is not meant for
    loops). No XLA: it is 5-10x slower on depthwise models here. Shared by twins."""

    def __init__(self, model, device: str = "CPU"):
        import tensorflow as tf

        self.model, self.device = model, device
        self.runtime = "TensorFlow" if device == "CPU" else f"TensorFlow on {device}"
        self._call = tf.function(lambda x: model(x, training=False), reduce_retracing=True)

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return self._call(batch).numpy()

    def twin(self, threads=None, path=None) -> "KerasCall":
        return self


class OnnxSession:
    """An ``.onnx`` file on ONNX Runtime's CPU provider (the first output)."""

    device = "CPU"
    runtime = "ONNX Runtime (CPU)"

    def __init__(self, path: Path):
        import onnxruntime

        self.session = onnxruntime.InferenceSession(str(path),
                                                    providers=["CPUExecutionProvider"])
        self.input = self.session.get_inputs()[0]

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return np.asarray(self.session.run(None, {self.input.name: batch})[0], np.float32)

    def twin(self, threads=None, path=None) -> "OnnxSession":
        return self  # ONNX Runtime sessions are thread-safe and take any batch size


class SavedModelCall:
    """A SavedModel's serving signature, called through TensorFlow."""

    runtime = "TensorFlow (SavedModel)"

    def __init__(self, loaded, function, input_name: str, dtype):
        self.loaded = loaded  # owns the variables the function uses
        self.function, self.input_name, self.dtype = function, input_name, dtype
        self.device = device_description()

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        import tensorflow as tf

        out = self.function(**{self.input_name: tf.constant(batch, self.dtype)})
        out = next(iter(out.values())) if isinstance(out, dict) else out
        return np.asarray(out.numpy(), np.float32)

    def twin(self, threads=None, path=None) -> "SavedModelCall":
        return self
