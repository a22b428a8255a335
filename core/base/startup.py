"""Start-up progress that moves: TensorFlow's import and the first model load,
each drawn against how long it took on this computer last time.

Importing TensorFlow is one blocking call (2-13 s here) with no progress of
its own, so :func:`ticking` moves the bar along a curve that approaches, but
never claims, the step's end while the call runs. The expected time is the
step's own last duration, remembered in ``<data folder>/startup.json``.
"""
from __future__ import annotations

import contextlib
import gc
import math
import sys
import threading
import time

from core.base import paths
from core.base.jobs import Progress, no_progress

IMPORT_SHARE = 0.6  # of the bar, for importing TensorFlow (the rest: the model)
DEFAULT_SECONDS = {"import": 3.0, "build": 1.5}


def _record_file():
    return paths.data_home() / "startup.json"


def _expected(step: str) -> float:
    try:
        return float(paths.read_record(_record_file())[step])
    except (KeyError, TypeError, ValueError):
        return DEFAULT_SECONDS[step]


def _remember(step: str, seconds: float) -> None:
    with contextlib.suppress(OSError):  # a read-only data folder only loses the estimate
        paths.update_record(_record_file(), step, round(seconds, 2))


@contextlib.contextmanager
def ticking(progress: Progress, start: float, end: float, step: str, message: str):
    """Report ``start``..``end`` while the body runs, paced by ``step``'s last duration.

    After the expected time the bar stands at 63% of the way, after twice
    that at 86%: it slows down rather than stop, and never reaches ``end``.
    """
    expected, began, done = _expected(step), time.monotonic(), threading.Event()

    def tick() -> None:
        while not done.wait(0.1):
            share = 1 - math.exp(-(time.monotonic() - began) / expected)
            progress(start + (end - start) * share, message)

    progress(start, message)
    thread = threading.Thread(target=tick, name=f"progress-{step}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
    _remember(step, time.monotonic() - began)


def import_tensorflow(progress: Progress = no_progress) -> None:
    """Import TensorFlow and Keras (once), then freeze their objects out of the GC's sight.

    The import leaves about 360,000 long-lived objects; without the freeze
    every full collection walks them and stalls the window for ~300 ms.
    """
    if "keras" in sys.modules:
        return
    with ticking(progress, 0.02, IMPORT_SHARE, "import", "Loading TensorFlow"):
        import keras  # noqa: F401
        import tensorflow  # noqa: F401
    gc.freeze()
