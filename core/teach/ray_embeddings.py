"""The embedding pass on Ray Data: fill the embedding cache past one machine,
one frozen backbone per actor, so that training only fits the head here."""
from __future__ import annotations

import contextlib
from typing import Sequence

import numpy as np

from core.base.jobs import Progress, ShouldStop, check_stop, never_stop, no_progress
from core.runtime.ray_cluster import (
    RayUnavailable,
    actor_cpus,
    actor_pool,
    ordered_dataset,
    session,
)

__all__ = ["RayUnavailable", "fill_embedding_cache"]


class _Embedder:
    """One actor: builds the frozen backbone once, then embeds batches of paths."""

    def __init__(self, backbone: str, input_size: int, weights_choice: str):
        from core.models import backbones
        from core.models.build import build_base, image_front
        from core.teach import embeddings

        spec = backbones.get(backbone)

        def make_extractor():
            import keras

            base = build_base(spec, include_top=False, weights_choice=weights_choice,
                              input_size=input_size, pooling="avg")
            base.trainable = False
            inputs, features = image_front(spec, base, input_size, frozen=True)
            return keras.Model(inputs, features)

        cache = embeddings._Cache(embeddings.cache_key(backbone, input_size, weights_choice))
        from core.runtime.runners import LiteRT

        run = embeddings._runner(make_extractor, cache.litert_file, no_progress)
        # One interpreter thread per CPU of this actor (see _Classifier).
        self.run = LiteRT(run.path, actor_cpus()) if isinstance(run, LiteRT) else run
        self.size = input_size

    def __call__(self, batch: dict) -> dict:
        from core.images.decode import ImageError, load_for_model

        vectors, errors = [], []  # unreadable files are left for training to report
        for path in batch["path"]:
            try:
                vectors.append(load_for_model(path, self.size))
                errors.append("")
            except ImageError as exc:
                vectors.append(None)
                errors.append(exc.reason)
        good = [v for v in vectors if v is not None]
        out = self.run(np.stack(good)) if good else np.zeros((0, 0), np.float32)
        embedded = np.zeros((len(vectors), out.shape[1] if good else 1), np.float32)
        embedded[[i for i, v in enumerate(vectors) if v is not None]] = out
        return {"index": batch["index"], "vector": embedded,
                "read": np.array([not e for e in errors])}


def fill_embedding_cache(image_paths: Sequence, backbone: str, input_size: int,
                         weights_choice: str = "imagenet", address: str | None = None,
                         workers: int | None = None, batch_size: int = 32,
                         progress: Progress = no_progress,
                         should_stop: ShouldStop = never_stop) -> int:
    """Compute on Ray the embeddings the cache lacks, and store them in it.

    Training then finds every embedding cached and only fits the head here.
    Returns how many were computed; unreadable images are left for training
    to report. Does nothing when these embeddings are never cached (random
    weights). Raises RayUnavailable, or ``Cancelled`` between batches.
    """
    from core.teach import embeddings

    key = embeddings.cache_key(backbone, input_size, weights_choice)
    if key is None:
        return 0
    cache = embeddings._Cache(key)
    missing = []
    for path in image_paths:
        with contextlib.suppress(OSError):  # training reports unreadable files
            image_hash = embeddings.content_hash(path)
            if cache.get(image_hash) is None:
                missing.append((str(path), image_hash))
    if not missing:
        return 0
    computed = 0
    with session(address) as ray:
        rows = [{"index": i, "path": p} for i, (p, _) in enumerate(missing)]
        dataset = ordered_dataset(ray, rows).map_batches(
            _Embedder, fn_constructor_kwargs={"backbone": backbone, "input_size": input_size,
                                              "weights_choice": weights_choice},
            batch_size=batch_size, compute=actor_pool(ray, workers), num_cpus=1,
            batch_format="numpy")
        done = 0
        for batch in dataset.iter_batches(batch_size=batch_size, batch_format="numpy"):
            check_stop(should_stop)
            for index, vector, read in zip(batch["index"], batch["vector"], batch["read"]):
                if read:
                    cache.put(missing[int(index)][1], vector)
                    computed += 1
                done += 1
            progress(done / len(missing), f"Embeddings on Ray: {done} of {len(missing)} images")
    return computed
