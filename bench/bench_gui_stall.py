"""The longest stall of the GUI thread while the Classify panels work.

    xvfb-run -a python bench/bench_gui_stall.py [--images 500] [--seconds 10]

A QTimer asks to tick every 5 ms on the GUI thread; the longest gap between
two ticks is the longest the window could not repaint or answer a click.
Measured in the real MainWindow while it: plays a video in Live, classifies
a folder of 500 images (table, thumbnails), a folder of 60 12-megapixel
phone-size JPEGs, folders of 1,000 and 10,000 images (memory after each:
the growth between them should stay under 200 MB), computes a Grad-CAM for the first
time (tracing included), and switches models in the background.
Without a display it runs on Qt's offscreen platform.

A full garbage collection walks every object TensorFlow and Keras created
(about 360,000; 250-380 ms here) and holds the GIL while it does, so it
stalls the GUI thread wherever it starts; loading a model is what triggers
one. The app therefore freezes them right after importing TensorFlow
(gui.model_state), and this benchmark starts the same way.
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer  # noqa: E402

TICK_MS = 5


class Ticker:
    """Records when a 5 ms timer actually fires on the GUI thread, and GC pauses."""

    def __init__(self):
        self.times: list[float] = []
        self.gc_pauses: list[float] = []
        self._gc_start = 0.0
        self.timer = QTimer()
        self.timer.setTimerType(Qt.PreciseTimer)
        self.timer.timeout.connect(lambda: self.times.append(time.perf_counter()))
        gc.callbacks.append(self._gc)

    def _gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
        else:
            self.gc_pauses.append((time.perf_counter() - self._gc_start) * 1000)

    def run_until(self, signal, start, timeout_s: float = 300.0) -> np.ndarray:
        """Call ``start()``, spin the event loop until ``signal``; gaps in ms."""
        loop = QEventLoop()
        signal.connect(loop.quit)
        QTimer.singleShot(int(timeout_s * 1000), loop.quit)
        self.times, self.gc_pauses = [time.perf_counter()], [0.0]
        self.timer.start(TICK_MS)
        start()
        loop.exec()
        self.timer.stop()
        signal.disconnect(loop.quit)
        return np.diff(self.times) * 1000


def report(name: str, gaps: np.ndarray, seconds: float, gc_ms: float) -> float:
    over = int((gaps > 50).sum())
    print(f"{name:<40} {seconds:5.1f} s  longest gap {gaps.max():6.1f} ms  "
          f"p99 {np.percentile(gaps, 99):5.1f} ms  gaps > 50 ms: {over:2d}  "
          f"longest GC pause {gc_ms:5.1f} ms")
    return float(gaps.max())


def scenario(ticker, name, signal, start, timeout_s: float = 300.0):
    began = time.perf_counter()
    gaps = ticker.run_until(signal, start, timeout_s)
    return report(name, gaps, time.perf_counter() - began, max(ticker.gc_pauses))


def twelve_megapixel(folder: Path, sources: list[Path]) -> list[Path]:
    """``sources`` enlarged to 4000 x 3000 JPEGs (the size of a phone's photos)."""
    import cv2

    folder.mkdir()
    for path in sources:
        big = cv2.resize(cv2.imread(str(path)), (4000, 3000), interpolation=cv2.INTER_CUBIC)
        cv2.imwrite(str(folder / path.name), big, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return sorted(folder.glob("*.jpg"))


def rss_mb() -> float:
    """This process's resident memory now (Linux), in MB."""
    with open("/proc/self/status") as f:
        line = next(x for x in f if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def linked_folder(folder: Path, files: list[Path], count: int) -> Path:
    """``count`` files in ``folder``: hard links to ``files`` in turn (each decoded again)."""
    folder.mkdir()
    for n in range(count):
        os.link(files[n % len(files)], folder / f"{n:05d}.jpg")
    return folder


def big_folders(ticker, panels, root: Path, files: list[Path], sizes: list[int]) -> float:
    """The Folder panel on ever larger folders, scrolled to the newest rows as they come
    (thumbnails load for what is on screen): the stall and the memory after each."""
    table = panels.folder.table
    scroll = lambda *args: table.scrollToBottom()  # noqa: E731  a user watching the stream
    panels.folder.results.rowsInserted.connect(scroll)
    worst, after = 0.0, {}
    for size in sizes:
        folder = linked_folder(root / f"folder_{size}", files, size)
        worst = max(worst, scenario(ticker, f"Folder: {size} images, scrolled to the end",
                                    panels.folder.finished,
                                    lambda: panels.folder.classify([folder]),
                                    timeout_s=max(300.0, size / 5)))
        gc.collect()
        after[size] = rss_mb()
        rows = panels.folder.results.rowCount()
        print(f"{'':<40} memory with {rows} rows in the table: {after[size]:.0f} MB")
    panels.folder.results.rowsInserted.disconnect(scroll)
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        print(f"Folder memory growth from {small} to {large} images: "
              f"{after[large] - after[small]:+.0f} MB (target under 200 MB)")
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--photos", type=int, default=60, help="12 MP JPEGs for the Folder run")
    parser.add_argument("--folder-sizes", default="1000,10000",
                        help="comma-separated folder sizes for the memory run ('' skips it)")
    args = parser.parse_args()

    from bench_folder import make_images
    from bench_live import make_video

    from core.runtime.loading import load_predictor
    from gui.app import make_app
    from gui.main_window import MainWindow
    from gui.model_state import _import_tensorflow_once

    app = make_app([sys.argv[0]])
    tmp = tempfile.TemporaryDirectory()
    root = Path(tmp.name)
    _import_tensorflow_once(lambda fraction, message: None)  # as the app does: gc.freeze()
    predictor = load_predictor("EfficientNetLite0")
    files = make_images(root / "images", args.images)
    photos = twelve_megapixel(root / "12mp", files[:args.photos])
    video = make_video(root / "camera.avi", args.seconds)
    window = MainWindow(QSettings(str(root / "settings.ini"), QSettings.IniFormat))
    window.models.ref, window.models.predictor = "EfficientNetLite0", predictor
    window.models.changed.emit(predictor)
    window.show()
    app.processEvents()
    panels, ticker = window.classify, Ticker()
    print(f"platform: {app.platformName()}, {os.cpu_count()} CPU cores, timer every {TICK_MS} ms, "
          f"frozen GC objects: {gc.get_freeze_count()}")

    worst = []
    panels.show(panels.live)
    worst.append(scenario(ticker, f"Live: {args.seconds:.0f} s video, 30 fps",
                          panels.live.source_ended, lambda: panels.live.start_source(video)))
    panels.show(panels.folder)
    worst.append(scenario(ticker, f"Folder: {len(files)} images, table + thumbnails",
                          panels.folder.finished,
                          lambda: panels.folder.classify([files[0].parent])))
    worst.append(scenario(ticker, f"Folder: {len(photos)} 12 MP photos",
                          panels.folder.finished,
                          lambda: panels.folder.classify([photos[0].parent])))
    sizes = [int(n) for n in args.folder_sizes.split(",") if n.strip()]
    if sizes:
        worst.append(big_folders(ticker, panels, root, files, sizes))
    panels.show(panels.image)
    panels.image.cam_box.setChecked(True)
    worst.append(scenario(ticker, "Image: open + first Grad-CAM (tracing)",
                          panels.image.heatmap_shown, lambda: panels.image.open(files[0])))
    worst.append(scenario(ticker, "Models: switch model (build + load)", window.models.changed,
                          lambda: window.models.load("EfficientNetLite0")))
    print("load average (1, 5, 15 min) at the end: "
          + ", ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores")
    print(f"longest GUI stall over all runs: {max(worst):.1f} ms (target under 50 ms)")
    window.close()
    tmp.cleanup()


if __name__ == "__main__":
    main()
