"""Embeddings of images through a frozen backbone, cached on disk.

An embedding is the backbone's pooled feature vector for one image. Training
a head on a frozen base only needs these, so they are computed once per
(backbone, weights, input size, image content) and kept under
``<data home>/embeddings/<key digest>/``, one ``.npy`` per image named by the
sha256 of the file's bytes: a renamed or copied image is still a cache hit,
an edited one is not. Cache files are written to a temporary name and
renamed, and a file that cannot be read is computed again.

Which runtime computes them: on a CPU, the feature extractor converted to
LiteRT (XNNPACK). Measured here (2 shared cores, EfficientNet-Lite0 at 224,
batch 32): LiteRT 204 images/s, a ``tf.function`` call 55 images/s, the
conversion 8 s. The converted file is cached with the embeddings, so the
conversion is paid once per backbone and size. On a GPU, a ``tf.function``.

A randomly initialised backbone (weights None) is different every time it
is built, so its embeddings are never cached.

TensorFlow is imported inside functions only.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from core.base import paths
from core.base.jobs import Cancelled, Progress, ShouldStop, never_stop, no_progress
from core.images.decode import ImageError, load_for_model
from core.models import backbones, weights

# Bump when decoding/resizing changes what an image embeds to (2: reduced JPEG decode).
CACHE_VERSION = 2
BATCH = 32


def content_hash(path) -> str:
    """sha256 of the file's bytes (hex); remembered while size and mtime hold."""
    return paths.file_hash(path)


def cache_key(backbone: str, input_size: int, weights_choice="imagenet") -> str | None:
    """The embedding cache's key, or None when embeddings must not be cached."""
    spec = backbones.get(backbone)
    if weights_choice != "imagenet" or spec.weights_kind == "none":
        return None
    return paths.cache_key(f"v{CACHE_VERSION}", spec.name, input_size, weights.identity(spec))


def litert_extractor(backbone: str, input_size: int) -> Path | None:
    """The cached LiteRT feature extractor of (backbone, size), if one was converted."""
    file = _Cache(cache_key(backbone, input_size)).litert_file
    return file if file is not None and file.is_file() else None


@dataclass
class Embeddings:
    """``vectors`` (N, F) float32 in input order; rows of ``failed`` are zeros.

    ``failed`` maps an input index to the reason its image could not be read;
    ``computed`` counts the images that went through the backbone.
    """

    vectors: np.ndarray
    failed: dict[int, str] = field(default_factory=dict)
    computed: int = 0


class _Cache:
    def __init__(self, key: str | None):
        self.folder = None
        if key is not None:
            digest = hashlib.sha256(key.encode()).hexdigest()[:24]
            self.folder = paths.cache_dir("embeddings") / digest

    def _file(self, image_hash: str) -> Path:
        return self.folder / image_hash[:2] / f"{image_hash}.npy"

    def get(self, image_hash: str) -> np.ndarray | None:
        if self.folder is None:
            return None
        try:
            return np.load(self._file(image_hash), allow_pickle=False)
        except (OSError, ValueError):
            return None

    def put(self, image_hash: str, vector: np.ndarray) -> None:
        if self.folder is None:
            return
        buffer = io.BytesIO()
        np.save(buffer, vector.astype(np.float32), allow_pickle=False)
        try:
            paths.atomic_write_bytes(self._file(image_hash), buffer.getvalue(), durable=False)
        except OSError:  # a full or read-only cache only costs time: compute it next time
            self.folder = None

    @property
    def litert_file(self) -> Path | None:
        return None if self.folder is None else self.folder / "extractor.tflite"


def embed(image_paths: Sequence, backbone: str, input_size: int,
          make_extractor: Callable, weights_choice="imagenet",
          progress: Progress = no_progress,
          should_stop: ShouldStop = never_stop) -> Embeddings:
    """Embeddings of ``image_paths``, from the cache where possible.

    ``make_extractor()`` returns the Keras feature extractor (uint8 (S, S, 3)
    -> (F,)); it is only called when some image is not cached. Unreadable
    images are reported in ``failed``, never raised. Raises
    :class:`Cancelled` when ``should_stop()`` turns true (what was computed
    stays cached).
    """
    cache = _Cache(cache_key(backbone, input_size, weights_choice))
    features = backbones.get(backbone).features
    vectors = np.zeros((len(image_paths), features), np.float32)
    result = Embeddings(vectors)
    missing: list[tuple[int, str]] = []
    for index, path in enumerate(image_paths):
        try:
            image_hash = content_hash(path)
        except OSError as exc:
            result.failed[index] = f"the file could not be read ({exc.strerror})"
            continue
        cached = cache.get(image_hash)
        if cached is not None and cached.shape == (vectors.shape[1],):
            vectors[index] = cached
        else:
            missing.append((index, image_hash))
    if missing:
        run = _runner(make_extractor, cache.litert_file, progress)
        _compute(missing, image_paths, input_size, run, cache, result, progress, should_stop)
    progress(1.0, f"Embeddings ready ({result.computed} computed, "
                  f"{len(image_paths) - result.computed - len(result.failed)} from the cache)")
    return result


def _compute(missing, image_paths, input_size, run, cache, result, progress, should_stop):
    for start in range(0, len(missing), BATCH):
        if should_stop():
            raise Cancelled()
        images, rows = [], []
        for index, image_hash in missing[start:start + BATCH]:
            try:
                images.append(load_for_model(image_paths[index], input_size))
                rows.append((index, image_hash))
            except ImageError as exc:
                result.failed[index] = exc.reason
        if images:
            out = run(np.stack(images))
            for (index, image_hash), vector in zip(rows, out):
                result.vectors[index] = vector
                cache.put(image_hash, vector)
            result.computed += len(rows)
        done = min(start + BATCH, len(missing))
        progress(done / len(missing), f"Computing embeddings: {done} of {len(missing)} images")


def _runner(make_extractor, litert_file: Path | None, progress: Progress):
    """A function uint8 batch -> embeddings, on the fastest runtime here
    (core.runtime.runners.make_runner; the LiteRT file lives with the embeddings)."""
    from core.runtime.runners import make_runner

    return make_runner(make_extractor, litert_file, progress)
