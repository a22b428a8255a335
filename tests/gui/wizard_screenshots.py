"""Screenshots of the Teach wizard's pages for docs/screenshots (opt-in).

Run under a real X server so fonts and styles render as users see them:

    BACKBONE_SCREENSHOTS=docs/screenshots QT_QPA_PLATFORM=xcb xvfb-run -a \\
        -s "-screen 0 1400x1000x24" python -m pytest tests/gui/wizard_screenshots.py

Not collected by the suite (named explicitly, as above); skipped unless
BACKBONE_SCREENSHOTS names the folder to write into.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests import fashion

OUT = os.environ.get("BACKBONE_SCREENSHOTS")
pytestmark = [pytest.mark.skipif(not OUT, reason="set BACKBONE_SCREENSHOTS to a folder"),
              pytest.mark.skipif(not fashion.available(), reason="dataset-fashion-mnist missing")]
# Look-alike tops make an honest confusion matrix with some mistakes in it.
CLASSES = ("coat", "pullover", "shirt", "t-shirt")


def shoot(widget, qtbot, name: str) -> None:
    qtbot.wait(300)  # let thumbnails arrive and charts lay out
    widget.grab().save(str(Path(OUT) / name))


def test_screenshots_of_each_page(bare_window, qtbot, tmp_path):
    tree = tmp_path / "tops"
    fashion.write_tree(tree, 30, seed=11, classes=CLASSES)
    for extra in list((tree / "shirt").iterdir())[:22]:  # a small class shows a warning
        extra.unlink()
    Path(OUT).mkdir(parents=True, exist_ok=True)
    bare_window.tabs.setCurrentWidget(bare_window.teach)
    shoot(bare_window, qtbot, "wizard_teach_tab.png")

    wizard = bare_window.teach.new_model()
    wizard.resize(1100, 780)
    data = wizard.data_page
    data.new_project(str(tmp_path / "tops project"))
    with qtbot.waitSignal(data.jobs.ended, timeout=60000):
        data.import_folder(str(tree))
    qtbot.waitUntil(lambda: data.warnings_title.text().startswith("Checks:"), timeout=30000)
    data.select_class("pullover")
    shoot(wizard, qtbot, "wizard_data.png")

    wizard.next()
    shoot(wizard, qtbot, "wizard_backbone.png")
    wizard.next()
    wizard.settings_page.epochs.setValue(25)
    wizard.settings_page.patience.setValue(0)
    wizard.settings_page.advanced_button.setChecked(True)
    shoot(wizard, qtbot, "wizard_settings.png")
    wizard.next()
    with qtbot.waitSignal(wizard.train_page.jobs.ended, timeout=300000):
        pass
    shoot(wizard, qtbot, "wizard_train.png")

    wizard.next()
    page = wizard.evaluate_page
    page.mistakes.setCurrentRow(0)
    shoot(wizard, qtbot, "wizard_evaluate_mistakes.png")
    names = page.evaluation.class_names
    worst = max(((r, c) for r in range(len(names)) for c in range(len(names)) if r != c),
                key=lambda rc: page.matrix.counts()[rc[0]][rc[1]])
    qtbot.mouseClick(page.matrix, Qt.LeftButton,
                     pos=page.matrix.cell_rect(*worst).center().toPoint())
    shoot(wizard, qtbot, "wizard_evaluate.png")

    wizard.next()
    save = wizard.save_page
    with qtbot.waitSignal(save.jobs.ended, timeout=300000):
        save.save()
    shoot(wizard, qtbot, "wizard_save.png")
    save.save()  # the same folder again: a box asks before the saved model is replaced
    shoot_with_box(wizard, save.confirm_box, qtbot, "wizard_save_replace.png")
    save.confirm_box.reject()
    wizard.close()


def shoot_with_box(window, box, qtbot, name: str) -> None:
    """``window`` with ``box`` (a window of its own) drawn over its centre."""
    from PySide6.QtGui import QPainter

    qtbot.wait(300)
    picture, on_top = window.grab(), box.grab()
    painter = QPainter(picture)
    painter.drawPixmap((picture.width() - on_top.width()) // 2,
                       (picture.height() - on_top.height()) // 3, on_top)
    painter.end()
    picture.save(str(Path(OUT) / name))
