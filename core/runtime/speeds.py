"""Batch-1 images per second of each backbone's model on this computer.

Measured by the Models tab once a backbone has run; remembered per backbone.
"""
from __future__ import annotations

import time

from core.base import paths
from core.base.jobs import Progress, ShouldStop, check_stop, never_stop, no_progress


def _file():
    return paths.data_home() / "speeds.json"


def measured_speeds() -> dict[str, float]:
    return paths.read_record(_file())


def record_speed(name: str, images_per_second: float) -> None:
    paths.update_record(_file(), name, round(float(images_per_second), 1))


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
