"""Batch-1 images per second of each backbone's model on this computer.

Measured by the Models tab once a backbone has run; remembered per backbone.
"""
from __future__ import annotations

import json

from . import paths


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
