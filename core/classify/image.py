"""Classify one image: decode it for showing and for the model, and score it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.base.jobs import Progress, ShouldStop, check_stop, never_stop, no_progress
from core.images.decode import DISPLAY_SHORT_SIDE, load_for_model, load_rgb


@dataclass
class ImageScores:
    """One image and its model's scores (all classes, not yet cut to top-k)."""

    path: Path
    rgb: "np.ndarray"
    scores: "np.ndarray"


def classify_image(predictor, path, progress: Progress = no_progress,
                   should_stop: ShouldStop = never_stop) -> ImageScores:
    """Decode ``path`` and score it; raises core.images.decode.ImageError (a sentence).

    The picture kept for showing is decoded at reduced scale when it is much
    larger than a screen (a 12 MP JPEG at 1/2); the scores come from the
    decode the Folder job uses, so both give the same numbers for a file.
    """
    rgb = load_rgb(path, at_least=DISPLAY_SHORT_SIDE)
    check_stop(should_stop)
    scores = predictor.predict_one(load_for_model(path, predictor.input_size,
                                                  fraction=predictor.crop_fraction))
    return ImageScores(Path(path), rgb, scores)
