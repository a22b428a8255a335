"""Screenshots of the comparison window for docs/screenshots (opt-in).

Run under a real X server so fonts and styles render as users see them:

    BACKBONE_SCREENSHOTS=docs/screenshots QT_QPA_PLATFORM=xcb xvfb-run -a \\
        -s "-screen 0 1400x1000x24" python -m pytest tests/gui/compare_screenshots.py

Not collected by the suite (named explicitly, as above); skipped unless
BACKBONE_SCREENSHOTS names the folder to write into.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.compare.comparison import CompareConfig
from tests import fashion

OUT = os.environ.get("BACKBONE_SCREENSHOTS")
pytestmark = [pytest.mark.skipif(not OUT, reason="set BACKBONE_SCREENSHOTS to a folder"),
              pytest.mark.skipif(not fashion.available(), reason="dataset-fashion-mnist missing")]
CLASSES = ("ankle_boot", "sandal", "sneaker", "bag")
BACKBONES = ["LeNet5", "AlexNet", "EfficientNetLite0", "EfficientNetLite1", "EfficientNetLite2",
             "MobileNetV2"]


def test_screenshots_of_a_comparison(bare_window, qtbot, tmp_path):
    tree = tmp_path / "things"
    fashion.write_tree(tree, 40, seed=2, classes=CLASSES)
    Path(OUT).mkdir(parents=True, exist_ok=True)
    wizard = bare_window.teach.new_model()
    data = wizard.data_page
    data.new_project(str(tmp_path / "shoes and bags"))
    with qtbot.waitSignal(data.jobs.ended, timeout=60000):
        data.import_folder(str(tree))
    qtbot.waitUntil(lambda: data.warnings_title.text().startswith("Checks:"), timeout=30000)
    wizard.next()
    page = wizard.backbone_page
    page.table.set_ticked(BACKBONES)
    wizard.resize(1100, 780)
    qtbot.wait(300)
    wizard.grab().save(str(Path(OUT) / "compare_backbone_page.png"))
    window = page.compare(config=CompareConfig(epochs=40))
    window.resize(1250, 900)
    with qtbot.waitSignal(window.finished, timeout=1800000):
        pass
    window.table.select("EfficientNetLite1")
    window.details.setCurrentIndex(1)  # the chosen row's confusion matrix
    qtbot.wait(300)
    window.grab().save(str(Path(OUT) / "compare_table.png"))
    window.export_png(Path(OUT) / "compare_plot.png")
    window.export_csv(tmp_path / "comparison.csv")
    print((tmp_path / "comparison.csv").read_text())
    wizard.close()
