"""Models that only their own runtime runs: ``.tflite`` (LiteRT), ``.onnx`` (ONNX
Runtime) and SavedModel folders (TensorFlow), behind the Predictor interface.

Their predictors have ``model = None``: no Grad-CAM, no int8 version, no
export (they are exports already). A float input gets its preprocessing from
core.models.preprocessing's numpy map before the call; a channels-first ONNX input
(a PyTorch export) is transposed.
"""
from __future__ import annotations

import copy
import threading
from pathlib import Path

import numpy as np

from core.runtime.errors import ModelFileError
from core.runtime.input_rule import InputRule, input_rule


class RuntimePredictor:
    """A Predictor for a model that only its own runtime runs (LiteRT, ONNX Runtime,
    a SavedModel): the same interface as core.runtime.inference.Predictor, ``model = None``."""

    litert_path = None  # no Keras model here: no int8 version is made of it

    def __init__(self, runner, rule: InputRule, labels, description: str, runtime: str,
                 channels_first: bool = False, own_runner=None):
        self.model = None
        self._own_runner = own_runner  # threads -> a fresh runner, where sharing would stall
        self.class_names = list(labels)
        self.input_size = rule.size
        self.input_rule = rule
        self.description = description
        self.runtime = runtime
        self.device = "CPU"
        self.threshold = 0.0
        self.crop_fraction = rule.crop
        self._runner, self._channels_first = runner, channels_first
        self._lock = threading.Lock()
        self.output_classes = int(self.predict(np.zeros((1, rule.size, rule.size, 3),
                                                        np.uint8)).shape[-1])

    def predict(self, images: np.ndarray) -> np.ndarray:
        images = np.ascontiguousarray(images, dtype=np.uint8)
        if images.ndim == 3:
            images = images[None]
        x = images
        if self.input_rule.preprocessing != "inside":
            from core.models.preprocessing import steps

            x = steps(self.input_rule.preprocessing).apply(images)
        if self._channels_first:
            x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
        with self._lock:
            return np.asarray(self._runner(x), dtype=np.float32)

    def predict_one(self, image: np.ndarray) -> np.ndarray:
        return self.predict(image[None])[0]

    def with_own_runtime(self, litert_path=None, threads: int | None = None):
        """This predictor on a runner of its own (a LiteRT interpreter resizes per batch
        shape, so a folder job must not share the panels' one); ``litert_path`` is
        ignored: these models have no int8 version here."""
        if self._own_runner is None:
            return self
        twin = copy.copy(self)
        twin._lock = threading.Lock()
        twin._runner = self._own_runner(threads)
        return twin


def load_tflite(path: Path, labels, meta, progress):
    from core.runtime.inference import LiteRT

    runner = LiteRT(path)
    detail = runner.interpreter.get_input_details()[0]
    dtype = np.dtype(detail["dtype"]).name
    # A quantised uint8 input takes raw pixels; int8 and float inputs need preprocessing.
    rule = input_rule(list(detail["shape_signature"]), dtype, meta)
    return RuntimePredictor(runner, rule, labels, f"{path.name} ({rule.describe()})",
                            "LiteRT (TFLite file)",
                            own_runner=lambda threads: LiteRT(path, threads))


def load_onnx(path: Path, labels, meta, progress):
    try:
        import onnxruntime
    except ImportError:
        raise ModelFileError("Opening .onnx files needs the onnxruntime package: "
                             "pip install onnxruntime.") from None
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    spec = session.get_inputs()[0]
    shape = list(spec.shape)
    channels_first = len(shape) == 4 and shape[1] == 3 and shape[3] != 3
    nhwc = [shape[0], shape[2], shape[3], shape[1]] if channels_first else shape
    dtype = "uint8" if spec.type == "tensor(uint8)" else "float32"
    rule = input_rule(nhwc, dtype, meta)
    name = spec.name
    return RuntimePredictor(lambda x: session.run(None, {name: x})[0], rule, labels,
                            f"{path.name} ({rule.describe()})", "ONNX Runtime (CPU)",
                            channels_first)


def load_savedmodel(path: Path, labels, meta, progress):
    import tensorflow as tf

    loaded = tf.saved_model.load(str(path))
    signatures = dict(loaded.signatures)
    function = signatures.get("serving_default") or next(iter(signatures.values()), None)
    if function is None:
        raise ModelFileError(f"{path.name} has no serving signature to call.")
    name, spec = next(iter(function.structured_input_signature[1].items()))
    rule = input_rule(list(spec.shape), spec.dtype.name, meta)

    def run(x):
        out = function(**{name: tf.constant(x, spec.dtype)})
        return next(iter(out.values())).numpy() if isinstance(out, dict) else out.numpy()

    run.keep_alive = loaded  # the loaded object owns the variables
    return RuntimePredictor(run, rule, labels, f"{path.name} ({rule.describe()})",
                            "TensorFlow (SavedModel)")
