"""Models that only their own runtime runs: ``.tflite`` (LiteRT), ``.onnx`` (ONNX
Runtime) and SavedModel folders (TensorFlow), as Predictors.

Each file is read by its own contract: a float input gets its preprocessing
from core.models.preprocessing's numpy map before the call; a quantised input
(int8 or uint8 with a scale) gets it too, then is quantised with the tensor's
scale and zero point (a uint8 input whose scale is 1 takes raw pixels, as
this app's int8 exports do); a channels-first ONNX input (a PyTorch export)
is transposed. The classification output, whether it is logits, and a fixed
batch size are decided here once (core.runtime.outputs,
core.runtime.runners.Classification) and named in the predictor's description.
A model the app cannot feed (several inputs, not an image, one channel) is a
sentence saying what it runs.

Their predictors have ``model = None``: no Grad-CAM, no int8 version, no
export (they are exports already).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from core.runtime.errors import ModelFileError, refusal_cause
from core.runtime.inference import Predictor
from core.runtime.input_rule import image_input, input_rule
from core.runtime.outputs import are_probabilities, labels_or_imagenet, pick_output
from core.runtime.runners import Classification, LiteRT, OnnxSession, SavedModelCall, quantization


def _predictor(runner, rule, labels, meta, path: Path, channels_first: bool = False,
               batch_size: int | None = None) -> Predictor:
    """The Predictor of ``runner``: its classification output picked, logits found on a
    probe batch, the labels (ImageNet's when the model gives 1000 scores and nothing
    names them) and a description that says all of it."""
    index = pick_output(runner.output_names, runner.output_shapes, labels, meta, path.name)
    probe = Predictor(Classification(runner, index, False, batch_size), ["?"], rule, "",
                      channels_first=channels_first)
    size = rule.size
    images = np.random.default_rng(0).integers(0, 256, (2, size, size, 3), dtype=np.uint8)
    raw = probe.predict(images)
    logits = not are_probabilities(raw, runner.output_steps[index])
    labels, named = labels_or_imagenet(labels, int(raw.shape[-1]), path)
    notes = [rule.describe()]
    if len(runner.output_names) > 1:
        notes.append(f"scores from output '{runner.output_names[index]}' of "
                     + ", ".join(f"'{n}'" for n in runner.output_names))
    if logits:
        notes.append("its outputs are logits: turned into probabilities by softmax")
    if batch_size:
        notes.append(f"runs {batch_size} image{'s' if batch_size > 1 else ''} at a time")
    if named:
        notes.append(named)
    return Predictor(Classification(runner, index, logits, batch_size), labels, rule,
                     f"{path.name} ({'; '.join(notes)})", float(meta.get("threshold") or 0.0),
                     channels_first=channels_first)


def _fixed_batch(shape) -> int | None:
    first = shape[0]
    return int(first) if isinstance(first, (int, np.integer)) and first > 0 else None


# --------------------------------------------------------------------------
# The three runtimes

def load_tflite(path: Path, labels, meta, progress) -> Predictor:
    try:
        runner = LiteRT(path)
        scale, zero = quantization(runner.input_details)
    except ModelFileError as exc:  # a tensor quantised per channel
        raise ModelFileError(f"{path.name}: {exc}.") from None
    detail = runner.input_details
    shape, _ = image_input(path.name, [(d["name"], [int(s) for s in d["shape_signature"]])
                                       for d in runner.inputs])
    dtype = np.dtype(detail["dtype"]).name
    if dtype not in ("float32", "uint8", "int8"):
        raise ModelFileError(f"{path.name} takes {dtype} input; the app feeds float32, uint8 "
                             "or int8 images.")
    # A uint8 input with no scale (or scale 1) takes raw pixels: preprocessing is
    # inside (this app's exports); any other quantised input gets the float
    # preprocessing, then the tensor's scale and zero point (runners.LiteRT).
    pixels = dtype == "uint8" and (not scale or (abs(scale - 1) < 1e-6 and zero == 0))
    mode_meta = meta if pixels or not scale else {**_range_mode(scale, zero, dtype), **meta}
    rule = input_rule(shape, dtype, mode_meta, pixels=pixels)
    return _predictor(runner, rule, labels, meta, path, batch_size=_fixed_batch(shape))


def _range_mode(scale: float, zero: int, dtype: str) -> dict:
    """The preprocessing a quantised input's real range says ([-1, 1]: "tf";
    [0, 1]: "unit"), for a file with no model.json saying it; {} when it says neither."""
    limits = np.iinfo(np.dtype(dtype))
    low, high = (limits.min - zero) * scale, (limits.max - zero) * scale
    for mode, (a, b) in (("tf", (-1.0, 1.0)), ("unit", (0.0, 1.0))):
        if abs(low - a) <= 0.05 * (b - a) and abs(high - b) <= 0.05 * (b - a):
            return {"preprocessing": mode}
    return {}


def load_onnx(path: Path, labels, meta, progress) -> Predictor:
    try:
        runner = OnnxSession(path)
    except ImportError:
        raise ModelFileError("Opening .onnx files needs the onnxruntime package: "
                             "pip install onnxruntime.") from None
    shape, channels_first = image_input(path.name,
                                        [(i.name, list(i.shape)) for i in runner.inputs])
    kinds = {"tensor(uint8)": "uint8", "tensor(float)": "float32"}
    if runner.input.type not in kinds:
        raise ModelFileError(f"{path.name} takes {runner.input.type} input; the app feeds "
                             "float32 or uint8 images.")
    return _predictor(runner, input_rule(shape, kinds[runner.input.type], meta), labels, meta,
                      path, channels_first, _fixed_batch(shape))


def load_savedmodel(path: Path, labels, meta, progress) -> Predictor:
    import tensorflow as tf

    try:
        loaded = tf.saved_model.load(str(path))
    except Exception as exc:  # TensorFlow raises many kinds for a broken folder
        raise ModelFileError(f"{path.name} is a SavedModel folder TensorFlow cannot load "
                             f"({refusal_cause(exc)}); the app opens folders that "
                             "tf.saved_model.save or model.export wrote whole, with their "
                             "variables folder.") from None
    signatures = dict(loaded.signatures)
    function = signatures.get("serving_default") or next(iter(signatures.values()), None)
    if function is None:
        raise ModelFileError(f"{path.name} has no serving signature to call; the app calls "
                             "a SavedModel's 'serving_default' signature.")
    specs = function.structured_input_signature[1]
    shape, _ = image_input(path.name, [(n, list(s.shape)) for n, s in specs.items()])
    name, spec = next(iter(specs.items()))
    rule = input_rule(shape, spec.dtype.name, meta)
    return _predictor(SavedModelCall(loaded, function, name, spec.dtype), rule, labels, meta,
                      path, batch_size=_fixed_batch(shape))
