"""Frame sources: a video file written from real photos stands in for a camera."""
from __future__ import annotations

import threading
import time

import cv2
import numpy as np
import pytest

from core.base.jobs import Cancelled
from core.classify.camera import (
    CameraError,
    Capture,
    Frame,
    LatestFrame,
    LiveSettings,
    SourceEnded,
    classify_live,
)
from core.images.decode import load_rgb


def write_video(path, images, repeat: int, fps: float = 30.0, size=(320, 240)):
    """An MJPG video showing each RGB image for ``repeat`` frames."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    assert writer.isOpened()
    for rgb in images:
        bgr = cv2.cvtColor(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2BGR)
        for _ in range(repeat):
            writer.write(bgr)
    writer.release()
    return path


@pytest.fixture(scope="module")
def video(photos, tmp_path_factory):
    """Coffee for 12 frames, then chelsea for 12 frames, at 30 fps."""
    path = tmp_path_factory.mktemp("video") / "photos.avi"
    return write_video(path, [load_rgb(photos["coffee"]), load_rgb(photos["chelsea"])], 12)


class FakeCamera:
    """A cv2.VideoCapture look-alike that sends ``frames`` frames, then nothing."""

    def __init__(self, frames: int, opened: bool = True):
        self.frames, self.opened, self.sent, self.released = frames, opened, 0, False

    def isOpened(self):
        return self.opened

    def get(self, prop):
        return 0.0

    def read(self):
        time.sleep(0.005)  # a camera blocks until its next frame
        if self.sent >= self.frames:
            return False, None
        self.sent += 1
        return True, np.full((48, 64, 3), self.sent % 255, np.uint8)

    def release(self):
        self.released = True


def frame(n: int) -> Frame:
    return Frame(np.zeros((2, 2, 3), np.uint8), n, time.monotonic())


def test_latest_frame_keeps_only_the_newest():
    box = LatestFrame()
    for n in range(3):
        box.put(frame(n))
    assert box.take(0).index == 2
    assert box.dropped == 2
    assert box.take(0) is None  # emptied: nothing queued behind it
    box.put(frame(3))
    box.end(SourceEnded("ended", "done"))
    assert box.take(0).index == 3  # the last frame is still delivered
    assert box.take(0) is None and box.ended.reason == "ended"


def test_a_video_file_plays_to_its_end(video):
    capture = Capture(video, realtime=False)
    capture.start()
    indices = []
    while (got := capture.box.take(timeout=2)) is not None:
        indices.append(got.index)
        assert got.image.shape == (240, 320, 3) and got.image.dtype == np.uint8
    assert capture.box.ended.reason == "ended"
    assert "photos.avi" in capture.box.ended.message and "24 frames" in capture.box.ended.message
    assert indices[-1] == 23 and indices == sorted(indices)
    capture.stop()
    assert not capture.is_alive()


def test_live_classification_of_a_video(video, default_predictor):
    results = []
    ended = classify_live(Capture(video), LiveSettings(default_predictor, k=3), results.append)
    assert ended.reason == "ended"
    assert len(results) >= 12  # played in real time: most frames are classified
    first, last = results[0], results[-1]
    assert first.predictions[0].label == "espresso"
    assert last.predictions[0].label in {"tabby", "tiger cat", "Egyptian cat"}
    assert all(len(r.predictions) == 3 and r.latency_ms > 0 for r in results)
    assert results[-1].fps > 5


def test_newest_frame_wins_when_the_model_is_slow(video, default_predictor):
    class Slow:
        input_size, class_names = default_predictor.input_size, default_predictor.class_names
        crop_fraction = default_predictor.crop_fraction

        def predict_one(self, image):
            time.sleep(0.1)
            return default_predictor.predict_one(image)

    results = []
    ended = classify_live(Capture(video), LiveSettings(Slow()), results.append)
    assert ended.reason == "ended"
    assert results[-1].dropped > 5  # frames were skipped, not queued...
    assert max(r.age_ms for r in results) < 300  # ...so no result is more than ~2 frames old


def test_a_camera_that_vanishes_is_reported():
    camera = FakeCamera(frames=5)
    results = []
    capture = Capture(0, opener=lambda source: camera, lost_after=0.2)
    ended = classify_live(capture, LiveSettings(_Echo()), results.append)
    assert ended.reason == "lost"
    assert ended.message.startswith("Camera 0 stopped sending frames")
    assert results and camera.released


def test_sources_that_cannot_open_raise_a_sentence(tmp_path):
    with pytest.raises(CameraError, match="Camera 3 could not be opened"):
        classify_live(Capture(3, opener=lambda s: FakeCamera(0, opened=False)),
                      LiveSettings(_Echo()), lambda r: None)
    with pytest.raises(CameraError, match="does not exist"):
        classify_live(Capture(tmp_path / "nope.mp4"), LiveSettings(_Echo()), lambda r: None)
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video at all" * 100)
    with pytest.raises(CameraError, match="could not be opened as a video"):
        classify_live(Capture(junk), LiveSettings(_Echo()), lambda r: None)


def test_stopping_cancels_promptly_and_releases_the_source():
    camera = FakeCamera(frames=10**6)
    capture = Capture(0, opener=lambda source: camera)
    stop = threading.Event()
    results = []

    def on_result(result):
        results.append(result)
        if len(results) == 3:
            stop.set()

    start = time.monotonic()
    with pytest.raises(Cancelled):
        classify_live(capture, LiveSettings(_Echo()), on_result, should_stop=stop.is_set)
    assert time.monotonic() - start < 1.0
    assert camera.released and not capture.is_alive()


def test_a_paused_video_keeps_its_place(video):
    capture = Capture(video)
    capture.paused = True
    capture.start()
    assert capture.box.take(timeout=0.3) is None  # nothing while paused
    capture.paused = False
    assert capture.box.take(timeout=2).index == 0  # resumes at the first frame
    capture.stop()
    assert not capture.is_alive()


class _Echo:
    """A stand-in predictor: two classes, scored by mean brightness."""

    input_size, crop_fraction = 8, 1.0
    class_names = ["dark", "bright"]

    def predict_one(self, image):
        bright = float(image.mean()) / 255
        return np.array([1 - bright, bright], np.float32)
