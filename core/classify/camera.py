"""Frame sources for live classification: a camera (device index) or a video file.

One capture thread reads the source into a one-slot :class:`LatestFrame` box;
the newest frame replaces any frame nobody has taken yet, so whoever
classifies frames is never more than one frame behind however slow the model
is (frames are dropped, never queued). How a source stops, a video that ends
or a camera that vanishes, reaches the consumer as a :class:`SourceEnded`
carrying a sentence, never as a hang.

:func:`classify_live` is the long job the Live panel runs on its own thread:
it drives a :class:`Capture` and classifies the newest frame each time.
"""
from __future__ import annotations

import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import cv2
import numpy as np

from core.base import faults
from core.base.jobs import Progress, ShouldStop, check_stop, never_stop, no_progress
from core.images.decode import fit_square
from core.runtime.inference import Prediction, top_k

DEFAULT_VIDEO_FPS = 30.0


class CameraError(faults.UserFault):
    """A source could not be opened. ``str(error)`` is the user's sentence."""


@dataclass(frozen=True)
class Frame:
    """One frame: ``image`` is (H, W, 3) RGB uint8; ``captured`` is time.monotonic()."""

    image: np.ndarray
    index: int
    captured: float


@dataclass(frozen=True)
class SourceEnded:
    """Why a source stopped: ``reason`` is "ended", "lost", "error" or "stopped"."""

    reason: str
    message: str


def describe_source(source) -> str:
    """The words for a source in messages: "camera 0" or the video's file name."""
    return f"camera {source}" if isinstance(source, int) else f"'{Path(source).name}'"


def camera_indices(device_folder: Path = Path("/dev")) -> list[int] | None:
    """The camera numbers this computer has, where it can tell without opening one: on
    Linux each camera is a ``/dev/videoN`` file (a camera may have two, one for metadata).
    None where it cannot tell (Windows, macOS): then any number may be tried."""
    if not sys.platform.startswith("linux"):
        return None
    names = (p.name[len("video"):] for p in device_folder.glob("video*"))
    return sorted(int(n) for n in names if n.isdigit())


class LatestFrame:
    """A one-slot box: :meth:`put` replaces the waiting frame, :meth:`take` empties it."""

    def __init__(self):
        self._cond = threading.Condition()
        self._frame: Frame | None = None
        self._ended: SourceEnded | None = None
        self.dropped = 0  # frames replaced before anyone took them

    def put(self, frame: Frame) -> None:
        with self._cond:
            if self._frame is not None:
                self.dropped += 1
            self._frame = frame
            self._cond.notify_all()

    def end(self, event: SourceEnded) -> None:
        """Mark the source finished; the first reason given is kept."""
        with self._cond:
            if self._ended is None:
                self._ended = event
            self._cond.notify_all()

    @property
    def ended(self) -> SourceEnded | None:
        return self._ended

    def take(self, timeout: float | None = None) -> Frame | None:
        """The newest frame, waiting up to ``timeout`` seconds for one.

        Returns None on timeout or once the source has ended and the last
        frame has been taken (then :attr:`ended` says why).
        """
        with self._cond:
            self._cond.wait_for(lambda: self._frame is not None or self._ended is not None,
                                timeout)
            frame, self._frame = self._frame, None
            return frame


class Capture:
    """Reads one source on its own thread into :attr:`box`.

    ``source`` is a device index (int) or a video file path. Video files are
    played at their own frame rate (``realtime``) so that a file behaves like
    a camera. A camera that returns no frame for ``lost_after`` seconds is
    reported lost. ``opener`` makes the capture object (cv2.VideoCapture;
    tests pass a fake one).
    """

    def __init__(self, source, opener: Callable = cv2.VideoCapture, realtime: bool = True,
                 lost_after: float = 2.0):
        self.source = source
        self.is_file = not isinstance(source, int)
        self.box = LatestFrame()
        self._opener, self._realtime, self._lost_after = opener, realtime, lost_after
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._thread: threading.Thread | None = None
        self.fps = 0.0  # the source's own rate, once opened

    @property
    def paused(self) -> bool:
        return self._paused.is_set()

    @paused.setter
    def paused(self, value: bool) -> None:
        (self._paused.set if value else self._paused.clear)()

    def start(self) -> None:
        """Open the source and read it on a new thread; returns at once."""
        self._thread = threading.Thread(target=self._run, name="capture", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop reading and release the source (waits up to ``timeout`` seconds)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        self.box.end(SourceEnded("stopped", f"Stopped reading {describe_source(self.source)}."))

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _open(self):
        source = str(self.source) if self.is_file else self.source
        if self.is_file and not Path(source).is_file():
            raise CameraError(f"The video {describe_source(self.source)} does not exist.")
        capture = self._opener(source)
        if not capture.isOpened():
            capture.release()
            if self.is_file:
                raise CameraError(f"{describe_source(self.source)} could not be opened as a "
                                  "video (corrupt or a format this app cannot read).")
            raise CameraError(f"Camera {self.source} could not be opened: check that it is "
                              "connected and not in use by another app, or pick another number.")
        return capture

    def _run(self) -> None:
        try:
            capture = self._open()
        except CameraError as exc:
            self.box.end(SourceEnded("error", str(exc)))
            return
        try:
            self.fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
            self.box.end(self._read_loop(capture))
        finally:
            capture.release()

    def _read_loop(self, capture) -> SourceEnded:
        period = 1.0 / (self.fps if 1.0 <= self.fps <= 240.0 else DEFAULT_VIDEO_FPS)
        index, due, last_good = 0, time.monotonic(), time.monotonic()
        while not self._stop.is_set():
            if self.is_file and self.paused:
                self._stop.wait(0.02)  # a paused video keeps its place
                due = time.monotonic()
                continue
            ok, bgr = capture.read()
            now = time.monotonic()
            if not ok or bgr is None:
                if self.is_file:
                    return SourceEnded("ended", f"The video {describe_source(self.source)} "
                                                f"ended after {index} frames.")
                if now - last_good > self._lost_after:
                    return SourceEnded("lost", f"Camera {self.source} stopped sending frames: it "
                                               "may have been unplugged or taken by another app.")
                self._stop.wait(0.01)
                continue
            last_good = now
            if not self.paused:  # a paused camera is still drained, so it resumes fresh
                self.box.put(Frame(_to_rgb(bgr), index, now))
            index += 1
            if self.is_file and self._realtime:
                due += period
                self._stop.wait(max(0.0, due - time.monotonic()))
        return SourceEnded("stopped", f"Stopped reading {describe_source(self.source)}.")


def _to_rgb(bgr: np.ndarray) -> np.ndarray:
    if bgr.ndim == 2:
        return cv2.cvtColor(bgr, cv2.COLOR_GRAY2RGB)
    return cv2.cvtColor(bgr, cv2.COLOR_BGRA2RGB if bgr.shape[2] == 4 else cv2.COLOR_BGR2RGB)


# --------------------------------------------------------------------------
# Live classification


@dataclass
class LiveSettings:
    """What the GUI may change while :func:`classify_live` runs.

    Plain attributes read once per frame: assigning a new ``predictor``
    switches models without stopping the source.
    """

    predictor: object
    k: int = 5
    threshold: float = 0.0


@dataclass(frozen=True)
class LiveResult:
    """One classified frame.

    ``latency_ms``: from taking the frame to its predictions (fit + model +
    top-k). ``age_ms``: from the frame's capture to its predictions (adds the
    time it waited in the box). ``fps``: frames classified per second lately.
    ``dropped``: frames the source replaced before they could be classified.
    ``predictor``: the model that classified it (a view drops a frame of a
    model it no longer shows).
    """

    frame: Frame
    predictions: list[Prediction]
    latency_ms: float
    age_ms: float
    fps: float
    dropped: int
    predictor: object = None


@dataclass
class _Rate:
    """Events per second over the last ``window`` events."""

    window: int = 30
    times: deque = field(default_factory=deque)

    def tick(self, now: float) -> float:
        self.times.append(now)
        if len(self.times) > self.window:
            self.times.popleft()
        span = self.times[-1] - self.times[0]
        return (len(self.times) - 1) / span if span > 0 else 0.0


def newest_frames(capture: Capture, should_stop: ShouldStop) -> Iterator[Frame]:
    """Start ``capture`` and yield its newest frame each time, until the source ends.

    Always stops ``capture``. Afterwards ``capture.box.ended`` says why it
    ended; raises :class:`CameraError` if the source failed and ``Cancelled``
    when ``should_stop()``.
    """
    capture.start()
    try:
        while True:
            check_stop(should_stop)
            frame = capture.box.take(timeout=0.05)
            if frame is not None:
                yield frame
                continue
            ended = capture.box.ended
            if ended is not None and ended.reason == "error":
                raise CameraError(ended.message)
            if ended is not None:
                return
    finally:
        capture.stop()


def capture_frames(capture: Capture, save, every: int, snap: threading.Event, on_frame,
                   progress: Progress = no_progress,
                   should_stop: ShouldStop = never_stop) -> str:
    """Save frames of ``capture`` with ``save(rgb)`` until its source ends.

    ``every`` > 0 saves one frame in ``every`` (counted on the source's frame
    numbers, so frames dropped while saving do not shift it); ``every`` 0
    saves the next frame each time ``snap`` is set. ``on_frame((rgb, saved,
    kept))`` is called for every frame taken (the preview); ``kept`` is what
    ``save`` returned for that frame, or None. Returns the sentence for the
    end of the source; raises :class:`CameraError` when it cannot be opened
    and ``Cancelled`` when ``should_stop()``.
    """
    saved, next_index = 0, 0
    for frame in newest_frames(capture, should_stop):
        kept = None
        if frame.index >= next_index if every else snap.is_set():
            snap.clear()
            kept = save(frame.image)
            saved, next_index = saved + 1, frame.index + max(1, every)
            progress(0.0, f"Saved {saved} frames")
        on_frame((frame.image, saved, kept))
    return f"{capture.box.ended.message} Saved {saved} frames."


def classify_frame(predictor, frame: Frame, k: int, threshold: float) -> list[Prediction]:
    """Top-k predictions for one frame, fitted the way the model was evaluated."""
    image = fit_square(frame.image, predictor.input_size, fraction=predictor.crop_fraction)
    return top_k(predictor.predict_one(image), predictor.class_names, k, threshold)


def classify_live(capture: Capture, settings: LiveSettings,
                  on_result: Callable[[LiveResult], None],
                  progress: Progress = no_progress,
                  should_stop: ShouldStop = never_stop) -> SourceEnded:
    """Classify the newest frame of ``capture`` until its source ends.

    Starts and always stops ``capture``. Returns the :class:`SourceEnded`
    (a video that ended, a camera that vanished); raises :class:`CameraError`
    if the source cannot be opened and ``Cancelled`` when ``should_stop()``.
    """
    rate = _Rate()
    for frame in newest_frames(capture, should_stop):
        start = time.monotonic()
        predictor = settings.predictor  # read once: the GUI may switch it meanwhile
        predictions = classify_frame(predictor, frame, settings.k, settings.threshold)
        done = time.monotonic()
        on_result(LiveResult(frame, predictions, (done - start) * 1000,
                             (done - frame.captured) * 1000, rate.tick(done),
                             capture.box.dropped, predictor))
    return capture.box.ended
