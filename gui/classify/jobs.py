"""The jobs the Classify panels hand to workers: plain functions, no widgets.

Each takes ``progress`` and ``should_stop`` (core/jobs.py) and returns plain
values; the panels run them in :class:`gui.workers.JobWorker`.
"""
from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.images import fit_square, find_images, load_rgb
from core.jobs import check_stop

@dataclass
class ImageScores:
    """One image and its model's scores (all classes, not yet cut to top-k)."""

    path: Path
    rgb: np.ndarray
    scores: np.ndarray


def classify_image(predictor, path, progress, should_stop) -> ImageScores:
    """Decode ``path`` and score it; raises core.images.ImageError (a sentence)."""
    rgb = load_rgb(path)
    check_stop(should_stop)
    scores = predictor.predict_one(fit_square(rgb, predictor.input_size))
    return ImageScores(Path(path), rgb, scores)


# One GradCam at a time, for the model last explained: it holds the model's
# layers, so keeping one per model ever used would keep every model alive.
_gradcam: dict = {"model": None, "cam": None}
_gradcam_lock = threading.Lock()


def gradcam_overlay(predictor, rgb: np.ndarray, class_index: int, progress,
                    should_stop) -> np.ndarray:
    """Grad-CAM of ``class_index`` as an RGBA overlay the size of ``rgb``."""
    from core.gradcam import GradCam, colorize

    with _gradcam_lock:
        model = _gradcam["model"]() if _gradcam["model"] is not None else None
        if model is not predictor.model:
            progress(0.1, "Preparing Grad-CAM (once per model)")
            _gradcam.update(model=weakref.ref(predictor.model), cam=GradCam(predictor.model))
        cam = _gradcam["cam"]
    check_stop(should_stop)
    return colorize(cam(rgb, class_index))


def best_batch_size(predictor) -> int:
    """1 for LiteRT on a CPU (fastest per image there, and the batch size the Live
    and Image panels use, so the interpreter is never re-allocated); 32 on a GPU."""
    return 1 if predictor.runtime.startswith("LiteRT") else 32


def classify_folder(predictor, paths, k, batch_size, on_results, progress,
                    should_stop, flush_every: float = 0.1) -> int:
    """Find the images under ``paths`` and classify them, streaming results.

    ``on_results`` gets lists of core.folder.FileResult in input order, at
    most every ``flush_every`` seconds (so the table grows in a few steps a
    second, not one per image); returns the number of files. Raises
    ``Cancelled``.
    """
    from core.folder import iter_classify

    progress(0.0, "Looking for images")
    files = find_images(paths)
    check_stop(should_stop)
    pending, done, flushed = [], 0, time.monotonic()
    for results in iter_classify(predictor, files, k, 0.0, batch_size, should_stop):
        pending.extend(results)
        done += len(results)
        if time.monotonic() - flushed >= flush_every or done == len(files):
            on_results(pending)
            pending, flushed = [], time.monotonic()
        progress(done / len(files), f"{done} of {len(files)} images")
    return len(files)


def measure_speed(predictor, progress, should_stop, seconds: float = 1.0,
                  most: int = 30) -> float:
    """Batch-1 images per second of ``predictor`` on this machine (after a warm-up)."""
    size = predictor.input_size
    image = np.random.default_rng(0).integers(0, 255, (size, size, 3), dtype=np.uint8)
    predictor.predict_one(image)
    runs, start = 0, time.perf_counter()
    while runs < most and time.perf_counter() - start < seconds:
        check_stop(should_stop)
        predictor.predict_one(image)
        runs += 1
    return runs / (time.perf_counter() - start)


def import_weights(spec, source, progress, should_stop) -> Path:
    """Import a weights file for ``spec``: its top (classifier) or notop file, by name."""
    from core import weights
    from core.models import build_base

    include_top = Path(source).name != getattr(spec.notop_weights, "filename", None)
    target = spec.weights_for(include_top)
    progress(0.2, f"Checking that the file fits {spec.name}")

    def accept(path):
        build_base(spec, include_top=include_top, weights_choice=str(path))

    return weights.import_file(target, Path(source), accept)


def download_weights(spec, progress, should_stop) -> Path:
    """Download ``spec``'s ImageNet weights: the classifier's, then the headless
    file training builds on (core.weights.download; a file already here is kept)."""
    from core import weights
    from core.jobs import sub_progress

    files = [spec.top_weights, spec.notop_weights]
    for n, file in enumerate(files):
        if not file.local_path.exists():
            weights.download(file, spec.name, sub_progress(progress, n / 2, (n + 1) / 2),
                             should_stop)
    return spec.top_weights.local_path
