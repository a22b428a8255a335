"""The folder job on Ray Data: the same work, past one machine.

The file list becomes a Ray dataset; decoding and the model run in a pool of
actors, one model per actor, loaded once when the actor starts; results come
back in input order and become the same :class:`core.classify.folder.FileResult` rows
(an unreadable file is an error row) that the in-process job gives.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np

from core.base.jobs import Progress, ShouldStop, check_stop, never_stop, no_progress
from core.runtime.ray_cluster import (
    RayUnavailable,
    actor_cpus,
    actor_pool,
    ordered_dataset,
    session,
    start,
)

__all__ = ["RayUnavailable", "classify_files", "start"]

# Files per actor call: amortises Ray's per-call cost; inside an actor the
# decoding and the model take turns, so the CPU batch-size trade-off of the
# in-process job (core.classify.folder.CPU_BATCH) does not apply.
RAY_BATCH = 8


class _Classifier:
    """One actor: loads the model once, then decodes and scores batches of paths."""

    def __init__(self, model: str, k: int, threshold: float | None):
        from core.runtime.loading import load_predictor

        # One interpreter thread per CPU Ray gave this actor: with one actor
        # per CPU, all-core interpreters would oversubscribe a node C-fold.
        self.predictor = load_predictor(model).with_own_runtime(threads=actor_cpus())
        self.k = k
        self.threshold = self.predictor.threshold if threshold is None else threshold

    def __call__(self, batch: dict) -> dict:
        from core.classify.folder import decode_for_model, score_batch

        files = [Path(p) for p in batch["path"]]
        decoded = [decode_for_model(p, self.predictor.input_size,
                                    fraction=self.predictor.crop_fraction) for p in files]
        results = score_batch(self.predictor, files, decoded, self.k, self.threshold)
        return {"index": batch["index"],
                "predictions": _as_json([r.predictions for r in results]),
                "top_k": _as_json([r.top_k for r in results]),
                "error": np.array([r.error or "" for r in results], dtype=object),
                "model": np.array([r.model for r in results], dtype=object)}


def _as_json(lists) -> np.ndarray:
    return np.array([json.dumps([[p.label, p.score] for p in predictions])
                     for predictions in lists], dtype=object)


def _from_json(found: str) -> list:
    from core.runtime.inference import Prediction

    return [Prediction(label, float(score)) for label, score in json.loads(found)]


def classify_files(model: str, files: Sequence[Path], k: int = 5,
                   threshold: float | None = None, batch_size: int | None = None,
                   address: str | None = None, workers: int | None = None,
                   progress: Progress = no_progress,
                   should_stop: ShouldStop = never_stop) -> list:
    """:func:`core.classify.folder.classify_files` on Ray: one FileResult per file, in order.

    ``model`` is what ``--model`` takes (a backbone name or a bundle path the
    workers can read); ``threshold`` None means the model's own. ``workers``
    actors (default: one per CPU of the cluster) each load the model once and
    score ``batch_size`` images per call (default: RAY_BATCH).
    Raises RayUnavailable, or ``Cancelled`` between batches.
    """
    from core.classify.folder import FileResult

    files = [Path(f) for f in files]
    batch_size = batch_size or RAY_BATCH
    with session(address) as ray:
        rows = [{"index": i, "path": str(f)} for i, f in enumerate(files)]
        dataset = ordered_dataset(ray, rows).map_batches(
            _Classifier, fn_constructor_kwargs={"model": model, "k": k, "threshold": threshold},
            batch_size=batch_size, compute=actor_pool(ray, workers), num_cpus=1,
            batch_format="numpy")
        results: list[FileResult] = []
        progress(0.0, f"Classifying {len(files)} images on Ray")
        for batch in dataset.iter_batches(batch_size=batch_size, batch_format="numpy"):
            check_stop(should_stop)
            for index, found, top, error, name in zip(batch["index"], batch["predictions"],
                                                      batch["top_k"], batch["error"],
                                                      batch["model"]):
                predictions, ranked = _from_json(found), _from_json(top)
                results.append(FileResult(files[int(index)], predictions, error or None, name,
                                          None if ranked == predictions else ranked))
            progress(len(results) / max(1, len(files)),
                     f"{len(results)} of {len(files)} images (Ray)")
    return results
