"""The export formats: one :class:`ExportFormat` record each, in :data:`RECORDS`.

A record holds everything about its format: the name a user picks, the file
it writes in the export folder, its writer, its checker (which runs the file
in the format's own runtime), the package a program needs to run it, and its
parity limits. core/export.py runs them; core/int8.py reuses the int8 one.
TensorFlow, tf2onnx and the runtimes are imported inside functions only.
"""
from __future__ import annotations

import contextlib
import io
import json
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from core.base import paths
from core.images import decode

METADATA_KEY = "backbone_studio.model_json"
ONNX_OPSET = 17
# Float formats must match Keras to float rounding. Int8 weights and
# activations move the embeddings by 5-30% (more for images unlike ImageNet),
# so scores move by up to 0.05 (a confident head) to 0.15 (a weak one), and a
# close call may flip: measured in docs/PACKAGING.md. Int8 passes on top-1
# agreement alone; its largest score difference is reported, not gated.
FLOAT_TOLERANCE, FLOAT_MIN_AGREEMENT, FLOAT_CLOSE_CALL = 1e-4, 1.0, 1e-4
INT8_TOLERANCE, INT8_MIN_AGREEMENT, INT8_CLOSE_CALL = 1.0, 0.97, 0.1
BATCH = 16


class ExportError(Exception):
    """An export could not be made or failed its check; ``str()`` is the sentence."""


def run_keras_model(model, batch: np.ndarray) -> np.ndarray:
    """Scores of a Keras model (or any callable on tensors), in batches."""
    parts = [np.asarray(model(batch[i:i + BATCH], training=False))
             for i in range(0, len(batch), BATCH)]
    return np.concatenate(parts).astype(np.float32)


# --------------------------------------------------------------------------
# Writers: (model, target, model.json text, check images) -> file at target

def _write_keras(model, target: Path, text: str, batch) -> None:
    # Keras insists on the .keras suffix; the partial name keeps it.
    model.save(str(target))


def _write_savedmodel(model, target: Path, text: str, batch) -> None:
    with contextlib.redirect_stdout(io.StringIO()):  # Keras prints the signature
        model.export(str(target), format="tf_saved_model", verbose=False)
    paths.atomic_write_text(target / "assets.extra" / "model.json", text)


def _write_tflite(model, target: Path, text: str, batch) -> None:
    from core.runtime.runners import convert_to_litert

    paths.atomic_write_bytes(target, embed_tflite_metadata(convert_to_litert(model), text))


def int8_litert(model, batch) -> bytes:
    """Full-integer LiteRT flatbuffer of ``model`` (uint8 in, float scores out),
    calibrated on ``batch`` (N, S, S, 3) uint8. The one int8 converter: exports,
    the Folder panel's int8 speed and the comparison's int8 size all use it."""
    import tensorflow as tf

    def representative():
        for image in batch:
            yield [np.asarray(image, np.uint8)[None]]  # uint8, as the model takes it

    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        # The uint8 input needs no statistics: its scale is the identity.
        warnings.filterwarnings("ignore", message="Statistics for quantized inputs")
        converter = tf.lite.TFLiteConverter.from_keras_model(model)
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = representative
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.uint8
        converter.inference_output_type = tf.float32
        return converter.convert()


def _write_tflite_int8(model, target: Path, text: str, batch) -> None:
    paths.atomic_write_bytes(target, embed_tflite_metadata(int8_litert(model, batch), text))


def _write_onnx(model, target: Path, text: str, batch) -> None:
    try:
        import tensorflow as tf
        from tf2onnx import convert as tf2onnx_convert
    except ImportError as exc:
        raise ExportError("ONNX export needs the tf2onnx package, which is not installed "
                          f"here ({exc}); install it with pip install tf2onnx.") from None
    size = int(model.input_shape[1])
    spec = (tf.TensorSpec((None, size, size, 3), tf.uint8, name="image"),)
    function = tf.function(lambda images: model(images, training=False))
    logging.getLogger("tf2onnx").setLevel(logging.ERROR)
    with contextlib.redirect_stdout(io.StringIO()):
        proto, _ = tf2onnx_convert.from_function(function, input_signature=spec,
                                                 opset=ONNX_OPSET)
    entry = proto.metadata_props.add()
    entry.key, entry.value = METADATA_KEY, text
    paths.atomic_write_bytes(target, proto.SerializeToString())


def embed_tflite_metadata(data: bytes, text: str) -> bytes:
    """The TFLite flatbuffer ``data`` with ``text`` as metadata :data:`METADATA_KEY`."""
    from tensorflow.lite.python import schema_py_generated as schema
    from tensorflow.lite.tools import flatbuffer_utils

    model = flatbuffer_utils.read_model_from_bytearray(bytearray(data))
    buffer = schema.BufferT()
    buffer.data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    model.buffers.append(buffer)
    entry = schema.MetadataT()
    entry.name, entry.buffer = METADATA_KEY, len(model.buffers) - 1
    model.metadata = (model.metadata or []) + [entry]
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model))


def embedded_metadata(path) -> dict:
    """The model.json embedded in an exported file or SavedModel folder."""
    path = Path(path)
    if path.is_dir():
        return json.loads((path / "assets.extra" / "model.json").read_text())
    if path.suffix == ".onnx":
        import onnx

        props = {p.key: p.value for p in onnx.load(str(path)).metadata_props}
        return json.loads(props[METADATA_KEY])
    if path.suffix == ".tflite":
        from core.runtime.checks import read_tflite

        data = path.read_bytes()
        model = read_tflite(data)
        return json.loads(model.buffer(data, model.metadata[METADATA_KEY]).decode("utf-8"))
    raise ValueError(f"{path.name} is not an export that carries metadata.")


# --------------------------------------------------------------------------
# Runners: (exported file, images) -> (N, classes) float32 scores

def _run_keras(target: Path, batch) -> np.ndarray:
    import keras  # no app code: the file must load in plain Keras

    return run_keras_model(keras.saving.load_model(str(target), safe_mode=True), batch)


def _run_savedmodel(target: Path, batch) -> np.ndarray:
    import tensorflow as tf

    loaded = tf.saved_model.load(str(target))  # keep it alive: it owns the variables
    return run_keras_model(lambda x, training: loaded.serve(tf.constant(x)), batch)


def _run_tflite(target: Path, batch) -> np.ndarray:
    from core.runtime.runners import LiteRT

    return LiteRT(target)(batch)


def _run_onnx(target: Path, batch) -> np.ndarray:
    try:
        import onnxruntime
    except ImportError as exc:
        raise ExportError("The ONNX file cannot be checked without the onnxruntime package "
                          f"({exc}); install it with pip install onnxruntime.") from None
    session = onnxruntime.InferenceSession(str(target), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return np.asarray(session.run(None, {name: batch})[0], dtype=np.float32)


@dataclass(frozen=True)
class ExportFormat:
    """Everything about one export format, in one place.

    ``write(model, target, model_json_text, check_images)`` makes the file
    (or folder) at ``target``; ``run(target, images)`` scores images with it
    in the format's own runtime; ``limits`` are (tolerance, min_agreement,
    close_call) for :func:`compare`; ``runtime`` names the packages (pip
    names, space-separated) a program needs to run the file; ``hint`` ends
    the sentence of a failed check.
    """

    name: str
    title: str
    file_name: str
    write: Callable
    run: Callable
    runtime: str
    limits: tuple = (FLOAT_TOLERANCE, FLOAT_MIN_AGREEMENT, FLOAT_CLOSE_CALL)
    hint: str = ""

    @property
    def quantized(self) -> bool:
        return self.limits[0] > FLOAT_TOLERANCE


RECORDS = {record.name: record for record in (
    # Keras 3 runs on a backend it does not install: TensorFlow here.
    ExportFormat("keras", "Keras (.keras)", "model.keras", _write_keras, _run_keras,
                 "keras tensorflow"),
    ExportFormat("savedmodel", "TensorFlow SavedModel", "savedmodel", _write_savedmodel,
                 _run_savedmodel, "tensorflow"),
    ExportFormat("tflite", "TFLite float32", "model.tflite", _write_tflite, _run_tflite,
                 "ai-edge-litert"),
    ExportFormat("tflite-int8", "TFLite int8", "model_int8.tflite", _write_tflite_int8,
                 _run_tflite, "ai-edge-litert",
                 (INT8_TOLERANCE, INT8_MIN_AGREEMENT, INT8_CLOSE_CALL),
                 "; check it on images like those the model will see (they also calibrate it)."),
    ExportFormat("onnx", "ONNX", "model.onnx", _write_onnx, _run_onnx, "onnxruntime"),
)}
FORMATS = tuple(RECORDS)


def sample_images() -> list[Path]:
    """The real photos shipped in resources/samples: the check and calibration
    images of the ImageNet backbones, when the user gives none."""
    return decode.find_images([paths.resources_dir() / "samples"])


def load_check_images(image_paths, size: int) -> np.ndarray:
    """(N, size, size, 3) uint8 of the readable files; ExportError if none is."""
    loaded = []
    for path in image_paths:
        with contextlib.suppress(decode.ImageError):
            loaded.append(decode.load_for_model(path, size))
    if not loaded:
        raise ExportError("None of the check images could be read, so no export can be "
                          "checked; pass a folder of real images.")
    return np.stack(loaded)
