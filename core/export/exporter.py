"""Export a model to other formats, each checked against the Keras model first.

Each format is one :class:`ExportFormat` record (:data:`RECORDS`, kept in
core/export_formats.py): its name, the file it writes in the output folder,
its writer, its checker (which runs the file in that format's own runtime)
and its parity limits:

===========  ====================  ==============================================
format       file                  metadata (``model.json``'s text)
===========  ====================  ==============================================
keras        model.keras           model.json beside it (the folder is a bundle)
savedmodel   savedmodel/           ``savedmodel/assets.extra/model.json``
tflite       model.tflite          float32; a TFLite metadata entry
tflite-int8  model_int8.tflite     full-integer weights and activations, uint8
                                   in, float32 scores out; a metadata entry
onnx         model.onnx            opset 17, via tf2onnx; ``metadata_props``
===========  ====================  ==============================================

Beside the files: ``labels.txt`` (``0 name`` lines), ``model.json`` (the
bundle's metadata plus how to feed the model: input size and type,
preprocessing inside; and ``formats``, those the folder holds) and ``README.txt``
with a short runnable Python snippet per format in the folder
(core.export.readme). Exporting more formats of the same model into a folder
keeps the earlier ones listed (:func:`formats_in_folder`).

Every format is written to a hidden partial file, run on real images (the
bundled samples unless the caller passes others) and compared with the Keras
model's scores (:class:`Parity`), both computed on the CPU (:func:`on_cpu`).
Only an export that passes is moved to its final name, so a file that exists
was checked; a failed check is an error.
The int8 file is calibrated on the same images it is checked on.

TensorFlow, tf2onnx and the runtimes are imported inside functions only.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.base import faults, paths
from core.base.jobs import Cancelled, Progress, ShouldStop, check_stop, never_stop, no_progress
from core.runtime.formats import (
    FLOAT_CLOSE_CALL,
    FLOAT_MIN_AGREEMENT,
    FLOAT_TOLERANCE,
    FORMATS,
    INT8_CLOSE_CALL,
    INT8_MIN_AGREEMENT,
    INT8_TOLERANCE,
    METADATA_KEY,
    RECORDS,
    ExportError,
    ExportFormat,
    embedded_metadata,
    load_check_images,
    run_keras_model,
    sample_images,
)

__all__ = [  # the formats live in core/runtime/formats.py; exports use this module
    "FLOAT_CLOSE_CALL", "FLOAT_MIN_AGREEMENT", "FLOAT_TOLERANCE", "FORMATS", "INT8_CLOSE_CALL",
    "INT8_MIN_AGREEMENT", "INT8_TOLERANCE", "METADATA_KEY", "RECORDS", "ExportError",
    "ExportFormat", "ExportResult", "Parity", "check_folder", "compare", "embedded_metadata",
    "export_bundle", "export_meta", "export_model", "export_source", "load_check_images",
    "on_cpu", "parse_formats", "run_keras_model", "sample_images"]

@dataclass(frozen=True)
class Parity:
    """How an export's scores compare with the Keras model's on the same images.

    ``top1_agreement``: the fraction of images whose best class in the export
    is Keras's best or a close call, a class Keras scored within
    ``close_call`` of its best (an int8 file may flip between two classes
    Keras itself hardly told apart). ``max_abs_diff``: the largest score
    difference over all images and classes. It passes when
    ``max_abs_diff <= tolerance`` and ``top1_agreement >= min_agreement``.
    ``per_class``: the agreement over the images Keras put in each class
    (index -> fraction), so a user sees which class suffers.
    """

    images: int
    top1_agreement: float
    max_abs_diff: float
    tolerance: float
    min_agreement: float
    close_call: float
    per_class: tuple = ()

    @property
    def passed(self) -> bool:
        return self.max_abs_diff <= self.tolerance and self.top1_agreement >= self.min_agreement

    def describe(self) -> str:
        return (f"top-1 agreement {self.top1_agreement:.1%} on {self.images} images "
                f"(needs {self.min_agreement:.0%}, close calls within {self.close_call:g} "
                f"count), max score difference {self.max_abs_diff:.2g} (limit {self.tolerance:g})")


@dataclass(frozen=True)
class ExportResult:
    """One format's outcome: ``path`` and ``parity`` when it passed, else ``error``
    (and ``parity`` too when the file was made but failed its check)."""

    format: str
    seconds: float
    path: Path | None = None
    parity: Parity | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict:
        parity = self.parity
        return {"format": self.format, "ok": self.ok, "seconds": round(self.seconds, 2),
                "path": str(self.path) if self.path else None, "error": self.error,
                "parity": None if parity is None else {
                    "images": parity.images, "top1_agreement": parity.top1_agreement,
                    "max_abs_diff": parity.max_abs_diff, "tolerance": parity.tolerance,
                    "min_agreement": parity.min_agreement, "close_call": parity.close_call,
                    "per_class": dict(parity.per_class)}}


def parse_formats(text: str) -> list[str]:
    """``"tflite,onnx"`` -> ``["tflite", "onnx"]``; raises ValueError with a sentence."""
    wanted = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [name for name in wanted if name not in FORMATS]
    if unknown or not wanted:
        raise ValueError(f"Unknown export format {', '.join(unknown) or '(none)'}; "
                         f"choose from {', '.join(FORMATS)}.")
    return list(dict.fromkeys(wanted))


def compare(reference: np.ndarray, scores: np.ndarray, tolerance: float = FLOAT_TOLERANCE,
            min_agreement: float = FLOAT_MIN_AGREEMENT,
            close_call: float = FLOAT_CLOSE_CALL) -> Parity:
    """:class:`Parity` of ``scores`` against ``reference``, both (N, classes)."""
    if scores.shape != reference.shape:
        raise ExportError(f"The export gives scores of shape {scores.shape}, "
                          f"the Keras model {reference.shape}.")
    picked = reference[np.arange(len(scores)), scores.argmax(axis=1)]
    agree = picked >= reference.max(axis=1) - close_call
    keras_best = reference.argmax(axis=1)
    per_class = tuple((int(c), float(agree[keras_best == c].mean()))
                      for c in np.unique(keras_best))
    return Parity(len(scores), float(agree.mean()), float(np.abs(scores - reference).max()),
                  tolerance, min_agreement, close_call, per_class)


def export_bundle(folder, out_dir, formats, image_paths=None, progress: Progress = no_progress,
                  should_stop: ShouldStop = never_stop) -> list[ExportResult]:
    """Load the bundle ``folder`` (or a Keras model file with its labels, such as
    Teachable Machine's keras_model.h5) and :func:`export_model` it into ``out_dir``."""
    return export_source(folder, out_dir, formats, image_paths, progress, should_stop)[1]


def export_source(source, out_dir, formats, image_paths=None, progress: Progress = no_progress,
                  should_stop: ShouldStop = never_stop) -> tuple[list[str], list[ExportResult]]:
    """The export job of every front end: ``source`` is a model in memory
    ``(model, meta)`` or a bundle folder / Keras model file path (loaded as
    :func:`export_bundle` says). Returns the model's class names (what the
    per-class agreement is about) and :func:`export_model`'s results."""
    from core.runtime.loading import load_keras_model

    if isinstance(source, tuple):
        model, meta = source
    else:
        model, meta = load_keras_model(source, progress)
    return list(meta["class_names"]), export_model(model, meta, out_dir, formats, image_paths,
                                                   progress, should_stop)


def export_model(model, meta: dict, out_dir, formats, image_paths=None,
                 progress: Progress = no_progress,
                 should_stop: ShouldStop = never_stop) -> list[ExportResult]:
    """Write ``model`` in each of ``formats`` into ``out_dir``, each one checked.

    ``model`` takes (N, S, S, 3) uint8 RGB and gives (N, classes) scores;
    ``meta`` is the bundle's model.json content, written beside the exports
    and embedded where the format allows. ``image_paths`` (default: the
    bundled samples) are the real images the exports are checked on.
    One result per format, in order: a format that fails (or fails its
    check) has ``error`` set, writes no file and leaves the others going.
    Raises ``Cancelled`` (removing the partial file) when told to stop,
    ExportError when no check image can be read.
    """
    from core.export import readme as export_readme

    formats = parse_formats(",".join(formats))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    meta = export_meta(model, meta)
    text = json.dumps(meta, indent=1)  # as core.runtime.bundle writes it
    progress(0.02, "Scoring the check images with the Keras model")
    batch = load_check_images(image_paths or sample_images(), int(model.input_shape[1]))
    with on_cpu():
        reference = run_keras_model(model, batch)
    results = []
    for i, fmt in enumerate(formats):
        check_stop(should_stop)
        progress(0.05 + 0.95 * i / len(formats), f"Exporting {fmt}")
        results.append(_export_one(RECORDS[fmt], model, text, batch, reference, out_dir,
                                   should_stop))
    written = [RECORDS[r.format] for r in results if r.ok]
    if written:  # the description comes last: a folder that has one holds a checked model
        listed = formats_in_folder(out_dir, meta, written)
        paths.atomic_write_text(out_dir / "labels.txt", "".join(
            f"{i} {name}\n" for i, name in enumerate(meta["class_names"])))
        paths.atomic_write_text(out_dir / "README.txt", export_readme.readme(meta, listed))
        paths.atomic_write_text(out_dir / "model.json", json.dumps(
            {**meta, "formats": [r.name for r in listed]}, indent=1))
    progress(1.0, "Export finished")
    return results


# Keys of an export's model.json that say how and when it was exported, not which model.
_EXPORT_KEYS = ("app_version", "exported_by", "formats", "schema_version")


def formats_in_folder(out_dir: Path, meta: dict, written: list) -> list:
    """The formats ``out_dir`` holds once ``written`` are in it, in :data:`RECORDS` order:
    those just written, plus those an earlier export of the same model left there (its
    model.json describes the same model and the file is still present). Another model's
    files are not described."""
    try:
        before = json.loads((out_dir / "model.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        before = None
    same = isinstance(before, dict) and _model_facts(before) == _model_facts(meta)
    return [r for r in RECORDS.values()
            if r in written or (same and (out_dir / r.file_name).exists())]


def _model_facts(meta: dict) -> dict:
    return {k: v for k, v in meta.items() if k not in _EXPORT_KEYS}


def export_meta(model, meta: dict) -> dict:
    """``meta`` plus what a program needs to feed the model (size, dtype, preprocessing)."""
    from core import APP_VERSION
    from core.runtime.bundle import SCHEMA_VERSION

    size = int(model.input_shape[1])
    return {"schema_version": SCHEMA_VERSION, "app_version": APP_VERSION, **meta,
            "input_size": size, "input_shape": [None, size, size, 3],
            "input_type": "uint8 RGB, 0-255", "preprocessing": "inside",
            "exported_by": f"Backbone Studio {APP_VERSION}"}


def check_folder(model, out_dir, image_paths=None) -> list[ExportResult]:
    """Check again every export file present in ``out_dir`` against ``model``.

    One result per format found; a file damaged since it was written (or one
    that no longer behaves like the model) comes back with ``error`` set.
    """
    out_dir = Path(out_dir)
    batch = load_check_images(image_paths or sample_images(), int(model.input_shape[1]))
    with on_cpu():
        reference = run_keras_model(model, batch)
    results = []
    for record in RECORDS.values():
        path = out_dir / record.file_name
        if not path.exists():
            continue
        start = time.perf_counter()
        try:
            with on_cpu():
                parity = compare(reference, record.run(path, batch), *record.limits)
            error = None if parity.passed else (
                f"{path.name} does not behave like the Keras model: {parity.describe()}.")
        except Exception as exc:  # a damaged file fails in its runtime's own way
            parity, error = None, f"{path.name} cannot be run: {_sentence(record.name, exc)}"
        results.append(ExportResult(record.name, time.perf_counter() - start, path,
                                    parity, error))
    return results


@contextlib.contextmanager
def on_cpu():
    """Run TensorFlow ops on the CPU, where float32 is float32.

    GPUs may compute float32 convolutions in TF32 (10-bit mantissa), which
    alone moves scores by more than the float tolerance. Only the checks run
    here; the files are written outside it so that they carry no device.
    """
    import tensorflow as tf

    with tf.device("/CPU:0"):
        yield


def _export_one(record: ExportFormat, model, text, batch, reference, out_dir: Path,
                should_stop: ShouldStop) -> ExportResult:
    start = time.perf_counter()
    fmt = record.name
    final = out_dir / record.file_name
    partial = out_dir / f".partial-{final.name}"
    _remove(partial)
    try:
        record.write(model, partial, text, batch)
        check_stop(should_stop)
        with on_cpu():
            scores = record.run(partial, batch)
        parity = compare(reference, scores, *record.limits)
        if not parity.passed:  # kept with its parity, so a user sees which class suffers
            _remove(partial)
            return ExportResult(fmt, time.perf_counter() - start, parity=parity, error=(
                f"The {fmt} export does not behave like the Keras model: "
                f"{parity.describe()}. It was not saved{record.hint or '.'}"))
        _remove(final)
        os.replace(partial, final)
        return ExportResult(fmt, time.perf_counter() - start, final, parity)
    except (Cancelled, KeyboardInterrupt):
        _remove(partial)
        raise
    except Exception as exc:  # one format's failure is that format's result
        _remove(partial)
        if faults.is_write_fault(exc, out_dir):
            raise  # the disk, not the format: every other format would fail too
        return ExportResult(fmt, time.perf_counter() - start, error=_sentence(fmt, exc))


def _sentence(fmt: str, exc: Exception) -> str:
    if isinstance(exc, ExportError):
        return str(exc)
    return f"The {fmt} export failed ({type(exc).__name__}: {faults.first_line(exc)})."


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
