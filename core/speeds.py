"""Batch-1 images per second of each backbone's model on this computer.

Measured by the Models tab once a backbone has run; remembered per backbone.
"""
from __future__ import annotations

import json
import time

from . import paths
from .jobs import Progress, ShouldStop, check_stop, never_stop, no_progress


def _file():
    return paths.data_home() / "speeds.json"


def measured_speeds() -> dict[str, float]:
    try:
        return json.loads(_file().read_text())
    except (FileNotFoundError, ValueError):
        return {}


def record_speed(name: str, images_per_second: float) -> None:
    speeds = measured_speeds()
    speeds[name] = round(float(images_per_second), 1)
    paths.atomic_write_text(_file(), json.dumps(speeds, indent=1))


def measure_speed(predictor, progress: Progress = no_progress,
                  should_stop: ShouldStop = never_stop, seconds: float = 1.0,
                  most: int = 30) -> float:
    """Batch-1 images per second of ``predictor`` on this machine (after a warm-up)."""
    import numpy as np

    size = predictor.input_size
    image = np.random.default_rng(0).integers(0, 255, (size, size, 3), dtype=np.uint8)
    predictor.predict_one(image)
    runs, start = 0, time.perf_counter()
    while runs < most and time.perf_counter() - start < seconds:
        check_stop(should_stop)
        predictor.predict_one(image)
        runs += 1
    return runs / (time.perf_counter() - start)
