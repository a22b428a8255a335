"""Folder throughput: the app's pipeline vs the textbook loop, on the same 500 images.

    python bench/bench_folder.py [--images 500] [--model EfficientNetLite0]
                                 [--parts naive,photos,batches,int8,ray] [--photos 150]

The naive loop is what tutorials show: ``cv2.imread`` + resize +
``model.predict`` one image at a time on the Keras model. The app's pipeline
is what the Folder panel runs (core.classify.folder.classify_folder: decoding in
a thread pool ahead of the model, the batch size its runtime likes best).
Both read the same files and use the same weights.

The other parts, in the same run, against the model's own speed (bare calls
on decoded arrays: the ceiling any pipeline can reach): 12 MP phone JPEGs vs
the same photos at 256 px (target: at least 60%), batch sizes 1/8/16/32,
int8 vs float, and Ray Data on a local instance vs in-process (1 and 2
workers). Each prints ratios against a baseline measured in this run.
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

PHOTOS = ("coffee", "chelsea", "astronaut", "rocket", "cat", "motorcycle_left")


def make_images(folder: Path, count: int, seed: int = 0) -> list[Path]:
    """``count`` JPEGs cut from scikit-image's real photos: random crops, flips, sizes."""
    from skimage import data

    sources = [data.stereo_motorcycle()[0] if n == "motorcycle_left" else getattr(data, n)()
               for n in PHOTOS]
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        rgb = sources[n % len(sources)]
        h, w = rgb.shape[:2]
        ch, cw = int(h * rng.uniform(0.6, 1.0)), int(w * rng.uniform(0.6, 1.0))
        y, x = rng.integers(0, h - ch + 1), rng.integers(0, w - cw + 1)
        crop = rgb[y:y + ch, x:x + cw]
        if rng.random() < 0.5:
            crop = crop[:, ::-1]
        scale = rng.uniform(0.8, 1.6)
        crop = cv2.resize(crop, (int(cw * scale), int(ch * scale)))
        path = folder / f"{n:04d}.jpg"
        cv2.imwrite(str(path), cv2.cvtColor(crop, cv2.COLOR_RGB2BGR),
                    [cv2.IMWRITE_JPEG_QUALITY, 90])
        paths.append(path)
    return paths


def naive_loop(model, files: list[Path], size: int) -> float:
    """The textbook snippet: imread, resize, model.predict, one image at a time."""
    start = time.perf_counter()
    for path in files:
        bgr = cv2.imread(str(path))
        rgb = cv2.cvtColor(cv2.resize(bgr, (size, size)), cv2.COLOR_BGR2RGB)
        model.predict(rgb[None], verbose=0)
    return time.perf_counter() - start


def app_pipeline(predictor, paths: list[str]) -> tuple[float, int]:
    from core.base.jobs import never_stop, no_progress
    from core.classify.folder import best_batch_size, classify_folder

    got = []
    start = time.perf_counter()
    count = classify_folder(predictor, paths, 5, best_batch_size(predictor), got.extend,
                            no_progress, never_stop, threshold=0.0)
    elapsed = time.perf_counter() - start
    assert count == len(got) and not any(r.error for r in got)
    return elapsed, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=500)
    parser.add_argument("--model", default="EfficientNetLite0")
    parser.add_argument("--parts", default="naive,photos,batches,int8,ray")
    parser.add_argument("--photos", type=int, default=150,
                        help="photos for the 12 MP / batch / int8 / Ray parts")
    args = parser.parse_args()

    from core.runtime.loading import load_predictor
    from core.runtime.runners import device_description

    predictor = load_predictor(args.model)
    parts = set(args.parts.split(","))
    print(f"model: {predictor.description}, runtime: {predictor.runtime}, "
          f"device: {device_description()}, {os.cpu_count()} CPU cores")
    if "naive" in parts:
        naive_vs_app(predictor, args.images)
    if parts - {"naive"}:
        from bench_folder_scale import scale_parts

        scale_parts(predictor, args.model, args.photos, parts, make_images)
    print("load average (1, 5, 15 min) at the end: "
          + ", ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores")


def naive_vs_app(predictor, images: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        files = make_images(Path(tmp) / "images", images)
        size = predictor.input_size
        # Warm both paths up (graph tracing, thread pools) on a few files first.
        naive_loop(predictor.model, files[:3], size)
        app_pipeline(predictor, [str(f) for f in files[:32]])
        # The machine is shared: interleave the runs so that both see the same load
        # (app, first half naive, app, second half naive, app; the app's median).
        half = len(files) // 2
        app_runs = [app_pipeline(predictor, [str(files[0].parent)])]
        naive_time = naive_loop(predictor.model, files[:half], size)
        app_runs.append(app_pipeline(predictor, [str(files[0].parent)]))
        naive_time += naive_loop(predictor.model, files[half:], size)
        app_runs.append(app_pipeline(predictor, [str(files[0].parent)]))
    app_time, count = sorted(app_runs)[1]
    app_rate, naive_rate = count / app_time, len(files) / naive_time
    print(f"images: {len(files)} JPEGs cropped/flipped from scikit-image photos")
    print(f"naive loop (cv2.imread + model.predict, batch 1): {naive_time:6.1f} s  "
          f"{naive_rate:7.1f} images/s")
    print(f"app pipeline (Folder panel job), median of 3:     {app_time:6.1f} s  "
          f"{app_rate:7.1f} images/s  (runs: "
          + ", ".join(f"{n / t:.0f}" for t, n in app_runs) + " images/s)")
    print(f"ratio: {app_rate / naive_rate:.1f}x (target >= 10x)")


if __name__ == "__main__":
    main()
