"""Classify many files: streamed in batches, bad files as error rows, exports.

Decoding runs in a small thread pool (OpenCV releases the GIL) one batch
ahead of the model, so the CPU never waits on the disk. What is decoded at
once is bounded twice: one batch ahead, and a pixel budget shared by the
decoding threads (a JPEG decodes reduced to what the model needs, so a
folder of 12 MP photos holds well under a megapixel per photo).
"""
from __future__ import annotations

import csv
import io
import json
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from core.base import paths
from core.base.jobs import Progress, ShouldStop, check_stop, never_stop, no_progress
from core.images.decode import CROP_FRACTION, ImageError, PixelBudget, load_for_model
from core.runtime.inference import Prediction, top_k, unknown_below

DECODE_THREADS = 2
# Images per model call, as measured here (EfficientNet-Lite0, LiteRT/XNNPACK,
# 2 cores; bench/bench_folder.py): the bare model is about as fast at 1, 8,
# 16 and 32 (270-319 images/s quiet), but the Folder job is fastest at 1
# (load 12: 59-77 images/s at 1, 40-50 at 8, 37 at 16), because decoding a
# larger next batch contends longer with the model's own threads. A GPU
# wants large batches.
CPU_BATCH = 1
GPU_BATCH = 32


@dataclass
class FileResult:
    """One input file's outcome: predictions best first, or an error sentence.

    ``predictions`` are the answer as given (a single "unknown" one when the
    best score is under the threshold); ``ranked`` the model's own top-k
    before that rule (None: the predictions themselves); ``model`` names the
    model that made them.
    """

    path: Path
    predictions: list[Prediction] = field(default_factory=list)
    error: str | None = None
    model: str = ""
    ranked: list[Prediction] | None = None

    @property
    def label(self) -> str:
        return self.predictions[0].label if self.predictions else ""

    @property
    def score(self) -> float:
        return self.predictions[0].score if self.predictions else 0.0

    @property
    def top_k(self) -> list[Prediction]:
        """The model's own best classes, whatever the "unknown" rule answered."""
        return self.predictions if self.ranked is None else self.ranked

    def with_threshold(self, threshold: float) -> "FileResult":
        """This result as core's "unknown" rule answers at ``threshold``."""
        shown = unknown_below(self.top_k, threshold)
        if shown is self.predictions:
            return self
        return replace(self, predictions=shown, ranked=None if shown is self.top_k else self.top_k)

    def to_dict(self) -> dict:
        """The JSON entry: ``path``, ``predictions``, ``error``, ``model`` and ``top_k``
        (the model's own best classes, also under the "unknown" threshold)."""
        return {"path": str(self.path), "predictions": _scores(self.predictions),
                "error": self.error, "model": self.model, "top_k": _scores(self.top_k)}


def _scores(predictions: list[Prediction]) -> list[dict]:
    return [{"label": p.label, "score": round(p.score, 6)} for p in predictions]


def decode_for_model(path: Path, size: int, budget: PixelBudget | None = None,
                     fraction: float = CROP_FRACTION):
    """``load_for_model`` that returns the ImageError instead of raising it."""
    try:
        return load_for_model(path, size, budget, fraction)
    except ImageError as exc:
        return exc


def iter_classify(predictor, files: list[Path], k: int = 5, threshold: float = 0.0,
                  batch_size: int = 16, should_stop: ShouldStop = never_stop
                  ) -> Iterator[list[FileResult]]:
    """Yield results batch by batch, in input order. Raises ``Cancelled``.

    Only the next batch is decoded ahead, so a cancel waits for at most the
    files already being decoded, never for the whole folder.
    """
    size, budget, fraction = predictor.input_size, PixelBudget(), predictor.crop_fraction
    batches = [files[i:i + batch_size] for i in range(0, len(files), batch_size)]
    with ThreadPoolExecutor(max_workers=DECODE_THREADS) as pool:
        ahead: list[Future] = []
        try:
            for n, batch in enumerate(batches):
                current = ahead or [pool.submit(decode_for_model, p, size, budget, fraction)
                                    for p in batch]
                upcoming = batches[n + 1] if n + 1 < len(batches) else []
                ahead = [pool.submit(decode_for_model, p, size, budget, fraction)
                         for p in upcoming]
                check_stop(should_stop)
                decoded = [f.result() for f in current]
                yield score_batch(predictor, batch, decoded, k, threshold)
        finally:  # cancelled, failed or closed early: drop what has not started
            for future in ahead:
                future.cancel()


def score_batch(predictor, batch, decoded, k, threshold) -> list[FileResult]:
    """FileResults for the paths ``batch``, given what :func:`decode_for_model` made of them."""
    results = [FileResult(p, error=str(d) if isinstance(d, ImageError) else None,
                          model=predictor.description) for p, d in zip(batch, decoded)]
    good = [i for i, d in enumerate(decoded) if not isinstance(d, ImageError)]
    if good:
        scores = predictor.predict(np.stack([decoded[i] for i in good]))
        for i, row in zip(good, scores):
            results[i].predictions = top_k(row, predictor.class_names, k)
            results[i] = results[i].with_threshold(threshold)
    return results


def classify_files(predictor, files: list[Path], k: int = 5, threshold: float = 0.0,
                   batch_size: int = 16, progress: Progress = no_progress,
                   should_stop: ShouldStop = never_stop,
                   on_results: Callable[[list[FileResult]], None] | None = None
                   ) -> list[FileResult]:
    """Classify ``files``; every file gets a result (an error row if unreadable)."""
    done: list[FileResult] = []
    for results in iter_classify(predictor, files, k, threshold, batch_size, should_stop):
        done.extend(results)
        if on_results:
            on_results(results)
        progress(len(done) / max(1, len(files)), f"{len(done)} of {len(files)} images")
    return done


def to_csv(results: list[FileResult]) -> str:
    """Columns ``path, label, score, top_k, error, model``; ``top_k`` is the model's
    own best classes, also on a row answered "unknown"."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["path", "label", "score", "top_k", "error", "model"])
    for r in results:
        others = "; ".join(f"{p.label}:{p.score:.4f}" for p in r.top_k)
        writer.writerow([str(r.path), r.label, f"{r.score:.6f}" if r.predictions else "",
                         others, r.error or "", r.model])
    return out.getvalue()


def to_json(results: list[FileResult]) -> str:
    return json.dumps([r.to_dict() for r in results], indent=1)


def export(results: list[FileResult], path: Path) -> None:
    """Write results as CSV or JSON (by the file's suffix), atomically."""
    path = Path(path)
    text = to_json(results) if path.suffix.lower() == ".json" else to_csv(results)
    paths.atomic_write_text(path, text)


def copy_into_class_folders(results: list[FileResult], destination: Path,
                            progress: Progress = no_progress,
                            should_stop: ShouldStop = never_stop) -> int:
    """Copy each classified file into ``destination/<label>/``; returns the count.

    Originals are never moved or changed; a name already taken becomes
    ``name (2).ext``. Error rows are skipped.
    """
    good = [r for r in results if not r.error and r.predictions]
    for n, result in enumerate(good, start=1):
        check_stop(should_stop)
        folder = Path(destination) / paths.safe_folder_name(result.label)
        folder.mkdir(parents=True, exist_ok=True)
        paths.atomic_copy(result.path, paths.free_name(folder, Path(result.path).name))
        progress(n / len(good), f"Copied {n} of {len(good)}")
    return len(good)


def best_batch_size(predictor) -> int:
    """The fastest batch size measured for ``predictor``'s device (CPU_BATCH, GPU_BATCH)."""
    return CPU_BATCH if predictor.device == "CPU" else GPU_BATCH


def classify_folder(predictor, paths, k: int, batch_size: int | None,
                    on_results: Callable[[list[FileResult]], None],
                    progress: Progress = no_progress, should_stop: ShouldStop = never_stop,
                    threshold: float | None = None, flush_every: float = 0.1,
                    litert_file: Path | None = None) -> int:
    """Find the images under ``paths`` and classify them, streaming results.

    ``on_results`` gets lists of FileResult in input order, at most every
    ``flush_every`` seconds (so a table grows in a few steps a second, not one
    per image); returns the number of files. ``threshold`` defaults to the
    model's own "unknown" threshold. The job runs on an interpreter of its
    own at ``batch_size`` (None: :func:`best_batch_size`), so the panels
    sharing ``predictor`` at batch 1 never wait for it to be resized;
    ``litert_file`` runs another file of the same model on it (its int8
    version, core.classify.int8). Raises ``Cancelled``.
    """
    from core.images.decode import find_images

    threshold = predictor.threshold if threshold is None else threshold
    batch_size = batch_size or best_batch_size(predictor)
    progress(0.0, "Looking for images")
    files = find_images(paths)
    check_stop(should_stop)
    predictor = predictor.with_own_runtime(litert_file)
    pending, done, flushed = [], 0, time.monotonic()
    for results in iter_classify(predictor, files, k, threshold, batch_size, should_stop):
        pending.extend(results)
        done += len(results)
        if time.monotonic() - flushed >= flush_every or done == len(files):
            on_results(pending)
            pending, flushed = [], time.monotonic()
        progress(done / len(files), f"{done} of {len(files)} images")
    return len(files)
