"""Runners: what calls a model on a batch, and the one place that chooses it.

A runner is ``runner(batch) -> float32 outputs`` with ``runtime`` (what runs
it, in words), ``device`` (where: "CPU" or the GPU's name) and
``twin(threads, path)`` (a runner of its own for a job at another batch size).
On the CPU the fastest is LiteRT with XNNPACK (about 30x ``model.predict`` at
batch 1, equal to Keras within float rounding); on a GPU, a ``tf.function``
call. Converting to LiteRT takes seconds, so converted files are cached by
key (:func:`litert_cache_path`). :func:`make_runner` is the only runtime
choice for a Keras model; model files made elsewhere run in the runtime their
format names (:class:`OnnxSession`, :class:`SavedModelCall`, :class:`LiteRT`), each
behind a :class:`Classification` that picks its scores.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
from pathlib import Path
from typing import Protocol

import numpy as np

from core.base import paths
from core.base.jobs import Progress, no_progress
from core.runtime.errors import ModelFileError

log = logging.getLogger(__name__)


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

    The input is resized to each new batch shape; a float batch going into a
    quantised (int8 or uint8) input is quantised with that tensor's scale and
    zero point, and quantised outputs are turned back into real values
    (per-tensor only: :func:`quantization` refuses per-channel tensors).
    ``__call__`` gives the first output, :meth:`outputs` all of them. Not
    thread-safe: :class:`core.runtime.inference.Predictor` holds a lock around it.
    """

    device = "CPU"

    def __init__(self, path: Path, threads: int | None = None):
        from ai_edge_litert.interpreter import Interpreter

        self.path = Path(path)
        threads = threads or os.cpu_count()
        self.runtime = f"LiteRT (XNNPACK, {threads} threads)"
        self.interpreter = Interpreter(model_path=str(path), num_threads=threads)
        self.inputs = self.interpreter.get_input_details()
        self._input = self.inputs[0]
        details = self.interpreter.get_output_details()
        self.output_names = [d["name"] for d in details]
        self.output_shapes = [list(d["shape_signature"]) for d in details]
        # the step between two values of a quantised output (0: float)
        self.output_steps = [quantization(d)[0] for d in details]
        self._shape = None

    def outputs(self, batch: np.ndarray) -> list[np.ndarray]:
        """Every output of the model on ``batch``, as float32 real values."""
        interpreter = self.interpreter
        if batch.shape != self._shape:
            interpreter.resize_tensor_input(self._input["index"], list(batch.shape))
            interpreter.allocate_tensors()
            self._outputs = interpreter.get_output_details()
            self._shape = batch.shape
        interpreter.set_tensor(self._input["index"], _to_input(batch, self._input))
        interpreter.invoke()
        return [_from_output(interpreter.get_tensor(d["index"]), d) for d in self._outputs]

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return self.outputs(batch)[0]

    def twin(self, threads: int | None = None, path: Path | None = None) -> "LiteRT":
        """An interpreter of its own (of ``path``, an int8 version, when given)."""
        return LiteRT(path or self.path, threads)

    @property
    def input_details(self) -> dict:
        return self._input


def quantization(detail: dict) -> tuple[float, int]:
    """``(scale, zero point)`` of a LiteRT tensor (scale 0: not quantised).
    Raises ModelFileError for a per-channel quantised tensor (one scale per channel)."""
    scales = detail.get("quantization_parameters", {}).get("scales")
    if scales is not None and len(scales) > 1:
        raise ModelFileError(f"its tensor {detail['name']!r} is quantised per channel; the "
                             "app reads tensors quantised per tensor (one scale and zero "
                             "point)")
    scale, zero = detail["quantization"]
    return float(scale), int(zero)


def _to_input(batch: np.ndarray, detail: dict) -> np.ndarray:
    dtype = np.dtype(detail["dtype"])
    scale, zero = quantization(detail)
    if np.issubdtype(dtype, np.integer) and scale and np.issubdtype(batch.dtype, np.floating):
        limits = np.iinfo(dtype)
        batch = np.clip(np.round(batch / scale + zero), limits.min, limits.max)
    return np.ascontiguousarray(batch, dtype)


def _from_output(values: np.ndarray, detail: dict) -> np.ndarray:
    scale, zero = quantization(detail)
    values = values.astype(np.float32)
    return (values - zero) * np.float32(scale) if scale else values


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
    """An ``.onnx`` file on ONNX Runtime's CPU provider; ``__call__`` gives the
    first output, :meth:`outputs` all of them."""

    device = "CPU"
    runtime = "ONNX Runtime (CPU)"

    def __init__(self, path: Path):
        import onnxruntime

        self.session = onnxruntime.InferenceSession(str(path),
                                                    providers=["CPUExecutionProvider"])
        self.inputs = self.session.get_inputs()
        self.input = self.inputs[0]
        self.output_names = [o.name for o in self.session.get_outputs()]
        self.output_shapes = [list(o.shape) for o in self.session.get_outputs()]
        self.output_steps = [0.0] * len(self.output_names)

    def outputs(self, batch: np.ndarray) -> list[np.ndarray]:
        return [np.asarray(out, np.float32)
                for out in self.session.run(None, {self.input.name: batch})]

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return self.outputs(batch)[0]

    def twin(self, threads=None, path=None) -> "OnnxSession":
        return self  # ONNX Runtime sessions are thread-safe


class SavedModelCall:
    """A SavedModel's serving signature, called through TensorFlow; its outputs
    in the order of their names (a signature's dict has no order of its own)."""

    runtime = "TensorFlow (SavedModel)"

    def __init__(self, loaded, function, input_name: str, dtype):
        self.loaded = loaded  # owns the variables the function uses
        self.function, self.input_name, self.dtype = function, input_name, dtype
        self.device = device_description()
        specs = function.structured_outputs
        specs = specs if isinstance(specs, dict) else {"output_0": specs}
        self.output_names = sorted(specs)
        self.output_shapes = [list(specs[name].shape) for name in self.output_names]
        self.output_steps = [0.0] * len(self.output_names)

    def outputs(self, batch: np.ndarray) -> list[np.ndarray]:
        import tensorflow as tf

        out = self.function(**{self.input_name: tf.constant(batch, self.dtype)})
        out = out if isinstance(out, dict) else {"output_0": out}
        return [np.asarray(out[name].numpy(), np.float32) for name in self.output_names]

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return self.outputs(batch)[0]

    def twin(self, threads=None, path=None) -> "SavedModelCall":
        return self


class Classification:
    """A model file's runner reduced to one score row per image, decided when the
    file is opened (core.runtime.tflite_onnx): its ``output`` (index into
    ``runner.outputs``), ``softmax`` (the output is logits: turned into
    probabilities) and ``batch_size`` (a model that only takes batches of that
    size gets the caller's batch in pieces of it, the last one padded; None: any)."""

    def __init__(self, runner, output: int = 0, softmax: bool = False,
                 batch_size: int | None = None):
        self.runner, self.output, self.softmax = runner, output, softmax
        self.batch_size = batch_size
        self.runtime, self.device = runner.runtime, runner.device
        self._told = False

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        step = self.batch_size or len(batch)
        if len(batch) != step and not self._told:
            log.info("%s takes batches of %d images only: running the %d images in pieces",
                     self.runtime, step, len(batch))
            self._told = True
        rows = [self._piece(batch[start:start + step], step)
                for start in range(0, len(batch), step)] if len(batch) else \
            [self.runner.outputs(batch)[self.output]]
        scores = np.concatenate(rows)
        return softmax(scores) if self.softmax else scores

    def _piece(self, piece: np.ndarray, size: int) -> np.ndarray:
        count = len(piece)
        if count < size:  # a fixed batch: pad with the last image, drop its scores
            piece = np.concatenate([piece, np.repeat(piece[-1:], size - count, axis=0)])
        return self.runner.outputs(piece)[self.output][:count]

    def twin(self, threads=None, path=None) -> "Classification":
        runner = self.runner.twin(threads, path)
        return self if runner is self.runner else Classification(
            runner, self.output, self.softmax, self.batch_size)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Probabilities from logits, along the last axis (float32)."""
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return (shifted / shifted.sum(axis=-1, keepdims=True)).astype(np.float32)
