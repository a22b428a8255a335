"""int8 for folder classification, offered only with its measured agreement.

An int8 LiteRT version of a model is made with the export's int8 writer
(core.export.exporter's "tflite-int8" record), calibrated on real images: a trained
bundle's own project images when the caller has them, else the sample
photos shipped in resources/samples. The same images then measure how often
int8's top-1 answer agrees with float's, and that number is shown to the
user before int8 is used. Versions are cached by model and images.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from core.base import paths
from core.base.jobs import Progress, ShouldStop, check_stop, never_stop, no_progress
from core.runtime.formats import RECORDS, load_check_images, sample_images

MAX_CALIBRATION = 200  # images; more changes the scales little and costs time


class Int8Unavailable(Exception):
    """This model has no int8 version here; ``str()`` is the sentence."""


@dataclass(frozen=True)
class Int8Version:
    """An int8 LiteRT file and how it compares with float on its calibration images."""

    path: Path
    images: int
    agreement: float  # top-1 agreement with float, 0..1
    max_diff: float  # largest score difference
    source: str  # what the calibration images were, in words

    def describe(self) -> str:
        return (f"The int8 version gives float's top answer on {self.agreement:.0%} of the "
                f"{self.images} {self.source} it was calibrated on "
                f"(scores differ by up to {self.max_diff:.2f})")


def int8_version(predictor, calibration: Sequence[Path] | None = None,
                 progress: Progress = no_progress,
                 should_stop: ShouldStop = never_stop) -> Int8Version:
    """The int8 version of ``predictor``'s model, calibrated and measured on
    ``calibration`` (default: the sample photos). Converting takes seconds to
    a minute once; later calls with the same model and images reuse it.
    Raises Int8Unavailable (a model without a Keras graph, or on a GPU).
    """
    if predictor.litert_path is None:
        raise Int8Unavailable("int8 is offered for Keras models running on LiteRT (the CPU); "
                              "this model runs as it is.")
    source = "project images" if calibration else "sample photos"
    images = sorted(Path(p) for p in (calibration or sample_images()))[:MAX_CALIBRATION]
    target, report = _cache_files(predictor, images)
    if target.exists() and report.exists():
        return Int8Version(path=target, **{**json.loads(report.read_text()), "source": source})
    progress(0.05, f"Reading {len(images)} calibration images")
    batch = load_check_images(images, predictor.input_size)
    check_stop(should_stop)
    progress(0.2, "Making the int8 version (once per model; up to a minute)")
    record = RECORDS["tflite-int8"]
    partial = target.with_name(f".partial-{os.getpid()}-{target.name}")
    record.write(predictor.model, partial, "{}", batch)
    check_stop(should_stop)
    progress(0.8, "Comparing int8 with float on the calibration images")
    # Its own interpreter: a batch this size would resize the one the panels share.
    floats = predictor.with_own_runtime().predict(batch)
    int8s = record.run(partial, batch)
    os.replace(partial, target)
    measured = {"images": len(batch),
                "agreement": float((floats.argmax(1) == int8s.argmax(1)).mean()),
                "max_diff": float(abs(floats - int8s).max())}
    paths.atomic_write_text(report, json.dumps(measured))
    progress(1.0, "int8 version ready")
    return Int8Version(path=target, source=source, **measured)


def int8_predictor(predictor, version: Int8Version):
    """``predictor`` (classes, threshold) running ``version`` on an interpreter of its own."""
    return predictor.with_own_runtime(version.path, description=f"{predictor.description}, int8",
                                      runtime=f"int8 {predictor.runtime}")


def _cache_files(predictor, images: list[Path]) -> tuple[Path, Path]:
    """(int8 file, agreement report) for this model and these calibration images."""
    key = paths.cache_key("int8", paths.file_hash(predictor.litert_path),
                          *(paths.file_hash(image) for image in images))
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    folder = paths.cache_dir("int8")
    return folder / f"{digest}.tflite", folder / f"{digest}.json"

