"""Screenshots of the Architecture tab, for the README.

    xvfb-run -a python tests/gui/learn_screenshots.py [docs/screenshots]

Saves architecture.png (ResNet50 with a residual block opened),
side_by_side.png (VGG16 beside ResNet50) and feature_maps.png (the bundled
EfficientNet-Lite0 on scikit-image's chelsea photo, with Grad-CAM).
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from PySide6.QtCore import QSettings  # noqa: E402
from screenshots import _write_photo, settle, wait_for  # noqa: E402


def main(out: Path) -> None:
    from gui.app import make_app
    from gui.main_window import MainWindow

    app = make_app([sys.argv[0]])  # kept: the window needs it alive
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    window = MainWindow(QSettings(str(tmp / "settings.ini"), QSettings.IniFormat))
    window.resize(1280, 860)
    window.show()
    wait_for(window.models.changed, window.load_initial_model)
    learn = window.learn
    blocks = learn.blocks
    wait_for(blocks.loader.loaded, lambda: window.tabs.setCurrentWidget(learn))
    view = blocks.view
    view.toggle("conv3_block1")
    view.scale(0.72, 0.72)
    node = view.current_layout.node("conv3_block1_2_conv")
    view.centerOn(node.x + node.w / 2, node.y + 30)
    settle()
    window.grab().save(str(out / "architecture.png"))

    side = learn.side_by_side
    learn.setCurrentWidget(side)
    for loader in side.loaders:
        if not all(side.archs):
            wait_for(loader.loaded)
    settle(500)
    for v in side.views:
        v.scale(0.6, 0.6)
    stem = side.views[1].current_layout.node("stem")
    side.views[1].centerOn(stem.x + stem.w / 2, stem.y + 330)  # the other view follows
    settle()
    window.grab().save(str(out / "side_by_side.png"))

    features = learn.features
    learn.setCurrentWidget(features)
    photo = tmp / "chelsea.jpg"
    _write_photo("chelsea", photo)
    while features.explorer is None:
        settle(200)
    features.open_image(photo)
    while not features.maps:
        settle(200)
    index = next(i for i, b in enumerate(features.explorer.arch.blocks) if b.resolution == 56)
    features.block_combo.setCurrentIndex(index)
    features.show_gradcam()
    while not features.caption.text().startswith("Grad-CAM for"):
        settle(200)
    settle()
    window.grab().save(str(out / "feature_maps.png"))
    window.close()
    app.processEvents()
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"saved 3 screenshots in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
