"""Models that only their own runtime runs: ``.tflite`` (LiteRT), ``.onnx`` (ONNX
Runtime) and SavedModel folders (TensorFlow), as Predictors.

Their predictors have ``model = None``: no Grad-CAM, no int8 version, no
export (they are exports already). A float input gets its preprocessing from
core.models.preprocessing's numpy map before the call; a channels-first ONNX input
(a PyTorch export) is transposed.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from core.runtime.errors import ModelFileError
from core.runtime.inference import Predictor
from core.runtime.input_rule import input_rule
from core.runtime.runners import LiteRT, OnnxSession, SavedModelCall


def _predictor(runner, rule, labels, meta, path: Path,
               channels_first: bool = False) -> Predictor:
    return Predictor(runner, labels, rule, f"{path.name} ({rule.describe()})",
                     float(meta.get("threshold") or 0.0), channels_first=channels_first)


def load_tflite(path: Path, labels, meta, progress) -> Predictor:
    runner = LiteRT(path)
    detail = runner.input_details
    dtype = np.dtype(detail["dtype"]).name
    # A quantised uint8 input takes raw pixels; int8 and float inputs need preprocessing.
    rule = input_rule(list(detail["shape_signature"]), dtype, meta)
    return _predictor(runner, rule, labels, meta, path)


def load_onnx(path: Path, labels, meta, progress) -> Predictor:
    try:
        runner = OnnxSession(path)
    except ImportError:
        raise ModelFileError("Opening .onnx files needs the onnxruntime package: "
                             "pip install onnxruntime.") from None
    shape = list(runner.input.shape)
    channels_first = len(shape) == 4 and shape[1] == 3 and shape[3] != 3
    nhwc = [shape[0], shape[2], shape[3], shape[1]] if channels_first else shape
    dtype = "uint8" if runner.input.type == "tensor(uint8)" else "float32"
    return _predictor(runner, input_rule(nhwc, dtype, meta), labels, meta, path,
                      channels_first)


def load_savedmodel(path: Path, labels, meta, progress) -> Predictor:
    import tensorflow as tf

    loaded = tf.saved_model.load(str(path))
    signatures = dict(loaded.signatures)
    function = signatures.get("serving_default") or next(iter(signatures.values()), None)
    if function is None:
        raise ModelFileError(f"{path.name} has no serving signature to call.")
    name, spec = next(iter(function.structured_input_signature[1].items()))
    rule = input_rule(list(spec.shape), spec.dtype.name, meta)
    return _predictor(SavedModelCall(loaded, function, name, spec.dtype), rule, labels, meta,
                      path)
