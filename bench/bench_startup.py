"""Answers in a blink: whole processes, the app against what a competent user would write.

    python bench/bench_startup.py [--bundle FOLDER] [--runs 5] [--photos 150]
                                  [--parts one,backbone,window,photos,ray] [--ray-images 500]

Every figure is a whole process (start to exit) with its peak RSS, measured in
this run, as a ratio to a baseline measured in the same run:
- one: one image, `main.py classify` with a bundle (warm cache) vs a 15-line
  script: ai_edge_litert Interpreter + OpenCV decode/crop/resize of the same
  image with the bundle's own model.tflite (target <= 1.5x time, <= 2x RSS);
  the same command with BACKBONE_STUDIO_INSTANT=0 (the TensorFlow path) beside it;
- backbone: one image with the built-in default backbone, warm cache (<= 2x);
- window: window start to the default model ready, as a ratio to the
  window-visible time (offscreen Qt; target: ready <= 1.5 s on a quiet machine);
- photos: ``--photos`` 12 MP photos, the whole `classify` process vs a tf.data +
  ``model.predict(batch 32)`` script on the bundle's model.keras (target >= 2x);
- ray: ``--engine ray`` on ``--ray-images`` images, time to the first result and
  total, with and without the TensorFlow path in the actors.
Without ``--bundle`` a small EfficientNet-Lite0 bundle is trained on the bundled
Fashion-MNIST samples (about a minute, once: it is kept in the app's cache folder).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

BASELINE = '''
import sys, cv2, numpy as np
from ai_edge_litert.interpreter import Interpreter
model, image = sys.argv[1], sys.argv[2]
interpreter = Interpreter(model_path=model)
inp = interpreter.get_input_details()[0]
size = int(inp["shape"][1])
interpreter.resize_tensor_input(inp["index"], [1, size, size, 3])
interpreter.allocate_tensors()
rgb = cv2.cvtColor(cv2.imread(image), cv2.COLOR_BGR2RGB)
h, w = rgb.shape[:2]
side = int(min(h, w) * 0.875)
y, x = (h - side) // 2, (w - side) // 2
rgb = cv2.resize(rgb[y:y + side, x:x + side], (size, size), interpolation=cv2.INTER_AREA)
interpreter.set_tensor(inp["index"], rgb[None].astype(inp["dtype"]))
interpreter.invoke()
print(int(interpreter.get_tensor(interpreter.get_output_details()[0]["index"])[0].argmax()))
'''

TF_DATA = '''
import sys, keras, numpy as np, tensorflow as tf
model = keras.saving.load_model(sys.argv[1])
size = int(model.input_shape[1])
files = tf.data.Dataset.list_files(sys.argv[2] + "/*.jpg", shuffle=False)
def load(path):
    image = tf.io.decode_jpeg(tf.io.read_file(path), channels=3)
    return tf.cast(tf.image.resize_with_crop_or_pad(tf.image.resize(image, (size, size),
           preserve_aspect_ratio=True), size, size), tf.uint8)
data = files.map(load, num_parallel_calls=tf.data.AUTOTUNE).batch(32).prefetch(2)
print(model.predict(data, verbose=0).argmax(1)[:3])
'''

WINDOW = '''
import os, sys, time
import psutil
started = psutil.Process().create_time()
from PySide6.QtCore import QTimer
from gui.app import make_app
from gui.main_window import MainWindow
app = make_app()
window = MainWindow()
window.show()
app.processEvents()
visible = time.time() - started
def ready(predictor):
    print(f"{visible:.3f} {time.time() - started:.3f} {predictor.runtime}", flush=True)
    app.quit()
window.models.changed.connect(ready)
QTimer.singleShot(50, window.load_initial_model)
app.exec()
'''


LAUNCHER = """
import os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss / 1024, status, file=sys.stderr)
"""


def run(argv, env=None) -> tuple[float, float, str]:
    """(seconds, peak RSS MB, stdout) of one whole process. A small launcher starts it:
    a child forked from this (big) process would report this one's peak as its own."""
    process = subprocess.run([sys.executable, "-c", LAUNCHER, *argv], capture_output=True,
                             env={**os.environ, **(env or {})}, cwd=ROOT, text=True)
    seconds, rss, status = process.stderr.split()[-3:]
    if int(status):
        raise RuntimeError(f"{argv[:4]} exited with status {status}")
    return float(seconds), float(rss), process.stdout


def timed(label, argv, runs, env=None) -> tuple[float, float]:
    """Median seconds and median peak RSS over ``runs`` runs (one warm-up run first)."""
    run(argv, env)
    results = [run(argv, env) for _ in range(runs)]
    seconds = [r[0] for r in results]
    rss = statistics.median(r[1] for r in results)
    print(f"  {label:<44} {statistics.median(seconds):6.2f} s (min {min(seconds):.2f}, "
          f"max {max(seconds):.2f})  peak RSS {rss:5.0f} MB")
    return statistics.median(seconds), rss


def ratio(label, value, base, target) -> None:
    print(f"  -> {label}: {value / base:.2f}x the baseline (target {target})")


def classify_argv(model, *images):
    return [sys.executable, "main.py", "classify", "--model", str(model), "--format", "json",
            *map(str, images)]


def one_image(bundle: Path, image: Path, runs: int) -> None:
    print(f"\none image, whole process, {runs} runs each (median):")
    base_t, base_m = timed("baseline script (LiteRT + OpenCV)",
                           [sys.executable, "-c", BASELINE, str(bundle / "model.tflite"),
                            str(image)], runs)
    app_t, app_m = timed("main.py classify --model BUNDLE", classify_argv(bundle, image), runs)
    old_t, old_m = timed("the same, BACKBONE_STUDIO_INSTANT=0",
                         classify_argv(bundle, image), runs, {"BACKBONE_STUDIO_INSTANT": "0"})
    ratio("time", app_t, base_t, "<= 1.5x")
    ratio("peak RSS", app_m, base_m, "<= 2x")
    ratio("time through TensorFlow", old_t, base_t, "the 'before'")
    ratio("peak RSS through TensorFlow", old_m, base_m, "the 'before'")


def backbone(image: Path, runs: int) -> None:
    from core.models.backbones import DEFAULT_BACKBONE
    from core.runtime.instant import backbone_key
    from core.runtime.runners import litert_cache_path

    print(f"\none image with the built-in {DEFAULT_BACKBONE}, warm cache:")
    argv = classify_argv(DEFAULT_BACKBONE, image)
    app_t, _ = timed("main.py classify (default backbone)", argv, runs)
    from core.models import backbones

    file = litert_cache_path(backbone_key(backbones.get(DEFAULT_BACKBONE)))
    base_t, _ = timed("baseline script on its cached LiteRT file",
                      [sys.executable, "-c", BASELINE, str(file), str(image)], runs)
    ratio("time", app_t, base_t, "<= 2x")


def window(runs: int) -> None:
    print("\nwindow start to the default model ready (offscreen), warm cache:")
    env = {"QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as config:
        env["XDG_CONFIG_HOME"] = config  # the default model, not the last one used here
        rows = [run([sys.executable, "-c", WINDOW], env)[2].split() for _ in range(runs + 1)][1:]
    visible = statistics.median(float(r[0]) for r in rows)
    ready = statistics.median(float(r[1]) for r in rows)
    print(f"  window visible {visible:.2f} s, model ready {ready:.2f} s after the process "
          f"started ({' '.join(rows[0][2:])})")
    print(f"  -> ready / visible: {ready / visible:.2f}x; ready - visible: "
          f"{ready - visible:.2f} s (target: ready <= 1.5 s on a quiet machine)")


def photos(bundle: Path, count: int) -> None:
    from bench_folder import make_images
    from bench_folder_scale import _photo_sets

    print(f"\n{count} photos at 12 MP, whole process:")
    with tempfile.TemporaryDirectory() as tmp:
        _, big = _photo_sets(Path(tmp), count, make_images)
        base_t, _ = timed("tf.data + model.predict(batch 32) on model.keras",
                          [sys.executable, "-c", TF_DATA, str(bundle / "model.keras"),
                           str(big)], 1)
        app_t, _ = timed("main.py classify --model BUNDLE FOLDER",
                         classify_argv(bundle, big), 1)
    print(f"  -> the app is {base_t / app_t:.2f}x as fast (target >= 2x)")


def ray(bundle: Path, count: int) -> None:
    from bench_folder import make_images

    from core.classify import ray_engine

    print(f"\n--engine ray, {count} images, one machine (2 workers):")
    with tempfile.TemporaryDirectory() as tmp:
        files = [str(p) for p in make_images(Path(tmp), count)]
        for label, switch in (("through TensorFlow (before)", "0"), ("instant (after)", "1")):
            os.environ["BACKBONE_STUDIO_INSTANT"] = switch  # the actors inherit it
            first, start = [], time.perf_counter()

            def progress(fraction, message, first=first, start=start):
                if fraction > 0 and not first:
                    first.append(time.perf_counter() - start)

            ray_engine.classify_files(str(bundle), files, 5, None, 32, workers=2,
                                      progress=progress)
            total = time.perf_counter() - start
            print(f"  {label:<30} first result {first[0] if first else total:6.1f} s, "
                  f"total {total:6.1f} s")
    os.environ.pop("BACKBONE_STUDIO_INSTANT", None)


def make_bundle() -> Path:
    """The bench's bundle, trained once and kept in the app's cache folder."""
    from core.base import paths
    from core.runtime import bundle
    from core.teach.dataset import load_folder
    from core.teach.training import TrainConfig, train

    folder = paths.cache_dir("bench") / "fashion"
    if bundle.is_bundle(folder):
        return folder
    print("training a small EfficientNet-Lite0 bundle on the bundled Fashion-MNIST samples…")
    samples, classes = load_folder(paths.resources_dir() / "samples" / "fashion")
    result = train(samples, classes, TrainConfig(backbone="EfficientNetLite0", epochs=5))
    return bundle.save(folder, result.model, result.bundle_meta())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--photos", type=int, default=150)
    parser.add_argument("--ray-images", type=int, default=500)
    parser.add_argument("--parts", default="one,backbone,window,photos,ray")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    from core.base import paths

    image = paths.resources_dir() / "samples" / "photos" / "coffee.jpg"
    folder = args.bundle or make_bundle()
    if "one" in parts:
        one_image(folder, image, args.runs)
    if "backbone" in parts:
        backbone(image, args.runs)
    if "window" in parts:
        window(args.runs)
    if "photos" in parts:
        photos(folder, args.photos)
    if "ray" in parts:
        ray(folder, args.ray_images)


if __name__ == "__main__":
    main()
