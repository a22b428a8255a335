"""Screenshots of the Classify panels and the Models tab, for the README.

    xvfb-run -a python tests/gui/screenshots.py [docs/screenshots]

Drives the real window on real scikit-image photos and saves live.png,
folder.png, image.png and models.png (the whole window, status bar included).
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer  # noqa: E402


def wait_for(signal, start=None, timeout_ms: int = 120000):
    """Run ``start()`` and spin the event loop until ``signal`` fires; its arguments."""
    loop, got = QEventLoop(), []

    def done(*args):
        got.append(args)
        loop.quit()

    signal.connect(done)
    QTimer.singleShot(timeout_ms, loop.quit)
    if start is not None:
        start()
    loop.exec()
    signal.disconnect(done)
    if not got:
        raise TimeoutError(f"no {signal} within {timeout_ms} ms")
    return got[0]


def settle(ms: int = 300) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main(out: Path) -> None:
    from bench_folder import make_images
    from bench_live import make_video

    from gui.app import make_app
    from gui.main_window import MainWindow

    app = make_app([sys.argv[0]])  # kept: the window needs it alive
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    photos = make_images(tmp / "My photos", 24, seed=3)
    (tmp / "My photos" / "scan-0007.jpg").write_bytes(b"\xff\xd8 not really a JPEG")
    video = make_video(tmp / "desk camera.avi", 6)
    window = MainWindow(QSettings(str(tmp / "settings.ini"), QSettings.IniFormat))
    window.resize(1280, 820)
    window.show()
    wait_for(window.models.changed, window.load_initial_model)
    panels = window.classify

    panels.show(panels.models_panel)
    panels.models_panel.select("MobileNetV2")
    settle(1500)  # the speed of the model in use is measured in the background
    panels.models_panel.select("EfficientNetLite0")
    settle()
    window.grab().save(str(out / "models.png"))

    panels.show(panels.live)
    panels.live.start_source(video)
    wait_for(panels.live.frame_shown)
    settle(1200)
    panels.live.pause_button.setChecked(True)
    settle()
    window.grab().save(str(out / "live.png"))
    panels.live.stop()

    panels.show(panels.folder)
    wait_for(panels.folder.finished, lambda: panels.folder.classify([photos[0].parent]))
    panels.folder.table.sortByColumn(2, Qt.DescendingOrder)
    settle(1500)  # thumbnails
    window.grab().save(str(out / "folder.png"))

    panels.show(panels.image)
    panels.image.cam_box.setChecked(True)
    coffee = tmp / "coffee.jpg"
    _write_photo("coffee", coffee)
    wait_for(panels.image.heatmap_shown, lambda: panels.image.open(coffee))
    settle()
    window.grab().save(str(out / "image.png"))
    window.close()
    app.processEvents()
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"saved 4 screenshots in {out}")


def _write_photo(name: str, path: Path) -> None:
    import cv2
    from skimage import data

    cv2.imwrite(str(path), cv2.cvtColor(getattr(data, name)(), cv2.COLOR_RGB2BGR))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
