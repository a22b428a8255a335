"""Live per-frame latency vs the runtime's bare batch-1 call, in one run.

    python bench/bench_live.py [--seconds 10] [--model EfficientNetLite0]

A 640 x 480, 30 fps video made from scikit-image photos stands in for a
camera and plays in real time through core.classify.camera.classify_live (capture
thread, one-slot box, fit, model, top-k): the job the Live panel runs.
Its per-frame latency (frame taken -> predictions) is compared with
``predictor.predict`` on one already-fitted image, measured in the same run.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2  # noqa: E402
import numpy as np  # noqa: E402


def make_video(path: Path, seconds: float, fps: float = 30.0, size=(640, 480)) -> Path:
    """A video that pans slowly across scikit-image photos, one photo per second."""
    from skimage import data

    photos = [getattr(data, n)() for n in ("coffee", "chelsea", "astronaut", "rocket")]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    for n in range(int(seconds * fps)):
        rgb = photos[int(n // fps) % len(photos)]
        shift = int(n % fps) * 2  # a little motion, like a hand-held camera
        frame = cv2.resize(rgb[:, shift:rgb.shape[1] - 60 + shift], size)
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def bare_calls(predictor, runs: int = 150, every: float = 0.0) -> np.ndarray:
    """Milliseconds per ``predictor.predict`` of one fitted image (the runtime alone).

    ``every`` > 0 paces the calls like frames arriving every ``every`` seconds,
    so the runtime sees the same duty cycle as in the live run.
    """
    size = predictor.input_size
    image = np.random.default_rng(0).integers(0, 255, (1, size, size, 3), dtype=np.uint8)
    predictor.predict(image)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        predictor.predict(image)
        times.append((time.perf_counter() - start) * 1000)
        time.sleep(max(0.0, every - (time.perf_counter() - start)))
    return np.array(times)


def live_run(predictor, video: Path):
    from core.classify.camera import Capture, LiveSettings, classify_live

    results = []
    ended = classify_live(Capture(video), LiveSettings(predictor, k=5), results.append)
    return ended, results[5:]  # the first frames warm the runtime up


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--model", default="EfficientNetLite0")
    args = parser.parse_args()

    from core.runtime.loading import load_predictor

    predictor = load_predictor(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        video = make_video(Path(tmp) / "camera.avi", args.seconds)
        # Bare calls before and after the live run, so that all three see the
        # same load on a shared machine.
        before = bare_calls(predictor, 75), bare_calls(predictor, every=1 / 30)
        ended, results = live_run(predictor, video)
        after = bare_calls(predictor, every=1 / 30), bare_calls(predictor, 75)
    back_to_back = np.concatenate([before[0], after[1]])
    bare = np.concatenate([before[1], after[0]])
    latency = np.array([r.latency_ms for r in results])
    age = np.array([r.age_ms for r in results])
    print(f"model: {predictor.description}, runtime: {predictor.runtime}, "
          f"{os.cpu_count()} CPU cores")
    print(f"video: {args.seconds:.0f} s of 640x480 at 30 fps, played in real time; {ended.message}")
    print(f"bare batch-1 predict, back to back:   median {np.median(back_to_back):6.2f} ms   "
          f"p90 {np.percentile(back_to_back, 90):6.2f} ms   ({len(back_to_back)} calls, "
          "before and after)")
    print(f"bare batch-1 predict, paced at 30/s:  median {np.median(bare):6.2f} ms   "
          f"p90 {np.percentile(bare, 90):6.2f} ms   ({len(bare)} calls, before and after)")
    print(f"live per-frame latency:               median {np.median(latency):6.2f} ms   "
          f"p90 {np.percentile(latency, 90):6.2f} ms   ({len(results)} frames)")
    print(f"capture-to-result age:                median {np.median(age):6.2f} ms   "
          f"p90 {np.percentile(age, 90):6.2f} ms")
    print(f"frames classified: {results[-1].fps:.1f} per second, {results[-1].dropped} dropped "
          "(newest frame wins)")
    print("load average (1, 5, 15 min) at the end: "
          + ", ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores")
    print(f"ratio: {np.median(latency) / np.median(bare):.2f}x the paced bare call, "
          f"{np.median(latency) / np.median(back_to_back):.2f}x the back-to-back one "
          "(target within 1.5x)")


if __name__ == "__main__":
    main()
