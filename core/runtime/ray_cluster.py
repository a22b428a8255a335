"""A Ray session and its actor pools: what the folder job on Ray
(core.classify.ray_engine) and the embedding pass on Ray
(core.teach.ray_embeddings) share.

Without an address a local Ray instance is started for the run (and shut
down after); with one, the run joins that cluster. The app's code travels to
the workers as the job's working directory; the images and any model bundle
are read by path, so workers must see the same paths (docs/SCALING.md).
Ray is optional: :func:`import_ray` says how to install it.
"""
from __future__ import annotations

import contextlib
import logging
import os
import socket
from typing import Iterator

from core.base import paths

RAY_MISSING = ("--engine ray needs Ray Data, which is not installed here; install it with "
               "`pip install -r requirements-scale.txt` (or `pip install \"ray[data]\"`).")
# What the workers need of the app: its code and resources, not the rest.
_NOT_SHIPPED = [".venv", ".git", "docs", "tests", "bench", "scripts", "build", "dist",
                "**/__pycache__", "*.tflite", "*.keras"]
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
        raise RayUnavailable(f"Could not reach the Ray cluster at {address} "
                             f"({exc.strerror or exc}): "
                             "check the address and that `ray start --head` runs there.") from None


def ordered_dataset(ray, rows: list[dict]):
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True  # results in input order
    context.enable_progress_bars = False  # our own progress line instead
    return ray.data.from_items(rows)


def actor_pool(ray, workers: int | None):
    """``workers`` actors, default one per CPU of the cluster."""
    size = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
    return ray.data.ActorPoolStrategy(size=size)


def actor_cpus() -> int:
    import ray

    return max(1, int(ray.get_runtime_context().get_assigned_resources().get("CPU", 1)))
