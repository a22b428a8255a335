"""Batch-1 speed of every backbone on this computer, for the Models tab.

A backbone whose weights are here is measured as Classify runs it (its
ImageNet classifier behind :func:`core.runtime.inference.make_predictor`) and recorded
with :func:`core.runtime.speeds.record_speed`. The others are measured with random
weights: the speed of the architecture only (the same operations, so the
same speed; the scores mean nothing), recorded separately so the table can
say so. Smallest backbones first, so the useful numbers arrive early.
TensorFlow is imported inside functions only.
"""
from __future__ import annotations

from typing import Callable, Sequence

from core.base import paths
from core.base.jobs import Progress, ShouldStop, check_stop, never_stop, no_progress, sub_progress
from core.models import backbones, weights

OnSpeed = Callable[[tuple], None]  # called with (backbone, images/s, architecture only)


def _architecture_file():
    return paths.data_home() / "speeds_architecture.json"


def architecture_speeds() -> dict[str, float]:
    """Backbone -> images/s measured with random weights (architecture only)."""
    return paths.read_record(_architecture_file())


def _record_architecture(name: str, images_per_second: float) -> None:
    paths.update_record(_architecture_file(), name, round(float(images_per_second), 1))


def has_weights(spec) -> bool:
    return weights.status(spec) in ("bundled", "cached")


def survey(names: Sequence[str] | None = None, progress: Progress = no_progress,
           should_stop: ShouldStop = never_stop, on_speed: OnSpeed | None = None) -> dict:
    """Measure ``names`` (default: every backbone), smallest first.

    Returns backbone -> (images/s, architecture only). ``on_speed`` is called
    as each one is measured. Raises ``Cancelled`` when stopped (what was
    measured is recorded).
    """
    from core.runtime.speeds import record_speed

    specs = [backbones.get(n) for n in names] if names else backbones.all_backbones()
    specs = sorted(specs, key=lambda s: s.gmacs)
    out = {}
    for index, spec in enumerate(specs):
        check_stop(should_stop)
        architecture_only = not has_weights(spec)
        part = sub_progress(progress, index / len(specs), (index + 1) / len(specs))
        part(0.0, f"Measuring {spec.name} ({index + 1} of {len(specs)})"
                  + (", architecture only" if architecture_only else ""))
        speed = _measure(spec, architecture_only, should_stop)
        if architecture_only:
            _record_architecture(spec.name, speed)
        else:
            record_speed(spec.name, speed)
        out[spec.name] = (speed, architecture_only)
        if on_speed is not None:
            on_speed((spec.name, speed, architecture_only))
    progress(1.0, f"Measured {len(specs)} backbones")
    return out


def _measure(spec, architecture_only: bool, should_stop) -> float:
    from core.models.build import build_classifier
    from core.runtime.inference import make_predictor
    from core.runtime.loading import load_predictor
    from core.runtime.speeds import measure_speed

    if architecture_only:
        model = build_classifier(spec.name, weights_choice=None)
        predictor = make_predictor(model, [str(i) for i in range(spec.classes)],
                                   paths.cache_key("architecture", spec.name))
    else:
        predictor = load_predictor(spec.name, should_stop=should_stop)
    return measure_speed(predictor, should_stop=should_stop)
