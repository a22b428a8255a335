"""The folder job and the embedding pass on Ray Data: the same work, past one machine.

The file list becomes a Ray dataset; decoding and the model run in a pool of
actors, one model per actor, loaded once when the actor starts; results come
back in input order and become the same :class:`core.folder.FileResult` rows
(an unreadable file is an error row) that the in-process job gives.

Without an address a local Ray instance is started for the run (and shut
down after); with one, the run joins that cluster. The app's code travels to
the workers as the job's working directory; the images and any model bundle
are read by path, so workers must see the same paths (docs/SCALING.md).
Ray is optional: :func:`import_ray` says how to install it.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from . import paths
from .jobs import Progress, ShouldStop, check_stop, never_stop, no_progress

RAY_MISSING = ("--engine ray needs Ray Data, which is not installed here; install it with "
               "`pip install -r requirements-scale.txt` (or `pip install \"ray[data]\"`).")
# What the workers need of the app: its code and resources, not the rest.
_NOT_SHIPPED = [".venv", ".git", "docs", "tests", "bench", "scripts", "build", "dist",
                "**/__pycache__", "*.tflite", "*.keras"]
# Files per actor call: amortises Ray's per-call cost; inside an actor the
# decoding and the model take turns, so the CPU batch-size trade-off of the
# in-process job (core.folder.CPU_BATCH) does not apply.
RAY_BATCH = 8
# Passed on to local workers so they share the driver's caches.
_LOCAL_ENV = ("BACKBONE_STUDIO_HOME", "KERAS_HOME", "TF_CPP_MIN_LOG_LEVEL")


class RayUnavailable(Exception):
    """Ray is missing or the cluster cannot be reached; ``str()`` is the sentence."""


def import_ray():
    """The ``ray`` module with Ray Data, or RayUnavailable saying how to install it."""
    try:
        import ray
        import ray.data  # noqa: F401  (Ray without the [data] extra has no ray.data)
    except ImportError:
        raise RayUnavailable(RAY_MISSING) from None
    return ray


@contextlib.contextmanager
def session(address: str | None = None) -> Iterator:
    """A Ray session: the one already initialised in this process, or one
    started here with :func:`start` (and shut down after)."""
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    start(address)
    try:
        yield ray
    finally:
        ray.shutdown()


def start(address: str | None = None, num_cpus: int | None = None):
    """Join the cluster at ``address``, or start a local Ray instance (using
    ``num_cpus`` of this machine's CPUs, default all). Returns ``ray``."""
    ray = import_ray()
    if address:
        _check_reachable(address)
    runtime_env = {"working_dir": str(paths.app_root()), "excludes": _NOT_SHIPPED}
    if address is None:
        runtime_env["env_vars"] = {k: os.environ[k] for k in _LOCAL_ENV if k in os.environ}
    # Ray's own log lines would bury the progress line on stderr.
    os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
    for name in ("ray", "ray.data"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        ray.init(address=address, num_cpus=None if address else num_cpus,
                 include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR,
                 runtime_env=runtime_env)
    except (ConnectionError, ValueError, RuntimeError) as exc:
        where = f"the Ray cluster at {address}" if address else "a local Ray instance"
        raise RayUnavailable(f"Could not start or reach {where} ({exc}).") from None
    return ray


def _check_reachable(address: str, seconds: float = 5.0) -> None:
    """RayUnavailable unless ``address`` (host:port, ray://host:port or auto)
    answers within ``seconds``: Ray itself would retry for minutes."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if address == "auto" or not port.isdigit():
        return
    try:
        socket.create_connection((host, int(port)), timeout=seconds).close()
    except OSError as exc:
        raise RayUnavailable(f"Could not reach the Ray cluster at {address} ({exc.strerror or exc}): "
                             "check the address and that `ray start --head` runs there.") from None


def _dataset(ray, rows: list[dict]):
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True  # results in input order
    context.enable_progress_bars = False  # our own progress line instead
    return ray.data.from_items(rows)


def _actor_pool(ray, workers: int | None):
    """``workers`` actors, default one per CPU of the cluster."""
    size = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
    return ray.data.ActorPoolStrategy(size=size)


def _actor_cpus() -> int:
    import ray

    return max(1, int(ray.get_runtime_context().get_assigned_resources().get("CPU", 1)))


# --------------------------------------------------------------- classify

class _Classifier:
    """One actor: loads the model once, then decodes and scores batches of paths."""

    def __init__(self, model: str, k: int, threshold: float | None):
        from .classify import load_predictor

        # One interpreter thread per CPU Ray gave this actor: with one actor
        # per CPU, all-core interpreters would oversubscribe a node C-fold.
        self.predictor = load_predictor(model).with_own_runtime(threads=_actor_cpus())
        self.k = k
        self.threshold = self.predictor.threshold if threshold is None else threshold

    def __call__(self, batch: dict) -> dict:
        from .folder import decode_for_model, score_batch

        files = [Path(p) for p in batch["path"]]
        decoded = [decode_for_model(p, self.predictor.input_size,
                                    fraction=self.predictor.crop_fraction) for p in files]
        results = score_batch(self.predictor, files, decoded, self.k, self.threshold)
        return {"index": batch["index"],
                "predictions": np.array([json.dumps([[p.label, p.score] for p in r.predictions])
                                         for r in results], dtype=object),
                "error": np.array([r.error or "" for r in results], dtype=object)}


def classify_files(model: str, files: Sequence[Path], k: int = 5,
                   threshold: float | None = None, batch_size: int | None = None,
                   address: str | None = None, workers: int | None = None,
                   progress: Progress = no_progress,
                   should_stop: ShouldStop = never_stop) -> list:
    """:func:`core.folder.classify_files` on Ray: one FileResult per file, in order.

    ``model`` is what ``--model`` takes (a backbone name or a bundle path the
    workers can read); ``threshold`` None means the model's own. ``workers``
    actors (default: one per CPU of the cluster) each load the model once and
    score ``batch_size`` images per call (default: RAY_BATCH).
    Raises RayUnavailable, or ``Cancelled`` between batches.
    """
    from .folder import FileResult
    from .inference import Prediction

    files = [Path(f) for f in files]
    batch_size = batch_size or RAY_BATCH
    with session(address) as ray:
        rows = [{"index": i, "path": str(f)} for i, f in enumerate(files)]
        dataset = _dataset(ray, rows).map_batches(
            _Classifier, fn_constructor_kwargs={"model": model, "k": k, "threshold": threshold},
            batch_size=batch_size, compute=_actor_pool(ray, workers), num_cpus=1,
            batch_format="numpy")
        results: list[FileResult] = []
        progress(0.0, f"Classifying {len(files)} images on Ray")
        for batch in dataset.iter_batches(batch_size=batch_size, batch_format="numpy"):
            check_stop(should_stop)
            for index, found, error in zip(batch["index"], batch["predictions"], batch["error"]):
                predictions = [Prediction(label, float(score)) for label, score in json.loads(found)]
                results.append(FileResult(files[int(index)], predictions, error or None))
            progress(len(results) / max(1, len(files)),
                     f"{len(results)} of {len(files)} images (Ray)")
    return results


# --------------------------------------------------------------- embeddings

class _Embedder:
    """One actor: builds the frozen backbone once, then embeds batches of paths."""

    def __init__(self, backbone: str, input_size: int, weights_choice: str):
        from . import backbones, embeddings
        from .models import build_base, image_front

        spec = backbones.get(backbone)

        def make_extractor():
            import keras

            base = build_base(spec, include_top=False, weights_choice=weights_choice,
                              input_size=input_size, pooling="avg")
            base.trainable = False
            inputs, features = image_front(spec, base, input_size, frozen=True)
            return keras.Model(inputs, features)

        cache = embeddings._Cache(embeddings.cache_key(backbone, input_size, weights_choice))
        from .inference import LiteRT

        run = embeddings._runner(make_extractor, cache.litert_file, no_progress)
        # One interpreter thread per CPU of this actor (see _Classifier).
        self.run = LiteRT(run.path, _actor_cpus()) if isinstance(run, LiteRT) else run
        self.size = input_size

    def __call__(self, batch: dict) -> dict:
        from .images import ImageError, load_for_model

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
    from . import embeddings

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
        dataset = _dataset(ray, rows).map_batches(
            _Embedder, fn_constructor_kwargs={"backbone": backbone, "input_size": input_size,
                                              "weights_choice": weights_choice},
            batch_size=batch_size, compute=_actor_pool(ray, workers), num_cpus=1,
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
