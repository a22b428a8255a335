"""bench_folder.py's speed and scale parts (run through bench_folder.py).

All in one run, each against a baseline measured in the same run:
- model: bare predictor calls on already decoded arrays (the ceiling);
- photos: the Folder job on 12 MP JPEGs vs the same photos at 256 px;
- batches: the Folder job and the bare model at batch 1, 8, 16, 32;
- int8: the Folder job with the int8 version vs float (agreement shown);
- ray: classify on a local Ray instance (1 and 2 workers) vs in-process.
"""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

TWELVE_MP = (4000, 3000)
SMALL = (341, 256)  # the same 4:3 photos with a 256 px short side
BATCHES = (1, 8, 16, 32)


def scale_parts(predictor, model_name: str, count: int, parts: set, make_images) -> None:
    from core.classify.folder import best_batch_size

    with tempfile.TemporaryDirectory() as tmp:
        small, big = _photo_sets(Path(tmp), count, make_images)
        batch = best_batch_size(predictor)
        ceiling = model_only(predictor, small, batch)
        print(f"\nmodel only (bare calls on decoded {predictor.input_size} px arrays, batch "
              f"{batch}): {ceiling:.0f} images/s  <- the ceiling")
        if "photos" in parts:
            photos_part(predictor, small, big, batch, ceiling)
        if "batches" in parts:
            batches_part(predictor, small)
        if "int8" in parts:
            int8_part(predictor, small, batch)
        if "ray" in parts:
            ray_part(predictor, model_name, small)


def _photo_sets(folder: Path, count: int, make_images) -> tuple[Path, Path]:
    """``count`` real photos as 12 MP JPEGs and as 256 px JPEGs (two folders)."""
    sources = make_images(folder / "sources", count)
    small, big = folder / "256px", folder / "12mp"
    small.mkdir()
    big.mkdir()
    for path in sources:
        bgr = cv2.imread(str(path))
        for target, size in ((big, TWELVE_MP), (small, SMALL)):
            cv2.imwrite(str(target / path.name),
                        cv2.resize(bgr, size, interpolation=cv2.INTER_CUBIC),
                        [cv2.IMWRITE_JPEG_QUALITY, 90])
    return small, big


def folder_rate(predictor, folder: Path, batch: int) -> float:
    from core.classify.folder import classify_folder

    got = []
    start = time.perf_counter()
    count = classify_folder(predictor, [folder], 5, batch, got.extend)
    elapsed = time.perf_counter() - start
    assert count == len(got) and not any(r.error for r in got)
    return count / elapsed


def model_only(predictor, folder: Path, batch: int, seconds: float = 3.0) -> float:
    """Images/s of bare calls on decoded arrays, on an interpreter of its own."""
    from core.images.decode import load_for_model

    decoded = [load_for_model(p, predictor.input_size) for p in sorted(folder.glob("*.jpg"))[:64]]
    images = np.stack((decoded * (64 // len(decoded) + 1))[:64])  # 64, repeating if fewer
    own = predictor.with_own_runtime()
    own.predict(images[:batch])
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for i in range(0, len(images) - batch + 1, batch):
            own.predict(images[i:i + batch])
            done += batch
    return done / (time.perf_counter() - start)


def _median_interleaved(runs: dict, rounds: int = 3) -> dict:
    """Each named run ``rounds`` times, interleaved (a shared machine's load
    hits them alike); the median rate of each."""
    rates = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            rates[name].append(run())
    return {name: statistics.median(values) for name, values in rates.items()}


def photos_part(predictor, small: Path, big: Path, batch: int, ceiling: float) -> None:
    folder_rate(predictor, small, batch)  # warm-up
    rates = _median_interleaved({"256": lambda: folder_rate(predictor, small, batch),
                                 "12mp": lambda: folder_rate(predictor, big, batch),
                                 "full": lambda: full_decode_rate(predictor, big, batch)})
    print(f"Folder job, 256 px JPEGs: {rates['256']:6.1f} images/s "
          f"({rates['256'] / ceiling:.0%} of the model's own speed)")
    print(f"Folder job, 12 MP JPEGs:  {rates['12mp']:6.1f} images/s "
          f"({rates['12mp'] / rates['256']:.0%} of the 256 px rate; target >= 60%)")
    print(f"Folder job, 12 MP JPEGs decoded in full (before): {rates['full']:6.1f} images/s "
          f"(reduced decode: {rates['12mp'] / rates['full']:.1f}x that)")
    print("decode + fit to the model, one thread, ms per image: "
          f"256 px {decode_ms(small, predictor.input_size):.1f}, "
          f"12 MP reduced {decode_ms(big, predictor.input_size):.1f}, "
          f"12 MP in full {decode_ms(big, predictor.input_size, full=True):.1f}")


def full_decode_rate(predictor, folder: Path, batch: int) -> float:
    """The Folder job as it was before reduced decoding: every file decoded in full."""
    from core.classify import folder as folder_module
    from core.images.decode import CROP_FRACTION, fit_square, load_rgb

    reduced = folder_module.load_for_model
    folder_module.load_for_model = (lambda path, size, budget=None, fraction=CROP_FRACTION:
                                    fit_square(load_rgb(path), size, fraction=fraction))
    try:
        return folder_rate(predictor, folder, batch)
    finally:
        folder_module.load_for_model = reduced


def decode_ms(folder: Path, size: int, full: bool = False, most: int = 20) -> float:
    from core.images.decode import fit_square, load_for_model, load_rgb

    files = sorted(folder.glob("*.jpg"))[:most]
    start = time.perf_counter()
    for path in files:
        fit_square(load_rgb(path), size) if full else load_for_model(path, size)
    return (time.perf_counter() - start) / len(files) * 1000


def batches_part(predictor, small: Path) -> None:
    runs = {}
    for batch in BATCHES:
        runs[f"job {batch}"] = lambda b=batch: folder_rate(predictor, small, b)
        runs[f"model {batch}"] = lambda b=batch: model_only(predictor, small, b, 1.5)
    rates = _median_interleaved(runs)
    base = rates["job 1"]
    print("batch size:  " + "  ".join(f"{b:>12}" for b in BATCHES))
    print("Folder job:  " + "  ".join(f"{rates[f'job {b}']:7.1f} {rates[f'job {b}'] / base:3.2f}x"
                                      for b in BATCHES) + "  images/s, x batch 1")
    print("model only:  " + "  ".join(f"{rates[f'model {b}']:12.1f}" for b in BATCHES))


def int8_part(predictor, small: Path, batch: int) -> None:
    from core.classify.int8 import int8_predictor, int8_version

    start = time.perf_counter()
    version = int8_version(predictor)
    made = time.perf_counter() - start
    fast = int8_predictor(predictor, version)
    folder_rate(fast, small, batch)  # warm-up
    rates = _median_interleaved({"float": lambda: folder_rate(predictor, small, batch),
                                 "int8": lambda: folder_rate(fast, small, batch),
                                 "float model": lambda: model_only(predictor, small, batch, 1.5),
                                 "int8 model": lambda: model_only(fast, small, batch, 1.5)})
    print(f"int8 ({made:.0f} s to make or load): {version.describe()}")
    print(f"Folder job float {rates['float']:.1f}, int8 {rates['int8']:.1f} images/s "
          f"({rates['int8'] / rates['float']:.2f}x); model only float "
          f"{rates['float model']:.1f}, int8 {rates['int8 model']:.1f} "
          f"({rates['int8 model'] / rates['float model']:.2f}x)")


def ray_part(predictor, model_name: str, small: Path, repeat: int = 4) -> None:
    from core.classify import folder, ray_engine

    files = sorted(small.glob("*.jpg")) * repeat
    start = time.perf_counter()
    ray = ray_engine.start(num_cpus=os.cpu_count())
    started = time.perf_counter() - start
    try:
        def on_ray(workers, steady=False):
            """Images/s from the call to the end, or (``steady``) from the first
            result to the last: without starting the actors and loading the model."""
            begin, first = time.perf_counter(), []

            def seen(fraction, message):
                if fraction > 0 and not first:
                    first.append((time.perf_counter(), round(fraction * len(files))))

            results = ray_engine.classify_files(model_name, files, workers=workers,
                                                progress=seen)
            end = time.perf_counter()
            assert len(results) == len(files) and not any(r.error for r in results)
            if steady:
                return (len(files) - first[0][1]) / (end - first[0][0])
            return len(files) / (end - begin)

        def here():
            begin = time.perf_counter()
            folder.classify_files(predictor, files, batch_size=folder.best_batch_size(predictor))
            return len(files) / (time.perf_counter() - begin)

        on_ray(1)  # warm-up: the code and model reach the workers' caches
        steady = {}

        def both(workers):
            rate = on_ray(workers)
            steady.setdefault(workers, []).append(on_ray(workers, steady=True))
            return rate

        rates = _median_interleaved({"here": here, "ray 1": lambda: both(1),
                                     "ray 2": lambda: both(2)})
    finally:
        ray.shutdown()
    print(f"Ray Data, local instance ({started:.1f} s to start), {len(files)} files of 256 px, "
          "each run starting its actors and loading the model once per actor:")
    print(f"in-process {rates['here']:.1f} images/s; Ray 1 worker {rates['ray 1']:.1f} "
          f"({rates['ray 1'] / rates['here']:.2f}x), 2 workers {rates['ray 2']:.1f} "
          f"({rates['ray 2'] / rates['here']:.2f}x)")
    flow = {w: statistics.median(v) for w, v in steady.items()}
    print(f"Ray once the actors are up (first result to last): 1 worker {flow[1]:.1f}, "
          f"2 workers {flow[2]:.1f} images/s ({flow[2] / flow[1]:.2f}x of 1 worker)")
